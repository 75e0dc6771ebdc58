/*
 * VMCS checker: the VM-entry checks of SDM Vol. 3C 26.2 ("Checks on VMX
 * Controls and Host-State Area") and 26.3.1 ("Checks on the Guest State
 * Area") as plain C over a snapshot of the VMCS, so that a failed VMLAUNCH
 * ("invalid control field(s)", "invalid host-state field(s)", VM-entry
 * failure with exit reason 33) can be explained field by field, and so the
 * checks run on the host in unit tests.
 *
 * Section numbers follow the SDM editions in which VM entries are chapter 26
 * (26.2.1.1 execution controls ... 26.3.1.6 PDPTEs).  They are spelled once,
 * in the VMCHECK_SEC_* macros below.
 *
 * Pure code: no libc beyond kernel/lib/format.h's snprintf; freestanding.
 */
#ifndef SKIFF_VMX_VMCHECK_H
#define SKIFF_VMX_VMCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_caps.h"

/* ---- Snapshot ------------------------------------------------------------ */

/*
 * One value per entry of vmcs_field_table (same index) plus a "present" bit:
 * a field the CPU does not have (VMREAD fails) stays absent and reads as 0.
 */
#define VMCS_SNAPSHOT_SLOTS 256

struct vmcs_snapshot {
    uint64_t value[VMCS_SNAPSHOT_SLOTS];
    uint8_t present[VMCS_SNAPSHOT_SLOTS / 8];
};

/* Empty snapshot (every field absent). */
void vmcs_snap_clear(struct vmcs_snapshot *s);
/* Value of a field, 0 when absent or not in vmcs_field_table. */
uint64_t vmcs_snap_get(const struct vmcs_snapshot *s, uint32_t enc);
/* Store a field, truncated to its width as VMWRITE would; ignored if unknown. */
void vmcs_snap_set(struct vmcs_snapshot *s, uint32_t enc, uint64_t v);
bool vmcs_snap_has(const struct vmcs_snapshot *s, uint32_t enc);
/*
 * Fill from a reader (the kernel passes a VMREAD wrapper): every field of
 * vmcs_field_table the reader returns true for.  Returns the fields read.
 */
unsigned vmcs_snap_fill(struct vmcs_snapshot *s, bool (*read)(uint32_t enc, uint64_t *val));
/*
 * Read again only the fields of a filled snapshot that `fresh` names (the
 * ones that may have changed since the fill); a field the CPU lacked at the
 * fill stays absent, and one whose read now fails is dropped.  Returns the
 * fields read.
 */
unsigned vmcs_snap_refresh(struct vmcs_snapshot *s, bool (*read)(uint32_t enc, uint64_t *val),
                           bool (*fresh)(uint32_t enc));

/* ---- CPU facts ----------------------------------------------------------- */

struct vmcheck_env {
    const struct vmx_caps *caps;  /* decoded capability MSRs (vmx_caps_decode) */
    unsigned maxphyaddr;          /* CPUID 0x80000008 EAX[7:0]; 0 means 36 */
    unsigned linaddr_bits;        /* CPUID 0x80000008 EAX[15:8]; 0 means 48 */
    bool cet_supported;           /* CPUID.(EAX=7,ECX=0):ECX[7] or EDX[20] */
    bool in_smm;                  /* VM entry from SMM (never, for Skiff) */
    bool host_outside_ia32e;      /* VMLAUNCH from outside IA-32e mode (never, for Skiff) */
    uint64_t current_vmcs;        /* VMPTRST result, 0 when unknown */
    /*
     * Optional reader of guest-physical == host-physical memory (8 bytes at
     * pa).  With it the checks that look at memory run: the VMCS referenced
     * by the link pointer, PDPTEs in memory without EPT, VTPR.  NULL skips
     * them (the link-pointer check then asks for FFFFFFFF_FFFFFFFFH).
     */
    bool (*read_phys64)(uint64_t pa, uint64_t *val);
};

/* ---- Sections and rules -------------------------------------------------- */

#define VMCHECK_SEC_EXEC     "26.2.1.1"  /* VM-execution control fields */
#define VMCHECK_SEC_EXIT     "26.2.1.2"  /* VM-exit control fields */
#define VMCHECK_SEC_ENTRY    "26.2.1.3"  /* VM-entry control fields */
#define VMCHECK_SEC_HOST_CR  "26.2.2"    /* host control registers, MSRs and SSP */
#define VMCHECK_SEC_HOST_SEG "26.2.3"    /* host segment and descriptor-table registers */
#define VMCHECK_SEC_ADDR     "26.2.4"    /* address-space size */
#define VMCHECK_SEC_G_CR     "26.3.1.1"  /* guest control registers, debug registers, MSRs */
#define VMCHECK_SEC_G_SEG    "26.3.1.2"  /* guest segment registers */
#define VMCHECK_SEC_G_DT     "26.3.1.3"  /* guest descriptor-table registers */
#define VMCHECK_SEC_G_RIP    "26.3.1.4"  /* guest RIP and RFLAGS */
#define VMCHECK_SEC_G_NONREG "26.3.1.5"  /* guest non-register state */
#define VMCHECK_SEC_G_PDPTE  "26.3.1.6"  /* PDPTEs (PAE paging outside IA-32e mode) */

/* Rules for each of ES, CS, SS, DS, FS, GS (VMCS encoding order) */
#define VMCHECK_SEG6(X, id, sec, text)                                          \
    X(id##_ES, sec, "guest ES" text) X(id##_CS, sec, "guest CS" text)           \
    X(id##_SS, sec, "guest SS" text) X(id##_DS, sec, "guest DS" text)           \
    X(id##_FS, sec, "guest FS" text) X(id##_GS, sec, "guest GS" text)
/* ... for each of the data-segment registers ES, DS, FS, GS */
#define VMCHECK_DATA4(X, id, sec, text)                                         \
    X(id##_ES, sec, "guest ES" text) X(id##_DS, sec, "guest DS" text)           \
    X(id##_FS, sec, "guest FS" text) X(id##_GS, sec, "guest GS" text)
/* ... for each of ES, CS, SS, DS, FS, GS, LDTR, TR */
#define VMCHECK_SEG8(X, id, sec, text)                                          \
    VMCHECK_SEG6(X, id, sec, text)                                              \
    X(id##_LDTR, sec, "guest LDTR" text) X(id##_TR, sec, "guest TR" text)

/*
 * Every rule the checker knows: X(id, section, text).  One violation names
 * one rule; the tests break each rule once (tests/unit/vmx/check/test_vmcheck.c).
 */
#define VMCHECK_RULES(X)                                                                           \
    /* 26.2.1.1 VM-execution control fields */                                                     \
    X(PIN_MUST1, VMCHECK_SEC_EXEC, "pin-based controls: a bit reserved to 1 (allowed-0 setting) is 0") \
    X(PIN_MUST0, VMCHECK_SEC_EXEC, "pin-based controls: a bit the CPU does not allow (allowed-1 setting) is 1") \
    X(PROC_MUST1, VMCHECK_SEC_EXEC, "primary processor-based controls: a bit reserved to 1 (allowed-0 setting) is 0") \
    X(PROC_MUST0, VMCHECK_SEC_EXEC, "primary processor-based controls: a bit the CPU does not allow (allowed-1 setting) is 1") \
    X(PROC2_MUST1, VMCHECK_SEC_EXEC, "secondary processor-based controls: a bit reserved to 1 (allowed-0 setting) is 0") \
    X(PROC2_MUST0, VMCHECK_SEC_EXEC, "secondary processor-based controls: a bit the CPU does not allow (allowed-1 setting) is 1") \
    X(CR3_TARGETS, VMCHECK_SEC_EXEC, "CR3-target count above the number the CPU supports (IA32_VMX_MISC bits 24:16)") \
    X(IO_A_ALIGN, VMCHECK_SEC_EXEC, "I/O bitmap A address not 4-KByte aligned")                  \
    X(IO_A_WIDTH, VMCHECK_SEC_EXEC, "I/O bitmap A address beyond the physical-address width")    \
    X(IO_B_ALIGN, VMCHECK_SEC_EXEC, "I/O bitmap B address not 4-KByte aligned")                  \
    X(IO_B_WIDTH, VMCHECK_SEC_EXEC, "I/O bitmap B address beyond the physical-address width")    \
    X(MSR_BITMAP_ALIGN, VMCHECK_SEC_EXEC, "MSR bitmap address not 4-KByte aligned")              \
    X(MSR_BITMAP_WIDTH, VMCHECK_SEC_EXEC, "MSR bitmap address beyond the physical-address width") \
    X(VAPIC_ALIGN, VMCHECK_SEC_EXEC, "virtual-APIC address not 4-KByte aligned (use TPR shadow)") \
    X(VAPIC_WIDTH, VMCHECK_SEC_EXEC, "virtual-APIC address beyond the physical-address width (use TPR shadow)") \
    X(TPR_THRESHOLD_RSVD, VMCHECK_SEC_EXEC, "TPR threshold bits 31:4 set (use TPR shadow without virtual-interrupt delivery)") \
    X(TPR_THRESHOLD_VTPR, VMCHECK_SEC_EXEC, "TPR threshold bits 3:0 above VTPR bits 7:4 (use TPR shadow, no APIC-access virtualization)") \
    X(X2APIC_NO_TPR, VMCHECK_SEC_EXEC, "virtualize x2APIC mode without use TPR shadow")          \
    X(APICREG_NO_TPR, VMCHECK_SEC_EXEC, "APIC-register virtualization without use TPR shadow")   \
    X(VID_NO_TPR, VMCHECK_SEC_EXEC, "virtual-interrupt delivery without use TPR shadow")         \
    X(X2APIC_AND_APIC_ACCESS, VMCHECK_SEC_EXEC, "virtualize x2APIC mode and virtualize APIC accesses both set") \
    X(VID_NO_EXTINT, VMCHECK_SEC_EXEC, "virtual-interrupt delivery without external-interrupt exiting") \
    X(PI_NO_VID, VMCHECK_SEC_EXEC, "process posted interrupts without virtual-interrupt delivery") \
    X(PI_NO_ACK, VMCHECK_SEC_EXEC, "process posted interrupts without acknowledge interrupt on exit") \
    X(PI_VECTOR, VMCHECK_SEC_EXEC, "posted-interrupt notification vector bits 15:8 set")        \
    X(PI_DESC_ALIGN, VMCHECK_SEC_EXEC, "posted-interrupt descriptor address not 64-byte aligned") \
    X(PI_DESC_WIDTH, VMCHECK_SEC_EXEC, "posted-interrupt descriptor address beyond the physical-address width") \
    X(VNMI_NO_NMI_EXIT, VMCHECK_SEC_EXEC, "virtual NMIs without NMI exiting")                    \
    X(NMIWIN_NO_VNMI, VMCHECK_SEC_EXEC, "NMI-window exiting without virtual NMIs")              \
    X(APIC_ACCESS_ALIGN, VMCHECK_SEC_EXEC, "APIC-access address not 4-KByte aligned")            \
    X(APIC_ACCESS_WIDTH, VMCHECK_SEC_EXEC, "APIC-access address beyond the physical-address width") \
    X(VPID_ZERO, VMCHECK_SEC_EXEC, "VPID is 0 with enable VPID")                                 \
    X(EPTP_MEMTYPE, VMCHECK_SEC_EXEC, "EPTP memory type not one IA32_VMX_EPT_VPID_CAP allows (UC or WB)") \
    X(EPTP_WALK, VMCHECK_SEC_EXEC, "EPTP page-walk length not supported (4 levels, or 5 if allowed)") \
    X(EPTP_AD, VMCHECK_SEC_EXEC, "EPTP accessed/dirty flags enabled without CPU support")        \
    X(EPTP_RSVD, VMCHECK_SEC_EXEC, "EPTP reserved bits 11:7 set")                                \
    X(EPTP_WIDTH, VMCHECK_SEC_EXEC, "EPTP address beyond the physical-address width")            \
    X(UG_NO_EPT, VMCHECK_SEC_EXEC, "unrestricted guest without enable EPT")                      \
    X(MBEC_NO_EPT, VMCHECK_SEC_EXEC, "mode-based execute control for EPT without enable EPT")    \
    X(SPP_NO_EPT, VMCHECK_SEC_EXEC, "sub-page write permissions without enable EPT")             \
    X(PML_NO_EPT, VMCHECK_SEC_EXEC, "enable PML without enable EPT")                             \
    X(PML_ALIGN, VMCHECK_SEC_EXEC, "PML address not 4-KByte aligned")                            \
    X(PML_WIDTH, VMCHECK_SEC_EXEC, "PML address beyond the physical-address width")              \
    X(VE_ALIGN, VMCHECK_SEC_EXEC, "virtualization-exception information address not 4-KByte aligned") \
    X(VE_WIDTH, VMCHECK_SEC_EXEC, "virtualization-exception information address beyond the physical-address width") \
    X(VMFUNC_RSVD, VMCHECK_SEC_EXEC, "VM-function controls set a bit IA32_VMX_VMFUNC does not allow") \
    X(EPTP_SWITCH_NO_EPT, VMCHECK_SEC_EXEC, "EPTP switching without enable EPT")                 \
    X(EPTP_LIST_ALIGN, VMCHECK_SEC_EXEC, "EPTP-list address not 4-KByte aligned")                \
    X(EPTP_LIST_WIDTH, VMCHECK_SEC_EXEC, "EPTP-list address beyond the physical-address width")  \
    X(VMREAD_BITMAP_ALIGN, VMCHECK_SEC_EXEC, "VMREAD-bitmap address not 4-KByte aligned (VMCS shadowing)") \
    X(VMREAD_BITMAP_WIDTH, VMCHECK_SEC_EXEC, "VMREAD-bitmap address beyond the physical-address width (VMCS shadowing)") \
    X(VMWRITE_BITMAP_ALIGN, VMCHECK_SEC_EXEC, "VMWRITE-bitmap address not 4-KByte aligned (VMCS shadowing)") \
    X(VMWRITE_BITMAP_WIDTH, VMCHECK_SEC_EXEC, "VMWRITE-bitmap address beyond the physical-address width (VMCS shadowing)") \
    /* 26.2.1.2 VM-exit control fields */                                                          \
    X(EXIT_MUST1, VMCHECK_SEC_EXIT, "VM-exit controls: a bit reserved to 1 (allowed-0 setting) is 0") \
    X(EXIT_MUST0, VMCHECK_SEC_EXIT, "VM-exit controls: a bit the CPU does not allow (allowed-1 setting) is 1") \
    X(SAVE_TIMER_NO_TIMER, VMCHECK_SEC_EXIT, "save VMX-preemption timer value without activate VMX-preemption timer") \
    X(EXIT_MSR_STORE_ALIGN, VMCHECK_SEC_EXIT, "VM-exit MSR-store address not 16-byte aligned")   \
    X(EXIT_MSR_STORE_WIDTH, VMCHECK_SEC_EXIT, "VM-exit MSR-store area beyond the physical-address width") \
    X(EXIT_MSR_LOAD_ALIGN, VMCHECK_SEC_EXIT, "VM-exit MSR-load address not 16-byte aligned")     \
    X(EXIT_MSR_LOAD_WIDTH, VMCHECK_SEC_EXIT, "VM-exit MSR-load area beyond the physical-address width") \
    /* 26.2.1.3 VM-entry control fields */                                                         \
    X(ENTRY_MUST1, VMCHECK_SEC_ENTRY, "VM-entry controls: a bit reserved to 1 (allowed-0 setting) is 0") \
    X(ENTRY_MUST0, VMCHECK_SEC_ENTRY, "VM-entry controls: a bit the CPU does not allow (allowed-1 setting) is 1") \
    X(INTR_TYPE_RSVD, VMCHECK_SEC_ENTRY, "VM-entry interruption type 1 (reserved)")              \
    X(INTR_OTHER_UNSUPPORTED, VMCHECK_SEC_ENTRY, "VM-entry interruption type 7 (other event) without monitor trap flag support") \
    X(INTR_OTHER_VECTOR, VMCHECK_SEC_ENTRY, "VM-entry other event (type 7) with a vector other than 0") \
    X(INTR_NMI_VECTOR, VMCHECK_SEC_ENTRY, "VM-entry NMI injection with a vector other than 2")   \
    X(INTR_HWEXC_VECTOR, VMCHECK_SEC_ENTRY, "VM-entry hardware exception with a vector above 31") \
    X(INTR_RSVD, VMCHECK_SEC_ENTRY, "VM-entry interruption-information bits 30:12 set")          \
    X(INTR_EC_MISSING, VMCHECK_SEC_ENTRY, "deliver-error-code clear for an exception that pushes an error code") \
    X(INTR_EC_EXTRA, VMCHECK_SEC_ENTRY, "deliver-error-code set for an event that pushes no error code") \
    X(INTR_EC_RSVD, VMCHECK_SEC_ENTRY, "VM-entry exception error code bits 31:16 set")           \
    X(INTR_INSN_LEN, VMCHECK_SEC_ENTRY, "VM-entry instruction length not 1-15 for a software interrupt or exception") \
    X(ENTRY_MSR_LOAD_ALIGN, VMCHECK_SEC_ENTRY, "VM-entry MSR-load address not 16-byte aligned")  \
    X(ENTRY_MSR_LOAD_WIDTH, VMCHECK_SEC_ENTRY, "VM-entry MSR-load area beyond the physical-address width") \
    X(ENTRY_SMM, VMCHECK_SEC_ENTRY, "entry to SMM set outside SMM")                              \
    X(ENTRY_DEACT_DUAL, VMCHECK_SEC_ENTRY, "deactivate dual-monitor treatment set outside SMM")   \
    /* 26.2.2 host control registers, MSRs and SSP */                                             \
    X(HOST_CR0_FIXED0, VMCHECK_SEC_HOST_CR, "host CR0 clears a bit fixed to 1 in VMX operation (IA32_VMX_CR0_FIXED0)") \
    X(HOST_CR0_FIXED1, VMCHECK_SEC_HOST_CR, "host CR0 sets a bit fixed to 0 in VMX operation (IA32_VMX_CR0_FIXED1)") \
    X(HOST_CR4_FIXED0, VMCHECK_SEC_HOST_CR, "host CR4 clears a bit fixed to 1 in VMX operation (IA32_VMX_CR4_FIXED0)") \
    X(HOST_CR4_FIXED1, VMCHECK_SEC_HOST_CR, "host CR4 sets a bit fixed to 0 in VMX operation (IA32_VMX_CR4_FIXED1)") \
    X(HOST_CR3_WIDTH, VMCHECK_SEC_HOST_CR, "host CR3 beyond the physical-address width")         \
    X(HOST_CET_WP, VMCHECK_SEC_HOST_CR, "host CR4.CET set with CR0.WP clear")                    \
    X(HOST_SYSENTER_ESP, VMCHECK_SEC_HOST_CR, "host IA32_SYSENTER_ESP not canonical")            \
    X(HOST_SYSENTER_EIP, VMCHECK_SEC_HOST_CR, "host IA32_SYSENTER_EIP not canonical")            \
    X(HOST_S_CET_RSVD, VMCHECK_SEC_HOST_CR, "host IA32_S_CET reserved bits 9:6 set (load CET state)") \
    X(HOST_SSP_TABLE, VMCHECK_SEC_HOST_CR, "host IA32_INTERRUPT_SSP_TABLE_ADDR not canonical (load CET state)") \
    X(HOST_PAT, VMCHECK_SEC_HOST_CR, "host IA32_PAT holds an invalid memory type (load IA32_PAT)") \
    X(HOST_EFER_RSVD, VMCHECK_SEC_HOST_CR, "host IA32_EFER reserved bits set (load IA32_EFER)")   \
    X(HOST_EFER_LMA, VMCHECK_SEC_HOST_CR, "host IA32_EFER.LMA differs from host address-space size") \
    X(HOST_EFER_LME, VMCHECK_SEC_HOST_CR, "host IA32_EFER.LME differs from host address-space size") \
    X(HOST_PKRS, VMCHECK_SEC_HOST_CR, "host IA32_PKRS bits 63:32 set (load PKRS)")               \
    /* 26.2.3 host segment and descriptor-table registers */                                       \
    X(HOST_SEL_RPL_TI, VMCHECK_SEC_HOST_SEG, "host selector RPL or TI not 0")                   \
    X(HOST_CS_ZERO, VMCHECK_SEC_HOST_SEG, "host CS selector is 0")                               \
    X(HOST_TR_ZERO, VMCHECK_SEC_HOST_SEG, "host TR selector is 0")                               \
    X(HOST_SS_ZERO, VMCHECK_SEC_HOST_SEG, "host SS selector is 0 with host address-space size 0") \
    X(HOST_FS_BASE, VMCHECK_SEC_HOST_SEG, "host FS base not canonical")                          \
    X(HOST_GS_BASE, VMCHECK_SEC_HOST_SEG, "host GS base not canonical")                          \
    X(HOST_GDTR_BASE, VMCHECK_SEC_HOST_SEG, "host GDTR base not canonical")                      \
    X(HOST_IDTR_BASE, VMCHECK_SEC_HOST_SEG, "host IDTR base not canonical")                      \
    X(HOST_TR_BASE, VMCHECK_SEC_HOST_SEG, "host TR base not canonical")                          \
    /* 26.2.4 address-space size */                                                                \
    X(ADDR_LEGACY_GUEST, VMCHECK_SEC_ADDR, "IA-32e mode guest set while the host is outside IA-32e mode") \
    X(ADDR_LEGACY_HOST, VMCHECK_SEC_ADDR, "host address-space size set while the host is outside IA-32e mode") \
    X(ADDR_HOST_SIZE_0, VMCHECK_SEC_ADDR, "host address-space size clear while the host is in IA-32e mode") \
    X(ADDR_GUEST_HOST32, VMCHECK_SEC_ADDR, "IA-32e mode guest with host address-space size 0")  \
    X(ADDR_HOST_PCIDE, VMCHECK_SEC_ADDR, "host CR4.PCIDE set with host address-space size 0")   \
    X(ADDR_HOST_RIP_HIGH, VMCHECK_SEC_ADDR, "host RIP bits 63:32 set with host address-space size 0") \
    X(ADDR_HOST_PAE, VMCHECK_SEC_ADDR, "host CR4.PAE clear with host address-space size 1")     \
    X(ADDR_HOST_RIP_CANON, VMCHECK_SEC_ADDR, "host RIP not canonical with host address-space size 1") \
    /* 26.3.1.1 guest control registers, debug registers and MSRs */                               \
    X(G_CR0_FIXED0, VMCHECK_SEC_G_CR, "guest CR0 clears a bit fixed to 1 in VMX operation (PE and PG exempt with unrestricted guest)") \
    X(G_CR0_FIXED1, VMCHECK_SEC_G_CR, "guest CR0 sets a bit fixed to 0 in VMX operation (IA32_VMX_CR0_FIXED1)") \
    X(G_CR0_PG_NO_PE, VMCHECK_SEC_G_CR, "guest CR0.PG set with CR0.PE clear")                    \
    X(G_CR4_FIXED0, VMCHECK_SEC_G_CR, "guest CR4 clears a bit fixed to 1 in VMX operation (IA32_VMX_CR4_FIXED0)") \
    X(G_CR4_FIXED1, VMCHECK_SEC_G_CR, "guest CR4 sets a bit fixed to 0 in VMX operation (IA32_VMX_CR4_FIXED1)") \
    X(G_CET_WP, VMCHECK_SEC_G_CR, "guest CR4.CET set with CR0.WP clear")                         \
    X(G_DEBUGCTL_RSVD, VMCHECK_SEC_G_CR, "guest IA32_DEBUGCTL reserved bits set (load debug controls)") \
    X(G_IA32E_NO_PG, VMCHECK_SEC_G_CR, "IA-32e mode guest with CR0.PG clear")                    \
    X(G_IA32E_NO_PAE, VMCHECK_SEC_G_CR, "IA-32e mode guest with CR4.PAE clear")                  \
    X(G_PCIDE_LEGACY, VMCHECK_SEC_G_CR, "guest CR4.PCIDE set outside IA-32e mode")               \
    X(G_CR3_WIDTH, VMCHECK_SEC_G_CR, "guest CR3 beyond the physical-address width")              \
    X(G_DR7_HIGH, VMCHECK_SEC_G_CR, "guest DR7 bits 63:32 set (load debug controls)")            \
    X(G_SYSENTER_ESP, VMCHECK_SEC_G_CR, "guest IA32_SYSENTER_ESP not canonical")                 \
    X(G_SYSENTER_EIP, VMCHECK_SEC_G_CR, "guest IA32_SYSENTER_EIP not canonical")                 \
    X(G_PAT, VMCHECK_SEC_G_CR, "guest IA32_PAT holds an invalid memory type (load IA32_PAT)")    \
    X(G_EFER_RSVD, VMCHECK_SEC_G_CR, "guest IA32_EFER reserved bits set (load IA32_EFER)")       \
    X(G_EFER_LMA, VMCHECK_SEC_G_CR, "guest IA32_EFER.LMA differs from IA-32e mode guest")        \
    X(G_EFER_LME, VMCHECK_SEC_G_CR, "guest IA32_EFER.LME differs from IA-32e mode guest with CR0.PG set") \
    X(G_BNDCFGS_RSVD, VMCHECK_SEC_G_CR, "guest IA32_BNDCFGS reserved bits 11:2 set (load IA32_BNDCFGS)") \
    X(G_BNDCFGS_CANON, VMCHECK_SEC_G_CR, "guest IA32_BNDCFGS base not canonical (load IA32_BNDCFGS)") \
    X(G_S_CET_RSVD, VMCHECK_SEC_G_CR, "guest IA32_S_CET reserved bits 9:6 set (load CET state)") \
    X(G_SSP_TABLE, VMCHECK_SEC_G_CR, "guest IA32_INTERRUPT_SSP_TABLE_ADDR not canonical (load CET state)") \
    X(G_PKRS, VMCHECK_SEC_G_CR, "guest IA32_PKRS bits 63:32 set (load PKRS)")                    \
    /* 26.3.1.2 guest segment registers */                                                         \
    X(G_TR_TI, VMCHECK_SEC_G_SEG, "guest TR selector TI set")                                    \
    X(G_LDTR_TI, VMCHECK_SEC_G_SEG, "guest LDTR selector TI set (LDTR usable)")                  \
    X(G_SS_RPL, VMCHECK_SEC_G_SEG, "guest SS.RPL differs from CS.RPL")                           \
    VMCHECK_SEG6(X, V86_BASE, VMCHECK_SEC_G_SEG, " base is not selector << 4 (virtual-8086)")    \
    VMCHECK_SEG6(X, V86_LIMIT, VMCHECK_SEC_G_SEG, " limit is not 0xffff (virtual-8086)")         \
    VMCHECK_SEG6(X, V86_AR, VMCHECK_SEC_G_SEG, " access rights are not 0xf3 (virtual-8086)")     \
    X(G_TR_BASE, VMCHECK_SEC_G_SEG, "guest TR base not canonical")                               \
    X(G_FS_BASE, VMCHECK_SEC_G_SEG, "guest FS base not canonical")                               \
    X(G_GS_BASE, VMCHECK_SEC_G_SEG, "guest GS base not canonical")                               \
    X(G_LDTR_BASE, VMCHECK_SEC_G_SEG, "guest LDTR base not canonical (LDTR usable)")             \
    X(G_CS_BASE_HIGH, VMCHECK_SEC_G_SEG, "guest CS base bits 63:32 set")                         \
    X(G_SS_BASE_HIGH, VMCHECK_SEC_G_SEG, "guest SS base bits 63:32 set (SS usable)")             \
    X(G_DS_BASE_HIGH, VMCHECK_SEC_G_SEG, "guest DS base bits 63:32 set (DS usable)")             \
    X(G_ES_BASE_HIGH, VMCHECK_SEC_G_SEG, "guest ES base bits 63:32 set (ES usable)")             \
    X(CS_TYPE, VMCHECK_SEC_G_SEG, "guest CS type not 9, 11, 13 or 15 (or 3 with unrestricted guest)") \
    X(CS_DPL_DATA, VMCHECK_SEC_G_SEG, "guest CS.DPL not 0 with CS type 3 (unrestricted guest)")   \
    X(CS_DPL_NONCONF, VMCHECK_SEC_G_SEG, "guest CS.DPL differs from SS.DPL (non-conforming code)") \
    X(CS_DPL_CONF, VMCHECK_SEC_G_SEG, "guest CS.DPL above SS.DPL (conforming code)")             \
    X(CS_LD, VMCHECK_SEC_G_SEG, "guest CS.L and CS.D both set in IA-32e mode")                   \
    X(SS_TYPE, VMCHECK_SEC_G_SEG, "guest SS type not 3 or 7 (SS usable)")                         \
    X(SS_DPL_RPL, VMCHECK_SEC_G_SEG, "guest SS.DPL differs from SS.RPL")                          \
    X(SS_DPL_REAL, VMCHECK_SEC_G_SEG, "guest SS.DPL not 0 with CS type 3 or CR0.PE clear")       \
    VMCHECK_DATA4(X, DATA_ACCESSED, VMCHECK_SEC_G_SEG, " type not accessed (usable)")            \
    VMCHECK_DATA4(X, DATA_EXEC_ONLY, VMCHECK_SEC_G_SEG, " is an execute-only code segment (usable)") \
    VMCHECK_DATA4(X, DATA_DPL, VMCHECK_SEC_G_SEG, ".DPL below its RPL (usable, not conforming code)") \
    VMCHECK_SEG6(X, SEG_S, VMCHECK_SEC_G_SEG, ".S is 0: not a code or data segment")             \
    X(SEG_S_LDTR, VMCHECK_SEC_G_SEG, "guest LDTR.S is 1: not a system segment (LDTR usable)")    \
    X(SEG_S_TR, VMCHECK_SEC_G_SEG, "guest TR.S is 1: not a system segment")                      \
    VMCHECK_SEG8(X, SEG_P, VMCHECK_SEC_G_SEG, ".P is 0")                                          \
    VMCHECK_SEG8(X, SEG_RSVD_LO, VMCHECK_SEC_G_SEG, " access-rights bits 11:8 set")               \
    VMCHECK_SEG8(X, SEG_RSVD_HI, VMCHECK_SEC_G_SEG, " access-rights bits 31:17 set")              \
    VMCHECK_SEG8(X, SEG_G_SET, VMCHECK_SEC_G_SEG, ".G set with limit bits 11:0 not all 1")        \
    VMCHECK_SEG8(X, SEG_G_CLEAR, VMCHECK_SEC_G_SEG, ".G clear with limit bits 31:20 not all 0")   \
    X(TR_TYPE_64, VMCHECK_SEC_G_SEG, "guest TR type not 11 (busy 64-bit TSS) in IA-32e mode")    \
    X(TR_TYPE_32, VMCHECK_SEC_G_SEG, "guest TR type not 3 or 11 (busy TSS) outside IA-32e mode") \
    X(TR_UNUSABLE, VMCHECK_SEC_G_SEG, "guest TR marked unusable")                                \
    X(LDTR_TYPE, VMCHECK_SEC_G_SEG, "guest LDTR type not 2 (LDTR usable)")                       \
    /* 26.3.1.3 guest descriptor-table registers */                                                \
    X(GDTR_BASE, VMCHECK_SEC_G_DT, "guest GDTR base not canonical")                              \
    X(IDTR_BASE, VMCHECK_SEC_G_DT, "guest IDTR base not canonical")                              \
    X(GDTR_LIMIT, VMCHECK_SEC_G_DT, "guest GDTR limit bits 31:16 set")                           \
    X(IDTR_LIMIT, VMCHECK_SEC_G_DT, "guest IDTR limit bits 31:16 set")                           \
    /* 26.3.1.4 guest RIP and RFLAGS */                                                            \
    X(RIP_HIGH, VMCHECK_SEC_G_RIP, "guest RIP bits 63:32 set outside 64-bit mode")               \
    X(RIP_CANON, VMCHECK_SEC_G_RIP, "guest RIP not canonical in 64-bit mode")                    \
    X(RFLAGS_RSVD, VMCHECK_SEC_G_RIP, "guest RFLAGS reserved bits (63:22, 15, 5, 3) set")        \
    X(RFLAGS_BIT1, VMCHECK_SEC_G_RIP, "guest RFLAGS bit 1 clear")                                \
    X(RFLAGS_VM, VMCHECK_SEC_G_RIP, "guest RFLAGS.VM set in IA-32e mode or with CR0.PE clear")   \
    X(RFLAGS_IF, VMCHECK_SEC_G_RIP, "guest RFLAGS.IF clear while injecting an external interrupt") \
    /* 26.3.1.5 guest non-register state */                                                        \
    X(ACT_RANGE, VMCHECK_SEC_G_NONREG, "guest activity state not 0-3")                           \
    X(ACT_UNSUPPORTED, VMCHECK_SEC_G_NONREG, "guest activity state not supported (IA32_VMX_MISC bits 8:6)") \
    X(ACT_HLT_DPL, VMCHECK_SEC_G_NONREG, "guest activity state HLT with SS.DPL not 0")          \
    X(ACT_BLOCKING, VMCHECK_SEC_G_NONREG, "guest activity state not active with STI or MOV-SS blocking") \
    X(ACT_EVENT, VMCHECK_SEC_G_NONREG, "injected event not allowed in the guest activity state") \
    X(ACT_SIPI_SMM, VMCHECK_SEC_G_NONREG, "guest activity state wait-for-SIPI with entry to SMM") \
    X(INT_RSVD, VMCHECK_SEC_G_NONREG, "guest interruptibility bits 31:5 set")                    \
    X(INT_STI_MOVSS, VMCHECK_SEC_G_NONREG, "guest blocking by STI and by MOV SS both set")       \
    X(INT_STI_IF, VMCHECK_SEC_G_NONREG, "guest blocking by STI with RFLAGS.IF clear")            \
    X(INT_EXTINT, VMCHECK_SEC_G_NONREG, "guest STI or MOV-SS blocking while injecting an external interrupt") \
    X(INT_NMI_MOVSS, VMCHECK_SEC_G_NONREG, "guest MOV-SS blocking while injecting an NMI")       \
    X(INT_SMI, VMCHECK_SEC_G_NONREG, "guest blocking by SMI set outside SMM")                    \
    X(INT_SMI_ENTRY, VMCHECK_SEC_G_NONREG, "guest blocking by SMI clear with entry to SMM")      \
    X(INT_VNMI, VMCHECK_SEC_G_NONREG, "guest blocking by NMI while injecting an NMI with virtual NMIs") \
    X(INT_ENCLAVE, VMCHECK_SEC_G_NONREG, "guest enclave interruption with MOV-SS blocking")     \
    X(PDE_RSVD, VMCHECK_SEC_G_NONREG, "guest pending debug exceptions reserved bits (11:4, 13, 15, 63:17) set") \
    X(PDE_BS_NEEDED, VMCHECK_SEC_G_NONREG, "guest pending BS clear with RFLAGS.TF set and DEBUGCTL.BTF clear (STI/MOV-SS blocking or HLT)") \
    X(PDE_BS_FORBIDDEN, VMCHECK_SEC_G_NONREG, "guest pending BS set with RFLAGS.TF clear or DEBUGCTL.BTF set (STI/MOV-SS blocking or HLT)") \
    X(PDE_RTM, VMCHECK_SEC_G_NONREG, "guest pending RTM set with bits 11:0 or 14, without bit 12, or with MOV-SS blocking") \
    X(LINK_ALIGN, VMCHECK_SEC_G_NONREG, "VMCS link pointer not 4-KByte aligned")                 \
    X(LINK_WIDTH, VMCHECK_SEC_G_NONREG, "VMCS link pointer beyond the physical-address width")   \
    X(LINK_CURRENT, VMCHECK_SEC_G_NONREG, "VMCS link pointer equals the current-VMCS pointer")   \
    X(LINK_REVISION, VMCHECK_SEC_G_NONREG, "VMCS link pointer: referenced VMCS revision identifier differs from IA32_VMX_BASIC") \
    X(LINK_SHADOW, VMCHECK_SEC_G_NONREG, "VMCS link pointer: referenced VMCS shadow-VMCS indicator differs from VMCS shadowing") \
    X(LINK_UNCHECKED, VMCHECK_SEC_G_NONREG, "VMCS link pointer not FFFFFFFF_FFFFFFFFH without VMCS shadowing (referenced VMCS not readable)") \
    /* 26.3.1.6 PDPTEs */                                                                         \
    X(PDPTE_RSVD, VMCHECK_SEC_G_PDPTE, "guest PDPTE present with reserved bits 2:1 or 8:5 set")  \
    X(PDPTE_WIDTH, VMCHECK_SEC_G_PDPTE, "guest PDPTE present with an address beyond the physical-address width") \
    X(PDPTE_MEM, VMCHECK_SEC_G_PDPTE, "guest PDPTE in memory at CR3 present with reserved bits set (no EPT)")

#define VMCHECK_RULE_ENUM_(id, sec, text) VR_##id,
enum vmcheck_rule_id { VMCHECK_RULES(VMCHECK_RULE_ENUM_) VR_COUNT };
#undef VMCHECK_RULE_ENUM_

struct vmcheck_rule {
    const char *section;
    const char *text;
    const char *id;     /* "VR_CS_LD" */
};
extern const struct vmcheck_rule vmcheck_rules[VR_COUNT];

/* ---- Running the checks -------------------------------------------------- */

struct vmcheck_violation {
    const char *section;   /* "26.3.1.2" (points into vmcheck_rules) */
    const char *rule;      /* words (points into vmcheck_rules) */
    uint32_t field;        /* main field encoding */
    uint64_t value;
    uint32_t field2;       /* second field involved, 0 when unused */
    uint64_t value2;
};

/*
 * Check s against every rule, in SDM order (controls, host state, guest
 * state).  Fills up to max violations and returns how many were found.
 */
size_t vmcheck_run(const struct vmcs_snapshot *s, const struct vmcheck_env *env,
                   struct vmcheck_violation *out, size_t max);

/*
 * "vmcheck: <section> <rule> (<FIELD>=0x<hex>[, <FIELD2>=0x<hex>])".
 * snprintf semantics: returns the length the full line needs.
 */
int vmcheck_format(const struct vmcheck_violation *v, char *buf, size_t len);

/* SDM title of a section ("Checks on Guest Segment Registers"), or "unknown section". */
const char *vmcheck_section_title(const char *section);

/* Index in vmcheck_rules of the rule a violation names, or -1. */
int vmcheck_rule_of(const struct vmcheck_violation *v);

/*
 * How the CPU reports a failure of a section's checks: VMfailValid with
 * VM-instruction error 7 (controls) or 8 (host state), or a VM exit with
 * reason 33 "VM-entry failure due to invalid guest state".
 */
enum vmcheck_outcome {
    VMCHECK_OUTCOME_UNKNOWN = 0,
    VMCHECK_OUTCOME_ERR_CONTROLS = 7,
    VMCHECK_OUTCOME_ERR_HOST = 8,
    VMCHECK_OUTCOME_EXIT_GUEST = 33,
};
enum vmcheck_outcome vmcheck_section_outcome(const char *section);

/* ---- Injection cases for a boot-time self-test (vmx/check/vmcheck_cases.c) ------ */

enum vmcheck_op { VMCHECK_OP_SET, VMCHECK_OP_OR, VMCHECK_OP_ANDNOT, VMCHECK_OP_XOR };

struct vmcheck_case {
    const char *name;
    uint32_t field;            /* field to modify */
    uint8_t op;                /* enum vmcheck_op */
    uint64_t arg;
    /* Precondition on Skiff's valid VMCS: (get(need_field) & need_mask) == need_value */
    uint32_t need_field;
    uint64_t need_mask, need_value;   /* need_mask 0: always applies */
    const char *section;       /* expected section (VMCHECK_SEC_*) */
    uint32_t expect_field;     /* field the violation names (main or second) */
    uint16_t rule;             /* expected rule on the unit-test baseline (enum vmcheck_rule_id) */
};

extern const struct vmcheck_case vmcheck_cases[];
extern const size_t vmcheck_case_count;

/* The value VMWRITE should store: c->op applied to old. */
uint64_t vmcheck_case_value(const struct vmcheck_case *c, uint64_t old);
/* Does the precondition hold on s? */
bool vmcheck_case_applies(const struct vmcheck_case *c, const struct vmcs_snapshot *s);
/* Apply the modification to s. */
void vmcheck_case_apply(const struct vmcheck_case *c, struct vmcs_snapshot *s);

#endif
