/*
 * The configuration registers of chipset functions (host bridge, LPC/eSPI,
 * PMC, SMBus: kernel/pci/chipset_ids.h) a guest may write.  Deny by
 * default: these functions hold the windows Skiff's mediation relies on (ECAM
 * through PCIEXBAR, the MCH and DMI windows, the ACPI PM block, SMRAM, the
 * I/O APIC and the root complex block), so a write passes only when a row
 * here calls its bytes harmless, or a BAR write is a sizing probe or puts the
 * boot value back, or vmx/policy/pci_policy.c mediates them (the PM block Skiff
 * follows, the LPC decode bits it keeps).  Every other write is refused with a
 * verdict naming the register: a named DENY row, or its offset when no row
 * covers it.  First matching row wins: device rows, then vendor and role
 * rows, then the common header.  Pure: unit-tested.
 */
#ifndef SKIFF_VMX_PCI_CHIPSET_H
#define SKIFF_VMX_PCI_CHIPSET_H

#include <stdint.h>

#include "kernel/pci/chipset_ids.h"

enum pci_chipset_reg_kind {
    PCI_REG_ALLOW,          /* harmless to Skiff: passes */
    PCI_REG_BAR,            /* a BAR: a sizing probe (every address bit set) or the boot value back passes */
    PCI_REG_DENY,           /* refused (name NULL: under its offset, as when no row covers it) */
};

struct pci_chipset_reg {
    uint16_t vendor, device;        /* 0xffff: any */
    uint8_t role;                   /* enum pci_chipset_role; PCI_ROLE_NONE: any chipset function */
    uint16_t reg;
    uint8_t width;                  /* bytes from reg */
    uint8_t kind;                   /* enum pci_chipset_reg_kind */
    const char *name;
    const char *why;
};

extern const struct pci_chipset_reg pci_chipset_regs[];
extern const unsigned pci_chipset_reg_count;

/* The row that decides byte `off` of a chipset function, or NULL (refused: deny by default). */
const struct pci_chipset_reg *pci_chipset_reg_at(enum pci_chipset_role role, uint16_t vendor, uint16_t device,
                                                 unsigned off);
/* The BAR index of a PCI_REG_BAR row's offset: 0-5, 6 for the expansion ROM BAR. */
unsigned pci_chipset_bar_index(unsigned off);
/* A BAR's dword after a write: a sizing probe (PCI 3.0, 6.2.5.1: all address bits written as ones)? */
int pci_chipset_bar_probe(unsigned index, uint32_t dword);

#endif
