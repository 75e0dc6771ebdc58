/*
 * Per-CPU data, reached through the host's GS base (IA32_GS_BASE, which
 * VM exits restore from HOST_GS_BASE): %gs:0 holds the block's own address.
 * CPU 0 is the bootstrap processor; kernel/smp.c numbers the others.
 */
#ifndef SKIFF_KERNEL_PERCPU_H
#define SKIFF_KERNEL_PERCPU_H

/* Layout constants shared with vmx/exit_stub.S (checked below). */
#define PERCPU_VMCHECK_DIRTY_OFF 16
#define PERCPU_FIXUP_RIP_OFF     48

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;

struct percpu {
    struct percpu *self;       /* %gs:0 */
    uint32_t cpu;              /* 0 = the bootstrap processor */
    uint32_t apic_id;
    bool vmcheck_dirty;        /* this CPU's current VMCS changed beyond RIP (vmx/vmcheck_live.c) */
    struct vcpu *vcpu;         /* the vCPU this CPU runs, once it has one */
    uint64_t gdt_base, tss_base;   /* this CPU's GDT and TSS (HOST_GDTR_BASE, HOST_TR_BASE) */
    uint64_t fixup_rip;            /* a #GP resumes here (once) when set: rdmsr_safe */
};

extern struct percpu percpu_cpu0;

_Static_assert(offsetof(struct percpu, vmcheck_dirty) == PERCPU_VMCHECK_DIRTY_OFF,
               "exit_stub.S: vmcheck_dirty offset");
_Static_assert(offsetof(struct percpu, fixup_rip) == PERCPU_FIXUP_RIP_OFF, "rdmsr_safe: fixup_rip offset");

/* Point this CPU's GS base at p (done first thing on every CPU). */
void percpu_init(struct percpu *p, uint32_t cpu, uint32_t apic_id, uint64_t gdt_base, uint64_t tss_base);

static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(p));
    return p;
}

/*
 * RDMSR of an MSR that may not exist (the machine-check banks of an
 * emulator): false when it raised #GP, which kernel/panic.c then skips
 * through this CPU's fixup_rip.
 */
static inline bool rdmsr_safe(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;
    uint8_t ok = 0;
    __asm__ volatile("leaq 1f(%%rip), %%r11\n\t"
                     "movq %%r11, %%gs:%c[off]\n\t"
                     "rdmsr\n\t"
                     "movb $1, %[ok]\n"
                     "1:\n\t"
                     "movq $0, %%gs:%c[off]"
                     : "+a"(lo), "+d"(hi), [ok] "+q"(ok)
                     : "c"(msr), [off] "i"(PERCPU_FIXUP_RIP_OFF)
                     : "r11", "memory");
    *val = ((uint64_t)hi << 32) | lo;
    return ok;
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
