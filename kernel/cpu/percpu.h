/*
 * Per-CPU data, reached through the host's GS base (IA32_GS_BASE, which
 * VM exits restore from HOST_GS_BASE): %gs:0 holds the block's own address.
 * CPU 0 is the bootstrap processor; kernel/smp/smp.c numbers the others.
 */
#ifndef SKIFF_KERNEL_PERCPU_H
#define SKIFF_KERNEL_PERCPU_H

/* Layout constants shared with vmx/core/exit_stub.S (checked below). */
#define PERCPU_VMCHECK_DIRTY_OFF 16
/* The counting build's (kernel/cpu/nested_cost.h): L0 round trips so far, and the fast CPUID path's. */
#define PERCPU_NESTED_TOTAL_OFF  48
#define PERCPU_NESTED_FAST_OFF   56
#define NESTED_SLOTS             96          /* basic exit reasons, then the slots of vmx/core/nested_cost.h */
#define NESTED_COST_CPUS         64

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;

struct percpu {
    struct percpu *self;       /* %gs:0 */
    uint32_t cpu;              /* 0 = the bootstrap processor */
    uint32_t apic_id;
    bool vmcheck_dirty;        /* this CPU's current VMCS changed beyond RIP (vmx/check/vmcheck_live.c) */
    bool vmcheck_stale;        /* vmcs_set wrote a field the checker's kept snapshot does not read again */
    struct vcpu *vcpu;         /* the vCPU this CPU runs, once it has one */
    uint64_t gdt_base, tss_base;   /* this CPU's GDT and TSS (HOST_GDTR_BASE, HOST_TR_BASE) */
    /* The counting build (make NESTED_COST=1): at fixed offsets the exit stub uses. */
#ifdef SKIFF_NESTED_COST
    uint64_t nested_total;         /* L0 round trips counted on this CPU */
    uint64_t nested_fast[2];       /* the stub's CPUID fast path: round trips, exits */
    uint64_t nested_mark;          /* nested_total when the open slot began */
    uint32_t nested_slot;          /* what the round trips since nested_mark are for */
    uint64_t nested_l0[NESTED_SLOTS], nested_events[NESTED_SLOTS];
#endif
    /* Idle (kernel/cpu/idle.c): */
    bool idle;                 /* in idle_wait: a waker must send an NMI */
    uint32_t wake_posted;      /* wake-ups other CPUs posted, each followed by an NMI */
    uint32_t wake_nmis;        /* of those NMIs, the ones this CPU took */
    uint64_t idle_wakeups;     /* times idle_wait came back from HLT (or found a wake-up before it) */
};

extern struct percpu percpu_cpu0;
#ifdef SKIFF_NESTED_COST
extern struct percpu *nested_cost_cpus[NESTED_COST_CPUS];   /* every CPU's block, for the run-end line */
#endif

_Static_assert(offsetof(struct percpu, vmcheck_dirty) == PERCPU_VMCHECK_DIRTY_OFF,
               "exit_stub.S: vmcheck_dirty offset");
#ifdef SKIFF_NESTED_COST
_Static_assert(offsetof(struct percpu, nested_total) == PERCPU_NESTED_TOTAL_OFF, "exit_stub.S: nested_total");
_Static_assert(offsetof(struct percpu, nested_fast) == PERCPU_NESTED_FAST_OFF, "exit_stub.S: nested_fast");
#endif

/* Point this CPU's GS base at p (done first thing on every CPU). */
void percpu_init(struct percpu *p, uint32_t cpu, uint32_t apic_id, uint64_t gdt_base, uint64_t tss_base);

static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(p));
    return p;
}

/* A test-and-test-and-set lock; interrupts are off in Skiff throughout. */
struct spinlock {
    volatile uint32_t locked;
};

static inline bool spin_trylock(struct spinlock *l)
{
    return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(struct spinlock *l)
{
    while (!spin_trylock(l))
        while (l->locked)
            __asm__ volatile("pause");
}

static inline void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
#endif
