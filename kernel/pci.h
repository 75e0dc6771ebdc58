/* PCI configuration space through the legacy ports 0xCF8/0xCFC (PCI Local Bus 3.0, 3.2.2.3.2), segment 0. */
#ifndef SKIFF_KERNEL_PCI_H
#define SKIFF_KERNEL_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_VENDOR_ID      0x00
#define PCI_COMMAND        0x04
#define PCI_CMD_MEMORY     (1u << 1)
#define PCI_CMD_MASTER     (1u << 2)
#define PCI_HEADER_TYPE    0x0e
#define PCI_BAR0           0x10
#define PCI_SECONDARY_BUS  0x19
#define PCI_SUBORDINATE_BUS 0x1a

uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned off);
void pci_write32(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t v);
uint8_t pci_read8(unsigned bus, unsigned dev, unsigned fn, unsigned off);
/* First function with this vendor and device id; false when none. */
bool pci_find(uint16_t vendor, uint16_t device, unsigned *bus, unsigned *dev, unsigned *fn);
/* A memory BAR's base (32- or 64-bit), 0 when the BAR is not memory or not set. */
uint64_t pci_bar_mem(unsigned bus, unsigned dev, unsigned fn, unsigned bar);

#endif
