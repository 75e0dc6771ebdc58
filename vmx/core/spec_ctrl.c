/*
 * Transient-execution mitigations, applied (vmx/core/spec_ctrl.h; the table and the decision:
 * vmx/policy/spec_policy.c).
 *
 * IA32_SPEC_CTRL passes to the guest (vmx/policy/msr_policy.c).  When Skiff holds a value of its
 * own (IBRS with eIBRS, BHI_DIS_S), the CPU switches the MSR at every exit and entry: the VM-exit
 * MSR-store list keeps the guest's value, the VM-exit MSR-load list loads Skiff's (SDM Vol. 3C
 * 28.4 "Loading MSRs" happens before the first host instruction), the VM-entry MSR-load list gives
 * the guest its own back.  The L1D flush is the VM-entry MSR-load list's last entry
 * (IA32_FLUSH_CMD.L1D_FLUSH): it runs after every host instruction of the entry.
 */
#include "vmx/core/spec_ctrl.h"

#include "boot/layout.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/desc.h"
#include "kernel/cpu/extable.h"
#include "kernel/mem/memory.h"
#include "vmx/core/vcpu.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmcs_fields.h"

#define MSR_IA32_SPEC_CTRL         0x48
#define MSR_IA32_ARCH_CAPABILITIES 0x10a
#define MSR_IA32_FLUSH_CMD         0x10b
#define L1D_FLUSH                  1

struct spec_plan spec_in_force;
uint8_t spec_verw_on_entry;
uint8_t spec_rsb_on_exit;
uint16_t spec_verw_sel = SEL_DATA;

static struct spec_cpu spec_cpu_read(void)
{
    struct spec_cpu c = { 0 };
    if (cpuid(0, 0).eax < 7)
        return c;
    struct cpuid_regs l7 = cpuid(7, 0);
    c.cpuid7_edx = l7.edx;
    c.cpuid7_ebx = l7.ebx;
    if (l7.eax >= 2)
        c.cpuid7_2_edx = cpuid(7, 2).edx;
    if ((c.cpuid7_edx & CPUID7_EDX_ARCH_CAP) && !rdmsr_safe(MSR_IA32_ARCH_CAPABILITIES, &c.arch_cap))
        c.arch_cap = 0;
    return c;
}

void spec_ctrl_init(void)
{
    struct spec_cpu c = spec_cpu_read();
    struct spec_plan p = spec_plan_for(&c);
    spec_in_force = p;
    spec_verw_on_entry = (p.in_force & SPEC_M_VERW) != 0;
    spec_rsb_on_exit = (p.in_force & SPEC_M_RSB_FILL) ? 2 : (p.in_force & SPEC_M_RSB_LITE) ? 1 : 0;

    char line[320];
    spec_plan_summary(&p, line, sizeof(line));
    pr_info("skiff: spec: %s\n", line);
    pr_debug("skiff: spec: CPUID.(7,0).EDX=0x%08x CPUID.(7,2).EDX=0x%08x IA32_ARCH_CAPABILITIES=0x%llx "
             "host IA32_SPEC_CTRL=0x%llx\n", c.cpuid7_edx, c.cpuid7_2_edx, (unsigned long long)c.arch_cap,
             (unsigned long long)p.host_spec_ctrl);
    for (unsigned i = 0; i < spec_row_count; i++)
        pr_debug("skiff: spec: %-24s %s\n", spec_rows[i].name, spec_row_verdict(i, &c, &p));
}

/* vCPU 0 lives in Skiff's image; the APs' in identity-mapped pages (kernel/mem/memory.h). */
static uint64_t phys_of(const void *p)
{
    return (uint64_t)p >= SKIFF_VMA ? image_phys_of(p) : (uint64_t)p;
}

void spec_ctrl_vmcs_setup(struct vcpu *v)
{
    uint32_t f = spec_in_force.in_force;
    unsigned load = 0;
    uint64_t entry_list = 0;

    vmcs_set(VM_EXIT_MSR_STORE_COUNT, 0);
    vmcs_set(VM_EXIT_MSR_LOAD_COUNT, 0);
    if (f & SPEC_M_SPEC_CTRL_SWAP) {
        wrmsr(MSR_IA32_SPEC_CTRL, spec_in_force.host_spec_ctrl);
        v->spec_guest_msrs[0] = (struct vmx_msr_entry){ MSR_IA32_SPEC_CTRL, 0, 0 };  /* its power-on 0 */
        v->spec_host_msrs[0] = (struct vmx_msr_entry){ MSR_IA32_SPEC_CTRL, 0, spec_in_force.host_spec_ctrl };
        vmcs_set(VM_EXIT_MSR_STORE_ADDR, phys_of(&v->spec_guest_msrs[0]));
        vmcs_set(VM_EXIT_MSR_STORE_COUNT, 1);
        vmcs_set(VM_EXIT_MSR_LOAD_ADDR, phys_of(&v->spec_host_msrs[0]));
        vmcs_set(VM_EXIT_MSR_LOAD_COUNT, 1);
        entry_list = phys_of(&v->spec_guest_msrs[0]);
        load = 1;
    }
    if (f & SPEC_M_L1D_FLUSH) {
        v->spec_guest_msrs[1] = (struct vmx_msr_entry){ MSR_IA32_FLUSH_CMD, 0, L1D_FLUSH };
        if (!load)
            entry_list = phys_of(&v->spec_guest_msrs[1]);
        load++;
    }
    if (load)
        vmcs_set(VM_ENTRY_MSR_LOAD_ADDR, entry_list);
    vmcs_set(VM_ENTRY_MSR_LOAD_COUNT, load);
}
