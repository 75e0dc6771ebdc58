/*
 * KVM's nested VM-entry checks (vmx/check/vmcheck_kvm.h), as read from Linux
 * arch/x86/kvm/vmx/nested.c and vmx.c: facts restated, no code taken.
 */
#include "vmx/check/vmcheck_kvm.h"

#define DEBUGCTL_LBR            (1ull << 0)
#define DEBUGCTL_BTF            (1ull << 1)
#define DEBUGCTL_BUS_LOCK       (1ull << 2)
#define DEBUGCTL_FREEZE_LBRS    (1ull << 11)
#define PERF_CAP_LBR_FMT        0x3full
#define CPUID7_ECX_BUS_LOCK     (1u << 24)

#define INTR_VALID              (1u << 31)
#define INTR_TYPE(info)         (((info) >> 8) & 7)
#define ACT_ACTIVE 0
#define ACT_HLT 1
#define ACT_SHUTDOWN 2
#define ACT_WAIT_SIPI 3

static const struct { const char *where, *text; } rules[VK_COUNT] = {
#define VMCHECK_KVM_ROW_(id, where, text) [VK_##id] = { where, text },
    VMCHECK_KVM_RULES(VMCHECK_KVM_ROW_)
#undef VMCHECK_KVM_ROW_
};

struct run {
    struct vmcheck_violation *out;
    size_t max, n;
};

static void add(struct run *r, enum vmcheck_kvm_rule id, uint32_t field, uint64_t value)
{
    if (r->n < r->max)
        r->out[r->n] = (struct vmcheck_violation){ rules[id].where, rules[id].text, field, value, 0, 0 };
    r->n++;
}

uint64_t vmcheck_kvm_debugctl_ok(const struct vmcheck_kvm_env *env)
{
    uint64_t ok = DEBUGCTL_BTF | DEBUGCTL_LBR;               /* accepted, then ignored */
    if (env->cpuid7_ecx & CPUID7_ECX_BUS_LOCK)
        ok |= DEBUGCTL_BUS_LOCK;
    if (env->perf_capabilities & PERF_CAP_LBR_FMT)
        ok |= DEBUGCTL_LBR | DEBUGCTL_FREEZE_LBRS;           /* only with the L1's LBRs enabled */
    return ok;
}

/* The control is within allowed-0 (bits 31:0 must be 1) and allowed-1 (bits 63:32 may be 1). */
static bool control_ok(uint32_t v, uint64_t cap)
{
    return (v & vmx_allowed0(cap)) == vmx_allowed0(cap) && !(v & ~vmx_allowed1(cap));
}

size_t vmcheck_kvm_run(const struct vmcs_snapshot *s, const struct vmcheck_kvm_env *env,
                       struct vmcheck_violation *out, size_t max)
{
    const struct vmx_caps *c = env->caps;
    struct run r = { out, max, 0 };
    uint32_t pin = (uint32_t)vmcs_snap_get(s, PIN_BASED_VM_EXEC_CONTROL);
    uint32_t proc = (uint32_t)vmcs_snap_get(s, CPU_BASED_VM_EXEC_CONTROL);
    uint32_t proc2 = proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS
                         ? (uint32_t)vmcs_snap_get(s, SECONDARY_VM_EXEC_CONTROL) : 0;
    uint32_t exit = (uint32_t)vmcs_snap_get(s, VM_EXIT_CONTROLS);
    uint32_t entry = (uint32_t)vmcs_snap_get(s, VM_ENTRY_CONTROLS);

    /* KVM's L1 MSRs are the TRUE_* ones where IA32_VMX_BASIC bit 55 says so: vmx_caps holds the
     * effective capability of each class. */
    if (!control_ok(pin, c->pin_ctls))
        add(&r, VK_PIN, PIN_BASED_VM_EXEC_CONTROL, pin);
    if (!control_ok(proc, c->proc_ctls))
        add(&r, VK_PROC, CPU_BASED_VM_EXEC_CONTROL, proc);
    if ((proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) && !control_ok(proc2, c->proc2_ctls))
        add(&r, VK_PROC2, SECONDARY_VM_EXEC_CONTROL, proc2);
    if (!control_ok(exit, c->exit_ctls))
        add(&r, VK_EXIT, VM_EXIT_CONTROLS, exit);
    if (!control_ok(entry, c->entry_ctls))
        add(&r, VK_ENTRY, VM_ENTRY_CONTROLS, entry);

    if (proc2 & SECONDARY_EXEC_ENABLE_EPT) {
        uint64_t eptp = vmcs_snap_get(s, EPT_POINTER);
        unsigned walk = (unsigned)((eptp >> 3) & 7) + 1;
        if ((eptp & 7) != 6 || !c->ept_wb)
            add(&r, VK_EPTP_MT, EPT_POINTER, eptp);
        if (!(walk == 4 && c->ept_walk_4) && !(walk == 5 && (c->ept_vpid & VMX_EPT_PAGE_WALK_5)))
            add(&r, VK_EPTP_WALK, EPT_POINTER, eptp);
        if ((eptp & (1ull << 6)) && !c->ept_ad)
            add(&r, VK_EPTP_AD, EPT_POINTER, eptp);
    }

    uint32_t intr = (uint32_t)vmcs_snap_get(s, VM_ENTRY_INTR_INFO_FIELD);
    if (intr & INTR_VALID) {
        unsigned type = INTR_TYPE(intr);
        uint64_t len = vmcs_snap_get(s, VM_ENTRY_INSTRUCTION_LEN);
        if (type >= 4 && type <= 6) {           /* software interrupt, privileged/software exception */
            if (len > 15)
                add(&r, VK_INJ_LEN, VM_ENTRY_INSTRUCTION_LEN, len);
            else if (len == 0 && !(c->misc & (1ull << 30)))
                add(&r, VK_INJ_LEN0, VM_ENTRY_INSTRUCTION_LEN, len);
        }
    }

    uint64_t act = vmcs_snap_get(s, GUEST_ACTIVITY_STATE);
    if (!(act == ACT_ACTIVE || (act == ACT_HLT && c->act_hlt) || (act == ACT_WAIT_SIPI && c->act_wait_sipi)))
        add(&r, VK_ACTIVITY, GUEST_ACTIVITY_STATE, act);

    if (entry & VM_ENTRY_LOAD_DEBUG_CONTROLS) {
        uint64_t dbg = vmcs_snap_get(s, GUEST_IA32_DEBUGCTL);
        if (dbg & ~vmcheck_kvm_debugctl_ok(env))
            add(&r, VK_DEBUGCTL, GUEST_IA32_DEBUGCTL, dbg);
        if (vmcs_snap_get(s, GUEST_DR7) >> 32)
            add(&r, VK_DR7, GUEST_DR7, vmcs_snap_get(s, GUEST_DR7));
    }
    return r.n;
}
