#include "kernel/time/tsc_calib.h"

/*
 * The SDM's table of nominal core crystal clocks for parts whose CPUID leaf 15H leaves ECX 0
 * (SDM Vol. 3B 19.7.3, Table "Nominal Core Crystal Clock Frequency"; 18.7.3 in older editions).
 * Signature 06_55H (Skylake server) is left out on purpose: the table gives the Xeon Scalable
 * parts 25 MHz and the Xeon W parts, which share 06_55H (as do the Core i7/i9-7xxxX HEDT parts),
 * 24 MHz, so the model cannot decide; leaf 16H does.
 */
static const struct {
    uint32_t family_model;                /* CPUID.1:EAX with the stepping and type masked */
    uint32_t crystal_hz;
    const char *why;
} crystal_table[] = {
    { 0x406e0, 24000000, "6th/7th generation Core, Skylake client (06_4EH)" },
    { 0x506e0, 24000000, "6th/7th generation Core, Skylake client (06_5EH)" },
    { 0x806e0, 24000000, "7th generation Core, Kaby Lake client (06_8EH)" },
    { 0x906e0, 24000000, "7th generation Core, Kaby Lake client (06_9EH)" },
    { 0x506c0, 19200000, "Atom, Goldmont (06_5CH)" },
};

struct tsc_cpuid_freq tsc_cpuid_decode(const struct tsc_cpuid *c)
{
    struct tsc_cpuid_freq f = { 0, 0, TSC_CPUID_NONE };
    /* 15H: EAX the denominator, EBX the numerator of TSC / crystal; EBX 0: no ratio. */
    if (c->max_leaf < 0x15 || !c->l15_eax || !c->l15_ebx)
        return f;
    uint32_t crystal = c->l15_ecx;
    f.basis = TSC_CPUID_CRYSTAL;
    if (!crystal) {
        f.basis = TSC_CPUID_MODEL;
        for (unsigned i = 0; i < sizeof(crystal_table) / sizeof(crystal_table[0]); i++)
            if ((c->signature & 0x0fff0ff0u) == crystal_table[i].family_model)
                crystal = crystal_table[i].crystal_hz;
    }
    if (crystal) {
        f.crystal_hz = crystal;
        f.hz = (uint64_t)crystal * c->l15_ebx / c->l15_eax;
        return f;
    }
    /* No crystal: the TSC runs at the base frequency (the ratio is the base over the crystal). */
    if (c->max_leaf >= 0x16 && (c->l16_eax & 0xffff)) {
        f.basis = TSC_CPUID_BASE;
        f.hz = (uint64_t)(c->l16_eax & 0xffff) * 1000000u;
        return f;
    }
    f.basis = TSC_CPUID_NONE;
    return f;
}

const char *tsc_cpuid_basis_name(enum tsc_cpuid_basis b)
{
    switch (b) {
    case TSC_CPUID_CRYSTAL: return "CPUID 15H";
    case TSC_CPUID_MODEL:   return "CPUID 15H with the SDM's crystal for the model";
    case TSC_CPUID_BASE:    return "CPUID 15H/16H base frequency";
    default:                return "none";
    }
}

uint64_t tsc_hz_measured(uint64_t tsc_delta, uint64_t ref_ticks, uint32_t ref_hz)
{
    if (!tsc_delta || !ref_ticks || !ref_hz)
        return 0;
    /* tsc_delta * ref_hz fits for any delta below 2^64 / 2^22 (over a thousand seconds at 4 GHz). */
    return (tsc_delta * ref_hz + ref_ticks / 2) / ref_ticks;
}

uint32_t tsc_pm_elapsed(uint32_t a, uint32_t b, bool ext32)
{
    uint32_t mask = ext32 ? 0xffffffffu : 0x00ffffffu;
    return (b - a) & mask;
}

uint64_t tsc_choose(uint64_t cpuid_hz, uint64_t measured_hz, bool *cpuid_used)
{
    *cpuid_used = false;
    if (!measured_hz) {
        *cpuid_used = cpuid_hz != 0;
        return cpuid_hz;
    }
    uint64_t diff = cpuid_hz > measured_hz ? cpuid_hz - measured_hz : measured_hz - cpuid_hz;
    if (cpuid_hz && diff * 100 <= measured_hz * TSC_AGREE_PCT) {
        *cpuid_used = true;
        return cpuid_hz;
    }
    return measured_hz;
}

uint64_t tsc_ms_ticks(uint64_t hz, uint64_t ms)
{
    return hz / 1000 * ms + hz % 1000 * ms / 1000;
}
