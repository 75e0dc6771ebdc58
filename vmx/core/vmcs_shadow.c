/*
 * The nested-cost model: which VMREADs and VMWRITEs of an L1 hypervisor stay in L1 under nested KVM.
 *
 * With VMCS shadowing (SDM Vol. 3C 25.10 "VMCS types", 24.6.15 "VMCS shadowing bitmap addresses"),
 * KVM lets L1 read and write a few fields of its VMCS in the shadow VMCS without a VM exit; every
 * other VMREAD or VMWRITE exits to L0, which emulates it.  The rows are KVM's list, Linux
 * arch/x86/kvm/vmx/vmcs_shadow_fields.h (SHADOW_FIELD_RO: VMREAD only; SHADOW_FIELD_RW: both),
 * as of Linux 5.x-6.x (the list has been stable since PIN_BASED_VM_EXEC_CONTROL joined it).  KVM
 * drops a row whose field the host CPU lacks, and shadows nothing when kvm_intel's
 * enable_shadow_vmcs is off: then every VMREAD/VMWRITE is a round trip, and this model is a lower
 * bound.  The counting build (make NESTED_COST=1) counts every other access as one L0 round trip
 * (vmx/core/vmx_insn.h).
 */
#include "vmx/core/vmcs_shadow.h"

#include "vmx/core/vmcs_fields.h"

#define RO(f) { f, false, #f }
#define RW(f) { f, true, #f }

const struct vmcs_shadow_row vmcs_shadow_rows[] = {
    /* 16-bit */
    RW(GUEST_INTR_STATUS), RW(GUEST_PML_INDEX), RW(HOST_FS_SELECTOR), RW(HOST_GS_SELECTOR),
    /* 32-bit */
    RO(VM_EXIT_REASON), RO(VM_EXIT_INTR_INFO), RO(VM_EXIT_INSTRUCTION_LEN), RO(IDT_VECTORING_INFO_FIELD),
    RO(IDT_VECTORING_ERROR_CODE), RO(VM_EXIT_INTR_ERROR_CODE), RO(GUEST_CS_AR_BYTES), RO(GUEST_SS_AR_BYTES),
    RW(CPU_BASED_VM_EXEC_CONTROL), RW(PIN_BASED_VM_EXEC_CONTROL), RW(EXCEPTION_BITMAP),
    RW(VM_ENTRY_EXCEPTION_ERROR_CODE), RW(VM_ENTRY_INTR_INFO_FIELD), RW(VM_ENTRY_INSTRUCTION_LEN),
    RW(TPR_THRESHOLD), RW(GUEST_INTERRUPTIBILITY_INFO), RW(VMX_PREEMPTION_TIMER_VALUE),
    /* natural width */
    RO(EXIT_QUALIFICATION), RO(GUEST_LINEAR_ADDRESS), RW(GUEST_RIP), RW(GUEST_RSP), RW(GUEST_CR0),
    RW(GUEST_CR3), RW(GUEST_CR4), RW(GUEST_RFLAGS), RW(CR0_GUEST_HOST_MASK), RW(CR0_READ_SHADOW),
    RW(CR4_READ_SHADOW), RW(HOST_FS_BASE), RW(HOST_GS_BASE),
    /* 64-bit: both halves */
    RO(GUEST_PHYSICAL_ADDRESS), { GUEST_PHYSICAL_ADDRESS + 1, false, "GUEST_PHYSICAL_ADDRESS_HIGH" },
};
const unsigned vmcs_shadow_nrows = sizeof(vmcs_shadow_rows) / sizeof(vmcs_shadow_rows[0]);

bool vmcs_shadowed(uint32_t field, bool write)
{
    for (unsigned i = 0; i < vmcs_shadow_nrows; i++)
        if (vmcs_shadow_rows[i].field == field)
            return !write || vmcs_shadow_rows[i].writable;
    return false;
}
