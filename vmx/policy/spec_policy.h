/*
 * Transient-execution mitigations: one table, one row per mitigation, and a
 * pure function from what the CPU enumerates (CPUID.(7,0).EDX, CPUID.(7,2).EDX,
 * IA32_ARCH_CAPABILITIES) to the set Skiff puts in force (vmx/policy/spec_policy.c).
 * vmx/core/spec_ctrl.c applies it: the host's IA32_SPEC_CTRL, the VM-exit and
 * VM-entry MSR lists, and the exit stub's VERW and RSB flags.
 */
#ifndef SKIFF_VMX_POLICY_SPEC_POLICY_H
#define SKIFF_VMX_POLICY_SPEC_POLICY_H

#include <stdbool.h>
#include <stdint.h>

/* CPUID.(EAX=7,ECX=0).EDX (SDM Vol. 2A, CPUID; Linux arch/x86/include/asm/cpufeatures.h). */
#define CPUID7_EDX_MD_CLEAR     (1u << 10)
#define CPUID7_EDX_IBRS_IBPB    (1u << 26)    /* IA32_SPEC_CTRL.IBRS and IA32_PRED_CMD.IBPB */
#define CPUID7_EDX_STIBP        (1u << 27)
#define CPUID7_EDX_L1D_FLUSH    (1u << 28)    /* IA32_FLUSH_CMD */
#define CPUID7_EDX_ARCH_CAP     (1u << 29)    /* IA32_ARCH_CAPABILITIES */
#define CPUID7_EDX_SSBD         (1u << 31)
/* CPUID.(EAX=7,ECX=0).EBX */
#define CPUID7_EBX_RTM          (1u << 11)    /* TSX: what TAA needs */
/* CPUID.(EAX=7,ECX=2).EDX */
#define CPUID7_2_EDX_BHI_CTRL   (1u << 4)     /* IA32_SPEC_CTRL.BHI_DIS_S */

/* IA32_ARCH_CAPABILITIES (MSR 0x10A) bits. */
#define ARCH_CAP_RDCL_NO            (1ull << 0)
#define ARCH_CAP_IBRS_ALL           (1ull << 1)   /* enhanced IBRS */
#define ARCH_CAP_RSBA               (1ull << 2)
#define ARCH_CAP_SKIP_L1DFL_VMENTRY (1ull << 3)
#define ARCH_CAP_SSB_NO             (1ull << 4)
#define ARCH_CAP_MDS_NO             (1ull << 5)
#define ARCH_CAP_PSCHANGE_MC_NO     (1ull << 6)
#define ARCH_CAP_TSX_CTRL           (1ull << 7)
#define ARCH_CAP_TAA_NO             (1ull << 8)
#define ARCH_CAP_SBDR_SSDP_NO       (1ull << 13)
#define ARCH_CAP_FBSDP_NO           (1ull << 14)
#define ARCH_CAP_PSDP_NO            (1ull << 15)
#define ARCH_CAP_FB_CLEAR           (1ull << 17)
#define ARCH_CAP_RRSBA              (1ull << 19)
#define ARCH_CAP_BHI_NO             (1ull << 20)
#define ARCH_CAP_PBRSB_NO           (1ull << 24)
#define ARCH_CAP_GDS_CTRL           (1ull << 25)
#define ARCH_CAP_GDS_NO             (1ull << 26)
#define ARCH_CAP_RFDS_NO            (1ull << 27)
#define ARCH_CAP_RFDS_CLEAR         (1ull << 28)

/* IA32_SPEC_CTRL (MSR 0x48) bits Skiff may hold in the host. */
#define SPEC_CTRL_IBRS      (1ull << 0)
#define SPEC_CTRL_BHI_DIS_S (1ull << 10)

/* What the CPU enumerates: the function's only input. */
struct spec_cpu {
    uint32_t cpuid7_edx;
    uint32_t cpuid7_ebx;
    uint32_t cpuid7_2_edx;
    uint64_t arch_cap;      /* 0 unless CPUID7_EDX_ARCH_CAP (the MSR does not exist then) */
};

/* The mitigations in force: a set of these. */
enum spec_mitigation {
    SPEC_M_RETPOLINE     = 1u << 0,  /* skiff.elf is built with retpolines (always) */
    SPEC_M_EIBRS         = 1u << 1,  /* IA32_SPEC_CTRL.IBRS held set in the host */
    SPEC_M_BHI_DIS_S     = 1u << 2,  /* IA32_SPEC_CTRL.BHI_DIS_S held set in the host */
    SPEC_M_SPEC_CTRL_SWAP = 1u << 3, /* guest's value stored at exit, the host's loaded; the guest's at entry */
    SPEC_M_L1D_FLUSH     = 1u << 4,  /* IA32_FLUSH_CMD.L1D_FLUSH on every VM entry (MSR-load list) */
    SPEC_M_VERW          = 1u << 5,  /* VERW just before every VMLAUNCH/VMRESUME */
    SPEC_M_RSB_FILL      = 1u << 6,  /* 32 RSB entries overwritten at the top of every exit */
    SPEC_M_RSB_LITE      = 1u << 7,  /* one CALL + LFENCE at the top of every exit (PBRSB) */
    /* Affected, and the CPU lacks the control to mitigate it: reported, not mitigated. */
    SPEC_M_L1TF_OPEN     = 1u << 8,  /* L1TF affected, no L1D_FLUSH (old microcode) */
    SPEC_M_MDS_OPEN      = 1u << 9,  /* MDS/TAA/MMIO affected, no MD_CLEAR or FB_CLEAR (old microcode) */
};

struct spec_plan {
    uint32_t in_force;          /* enum spec_mitigation bits */
    uint64_t host_spec_ctrl;    /* Skiff's IA32_SPEC_CTRL in VMX root operation */
    /* Which issues apply, as the CPU tells them (for the boot line and the rows). */
    bool l1tf, mds, taa, mmio, rfds, bhi, gds, ssb;
};

/* The pure decision: no CPU access. */
struct spec_plan spec_plan_for(const struct spec_cpu *cpu);

/* The table: one row per mitigation, with the condition, what Skiff does and why. */
struct spec_row {
    const char *name;
    const char *condition;
    const char *does;
    const char *why;
};
extern const struct spec_row spec_rows[];
extern const unsigned spec_row_count;

/* This CPU's decision for row i, in a few words ("in force: ...", "not affected", ...). */
const char *spec_row_verdict(unsigned i, const struct spec_cpu *cpu, const struct spec_plan *p);

/* The boot line's words: "eIBRS in the host, VERW on entry, no L1D flush (not affected)". */
void spec_plan_summary(const struct spec_plan *p, char *buf, unsigned size);

#endif
