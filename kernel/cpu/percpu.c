#include "kernel/cpu/percpu.h"

#include "kernel/cpu/cpu.h"

struct percpu percpu_cpu0;
#ifdef SKIFF_NESTED_COST
volatile bool nested_cost_armed;
struct percpu *nested_cost_cpus[NESTED_COST_CPUS];
#endif

void percpu_init(struct percpu *p, uint32_t cpu, uint32_t apic_id, uint64_t gdt_base, uint64_t tss_base)
{
    p->gdt_base = gdt_base;
    p->tss_base = tss_base;
    p->self = p;
    p->cpu = cpu;
    p->apic_id = apic_id;
    p->vmcheck_dirty = true;
    p->vmcheck_stale = true;
    wrmsr(MSR_GS_BASE, (uint64_t)p);
#ifdef SKIFF_NESTED_COST
    p->nested_slot = NESTED_SLOTS - 1;  /* vmx/core/nested_cost.h: outside any exit */
    if (cpu < NESTED_COST_CPUS)
        nested_cost_cpus[cpu] = p;
    nested_cost_armed = true;
#endif
}
