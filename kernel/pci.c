/* Host PCI configuration access, mechanism #1 (kernel/pci.h). */
#include "kernel/pci.h"

#include "kernel/cpu.h"
#include "kernel/percpu.h"

static struct spinlock pci_lock;

static uint32_t config_address(struct pci_addr a)
{
    return PCI_CFG_ENABLE | (uint32_t)a.bus << 16 | (uint32_t)(a.dev & 31) << 11 | (uint32_t)(a.fn & 7) << 8 |
           (a.reg & 0xfc);
}

uint32_t pci_cfg_read(struct pci_addr a, unsigned size)
{
    uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (a.reg & 3));
    spin_lock(&pci_lock);
    outl(PCI_CONFIG_ADDRESS, config_address(a));
    uint32_t v = in_sized(port, size);
    spin_unlock(&pci_lock);
    return v;
}

void pci_cfg_write(struct pci_addr a, unsigned size, uint32_t value)
{
    uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (a.reg & 3));
    spin_lock(&pci_lock);
    outl(PCI_CONFIG_ADDRESS, config_address(a));
    out_sized(port, size, value);
    spin_unlock(&pci_lock);
}

unsigned pci_find_cap(struct pci_addr fn, uint8_t id)
{
    fn.reg = PCI_STATUS;
    if ((pci_cfg_read(fn, 2) & PCI_STATUS_CAP_LIST) == 0 || pci_cfg_read((struct pci_addr){ fn.bus, fn.dev, fn.fn, 0 }, 2) == 0xffff)
        return 0;
    fn.reg = PCI_CAPABILITY_LIST;
    unsigned off = pci_cfg_read(fn, 1) & 0xfc;
    for (unsigned steps = 0; off >= 0x40 && steps < 48; steps++) {
        fn.reg = (uint16_t)off;
        uint32_t hdr = pci_cfg_read(fn, 2);
        if ((hdr & 0xff) == id)
            return off;
        off = (hdr >> 8) & 0xfc;
    }
    return 0;
}
