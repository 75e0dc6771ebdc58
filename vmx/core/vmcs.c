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

bool vmcs_set(uint32_t field, uint64_t value)
{
    uint8_t st = vmx_vmwrite(field, value);
    vmcheck_dirty = true;
    if (st == VMX_OK)
        return true;
    vmwrite_failures++;
    kprintf("skiff: error: VMWRITE %s=0x%llx failed: %s\n", vmcs_field_name(field),
            (unsigned long long)value,
            st == VMX_FAIL_INVALID ? "VMfailInvalid (no current VMCS)"
                                   : vmx_insn_error_name((uint32_t)vmcs_read(VM_INSTRUCTION_ERROR)));
    return false;
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

/* Access rights (SDM 25.4.1 Table 25-2). */
#define AR_CODE64   0xa09b   /* P, S, code exec/read accessed, L, G */
#define AR_CODE32   0xc09b   /* P, S, code, D/B, G */
#define AR_DATA     0xc093   /* P, S, data read/write accessed, D/B, G */
#define AR_CODE16   0x009b
#define AR_DATA16   0x0093
#define AR_TSS_BUSY 0x008b   /* P, 64-bit (or 32-bit) busy TSS */
#define AR_UNUSABLE 0x10000

static void set_segment(uint32_t sel_field, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
    /* Segment fields are laid out in parallel: ES, CS, SS, DS, FS, GS, LDTR, TR. */
    unsigned i = (sel_field - GUEST_ES_SELECTOR) / 2;
    vmcs_set(sel_field, sel);
    vmcs_set(GUEST_ES_BASE + 2 * i, base);
    vmcs_set(GUEST_ES_LIMIT + 2 * i, limit);
    vmcs_set(GUEST_ES_AR_BYTES + 2 * i, ar);
}

static void setup_guest_state(struct vcpu *v, const struct guest_start *gs)
{
    const struct vmx_caps *c = &vmx_caps;
    uint64_t cr0_fixed0 = vmx_guest_cr0_fixed0(c, vmx_features.unrestricted_guest);

    /* CR0/CR4: the guest sees its own values through the read shadows; the bits
     * VMX forces (fixed0) or forbids (~fixed1) are owned by Skiff (25.6.6). */
    v->cr0_mask = cr0_fixed0 | ~c->cr0_fixed1;
    v->cr4_mask = c->cr4_fixed0 | ~c->cr4_fixed1;
    vmcs_set(CR0_GUEST_HOST_MASK, v->cr0_mask);
    vmcs_set(CR4_GUEST_HOST_MASK, v->cr4_mask);
    vmcs_set(CR0_READ_SHADOW, gs->cr0);
    vmcs_set(CR4_READ_SHADOW, gs->cr4);
    vmcs_set(GUEST_CR0, vmx_fixed_cr(gs->cr0, cr0_fixed0, c->cr0_fixed1));
    vmcs_set(GUEST_CR4, vmx_fixed_cr(gs->cr4, c->cr4_fixed0, c->cr4_fixed1));
    vmcs_set(GUEST_CR3, gs->cr3);
    vmcs_set(GUEST_DR7, 0x400);
    vmcs_set(GUEST_IA32_DEBUGCTL, 0);
    vmcs_set(GUEST_IA32_EFER, gs->efer);
    if (vmx_features.pat)
        vmcs_set(GUEST_IA32_PAT, 0x0007040600070406ull);   /* power-on PAT */

    switch (gs->mode) {
    case GUEST_MODE_64:
        set_segment(GUEST_CS_SELECTOR, gs->cs, 0, 0xffffffff, AR_CODE64);
        break;
    case GUEST_MODE_32:
        set_segment(GUEST_CS_SELECTOR, gs->cs, 0, 0xffffffff, AR_CODE32);
        break;
    case GUEST_MODE_REAL:
        set_segment(GUEST_CS_SELECTOR, (uint16_t)(gs->real_cs_base >> 4), gs->real_cs_base,
                    0xffff, AR_CODE16);
        break;
    }
    uint16_t ds = gs->mode == GUEST_MODE_REAL ? 0 : gs->ds;
    uint32_t dlimit = gs->mode == GUEST_MODE_REAL ? 0xffff : 0xffffffff;
    uint32_t dar = gs->mode == GUEST_MODE_REAL ? AR_DATA16 : AR_DATA;
    set_segment(GUEST_SS_SELECTOR, ds, 0, dlimit, dar);
    set_segment(GUEST_DS_SELECTOR, ds, 0, dlimit, dar);
    set_segment(GUEST_ES_SELECTOR, ds, 0, dlimit, dar);
    set_segment(GUEST_FS_SELECTOR, ds, 0, dlimit, dar);
    set_segment(GUEST_GS_SELECTOR, ds, 0, dlimit, dar);
    set_segment(GUEST_LDTR_SELECTOR, 0, 0, 0, AR_UNUSABLE);
    set_segment(GUEST_TR_SELECTOR, 0, 0, 0x67, AR_TSS_BUSY);
    vmcs_set(GUEST_GDTR_BASE, gs->gdt_base);
    vmcs_set(GUEST_GDTR_LIMIT, gs->gdt_limit);
    vmcs_set(GUEST_IDTR_BASE, gs->idt_base);
    vmcs_set(GUEST_IDTR_LIMIT, gs->idt_limit);

    vmcs_set(GUEST_RIP, gs->rip);
    vmcs_set(GUEST_RSP, gs->rsp);
    vmcs_set(GUEST_RFLAGS, gs->rflags | 2);
    vmcs_set(GUEST_SYSENTER_CS, 0);
    vmcs_set(GUEST_SYSENTER_ESP, 0);
    vmcs_set(GUEST_SYSENTER_EIP, 0);
    vmcs_set(GUEST_ACTIVITY_STATE, 0);
    vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
    vmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, 0);
    vmcs_set(VMCS_LINK_POINTER, ~0ull);     /* 26.3.1.5: no shadow VMCS */
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
        report_unbacked(f->proc2);
        spec_ctrl_init();
    }
    chosen = true;

    vmcs_set(PIN_BASED_VM_EXEC_CONTROL, f->pin);
    vmcs_set(CPU_BASED_VM_EXEC_CONTROL, f->proc);
    vmcs_set(SECONDARY_VM_EXEC_CONTROL, f->proc2);
    vmcs_set(VM_EXIT_CONTROLS, f->exit);
    /* #MC only: a machine check in the guest is the host's to report (vmx/exit/exit_misc.c). */
    vmcs_set(EXCEPTION_BITMAP, 1u << X86_TRAP_MC);
    vmcs_set(PAGE_FAULT_ERROR_CODE_MASK, 0);
    vmcs_set(PAGE_FAULT_ERROR_CODE_MATCH, 0);
    vmcs_set(CR3_TARGET_COUNT, 0);
    spec_ctrl_vmcs_setup(v);             /* the MSR lists: IA32_SPEC_CTRL, IA32_FLUSH_CMD */
    vmcs_set(VM_ENTRY_INTR_INFO_FIELD, 0);
    vmcs_set(IO_BITMAP_A, io_bitmap_a);
    vmcs_set(IO_BITMAP_B, io_bitmap_b);
    vmcs_set(MSR_BITMAP, msr_bitmap);
    vmcs_set(TSC_OFFSET, 0);
    vmcs_set(VIRTUAL_PROCESSOR_ID, v->vpid);
    vmcs_set(EPT_POINTER, v->eptp);
    if (f->preemption_timer) {
        v->run_end_tick = !v->watchdog_ticks && vmx_tick_all;
        uint64_t t = v->watchdog_ticks ? v->watchdog_ticks : v->run_end_tick ? vmx_tick_ticks : vmx_idle_ticks;
        v->tick_value = t;
        vmcs_set(VMX_PREEMPTION_TIMER_VALUE, t > 0xffffffffull ? 0xffffffffull : t);
    }

    /* The guest's PMU starts as the CPU's (its power-on PERF_GLOBAL_CTRL); nothing counts in VMX
     * root: 0 is loaded at exit, or, without the controls, the counters stay off for good
     * (the guest's value is a shadow, vmx/exit/exit_msr.c). */
    uint64_t pgc = 0;
    if (f->perf_global) {
        rdmsr_safe(MSR_IA32_PERF_GLOBAL_CTRL, &pgc);
        vmcs_set(GUEST_IA32_PERF_GLOBAL_CTRL, pgc);
        vmcs_set(HOST_IA32_PERF_GLOBAL_CTRL, 0);
    } else if (rdmsr_safe(MSR_IA32_PERF_GLOBAL_CTRL, &pgc) && pgc) {
        wrmsr_safe(MSR_IA32_PERF_GLOBAL_CTRL, 0);
    }
    if (f->entry & VM_ENTRY_LOAD_IA32_RTIT_CTL)
        vmcs_set(GUEST_IA32_RTIT_CTL, 0);           /* PT is not offered to the guest */
    /* XSAVES/XRSTORS run in the guest ("enable XSAVES/XRSTORS"): they exit when EDX:EAX, IA32_XSS
     * and the XSS-exiting bitmap (25.6.20) share a bit (26.1.3).  The bitmap names every state
     * component the guest may not enable (vmx/policy/xss_policy.c); IA32_XSS starts at its power-on
     * 0, whatever the firmware left there, and takes only allowed bits (vmx/exit/exit_msr.c). */
    /* The field exists where the control may be 1 (25.6.20): written then, whether or not the control
     * is on, never left to what the VMCS region happened to hold. */
    if (vmx_allowed1(vmx_caps.proc2_ctls) & SECONDARY_EXEC_ENABLE_XSAVES)
        vmcs_set(XSS_EXIT_BITMAP, xss_exit_bitmap());
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
    uint32_t entry = vmx_features.entry | (gs->mode == GUEST_MODE_64 ? VM_ENTRY_IA32E_MODE : 0);
    if (gs->mode != GUEST_MODE_64)
        entry &= ~(VM_ENTRY_IA32E_MODE & ~vmx_allowed0(vmx_caps.entry_ctls));
    vmcs_set(VM_ENTRY_CONTROLS, entry);
    setup_guest_state(v, gs);
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
