/*
 * RDMSR/WRMSR exits (SDM Vol. 3C 26.1.3; MSR bitmaps 25.6.9), dispatched
 * through the MSR policy table (vmx/policy/msr_policy.c): deny gives #GP, emulate
 * and virtualize call one handler per row kind below.  Every MSR access
 * Skiff makes for the guest is either checked against the SDM's rules first
 * or goes through rdmsr_safe/wrmsr_safe (kernel/cpu/extable.h): a value the CPU
 * refuses is the guest's #GP, never a host exception.
 */
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/extable.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "kernel/smp/apic_mode.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_caps.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/core/vmx_on.h"
#include "vmx/exit/exit.h"
#include "vmx/exit/exit_setup.h"
#include "vmx/mem/mtrr.h"
#include "vmx/policy/apic_lock.h"
#include "vmx/policy/debugctl_policy.h"
#include "vmx/policy/misc_enable.h"
#include "vmx/policy/msr_policy.h"
#include "vmx/policy/xss_policy.h"
#include "vmx/smp/apic_icr.h"
#include "vmx/smp/apic_write.h"
#include "vmx/smp/smp_guest.h"

#define MSR_IA32_MISC_ENABLE      0x1a0

/* What Skiff reads once at boot (msr_policy_init): the rules below never ask CPUID again. */
static struct {
    struct mtrr_state mtrr;          /* the firmware's MTRRs: the guest's start, Skiff's forever */
    uint64_t perf_global_valid;      /* IA32_PERF_GLOBAL_CTRL bits that exist (CPUID.0AH) */
    struct apic_lock_host apic;      /* the x2APIC lock the guest sees (vmx/policy/apic_lock.h) */
    uint64_t misc_enable;            /* the guest's IA32_MISC_ENABLE at its start (vmx/policy/misc_enable.h) */
    bool nx, mtrr_present, misc_enable_cpu;
    bool feature_control_ok;        /* IA32_FEATURE_CONTROL read at boot (h_feature_control) */
    uint64_t feature_control;
} boot;

static uint64_t hw_rdmsr0(uint32_t msr)
{
    uint64_t v;
    return rdmsr_safe(msr, &v) ? v : 0;
}

void msr_policy_init(void)
{
    struct cpuid_regs ext = cpuid(0x80000000, 0), l1 = cpuid(1, 0);
    unsigned maxphy = ext.eax >= 0x80000008 ? (cpuid(0x80000008, 0).eax & 0xff) : 36;
    boot.apic.apic_base_reserved = 0x2ffull | ~((1ull << maxphy) - 1);
    boot.apic.x2apic_supported = l1.ecx & CPUID1_ECX_X2APIC;
    boot.apic.guest_locked = apic_firmware.guest_locked;
    boot.nx = ext.eax >= 0x80000001 && (cpuid(0x80000001, 0).edx & (1u << 20));
    boot.mtrr_present = l1.edx & (1u << 12);
    boot.mtrr.maxphyaddr = maxphy;
    if (boot.mtrr_present)
        mtrr_read(&boot.mtrr, hw_rdmsr0);
    /* Architectural PMU version 2 and up has IA32_PERF_GLOBAL_CTRL (SDM Vol. 3B 20.2.2). */
    struct cpuid_regs pmu = cpuid(0, 0).eax >= 0xa ? cpuid(0xa, 0) : (struct cpuid_regs){ 0 };
    uint64_t misc = 0;
    boot.misc_enable_cpu = rdmsr_safe(MSR_IA32_MISC_ENABLE, &misc);
    boot.feature_control_ok = rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &boot.feature_control);
    boot.misc_enable = misc_enable_guest_start(boot.misc_enable_cpu, misc, (pmu.eax & 0xff) != 0);
    if ((pmu.eax & 0xff) >= 2) {
        unsigned gp = (pmu.eax >> 8) & 0xff, fixed = pmu.edx & 0x1f;
        boot.perf_global_valid = (gp >= 32 ? 0xffffffffull : (1ull << gp) - 1) |
                                 (((1ull << fixed) - 1) << 32);
    }
}

void msr_bitmap_init(uint8_t *bitmap)
{
    msr_policy_bitmap(bitmap);
}

bool msr_host_mtrrs_unchanged(unsigned *count)
{
    struct mtrr_state now = { .maxphyaddr = boot.mtrr.maxphyaddr };
    if (boot.mtrr_present)
        mtrr_read(&now, hw_rdmsr0);
    *count = boot.mtrr_present ? 2 + MTRR_FIXED_COUNT * !!(boot.mtrr.cap & MTRRCAP_FIX) +
                                     2 * (unsigned)(boot.mtrr.cap & MTRRCAP_VCNT_MASK) : 0;
    return memcmp(&now, &boot.mtrr, sizeof(now)) == 0;
}

/* A denied or refused access, named (the first few of a run: a fuzzing guest makes thousands). */
static void msr_refused(uint32_t msr, bool write, uint64_t val, const struct msr_rule *r, const char *why)
{
    static uint32_t shown;
    uint32_t n = __atomic_fetch_add(&shown, 1, __ATOMIC_RELAXED);
    if (n < 16 && write)
        pr_info("skiff: msr: WRMSR 0x%x value 0x%llx: #GP (%s: %s)\n", msr, (unsigned long long)val, r->name, why);
    else if (n < 16)
        pr_info("skiff: msr: RDMSR 0x%x: #GP (%s: %s)\n", msr, r->name, why);
    else if (n == 16)
        pr_info("skiff: msr: further refused MSR accesses are not shown\n");
}

/* ---- the handlers: true when done (val read or written), false for #GP ---- */

typedef bool (*msr_handler_fn)(struct vcpu *v, uint32_t msr, bool write, uint64_t *val);

static bool h_cpu(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    (void)v;
    return write ? wrmsr_safe(msr, *val) : rdmsr_safe(msr, val);
}

/* From the boot's read, not the CPU: under nested KVM an RDMSR in VMX root is one more exit to L0
 * (make bench, nested_l0_extra_msr).  The guest's bits cannot change: Skiff only sets the lock and
 * the VMX enables (vmx/core/vmx_on.c), which the guest never sees, and a locked IA32_FEATURE_CONTROL
 * keeps its value until reset (SDM Vol. 3C 23.7). */
static bool h_feature_control(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    (void)v;
    (void)msr;
    if (write || !boot.feature_control_ok)
        return false;
    /* Locked, VMX disabled in and outside SMX: what a VT-x-less CPU shows. */
    *val = (boot.feature_control & ~(FEATURE_CONTROL_VMX_IN_SMX | FEATURE_CONTROL_VMX_OUTSIDE_SMX)) |
           FEATURE_CONTROL_LOCKED;
    return true;
}

static bool h_apic_base(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    uint64_t old;
    if (!write)
        return rdmsr_safe(msr, val);
    if (!(rdmsr_safe(msr, &old) && apic_lock_base_write_ok(&boot.apic, old, *val) && wrmsr_safe(msr, *val)))
        return false;
    /* A disabled APIC takes no IPI, Skiff's run-end INIT included: this vCPU ticks from now on. */
    if (!(*val & APIC_BASE_EN) && smp_guest_multi())
        vcpu_tick_start(v);
    return true;
}

/* IA32_ARCH_CAPABILITIES and IA32_XAPIC_DISABLE_STATUS: the CPU's, with the x2APIC lock the guest
 * sees (vmx/policy/apic_lock.h). */
static bool h_arch_capabilities(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    uint64_t hw = 0;
    (void)v;
    bool has = rdmsr_safe(msr, &hw);
    return !write && apic_lock_arch_caps(&boot.apic, has, hw, val);
}

static bool h_xapic_disable_status(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    uint64_t hw = 0;
    (void)v;
    bool has = rdmsr_safe(msr, &hw);
    return !write && apic_lock_disable_status(&boot.apic, has, hw, val);
}

/* x2APIC ICR bits that are reserved (SDM Vol. 3A 11.12.9, Figure 11-28): 13, 17:16, 31:20. */
#define X2APIC_ICR_RESERVED ((1ull << 13) | (3ull << 16) | (0xfffull << 20))

static bool h_x2apic_icr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    uint64_t base;
    (void)v;
    /* The x2APIC MSRs exist only in x2APIC mode (11.12.1.2): #GP in xAPIC mode or disabled. */
    if (!rdmsr_safe(MSR_IA32_APIC_BASE, &base) || (base & (APIC_BASE_EN | APIC_BASE_EXTD)) !=
                                                      (APIC_BASE_EN | APIC_BASE_EXTD))
        return false;
    if (!write)
        return rdmsr_safe(msr, val);
    if (*val & X2APIC_ICR_RESERVED)
        return false;
    __atomic_fetch_add(&apic_writes_trapped, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&apic_icr_writes_trapped, 1, __ATOMIC_RELAXED);
    /* INIT and SIPI for the guest's vCPUs are Skiff's (vmx/smp/smp_guest.c) while the ICR is trapped. */
    if (smp_guest_multi() && apic_trap_on && smp_guest_icr_write((uint32_t)*val, (uint32_t)(*val >> 32)))
        return true;
    return wrmsr_safe(msr, *val);
}

static bool h_efer(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    uint64_t old = vmcs_read(GUEST_IA32_EFER);
    (void)msr;
    if (!write) {
        *val = old;
        return true;
    }
    /* NXE exists while CPUID.80000001H:EDX[20] says so: not with the guest's XD disable (Vol. 4 Table 2-2). */
    bool nx = boot.nx && !(msr_misc_enable_guest(v) & MISC_ENABLE_XD_DISABLE);
    uint64_t allowed = EFER_SCE | EFER_LME | EFER_LMA | (nx ? EFER_NXE : 0);
    if (*val & ~allowed)
        return false;
    /* LME may not change while paging is on; LMA is read-only (SDM Vol. 3A 10.8.5). */
    if ((vcpu_guest_cr0(v) & CR0_PG) && ((*val ^ old) & EFER_LME))
        return false;
    vmcs_set(GUEST_IA32_EFER, (*val & ~EFER_LMA) | (old & EFER_LMA));
    return true;
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

static bool h_pat(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    (void)v;
    if (!vmx_features.pat)
        return write ? pat_valid(*val) && wrmsr_safe(msr, *val) : rdmsr_safe(msr, val);
    if (!write)
        *val = vmcs_read(GUEST_IA32_PAT);
    else if (pat_valid(*val))
        vmcs_set(GUEST_IA32_PAT, *val);
    else
        return false;
    return true;
}

static bool h_debugctl(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    (void)v;
    (void)msr;
    if (!write) {
        *val = vmcs_read(GUEST_IA32_DEBUGCTL);
        return true;
    }
    if (!debugctl_write_ok(*val))
        return false;                               /* #GP (vmx/policy/debugctl_policy.c) */
    vmcs_set(GUEST_IA32_DEBUGCTL, *val);            /* loaded at entry ("load debug controls") */
    return true;
}

static bool h_perf_global_ctrl(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    (void)msr;
    if (!boot.perf_global_valid)
        return false;                               /* no architectural PMU v2: no such MSR */
    if (write && (*val & ~boot.perf_global_valid))
        return false;                               /* reserved bits (SDM Vol. 3B 20.2.2) */
    if (vmx_features.perf_global) {           /* vmx/core/vmcs.c: switched at entry and exit */
        if (write)
            vmcs_set(GUEST_IA32_PERF_GLOBAL_CTRL, *val);
        else
            *val = vmcs_read(GUEST_IA32_PERF_GLOBAL_CTRL);
    } else if (write) {
        v->perf_global_ctrl = *val;                 /* the counters stay off: see msr_policy_init */
    } else {
        *val = v->perf_global_ctrl;
    }
    return true;
}

/*
 * IA32_MISC_ENABLE: the guest's own copy (vmx/policy/misc_enable.h).  Reads return it; a write may
 * change only the guest-writable bits (any other differing bit is #GP, as the CPU's reserved bits);
 * fast strings, automatic thermal control and Enhanced SpeedStep also reach the CPU, where it has
 * the MSR.  LIMIT_CPUID, XD disable, ENABLE_MONITOR_FSM and xTPR disable stay in the copy: their
 * effects on the guest's CPUID and EFER.NXE are emulated, Skiff's CPU keeps its own.
 */
uint64_t msr_misc_enable_guest(struct vcpu *v)
{
    if (!v->misc_enable_loaded) {
        v->misc_enable = boot.misc_enable;
        v->misc_enable_loaded = true;
    }
    return v->misc_enable;
}

static bool h_misc_enable(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    uint64_t cur = msr_misc_enable_guest(v), cpu;
    if (!write) {
        *val = cur;
        return true;
    }
    if (!misc_enable_write_ok(cur, *val))
        return false;
    if (boot.misc_enable_cpu && ((cur ^ *val) & MISC_ENABLE_WRITE_THROUGH) &&
        !(rdmsr_safe(msr, &cpu) &&
          wrmsr_safe(msr, (cpu & ~MISC_ENABLE_WRITE_THROUGH) | (*val & MISC_ENABLE_WRITE_THROUGH))))
        return false;
    v->misc_enable = *val;
    if (*val & MISC_ENABLE_LIMIT_CPUID)             /* CPUID leaf 0 leaves the stub's fast path */
        __atomic_store_n(&vmx_cpuid_limited, true, __ATOMIC_RELAXED);
    return true;
}

static bool h_mtrr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    if (!boot.mtrr_present)
        return false;
    if (!v->mtrr_loaded) {
        v->mtrr = boot.mtrr;
        v->mtrr_loaded = true;
    }
    return write ? mtrr_msr_set(&v->mtrr, msr, *val) : mtrr_msr_get(&v->mtrr, msr, val);
}

static bool h_ucode_trigger(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    (void)v;
    (void)msr;
    (void)val;
    return write;                                   /* accepted; IA32_BIOS_SIGN_ID is unchanged */
}

/* IA32_XSS: only the supervisor state components whose MSRs the policy passes (vmx/policy/xss_policy.c);
 * the CPU then refuses what it does not support (its #GP is the guest's).  The CPU keeps the value:
 * Skiff never uses XSAVES, and every value there passed this check. */
static bool h_xss(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    (void)v;
    if (!write)
        return rdmsr_safe(msr, val);
    return xss_write_ok(*val) && wrmsr_safe(msr, *val);
}

static const msr_handler_fn msr_handlers[MSR_H_COUNT] = {
    [MSR_H_CPU] = h_cpu,
    [MSR_H_FEATURE_CONTROL] = h_feature_control,
    [MSR_H_APIC_BASE] = h_apic_base,
    [MSR_H_X2APIC_ICR] = h_x2apic_icr,
    [MSR_H_EFER] = h_efer,
    [MSR_H_PAT] = h_pat,
    [MSR_H_DEBUGCTL] = h_debugctl,
    [MSR_H_PERF_GLOBAL_CTRL] = h_perf_global_ctrl,
    [MSR_H_MISC_ENABLE] = h_misc_enable,
    [MSR_H_MTRR] = h_mtrr,
    [MSR_H_UCODE_TRIGGER] = h_ucode_trigger,
    [MSR_H_XSS] = h_xss,
    [MSR_H_ARCH_CAPABILITIES] = h_arch_capabilities,
    [MSR_H_XAPIC_DISABLE_STATUS] = h_xapic_disable_status,
};

/* One access as the table says; false: #GP. */
static bool msr_access(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    const struct msr_rule *r = msr_policy_lookup(msr);
    enum msr_action a = (enum msr_action)(write ? r->write : r->read);
    bool ok;
    if (a == MSR_DENY) {
        msr_refused(msr, write, *val, r, r->reason);
        return false;
    }
    if (a == MSR_PASS)              /* no exit for it: reached only through a stale bitmap */
        ok = h_cpu(v, msr, write, val);
    else
        ok = msr_handlers[r->handler] && msr_handlers[r->handler](v, msr, write, val);
    if (!ok)
        msr_refused(msr, write, *val, r, "refused by Skiff's check or by the CPU");
    return ok;
}

enum exit_action handle_rdmsr(struct vcpu *v)
{
    uint64_t val = 0;
    if (!msr_access(v, (uint32_t)v->regs.rcx, false, &val)) {
        vcpu_inject_exception(v, X86_TRAP_GP, true, 0);
        return EXIT_RESUME;
    }
    v->regs.rax = (uint32_t)val;
    v->regs.rdx = val >> 32;
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}

enum exit_action handle_wrmsr(struct vcpu *v)
{
    uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
    if (!msr_access(v, (uint32_t)v->regs.rcx, true, &val)) {
        vcpu_inject_exception(v, X86_TRAP_GP, true, 0);
        return EXIT_RESUME;
    }
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}
