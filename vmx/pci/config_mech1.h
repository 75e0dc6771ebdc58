/*
 * What the chipset makes of one I/O access that touches ports 0xCF8-0xCFF
 * (PCI configuration mechanism #1, PCI Local Bus 3.0, 3.2.2.3.2; Intel 82371AB
 * PIIX4 and ICH/PCH datasheets, "CONFIG_ADDRESS / CONFIG_DATA"):
 *
 *   access                                        the chipset
 *   dword at 0xCF8                                latches CONFIG_ADDRESS
 *   byte/word at 0xCF8-0xCFB                      an ordinary I/O cycle: 0xCF9 is the reset control
 *                                                 register, the others decode nothing
 *   inside CONFIG_DATA's dword, enable bit set    a configuration cycle at the latched address
 *   CONFIG_DATA, enable bit clear                 an ordinary I/O cycle nobody claims: reads all
 *                                                 ones, writes go nowhere
 *   crossing the dword (e.g. a word at 0xCFF)     the bytes in 0xCFC-0xCFF as the row above; the
 *                                                 others reach their own ports
 *
 * Skiff keeps the guest's CONFIG_ADDRESS and never lets a guest access reach
 * CONFIG_DATA itself: the chipset's latch is Skiff's (kernel/pci/pci.c), and
 * forwarding would reach the register Skiff addressed last, unjudged.
 *
 * Pure: unit-tested in tests/unit/vmx/pci/test_config_mech1.c.
 */
#ifndef SKIFF_VMX_PCI_CONFIG_MECH1_H
#define SKIFF_VMX_PCI_CONFIG_MECH1_H

#include <stdint.h>

#include "kernel/pci/pci.h"

enum mech1_kind {
    MECH1_ADDRESS,      /* the guest's CONFIG_ADDRESS (Skiff's copy) */
    MECH1_CONFIG,       /* a configuration access at .addr of .size bytes */
    MECH1_PORTS,        /* byte by byte: CONFIG_DATA bytes (.unclaimed) read 0xff and drop writes,
                         * the others go to their own port */
};

struct mech1_access {
    enum mech1_kind kind;
    struct pci_addr addr;     /* MECH1_CONFIG */
    uint8_t unclaimed;        /* MECH1_PORTS: bit i set: port + i is CONFIG_DATA outside a
                               * configuration access */
};

/* config_address: the guest's CONFIG_ADDRESS; the access is [port, port + size), size 1, 2 or 4. */
void mech1_decode(uint32_t config_address, uint16_t port, unsigned size, struct mech1_access *m);

/* A MECH1_PORTS read: the unclaimed bytes all ones, the others from in8(port + i). */
uint32_t mech1_ports_in(const struct mech1_access *m, uint16_t port, unsigned size, uint8_t (*in8)(uint16_t));
/* A MECH1_PORTS write: out8(port + i, byte i) for the bytes that are not unclaimed. */
void mech1_ports_out(const struct mech1_access *m, uint16_t port, unsigned size, uint32_t val,
                     void (*out8)(uint16_t, uint8_t));

#endif
