/*
 * RDMSR/WRMSR (SDM Vol. 3C 26.1.3; MSR bitmaps 25.6.9).  Everything passes
 * through except what would reveal or reconfigure VMX, and the MSRs whose
 * guest values live in the VMCS (EFER, PAT) where a write must be checked.
 */
#include "kernel/cpu.h"
#include "kernel/lib.h"
#include "kernel/memory.h"
#include "vmx/exit.h"
#include "vmx/smp_guest.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_insn.h"
#include "vmx/vmx_on.h"
#include "vmx/vmx_setup.h"

#define MSR_IA32_APIC_BASE 0x1b
#define MSR_X2APIC_ICR     0x830
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN   (1ull << 11)

static void set_bit_for(uint8_t *bitmap, unsigned quarter_base, uint32_t msr)
{
    uint32_t idx = msr & 0x1fff;
    uint8_t *q = bitmap + quarter_base + ((msr >= 0xc0000000u) ? 1024 : 0);
    q[idx / 8] |= 1u << (idx % 8);
}

void msr_bitmap_init(uint8_t *bitmap)
{
    memset(bitmap, 0, PAGE_SIZE);
    /* Reads and writes: feature control and the VMX capability MSRs. */
    set_bit_for(bitmap, 0, MSR_IA32_FEATURE_CONTROL);
    set_bit_for(bitmap, 2048, MSR_IA32_FEATURE_CONTROL);
    for (uint32_t m = MSR_IA32_VMX_BASIC; m <= MSR_IA32_VMX_VMFUNC; m++) {
        set_bit_for(bitmap, 0, m);
        set_bit_for(bitmap, 2048, m);
    }
    /* Writes only: EFER and PAT, whose guest copies are VMCS fields. */
    set_bit_for(bitmap, 2048, MSR_IA32_EFER);
    set_bit_for(bitmap, 2048, MSR_IA32_PAT);
    /* The APIC's MMIO window follows IA32_APIC_BASE for every access of this CPU, Skiff's in
     * VMX root operation included: the guest may not move it (onto Skiff's pages, say). */
    set_bit_for(bitmap, 2048, MSR_IA32_APIC_BASE);
}

void msr_bitmap_trap_x2apic_icr(uint8_t *bitmap)
{
    set_bit_for(bitmap, 2048, MSR_X2APIC_ICR);
}

/*
 * The MSRs the bitmap covers (SDM 25.6.9); every other MSR number always exits.  Skiff passes
 * through only these: an MSR outside them would be executed by Skiff itself, and a #GP there
 * (no such MSR) would be a host exception.  The guest gets the #GP instead.
 */
static bool in_bitmap_range(uint32_t msr)
{
    return msr < 0x2000 || (msr >= 0xc0000000u && msr < 0xc0002000u);
}

/* IA32_APIC_BASE writes the guest may make: same base, a valid mode change (SDM Vol. 3A 11.12.5). */
static bool apic_base_write_ok(uint64_t old, uint64_t val)
{
    struct cpuid_regs ext = cpuid(0x80000000, 0);
    unsigned maxphy = ext.eax >= 0x80000008 ? (cpuid(0x80000008, 0).eax & 0xff) : 36;
    uint64_t reserved = 0x2ffull | ~((1ull << maxphy) - 1);
    bool x2apic = cpuid(1, 0).ecx & (1u << 21);

    if ((val & reserved) || ((val ^ old) & ~(APIC_BASE_EN | APIC_BASE_EXTD)))
        return false;                               /* reserved bits, a new base or BSP flag */
    if ((val & APIC_BASE_EXTD) && (!x2apic || !(val & APIC_BASE_EN)))
        return false;                               /* no x2APIC, or the invalid state EXTD without EN */
    if ((old & APIC_BASE_EXTD) && (old & APIC_BASE_EN) && (val & APIC_BASE_EN) && !(val & APIC_BASE_EXTD))
        return false;                               /* x2APIC -> xAPIC */
    if (!(old & APIC_BASE_EN) && (val & APIC_BASE_EXTD))
        return false;                               /* disabled -> x2APIC */
    return true;
}

static bool is_vmx_msr(uint32_t msr)
{
    return msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_VMFUNC;
}

enum exit_action handle_rdmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t val;

    if (!in_bitmap_range(msr)) {
        vcpu_inject_exception(v, X86_TRAP_GP, true, 0);
        return EXIT_RESUME;
    }
    if (msr == MSR_IA32_FEATURE_CONTROL) {
        /* Locked, VMX disabled in and outside SMX: what a VT-x-less CPU shows. */
        val = (rdmsr(msr) & ~(FEATURE_CONTROL_VMX_IN_SMX | FEATURE_CONTROL_VMX_OUTSIDE_SMX)) |
              FEATURE_CONTROL_LOCKED;
    } else if (is_vmx_msr(msr)) {
        vcpu_inject_exception(v, X86_TRAP_GP, true, 0);   /* no VMX: no such MSR */
        return EXIT_RESUME;
    } else if (msr == MSR_IA32_EFER) {
        val = vmcs_read(GUEST_IA32_EFER);
    } else if (msr == MSR_IA32_PAT && vmx_features.pat) {
        val = vmcs_read(GUEST_IA32_PAT);
    } else {
        val = rdmsr(msr);
    }
    v->regs.rax = (uint32_t)val;
    v->regs.rdx = val >> 32;
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}

/* PAT entries may hold UC, WC, WT, WP, WB or UC- (SDM Vol. 3A 12.12.2). */
static bool pat_valid(uint64_t pat)
{
    for (int i = 0; i < 8; i++) {
        unsigned t = (pat >> (i * 8)) & 0xff;
        if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
            return false;
    }
    return true;
}

enum exit_action handle_wrmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;

    if (msr == MSR_IA32_FEATURE_CONTROL || is_vmx_msr(msr) || !in_bitmap_range(msr))
        goto gp;                                    /* locked / not there */
    if (msr == MSR_IA32_APIC_BASE) {
        if (!apic_base_write_ok(rdmsr(msr), val))
            goto gp;
        wrmsr(msr, val);
        vcpu_skip_insn(v);
        return EXIT_RESUME;
    }
    if (msr == MSR_X2APIC_ICR) {
        /* x2APIC mode: INIT and SIPI for the guest's vCPUs are Skiff's (vmx/smp_guest.c). */
        if (!smp_guest_icr_write((uint32_t)val, (uint32_t)(val >> 32)))
            wrmsr(msr, val);
        vcpu_skip_insn(v);
        return EXIT_RESUME;
    }
    if (msr == MSR_IA32_EFER) {
        uint64_t old = vmcs_read(GUEST_IA32_EFER);
        bool nx = cpuid(0x80000001, 0).edx & (1u << 20);
        uint64_t allowed = EFER_SCE | EFER_LME | EFER_LMA | (nx ? EFER_NXE : 0);
        if (val & ~allowed)
            goto gp;
        /* LME may not change while paging is on; LMA is read-only (SDM Vol. 3A 10.8.5). */
        if ((vcpu_guest_cr0(v) & CR0_PG) && ((val ^ old) & EFER_LME))
            goto gp;
        vmcs_set(GUEST_IA32_EFER, (val & ~EFER_LMA) | (old & EFER_LMA));
    } else if (msr == MSR_IA32_PAT) {
        if (!pat_valid(val))
            goto gp;
        if (vmx_features.pat)
            vmcs_set(GUEST_IA32_PAT, val);
        else
            wrmsr(msr, val);
    } else {
        wrmsr(msr, val);
    }
    vcpu_skip_insn(v);
    return EXIT_RESUME;
gp:
    vcpu_inject_exception(v, X86_TRAP_GP, true, 0);
    return EXIT_RESUME;
}
