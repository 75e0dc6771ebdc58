#include "vmx/policy/cpuid_msr.h"

/*
 * SDM Vol. 4 Table 2-2 gives each architectural MSR's availability as a CPUID
 * bit: IA32_CLOCK_MODULATION, IA32_THERM_INTERRUPT and IA32_THERM_STATUS "If
 * CPUID.01H:EDX[22] = 1"; the digital readout in IA32_THERM_STATUS[22:16] "If
 * CPUID.06H:EAX[0] = 1"; IA32_PACKAGE_THERM_STATUS "If CPUID.06H:EAX[6] = 1";
 * IA32_MPERF/IA32_APERF "If CPUID.06H:ECX[0] = 1"; IA32_ENERGY_PERF_BIAS "If
 * CPUID.06H:ECX[3] = 1".
 */
const struct cpuid_msr_bit cpuid_msr_bits[] = {
    { 1, CPUID_EDX, 22, 0x19c, "ACPI" },          /* thermal monitor and clock control MSRs */
    { 6, CPUID_EAX, 0, 0x19c, "DTS" },            /* digital temperature sensor */
    { 6, CPUID_EAX, 6, 0x1b1, "PTM" },            /* package thermal management */
    { 6, CPUID_ECX, 0, 0x0e7, "MPERF/APERF" },    /* hardware coordination feedback */
    { 6, CPUID_ECX, 3, 0x1b0, "SETBH" },          /* performance-energy bias preference */
};
const size_t cpuid_msr_nbits = sizeof(cpuid_msr_bits) / sizeof(cpuid_msr_bits[0]);

struct cpuid_hidden cpuid_hidden;

static uint32_t reg_of(const struct cpuid_regs *r, enum cpuid_reg reg)
{
    return reg == CPUID_EAX ? r->eax : reg == CPUID_EBX ? r->ebx : reg == CPUID_ECX ? r->ecx : r->edx;
}

static const uint32_t *mask_of(const struct cpuid_hidden *h, uint32_t leaf)
{
    return leaf == 1 ? h->leaf1 : leaf == 6 ? h->leaf6 : 0;
}

size_t cpuid_msr_probe(const struct cpuid_regs *leaf1, const struct cpuid_regs *leaf6,
                       bool (*readable)(uint32_t msr), struct cpuid_hidden *h)
{
    size_t n = 0;
    *h = (struct cpuid_hidden){ { 0 }, { 0 } };
    for (size_t i = 0; i < cpuid_msr_nbits; i++) {
        const struct cpuid_msr_bit *b = &cpuid_msr_bits[i];
        uint32_t bit = 1u << b->bit;
        if (!(reg_of(b->leaf == 1 ? leaf1 : leaf6, b->reg) & bit) || readable(b->msr))
            continue;                   /* not promised, or there */
        (b->leaf == 1 ? h->leaf1 : h->leaf6)[b->reg] |= bit;
        n++;
    }
    return n;
}

bool cpuid_msr_is_hidden(const struct cpuid_hidden *h, const struct cpuid_msr_bit *b)
{
    const uint32_t *m = mask_of(h, b->leaf);
    return m && (m[b->reg] & (1u << b->bit));
}

void cpuid_msr_hide(const struct cpuid_hidden *h, uint32_t leaf, struct cpuid_regs *r)
{
    const uint32_t *m = mask_of(h, leaf);
    if (!m)
        return;
    r->eax &= ~m[CPUID_EAX];
    r->ebx &= ~m[CPUID_EBX];
    r->ecx &= ~m[CPUID_ECX];
    r->edx &= ~m[CPUID_EDX];
}
