/*
 * VMX operation (SDM Vol. 3C 24.6 "Discovering Support for VMX", 24.7
 * "Enabling and Entering VMX Operation", 24.8 "Restrictions on VMX Operation").
 */
#include "vmx/core/vmx_on.h"

#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/end/runend.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "vmx/core/host_pages.h"
#include "vmx/core/hw_report.h"
#include "vmx/core/vmx_errors.h"
#include "vmx/core/vmx_insn.h"

struct vmx_caps vmx_caps;
static uint64_t vmxon_region;

uint64_t vmx_vmxon_phys(void) { return vmxon_region; }   /* vmx/core/host_pages.h */

static uint64_t host_rdmsr(uint32_t msr) { return rdmsr(msr); }

static void print_caps_detail(const struct vmx_caps *c)
{
    pr_debug("skiff: vmx: IA32_VMX_BASIC=0x%016llx (revision 0x%x, VMCS %u bytes, memory type %u, TRUE controls %s)\n",
             (unsigned long long)c->basic, c->revision_id, c->vmcs_size, c->vmcs_memtype,
             c->true_ctls ? "yes" : "no");
    pr_debug("skiff: vmx: pin=0x%016llx proc=0x%016llx proc2=0x%016llx\n",
             (unsigned long long)c->pin_ctls, (unsigned long long)c->proc_ctls,
             (unsigned long long)c->proc2_ctls);
    pr_debug("skiff: vmx: exit=0x%016llx entry=0x%016llx misc=0x%016llx\n",
             (unsigned long long)c->exit_ctls, (unsigned long long)c->entry_ctls,
             (unsigned long long)c->misc);
    pr_debug("skiff: vmx: CR0 fixed0=0x%llx fixed1=0x%llx, CR4 fixed0=0x%llx fixed1=0x%llx\n",
             (unsigned long long)c->cr0_fixed0, (unsigned long long)c->cr0_fixed1,
             (unsigned long long)c->cr4_fixed0, (unsigned long long)c->cr4_fixed1);
    pr_debug("skiff: vmx: IA32_VMX_EPT_VPID_CAP=0x%016llx\n", (unsigned long long)c->ept_vpid);
}

int vmx_enable(void)
{
    struct vmx_caps *c = &vmx_caps;

    hw_report_print();                   /* loglevel=debug: this machine as a profile, refused or not */
    /* SDM 24.6: CPUID.1:ECX.VMX[bit 5].  Never touch CR4.VMXE without it. */
    if (!(cpuid(1, 0).ecx & (1u << 5))) {
        kprintf("skiff: error: VMX not available on this CPU (CPUID.1:ECX.VMX[bit 5] = 0)\n");
        return SKIFF_UNSUPPORTED;
    }

    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    switch (vmx_feature_control_action(fc)) {
    case FC_DISABLED_BY_FIRMWARE:
        kprintf("skiff: error: VT-x is disabled by the firmware (IA32_FEATURE_CONTROL=0x%llx: "
                "locked, VMX outside SMX off); enable Intel Virtualization Technology (VT-x) "
                "in the BIOS/UEFI setup\n", (unsigned long long)fc);
        return SKIFF_UNSUPPORTED;
    case FC_ENABLE_AND_LOCK:
        pr_info("skiff: vmx: IA32_FEATURE_CONTROL=0x%llx unlocked: enabling VMX outside SMX and locking it\n",
                (unsigned long long)fc);
        wrmsr(MSR_IA32_FEATURE_CONTROL,
              fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
        break;
    case FC_PROCEED:
        pr_info("skiff: vmx: IA32_FEATURE_CONTROL=0x%llx locked by the firmware, VMX outside SMX enabled\n",
                (unsigned long long)fc);
        break;
    }

    vmx_caps_read(c, host_rdmsr);
    const char *missing = vmx_caps_missing(c);
    print_caps_detail(c);
    if (missing) {
        kprintf(VMX_CAPS_REFUSAL_FMT, missing);
        return SKIFF_UNSUPPORTED;
    }
    if (c->vmcs_size > PAGE_SIZE || (c->basic & VMX_BASIC_ADDR32)) {
        kprintf("skiff: error: unsupported VMX: VMCS size %u or 32-bit physical-address limit\n",
                c->vmcs_size);
        return SKIFF_UNSUPPORTED;
    }
    uint32_t proc2 = vmx_allowed1(c->proc2_ctls);
    pr_info("skiff: vmx: VMX ok: revision 0x%x, EPT%s%s, VPID, unrestricted guest %s, "
            "preemption timer %s\n",
            c->revision_id, c->ept_1g ? " 1G" : "", c->ept_2m ? " 2M" : "",
            proc2 & SECONDARY_EXEC_UNRESTRICTED_GUEST ? "yes" : "no",
            vmx_allowed1(c->pin_ctls) & PIN_BASED_VMX_PREEMPTION_TIMER ? "yes" : "no");
    pr_info("skiff: vmx: NMIs: NMI exiting %s, virtual NMIs %s, NMI-window exiting %s\n",
            vmx_allowed1(c->pin_ctls) & PIN_BASED_NMI_EXITING ? "yes" : "no",
            vmx_allowed1(c->pin_ctls) & PIN_BASED_VIRTUAL_NMIS ? "yes" : "no",
            vmx_allowed1(c->proc_ctls) & CPU_BASED_NMI_WINDOW_EXITING ? "yes" : "no");

    /* SDM 24.8: CR0 and CR4 must respect the fixed bits before VMXON. */
    uint64_t cr0 = read_cr0(), cr4 = read_cr4() | CR4_VMXE;
    if (cpuid(1, 0).ecx & (1u << 26))
        cr4 |= CR4_OSXSAVE;              /* lets Skiff execute XSETBV for the guest */
    write_cr0(vmx_fixed_cr(cr0, c->cr0_fixed0, c->cr0_fixed1));
    write_cr4(vmx_fixed_cr(cr4, c->cr4_fixed0, c->cr4_fixed1));

    /* SDM 24.11.5: the VMXON region starts with the VMCS revision identifier. */
    vmxon_region = alloc_page("VMXON region (BSP)");
    *(uint32_t *)phys_to_virt(vmxon_region) = c->revision_id;
    uint8_t st = vmx_on(vmxon_region);
    if (st) {
        kprintf("skiff: error: VMXON failed with status %u (%s)\n", st,
                st == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid");
        return SKIFF_VMX_FAILED;
    }
    pr_info("skiff: vmx: VMXON ok (VMXON region at 0x%llx)\n", (unsigned long long)vmxon_region);
    return 0;
}

bool vmx_enable_ap(uint64_t vmxon_phys, uint64_t cr4)
{
    if (!(cpuid(1, 0).ecx & (1u << 5)))
        return false;
    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    switch (vmx_feature_control_action(fc)) {
    case FC_DISABLED_BY_FIRMWARE:
        return false;
    case FC_ENABLE_AND_LOCK:
        wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
        break;
    case FC_PROCEED:
        break;
    }
    cr4 |= CR4_VMXE;
    if (cpuid(1, 0).ecx & (1u << 26))
        cr4 |= CR4_OSXSAVE;              /* as on the BSP: Skiff executes XSETBV for the guest */
    write_cr0(vmx_fixed_cr(read_cr0(), rdmsr(MSR_IA32_VMX_CR0_FIXED0), rdmsr(MSR_IA32_VMX_CR0_FIXED1)));
    write_cr4(vmx_fixed_cr(cr4, rdmsr(MSR_IA32_VMX_CR4_FIXED0), rdmsr(MSR_IA32_VMX_CR4_FIXED1)));
    *(uint32_t *)phys_to_virt(vmxon_phys) = (uint32_t)rdmsr(MSR_IA32_VMX_BASIC) & 0x7fffffff;
    return vmx_on(vmxon_phys) == VMX_OK;
}
