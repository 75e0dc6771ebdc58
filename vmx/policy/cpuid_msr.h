/*
 * CPUID feature bits that promise an MSR.  A CPU (or an emulator's CPU model)
 * may set such a bit without implementing the MSR: Bochs 2.7's
 * corei7_skylake_x reports the digital thermal sensor (CPUID.06H:EAX[0]) and
 * raises #GP on IA32_THERM_STATUS.  A guest that trusts CPUID, as memtest86+
 * does for its temperature read-out, then takes a #GP it has no reason to
 * expect.  Skiff probes each promised MSR once and hides the bits whose MSR
 * is absent, so the guest's CPUID and its MSRs agree.  Pure logic, unit-tested.
 */
#ifndef SKIFF_VMX_CPUID_MSR_H
#define SKIFF_VMX_CPUID_MSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/cpu/cpu.h"

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

/* One CPUID bit and the MSR it promises (SDM Vol. 4 Table 2-2, "Register Availability"). */
struct cpuid_msr_bit {
    uint32_t leaf;
    enum cpuid_reg reg;
    uint8_t bit;
    uint32_t msr;
    const char *name;      /* the bit's SDM short name */
};

extern const struct cpuid_msr_bit cpuid_msr_bits[];
extern const size_t cpuid_msr_nbits;

/* The bits to clear, per leaf and register, for the leaves the table names. */
struct cpuid_hidden {
    uint32_t leaf1[4], leaf6[4];
};

/*
 * Fill `h`: of the table's bits that the host's leaves 1 and 6 set, those
 * whose MSR `readable` (does RDMSR of it succeed?) denies.  Returns how many.
 */
size_t cpuid_msr_probe(const struct cpuid_regs *leaf1, const struct cpuid_regs *leaf6,
                       bool (*readable)(uint32_t msr), struct cpuid_hidden *h);

/* Is table entry `b` among the hidden bits? */
bool cpuid_msr_is_hidden(const struct cpuid_hidden *h, const struct cpuid_msr_bit *b);

/* Clear the hidden bits of leaf `leaf` in `r` (other leaves are left alone). */
void cpuid_msr_hide(const struct cpuid_hidden *h, uint32_t leaf, struct cpuid_regs *r);

/* Skiff's own probe result (guest/run/run.c fills it, handle_cpuid applies it). */
extern struct cpuid_hidden cpuid_hidden;

#endif
