/*
 * Retiring an instruction Skiff emulated, as the CPU would have retired it
 * (KVM does the same in kvm_skip_emulated_instruction):
 *
 *  - Blocking by STI and by MOV SS lasts until the end of the instruction that
 *    follows STI / MOV SS (SDM Vol. 3A 6.8.3, Vol. 3C 25.4.2 Table 25-3).  A VM
 *    exit on that instruction saves the blocking; once Skiff has done the
 *    instruction's work, the blocking has ended and is cleared.
 *  - With RFLAGS.TF set at the start of an instruction, the CPU raises a
 *    single-step #DB after it (Vol. 3B 18.3.1.4), unless IA32_DEBUGCTL.BTF
 *    turns TF into a step on branches (18.4.3; no instruction Skiff emulates is
 *    a branch).  A VM exit caused by the instruction saves the pending debug
 *    exceptions as clear (Vol. 3C 28.3.4, unless the exit came under MOV-SS
 *    blocking), so Skiff sets BS in the pending debug exceptions: VM entry then
 *    delivers the #DB, with DR6.BS, before the guest's next instruction
 *    (27.7.3).  No instruction Skiff emulates changes TF, so RFLAGS at the exit
 *    is RFLAGS at the start of the instruction.
 *
 * The VM-entry check of BS against TF and BTF applies only under STI/MOV-SS
 * blocking or in HLT (27.3.1.5); after the skip there is no blocking.
 */
#include "vmx/vcpu/insn_skip.h"

unsigned insn_skip_apply(struct insn_skip_state *s)
{
    unsigned writes = 0;
    uint32_t blocking = s->interruptibility & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
    if (blocking) {
        s->interruptibility &= ~blocking;
        writes |= INSN_SKIP_WRITE_INTR;
    }
    bool step = (s->rflags & X86_RFLAGS_TF) && !(s->debugctl & INSN_SKIP_DEBUGCTL_BTF);
    if (step && !(s->pending_dbg & GUEST_PENDING_DBG_BS)) {
        s->pending_dbg |= GUEST_PENDING_DBG_BS;
        writes |= INSN_SKIP_WRITE_PDE;
    }
    return writes;
}
