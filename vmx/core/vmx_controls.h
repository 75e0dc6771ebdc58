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
    bool nmi_exiting, virtual_nmis, nmi_window;   /* vmx/vcpu/nmi.c */
    uint32_t pin, proc, proc2, exit, entry;
};

/* The secondary controls Skiff asks for where the CPU offers them (SDM Vol. 3C 25.6.2 Table 25-7). */
#define VMX_WANTED_PROC2                                                                         \
    (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID | SECONDARY_EXEC_UNRESTRICTED_GUEST | \
     SECONDARY_EXEC_ENABLE_RDTSCP | SECONDARY_EXEC_ENABLE_INVPCID | SECONDARY_EXEC_ENABLE_XSAVES |  \
     SECONDARY_EXEC_PT_CONCEAL_VMX | SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE)

void vmx_controls_choose(const struct vmx_caps *c, const struct vmx_wants *w, struct vmx_features *f);

#endif
