/* The nested-cost model's attribution to exits (vmx/core/nested_cost.h); empty outside the counting build. */
#include "vmx/core/nested_cost.h"

#ifdef SKIFF_NESTED_COST
#include "kernel/console/console.h"
#include "kernel/lib/format.h"
#include "vmx/core/exit_reasons.h"

/* The round trips since the open slot began go to it; then slot is open. */
static void close_open(struct percpu *p, unsigned slot)
{
    p->nested_l0[p->nested_slot] += p->nested_total - p->nested_mark;
    p->nested_mark = p->nested_total;
    p->nested_slot = slot;
}

void nested_cost_exit(uint32_t basic)
{
    if (!nested_cost_here())
        return;
    struct percpu *p = this_cpu();
    unsigned slot = basic < EXIT_REASON_MAX ? basic : NESTED_SLOT_OUTSIDE;
    close_open(p, slot);
    p->nested_events[slot]++;
}

/* The exit turned out to be one of the finer slots: it and its round trips so far move there. */
void nested_cost_reslot(unsigned slot)
{
    if (!nested_cost_here())
        return;
    struct percpu *p = this_cpu();
    p->nested_events[p->nested_slot]--;
    p->nested_events[slot]++;
    p->nested_slot = slot;
}

unsigned nested_cost_push(unsigned slot)
{
    if (!nested_cost_here())
        return 0;
    struct percpu *p = this_cpu();
    unsigned was = p->nested_slot;
    close_open(p, slot);
    p->nested_events[slot]++;
    return was;
}

void nested_cost_pop(unsigned was)
{
    if (nested_cost_here())
        close_open(this_cpu(), was);
}

static const char *slot_name(unsigned s)
{
    switch (s) {
    case NESTED_SLOT_EPT_APIC: return "EPT_VIOLATION_APIC";
    case NESTED_SLOT_EPT_ECAM: return "EPT_VIOLATION_ECAM";
    case NESTED_SLOT_RECHECK:  return "VMCHECK_RECHECK";
    case NESTED_SLOT_INIT_WAIT_SIPI: return "INIT_WAIT_SIPI";
    case NESTED_SLOT_OUTSIDE:  return "OUTSIDE_EXITS";
    default:                   return s < EXIT_REASON_MAX ? vmx_exit_reason_id(s) : "UNKNOWN";
    }
}

void nested_cost_print(void)
{
    uint64_t l0[NESTED_SLOTS] = { 0 }, ev[NESTED_SLOTS] = { 0 };
    for (unsigned c = 0; c < NESTED_COST_CPUS; c++) {
        struct percpu *p = nested_cost_cpus[c];
        if (!p)
            continue;
        close_open(p, p->nested_slot);          /* what the open slot has so far */
        for (unsigned s = 0; s < NESTED_SLOTS; s++) {
            l0[s] += p->nested_l0[s];
            ev[s] += p->nested_events[s];
        }
        l0[EXIT_REASON_CPUID] += p->nested_fast[0];   /* the stub's CPUID fast path */
        ev[EXIT_REASON_CPUID] += p->nested_fast[1];
    }
    char line[1536];
    size_t n = (size_t)snprintf(line, sizeof(line), "skiff: nested-cost:");
    for (unsigned s = 0; s < NESTED_SLOTS && n < sizeof(line); s++)
        if (ev[s] || l0[s])
            n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%llu/%llu", slot_name(s),
                                  (unsigned long long)l0[s], (unsigned long long)ev[s]);
    kprintf("%s\n", line);
}
#endif
