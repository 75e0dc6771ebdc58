/*
 * The guest's IA32_DEBUGCTL (SDM Vol. 4 Table 2-2, Vol. 3B 18.4.1): the bits it may set.
 *
 * The guest's value is GUEST_IA32_DEBUGCTL, loaded at every VM entry ("load debug
 * controls").  Under nested KVM (an L1 Skiff) KVM checks that field at each of Skiff's
 * VM entries with vmx_is_valid_debugctl (Linux arch/x86/kvm/vmx/vmx.c, nested.c, 2025):
 * only LBR and BTF are always accepted (exempted, and dropped when KVM gave the vCPU no
 * LBRs), BUS_LOCK_DETECT and RTM_DEBUG only with their CPUID bit in the L1, LBR and
 * FREEZE_LBRS_ON_PMI when KVM enabled LBRs for the vCPU, nothing else; any other bit
 * fails the entry (exit reason 33, invalid guest state).  So the guest may set what every
 * CPU with VMX has and every KVM accepts: LBR and BTF.  The other rows say why not.
 * tests/unit/vmx/policy/test_debugctl_policy.c checks the mask against a model of KVM's rule.
 */
#include "vmx/policy/debugctl_policy.h"

const struct debugctl_bit debugctl_bits[] = {
    { 0, true, "LBR", "last-branch records into registers; KVM always accepts it (drops it without LBRs)" },
    { 1, true, "BTF", "single-step on branches (18.4.3); KVM always accepts it" },
    { 2, false, "BUS_LOCK_DETECT", "its CPUID bit is hidden (vmx/core/cpuid_backing.c); KVM needs it in the "
      "L1's CPUID" },
    { 6, false, "TR", "branch trace messages: with BTS, records written to IA32_DS_AREA" },
    { 7, false, "BTS", "branch trace store: records written to the memory IA32_DS_AREA names" },
    { 8, false, "BTINT", "BTS buffer interrupts" },
    { 9, false, "BTS_OFF_OS", "BTS filtering" },
    { 10, false, "BTS_OFF_USR", "BTS filtering" },
    { 11, false, "FREEZE_LBRS_ON_PMI", "KVM accepts it only for a vCPU it gave LBRs (its lbr-fmt), which "
      "Skiff cannot see: a nested entry with it fails" },
    { 12, false, "FREEZE_PERFMON_ON_PMI", "never in KVM's supported set: a nested entry with it fails" },
    { 13, false, "ENABLE_UNCORE_PMI", "never in KVM's supported set; the uncore is the machine's" },
    { 14, false, "FREEZE_WHILE_SMM", "KVM keeps it for the host (never a guest's); SMM is not the guest's" },
    { 15, false, "RTM_DEBUG", "KVM accepts it only with RTM in the L1's CPUID; no guest kernel sets it" },
};
const unsigned debugctl_bit_count = sizeof(debugctl_bits) / sizeof(debugctl_bits[0]);

uint64_t debugctl_guest_mask(void)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < debugctl_bit_count; i++)
        if (debugctl_bits[i].guest_may_set)
            m |= 1ull << debugctl_bits[i].bit;
    return m;
}

bool debugctl_write_ok(uint64_t value)
{
    return !(value & ~debugctl_guest_mask());
}
