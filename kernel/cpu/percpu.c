#include "kernel/cpu/percpu.h"

#include "kernel/cpu/cpu.h"

struct percpu percpu_cpu0;

void percpu_init(struct percpu *p, uint32_t cpu, uint32_t apic_id, uint64_t gdt_base, uint64_t tss_base)
{
    p->gdt_base = gdt_base;
    p->tss_base = tss_base;
    p->self = p;
    p->cpu = cpu;
    p->apic_id = apic_id;
    p->vmcheck_dirty = true;
    wrmsr(MSR_GS_BASE, (uint64_t)p);
}
