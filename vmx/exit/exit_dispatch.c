/*
 * The C side of every VM exit: read the exit basics once, count the exit,
 * check for a failed VM entry (exit reason bit 31, SDM Vol. 3C 26.8), and
 * dispatch through a const table indexed by basic exit reason.  A NULL entry
 * is an unexpected exit: dump and stop the guest, never the host.
 */
#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/format.h"
#include "kernel/lib.h"
#include "kernel/mce.h"
#include "kernel/runend.h"
#include "kernel/x86_exc.h"
#include "vmx/exit/exit.h"
#include "vmx/core/exit_reasons.h"
#include "vmx/debug/gdbstub.h"
#include "vmx/vcpu/nmi.h"
#include "vmx/smp/smp_guest.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/debug/trace.h"
#include "vmx/check/vmcheck_live.h"
#include "vmx/core/vmx_insn.h"

/* vmx/core/exit_stub.S answers plain CPUIDs itself while nothing needs to see every exit. */
bool vmx_fast_cpuid;
bool vmx_cpuid_limited;

/* Exits whose handlers touch only RAX, RCX, RDX, RBX, RSI, RDI: the stub's light path. */
const uint64_t vmx_light_exits = 1ull << EXIT_REASON_CPUID | 1ull << EXIT_REASON_VMCALL |
                                 1ull << EXIT_REASON_IO_INSTRUCTION | 1ull << EXIT_REASON_MSR_READ |
                                 1ull << EXIT_REASON_MSR_WRITE | 1ull << EXIT_REASON_XSETBV;

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
    [EXIT_REASON_NMI_WINDOW]       = handle_nmi_window,
    [EXIT_REASON_WBINVD]           = handle_wbinvd,
    [EXIT_REASON_XSETBV]           = handle_xsetbv,
    [EXIT_REASON_XSAVES]           = handle_xsaves,
    [EXIT_REASON_XRSTORS]          = handle_xsaves,
};

uint64_t *vcpu_gpr(struct vcpu *v, unsigned n)
{
    switch (n & 15) {
    case 0: return &v->regs.rax;
    case 1: return &v->regs.rcx;
    case 2: return &v->regs.rdx;
    case 3: return &v->regs.rbx;
    case 4: v->rsp_slot = vmcs_read(GUEST_RSP); return &v->rsp_slot;
    case 5: return &v->regs.rbp;
    case 6: return &v->regs.rsi;
    case 7: return &v->regs.rdi;
    case 8: return &v->regs.r8;
    case 9: return &v->regs.r9;
    case 10: return &v->regs.r10;
    case 11: return &v->regs.r11;
    case 12: return &v->regs.r12;
    case 13: return &v->regs.r13;
    case 14: return &v->regs.r14;
    default: return &v->regs.r15;
    }
}

/*
 * Event injection (SDM Vol. 3C 25.8.3 "VM-Entry Controls for Event Injection",
 * 27.6 "Event Injection"): the guest must see exactly what the CPU would
 * have pushed.  A fault-class exception pushes RFLAGS with RF set (Vol. 3A
 * 6.12.1, 18.3.1.1), and injection delivers GUEST_RFLAGS as it is, so RF is
 * set there first (delivery then clears it in the handler's RFLAGS).  Real
 * mode (unrestricted guest, CR0.PE = 0) pushes no error code (27.6.1.1).
 */
static void inject_event(uint32_t type, unsigned vector, bool has_error, uint32_t error, uint32_t insn_len)
{
    if (has_error && !(vmcs_read(GUEST_CR0) & 1))
        has_error = false;
    if (type == INTR_TYPE_HW_EXCEPTION && x86_exc(vector)->cls == X86_EXC_FAULT)
        vmx_vmwrite(GUEST_RFLAGS, vmcs_read(GUEST_RFLAGS) | X86_RFLAGS_RF);
    vmx_vmwrite(VM_ENTRY_INTR_INFO_FIELD, INTR_VALID | type | (vector & 0xff) | (has_error ? INTR_DELIVER_ERR : 0));
    if (has_error)
        vmx_vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
    /* Software interrupts and exceptions (types 4-6) need the instruction's length (27.6.1.1). */
    if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION || type == INTR_TYPE_SW_EXCEPTION)
        vmx_vmwrite(VM_ENTRY_INSTRUCTION_LEN, insn_len);
    vmcheck_dirty = true;
}

void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
    (void)v;
    inject_event(INTR_TYPE_HW_EXCEPTION, vector, has_error, error, 0);
}

/*
 * An exit during event delivery (an EPT violation while the CPU pushed the
 * frame, say) leaves the event in the IDT-vectoring information (28.2.4);
 * Skiff must deliver it again at the next entry or the guest loses it
 * (SDM 28.2.4 and 27.6.1: re-inject with the same type, vector, error code
 * and, for software events, the exit's instruction length).  NMI blocking
 * is not in effect while an NMI is being re-injected (28.2.4: bit 12 is
 * undefined here; the CPU unblocks NMIs for the retry).  Returns false when
 * no event was being delivered.
 */
bool vcpu_reinject_event(struct vcpu *v)
{
    uint32_t info = (uint32_t)vmcs_read(IDT_VECTORING_INFO_FIELD);
    if (!(info & INTR_VALID))
        return false;
    uint32_t type = info & INTR_TYPE_MASK;
    uint32_t err = (info & INTR_DELIVER_ERR) ? (uint32_t)vmcs_read(IDT_VECTORING_ERROR_CODE) : 0;
    /* The same event again: a re-injected fault has RF in its image as at its first delivery. */
    inject_event(type, info & 0xff, info & INTR_DELIVER_ERR, err, v->insn_len);
    /* An NMI again: its first delivery set no blocking that stays (the bit is undefined
     * here), and an entry that injects an NMI with blocking by NMI fails (26.3.1.5). */
    if (type == INTR_TYPE_NMI)
        vmx_vmwrite(GUEST_INTERRUPTIBILITY_INFO, vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & ~GUEST_INTR_STATE_NMI);
    return true;
}

void vcpu_dump(struct vcpu *v)
{
    const struct guest_regs *r = &v->regs;
    kprintf("skiff: guest: exit reason %u (%s), qualification 0x%llx, RIP=0x%llx, "
            "instruction length %u\n",
            v->exit_reason & 0xffff, vmx_exit_reason_name(v->exit_reason & 0xffff),
            (unsigned long long)vcpu_qual(v), (unsigned long long)v->guest_rip, v->insn_len);
    kprintf("skiff: guest: RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n",
            (unsigned long long)r->rax, (unsigned long long)r->rbx,
            (unsigned long long)r->rcx, (unsigned long long)r->rdx);
    kprintf("skiff: guest: RSI=%016llx RDI=%016llx RBP=%016llx RSP=%016llx\n",
            (unsigned long long)r->rsi, (unsigned long long)r->rdi,
            (unsigned long long)r->rbp, (unsigned long long)vmcs_read(GUEST_RSP));
    kprintf("skiff: guest: R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n",
            (unsigned long long)r->r8, (unsigned long long)r->r9,
            (unsigned long long)r->r10, (unsigned long long)r->r11);
    kprintf("skiff: guest: R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n",
            (unsigned long long)r->r12, (unsigned long long)r->r13,
            (unsigned long long)r->r14, (unsigned long long)r->r15);
    kprintf("skiff: guest: CR0=%016llx CR3=%016llx CR4=%016llx RFLAGS=%016llx\n",
            (unsigned long long)vmcs_read(GUEST_CR0), (unsigned long long)vmcs_read(GUEST_CR3),
            (unsigned long long)vmcs_read(GUEST_CR4), (unsigned long long)vmcs_read(GUEST_RFLAGS));
}

enum exit_action vcpu_stop(struct vcpu *v, enum guest_end how, uint64_t status, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    v->end = how;
    v->guest_status = status;
    if (v->quiet)
        return EXIT_STOP;
    kprintf("skiff: guest %s\n", msg);
    trace_dump();
    return EXIT_STOP;
}

void vcpu_print_exit_counts(const char *who, uint64_t total, const uint64_t *counts)
{
    char line[1024];
    size_t n = (size_t)snprintf(line, sizeof(line), "%s%stotal=%llu", who, *who ? " " : "",
                                (unsigned long long)total);
    for (unsigned i = 0; i < EXIT_REASON_MAX && n < sizeof(line); i++)
        if (counts[i])
            n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%llu", vmx_exit_reason_id(i),
                                  (unsigned long long)counts[i]);
    kprintf("skiff: exits: %s\n", line);         /* one line, written at once */
}

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
 * guest having renamed or disabled its APIC, vmx/smp/smp_guest.c), and a resumed
 * guest gets its pending NMI (vmx/vcpu/nmi.c).
 */
static inline int exit_handle(struct vcpu *v, uint32_t basic)
{
    if (__builtin_expect(basic >= EXIT_REASON_MAX || !exit_handlers[basic], 0))
        return exit_unexpected(v, basic);
    v->exit_counts[basic]++;
    if (__builtin_expect(smp_guest_ending, 0))
        return smp_guest_stop_ended(v);
    int a = exit_handlers[basic](v);
    if (__builtin_expect(a && nmi_entry_work(v), 0))
        nmi_before_entry(v);
    if (a)
        console_guest_resumes();
    return a;
}

/* Tracing and gdb, then the dispatch: out of line, so the hot path only tail-calls. */
static __attribute__((cold, noinline)) int exit_handle_hooked(struct vcpu *v, uint32_t basic)
{
    if (trace_enabled)
        trace_record(v);
    enum exit_action a;
    if (gdb_enabled && gdb_on_exit(v, basic, &a))           /* gdb= only: MTF, #BP, stops */
        return a;
    return exit_handle(v, basic);
}

/*
 * Skiff changed controls or guest state beyond RIP (vmcheck_dirty): the stub
 * calls this before VMRESUME.  Returns 0 when the guest must stop instead.
 */
int vmx_exit_recheck(struct guest_regs *regs)
{
    if (vmcheck_before_entry("before VMRESUME"))
        return EXIT_RESUME;
    return vcpu_stop(vcpu_of(regs), GUEST_STOPPED, 1, "stopped: the VMCS checker refused the VM entry");
}

/* Anything the exit path must do besides dispatching: tracing or gdb. */
bool exit_hooks_enabled;

__attribute__((hot, optimize("omit-frame-pointer"))) int vmx_exit_dispatch(struct guest_regs *regs)
{
    struct vcpu *v = vcpu_of(regs);
    uint32_t reason = v->exit_reason;    /* stored by the stub, which needed it first */
    uint32_t basic = reason & 0xffff;

    v->guest_rip = vmcs_read_fast(GUEST_RIP);
    v->insn_len = (uint32_t)vmcs_read_fast(VM_EXIT_INSTRUCTION_LEN);
    v->exits++;
    if (__builtin_expect(reason & EXIT_REASON_FAILED_VMENTRY, 0))
        return exit_failed_entry(v, basic);
    v->launch_state = VMCS_STATE_LAUNCHED;
    if (__builtin_expect(exit_hooks_enabled, 0))
        return exit_handle_hooked(v, basic);
    return exit_handle(v, basic);        /* tail calls; the stub checks vmcheck_dirty */
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
