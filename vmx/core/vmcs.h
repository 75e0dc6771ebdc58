/* The VMCS: launch-state lifecycle, setup from the capability MSRs, and the dump. */
#ifndef SKIFF_VMX_VMCS_H
#define SKIFF_VMX_VMCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/cpu/percpu.h"
#include "vmx/core/vcpu.h"
#include "vmx/core/vmcs_compose.h"
#include "vmx/core/vmx_controls.h"

/* The controls, decided once by the BSP (vmx/core/vmx_controls.h). */
extern struct vmx_features vmx_features;

/*
 * The run-end tick (vmx/smp/smp_guest.c): with several vCPUs and no watchdog=,
 * the VMX-preemption timer of a ticking vCPU gets this value at every VM
 * entry, so that it sees the end of the run within about a millisecond of its
 * own run time even if no IPI reaches it (100 ms once it halted).  0 = off.
 */
extern uint64_t vmx_tick_ticks;
/*
 * The idle check (issue 20, item 10): without watchdog= or the run-end tick, every vCPU's
 * VMX-preemption timer gets this value (about 1 s) at every VM entry.  It expires only after a
 * second of run time without a single exit: a guest that exits now and then never sees it, a
 * spinning or halted one takes one exit a second.  It names CPU 0 halted with interrupts off,
 * and stops a vCPU no IPI reaches at the end of the run.  0 = no timer.
 */
extern uint64_t vmx_idle_ticks;
#define VMX_IDLE_CHECK_MS 1000
/* Every vCPU gets the run-end tick from the start (no wait-for-SIPI state, vmx/smp/smp_guest.c);
 * otherwise only a vCPU whose guest disabled its APIC (vcpu_tick_start). */
extern bool vmx_tick_all;
/* Drop the guest's cached linear and combined mappings: INVVPID single-context with VPID; without
 * it every VM entry and exit does so for VPID 0 (SDM Vol. 3C 29.4.3.1), nothing to do. */
void vcpu_flush_linear(const struct vcpu *v);
/* "VPID N" or "VPID off", for the launch lines. */
const char *vcpu_vpid_label(const struct vcpu *v, char *buf, size_t len);
/* Entering (true) or leaving (false) the wait-for-SIPI state: the VMX-preemption timer off while it
 * waits (vmx_controls_for_activity); writes the controls only when they change. */
void vcpu_park_timer(struct vcpu *v, bool wait_sipi);
/* Start the run-end tick on this vCPU, in one of its own exits (its VMCS is current). */
void vcpu_tick_start(struct vcpu *v);

/* Allocate the VMCS page and VMCLEAR it: launch state Clear. */
int vmcs_create(struct vcpu *v);
/* VMCLEAR (state Clear) and VMPTRLD; status as the wrappers. */
int vmcs_clear(struct vcpu *v);
int vmcs_load(struct vcpu *v);

/* Fill every field: controls, host state, guest state.  0 or a VMWRITE failure count. */
int vmcs_setup(struct vcpu *v, const struct guest_start *gs, uint64_t io_bitmap_a,
               uint64_t io_bitmap_b, uint64_t msr_bitmap);
/* The guest-state area and the IA-32e-mode entry control for `gs` (activity state active). */
void vmcs_set_guest_state(struct vcpu *v, const struct guest_start *gs);


/* The whole VMCS, grouped as SDM Vol. 3C 25.3-25.9 groups it. */
void vmcs_dump(void);

/* Report a VMfailValid/VMfailInvalid of `what` with the error named. */
void vmx_report_fail(const char *what, int status);

/*
 * True for the fields that change without vmcs_set(): the guest state, and
 * the control fields written with a plain VMWRITE (a table in vmcs.c).  The
 * VMCS checker keeps the others between checks (vmx/check/vmcheck_live.c).
 */
bool vmcs_field_changes_unseen(uint32_t field);

/* Checked VMWRITE: logs the field by name when it fails. */
bool vmcs_set(uint32_t field, uint64_t value);

/* Set by vmcs_set() (every VMWRITE off the hot path): re-check this CPU's current VMCS
 * before its next entry.  Per CPU (kernel/cpu/percpu.h), read by vmx/core/exit_stub.S. */
#define vmcheck_dirty (this_cpu()->vmcheck_dirty)

#endif
