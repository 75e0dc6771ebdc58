/* VMX capability decoding, SDM Vol. 3D Appendix A. */
#include "vmx/core/vmx_caps.h"

#include <stddef.h>

uint32_t vmx_adjust_controls(uint32_t wanted, uint64_t cap_msr)
{
    return (wanted | vmx_allowed0(cap_msr)) & vmx_allowed1(cap_msr);
}

uint32_t vmx_controls_unsupported(uint32_t required, uint64_t cap_msr)
{
    return required & ~vmx_allowed1(cap_msr);
}

void vmx_caps_read(struct vmx_caps *c, uint64_t (*rdmsr)(uint32_t msr))
{
    *c = (struct vmx_caps){ 0 };
    c->basic = rdmsr(MSR_IA32_VMX_BASIC);
    c->pinbased = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
    c->procbased = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
    c->exit = rdmsr(MSR_IA32_VMX_EXIT_CTLS);
    c->entry = rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
    c->misc = rdmsr(MSR_IA32_VMX_MISC);
    c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
    c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
    c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
    c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
    c->vmcs_enum = rdmsr(MSR_IA32_VMX_VMCS_ENUM);
    /* A.3.3: PROCBASED_CTLS2 exists only if secondary controls may be 1 */
    if (vmx_allowed1(c->procbased) & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) {
        c->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
        uint32_t p2 = vmx_allowed1(c->procbased2);
        /* A.10: EPT_VPID_CAP exists only if EPT or VPID may be enabled */
        if (p2 & (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID))
            c->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
        /* A.11: VMFUNC exists only if "enable VM functions" may be 1 */
        if (p2 & SECONDARY_EXEC_ENABLE_VMFUNC)
            c->vmfunc = rdmsr(MSR_IA32_VMX_VMFUNC);
    }
    if (c->basic & VMX_BASIC_TRUE_CTLS) {
        c->true_pinbased = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
        c->true_procbased = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
        c->true_exit = rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
        c->true_entry = rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
    }
    vmx_caps_decode(c);
}

void vmx_caps_decode(struct vmx_caps *c)
{
    uint64_t b = c->basic, m = c->misc, e;

    c->revision_id = b & VMX_BASIC_REVISION_MASK;
    c->vmcs_size = (b >> VMX_BASIC_SIZE_SHIFT) & VMX_BASIC_SIZE_MASK;
    c->vmcs_memtype = (b >> VMX_BASIC_MEMTYPE_SHIFT) & 0xf;
    c->true_ctls = b & VMX_BASIC_TRUE_CTLS;

    c->preemption_timer_rate = m & VMX_MISC_TIMER_RATE_MASK;
    c->act_hlt = m & VMX_MISC_ACT_HLT;
    c->act_shutdown = m & VMX_MISC_ACT_SHUTDOWN;
    c->act_wait_sipi = m & VMX_MISC_ACT_WAIT_SIPI;
    c->cr3_target_count = (m >> VMX_MISC_CR3_TARGETS_SHIFT) & 0x1ff;

    /* A.3.1, A.3.2, A.4, A.5: the TRUE_* MSRs supersede when BASIC bit 55 is set */
    c->pin_ctls = c->true_ctls ? c->true_pinbased : c->pinbased;
    c->proc_ctls = c->true_ctls ? c->true_procbased : c->procbased;
    c->exit_ctls = c->true_ctls ? c->true_exit : c->exit;
    c->entry_ctls = c->true_ctls ? c->true_entry : c->entry;
    c->proc2_ctls = (vmx_allowed1(c->procbased) & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
                        ? c->procbased2 : 0;

    e = (vmx_allowed1(c->proc2_ctls) & (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID))
            ? c->ept_vpid : 0;
    c->ept_execute_only = e & VMX_EPT_EXECUTE_ONLY;
    c->ept_walk_4 = e & VMX_EPT_PAGE_WALK_4;
    c->ept_uc = e & VMX_EPT_MT_UC;
    c->ept_wb = e & VMX_EPT_MT_WB;
    c->ept_2m = e & VMX_EPT_2MB_PAGE;
    c->ept_1g = e & VMX_EPT_1GB_PAGE;
    c->invept = e & VMX_EPT_INVEPT;
    c->invept_single = e & VMX_EPT_INVEPT_SINGLE;
    c->invept_all = e & VMX_EPT_INVEPT_ALL;
    c->ept_ad = e & VMX_EPT_AD;
    c->invvpid = e & VMX_VPID_INVVPID;
    c->invvpid_addr = e & VMX_VPID_INVVPID_ADDR;
    c->invvpid_single = e & VMX_VPID_INVVPID_SINGLE;
    c->invvpid_all = e & VMX_VPID_INVVPID_ALL;
}

const char *vmx_caps_missing(const struct vmx_caps *c)
{
    uint32_t proc = vmx_allowed1(c->proc_ctls);
    uint32_t proc2 = vmx_allowed1(c->proc2_ctls);
    uint32_t exit = vmx_allowed1(c->exit_ctls);
    uint32_t entry = vmx_allowed1(c->entry_ctls);

    if (!(proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS))
        return "EPT (no secondary processor-based controls)";
    if (!(proc2 & SECONDARY_EXEC_ENABLE_EPT))
        return "EPT (secondary control 'enable EPT')";
    if (!c->ept_walk_4)
        return "EPT 4-level page walk";
    if (!c->ept_wb)
        return "EPT write-back memory type";
    if (!c->invept)
        return "INVEPT";
    if (!c->invept_single)
        return "INVEPT single-context";
    if (!(proc & CPU_BASED_USE_MSR_BITMAPS))
        return "MSR bitmaps";
    if (!(proc & CPU_BASED_USE_IO_BITMAPS))
        return "I/O bitmaps";
    if (!(proc & CPU_BASED_HLT_EXITING))
        return "HLT exiting";
    if (!(exit & VM_EXIT_HOST_ADDR_SPACE_SIZE))
        return "64-bit host (exit control 'host address-space size')";
    if (!(entry & VM_ENTRY_IA32E_MODE))
        return "IA-32e mode guest (entry control)";
    if (!(entry & VM_ENTRY_LOAD_IA32_EFER))
        return "load IA32_EFER on VM entry";
    if (!(exit & VM_EXIT_SAVE_IA32_EFER))
        return "save IA32_EFER on VM exit";
    if (!(exit & VM_EXIT_LOAD_IA32_EFER))
        return "load IA32_EFER on VM exit";
    return NULL;
}

/* VPID is optional (issue 21, item 7): without it every VM entry and exit flushes VPID 0's
 * linear and combined mappings (SDM Vol. 3C 29.4.3.1), which is all Skiff's flushes ask for. */
bool vmx_vpid_usable(const struct vmx_caps *c)
{
    return (vmx_allowed1(c->proc2_ctls) & SECONDARY_EXEC_ENABLE_VPID) && c->invvpid && c->invvpid_single;
}

uint64_t vmx_fixed_cr(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
    return (value | fixed0) & fixed1;
}

uint64_t vmx_guest_cr0_fixed0(const struct vmx_caps *c, bool unrestricted)
{
    const uint64_t pe = 1ull << 0, pg = 1ull << 31;
    return unrestricted ? c->cr0_fixed0 & ~(pe | pg) : c->cr0_fixed0;
}

enum feature_control_action vmx_feature_control_action(uint64_t value)
{
    if (!(value & FEATURE_CONTROL_LOCKED))
        return FC_ENABLE_AND_LOCK;
    if (value & FEATURE_CONTROL_VMX_OUTSIDE_SMX)
        return FC_PROCEED;
    return FC_DISABLED_BY_FIRMWARE;
}
