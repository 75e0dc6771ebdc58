/*
 * NMIs for the guest (vmx/vcpu/nmi.h).
 *
 * One NMI pending at most, as on a CPU (SDM Vol. 3A 6.7.1 "Handling
 * Multiple NMIs"): nmi_pending is the vCPU's NMI latch, 0 or 1.  An NMI
 * that arrives while one is already pending merges with it (nmi_merged);
 * the injection is the delivery and empties the latch.  So while the guest
 * handles an NMI (virtual-NMI blocking until its IRET) one more waits and
 * the rest are lost, as natively; an NMI that arrives before the pending
 * one could be injected (Skiff busy with an exit, the guest in a MOV SS
 * shadow) merges too, as two NMIs do that reach a CPU within one
 * instruction boundary.
 *
 * The race with the entry: an NMI can reach the host after the exit path
 * last looked at nmi_pending and before VMRESUME.  The handler therefore
 * also sets "NMI-window exiting" in the current VMCS (it is this vCPU's from
 * the first VM entry on, nmi_live), so that entry exits again at once, or as
 * soon as the guest unblocks NMIs (SDM 26.7.6), and the NMI is injected then.
 * The exit path only sets that control, except in nmi_before_entry, which
 * clears it and then looks at nmi_pending again.
 *
 * Without "virtual NMIs" (no such Bochs model is known, but the SDM allows
 * it) there is no NMI-window exiting: a pending NMI waits for the next exit
 * at which the guest does not block NMIs.
 */
#include "vmx/vcpu/nmi.h"

#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/percpu.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_caps.h"
#include "vmx/core/vmx_insn.h"

uint64_t nmi_unowned;

/* Request the NMI-window exit: from the NMI handler (raw VMX instructions, no report). */
static void window_set_raw(struct vcpu *v)
{
    v->nmi_window = 1;
    vmx_vmwrite(CPU_BASED_VM_EXEC_CONTROL, vmcs_read(CPU_BASED_VM_EXEC_CONTROL) | CPU_BASED_NMI_WINDOW_EXITING);
}

/* The same from the exit path (the VMCS checker sees the change). */
static void window_request(struct vcpu *v)
{
    v->nmi_window = 1;
    vmcs_set(CPU_BASED_VM_EXEC_CONTROL, vmcs_read(CPU_BASED_VM_EXEC_CONTROL) | CPU_BASED_NMI_WINDOW_EXITING);
}

void nmi_pend(struct vcpu *v)
{
    if (__atomic_exchange_n(&v->nmi_pending, 1, __ATOMIC_SEQ_CST))
        v->nmi_merged++;                 /* one is already pending: the CPU drops this one */
    if (v->nmi_live && vmx_features.nmi_window)
        window_set_raw(v);
}

void nmi_host(void)
{
    /* Before percpu_init (an AP's first instructions) there is no per-CPU block. */
    struct vcpu *v = rdmsr(MSR_GS_BASE) ? this_cpu()->vcpu : 0;
    if (!v) {
        __atomic_fetch_add(&nmi_unowned, 1, __ATOMIC_RELAXED);
        return;
    }
    /* A CPU in the wait-for-SIPI state (after INIT) responds to a SIPI only (SDM Vol. 3A
     * "Local APIC State After an INIT Reset", Vol. 3C 25.4.2 activity states): Skiff drops,
     * not latches, an NMI for a vCPU that waits for its SIPI, and nmi_reset forgets any
     * left from before its INIT. */
    if (__atomic_load_n(&v->wait_sipi, __ATOMIC_ACQUIRE)) {
        v->nmi_dropped++;
        return;
    }
    v->nmi_host++;
    nmi_pend(v);
}

void nmi_reset(struct vcpu *v)
{
    __atomic_store_n(&v->nmi_pending, 0, __ATOMIC_SEQ_CST);
    if (v->nmi_window) {
        v->nmi_window = 0;
        vmcs_set(CPU_BASED_VM_EXEC_CONTROL, vmcs_read(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_BASED_NMI_WINDOW_EXITING);
    }
}

/*
 * An NMI can be injected when no other event is (one per entry; every VM
 * exit clears the field's valid bit, SDM 25.8.3), and the
 * guest blocks neither NMIs nor events by MOV SS (26.3.1.5; vmx/check/vmcheck.c's
 * INT_VNMI and INT_NMI_MOVSS).  STI blocking does not block NMIs (Table 25-3).
 */
static bool can_inject(void)
{
    if (vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_VALID)
        return false;
    return !(vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & (GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_NMI));
}

void nmi_before_entry(struct vcpu *v)
{
    if (__atomic_load_n(&v->nmi_pending, __ATOMIC_SEQ_CST) && can_inject()) {
        /* SDM 27.6.1: type NMI, vector 2; delivery sets (virtual-)NMI blocking until its IRET.
         * In the HLT activity state the injection makes the vCPU active (27.6.3). */
        vmcs_set(VM_ENTRY_INTR_INFO_FIELD, INTR_VALID | INTR_TYPE_NMI | 2);
        __atomic_store_n(&v->nmi_pending, 0, __ATOMIC_SEQ_CST);   /* an NMI since the test merged */
        v->nmi_injected++;
    }
    if (!vmx_features.nmi_window)
        return;
    if (__atomic_load_n(&v->nmi_pending, __ATOMIC_SEQ_CST)) {
        window_request(v);
        return;
    }
    if (v->nmi_window) {
        v->nmi_window = 0;
        vmcs_set(CPU_BASED_VM_EXEC_CONTROL, vmcs_read(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_BASED_NMI_WINDOW_EXITING);
        if (__atomic_load_n(&v->nmi_pending, __ATOMIC_SEQ_CST))   /* one came in between */
            window_request(v);
    }
}

void nmi_print(const char *who, const struct vcpu *v)
{
    if (!v->nmi_host && !v->nmi_exits && !v->nmi_injected && !v->nmi_dropped && !v->nmi_pending)
        return;
    kprintf("skiff: nmi: %s%staken in VMX root=%llu NMI exits=%llu injected=%llu pending=%u "
            "dropped (waiting for SIPI)=%llu merged (one already pending)=%llu\n", who, *who ? " " : "",
            (unsigned long long)v->nmi_host, (unsigned long long)v->nmi_exits,
            (unsigned long long)v->nmi_injected, v->nmi_pending, (unsigned long long)v->nmi_dropped,
            (unsigned long long)v->nmi_merged);
}

void nmi_print_unowned(void)
{
    if (nmi_unowned)
        kprintf("skiff: nmi: %llu NMI(s) on CPUs without a vCPU: dropped\n", (unsigned long long)nmi_unowned);
}
