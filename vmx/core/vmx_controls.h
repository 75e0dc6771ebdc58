/*
 * The VM-execution, VM-exit and VM-entry controls Skiff runs every vCPU with,
 * decided once from the capability MSRs (SDM Vol. 3D A.3-A.5: what Skiff asks
 * for, the allowed-0 bits forcing what the CPU needs, the allowed-1 bits
 * dropping what it does not offer).  Pure logic: the unit tests decide them
 * for every capability profile in tests/profiles/.
 */
#ifndef SKIFF_VMX_CONTROLS_H
#define SKIFF_VMX_CONTROLS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/core/vmx_caps.h"

/* What the run asks of the controls beyond Skiff's fixed wishes. */
struct vmx_wants {
    bool timer;       /* the VMX-preemption timer: watchdog=, the run-end tick or the idle check */
    bool watchdog;    /* watchdog=: the timer value is saved at exit (it counts the whole run) */
    bool hlt_exit;    /* hlt=exit */
};

/* Features Skiff turned on, decided once from the capability MSRs. */
struct vmx_features {
    bool unrestricted_guest, preemption_timer, save_preemption_timer, pat, ept_1g, ept_2m;
    bool perf_global;            /* IA32_PERF_GLOBAL_CTRL loaded at entry and exit */
    bool vpid;                   /* "enable VPID": without it the CPU flushes at every entry and exit */
    bool nmi_exiting, virtual_nmis, nmi_window;   /* vmx/vcpu/nmi.c */
    uint32_t pin, proc, proc2, exit, entry;
};

/* The secondary controls Skiff asks for where the CPU offers them (SDM Vol. 3C 25.6.2 Table 25-7). */
#define VMX_WANTED_PROC2                                                                         \
    (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID | SECONDARY_EXEC_UNRESTRICTED_GUEST | \
     SECONDARY_EXEC_ENABLE_RDTSCP | SECONDARY_EXEC_ENABLE_INVPCID | SECONDARY_EXEC_ENABLE_XSAVES |  \
     SECONDARY_EXEC_PT_CONCEAL_VMX | SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE)

void vmx_controls_choose(const struct vmx_caps *c, const struct vmx_wants *w, struct vmx_features *f);

/* The pin-based and VM-exit controls of a vCPU entered in a given activity state. */
struct vmx_timer_ctls {
    uint32_t pin, exit;
};
#define VMX_ACTIVITY_WAIT_SIPI 3          /* guest activity state (SDM Vol. 3C 25.4.2) */
/*
 * In the wait-for-SIPI state the VMX-preemption timer causes no VM exit (SDM Vol. 3C 26.5.1), but
 * KVM's nested VMX delivers one there: a vCPU taken offline would "expire" watchdog=.  So the timer
 * is not active while a vCPU waits for a SIPI ("activate VMX-preemption timer" 0, and with it "save
 * VMX-preemption timer value" 0, as 26.2.1.2 requires); the saved value of the watchdog is kept for
 * the next start.  Written only on the INIT and SIPI exits, never on the hot path.  run_end_tick: the
 * vCPU's run-end tick was started later (vcpu_tick_start), which set the timer control.
 */
struct vmx_timer_ctls vmx_controls_for_activity(const struct vmx_features *f, unsigned activity, bool run_end_tick);

#endif
