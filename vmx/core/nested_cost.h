/*
 * The nested-cost model's attribution (counting build only, make NESTED_COST=1): the L0 round
 * trips counted on a CPU (kernel/cpu/nested_cost.h, vmx/core/vmx_insn.h) belong to the exit being
 * handled, from its start in the dispatcher to the next exit's; some exits are told apart further
 * (an EPT violation that is a trapped APIC write or an ECAM write), and the VMCS re-check before
 * VMRESUME after a control change has a slot of its own.  At the run end one line,
 * `skiff: nested-cost: NAME=round-trips/events ...`, sums every CPU (make bench divides).
 */
#ifndef SKIFF_VMX_NESTED_COST_H
#define SKIFF_VMX_NESTED_COST_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/cpu/nested_cost.h"
#include "vmx/core/vmcs_shadow.h"

/* Slots past the basic exit reasons (0 .. EXIT_REASON_MAX - 1). */
enum {
    NESTED_SLOT_EPT_APIC = 88,       /* EPT violation: a trapped guest APIC write */
    NESTED_SLOT_EPT_ECAM = 89,       /* EPT violation: a write to PCI configuration space (ECAM) */
    NESTED_SLOT_RECHECK  = 90,       /* the VMCS check before VMRESUME after a control change */
    NESTED_SLOT_INIT_WAIT_SIPI = 91, /* a steady-state INIT exit, to the entry in wait-for-SIPI */
    NESTED_SLOT_OUTSIDE  = NESTED_SLOTS - 1,
};

#ifdef SKIFF_NESTED_COST
void nested_cost_exit(uint32_t basic);
void nested_cost_reslot(unsigned slot);
unsigned nested_cost_push(unsigned slot);
void nested_cost_pop(unsigned slot);
void nested_cost_print(void);
/* One VMREAD (write false) or VMWRITE: a round trip unless KVM shadows the field. */
static inline void nested_cost_vmx(uint64_t field, bool write)
{
    if (!vmcs_shadowed((uint32_t)field, write))
        nested_cost_l0();
}
#else
static inline void nested_cost_exit(uint32_t basic) { (void)basic; }
static inline void nested_cost_reslot(unsigned slot) { (void)slot; }
static inline unsigned nested_cost_push(unsigned slot) { return slot; }
static inline void nested_cost_pop(unsigned slot) { (void)slot; }
static inline void nested_cost_print(void) {}
static inline void nested_cost_vmx(uint64_t field, bool write) { (void)field; (void)write; }
#endif

#endif
