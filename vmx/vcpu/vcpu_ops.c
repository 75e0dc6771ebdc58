/*
 * What every part of Skiff that acts for a vCPU shares: its registers by
 * number, event injection and re-injection, and stopping the guest with a
 * named verdict.
 */
#include <stdarg.h>

#include "kernel/console/console.h"
#include "kernel/cpu/x86_exc.h"
#include "kernel/lib/format.h"
#include "vmx/check/vmcheck_live.h"
#include "vmx/core/exit_reasons.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/trace/trace.h"
#include "vmx/vcpu/vcpu_ops.h"

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
 * The skip's cold half (vcpu_skip_insn_len): end the STI/MOV-SS blocking the instruction
 * ended, and make its single-step trap pending (vmx/vcpu/insn_skip.c says why).  The
 * pending debug exceptions and DEBUGCTL are read only with TF set.
 */
__attribute__((cold, noinline)) void vcpu_skip_arch(void)
{
    /* Read again here (the hot path keeps no register for them). */
    struct insn_skip_state s = { .rflags = vmcs_read(GUEST_RFLAGS),
                                 .interruptibility = (uint32_t)vmcs_read(GUEST_INTERRUPTIBILITY_INFO) };
    if (s.rflags & X86_RFLAGS_TF) {
        s.pending_dbg = vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS);
        s.debugctl = vmcs_read(GUEST_IA32_DEBUGCTL);
    }
    unsigned writes = insn_skip_apply(&s);
    if (writes & INSN_SKIP_WRITE_INTR)
        vmx_vmwrite(GUEST_INTERRUPTIBILITY_INFO, s.interruptibility);
    if (writes & INSN_SKIP_WRITE_PDE)
        vmx_vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, s.pending_dbg);
    if (writes)
        vmcheck_dirty = true;
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

