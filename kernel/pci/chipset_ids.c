/* Chipset functions by class and by id (kernel/pci/chipset_ids.h). */
#include "kernel/pci/chipset_ids.h"

#include <stddef.h>

/* Host bridges first: the chipset line at boot names the host bridge's row. */
const struct pci_chipset_id pci_chipset_ids[] = {
    /* Bochs (chipset=i440fx, the default) and QEMU pc: 82441FX PMC, PIIX3 ISA bridge, PIIX4 PM. */
    { 0x8086, 0x1237, PCI_ROLE_HOST, "i440FX" },
    /* Bochs chipset=i440bx and chipset=i430fx. */
    { 0x8086, 0x7190, PCI_ROLE_HOST, "i440BX" },
    { 0x8086, 0x7192, PCI_ROLE_HOST, "i440BX (AGP disabled)" },
    { 0x8086, 0x122d, PCI_ROLE_HOST, "i430FX" },
    /* QEMU q35: 82G33/Q35 MCH, ICH9 LPC, ICH9 SMBus. */
    { 0x8086, 0x29c0, PCI_ROLE_HOST, "Q35 MCH" },
    { 0x8086, 0x7000, PCI_ROLE_LPC, "PIIX3 ISA bridge" },
    { 0x8086, 0x7110, PCI_ROLE_LPC, "PIIX4 ISA bridge" },
    { 0x8086, 0x122e, PCI_ROLE_LPC, "PIIX ISA bridge" },
    { 0x8086, 0x7113, PCI_ROLE_PMC, "PIIX4 power management" },
    { 0x8086, 0x2918, PCI_ROLE_LPC, "ICH9 LPC" },
    { 0x8086, 0x2930, PCI_ROLE_SMBUS, "ICH9 SMBus" },
};
const unsigned pci_chipset_id_count = sizeof(pci_chipset_ids) / sizeof(pci_chipset_ids[0]);

/* By class: base class and subclass (PCI Code and ID Assignment, appendix D). */
static const struct {
    uint8_t base, sub;
    uint16_t vendor;        /* 0xffff: any vendor */
    uint8_t role;
} by_class[] = {
    { 0x06, 0x00, 0xffff, PCI_ROLE_HOST },      /* host bridge */
    { 0x06, 0x01, 0xffff, PCI_ROLE_LPC },       /* ISA bridge: LPC and eSPI bridges report it */
    { 0x0c, 0x05, 0xffff, PCI_ROLE_SMBUS },     /* SMBus controller */
    { 0x05, 0x80, 0x8086, PCI_ROLE_PMC },       /* Intel PCH PMC (100-series and later, 00:1f.2) */
};

const struct pci_chipset_id *pci_chipset_known(uint16_t vendor, uint16_t device)
{
    for (unsigned i = 0; i < pci_chipset_id_count; i++)
        if (pci_chipset_ids[i].vendor == vendor && pci_chipset_ids[i].device == device)
            return &pci_chipset_ids[i];
    return NULL;
}

enum pci_chipset_role pci_chipset_role(uint16_t vendor, uint16_t device, uint32_t class_rev)
{
    const struct pci_chipset_id *k = pci_chipset_known(vendor, device);
    if (k)
        return (enum pci_chipset_role)k->role;
    uint8_t base = (uint8_t)(class_rev >> 24), sub = (uint8_t)(class_rev >> 16);
    for (unsigned i = 0; i < sizeof(by_class) / sizeof(by_class[0]); i++)
        if (by_class[i].base == base && by_class[i].sub == sub &&
            (by_class[i].vendor == 0xffff || by_class[i].vendor == vendor))
            return (enum pci_chipset_role)by_class[i].role;
    return PCI_ROLE_NONE;
}

const char *pci_chipset_role_name(enum pci_chipset_role role)
{
    static const char *const names[PCI_ROLE_COUNT] = { "not a chipset function", "host bridge", "LPC/ISA bridge",
                                                       "power management", "SMBus" };
    return role < PCI_ROLE_COUNT ? names[role] : "?";
}
