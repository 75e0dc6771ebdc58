/*
 * The guest's PCI configuration writes that Skiff mediates (PCI Local Bus
 * 3.0, 6.1 and 6.8.1; chipset datasheets as cited per row).  Everything
 * else passes through.  One table row per register, with its reason:
 *   - the registers that move or disable the ACPI PM I/O block (whose
 *     PM1_CNT Skiff must see): Skiff lets the write through and follows the
 *     block to its new place (the guest sees what the chipset does);
 *   - the LPC decode bits of the serial port Skiff's console uses: kept as
 *     they are (they act as locked bits);
 *   - MSI message address (any function with an MSI capability): an MSI
 *     whose address is not in the interrupt range 0xFEE00000-0xFEEFFFFF is a
 *     plain memory write by the device, so such an address (or enabling MSI
 *     with one) is refused with a verdict;
 *   - the FADT's RESET_REG when it is in PCI configuration space.
 *   - a chipset function (host bridge, LPC/eSPI, PMC, SMBus: kernel/pci/chipset_ids.h):
 *     deny by default, judged byte by byte by vmx/policy/pci_chipset.c; the bytes the
 *     rows here mediate pass (as above), any byte no row allows refuses the write
 *     (dropped, with a verdict line; the guest runs on).
 * Pure: the caller reads what it needs from the device; unit-tested.
 */
#ifndef SKIFF_VMX_PCI_POLICY_H
#define SKIFF_VMX_PCI_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/pci/chipset_ids.h"
#include "kernel/pci/pci.h"

enum pci_rule_kind {
    PCI_RULE_PM_BASE,       /* moves or enables the PM I/O block: follow it after the write */
    PCI_RULE_KEEP,          /* keep_mask bits stay as they are */
};

struct pci_rule {
    uint16_t vendor, device;        /* 0xffff: any */
    uint8_t bus, dev, fn;           /* 0xff: any */
    uint16_t reg;
    uint8_t width;                  /* bytes from reg */
    uint8_t kind;                   /* enum pci_rule_kind */
    uint32_t keep_mask;             /* PCI_RULE_KEEP: bits of the register (from reg) kept */
    uint16_t base_reg;              /* PCI_RULE_PM_BASE: the base register of the block */
    uint16_t base_mask;             /* its address bits */
    uint8_t enable_reg, enable_bit; /* and its enable bit (0 = none) */
    const char *why;
};

extern const struct pci_rule pci_rules[];
extern const unsigned pci_rule_count;

/* What Skiff knows about the function a write goes to. */
struct pci_fn_info {
    uint16_t vendor, device;
    unsigned msi_cap;               /* offset of the MSI capability, 0 = none */
    bool msi_64bit;                 /* message control bit 7 */
    uint16_t msi_control;           /* its current message control */
    uint32_t msi_addr_lo, msi_addr_hi;   /* current message address */
    bool reset_reg;                 /* the FADT's RESET_REG is in this function ... */
    uint16_t reset_off;             /* ... at this offset */
    uint8_t reset_value;
    uint8_t role;                   /* enum pci_chipset_role: PCI_ROLE_NONE for other functions */
    uint32_t bar_boot[7];           /* a chipset function's BAR0-5 and ROM BAR at boot */
};

/* PCI_REFUSE: the write is dropped and named, the guest runs on; PCI_DENY stops the guest. */
enum pci_action { PCI_PASS, PCI_DENY, PCI_RESET, PCI_REFUSE };

struct pci_decision {
    enum pci_action action;
    uint32_t value;                 /* what to write (the guest's, with kept bits restored) */
    const struct pci_rule *pm_block; /* set: the PM block may have moved; follow it after the write */
    const char *why;                /* PCI_DENY / PCI_RESET */
    uint32_t addr_lo, addr_hi;      /* PCI_DENY for MSI: the message address refused */
    const char *reg_name;           /* PCI_REFUSE: the register's name, NULL: only its offset is known */
    uint16_t reg_off;               /* PCI_REFUSE: its offset */
};

/*
 * A write of size bytes of value at a (offset a.reg) to the function described by f;
 * current is the dword now at a.reg & ~3 (for the kept bits).
 */
void pci_policy_write(const struct pci_fn_info *f, struct pci_addr a, unsigned size, uint32_t value,
                      uint32_t current, struct pci_decision *d);

/* An MSI address the local APICs take as an interrupt (SDM Vol. 3A 11.11.1). */
static inline bool pci_msi_addr_is_interrupt(uint32_t lo, uint32_t hi)
{
    return hi == 0 && (lo & 0xfff00000u) == 0xfee00000u;
}

#endif
