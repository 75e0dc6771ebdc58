/* The PCI configuration registers Skiff mediates (vmx/policy/pci_policy.h). */
#include "vmx/policy/pci_policy.h"

#include <stddef.h>

#include "vmx/policy/pci_chipset.h"

#define ANY16 0xffff
#define ANY8  0xff

const struct pci_rule pci_rules[] = {
    /* PIIX4 function 3 (8086:7113, Bochs and QEMU pc): PMBA 0x40 bits 15:6, PMREGMISC 0x80 bit 0
     * PMIOSE (82371AB datasheet, 3.2); PM1_CNT at PMBA + 4. */
    { 0x8086, 0x7113, ANY8, ANY8, ANY8, 0x40, 4, PCI_RULE_PM_BASE, 0, 0x40, 0xffc0, 0x80, 0,
      "PIIX4 PMBA moves the ACPI PM block" },
    { 0x8086, 0x7113, ANY8, ANY8, ANY8, 0x80, 1, PCI_RULE_PM_BASE, 0, 0x40, 0xffc0, 0x80, 0,
      "PIIX4 PMREGMISC.PMIOSE enables the PM block" },
    /* ICH9 LPC (8086:2918, QEMU q35): PMBASE 0x40 bits 15:7, ACPI_CNTL 0x44 bit 7 ACPI_EN
     * (ICH9 datasheet, 13.1); PM1_CNT at PMBASE + 4. */
    { 0x8086, 0x2918, ANY8, ANY8, ANY8, 0x40, 4, PCI_RULE_PM_BASE, 0, 0x40, 0xff80, 0x44, 7,
      "ICH9 PMBASE moves the ACPI PM block" },
    { 0x8086, 0x2918, ANY8, ANY8, ANY8, 0x44, 1, PCI_RULE_PM_BASE, 0, 0x40, 0xff80, 0x44, 7,
      "ICH9 ACPI_CNTL.ACPI_EN enables the PM block" },
    /* Intel LPC bridges at 00:1f.0 (ICH/PCH): LPC_I/O_DEC 0x80 bits 2:0 COMA range, LPC_EN 0x82
     * bit 0 COMA_LPC_EN (ICH9 13.1.20-21; the same in later PCHs): the decode of COM1, where
     * Skiff's console normally is, stays on. */
    { 0x8086, ANY16, 0, 31, 0, 0x80, 2, PCI_RULE_KEEP, 0x0007, 0, 0, 0, 0,
      "LPC COMA decode range: Skiff's console UART" },
    { 0x8086, ANY16, 0, 31, 0, 0x82, 2, PCI_RULE_KEEP, 0x0001, 0, 0, 0, 0,
      "LPC COMA decode enable: Skiff's console UART" },
};
const unsigned pci_rule_count = sizeof(pci_rules) / sizeof(pci_rules[0]);

static bool rule_matches(const struct pci_rule *r, const struct pci_fn_info *f, struct pci_addr a)
{
    return (r->vendor == ANY16 || r->vendor == f->vendor) && (r->device == ANY16 || r->device == f->device) &&
           (r->bus == ANY8 || r->bus == a.bus) && (r->dev == ANY8 || r->dev == a.dev) &&
           (r->fn == ANY8 || r->fn == a.fn);
}

/* Bytes [a.reg, a.reg + size) against [reg, reg + width). */
static bool touches(struct pci_addr a, unsigned size, unsigned reg, unsigned width)
{
    return a.reg < reg + width && reg < a.reg + size;
}

/* The dword at a.reg & ~3 after the write. */
static uint32_t merged(struct pci_addr a, unsigned size, uint32_t value, uint32_t current)
{
    unsigned shift = 8 * (a.reg & 3);
    uint32_t mask = (size == 4 ? 0xffffffffu : ((1u << (8 * size)) - 1)) << shift;
    return (current & ~mask) | ((value << shift) & mask);
}

/* A device sends MSIs only while MSI Enable (message control bit 0) is set (PCI 3.0, 6.8.1.3):
 * after the write, an enabled MSI must have an interrupt address. */
static void msi_check(const struct pci_fn_info *f, struct pci_addr a, unsigned size, uint32_t value,
                      uint32_t current, struct pci_decision *d)
{
    unsigned cap = f->msi_cap, dword = a.reg & ~3u;
    uint32_t lo = f->msi_addr_lo, hi = f->msi_addr_hi, dw = merged(a, size, value, current);
    uint16_t control = f->msi_control;
    if (dword == cap)
        control = (uint16_t)(dw >> 16);                 /* message control: bits 31:16 of the cap's dword */
    else if (dword == cap + 4)
        lo = dw;
    else if (f->msi_64bit && dword == cap + 8)
        hi = dw;
    if (!(control & 1) || pci_msi_addr_is_interrupt(lo, hi))
        return;
    d->action = PCI_DENY;
    d->why = dword == cap ? "enables MSI with a message address outside 0xfee00000-0xfeefffff"
                          : "sets an enabled MSI's message address outside 0xfee00000-0xfeefffff";
    d->addr_lo = lo;
    d->addr_hi = hi;
}

/* A chipset function: every byte written must be mediated (bit i of `mediated`: byte a.reg + i)
 * or allowed by its row (vmx/policy/pci_chipset.h); any other byte refuses the write.  The
 * verdict names the register the guest changes: a refused byte whose value changes first, a
 * named row first among those. */
static void chipset_check(const struct pci_fn_info *f, struct pci_addr a, unsigned size, uint32_t current,
                          unsigned mediated, struct pci_decision *d)
{
    uint32_t after = merged(a, size, d->value, current);
    int best = -1;
    const struct pci_chipset_reg *best_row = NULL;
    for (unsigned i = 0; i < size; i++) {
        unsigned off = a.reg + i;
        if ((mediated >> i) & 1)
            continue;
        const struct pci_chipset_reg *r =
            pci_chipset_reg_at((enum pci_chipset_role)f->role, f->vendor, f->device, off);
        if (r && r->kind == PCI_REG_ALLOW)
            continue;
        if (r && r->kind == PCI_REG_BAR) {
            unsigned bar = pci_chipset_bar_index(r->reg);
            if (pci_chipset_bar_probe(bar, after) || after == f->bar_boot[bar])
                continue;
        }
        unsigned sh = 8 * (off & 3);
        int rank = (((after ^ current) >> sh) & 0xff ? 2 : 0) + (r && r->name ? 1 : 0);
        int best_rank = best < 0 ? -1
                                 : (((after ^ current) >> (8 * (best & 3))) & 0xff ? 2 : 0) +
                                       (best_row && best_row->name ? 1 : 0);
        if (rank > best_rank) {
            best = (int)off;
            best_row = r;
        }
    }
    if (best < 0)
        return;
    const struct pci_chipset_reg *r = best_row;
    d->action = PCI_REFUSE;
    d->reg_name = r ? r->name : NULL;
    d->reg_off = r && r->name ? r->reg : (uint16_t)best;
    d->why = r && r->why ? r->why : "a register of a chipset function Skiff does not judge (deny by default)";
}

void pci_policy_write(const struct pci_fn_info *f, struct pci_addr a, unsigned size, uint32_t value,
                      uint32_t current, struct pci_decision *d)
{
    *d = (struct pci_decision){ .action = PCI_PASS, .value = value };
    unsigned shift = 8 * (a.reg & 3), mediated = 0;
    for (unsigned i = 0; i < pci_rule_count; i++) {
        const struct pci_rule *r = &pci_rules[i];
        if (!rule_matches(r, f, a) || !touches(a, size, r->reg, r->width))
            continue;
        for (unsigned b = 0; b < size; b++)
            if (a.reg + b >= r->reg && a.reg + b < (unsigned)r->reg + r->width)
                mediated |= 1u << b;
        if (r->kind == PCI_RULE_PM_BASE) {
            d->pm_block = r;
        } else {
            /* The kept bits, as offsets in the dword, restored from the current value. */
            uint32_t keep = (r->keep_mask << (8 * (r->reg & 3))) >> shift;
            uint32_t cur = current >> shift;
            d->value = (d->value & ~keep) | (cur & keep);
        }
    }
    if (f->role != PCI_ROLE_NONE) {
        /* The MSI capability and RESET_REG have their own judges below. */
        for (unsigned b = 0; b < size; b++)
            if ((f->msi_cap && a.reg + b >= f->msi_cap && a.reg + b < f->msi_cap + (f->msi_64bit ? 14u : 10u)) ||
                (f->reset_reg && a.reg + b == f->reset_off))
                mediated |= 1u << b;
        chipset_check(f, a, size, current, mediated, d);
        if (d->action != PCI_PASS)
            return;
    }
    if (f->msi_cap && touches(a, size, f->msi_cap, f->msi_64bit ? 12 : 8))
        msi_check(f, a, size, d->value, current, d);
    if (d->action == PCI_PASS && f->reset_reg && touches(a, size, f->reset_off, 1) &&
        ((d->value >> (8 * (f->reset_off - a.reg))) & 0xff) == f->reset_value) {
        d->action = PCI_RESET;
        d->why = "writes RESET_VALUE to the FADT's RESET_REG";
    }
}
