/*
 * The nested-cost model's counter (make bench, "extra L0 round trips per exit"; vmx/core/vmcs_shadow.c).
 *
 * Under nested KVM every CPUID, RDMSR or WRMSR Skiff executes (and every VMX instruction outside
 * the shadow VMCS, counted by vmx/core/vmx_insn.h) is one more exit to L0.  A counting build
 * (make NESTED_COST=1, -DSKIFF_NESTED_COST) counts them per CPU in struct percpu; every other
 * build compiles the hooks to nothing, so the exit path's instruction count stays what make bench
 * measures.  Counting starts once this CPU has its per-CPU block (GS base set, percpu_init).
 */
#ifndef SKIFF_KERNEL_NESTED_COST_H
#define SKIFF_KERNEL_NESTED_COST_H

#include "kernel/cpu/percpu.h"

#ifdef SKIFF_NESTED_COST
extern volatile bool nested_cost_armed;     /* CPU 0 has its per-CPU block */

static inline bool nested_cost_here(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000101u));   /* IA32_GS_BASE, not counted */
    return nested_cost_armed && (lo | hi);
}

/* One more L0 round trip on this CPU. */
static inline void nested_cost_l0(void)
{
    if (nested_cost_here())
        this_cpu()->nested_total++;
}
#else
static inline void nested_cost_l0(void) {}
#endif

#endif
