/*
 * The exception table: instructions whose fault Skiff expects and survives.
 * Each entry pairs the address of one instruction with the address to resume
 * at when it faults; the host's exception handler (kernel/end/panic.c) consults
 * it before anything else.  Entries live in the .ex_table section
 * (linker.ld), emitted next to the instruction by EXTABLE_ENTRY.
 *
 * rdmsr_safe / wrmsr_safe run an MSR access Skiff makes on a guest's behalf:
 * a #GP there (no such MSR, a reserved bit, a value the CPU refuses: SDM
 * Vol. 2B RDMSR/WRMSR) is reported to the caller, which gives the guest the
 * #GP, instead of ending the run.
 */
#ifndef SKIFF_KERNEL_EXTABLE_H
#define SKIFF_KERNEL_EXTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/cpu/nested_cost.h"

struct extable_entry {
    uint64_t insn;        /* the instruction that may fault */
    uint64_t fixup;       /* where execution resumes when it does */
};

/* The fixup for a fault at rip in table[0 .. n - 1], or 0 when rip is not in it. */
uint64_t extable_search(const struct extable_entry *table, unsigned n, uint64_t rip);
/* The same for Skiff's own table (the .ex_table section). */
uint64_t extable_fixup(uint64_t rip);
/* How many faults the table absorbed (every CPU), and the vector of the last one. */
extern uint64_t extable_faults;
extern unsigned extable_last_vector;

/* One entry: the instruction at label `insn`, resuming at label `fixup`. */
#define EXTABLE_ENTRY(insn, fixup) \
    ".pushsection .ex_table, \"a\"\n\t.balign 8\n\t.quad " #insn ", " #fixup "\n\t.popsection\n\t"

/* RDMSR; false (and *val = 0) when it faulted. */
static inline bool rdmsr_safe(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;
    uint8_t ok = 1;
    nested_cost_l0();
    __asm__ volatile("1: rdmsr\n\t"
                     "jmp 3f\n\t"
                     "2: movb $0, %[ok]\n\t"
                     "3:\n\t" EXTABLE_ENTRY(1b, 2b)
                     : "+a"(lo), "+d"(hi), [ok] "+rm"(ok)
                     : "c"(msr)
                     : "memory");
    *val = ok ? ((uint64_t)hi << 32) | lo : 0;
    return ok;
}

/* WRMSR; false when it faulted (the MSR is then unchanged: a faulting WRMSR writes nothing). */
static inline bool wrmsr_safe(uint32_t msr, uint64_t value)
{
    uint8_t ok = 1;
    nested_cost_l0();
    __asm__ volatile("1: wrmsr\n\t"
                     "jmp 3f\n\t"
                     "2: movb $0, %[ok]\n\t"
                     "3:\n\t" EXTABLE_ENTRY(1b, 2b)
                     : [ok] "+rm"(ok)
                     : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "memory");
    return ok;
}

#endif
