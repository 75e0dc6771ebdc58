/*
 * The values of Skiff's VMCS as pure code (vmx/core/vmcs_compose.h): every control from the
 * capability MSRs (SDM Vol. 3D A.3-A.5 through vmx_controls_choose), the guest-state area from
 * where the guest starts (SDM Vol. 3C 25.4, checked by 27.3.1 at entry).
 */
#include "vmx/core/vmcs_compose.h"

#include "kernel/cpu/x86_exc.h"
#include "vmx/core/vmcs_fields.h"

/* Access rights (SDM 25.4.1 Table 25-2). */
#define AR_CODE64   0xa09b   /* P, S, code exec/read accessed, L, G */
#define AR_CODE32   0xc09b   /* P, S, code, D/B, G */
#define AR_DATA     0xc093   /* P, S, data read/write accessed, D/B, G */
#define AR_CODE16   0x009b
#define AR_DATA16   0x0093
#define AR_TSS_BUSY 0x008b   /* P, 64-bit (or 32-bit) busy TSS */
#define AR_UNUSABLE 0x10000

void vmcs_compose_controls(const struct vmx_caps *c, const struct vmx_features *f,
                           const struct vmcs_control_inputs *in, vmcs_setter set)
{
    set(PIN_BASED_VM_EXEC_CONTROL, f->pin);
    set(CPU_BASED_VM_EXEC_CONTROL, f->proc);
    set(SECONDARY_VM_EXEC_CONTROL, f->proc2);
    set(VM_EXIT_CONTROLS, f->exit);
    /* #MC only: a machine check in the guest is the host's to report (vmx/exit/exit_misc.c). */
    set(EXCEPTION_BITMAP, 1u << X86_TRAP_MC);
    set(PAGE_FAULT_ERROR_CODE_MASK, 0);
    set(PAGE_FAULT_ERROR_CODE_MATCH, 0);
    set(CR3_TARGET_COUNT, 0);
    set(VM_ENTRY_INTR_INFO_FIELD, 0);
    set(IO_BITMAP_A, in->io_bitmap_a);
    set(IO_BITMAP_B, in->io_bitmap_b);
    set(MSR_BITMAP, in->msr_bitmap);
    set(TSC_OFFSET, 0);
    set(VIRTUAL_PROCESSOR_ID, in->vpid);
    set(EPT_POINTER, in->eptp);
    if (f->preemption_timer)
        set(VMX_PREEMPTION_TIMER_VALUE, in->timer_value > 0xffffffffull ? 0xffffffffull : in->timer_value);
    if (f->perf_global) {
        set(GUEST_IA32_PERF_GLOBAL_CTRL, in->guest_perf_global_ctrl);
        set(HOST_IA32_PERF_GLOBAL_CTRL, 0);
    }
    if (f->entry & VM_ENTRY_LOAD_IA32_RTIT_CTL)
        set(GUEST_IA32_RTIT_CTL, 0);           /* PT is not offered to the guest */
    /* The XSS-exiting bitmap exists where "enable XSAVES/XRSTORS" may be 1 (25.6.20): written
     * then, whether or not the control is on, never left to what the VMCS region happened to hold. */
    if (vmx_allowed1(c->proc2_ctls) & SECONDARY_EXEC_ENABLE_XSAVES)
        set(XSS_EXIT_BITMAP, in->xss_exit_bitmap);
}

uint64_t vmcs_cr0_mask(const struct vmx_caps *c, const struct vmx_features *f)
{
    return vmx_guest_cr0_fixed0(c, f->unrestricted_guest) | ~c->cr0_fixed1;
}

uint64_t vmcs_cr4_mask(const struct vmx_caps *c)
{
    return c->cr4_fixed0 | ~c->cr4_fixed1;
}

static void set_segment(vmcs_setter set, uint32_t sel_field, uint16_t sel, uint64_t base, uint32_t limit,
                        uint32_t ar)
{
    /* Segment fields are laid out in parallel: ES, CS, SS, DS, FS, GS, LDTR, TR. */
    unsigned i = (sel_field - GUEST_ES_SELECTOR) / 2;
    set(sel_field, sel);
    set(GUEST_ES_BASE + 2 * i, base);
    set(GUEST_ES_LIMIT + 2 * i, limit);
    set(GUEST_ES_AR_BYTES + 2 * i, ar);
}

void vmcs_compose_guest(const struct vmx_caps *c, const struct vmx_features *f, const struct guest_start *gs,
                        vmcs_setter set)
{
    uint64_t cr0_fixed0 = vmx_guest_cr0_fixed0(c, f->unrestricted_guest);
    uint32_t entry = f->entry | (gs->mode == GUEST_MODE_64 ? VM_ENTRY_IA32E_MODE : 0);

    if (gs->mode != GUEST_MODE_64)
        entry &= ~(VM_ENTRY_IA32E_MODE & ~vmx_allowed0(c->entry_ctls));
    set(VM_ENTRY_CONTROLS, entry);

    /* CR0/CR4: the guest sees its own values through the read shadows; the bits
     * VMX forces (fixed0) or forbids (~fixed1) are owned by Skiff (25.6.6). */
    set(CR0_GUEST_HOST_MASK, vmcs_cr0_mask(c, f));
    set(CR4_GUEST_HOST_MASK, vmcs_cr4_mask(c));
    set(CR0_READ_SHADOW, gs->cr0);
    set(CR4_READ_SHADOW, gs->cr4);
    set(GUEST_CR0, vmx_fixed_cr(gs->cr0, cr0_fixed0, c->cr0_fixed1));
    set(GUEST_CR4, vmx_fixed_cr(gs->cr4, c->cr4_fixed0, c->cr4_fixed1));
    set(GUEST_CR3, gs->cr3);
    set(GUEST_DR7, 0x400);
    set(GUEST_IA32_DEBUGCTL, 0);
    set(GUEST_IA32_EFER, gs->efer);
    if (f->pat)
        set(GUEST_IA32_PAT, 0x0007040600070406ull);   /* power-on PAT */

    switch (gs->mode) {
    case GUEST_MODE_64:
        set_segment(set, GUEST_CS_SELECTOR, gs->cs, 0, 0xffffffff, AR_CODE64);
        break;
    case GUEST_MODE_32:
        set_segment(set, GUEST_CS_SELECTOR, gs->cs, 0, 0xffffffff, AR_CODE32);
        break;
    case GUEST_MODE_REAL:
        set_segment(set, GUEST_CS_SELECTOR, (uint16_t)(gs->real_cs_base >> 4), gs->real_cs_base, 0xffff,
                    AR_CODE16);
        break;
    }
    uint16_t ds = gs->mode == GUEST_MODE_REAL ? 0 : gs->ds;
    uint32_t dlimit = gs->mode == GUEST_MODE_REAL ? 0xffff : 0xffffffff;
    uint32_t dar = gs->mode == GUEST_MODE_REAL ? AR_DATA16 : AR_DATA;
    set_segment(set, GUEST_SS_SELECTOR, ds, 0, dlimit, dar);
    set_segment(set, GUEST_DS_SELECTOR, ds, 0, dlimit, dar);
    set_segment(set, GUEST_ES_SELECTOR, ds, 0, dlimit, dar);
    set_segment(set, GUEST_FS_SELECTOR, ds, 0, dlimit, dar);
    set_segment(set, GUEST_GS_SELECTOR, ds, 0, dlimit, dar);
    set_segment(set, GUEST_LDTR_SELECTOR, 0, 0, 0, AR_UNUSABLE);
    set_segment(set, GUEST_TR_SELECTOR, 0, 0, 0x67, AR_TSS_BUSY);
    set(GUEST_GDTR_BASE, gs->gdt_base);
    set(GUEST_GDTR_LIMIT, gs->gdt_limit);
    set(GUEST_IDTR_BASE, gs->idt_base);
    set(GUEST_IDTR_LIMIT, gs->idt_limit);

    set(GUEST_RIP, gs->rip);
    set(GUEST_RSP, gs->rsp);
    set(GUEST_RFLAGS, gs->rflags | 2);
    set(GUEST_SYSENTER_CS, 0);
    set(GUEST_SYSENTER_ESP, 0);
    set(GUEST_SYSENTER_EIP, 0);
    set(GUEST_ACTIVITY_STATE, 0);
    set(GUEST_INTERRUPTIBILITY_INFO, 0);
    set(GUEST_PENDING_DBG_EXCEPTIONS, 0);
    set(VMCS_LINK_POINTER, ~0ull);     /* 26.3.1.5: no shadow VMCS */
}

struct guest_start vmcs_init_state(void)
{
    return (struct guest_start){
        .mode = GUEST_MODE_REAL, .real_cs_base = 0xffff0000, .rip = 0xfff0, .rflags = 2,
        .cr0 = 0x10, .gdt_limit = 0xffff, .idt_limit = 0xffff,
    };
}
