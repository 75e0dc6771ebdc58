/*
 * NMIs (vmx/vcpu/nmi.c): every NMI meant for the guest reaches it exactly once.
 *
 * Skiff runs with "NMI exiting" and "virtual NMIs" (SDM Vol. 3C 25.3, 26.x
 * "Virtual NMIs"): an NMI that arrives while the guest runs is a VM exit
 * (exit reason 0, interruption type NMI); one that arrives in VMX root
 * operation goes to the host's NMI handler (IST stack, kernel/end/panic.c).
 * Either way it becomes pending for this CPU's vCPU and is injected at the
 * next VM entry where the guest does not block NMIs (27.6); while it blocks
 * them, an NMI-window exit (26.7.6) says when it stops.
 */
#ifndef SKIFF_VMX_NMI_H
#define SKIFF_VMX_NMI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/core/vcpu.h"

/* NMIs taken where no vCPU owns the CPU (before the guest's run, a CPU without VMX). */
extern uint64_t nmi_unowned;

/* The host's NMI handler: record it for this CPU's vCPU, or count and drop it.  Never fails. */
void nmi_host(void);
/* An NMI for v (an NMI exit, or nmi_host): pending until injected. */
void nmi_pend(struct vcpu *v);
/* Before a VM entry with NMIs pending or the NMI window requested: inject one or wait. */
void nmi_before_entry(struct vcpu *v);
/* A SIPI (re)starts the vCPU: nothing of before is pending (a CPU in wait-for-SIPI takes no NMI). */
void nmi_reset(struct vcpu *v);
/* `skiff: nmi: [who ]...` when v saw any NMI. */
void nmi_print(const char *who, const struct vcpu *v);
/* `skiff: nmi: N NMI(s) on CPUs without a vCPU: dropped` when there were any. */
void nmi_print_unowned(void);

/* nmi_pending or nmi_window set: the two adjacent words in one load (vmx/core/vcpu.h; the exit
 * stub asks the same before it resumes the guest from the C path). */
static inline bool nmi_entry_work(const struct vcpu *v)
{
    typedef volatile uint64_t __attribute__((may_alias, aligned(4))) nmi_words;
    return *(const nmi_words *)&v->nmi_pending != 0;
}

#endif
