/*
 * The TSC's frequency, decided once at boot (issue 21, item 6): what CPUID leaves 15H and 16H
 * say (SDM Vol. 2A, CPUID; Vol. 3B 19.7.3 "Determining the Processor Base Frequency", 18.7.3 in
 * older editions), a measurement against a timer of known rate, and the choice between the
 * two.  Pure code: the CPUID values and timer readings come in as numbers, so it runs unchanged
 * in host unit tests (tests/unit/kernel/time/test_tsc_calib.c).
 */
#ifndef SKIFF_KERNEL_TSC_CALIB_H
#define SKIFF_KERNEL_TSC_CALIB_H

#include <stdbool.h>
#include <stdint.h>

#define TSC_PM_TIMER_HZ  3579545u          /* the ACPI PM timer (ACPI 6.4, 4.8.3.3) */
#define TSC_PIT_HZ       1193182u          /* the 8254 PIT's input clock */
#define TSC_AGREE_PCT    2u                /* CPUID and a measurement agree within this */

/* The CPUID values that decide (0 where a leaf is beyond the maximum). */
struct tsc_cpuid {
    uint32_t max_leaf;                    /* CPUID.0:EAX */
    uint32_t signature;                   /* CPUID.1:EAX (family, model) */
    uint32_t l15_eax, l15_ebx, l15_ecx;   /* ratio denominator, numerator, crystal Hz */
    uint32_t l16_eax;                     /* processor base frequency, MHz */
};

enum tsc_cpuid_basis {
    TSC_CPUID_NONE = 0,                   /* CPUID does not tell */
    TSC_CPUID_CRYSTAL,                    /* 15H with the crystal in ECX */
    TSC_CPUID_MODEL,                      /* 15H's ratio, the crystal of the SDM's table for the model */
    TSC_CPUID_BASE,                       /* 15H's ratio without a crystal: 16H's base frequency */
};

struct tsc_cpuid_freq {
    uint64_t hz;
    uint32_t crystal_hz;                  /* TSC_CPUID_CRYSTAL and TSC_CPUID_MODEL */
    enum tsc_cpuid_basis basis;
};

struct tsc_cpuid_freq tsc_cpuid_decode(const struct tsc_cpuid *c);
const char *tsc_cpuid_basis_name(enum tsc_cpuid_basis b);

/* The TSC's rate from tsc_delta TSC ticks over ref_ticks ticks of a ref_hz timer (0 when either is 0). */
uint64_t tsc_hz_measured(uint64_t tsc_delta, uint64_t ref_ticks, uint32_t ref_hz);

/* Ticks of the ACPI PM timer from a to b, across one wrap of its 24 or 32 bits. */
uint32_t tsc_pm_elapsed(uint32_t a, uint32_t b, bool ext32);

/*
 * The frequency used: a measurement, where there is one, decides, since the TSC is what is
 * measured (under an emulator or a hypervisor it need not run at the rate CPUID names); CPUID's
 * figure is taken when it agrees within TSC_AGREE_PCT (it is exact, the measurement is not) or
 * when nothing could be measured.  0 when neither is known.  *cpuid_used tells which.
 */
uint64_t tsc_choose(uint64_t cpuid_hz, uint64_t measured_hz, bool *cpuid_used);

/* TSC ticks in `ms` milliseconds at hz (no overflow below 2^64 / 1000 Hz * ms). */
uint64_t tsc_ms_ticks(uint64_t hz, uint64_t ms);

#endif
