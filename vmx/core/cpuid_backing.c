/*
 * The CPUID backing table (vmx/core/cpuid_backing.h).  Bit positions: SDM Vol. 2A
 * CPUID, Vol. 3C 25.6.2 (controls), Vol. 4 Table 2-2 (MSRs); names as Linux's
 * arch/x86/include/asm/cpufeatures.h spells them.
 */
#include "vmx/core/cpuid_backing.h"

#include "vmx/core/vmx_caps.h"
#include "vmx/policy/debugctl_policy.h"
#include "vmx/policy/msr_policy.h"

enum { EAX = CPUID_EAX, EBX = CPUID_EBX, ECX = CPUID_ECX, EDX = CPUID_EDX };
#define NS CPUID_NO_SUB

#define CTL(leaf, sub, reg, bit, name, control, why) \
    { leaf, sub, reg, bit, name, CB_CONTROL, control, { { 0, 0 } }, 0, why }
#define MSRS(leaf, sub, reg, bit, name, why, ...) \
    { leaf, sub, reg, bit, name, CB_MSRS, 0, { __VA_ARGS__ }, 0, why }
#define HIDDEN(leaf, sub, reg, bit, name, why) \
    { leaf, sub, reg, bit, name, CB_HIDDEN, 0, { { 0, 0 } }, 0, why }
#define M(msr, access) { msr, CB_##access }

const struct cpuid_backing cpuid_backing_rows[] = {
    /* Instructions that raise #UD in VMX non-root operation while their control is 0 (26.3). */
    CTL(0x80000001, NS, EDX, 27, "RDTSCP", SECONDARY_EXEC_ENABLE_RDTSCP,
        "RDTSCP #UDs unless 'enable RDTSCP' is 1; requested where offered"),
    CTL(7, 0, ECX, 22, "RDPID", SECONDARY_EXEC_ENABLE_RDTSCP,
        "RDPID #UDs unless 'enable RDTSCP' is 1 (as KVM, which enables it for either bit)"),
    CTL(7, 0, EBX, 10, "INVPCID", SECONDARY_EXEC_ENABLE_INVPCID,
        "INVPCID #UDs unless 'enable INVPCID' is 1; requested where offered"),
    CTL(0xd, 1, EAX, 3, "XSAVES", SECONDARY_EXEC_ENABLE_XSAVES,
        "XSAVES/XRSTORS #UD unless 'enable XSAVES/XRSTORS' is 1; the XSS-exiting bitmap keeps the "
        "components the guest may not have (vmx/policy/xss_policy.c)"),
    CTL(7, 0, ECX, 5, "WAITPKG", SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE,
        "UMONITOR/UMWAIT/TPAUSE #UD unless 'enable user wait and pause' is 1 (Linux's udelay uses "
        "TPAUSE); requested where offered, the wait is a C0 sub-state that interrupts, NMIs and the "
        "VMX-preemption timer end"),
    MSRS(7, 0, ECX, 5, "WAITPKG", "IA32_UMWAIT_CONTROL limits the waits: the guest's", M(0xe1, RW)),
    CTL(7, 0, EDX, 18, "PCONFIG", SECONDARY_EXEC_ENABLE_PCONFIG,
        "PCONFIG #UDs unless 'enable PCONFIG' is 1: it programs the memory-encryption keys of the "
        "whole machine (MKTME), Skiff's memory included; never requested"),

    /* Never shown. */
    HIDDEN(1, NS, ECX, 5, "VMX", "no nested VMX: every VMX instruction exits and Skiff raises #UD"),
    HIDDEN(1, NS, ECX, 3, "MONITOR", "MONITOR/MWAIT exit and raise #UD: a guest's idle CPUs halt and are woken "
           "by IPIs, which reach a halted vCPU everywhere (an MWAIT wake-up by a store is not delivered by "
           "Bochs 2.7), and an MWAIT in a deep C-state would stop the VMX-preemption timer (26.5.1)"),
    HIDDEN(1, NS, ECX, 6, "SMX", "GETSEC always exits (26.1.2) and Skiff raises #UD: no measured launch"),
    HIDDEN(7, 0, EBX, 2, "SGX", "ENCLS/ENCLU would run on the machine's enclave page cache, which Skiff does "
           "not partition; IA32_FEATURE_CONTROL is the virtual one (vmx/exit/exit_msr.c); leaf 12H reads 0"),
    HIDDEN(7, 1, EAX, 27, "MSRLIST", "RDMSRLIST/WRMSRLIST need the tertiary control 'enable MSR-list "
           "instructions'; Skiff activates no tertiary controls"),

    /* Features whose MSRs the MSR policy must allow. */
    MSRS(1, NS, EDX, 21, "DS", "BTS and PEBS write records to IA32_DS_AREA, in VMX root too: denied",
         M(0x600, RW)),
    MSRS(1, NS, ECX, 4, "DS_CPL", "goes with DS (IA32_DS_AREA)", M(0x600, RW)),
    MSRS(1, NS, ECX, 2, "DTES64", "goes with DS (IA32_DS_AREA)", M(0x600, RW)),
    MSRS(1, NS, ECX, 18, "DCA", "direct cache access (IA32_PLATFORM_DCA_CAP, IA32_CPU_DCA_CAP, "
         "IA32_DCA_0_CAP): the platform's, not in the policy", M(0x1f8, R), M(0x1f9, R), M(0x1fa, RW)),
    MSRS(1, NS, ECX, 7, "EST", "IA32_PERF_STATUS, IA32_PERF_CTL", M(0x198, R), M(0x199, RW)),
    MSRS(1, NS, ECX, 15, "PDCM", "IA32_PERF_CAPABILITIES", M(0x345, R)),
    MSRS(1, NS, ECX, 21, "X2APIC", "the x2APIC MSRs", M(0x802, R), M(0x830, RW)),
    MSRS(1, NS, ECX, 24, "TSC_DEADLINE_TIMER", "IA32_TSC_DEADLINE", M(0x6e0, RW)),
    MSRS(1, NS, EDX, 5, "MSR", "IA32_TIME_STAMP_COUNTER", M(0x10, RW)),
    MSRS(1, NS, EDX, 11, "SEP", "IA32_SYSENTER_CS/ESP/EIP", M(0x174, RW), M(0x175, RW), M(0x176, RW)),
    MSRS(1, NS, EDX, 12, "MTRR", "IA32_MTRRCAP, IA32_MTRR_DEF_TYPE", M(0xfe, R), M(0x2ff, RW)),
    MSRS(1, NS, EDX, 14, "MCA", "IA32_MCG_CAP, IA32_MCG_STATUS", M(0x179, R), M(0x17a, RW)),
    MSRS(1, NS, EDX, 16, "PAT", "IA32_PAT", M(0x277, RW)),
    MSRS(6, NS, EAX, 7, "HWP", "IA32_PM_ENABLE, IA32_HWP_CAPABILITIES, IA32_HWP_REQUEST",
         M(0x770, RW), M(0x771, R), M(0x774, RW)),
    MSRS(6, NS, EAX, 8, "HWP_NOTIFY", "IA32_HWP_INTERRUPT", M(0x773, RW)),
    MSRS(6, NS, EAX, 11, "HWP_PKG_REQ", "IA32_HWP_REQUEST_PKG", M(0x772, RW)),
    MSRS(6, NS, EAX, 13, "HDC", "IA32_PKG_HDC_CTL, IA32_PM_CTL1, IA32_THREAD_STALL: not in the policy",
         M(0xdb0, RW), M(0xdb1, RW), M(0xdb2, R)),
    MSRS(6, NS, EAX, 19, "HFI", "IA32_HW_FEEDBACK_PTR names a physical page the CPU writes: the guest's "
         "address would be a host-physical one, denied", M(0x17d0, RW), M(0x17d1, RW)),
    MSRS(6, NS, EAX, 23, "ITD", "thread director: IA32_THREAD_FEEDBACK_CHAR, IA32_HW_FEEDBACK_THREAD_CONFIG "
         "(with HFI): denied", M(0x17d2, R), M(0x17d4, RW)),
    MSRS(6, NS, ECX, 0, "APERFMPERF", "IA32_MPERF, IA32_APERF", M(0xe7, RW), M(0xe8, RW)),
    MSRS(6, NS, ECX, 3, "EPB", "IA32_ENERGY_PERF_BIAS", M(0x1b0, RW)),
    MSRS(7, 0, EBX, 1, "TSC_ADJUST", "IA32_TSC_ADJUST", M(0x3b, RW)),
    MSRS(7, 0, EBX, 12, "CQM", "IA32_QM_EVTSEL, IA32_QM_CTR, IA32_PQR_ASSOC", M(0xc8d, RW), M(0xc8e, R),
         M(0xc8f, RW)),
    MSRS(7, 0, EBX, 14, "MPX", "IA32_BNDCFGS", M(0xd90, RW)),
    MSRS(7, 0, EBX, 15, "RDT_A", "IA32_PQR_ASSOC, IA32_L3_MASK_0", M(0xc8f, RW), M(0xc90, RW)),
    MSRS(7, 0, EBX, 25, "INTEL_PT", "IA32_RTIT_CTL and the output MSRs: denied (host-physical output); "
         "leaf 14H reads 0", M(0x570, RW), M(0x560, RW)),
    MSRS(7, 0, ECX, 7, "SHSTK", "IA32_U_CET, IA32_S_CET, IA32_PL0_SSP, IA32_PL3_SSP", M(0x6a0, RW),
         M(0x6a2, RW), M(0x6a4, RW), M(0x6a7, RW)),
    MSRS(7, 0, ECX, 29, "ENQCMD", "IA32_PASID", M(0xd93, RW)),
    MSRS(7, 0, ECX, 30, "SGX_LC", "IA32_SGXLEPUBKEYHASH0-3: not in the policy", M(0x8c, RW), M(0x8d, RW),
         M(0x8e, RW), M(0x8f, RW)),
    MSRS(7, 0, ECX, 31, "PKS", "IA32_PKRS (CR4.PKS is 0 in VMX root)", M(0x6e1, RW)),
    MSRS(7, 0, EDX, 5, "UINTR", "IA32_UINTR_RR-IA32_UINTR_TT: not in the policy", M(0x985, RW), M(0x989, RW)),
    MSRS(7, 0, EDX, 19, "ARCH_LBR", "IA32_LBR_CTL, IA32_LBR_DEPTH", M(0x14ce, RW), M(0x14cf, RW)),
    MSRS(7, 0, EDX, 20, "IBT", "IA32_U_CET, IA32_S_CET", M(0x6a0, RW), M(0x6a2, RW)),
    MSRS(7, 0, EDX, 26, "SPEC_CTRL", "IA32_SPEC_CTRL, IA32_PRED_CMD", M(0x48, RW), M(0x49, W)),
    MSRS(7, 0, EDX, 27, "INTEL_STIBP", "IA32_SPEC_CTRL", M(0x48, RW)),
    MSRS(7, 0, EDX, 28, "FLUSH_L1D", "IA32_FLUSH_CMD", M(0x10b, W)),
    MSRS(7, 0, EDX, 29, "ARCH_CAPABILITIES", "IA32_ARCH_CAPABILITIES", M(0x10a, R)),
    MSRS(7, 0, EDX, 30, "CORE_CAPABILITIES", "IA32_CORE_CAPABILITIES (Linux reads it for split-lock "
         "detection)", M(0xcf, R)),
    MSRS(7, 0, EDX, 31, "SPEC_CTRL_SSBD", "IA32_SPEC_CTRL", M(0x48, RW)),
    MSRS(7, 1, EAX, 17, "FRED", "IA32_FRED_CONFIG and the FRED stack MSRs are not in the policy (and the "
         "VMCS would have to switch them)", M(0x1cc, RW), M(0x1d4, RW)),
    MSRS(7, 1, EAX, 22, "HRESET", "IA32_HRESET_ENABLE goes with the hardware feedback (HFI): not in the "
         "policy", M(0x17da, RW)),
    MSRS(7, 1, EBX, 0, "INTEL_PPIN", "MSR_PPIN_CTL, MSR_PPIN", M(0x4e, RW), M(0x4f, R)),
    MSRS(0xd, 1, EAX, 4, "XFD", "IA32_XFD, IA32_XFD_ERR (AMX's first-use trap): the guest's",
         M(0x1c4, RW), M(0x1c5, RW)),
    MSRS(0x80000001, NS, EDX, 11, "SYSCALL", "IA32_STAR, IA32_LSTAR, IA32_FMASK", M(0xc0000081, RW),
         M(0xc0000082, RW), M(0xc0000084, RW)),
    { 7, 0, ECX, 24, "BUS_LOCK_DETECT", CB_DEBUGCTL, 0, { { 0, 0 } }, 1ull << 2,
      "IA32_DEBUGCTL bit 2: not among the bits the guest may set (vmx/policy/debugctl_policy.c)" },

    /* IA32_ARCH_CAPABILITIES bits (passed through unchanged): their MSRs must be there. */
    MSRS(CPUID_LEAF_ARCH_CAPS, NS, EAX, 7, "TSX_CTRL", "IA32_TSX_CTRL", M(0x122, RW)),
    MSRS(CPUID_LEAF_ARCH_CAPS, NS, EAX, 21, "XAPIC_DISABLE_STATUS",
         "IA32_XAPIC_DISABLE_STATUS: read-only, whether the firmware locked x2APIC mode", M(0xbd, R)),
};
const unsigned cpuid_backing_count = sizeof(cpuid_backing_rows) / sizeof(cpuid_backing_rows[0]);

bool cpuid_backing_ok(const struct cpuid_backing *b, uint32_t proc2)
{
    switch (b->kind) {
    case CB_CONTROL:
        return (proc2 & b->control) == b->control;
    case CB_MSRS:
        for (unsigned i = 0; i < CB_MAX_MSRS && b->msrs[i].access; i++) {
            if ((b->msrs[i].access & CB_R) && msr_policy_action(b->msrs[i].msr, false) == MSR_DENY)
                return false;
            if ((b->msrs[i].access & CB_W) && msr_policy_action(b->msrs[i].msr, true) == MSR_DENY)
                return false;
        }
        return true;
    case CB_DEBUGCTL:
        return (b->debugctl & debugctl_guest_mask()) == b->debugctl;
    default:
        return false;
    }
}

static bool same_sub(uint32_t a, uint32_t b)
{
    return a == CPUID_NO_SUB || b == CPUID_NO_SUB || a == b;
}

void cpuid_backing_view(uint32_t proc2, struct cpuid_view *v)
{
    *v = (struct cpuid_view){ 0 };
    for (unsigned i = 0; i < cpuid_backing_count; i++) {
        const struct cpuid_backing *b = &cpuid_backing_rows[i];
        if (b->leaf == CPUID_LEAF_ARCH_CAPS || cpuid_backing_ok(b, proc2))
            continue;
        unsigned k = 0;
        while (k < v->n && !(v->m[k].leaf == b->leaf && v->m[k].sub == b->sub))
            k++;
        if (k == v->n) {
            if (v->n == CPUID_VIEW_LEAVES)
                continue;            /* cannot happen: the unit test checks the table fits */
            v->m[k].leaf = b->leaf;
            v->m[k].sub = b->sub;
            v->n++;
        }
        v->m[k].clear[b->reg] |= 1u << b->bit;
    }
}

bool cpuid_view_hides(const struct cpuid_view *v, uint32_t leaf, uint32_t sub, unsigned reg, unsigned bit)
{
    for (unsigned k = 0; k < v->n; k++)
        if (v->m[k].leaf == leaf && same_sub(v->m[k].sub, sub) && (v->m[k].clear[reg] & (1u << bit)))
            return true;
    return false;
}

void cpuid_view_clear(const struct cpuid_view *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
    for (unsigned k = 0; k < v->n; k++) {
        if (v->m[k].leaf != leaf || !same_sub(v->m[k].sub, sub))
            continue;
        r->eax &= ~v->m[k].clear[0];
        r->ebx &= ~v->m[k].clear[1];
        r->ecx &= ~v->m[k].clear[2];
        r->edx &= ~v->m[k].clear[3];
    }
}
