/* The guest's IA32_MISC_ENABLE rules (vmx/policy/misc_enable.h; SDM Vol. 4 Table 2-2). */
#include "vmx/policy/misc_enable.h"

uint64_t misc_enable_guest_start(bool cpu_has, uint64_t cpu_value, bool pmu)
{
    uint64_t v = cpu_has ? cpu_value : MISC_ENABLE_FAST_STRINGS | (pmu ? MISC_ENABLE_PMON_AVAILABLE : 0);
    return v | MISC_ENABLE_BTS_UNAVAILABLE | MISC_ENABLE_PEBS_UNAVAILABLE;
}

bool misc_enable_write_ok(uint64_t cur, uint64_t val)
{
    return !((cur ^ val) & ~MISC_ENABLE_GUEST_WRITABLE);
}

void misc_enable_cpuid(uint64_t guest, uint32_t leaf, struct cpuid_regs *r)
{
    /* "When set to 1, CPUID.00H returns a maximum value in EAX[7:0] of 2." */
    if (leaf == 0 && (guest & MISC_ENABLE_LIMIT_CPUID) && r->eax > 2)
        r->eax = 2;
    /* "When set to 1, the Execute Disable Bit feature (XD Bit) is disabled and the XD Bit
     * extended feature flag will be clear (CPUID.80000001H: EDX[20]=0)." */
    if (leaf == 0x80000001u && (guest & MISC_ENABLE_XD_DISABLE))
        r->edx &= ~(1u << 20);
    /* "0 = The MONITOR feature flag is not set (CPUID.01H:ECX[bit 3] = 0)." */
    if (leaf == 1 && !(guest & MISC_ENABLE_MONITOR))
        r->ecx &= ~(1u << 3);
}
