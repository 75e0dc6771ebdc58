/* Which functions are chipset functions, which chipsets Skiff knows (kernel/pci/chipset_ids.c). */
// SOURCES: kernel/pci/chipset_ids.c
#include <string.h>

#include "kernel/pci/chipset_ids.h"
#include "tests/unit/unit.h"

#define CLASS(base, sub) ((uint32_t)(base) << 24 | (uint32_t)(sub) << 16)

TEST(known_machines)
{
    /* Bochs i440FX and QEMU pc: the host bridge, PIIX3 and PIIX4's functions. */
    const struct pci_chipset_id *k = pci_chipset_known(0x8086, 0x1237);
    REQUIRE(k != NULL);
    CHECK_EQ(k->role, PCI_ROLE_HOST);
    CHECK_STR(k->name, "i440FX");
    CHECK_EQ(pci_chipset_role(0x8086, 0x7000, CLASS(6, 1)), PCI_ROLE_LPC);
    CHECK_EQ(pci_chipset_role(0x8086, 0x7110, CLASS(6, 1)), PCI_ROLE_LPC);
    /* PIIX4 PM reports class 06/80: a chipset function only by its ids. */
    CHECK_EQ(pci_chipset_role(0x8086, 0x7113, CLASS(6, 0x80)), PCI_ROLE_PMC);
    CHECK_EQ(pci_chipset_role(0x8086, 0x7114, CLASS(6, 0x80)), PCI_ROLE_NONE);
    /* QEMU q35. */
    k = pci_chipset_known(0x8086, 0x29c0);
    REQUIRE(k != NULL);
    CHECK_STR(k->name, "Q35 MCH");
    CHECK_EQ(pci_chipset_role(0x8086, 0x2918, CLASS(6, 1)), PCI_ROLE_LPC);
    CHECK_EQ(pci_chipset_role(0x8086, 0x2930, CLASS(0xc, 5)), PCI_ROLE_SMBUS);
    CHECK(pci_chipset_known(0x8086, 0x7190) != NULL);        /* Bochs chipset=i440bx */
}

TEST(by_class)
{
    CHECK_EQ(pci_chipset_role(0x1022, 0x1480, CLASS(6, 0)), PCI_ROLE_HOST);   /* unknown host bridge */
    CHECK(pci_chipset_known(0x1022, 0x1480) == NULL);
    CHECK_EQ(pci_chipset_role(0x8086, 0x9d4e, CLASS(6, 1)), PCI_ROLE_LPC);    /* an eSPI/LPC bridge */
    CHECK_EQ(pci_chipset_role(0x1022, 0x790b, CLASS(0xc, 5)), PCI_ROLE_SMBUS);
    CHECK_EQ(pci_chipset_role(0x8086, 0x9d21, CLASS(5, 0x80)), PCI_ROLE_PMC);  /* Intel PCH PMC */
    CHECK_EQ(pci_chipset_role(0x1022, 0x1234, CLASS(5, 0x80)), PCI_ROLE_NONE); /* 05/80 elsewhere */
    CHECK_EQ(pci_chipset_role(0x8086, 0x100e, CLASS(2, 0)), PCI_ROLE_NONE);    /* a NIC */
    CHECK_EQ(pci_chipset_role(0x8086, 0x2922, CLASS(1, 6)), PCI_ROLE_NONE);    /* AHCI */
    CHECK_EQ(pci_chipset_role(0x8086, 0x244e, CLASS(6, 4)), PCI_ROLE_NONE);    /* a PCI-PCI bridge */
}

TEST(table)
{
    for (unsigned i = 0; i < pci_chipset_id_count; i++) {
        const struct pci_chipset_id *r = &pci_chipset_ids[i];
        CHECK(r->name && r->name[0]);
        CHECK(r->role > PCI_ROLE_NONE && r->role < PCI_ROLE_COUNT);
        CHECK(pci_chipset_known(r->vendor, r->device) == r);     /* no id twice */
    }
    for (unsigned r = 0; r < PCI_ROLE_COUNT; r++)
        CHECK(strcmp(pci_chipset_role_name((enum pci_chipset_role)r), "?"));
}

UNIT_MAIN(T(known_machines), T(by_class), T(table))
