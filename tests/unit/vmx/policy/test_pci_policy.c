/* PCI configuration writes Skiff mediates (vmx/policy/pci_policy.c). */
// SOURCES: vmx/policy/pci_policy.c vmx/policy/pci_chipset.c kernel/pci/chipset_ids.c
#include "tests/unit/unit.h"
#include "vmx/policy/pci_policy.h"

static struct pci_decision write(const struct pci_fn_info *f, unsigned bus, unsigned dev, unsigned fn,
                                 unsigned reg, unsigned size, uint32_t v, uint32_t current)
{
    struct pci_decision d;
    pci_policy_write(f, (struct pci_addr){ (uint8_t)bus, (uint8_t)dev, (uint8_t)fn, (uint16_t)reg }, size, v,
                     current, &d);
    return d;
}

TEST(pm_block_rows)
{
    struct pci_fn_info piix4 = { .vendor = 0x8086, .device = 0x7113 };
    struct pci_decision d = write(&piix4, 0, 1, 3, 0x40, 4, 0xc001, 0xb001);
    CHECK_EQ(d.action, PCI_PASS);
    CHECK(d.pm_block != NULL);
    CHECK_EQ(d.pm_block->base_mask, 0xffc0);
    CHECK_EQ(d.value, 0xc001);
    CHECK(write(&piix4, 0, 1, 3, 0x41, 1, 0xc0, 0xb001).pm_block != NULL);   /* one byte of PMBA */
    CHECK(write(&piix4, 0, 1, 3, 0x80, 1, 0x01, 0).pm_block != NULL);       /* PMIOSE */
    CHECK(write(&piix4, 0, 1, 3, 0x3c, 4, 0, 0).pm_block == NULL);
    CHECK(write(&piix4, 0, 1, 3, 0x44, 4, 0, 0).pm_block == NULL);
    struct pci_fn_info ich9 = { .vendor = 0x8086, .device = 0x2918 };
    d = write(&ich9, 0, 31, 0, 0x44, 1, 0x00, 0x80);
    CHECK(d.pm_block != NULL);
    CHECK_EQ(d.pm_block->enable_reg, 0x44);
    CHECK_EQ(d.pm_block->enable_bit, 7);
    struct pci_fn_info other = { .vendor = 0x1234, .device = 0x11e8 };
    CHECK(write(&other, 0, 1, 3, 0x40, 4, 0xc001, 0).pm_block == NULL);
}

TEST(lpc_decode_kept)
{
    struct pci_fn_info lpc = { .vendor = 0x8086, .device = 0x2918 };
    /* LPC_I/O_DEC at 0x80: COMA range bits 2:0 stay; COMB (6:4) is the guest's. */
    struct pci_decision d = write(&lpc, 0, 31, 0, 0x80, 2, 0x0075, 0x00000010);
    CHECK_EQ(d.action, PCI_PASS);
    CHECK_EQ(d.value, 0x0070);
    /* LPC_EN at 0x82 written as the high half of the dword at 0x80: COMA_LPC_EN stays set. */
    d = write(&lpc, 0, 31, 0, 0x80, 4, 0x00000000, 0x00010000);
    CHECK_EQ(d.value, 0x00010000);
    d = write(&lpc, 0, 31, 0, 0x82, 1, 0x00, 0x00010000);
    CHECK_EQ(d.value, 0x01);
    /* The same offsets on another slot are not an LPC bridge. */
    CHECK_EQ(write(&lpc, 0, 30, 0, 0x80, 2, 0, 0x7).value, 0);
}

TEST(msi_address)
{
    struct pci_fn_info dev = { .vendor = 0x1234, .device = 0x11e8, .msi_cap = 0x50, .msi_64bit = true,
                               .msi_control = 0x0080, .msi_addr_lo = 0xfee00000 };
    /* Disabled: any address may be written (the device sends nothing). */
    CHECK_EQ(write(&dev, 0, 3, 0, 0x54, 4, 0x0fc00000, 0xfee00000).action, PCI_PASS);
    /* Enabling with an interrupt address is fine; with a plain address it is refused. */
    CHECK_EQ(write(&dev, 0, 3, 0, 0x52, 2, 0x0081, 0x00800005).action, PCI_PASS);
    dev.msi_addr_lo = 0x0fc00000;
    struct pci_decision d = write(&dev, 0, 3, 0, 0x52, 2, 0x0081, 0x00800005);
    CHECK_EQ(d.action, PCI_DENY);
    CHECK_EQ(d.addr_lo, 0x0fc00000);
    /* Enabled: moving the address out of the interrupt range, or a non-zero upper half. */
    dev.msi_control = 0x0081;
    dev.msi_addr_lo = 0xfee00000;
    CHECK_EQ(write(&dev, 0, 3, 0, 0x54, 4, 0xfee01000, 0xfee00000).action, PCI_PASS);
    CHECK_EQ(write(&dev, 0, 3, 0, 0x54, 4, 0x0fc00000, 0xfee00000).action, PCI_DENY);
    CHECK_EQ(write(&dev, 0, 3, 0, 0x56, 2, 0x0fc0, 0xfee00000).action, PCI_DENY);   /* the high half alone */
    d = write(&dev, 0, 3, 0, 0x58, 4, 0x1, 0);
    CHECK_EQ(d.action, PCI_DENY);
    CHECK_EQ(d.addr_hi, 1);
    /* A 32-bit MSI capability: 0x58 is its data register. */
    dev.msi_64bit = false;
    CHECK_EQ(write(&dev, 0, 3, 0, 0x58, 4, 0x1, 0).action, PCI_PASS);
    /* Registers outside the capability. */
    CHECK_EQ(write(&dev, 0, 3, 0, 0x10, 4, 0xfebf0000, 0).action, PCI_PASS);
    CHECK(pci_msi_addr_is_interrupt(0xfeeff00c, 0));
    CHECK(!pci_msi_addr_is_interrupt(0xfef00000, 0));
    CHECK(!pci_msi_addr_is_interrupt(0xfee00000, 1));
}

TEST(reset_reg_in_config_space)
{
    struct pci_fn_info lpc = { .vendor = 0x8086, .device = 0x1234, .reset_reg = true, .reset_off = 0x4f,
                               .reset_value = 0x06 };
    CHECK_EQ(write(&lpc, 0, 31, 0, 0x4f, 1, 0x06, 0).action, PCI_RESET);
    CHECK_EQ(write(&lpc, 0, 31, 0, 0x4c, 4, 0x06000000, 0).action, PCI_RESET);
    CHECK_EQ(write(&lpc, 0, 31, 0, 0x4f, 1, 0x02, 0).action, PCI_PASS);
    CHECK_EQ(write(&lpc, 0, 31, 0, 0x4c, 2, 0x0606, 0).action, PCI_PASS);
}

TEST(rules_have_reasons)
{
    for (unsigned i = 0; i < pci_rule_count; i++) {
        CHECK(pci_rules[i].why && pci_rules[i].why[0]);
        CHECK(pci_rules[i].width >= 1 && pci_rules[i].width <= 4);
        CHECK(pci_rules[i].kind != PCI_RULE_KEEP || pci_rules[i].keep_mask);
    }
}

UNIT_MAIN(T(pm_block_rows), T(lpc_decode_kept), T(msi_address), T(reset_reg_in_config_space), T(rules_have_reasons))
