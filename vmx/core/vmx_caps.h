/*
 * VMX capability MSRs (SDM Vol. 3D Appendix A), VM-execution, VM-exit and
 * VM-entry control bits (SDM Vol. 3C 25.6, 25.7, 25.8) and pure helpers to
 * adjust controls and check what Skiff needs.
 */
#ifndef SKIFF_VMX_CAPS_H
#define SKIFF_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_IA32_VMX_BASIC               0x480
#define MSR_IA32_VMX_PINBASED_CTLS       0x481
#define MSR_IA32_VMX_PROCBASED_CTLS      0x482
#define MSR_IA32_VMX_EXIT_CTLS           0x483
#define MSR_IA32_VMX_ENTRY_CTLS          0x484
#define MSR_IA32_VMX_MISC                0x485
#define MSR_IA32_VMX_CR0_FIXED0          0x486
#define MSR_IA32_VMX_CR0_FIXED1          0x487
#define MSR_IA32_VMX_CR4_FIXED0          0x488
#define MSR_IA32_VMX_CR4_FIXED1          0x489
#define MSR_IA32_VMX_VMCS_ENUM           0x48a
#define MSR_IA32_VMX_PROCBASED_CTLS2     0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP        0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS  0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS      0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS     0x490
#define MSR_IA32_VMX_VMFUNC              0x491

/* IA32_VMX_BASIC (A.1) */
#define VMX_BASIC_REVISION_MASK   0x7fffffffull
#define VMX_BASIC_SIZE_SHIFT      32            /* bits 44:32 VMCS region size */
#define VMX_BASIC_SIZE_MASK       0x1fffull
#define VMX_BASIC_ADDR32          (1ull << 48)  /* physical addresses limited to 32 bits */
#define VMX_BASIC_DUAL_MONITOR    (1ull << 49)
#define VMX_BASIC_MEMTYPE_SHIFT   50            /* bits 53:50, 0 UC, 6 WB */
#define VMX_BASIC_INOUT           (1ull << 54)
#define VMX_BASIC_TRUE_CTLS       (1ull << 55)
#define VMX_BASIC_NO_HW_ERRCODE   (1ull << 56)

/* IA32_VMX_MISC (A.6) */
#define VMX_MISC_TIMER_RATE_MASK  0x1full       /* timer ticks when TSC bit N changes */
#define VMX_MISC_SAVE_EFER_LMA    (1ull << 5)
#define VMX_MISC_ACT_HLT          (1ull << 6)
#define VMX_MISC_ACT_SHUTDOWN     (1ull << 7)
#define VMX_MISC_ACT_WAIT_SIPI    (1ull << 8)
#define VMX_MISC_CR3_TARGETS_SHIFT 16           /* bits 24:16 */
#define VMX_MISC_VMWRITE_ANY      (1ull << 29)

/* Pin-based VM-execution controls (25.6.1, Table 25-5) */
#define PIN_BASED_EXT_INTR_MASK           (1u << 0)
#define PIN_BASED_NMI_EXITING             (1u << 3)
#define PIN_BASED_VIRTUAL_NMIS            (1u << 5)
#define PIN_BASED_VMX_PREEMPTION_TIMER    (1u << 6)
#define PIN_BASED_POSTED_INTR             (1u << 7)

/* Primary processor-based VM-execution controls (25.6.2, Table 25-6) */
#define CPU_BASED_INTR_WINDOW_EXITING     (1u << 2)
#define CPU_BASED_USE_TSC_OFFSETTING      (1u << 3)
#define CPU_BASED_HLT_EXITING             (1u << 7)
#define CPU_BASED_INVLPG_EXITING          (1u << 9)
#define CPU_BASED_MWAIT_EXITING           (1u << 10)
#define CPU_BASED_RDPMC_EXITING           (1u << 11)
#define CPU_BASED_RDTSC_EXITING           (1u << 12)
#define CPU_BASED_CR3_LOAD_EXITING        (1u << 15)
#define CPU_BASED_CR3_STORE_EXITING       (1u << 16)
#define CPU_BASED_ACTIVATE_TERTIARY_CONTROLS (1u << 17)
#define CPU_BASED_CR8_LOAD_EXITING        (1u << 19)
#define CPU_BASED_CR8_STORE_EXITING       (1u << 20)
#define CPU_BASED_TPR_SHADOW              (1u << 21)
#define CPU_BASED_NMI_WINDOW_EXITING      (1u << 22)
#define CPU_BASED_MOV_DR_EXITING          (1u << 23)
#define CPU_BASED_UNCOND_IO_EXITING       (1u << 24)
#define CPU_BASED_USE_IO_BITMAPS          (1u << 25)
#define CPU_BASED_MONITOR_TRAP_FLAG       (1u << 27)
#define CPU_BASED_USE_MSR_BITMAPS         (1u << 28)
#define CPU_BASED_MONITOR_EXITING         (1u << 29)
#define CPU_BASED_PAUSE_EXITING           (1u << 30)
#define CPU_BASED_ACTIVATE_SECONDARY_CONTROLS (1u << 31)

/* Secondary processor-based VM-execution controls (25.6.2, Table 25-7) */
#define SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES (1u << 0)
#define SECONDARY_EXEC_ENABLE_EPT         (1u << 1)
#define SECONDARY_EXEC_DESC               (1u << 2)  /* descriptor-table exiting */
#define SECONDARY_EXEC_ENABLE_RDTSCP      (1u << 3)
#define SECONDARY_EXEC_VIRTUALIZE_X2APIC  (1u << 4)
#define SECONDARY_EXEC_ENABLE_VPID        (1u << 5)
#define SECONDARY_EXEC_WBINVD_EXITING     (1u << 6)
#define SECONDARY_EXEC_UNRESTRICTED_GUEST (1u << 7)
#define SECONDARY_EXEC_APIC_REGISTER_VIRT (1u << 8)
#define SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY (1u << 9)
#define SECONDARY_EXEC_PAUSE_LOOP_EXITING (1u << 10)
#define SECONDARY_EXEC_RDRAND_EXITING     (1u << 11)
#define SECONDARY_EXEC_ENABLE_INVPCID     (1u << 12)
#define SECONDARY_EXEC_ENABLE_VMFUNC      (1u << 13)
#define SECONDARY_EXEC_SHADOW_VMCS        (1u << 14)
#define SECONDARY_EXEC_ENCLS_EXITING      (1u << 15)
#define SECONDARY_EXEC_RDSEED_EXITING     (1u << 16)
#define SECONDARY_EXEC_ENABLE_PML         (1u << 17)
#define SECONDARY_EXEC_EPT_VIOLATION_VE   (1u << 18)
#define SECONDARY_EXEC_PT_CONCEAL_VMX     (1u << 19)
#define SECONDARY_EXEC_ENABLE_XSAVES      (1u << 20)
#define SECONDARY_EXEC_MODE_BASED_EPT_EXEC (1u << 22)
#define SECONDARY_EXEC_PT_USE_GPA         (1u << 24)
#define SECONDARY_EXEC_TSC_SCALING        (1u << 25)
#define SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE (1u << 26)
#define SECONDARY_EXEC_ENABLE_PCONFIG     (1u << 27)
#define SECONDARY_EXEC_ENCLV_EXITING      (1u << 28)

/* Primary VM-exit controls (25.7.1, Table 25-13) */
#define VM_EXIT_SAVE_DEBUG_CONTROLS       (1u << 2)
#define VM_EXIT_HOST_ADDR_SPACE_SIZE      (1u << 9)
#define VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL (1u << 12)
#define VM_EXIT_ACK_INTR_ON_EXIT          (1u << 15)
#define VM_EXIT_SAVE_IA32_PAT             (1u << 18)
#define VM_EXIT_LOAD_IA32_PAT             (1u << 19)
#define VM_EXIT_SAVE_IA32_EFER            (1u << 20)
#define VM_EXIT_LOAD_IA32_EFER            (1u << 21)
#define VM_EXIT_SAVE_VMX_PREEMPTION_TIMER (1u << 22)
#define VM_EXIT_CLEAR_BNDCFGS             (1u << 23)
#define VM_EXIT_PT_CONCEAL_VMX            (1u << 24)
#define VM_EXIT_CLEAR_IA32_RTIT_CTL       (1u << 25)
#define VM_EXIT_LOAD_CET_STATE            (1u << 28)

/* VM-entry controls (25.8.1, Table 25-15) */
#define VM_ENTRY_LOAD_DEBUG_CONTROLS      (1u << 2)
#define VM_ENTRY_IA32E_MODE               (1u << 9)
#define VM_ENTRY_SMM                      (1u << 10)
#define VM_ENTRY_DEACT_DUAL_MONITOR       (1u << 11)
#define VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL (1u << 13)
#define VM_ENTRY_LOAD_IA32_PAT            (1u << 14)
#define VM_ENTRY_LOAD_IA32_EFER           (1u << 15)
#define VM_ENTRY_LOAD_BNDCFGS             (1u << 16)
#define VM_ENTRY_PT_CONCEAL_VMX           (1u << 17)
#define VM_ENTRY_LOAD_IA32_RTIT_CTL       (1u << 18)
#define VM_ENTRY_LOAD_CET_STATE           (1u << 20)

/* "Default1" classes (A.2): reserved bits that must be 1 without TRUE_* MSRs */
#define PIN_BASED_DEFAULT1  0x00000016u  /* bits 1, 2, 4 */
#define CPU_BASED_DEFAULT1  0x0401e172u  /* bits 1, 4-6, 8, 13-16, 26 */
#define VM_EXIT_DEFAULT1    0x00036dffu  /* bits 0-8, 10, 11, 13, 14, 16, 17 */
#define VM_ENTRY_DEFAULT1   0x000011ffu  /* bits 0-8, 12 */

/* IA32_VMX_EPT_VPID_CAP (A.10) */
#define VMX_EPT_EXECUTE_ONLY      (1ull << 0)
#define VMX_EPT_PAGE_WALK_4       (1ull << 6)
#define VMX_EPT_PAGE_WALK_5       (1ull << 7)
#define VMX_EPT_MT_UC             (1ull << 8)
#define VMX_EPT_MT_WB             (1ull << 14)
#define VMX_EPT_2MB_PAGE          (1ull << 16)
#define VMX_EPT_1GB_PAGE          (1ull << 17)
#define VMX_EPT_INVEPT            (1ull << 20)
#define VMX_EPT_AD                (1ull << 21)
#define VMX_EPT_ADVANCED_EXIT_INFO (1ull << 22)
#define VMX_EPT_INVEPT_SINGLE     (1ull << 25)
#define VMX_EPT_INVEPT_ALL        (1ull << 26)
#define VMX_VPID_INVVPID          (1ull << 32)
#define VMX_VPID_INVVPID_ADDR     (1ull << 40)
#define VMX_VPID_INVVPID_SINGLE   (1ull << 41)
#define VMX_VPID_INVVPID_ALL      (1ull << 42)
#define VMX_VPID_INVVPID_SINGLE_NO_GLOBALS (1ull << 43)

struct vmx_caps {
    /* Raw MSR values; 0 for MSRs the CPU does not have (see vmx_caps_read). */
    uint64_t basic, pinbased, procbased, exit, entry, misc;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1, vmcs_enum;
    uint64_t procbased2, ept_vpid;
    uint64_t true_pinbased, true_procbased, true_exit, true_entry, vmfunc;

    /* Decoded by vmx_caps_decode */
    uint32_t revision_id;
    uint32_t vmcs_size;
    uint8_t vmcs_memtype;
    bool true_ctls;                  /* BASIC bit 55: TRUE_* MSRs exist */
    uint8_t preemption_timer_rate;   /* MISC bits 4:0 */
    bool act_hlt, act_shutdown, act_wait_sipi;
    uint32_t cr3_target_count;
    /* Effective capability per control class (allowed-0 low, allowed-1 high) */
    uint64_t pin_ctls, proc_ctls, proc2_ctls, exit_ctls, entry_ctls;
    /* EPT/VPID capabilities (all false when the MSR does not exist) */
    bool ept_execute_only, ept_walk_4, ept_uc, ept_wb, ept_2m, ept_1g;
    bool invept, invept_single, invept_all, ept_ad;
    bool invvpid, invvpid_addr, invvpid_single, invvpid_all;
};

/* (wanted | must-be-1 bits 31:0) & may-be-1 bits 63:32 (A.3.1-A.5) */
uint32_t vmx_adjust_controls(uint32_t wanted, uint64_t cap_msr);
/* The bits of required that the CPU cannot set. */
uint32_t vmx_controls_unsupported(uint32_t required, uint64_t cap_msr);
/* Bits the CPU allows to be 1 / forces to 1. */
static inline uint32_t vmx_allowed1(uint64_t cap_msr) { return cap_msr >> 32; }
static inline uint32_t vmx_allowed0(uint64_t cap_msr) { return (uint32_t)cap_msr; }

/*
 * Reads every VMX capability MSR that exists on this CPU (A.3.3, A.10, A.11,
 * A.1 bit 55) through rdmsr, zeroes the others, then decodes.
 */
void vmx_caps_read(struct vmx_caps *c, uint64_t (*rdmsr)(uint32_t msr));
/* Fills the decoded fields from the raw values already in *c. */
void vmx_caps_decode(struct vmx_caps *c);
/* Name of the first feature Skiff requires that the CPU lacks, or NULL. */
const char *vmx_caps_missing(const struct vmx_caps *c);
/* The boot line that refuses such a CPU, with the name (vmx/core/vmx_on.c; the profile tests print it). */
#define VMX_CAPS_REFUSAL_FMT "skiff: error: VMX feature missing: %s not supported by this CPU\n"

/* IA32_FEATURE_CONTROL bits (SDM Vol. 3C 24.7). */
#define FEATURE_CONTROL_LOCKED          (1ull << 0)
#define FEATURE_CONTROL_VMX_IN_SMX      (1ull << 1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)

enum feature_control_action {
    FC_PROCEED,              /* locked with VMX outside SMX enabled */
    FC_ENABLE_AND_LOCK,      /* unlocked: Skiff sets the enable bit and locks it */
    FC_DISABLED_BY_FIRMWARE, /* locked with VMX outside SMX disabled */
};

/* What to do with the firmware's IA32_FEATURE_CONTROL value. */
enum feature_control_action vmx_feature_control_action(uint64_t value);

/* (value | fixed0) & fixed1: CR0/CR4 values allowed in VMX operation (A.7, A.8) */
uint64_t vmx_fixed_cr(uint64_t value, uint64_t fixed0, uint64_t fixed1);
/* CR0 must-be-1 bits for the guest; PE and PG are exempt with unrestricted guest (A.7). */
uint64_t vmx_guest_cr0_fixed0(const struct vmx_caps *c, bool unrestricted);

#endif
