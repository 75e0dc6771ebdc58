/*
 * The C side of every VM exit: read the exit basics once, count the exit,
 * check for a failed VM entry (exit reason bit 31, SDM Vol. 3C 26.8), and
 * dispatch through a const table indexed by basic exit reason.  A NULL entry
 * is an unexpected exit: dump and stop the guest, never the host.
 */
#include <stdarg.h>

#include "kernel/console/console.h"
#include "kernel/cpu/x86_exc.h"
#include "kernel/end/mce.h"
#include "kernel/end/runend.h"
#include "kernel/lib/format.h"
#include "kernel/lib/lib.h"
#include "vmx/check/vmcheck_live.h"
#include "vmx/core/exit_reasons.h"
#include "vmx/core/nested_cost.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/debug/gdbstub.h"
#include "vmx/exit/exit.h"
#include "vmx/smp/smp_guest.h"
#include "vmx/trace/trace.h"
#include "vmx/tripwire/tripwire.h"

static const exit_handler_fn exit_handlers[EXIT_REASON_MAX] = {
    [EXIT_REASON_EXCEPTION_NMI]    = handle_exception_nmi,
    [EXIT_REASON_TRIPLE_FAULT]     = handle_triple_fault,
    [EXIT_REASON_INIT_SIGNAL]      = handle_init,
    [EXIT_REASON_SIPI]             = handle_sipi,
    [EXIT_REASON_CPUID]            = handle_cpuid,
    [EXIT_REASON_HLT]              = handle_hlt,
    [EXIT_REASON_INVD]             = handle_invd,
    [EXIT_REASON_VMCALL]           = handle_vmcall,
    [EXIT_REASON_VMCLEAR]          = handle_vmx_insn,
    [EXIT_REASON_VMLAUNCH]         = handle_vmx_insn,
    [EXIT_REASON_VMPTRLD]          = handle_vmx_insn,
    [EXIT_REASON_VMPTRST]          = handle_vmx_insn,
    [EXIT_REASON_VMREAD]           = handle_vmx_insn,
    [EXIT_REASON_VMRESUME]         = handle_vmx_insn,
    [EXIT_REASON_VMWRITE]          = handle_vmx_insn,
    [EXIT_REASON_VMXOFF]           = handle_vmx_insn,
    [EXIT_REASON_VMXON]            = handle_vmx_insn,
    [EXIT_REASON_INVEPT]           = handle_vmx_insn,
    [EXIT_REASON_INVVPID]          = handle_vmx_insn,
    [EXIT_REASON_VMFUNC]           = handle_vmx_insn,
    [EXIT_REASON_GETSEC]           = handle_vmx_insn,
    [EXIT_REASON_CR_ACCESS]        = handle_cr_access,
    [EXIT_REASON_IO_INSTRUCTION]   = handle_io,
    [EXIT_REASON_MSR_READ]         = handle_rdmsr,
    [EXIT_REASON_MSR_WRITE]        = handle_wrmsr,
    [EXIT_REASON_EPT_VIOLATION]    = handle_ept_violation,
    [EXIT_REASON_EPT_MISCONFIG]    = handle_ept_misconfig,
    [EXIT_REASON_PREEMPTION_TIMER] = handle_preemption_timer,
    [EXIT_REASON_MWAIT]            = handle_monitor_mwait,
    [EXIT_REASON_MONITOR]          = handle_monitor_mwait,
    [EXIT_REASON_NMI_WINDOW]       = handle_nmi_window,
    [EXIT_REASON_WBINVD]           = handle_wbinvd,
    [EXIT_REASON_XSETBV]           = handle_xsetbv,
    [EXIT_REASON_XSAVES]           = handle_xsaves,
    [EXIT_REASON_XRSTORS]          = handle_xsaves,
};

/* Exit qualification for a failed VM entry (SDM 26.8, Table 28-?: 2 = PDPTE, 3 = NMI injection, 4 = link pointer). */
static const char *entry_failure_qual(uint64_t q)
{
    switch (q) {
    case 0: return "no further information";
    case 2: return "loading a PDPTE failed";
    case 3: return "injection of an NMI with blocking by NMI";
    case 4: return "invalid VMCS link pointer";
    default: return "unknown qualification";
    }
}

/* The cold ends of the dispatcher, kept out of line so the hot path stays small. */
static __attribute__((cold, noinline)) int exit_failed_entry(struct vcpu *v, uint32_t basic)
{
    /* SDM 26.8: exit reason 41, a machine check during VM entry: the host's hardware. */
    if (basic == EXIT_REASON_MCE_DURING_VMENTRY)
        mce_fatal("during VM entry (exit reason 41)");
    /* The VMCS stays Clear after a failed VMLAUNCH (SDM 26.8). */
    if (v->quiet) {                      /* a self-test expects this; it reports it */
        v->end = GUEST_STOPPED;
        return EXIT_STOP;
    }
    kprintf("skiff: error: VM entry failed: exit reason 0x%08x (bit 31 set), basic reason %u (%s), "
            "qualification %llu (%s)\n",
            v->exit_reason, basic, vmx_exit_reason_name(basic),
            (unsigned long long)vcpu_qual(v), entry_failure_qual(vcpu_qual(v)));
    vmcs_dump();
    return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: VM entry failed (%s)", vmx_exit_reason_name(basic));
}

static __attribute__((cold, noinline)) int exit_unexpected(struct vcpu *v, uint32_t basic)
{
    kprintf("skiff: error: unexpected VM exit: reason %u (%s)\n", basic, vmx_exit_reason_name(basic));
    vcpu_dump(v);
    vmcs_dump();
    return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: unexpected exit %s", vmx_exit_reason_name(basic));
}

/*
 * The table dispatch proper (after the checks common to every exit).  Every
 * exit also looks for the end of the run (a vCPU whose INIT went astray, the
 * guest having renamed or disabled its APIC, vmx/smp/smp_guest.c).  The handler
 * is the last call: a resumed guest gets its pending NMI (vmx/vcpu/nmi.c) and the
 * console its flag from the stub (vmx/core/exit_stub.S, RESUME_WORK).
 */
static inline __attribute__((always_inline)) int exit_handle(struct vcpu *v, uint32_t basic)
{
    if (__builtin_expect(basic != EXIT_REASON_IO_INSTRUCTION && (basic >= EXIT_REASON_MAX || !exit_handlers[basic]), 0))
        return exit_unexpected(v, basic);
    v->exit_counts[basic]++;
    if (__builtin_expect(smp_guest_ending, 0))
        return smp_guest_stop_ended(v);
    /* The most frequent exit by a direct call, the others through the table (a retpoline thunk). */
    if (basic == EXIT_REASON_IO_INSTRUCTION)
        return handle_io(v);
    return exit_handlers[basic](v);
}

/* Tracing and gdb, then the dispatch: out of line, so the hot path only tail-calls. */
static __attribute__((cold, noinline)) int exit_handle_hooked(struct vcpu *v, uint32_t basic)
{
    if (trace_enabled)
        trace_record(v);
    enum exit_action a;
    if (gdb_enabled && gdb_on_exit(v, basic, &a))           /* gdb= only: MTF, #BP, stops */
        return a;
    int r = exit_handle(v, basic);
    /* tripwire=always: the protected state is checked once the exit has been handled. */
    if (tripwire_every_exit && !tripwire_check_exit(v->exits, basic))
        run_end(SKIFF_GUEST_FAILED);
    return r;
}

/*
 * Skiff changed controls or guest state beyond RIP (vmcheck_dirty): the stub
 * calls this before VMRESUME.  Returns 0 when the guest must stop instead.
 */
int vmx_exit_recheck(struct guest_regs *regs)
{
    unsigned was = nested_cost_push(NESTED_SLOT_RECHECK);
    bool ok = vmcheck_before_entry("before VMRESUME");
    nested_cost_pop(was);
    if (ok)
        return EXIT_RESUME;
    return vcpu_stop(vcpu_of(regs), GUEST_STOPPED, 1, "stopped: the VMCS checker refused the VM entry");
}

/* Anything the exit path must do besides dispatching: tracing, gdb or tripwire=always. */
bool exit_hooks_enabled;

/* A failed VM entry, a reason with more than its basic number (bits 27-31, SDM Vol. 3C 25.9.1), or hooks:
 * the same steps as the hot path below, out of line. */
static __attribute__((cold, noinline)) int exit_slow(struct vcpu *v, uint32_t reason)
{
    uint32_t basic = reason & 0xffff;
    if (reason & EXIT_REASON_FAILED_VMENTRY)
        return exit_failed_entry(v, basic);
    v->launch_state = VMCS_STATE_LAUNCHED;
    if (exit_hooks_enabled)
        return exit_handle_hooked(v, basic);
    return exit_handle(v, basic);
}

__attribute__((hot, optimize("omit-frame-pointer"))) int vmx_exit_dispatch(struct guest_regs *regs)
{
    struct vcpu *v = vcpu_of(regs);
    uint32_t reason = v->exit_reason;    /* stored by the stub, which needed it first */

    nested_cost_exit(reason & 0xffff);    /* counting build only (make NESTED_COST=1) */
    v->guest_rip = vmcs_read_fast(GUEST_RIP);
    v->insn_len = (uint32_t)vmcs_read_fast(VM_EXIT_INSTRUCTION_LEN);
    v->exits++;
    /* One test for the failed entry (bit 31), the other high bits and a reason beyond the table. */
    if (__builtin_expect(reason >= EXIT_REASON_MAX || exit_hooks_enabled, 0))
        return exit_slow(v, reason);
    v->launch_state = VMCS_STATE_LAUNCHED;
    return exit_handle(v, reason);       /* the stub checks vmcheck_dirty */
}

__attribute__((noreturn)) void vmx_resume_failed(struct guest_regs *regs, int status)
{
    struct vcpu *v = vcpu_of(regs);
    vmx_report_fail("VMRESUME", status);
    vcpu_dump(v);
    if (status == VMX_FAIL_VALID)
        vmcs_dump();
    run_end(SKIFF_VMX_FAILED);
}
