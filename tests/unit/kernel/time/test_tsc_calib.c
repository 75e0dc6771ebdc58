// SOURCES: kernel/time/tsc_calib.c
/*
 * The TSC frequency decision (kernel/time/tsc_calib.c): CPUID leaves 15H/16H decoded as the SDM
 * says, the measurement against a timer, and the choice between them.
 */
#include "tests/unit/unit.h"

#include "kernel/time/tsc_calib.h"

/* One row: a CPU's leaves and what Skiff must make of them. */
struct row {
    const char *what;
    struct tsc_cpuid c;
    enum tsc_cpuid_basis basis;
    uint64_t hz;
};

static const struct row rows[] = {
    /* Bochs 2.7's corei7_skylake_x, its capture of an i7-7800X (bochs cpu/cpudb/intel/corei7_skylake-x.cc):
     * 15H without a crystal, 06_55H, which the SDM's table cannot decide: 16H's 3500 MHz base. */
    { "i7-7800X (Bochs corei7_skylake_x)", { 0x16, 0x00050654, 2, 0x124, 0, 0xdac }, TSC_CPUID_BASE, 3500000000ull },
    /* The same signature without leaf 16H: nothing CPUID can say (25 or 24 MHz?). */
    { "06_55H without 16H", { 0x15, 0x00050654, 2, 0x124, 0, 0 }, TSC_CPUID_NONE, 0 },
    /* Skylake client (06_5EH): 15H's ECX is 0, the SDM's table gives 24 MHz (ratio 334/2 here). */
    { "Skylake client 06_5EH", { 0x16, 0x000506e3, 2, 334, 0, 4000 }, TSC_CPUID_MODEL, 4008000000ull },
    /* Kaby Lake client (06_9EH), 24 MHz, ratio 300/2. */
    { "Kaby Lake client 06_9EH", { 0x16, 0x000906e9, 2, 300, 0, 3600 }, TSC_CPUID_MODEL, 3600000000ull },
    /* Goldmont Atom (06_5CH): 19.2 MHz, ratio 78. */
    { "Goldmont 06_5CH", { 0x16, 0x000506c9, 1, 78, 0, 1500 }, TSC_CPUID_MODEL, 1497600000ull },
    /* A part that names its crystal (Alder Lake and later client parts: 38.4 MHz; server parts 25 MHz). */
    { "crystal 38.4 MHz in ECX", { 0x20, 0x000906a3, 2, 156, 38400000, 2700 }, TSC_CPUID_CRYSTAL, 2995200000ull },
    { "crystal 25 MHz in ECX", { 0x1f, 0x000806f8, 2, 168, 25000000, 2100 }, TSC_CPUID_CRYSTAL, 2100000000ull },
    /* No leaf 15H (Haswell and older, most hypervisors' named models). */
    { "max leaf 0DH", { 0x0d, 0x000306c3, 0, 0, 0, 0 }, TSC_CPUID_NONE, 0 },
    /* 15H present but no ratio (EBX 0): not enumerated, whatever 16H says. */
    { "15H without a ratio", { 0x16, 0x000906ea, 2, 0, 0, 3000 }, TSC_CPUID_NONE, 0 },
    /* A stale leaf beyond the maximum is never read. */
    { "15H values beyond the maximum leaf", { 0x14, 0x000506e3, 2, 334, 24000000, 4000 }, TSC_CPUID_NONE, 0 },
};

TEST(cpuid_table)
{
    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct tsc_cpuid_freq f = tsc_cpuid_decode(&rows[i].c);
        if (f.basis != rows[i].basis || f.hz != rows[i].hz)
            UNIT_FAIL_("%s: basis %d (%s) %llu Hz, expected basis %d %llu Hz", rows[i].what, f.basis,
                       tsc_cpuid_basis_name(f.basis), (unsigned long long)f.hz, rows[i].basis,
                       (unsigned long long)rows[i].hz);
    }
}

TEST(measure)
{
    /* 50 ms of the PM timer (178,977 ticks) and 2.5M TSC ticks: 50 MHz (Bochs, ips=50000000). */
    CHECK_EQ(tsc_hz_measured(2500000, 178977, TSC_PM_TIMER_HZ), 50000070);
    CHECK_EQ(tsc_hz_measured(0, 178977, TSC_PM_TIMER_HZ), 0);
    CHECK_EQ(tsc_hz_measured(100, 0, TSC_PM_TIMER_HZ), 0);
    /* 50 ms of the PIT at 3 GHz: within a tick's resolution. */
    uint64_t hz = tsc_hz_measured(150000000, 59659, TSC_PIT_HZ);
    CHECK(hz > 2999900000ull && hz < 3000100000ull);
    /* The PM timer wraps at 24 bits, or at 32 with TMR_VAL_EXT. */
    CHECK_EQ(tsc_pm_elapsed(0xfffff0, 0x10, false), 0x20);
    CHECK_EQ(tsc_pm_elapsed(0xfffffff0u, 0x10, true), 0x20);
    CHECK_EQ(tsc_pm_elapsed(0x10, 0x30, false), 0x20);
    CHECK_EQ(tsc_pm_elapsed(0x1000010, 0x30, false), 0x20);   /* a 24-bit timer's high byte reads 0 */
}

TEST(choose)
{
    bool used;
    /* Bochs: CPUID names 3500 MHz, the TSC counts instructions at `ips`: the measurement wins. */
    CHECK_EQ(tsc_choose(3500000000ull, 50000000ull, &used), 50000000ull);
    CHECK(!used);
    /* Agreement within 2%: CPUID's exact figure. */
    CHECK_EQ(tsc_choose(2995200000ull, 2994000000ull, &used), 2995200000ull);
    CHECK(used);
    CHECK_EQ(tsc_choose(3000000000ull, 2900000000ull, &used), 2900000000ull);
    CHECK(!used);
    /* Nothing measured: CPUID; neither: 0. */
    CHECK_EQ(tsc_choose(2100000000ull, 0, &used), 2100000000ull);
    CHECK(used);
    CHECK_EQ(tsc_choose(0, 0, &used), 0);
    CHECK(!used);
    CHECK_EQ(tsc_choose(0, 123000000ull, &used), 123000000ull);
    CHECK(!used);
}

TEST(ms_ticks)
{
    CHECK_EQ(tsc_ms_ticks(50000000ull, 1000), 50000000ull);
    CHECK_EQ(tsc_ms_ticks(3579545ull, 1), 3579);
    CHECK_EQ(tsc_ms_ticks(2995200000ull, 3), 8985600);
    CHECK_EQ(tsc_ms_ticks(4000000000ull, 3600000), 14400000000000ull);
}

UNIT_MAIN(T(cpuid_table), T(measure), T(choose), T(ms_ticks))
