/*
 * The MSR policy table (vmx/policy/msr_policy.h).  Rows are sorted and never
 * overlap (tests/unit/vmx/policy/test_msr_policy.c checks both, and that the bitmap
 * matches every row).  The guest owns the machine: what only the guest uses
 * passes through (MSRs the VMCS switches on entry and exit, SDM Vol. 3C
 * 27.3.2.1 and 28.3.2.1, and MSRs Skiff never depends on).  What would let
 * the guest reach past its EPT, reconfigure Skiff, or run something in VMX
 * root operation is checked, virtualized or denied; so is everything the
 * table does not name.
 */
#include "vmx/policy/msr_policy.h"

#define ROW(first, last, rd, wr, h, name, why) \
    { first, last, MSR_##rd, MSR_##wr, MSR_H_##h, name, why }
#define GUEST_OWNED(first, last, name, why) ROW(first, last, PASS, PASS, NONE, name, why)
#define READ_ONLY(first, last, name) \
    ROW(first, last, PASS, DENY, NONE, name, "read-only (SDM Vol. 4): a write raises #GP, as on the CPU")

const struct msr_rule msr_rules[] = {
    GUEST_OWNED(0x0, 0x1, "IA32_P5_MC_ADDR, IA32_P5_MC_TYPE", "machine-check state is the guest's"),
    GUEST_OWNED(0x6, 0x6, "IA32_MONITOR_FILTER_SIZE", "MONITOR is the guest's (hidden in CPUID)"),
    GUEST_OWNED(0x10, 0x10, "IA32_TIME_STAMP_COUNTER", "the guest's clock; Skiff times only intervals"),
    READ_ONLY(0x17, 0x17, "IA32_PLATFORM_ID"),
    ROW(0x1b, 0x1b, PASS, EMULATE, APIC_BASE, "IA32_APIC_BASE",
        "the APIC window follows it in VMX root too: the base may not move (onto Skiff's pages)"),
    READ_ONLY(0x2a, 0x2a, "MSR_EBL_CR_POWERON"),
    GUEST_OWNED(0x33, 0x33, "MSR_TEST_CTRL", "split-lock detection: Skiff makes no split-locked access"),
    READ_ONLY(0x34, 0x35, "MSR_SMI_COUNT, MSR_CORE_THREAD_COUNT"),
    ROW(0x3a, 0x3a, VIRT, DENY, FEATURE_CONTROL, "IA32_FEATURE_CONTROL",
        "VMX hidden: reads locked with VMX disabled; it is locked, writes raise #GP"),
    GUEST_OWNED(0x3b, 0x3b, "IA32_TSC_ADJUST", "the guest's clock"),
    GUEST_OWNED(0x48, 0x49, "IA32_SPEC_CTRL, IA32_PRED_CMD", "speculation controls; where Skiff holds a value "
                "of its own (eIBRS, BHI_DIS_S) the VM-exit/entry MSR lists switch it (vmx/policy/spec_policy.c); "
                "PRED_CMD is a command"),
    GUEST_OWNED(0x4e, 0x4f, "MSR_PPIN_CTL, MSR_PPIN", "the processor inventory number: identification only"),
    ROW(0x79, 0x79, PASS, VIRT, UCODE_TRIGGER, "IA32_BIOS_UPDT_TRIG",
        "a microcode update from the guest would change the CPU under Skiff: accepted, nothing is loaded"),
    GUEST_OWNED(0x8b, 0x8b, "IA32_BIOS_SIGN_ID", "the revision read protocol (write 0, CPUID, read)"),
    ROW(0x9b, 0x9b, DENY, DENY, NONE, "IA32_SMM_MONITOR_CTL", "the SMM transfer monitor: SMM is not the guest's"),
    ROW(0x9e, 0x9e, DENY, DENY, NONE, "IA32_SMBASE", "SMM only"),
    ROW(0xbd, 0xbd, VIRT, DENY, XAPIC_DISABLE_STATUS, "IA32_XAPIC_DISABLE_STATUS",
        "read-only (a write raises #GP, as on the CPU): the firmware's x2APIC lock as the CPU reports it, "
        "and locked where x2APIC mode holds APIC ids xAPIC cannot address (vmx/policy/apic_lock.h)"),
    GUEST_OWNED(0xc1, 0xc8, "IA32_PMC0-7", "counters count only while the guest runs (IA32_PERF_GLOBAL_CTRL)"),
    READ_ONLY(0xce, 0xce, "MSR_PLATFORM_INFO"),
    READ_ONLY(0xcf, 0xcf, "IA32_CORE_CAPABILITIES"),
    GUEST_OWNED(0xe1, 0xe2, "IA32_UMWAIT_CONTROL, MSR_PKG_CST_CONFIG_CONTROL", "power management is the guest's"),
    GUEST_OWNED(0xe7, 0xe8, "IA32_MPERF, IA32_APERF", "the guest's counters"),
    READ_ONLY(0xfe, 0xfe, "IA32_MTRRCAP"),
    ROW(0x10a, 0x10a, VIRT, DENY, ARCH_CAPABILITIES, "IA32_ARCH_CAPABILITIES",
        "read-only (a write raises #GP, as on the CPU): the CPU's bits, and XAPIC_DISABLE_STATUS (21) where "
        "the guest reads x2APIC mode as locked (vmx/policy/apic_lock.h)"),
    GUEST_OWNED(0x10b, 0x10b, "IA32_FLUSH_CMD", "a command: flushes the L1D (Skiff's own flush on entry: "
                "vmx/policy/spec_policy.c)"),
    GUEST_OWNED(0x122, 0x123, "IA32_TSX_CTRL, IA32_MCU_OPT_CTRL", "mitigation controls"),
    GUEST_OWNED(0x140, 0x140, "MSR_MISC_FEATURES_ENABLES", "CPUID faulting applies at CPL > 0 only"),
    ROW(0x150, 0x150, DENY, DENY, NONE, "MSR_OC_MAILBOX", "voltage and overclocking: the host's hardware"),
    GUEST_OWNED(0x174, 0x176, "IA32_SYSENTER_CS/ESP/EIP", "the VMCS switches them (27.3.2.1, 28.3.2.1)"),
    READ_ONLY(0x179, 0x179, "IA32_MCG_CAP"),
    GUEST_OWNED(0x17a, 0x17b, "IA32_MCG_STATUS, IA32_MCG_CTL", "machine-check state is the guest's"),
    GUEST_OWNED(0x186, 0x18d, "IA32_PERFEVTSEL0-7", "counters count only while the guest runs (IA32_PERF_GLOBAL_CTRL)"),
    READ_ONLY(0x198, 0x198, "IA32_PERF_STATUS"),
    GUEST_OWNED(0x199, 0x19c, "IA32_PERF_CTL, IA32_CLOCK_MODULATION, IA32_THERM_INTERRUPT, IA32_THERM_STATUS",
                "power and thermal management are the guest's"),
    ROW(0x1a0, 0x1a0, VIRT, VIRT, MISC_ENABLE, "IA32_MISC_ENABLE",
        "the guest's copy: LIMIT_CPUID, XD disable, MONITOR enable... would change CPUID and paging for Skiff "
        "too; their effects on the guest's CPUID are emulated (vmx/policy/misc_enable.h)"),
    READ_ONLY(0x1a2, 0x1a2, "MSR_TEMPERATURE_TARGET"),
    GUEST_OWNED(0x1a4, 0x1a4, "MSR_MISC_FEATURE_CONTROL", "prefetcher controls"),
    GUEST_OWNED(0x1a6, 0x1a7, "MSR_OFFCORE_RSP_0/1", "performance-monitoring event selection"),
    GUEST_OWNED(0x1aa, 0x1aa, "MSR_MISC_PWR_MGMT", "power management is the guest's"),
    READ_ONLY(0x1ad, 0x1ad, "MSR_TURBO_RATIO_LIMIT"),
    GUEST_OWNED(0x1b0, 0x1b2, "IA32_ENERGY_PERF_BIAS, IA32_PACKAGE_THERM_STATUS/INTERRUPT",
                "power and thermal management are the guest's"),
    GUEST_OWNED(0x1c4, 0x1c5, "IA32_XFD, IA32_XFD_ERR", "AMX's first-use #NM: XFD arms it for the XSAVE-family "
                "and AMX instructions, which Skiff never executes"),
    GUEST_OWNED(0x1c8, 0x1c9, "MSR_LBR_SELECT, MSR_LASTBRANCH_TOS", "LBRs record only while the guest runs "
                "(a VM exit clears IA32_DEBUGCTL, 28.3.2.1)"),
    ROW(0x1d9, 0x1d9, PASS, EMULATE, DEBUGCTL, "IA32_DEBUGCTL",
        "the guest's copy is a VMCS field; BTS would write branch records to IA32_DS_AREA"),
    GUEST_OWNED(0x1db, 0x1de, "MSR_LER_FROM/TO_LIP", "branch records: registers, no memory"),
    GUEST_OWNED(0x1e0, 0x1e0, "IA32_LER_INFO", "branch records: registers, no memory (part of the LBR "
                "state component, vmx/policy/xss_policy.c)"),
    ROW(0x1f2, 0x1f3, DENY, DENY, NONE, "IA32_SMRR_PHYSBASE, IA32_SMRR_PHYSMASK", "SMRAM protection: SMM only"),
    GUEST_OWNED(0x1fc, 0x1fc, "MSR_POWER_CTL", "power management is the guest's"),
    ROW(0x200, 0x21f, VIRT, VIRT, MTRR, "IA32_MTRR_PHYSBASE0-PHYSMASK15",
        "Skiff's EPT memory types and its own accesses follow the boot MTRRs (vmx/mem/mtrr.c)"),
    ROW(0x250, 0x250, VIRT, VIRT, MTRR, "IA32_MTRR_FIX64K_00000", "as the variable MTRRs"),
    ROW(0x258, 0x259, VIRT, VIRT, MTRR, "IA32_MTRR_FIX16K_80000/A0000", "as the variable MTRRs"),
    ROW(0x268, 0x26f, VIRT, VIRT, MTRR, "IA32_MTRR_FIX4K_C0000-F8000", "as the variable MTRRs"),
    ROW(0x277, 0x277, PASS, EMULATE, PAT, "IA32_PAT", "the guest's copy is a VMCS field; entries checked (12.12.2)"),
    GUEST_OWNED(0x280, 0x29f, "IA32_MC0_CTL2-IA32_MC31_CTL2", "machine-check banks are the guest's"),
    ROW(0x2ff, 0x2ff, VIRT, VIRT, MTRR, "IA32_MTRR_DEF_TYPE", "as the variable MTRRs"),
    GUEST_OWNED(0x309, 0x30c, "IA32_FIXED_CTR0-3", "counters count only while the guest runs (IA32_PERF_GLOBAL_CTRL)"),
    READ_ONLY(0x345, 0x345, "IA32_PERF_CAPABILITIES"),
    GUEST_OWNED(0x38d, 0x38d, "IA32_FIXED_CTR_CTRL", "counters count only while the guest runs (IA32_PERF_GLOBAL_CTRL)"),
    READ_ONLY(0x38e, 0x38e, "IA32_PERF_GLOBAL_STATUS"),
    ROW(0x38f, 0x38f, EMULATE, EMULATE, PERF_GLOBAL_CTRL, "IA32_PERF_GLOBAL_CTRL",
        "switched by the VM-exit/entry controls (0 in VMX root), else a shadow: no counting in VMX root"),
    ROW(0x390, 0x391, PASS, EMULATE, CPU, "IA32_PERF_GLOBAL_STATUS_RESET/SET", "status bits only; the CPU checks them"),
    READ_ONLY(0x392, 0x392, "IA32_PERF_GLOBAL_INUSE"),
    ROW(0x3f1, 0x3f7, PASS, DENY, NONE, "IA32_PEBS_ENABLE, MSR_PEBS_DATA_CFG, MSR_PEBS_LD_LAT, MSR_PEBS_FRONTEND",
        "PEBS records go to IA32_DS_AREA, in VMX root too (DS is hidden in CPUID)"),
    READ_ONLY(0x3f8, 0x3fe, "MSR_PKG/CORE_Cn_RESIDENCY"),
    GUEST_OWNED(0x400, 0x47f, "IA32_MC0_CTL-IA32_MC31_MISC", "machine-check banks are the guest's"),
    ROW(0x480, 0x493, DENY, DENY, NONE, "IA32_VMX_BASIC-IA32_VMX_EXIT_CTLS2", "VMX hidden: no such MSRs"),
    GUEST_OWNED(0x4c1, 0x4c8, "IA32_A_PMC0-7", "counters count only while the guest runs (IA32_PERF_GLOBAL_CTRL)"),
    GUEST_OWNED(0x4d0, 0x4d0, "IA32_MCG_EXT_CTL", "machine-check state is the guest's"),
    ROW(0x560, 0x561, DENY, DENY, NONE, "IA32_RTIT_OUTPUT_BASE, IA32_RTIT_OUTPUT_MASK_PTRS",
        "Intel PT output goes to host-physical addresses ('PT uses guest-physical addresses' is off)"),
    ROW(0x570, 0x572, DENY, DENY, NONE, "IA32_RTIT_CTL, IA32_RTIT_STATUS, IA32_RTIT_CR3_MATCH",
        "Intel PT would trace into VMX root and write to host-physical addresses"),
    ROW(0x580, 0x587, DENY, DENY, NONE, "IA32_RTIT_ADDR0_A-IA32_RTIT_ADDR3_B", "Intel PT (as IA32_RTIT_CTL)"),
    ROW(0x600, 0x600, DENY, DENY, NONE, "IA32_DS_AREA",
        "BTS and PEBS records at a guest-chosen linear address, in Skiff's address space when they fire "
        "in VMX root (DS is hidden in CPUID)"),
    GUEST_OWNED(0x606, 0x66e, "MSR_RAPL_POWER_UNIT-MSR_PLATFORM_POWER_LIMIT", "RAPL and C-state residency: "
                "power management is the guest's"),
    GUEST_OWNED(0x680, 0x69f, "MSR_LASTBRANCH_0-31_FROM_IP", "branch records: registers, no memory"),
    GUEST_OWNED(0x6a0, 0x6a8, "IA32_U_CET-IA32_INTERRUPT_SSP_TABLE_ADDR", "CET takes effect with CR4.CET, "
                "which is 0 in VMX root"),
    GUEST_OWNED(0x6c0, 0x6df, "MSR_LASTBRANCH_0-31_TO_IP", "branch records: registers, no memory"),
    GUEST_OWNED(0x6e0, 0x6e1, "IA32_TSC_DEADLINE, IA32_PKRS", "the guest's timer (its APIC) and keys"),
    GUEST_OWNED(0x770, 0x777, "IA32_PM_ENABLE-IA32_HWP_STATUS", "power management is the guest's"),
    GUEST_OWNED(0x800, 0x82f, "x2APIC ID-IRR, ESR, LVT CMCI", "the APIC is the guest's (#GP in xAPIC mode, "
                "from the CPU)"),
    ROW(0x830, 0x830, PASS, EMULATE, X2APIC_ICR, "x2APIC ICR",
        "INIT and SIPI for other vCPUs are Skiff's (vmx/smp/smp_guest.c); x2APIC mode and reserved bits checked"),
    GUEST_OWNED(0x831, 0x8ff, "x2APIC LVT timer-SELF IPI", "the APIC is the guest's (#GP in xAPIC mode, "
                "from the CPU)"),
    READ_ONLY(0x981, 0x981, "IA32_TME_CAPABILITY"),
    ROW(0x982, 0x982, PASS, DENY, NONE, "IA32_TME_ACTIVATE", "memory encryption covers Skiff's memory too"),
    ROW(0xc80, 0xc80, PASS, DENY, NONE, "IA32_DEBUG_INTERFACE", "silicon debug features: the host's hardware"),
    GUEST_OWNED(0xc8d, 0xd8f, "IA32_QM_EVTSEL-IA32_L3_MASK_n", "cache monitoring and allocation are the guest's"),
    GUEST_OWNED(0xd90, 0xd90, "IA32_BNDCFGS", "MPX takes effect at CPL 0 only with XCR0's MPX state, "
                "which Skiff does not use"),
    GUEST_OWNED(0xd93, 0xd93, "IA32_PASID", "the guest's"),
    ROW(0xda0, 0xda0, PASS, EMULATE, XSS, "IA32_XSS",
        "XRSTORS loads the MSRs of every component IA32_XSS enables, past this table: only the components "
        "whose MSRs all pass (vmx/policy/xss_policy.c; Intel PT's do not)"),
    GUEST_OWNED(0x1200, 0x12ff, "IA32_LBR_0-31_INFO", "branch records: registers, no memory"),
    GUEST_OWNED(0x14ce, 0x14cf, "IA32_LBR_CTL, IA32_LBR_DEPTH", "branch records: registers, no memory"),
    GUEST_OWNED(0x1500, 0x16ff, "IA32_LBR_0-31_FROM_IP/TO_IP", "branch records: registers, no memory"),
    ROW(0xc0000080, 0xc0000080, PASS, EMULATE, EFER, "IA32_EFER",
        "the guest's copy is a VMCS field; reserved bits and LME with paging checked (10.8.5)"),
    GUEST_OWNED(0xc0000081, 0xc0000084, "IA32_STAR, IA32_LSTAR, IA32_CSTAR, IA32_FMASK",
                "SYSCALL: Skiff does not use it"),
    GUEST_OWNED(0xc0000100, 0xc0000101, "IA32_FS_BASE, IA32_GS_BASE", "the VMCS switches them"),
    GUEST_OWNED(0xc0000102, 0xc0000103, "IA32_KERNEL_GS_BASE, IA32_TSC_AUX",
                "SWAPGS and RDTSCP: Skiff uses neither"),
};
const unsigned msr_rule_count = sizeof(msr_rules) / sizeof(msr_rules[0]);

const struct msr_rule msr_rule_default = {
    0, 0xffffffffu, MSR_DENY, MSR_DENY, MSR_H_NONE, "(not in the table)",
    "not in Skiff's MSR policy: #GP, as for an MSR the CPU lacks",
};

const struct msr_rule *msr_policy_lookup(uint32_t msr)
{
    unsigned lo = 0, hi = msr_rule_count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (msr < msr_rules[mid].first)
            hi = mid;
        else if (msr > msr_rules[mid].last)
            lo = mid + 1;
        else
            return &msr_rules[mid];
    }
    return &msr_rule_default;
}

enum msr_action msr_policy_action(uint32_t msr, bool write)
{
    const struct msr_rule *r = msr_policy_lookup(msr);
    return (enum msr_action)(write ? r->write : r->read);
}

bool msr_in_bitmap_range(uint32_t msr)
{
    return msr < 0x2000 || (msr >= 0xc0000000u && msr < 0xc0002000u);
}

/* The bit for an access (25.6.9): read-low at 0, read-high at 1024, write-low 2048, write-high 3072. */
static unsigned bitmap_bit(uint32_t msr, bool write)
{
    return ((write ? 2048u : 0u) + (msr >= 0xc0000000u ? 1024u : 0u)) * 8 + (msr & 0x1fff);
}

void msr_policy_bitmap(uint8_t *bitmap)
{
    for (unsigned i = 0; i < 4096; i++)
        bitmap[i] = 0xff;                            /* the default: every access exits */
    for (unsigned i = 0; i < msr_rule_count; i++) {
        const struct msr_rule *r = &msr_rules[i];
        for (uint32_t m = r->first; msr_in_bitmap_range(m) && m <= r->last; m++) {
            unsigned rb = bitmap_bit(m, false), wb = bitmap_bit(m, true);
            if (r->read == MSR_PASS)
                bitmap[rb / 8] &= (uint8_t)~(1u << (rb % 8));
            if (r->write == MSR_PASS)
                bitmap[wb / 8] &= (uint8_t)~(1u << (wb % 8));
            if (m == 0xffffffffu)
                break;
        }
    }
}

bool msr_bitmap_exits(const uint8_t *bitmap, uint32_t msr, bool write)
{
    if (!msr_in_bitmap_range(msr))
        return true;
    unsigned b = bitmap_bit(msr, write);
    return bitmap[b / 8] & (1u << (b % 8));
}
