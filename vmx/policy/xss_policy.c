/*
 * The supervisor state component table (vmx/policy/xss_policy.h).  Each row
 * names the MSRs the component holds (SDM Vol. 1 13.5.x) and whether the
 * guest may enable it; tests/unit/vmx/policy/test_xss_policy.c checks every row against
 * the MSR policy: allowed exactly when every MSR is MSR_PASS for writes.
 */
#include "vmx/policy/xss_policy.h"

#define R(first, last) { first, last }

const struct xss_rule xss_rules[] = {
    { 8, false, { R(0x560, 0x561), R(0x570, 0x572), R(0x580, 0x587) }, "PT",
      "Intel PT (13.5.6: IA32_RTIT_CTL, OUTPUT_BASE, OUTPUT_MASK_PTRS, STATUS, CR3_MATCH, ADDRn): the MSR policy "
      "denies them; XRSTORS would start tracing to host-physical addresses" },
    { 10, true, { R(0xd93, 0xd93) }, "PASID",
      "IA32_PASID (13.5.8) is the guest's in the MSR policy" },
    { 11, true, { R(0x6a0, 0x6a0), R(0x6a7, 0x6a7) }, "CET_U",
      "IA32_U_CET, IA32_PL3_SSP (13.5.7) are the guest's in the MSR policy: CET takes effect with CR4.CET, "
      "0 in VMX root" },
    { 12, true, { R(0x6a4, 0x6a6) }, "CET_S",
      "IA32_PL0_SSP-IA32_PL2_SSP (13.5.7) are the guest's in the MSR policy (as CET_U)" },
    { 13, false, { R(0xdb0, 0xdb0) }, "HDC",
      "IA32_PM_CTL1 (13.5.9, hardware duty cycling) is not in the MSR policy: denied, as a WRMSR of it" },
    { 14, false, { R(0x985, 0x98a) }, "UINTR",
      "IA32_UINTR_RR-IA32_UINTR_TT (13.5.11, user interrupts) are not in the MSR policy: denied" },
    { 15, true, { R(0x14ce, 0x14cf), R(0x1dd, 0x1de), R(0x1e0, 0x1e0), R(0x1200, 0x12ff),
              R(0x1500, 0x16ff) }, "LBR",
      "IA32_LBR_CTL, IA32_LBR_DEPTH, IA32_LER_FROM_IP/TO_IP/INFO, IA32_LBR_n_FROM_IP/TO_IP/INFO (13.5.10): "
      "branch records, registers only, the guest's in the MSR policy" },
    { 16, true, { R(0x774, 0x774) }, "HWP",
      "IA32_HWP_REQUEST (13.5.12): power management is the guest's in the MSR policy" },
};
const unsigned xss_rule_count = sizeof(xss_rules) / sizeof(xss_rules[0]);

const struct xss_rule *xss_rule_for(unsigned bit)
{
    for (unsigned i = 0; i < xss_rule_count; i++)
        if (xss_rules[i].bit == bit)
            return &xss_rules[i];
    return 0;
}

uint64_t xss_guest_mask(void)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < xss_rule_count; i++)
        if (xss_rules[i].allowed)
            m |= 1ull << xss_rules[i].bit;
    return m;
}

uint64_t xss_exit_bitmap(void)
{
    return ~xss_guest_mask();
}

bool xss_write_ok(uint64_t value)
{
    return !(value & ~xss_guest_mask());
}

const char *xss_denied_names(char *buf, unsigned size)
{
    unsigned n = 0;
    if (!size)
        return buf;
    for (unsigned i = 0; i < xss_rule_count; i++) {
        if (xss_rules[i].allowed)
            continue;
        for (const char *s = n ? " " : ""; *s && n + 1 < size; s++)
            buf[n++] = *s;
        for (const char *s = xss_rules[i].name; *s && n + 1 < size; s++)
            buf[n++] = *s;
    }
    buf[n] = 0;
    return buf;
}
