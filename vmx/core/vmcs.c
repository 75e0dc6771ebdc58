/*
 * VMCS lifecycle and setup (SDM Vol. 3C 25 "Virtual Machine Control
 * Structures", 26.2-26.3 "Checks on VMX Controls / Host-State / Guest-State").
 *
 * Every control is computed from the capability MSRs (A.3-A.5): Skiff asks
 * for what it wants, the allowed-0 bits force what the CPU needs, and the
 * allowed-1 bits drop what the CPU does not offer.
 */
#include "vmx/core/vmcs.h"

#include "kernel/config/skiff.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/desc.h"
#include "kernel/cpu/extable.h"
#include "kernel/cpu/percpu.h"
#include "kernel/cpu/x86_exc.h"
#include "kernel/lib/format.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "kernel/smp/apic_mode.h"
#include "vmx/core/cpuid_view.h"
#include "vmx/core/spec_ctrl.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_errors.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/core/vmx_on.h"
#include "vmx/policy/xss_policy.h"

struct vmx_features vmx_features;
uint64_t vmx_tick_ticks;
uint64_t vmx_idle_ticks;
bool vmx_tick_all;
static int vmwrite_failures;

/*
 * Control fields that change outside vmcs_set(), each with its writer: the
 * CPU at every VM exit (SDM Vol. 3C 27.2: it clears the valid bit of the
 * VM-entry interruption information and sets "IA-32e mode guest" to
 * IA32_EFER.LMA, which the guest changes without an exit by setting CR0.PG),
 * or Skiff with a plain VMWRITE.  The VMCS checker reads them again at every
 * re-check.
 */
static const struct {
    uint32_t field;
    const char *writer;
} vmcs_raw_rows[] = {
    { VM_ENTRY_CONTROLS, "the CPU at every VM exit: IA-32e mode guest = IA32_EFER.LMA" },
    { VM_ENTRY_INTR_INFO_FIELD, "event injection on the exit path (vmx/vcpu/vcpu_ops.c); the CPU clears "
      "its valid bit at every VM exit" },
    { VM_ENTRY_EXCEPTION_ERROR_CODE, "event injection (vmx/vcpu/vcpu_ops.c)" },
    { VM_ENTRY_INSTRUCTION_LEN, "injection of software interrupts and exceptions (vmx/vcpu/vcpu_ops.c)" },
    { CPU_BASED_VM_EXEC_CONTROL, "NMI-window exiting, set from the NMI handler (vmx/vcpu/nmi.c)" },
};

bool vmcs_field_changes_unseen(uint32_t field)
{
    if (vmcs_field_type(field) == VMCS_TYPE_GUEST)
        return true;                         /* the CPU saves the guest state at every VM exit */
    for (unsigned i = 0; i < sizeof(vmcs_raw_rows) / sizeof(vmcs_raw_rows[0]); i++)
        if (vmcs_raw_rows[i].field == field)
            return true;
    return false;
}

bool vmcs_set(uint32_t field, uint64_t value)
{
    uint8_t st = vmx_vmwrite(field, value);
    vmcheck_dirty = true;
    if (!vmcs_field_changes_unseen(field))
        this_cpu()->vmcheck_stale = true;    /* the VMCS checker reads every field again */
    if (st == VMX_OK)
        return true;
    vmwrite_failures++;
    kprintf("skiff: error: VMWRITE %s=0x%llx failed: %s\n", vmcs_field_name(field),
            (unsigned long long)value,
            st == VMX_FAIL_INVALID ? "VMfailInvalid (no current VMCS)"
                                   : vmx_insn_error_name((uint32_t)vmcs_read(VM_INSTRUCTION_ERROR)));
    return false;
}

/* vmcs_set as a vmcs_setter (vmx/core/vmcs_compose.h): a failure is logged and counted. */
static void vmcs_put(uint32_t field, uint64_t value)
{
    (void)vmcs_set(field, value);
}

void vmx_report_fail(const char *what, int status)
{
    if (status == VMX_FAIL_VALID) {
        uint32_t err = (uint32_t)vmcs_read(VM_INSTRUCTION_ERROR);
        kprintf("skiff: %s: status 1 (VMfailValid), VM-instruction error %u: %s\n", what, err,
                vmx_insn_error_name(err));
    } else {
        kprintf("skiff: %s: status %d (VMfailInvalid: no current VMCS)\n", what, status);
    }
}

int vmcs_create(struct vcpu *v)
{
    v->vmcs_phys = alloc_page("VMCS (vCPU 0)");
    /* SDM 25.2: the first 31 bits hold the VMCS revision identifier. */
    *(uint32_t *)phys_to_virt(v->vmcs_phys) = vmx_caps.revision_id;
    return vmcs_clear(v);
}

int vmcs_clear(struct vcpu *v)
{
    int st = vmx_vmclear(v->vmcs_phys);
    if (st == VMX_OK)
        v->launch_state = VMCS_STATE_CLEAR;
    else
        vmx_report_fail("VMCLEAR", st);
    return st;
}

int vmcs_load(struct vcpu *v)
{
    int st = vmx_vmptrld(v->vmcs_phys);
    if (st != VMX_OK)
        vmx_report_fail("VMPTRLD", st);
    return st;
}

static void setup_host_state(struct vcpu *v)
{
    /* SDM 26.2.2-26.2.4: Skiff's real state, with RPL/TI = 0 selectors. */
    vmcs_set(HOST_CR0, read_cr0());
    vmcs_set(HOST_CR3, read_cr3());
    vmcs_set(HOST_CR4, read_cr4());
    vmcs_set(HOST_CS_SELECTOR, SEL_CODE64);
    vmcs_set(HOST_SS_SELECTOR, SEL_DATA);
    vmcs_set(HOST_DS_SELECTOR, SEL_DATA);
    vmcs_set(HOST_ES_SELECTOR, SEL_DATA);
    vmcs_set(HOST_FS_SELECTOR, 0);
    vmcs_set(HOST_GS_SELECTOR, 0);
    vmcs_set(HOST_TR_SELECTOR, SEL_TSS);
    vmcs_set(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
    vmcs_set(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
    vmcs_set(HOST_TR_BASE, this_cpu()->tss_base);
    vmcs_set(HOST_GDTR_BASE, this_cpu()->gdt_base);
    vmcs_set(HOST_IDTR_BASE, idt_base());
    vmcs_set(HOST_IA32_SYSENTER_CS, 0);
    vmcs_set(HOST_IA32_SYSENTER_ESP, 0);
    vmcs_set(HOST_IA32_SYSENTER_EIP, 0);
    vmcs_set(HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
    if (vmx_features.pat)
        vmcs_set(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
    vmcs_set(HOST_RSP, (uint64_t)&v->regs + sizeof(v->regs));
    vmcs_set(HOST_RIP, (uint64_t)vmx_exit_stub);
}

/* One line naming every CPUID bit this CPU has that Skiff hides because its backing is missing
 * (vmx/core/cpuid_backing.c): the guest's CPUID differs from the CPU's exactly there (and in the
 * bits "What a guest sees" lists). */
static void report_unbacked(uint32_t proc2)
{
    static const char *const regs[] = { "EAX", "EBX", "ECX", "EDX" };
    uint32_t max = cpuid(0, 0).eax, xmax = cpuid(0x80000000, 0).eax;
    char line[512];
    size_t n = 0;
    for (unsigned i = 0; i < cpuid_backing_count && n < sizeof(line); i++) {
        const struct cpuid_backing *b = &cpuid_backing_rows[i];
        uint32_t sub = b->sub == CPUID_NO_SUB ? 0 : b->sub;
        if (b->leaf == CPUID_LEAF_ARCH_CAPS || (b->leaf < 0x80000000u ? b->leaf > max : b->leaf > xmax) ||
            cpuid_backing_ok(b, proc2) || (i && cpuid_backing_rows[i - 1].leaf == b->leaf &&
                                           cpuid_backing_rows[i - 1].sub == b->sub &&
                                           cpuid_backing_rows[i - 1].reg == b->reg &&
                                           cpuid_backing_rows[i - 1].bit == b->bit))
            continue;
        struct cpuid_regs r = cpuid(b->leaf, sub);
        uint32_t reg = b->reg == CPUID_EAX ? r.eax : b->reg == CPUID_EBX ? r.ebx : b->reg == CPUID_ECX ? r.ecx : r.edx;
        if (reg & (1u << b->bit))
            n += (size_t)(b->sub == CPUID_NO_SUB
                              ? snprintf(line + n, sizeof(line) - n, " %02xH:%s[%u] %s", b->leaf, regs[b->reg],
                                         b->bit, b->name)
                              : snprintf(line + n, sizeof(line) - n, " %02xH.%u:%s[%u] %s", b->leaf, b->sub,
                                         regs[b->reg], b->bit, b->name));
    }
    if (n)
        pr_info("skiff: cpuid: not backed, hidden from the guest:%s\n", line);
}

int vmcs_setup(struct vcpu *v, const struct guest_start *gs, uint64_t io_bitmap_a,
               uint64_t io_bitmap_b, uint64_t msr_bitmap)
{
    struct vmx_features *f = &vmx_features;

    static bool chosen;

    vmwrite_failures = 0;
    if (!chosen) {                       /* once, by the BSP: every vCPU gets the same controls */
        struct vmx_wants w = { .watchdog = v->watchdog_ticks != 0,
                               .timer = v->watchdog_ticks || vmx_tick_all || vmx_idle_ticks,
                               .hlt_exit = skiff_cfg.hlt_exit };
        vmx_controls_choose(&vmx_caps, &w, &vmx_features);
        cpuid_view_init(&vmx_features, apic_firmware.guest_locked);
        cpuid_view.hide_hypervisor = skiff_cfg.hypervisor_bit_hidden;
        if (cpuid_view.hide_hypervisor)
            pr_info("skiff: cpuid: hypervisor bit hidden (hypervisor_bit=hide): the guest takes its "
                    "bare-machine paths (no paravirtual clock or IPI paths, native timer errata checks)\n");
        report_unbacked(f->proc2);
        spec_ctrl_init();
    }
    chosen = true;

    /* The MSR lists: IA32_SPEC_CTRL, IA32_FLUSH_CMD. */
    spec_ctrl_vmcs_setup(v);
    if (f->preemption_timer) {
        v->run_end_tick = !v->watchdog_ticks && vmx_tick_all;
        v->tick_value = v->watchdog_ticks ? v->watchdog_ticks : v->run_end_tick ? vmx_tick_ticks : vmx_idle_ticks;
    }
    /* The guest's PMU starts as the CPU's (its power-on PERF_GLOBAL_CTRL); nothing counts in VMX
     * root: 0 is loaded at exit, or, without the controls, the counters stay off for good
     * (the guest's value is a shadow, vmx/exit/exit_msr.c). */
    uint64_t pgc = 0;
    if (f->perf_global)
        rdmsr_safe(MSR_IA32_PERF_GLOBAL_CTRL, &pgc);
    else if (rdmsr_safe(MSR_IA32_PERF_GLOBAL_CTRL, &pgc) && pgc)
        wrmsr_safe(MSR_IA32_PERF_GLOBAL_CTRL, 0);
    /* XSAVES/XRSTORS run in the guest ("enable XSAVES/XRSTORS"): they exit when EDX:EAX, IA32_XSS
     * and the XSS-exiting bitmap (25.6.20) share a bit (26.1.3).  The bitmap names every state
     * component the guest may not enable (vmx/policy/xss_policy.c). */
    struct vmcs_control_inputs in = {
        .io_bitmap_a = io_bitmap_a, .io_bitmap_b = io_bitmap_b, .msr_bitmap = msr_bitmap, .eptp = v->eptp,
        .vpid = v->vpid, .timer_value = v->tick_value, .guest_perf_global_ctrl = pgc,
        .xss_exit_bitmap = xss_exit_bitmap(),
    };
    vmcs_compose_controls(&vmx_caps, f, &in, vmcs_put);
    /* IA32_XSS starts at its power-on 0, whatever the firmware left there, and takes only allowed
     * bits (vmx/exit/exit_msr.c). */
    if (f->proc2 & SECONDARY_EXEC_ENABLE_XSAVES) {
        static bool shown;
        char names[64];
        wrmsr_safe(MSR_IA32_XSS, 0);
        if (!shown)
            pr_info("skiff: vmx: XSS-exiting bitmap 0x%llx (XRSTORS/XSAVES of %s exit)\n",
                    (unsigned long long)xss_exit_bitmap(), xss_denied_names(names, sizeof(names)));
        shown = true;
    }

    setup_host_state(v);
    vmcs_set_guest_state(v, gs);
    return vmwrite_failures;
}

void vmcs_set_guest_state(struct vcpu *v, const struct guest_start *gs)
{
    v->cr0_mask = vmcs_cr0_mask(&vmx_caps, &vmx_features);
    v->cr4_mask = vmcs_cr4_mask(&vmx_caps);
    vmcs_compose_guest(&vmx_caps, &vmx_features, gs, vmcs_put);
}

void vcpu_flush_linear(const struct vcpu *v)
{
    if (vmx_features.vpid)
        vmx_invvpid(INVVPID_SINGLE_CONTEXT, v->vpid, 0);
}

const char *vcpu_vpid_label(const struct vcpu *v, char *buf, size_t len)
{
    if (!vmx_features.vpid)
        return "VPID off";
    snprintf(buf, len, "VPID %u", v->vpid);
    return buf;
}

void vcpu_park_timer(struct vcpu *v, bool wait_sipi)
{
    if (v->timer_parked == wait_sipi)
        return;
    struct vmx_timer_ctls t = vmx_controls_for_activity(&vmx_features, wait_sipi ? VMX_ACTIVITY_WAIT_SIPI : 0,
                                                        v->run_end_tick);
    if (wait_sipi && !(t.pin ^ vmx_controls_for_activity(&vmx_features, 0, v->run_end_tick).pin))
        return;                          /* no timer to park */
    vmcs_set(PIN_BASED_VM_EXEC_CONTROL, t.pin);
    vmcs_set(VM_EXIT_CONTROLS, t.exit);
    v->timer_parked = wait_sipi;
}

void vcpu_tick_start(struct vcpu *v)
{
    if (v->watchdog_ticks || v->run_end_tick || !vmx_tick_ticks ||
        !(vmx_allowed1(vmx_caps.pin_ctls) & PIN_BASED_VMX_PREEMPTION_TIMER))
        return;                          /* ticking already (or the watchdog), or no timer */
    v->run_end_tick = true;
    v->tick_value = vmx_tick_ticks > 0xffffffffull ? 0xffffffffull : vmx_tick_ticks;
    vmcs_set(VMX_PREEMPTION_TIMER_VALUE, v->tick_value);
    vmcs_set(PIN_BASED_VM_EXEC_CONTROL, vmcs_read(PIN_BASED_VM_EXEC_CONTROL) | PIN_BASED_VMX_PREEMPTION_TIMER);
    pr_info("skiff: smp: vCPU %u: the guest disabled its local APIC (IA32_APIC_BASE bit 11), which then takes "
            "no IPI: the run-end tick (VMX-preemption timer, 1 ms) watches it instead\n", v->cpu);
}

void vmcs_dump(void)
{
    static const uint8_t order[] = { VMCS_TYPE_CONTROL, VMCS_TYPE_GUEST, VMCS_TYPE_HOST,
                                     VMCS_TYPE_EXIT_INFO };
    uint64_t cur;

    if (vmx_vmptrst(&cur) != VMX_OK || cur == ~0ull) {
        kprintf("skiff: vmcs: no current VMCS\n");
        return;
    }
    kprintf("skiff: vmcs: dump of the current VMCS at 0x%llx\n", (unsigned long long)cur);
    for (unsigned g = 0; g < ARRAY_SIZE(order); g++) {
        kprintf("skiff: vmcs: --- %s fields ---\n", vmcs_group_name(order[g]));
        for (unsigned i = 0; i < vmcs_field_count; i++) {
            const struct vmcs_field_info *fi = &vmcs_field_table[i];
            uint64_t val;
            if (fi->group != order[g] || vmx_vmread(fi->encoding, &val) != VMX_OK)
                continue;
            kprintf("skiff: vmcs: %-30s = 0x%llx\n", fi->name, (unsigned long long)val);
        }
    }
}
