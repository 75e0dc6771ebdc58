/*
 * What skipping an instruction Skiff emulated does besides advancing RIP, decided
 * from the guest's state alone (vmx/vcpu/insn_skip.c; the VMCS side is
 * vcpu_skip_insn in vmx/vcpu/vcpu_ops.h).
 */
#ifndef SKIFF_VMX_INSN_SKIP_H
#define SKIFF_VMX_INSN_SKIP_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/core/vmcs_fields.h"

/* RFLAGS.TF (SDM Vol. 3A 2.3), IA32_DEBUGCTL.BTF (Vol. 3B 18.4.1). */
#define X86_RFLAGS_TF         (1ull << 8)
#define INSN_SKIP_DEBUGCTL_BTF (1ull << 1)
/* Pending debug exceptions, BS: a single-step trap is pending (SDM Vol. 3C 25.4.2, Table 25-4). */
#define GUEST_PENDING_DBG_BS  (1ull << 14)

/* The guest state the skip reads and may change. */
struct insn_skip_state {
    uint64_t rflags;
    uint32_t interruptibility;   /* GUEST_INTERRUPTIBILITY_INFO */
    uint64_t pending_dbg;        /* GUEST_PENDING_DBG_EXCEPTIONS */
    uint64_t debugctl;           /* GUEST_IA32_DEBUGCTL (only BTF is read) */
};

/* insn_skip_apply's result: the fields whose value changed (each one VMWRITE). */
#define INSN_SKIP_WRITE_INTR 1u
#define INSN_SKIP_WRITE_PDE  2u

/*
 * Whether the skip has more to do than RIP: TF set, or blocking by STI or MOV SS.
 * The exit path reads RFLAGS and the interruptibility state for this test only;
 * the pending debug exceptions and DEBUGCTL are read when it says so.
 */
static inline bool insn_skip_needs_work(uint64_t rflags, uint32_t interruptibility)
{
    return (rflags & X86_RFLAGS_TF) || (interruptibility & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/* The instruction retired: end its STI/MOV-SS blocking, make its single-step trap pending. */
unsigned insn_skip_apply(struct insn_skip_state *s);

#endif
