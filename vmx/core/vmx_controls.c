/*
 * Skiff's VMX controls (vmx/core/vmx_controls.h), decided from the capability
 * MSRs alone: no global state, so the unit tests run it on every profile.
 */
#include "vmx/core/vmx_controls.h"

/* SDM A.3.1-A.5: TRUE_* MSRs when BASIC bit 55 says so (vmx_caps_decode). */
void vmx_controls_choose(const struct vmx_caps *c, const struct vmx_wants *w, struct vmx_features *f)
{
    *f = (struct vmx_features){ 0 };
    uint32_t proc2_ok = vmx_allowed1(c->proc2_ctls);
    uint32_t exit_ok = vmx_allowed1(c->exit_ctls);
    uint32_t entry_ok = vmx_allowed1(c->entry_ctls);

    f->unrestricted_guest = proc2_ok & SECONDARY_EXEC_UNRESTRICTED_GUEST;
    uint32_t pin_ok = vmx_allowed1(c->pin_ctls);

    f->preemption_timer = w->timer && (pin_ok & PIN_BASED_VMX_PREEMPTION_TIMER);
    /* The watchdog counts the guest's whole run time; the run-end tick restarts at every entry. */
    f->save_preemption_timer = w->watchdog && f->preemption_timer && (exit_ok & VM_EXIT_SAVE_VMX_PREEMPTION_TIMER);
    /* NMIs: NMI exiting with virtual NMIs and NMI-window exiting where offered (SDM 25.6.1,
     * 25.6.2; 26.2.1.1: virtual NMIs need NMI exiting, the NMI window needs virtual NMIs). */
    f->nmi_exiting = pin_ok & PIN_BASED_NMI_EXITING;
    f->virtual_nmis = f->nmi_exiting && (pin_ok & PIN_BASED_VIRTUAL_NMIS);
    f->nmi_window = f->virtual_nmis && (vmx_allowed1(c->proc_ctls) & CPU_BASED_NMI_WINDOW_EXITING);
    f->pat = (exit_ok & VM_EXIT_LOAD_IA32_PAT) && (exit_ok & VM_EXIT_SAVE_IA32_PAT) &&
             (entry_ok & VM_ENTRY_LOAD_IA32_PAT);
    /* Intel PT and the PMU stop at VM exit (SDM Vol. 3C 25.7.1, 25.8.1, 28.3.2.1): RTIT_CTL
     * cleared, PERF_GLOBAL_CTRL loaded with 0, and PT packets conceal VMX, where the CPU offers it.
     * The guest may not program PT (vmx/policy/msr_policy.c); its PERF_GLOBAL_CTRL is a VMCS field. */
    f->perf_global = (exit_ok & VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL) && (entry_ok & VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL);
    uint32_t pt_exit = VM_EXIT_CLEAR_IA32_RTIT_CTL | VM_EXIT_PT_CONCEAL_VMX;
    uint32_t pt_entry = VM_ENTRY_LOAD_IA32_RTIT_CTL | VM_ENTRY_PT_CONCEAL_VMX;
    f->vpid = vmx_vpid_usable(c);
    f->ept_1g = c->ept_1g;
    f->ept_2m = c->ept_2m;

    f->pin = vmx_adjust_controls((f->preemption_timer ? PIN_BASED_VMX_PREEMPTION_TIMER : 0) |
                                     (f->nmi_exiting ? PIN_BASED_NMI_EXITING : 0) |
                                     (f->virtual_nmis ? PIN_BASED_VIRTUAL_NMIS : 0),
                                 c->pin_ctls);
    /* HLT stays in the guest (an idle guest costs no exit) unless hlt=exit (gdb's stop-on HLT needs it).
     * MONITOR and MWAIT exit (SDM 25.6.2) and raise #UD: CPUID hides them (vmx/exit/exit_cpuid.c), and an
     * MWAIT left to the guest could sleep with interrupts off where no HLT exit and, in C-states
     * deeper than C2, no VMX-preemption timer sees it (SDM 26.5.1). */
    f->proc = vmx_adjust_controls((w->hlt_exit ? CPU_BASED_HLT_EXITING : 0) | CPU_BASED_USE_IO_BITMAPS |
                                      CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING |
                                      CPU_BASED_USE_MSR_BITMAPS |
                                      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
                                  c->proc_ctls);
    /* With EPT the guest owns CR3: drop the CR3 exits where the CPU allows it. */
    f->proc &= ~((CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING) & ~vmx_allowed0(c->proc_ctls));
    /* RDTSCP (and RDPID), INVPCID, XSAVES/XRSTORS and UMONITOR/UMWAIT/TPAUSE ("enable user wait and
     * pause", bit 26) raise #UD in VMX non-root operation while their control is 0 (SDM Vol. 3C 26.3,
     * 25.6.2): requested where offered; the guest's CPUID hides each one the CPU does not offer
     * (vmx/core/cpuid_backing.c).  With "RDTSC exiting" 0, UMWAIT and TPAUSE do not exit. */
    f->proc2 = vmx_adjust_controls(VMX_WANTED_PROC2 & ~(f->vpid ? 0 : SECONDARY_EXEC_ENABLE_VPID), c->proc2_ctls);
    f->exit = vmx_adjust_controls(VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER |
                                      VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_DEBUG_CONTROLS |
                                      (f->pat ? VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT : 0) |
                                      (f->save_preemption_timer ? VM_EXIT_SAVE_VMX_PREEMPTION_TIMER : 0) |
                                      (f->perf_global ? VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL : 0) |
                                      (pt_exit & exit_ok),
                                  c->exit_ctls);
    /* ACK-on-exit would take host interrupts Skiff never handles. */
    f->exit &= ~(VM_EXIT_ACK_INTR_ON_EXIT & ~vmx_allowed0(c->exit_ctls));
    f->entry = vmx_adjust_controls(VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_DEBUG_CONTROLS |
                                       (f->pat ? VM_ENTRY_LOAD_IA32_PAT : 0) |
                                       (f->perf_global ? VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL : 0) |
                                       (pt_entry & entry_ok),
                                   c->entry_ctls);
}

struct vmx_timer_ctls vmx_controls_for_activity(const struct vmx_features *f, unsigned activity, bool run_end_tick)
{
    struct vmx_timer_ctls t = { f->pin | (run_end_tick ? PIN_BASED_VMX_PREEMPTION_TIMER : 0), f->exit };
    if (activity == VMX_ACTIVITY_WAIT_SIPI) {
        t.pin &= ~PIN_BASED_VMX_PREEMPTION_TIMER;
        t.exit &= ~VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
    }
    return t;
}
