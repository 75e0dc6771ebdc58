/*
 * PCI configuration space for the host: configuration mechanism #1 (ports
 * 0xCF8 CONFIG_ADDRESS / 0xCFC-0xCFF CONFIG_DATA, PCI Local Bus 3.0,
 * 3.2.2.3.2), one lock for every CPU (the address/data pair is not atomic),
 * and the capability-list walk (PCI 3.0, 6.7).
 */
#ifndef SKIFF_KERNEL_PCI_H
#define SKIFF_KERNEL_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc
#define PCI_CFG_ENABLE     (1u << 31)

/* Register offsets of the common header (PCI 3.0, 6.1). */
#define PCI_VENDOR_ID      0x00
#define PCI_COMMAND        0x04
#define PCI_CMD_MEMORY     (1u << 1)
#define PCI_CMD_MASTER     (1u << 2)
#define PCI_HEADER_TYPE    0x0e
#define PCI_BAR0           0x10
#define PCI_SECONDARY_BUS  0x19
#define PCI_SUBORDINATE_BUS 0x1a
#define PCI_STATUS         0x06
#define PCI_STATUS_CAP_LIST (1u << 4)
#define PCI_CAPABILITY_LIST 0x34
#define PCI_CAP_ID_MSI     0x05

struct pci_addr {
    uint8_t bus, dev, fn;
    uint16_t reg;            /* byte offset in the function's configuration space */
};

/* The CONFIG_ADDRESS fields of a value the guest wrote (bit 31 enable, 23:16 bus, 15:11
 * device, 10:8 function, 7:2 register) plus the byte offset of the data port used. */
static inline struct pci_addr pci_addr_decode(uint32_t config_address, unsigned data_byte)
{
    return (struct pci_addr){ (uint8_t)(config_address >> 16), (uint8_t)((config_address >> 11) & 31),
                              (uint8_t)((config_address >> 8) & 7),
                              (uint16_t)((config_address & 0xfc) | (data_byte & 3)) };
}

/* size 1, 2 or 4 bytes at a.reg (not crossing its dword); under the PCI lock; CONFIG_ADDRESS is
 * left disabled. */
uint32_t pci_cfg_read(struct pci_addr a, unsigned size);
void pci_cfg_write(struct pci_addr a, unsigned size, uint32_t value);
/* An I/O access near the mechanism's ports that is not a configuration access (e.g. a byte at
 * 0xCF9, the reset control register), made under the PCI lock. */
uint32_t pci_port_in(uint16_t port, unsigned size);
void pci_port_out(uint16_t port, unsigned size, uint32_t value);
/* Shorthands by bus, device, function and offset (segment 0). */
uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned off);
void pci_write32(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t v);
uint8_t pci_read8(unsigned bus, unsigned dev, unsigned fn, unsigned off);
/* First function with this vendor and device id; false when none. */
bool pci_find(uint16_t vendor, uint16_t device, unsigned *bus, unsigned *dev, unsigned *fn);
/* A memory BAR's base (32- or 64-bit), 0 when the BAR is not memory or not set. */
uint64_t pci_bar_mem(unsigned bus, unsigned dev, unsigned fn, unsigned bar);

/* Offset of capability `id` in the function's list, 0 when absent (at most 48 steps). */
unsigned pci_find_cap(struct pci_addr fn, uint8_t id);

#endif
