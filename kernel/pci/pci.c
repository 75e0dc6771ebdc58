/* Host PCI configuration access, mechanism #1 (kernel/pci/pci.h). */
#include "kernel/pci/pci.h"

#include "kernel/cpu/cpu.h"
#include "kernel/cpu/percpu.h"

static struct spinlock pci_lock;

static uint32_t config_address(struct pci_addr a)
{
    return PCI_CFG_ENABLE | (uint32_t)a.bus << 16 | (uint32_t)(a.dev & 31) << 11 | (uint32_t)(a.fn & 7) << 8 |
           (a.reg & 0xfc);
}

/*
 * Each access leaves CONFIG_ADDRESS disabled (bit 31 clear): CONFIG_DATA then
 * decodes to no register (PCI 3.0, 3.2.2.3.2), so nothing that reaches it later
 * lands on the register Skiff addressed last.  (The guest's accesses never reach
 * it either: vmx/pci/exit_pci.c.)
 */
uint32_t pci_cfg_read(struct pci_addr a, unsigned size)
{
    uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (a.reg & 3));
    spin_lock(&pci_lock);
    outl(PCI_CONFIG_ADDRESS, config_address(a));
    uint32_t v = in_sized(port, size);
    outl(PCI_CONFIG_ADDRESS, 0);
    spin_unlock(&pci_lock);
    return v;
}

void pci_cfg_write(struct pci_addr a, unsigned size, uint32_t value)
{
    uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (a.reg & 3));
    spin_lock(&pci_lock);
    outl(PCI_CONFIG_ADDRESS, config_address(a));
    out_sized(port, size, value);
    outl(PCI_CONFIG_ADDRESS, 0);
    spin_unlock(&pci_lock);
}

/* Under the lock, so no such access falls between another CPU's address and data accesses. */
uint32_t pci_port_in(uint16_t port, unsigned size)
{
    spin_lock(&pci_lock);
    uint32_t v = in_sized(port, size);
    spin_unlock(&pci_lock);
    return v;
}

void pci_port_out(uint16_t port, unsigned size, uint32_t value)
{
    spin_lock(&pci_lock);
    out_sized(port, size, value);
    spin_unlock(&pci_lock);
}

unsigned pci_find_cap(struct pci_addr fn, uint8_t id)
{
    fn.reg = PCI_VENDOR_ID;
    if (pci_cfg_read(fn, 2) == 0xffff)           /* no function there */
        return 0;
    fn.reg = PCI_STATUS;
    if (!(pci_cfg_read(fn, 2) & PCI_STATUS_CAP_LIST))
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

static struct pci_addr at(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    return (struct pci_addr){ (uint8_t)bus, (uint8_t)(dev & 31), (uint8_t)(fn & 7), (uint16_t)off };
}

uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    return pci_cfg_read(at(bus, dev, fn, off & 0xfc), 4);
}

void pci_write32(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t v)
{
    pci_cfg_write(at(bus, dev, fn, off & 0xfc), 4, v);
}

uint8_t pci_read8(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    return (uint8_t)pci_cfg_read(at(bus, dev, fn, off), 1);
}

bool pci_find(uint16_t vendor, uint16_t device, unsigned *bus, unsigned *dev, unsigned *fn)
{
    uint32_t want = (uint32_t)device << 16 | vendor;
    for (unsigned b = 0; b < 256; b++)
        for (unsigned d = 0; d < 32; d++) {
            if ((pci_read32(b, d, 0, PCI_VENDOR_ID) & 0xffff) == 0xffff)
                continue;
            unsigned nfn = (pci_read8(b, d, 0, PCI_HEADER_TYPE) & 0x80) ? 8 : 1;
            for (unsigned f = 0; f < nfn; f++)
                if (pci_read32(b, d, f, PCI_VENDOR_ID) == want) {
                    *bus = b, *dev = d, *fn = f;
                    return true;
                }
        }
    return false;
}

uint64_t pci_bar_mem(unsigned bus, unsigned dev, unsigned fn, unsigned bar)
{
    unsigned off = PCI_BAR0 + 4 * bar;
    uint32_t lo = pci_read32(bus, dev, fn, off);
    if (lo & 1)
        return 0;                      /* an I/O BAR */
    uint64_t base = lo & ~0xfull;
    if (((lo >> 1) & 3) == 2)          /* 64-bit */
        base |= (uint64_t)pci_read32(bus, dev, fn, off + 4) << 32;
    return base;
}
