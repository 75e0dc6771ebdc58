/*
 * Idle CPUs sleep (issue 21, item 9): a CPU that waits for work in VMX root operation halts
 * with interrupts off, and the CPU that hands it work wakes it with an NMI, which HLT leaves
 * for in VMX root as anywhere (INIT is blocked there, SDM Vol. 3C 24.8; a SIPI is ignored).
 *
 * No wake-up is lost: the sleeper marks itself idle and notes its wake-up count, then checks its
 * condition, then halts only if the count has not moved (idle_halt, a few instructions); the
 * waker sets the condition, then, seeing the mark, counts a wake-up and sends the NMI.  An NMI
 * that arrives between the count's check and the HLT resumes after the HLT (idle_nmi), one that
 * arrives before the check finds the count moved, one during the HLT ends it.
 */
#ifndef SKIFF_KERNEL_IDLE_H
#define SKIFF_KERNEL_IDLE_H

#include <stdbool.h>

#include "kernel/cpu/desc.h"
#include "kernel/cpu/percpu.h"

/* Sleep on this CPU until ready(arg) is true (checked at once, and after each wake-up). */
void idle_wait(bool (*ready)(void *arg), void *arg);

/* After setting what target's ready() checks: true when the caller must send target an NMI
 * (it is idle; a wake-up is counted for it). */
bool idle_wake(struct percpu *target);

/* In this CPU's NMI handler: an NMI that interrupted idle_halt resumes after its HLT.  True when
 * the NMI was a wake-up another CPU sent (idle_wake), which nobody else may take for the guest's. */
bool idle_nmi(struct exc_frame *f);
/* The same for an NMI that arrived as a VM exit (no frame: the guest was interrupted, not idle_halt). */
bool idle_nmi_exit(void);

#endif
