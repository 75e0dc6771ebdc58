#include "pci.h"

#include "cpu.h"

static uint32_t cfg_addr(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    return 0x80000000u | (bus & 0xff) << 16 | (dev & 0x1f) << 11 | (fn & 7) << 8 | (off & 0xfc);
}

uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    outl(0xcf8, cfg_addr(bus, dev, fn, off));
    return inl(0xcfc);
}

void pci_write32(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t v)
{
    outl(0xcf8, cfg_addr(bus, dev, fn, off));
    outl(0xcfc, v);
}

uint8_t pci_read8(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    return (uint8_t)(pci_read32(bus, dev, fn, off) >> (8 * (off & 3)));
}

bool pci_find(uint16_t vendor, uint16_t device, unsigned *bus, unsigned *dev, unsigned *fn)
{
    uint32_t want = (uint32_t)device << 16 | vendor;
    for (unsigned b = 0; b < 256; b++)
        for (unsigned d = 0; d < 32; d++) {
            uint32_t id = pci_read32(b, d, 0, PCI_VENDOR_ID);
            if ((id & 0xffff) == 0xffff)
                continue;
            unsigned nfn = (pci_read8(b, d, 0, PCI_HEADER_TYPE) & 0x80) ? 8 : 1;
            for (unsigned f = 0; f < nfn; f++) {
                if (f && (pci_read32(b, d, f, PCI_VENDOR_ID) & 0xffff) == 0xffff)
                    continue;
                if (pci_read32(b, d, f, PCI_VENDOR_ID) == want) {
                    *bus = b, *dev = d, *fn = f;
                    return true;
                }
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
