/*
 * VMCS field encodings (SDM Vol. 3D Appendix B), in the order the SDM lists
 * them, and the decoding of an encoding (SDM Vol. 3C 25.11.2, "Structure of
 * VMCS Component Encoding"):
 *   bit 0      access type (0 full, 1 high half of a 64-bit field)
 *   bits 9:1   index
 *   bits 11:10 type (0 control, 1 VM-exit information, 2 guest, 3 host)
 *   bits 14:13 width (0 16-bit, 1 64-bit, 2 32-bit, 3 natural)
 * Some fields exist only on CPUs with the matching feature; VMREAD of an
 * unsupported field fails with VM-instruction error 12.
 */
#ifndef SKIFF_VMX_VMCS_FIELDS_H
#define SKIFF_VMX_VMCS_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

enum vmcs_field {
    /* B.1.1 16-bit control fields */
    VIRTUAL_PROCESSOR_ID            = 0x0000,
    POSTED_INTR_NV                  = 0x0002,
    EPTP_INDEX                      = 0x0004,
    HLAT_PREFIX_SIZE                = 0x0006,
    LAST_PID_POINTER_INDEX          = 0x0008,
    /* B.1.2 16-bit guest-state fields */
    GUEST_ES_SELECTOR               = 0x0800,
    GUEST_CS_SELECTOR               = 0x0802,
    GUEST_SS_SELECTOR               = 0x0804,
    GUEST_DS_SELECTOR               = 0x0806,
    GUEST_FS_SELECTOR               = 0x0808,
    GUEST_GS_SELECTOR               = 0x080a,
    GUEST_LDTR_SELECTOR             = 0x080c,
    GUEST_TR_SELECTOR               = 0x080e,
    GUEST_INTR_STATUS               = 0x0810,
    GUEST_PML_INDEX                 = 0x0812,
    GUEST_UINV                      = 0x0814,
    /* B.1.3 16-bit host-state fields */
    HOST_ES_SELECTOR                = 0x0c00,
    HOST_CS_SELECTOR                = 0x0c02,
    HOST_SS_SELECTOR                = 0x0c04,
    HOST_DS_SELECTOR                = 0x0c06,
    HOST_FS_SELECTOR                = 0x0c08,
    HOST_GS_SELECTOR                = 0x0c0a,
    HOST_TR_SELECTOR                = 0x0c0c,
    /* B.2.1 64-bit control fields */
    IO_BITMAP_A                     = 0x2000,
    IO_BITMAP_B                     = 0x2002,
    MSR_BITMAP                      = 0x2004,
    VM_EXIT_MSR_STORE_ADDR          = 0x2006,
    VM_EXIT_MSR_LOAD_ADDR           = 0x2008,
    VM_ENTRY_MSR_LOAD_ADDR          = 0x200a,
    EXECUTIVE_VMCS_POINTER          = 0x200c,
    PML_ADDRESS                     = 0x200e,
    TSC_OFFSET                      = 0x2010,
    VIRTUAL_APIC_PAGE_ADDR          = 0x2012,
    APIC_ACCESS_ADDR                = 0x2014,
    POSTED_INTR_DESC_ADDR           = 0x2016,
    VM_FUNCTION_CONTROL             = 0x2018,
    EPT_POINTER                     = 0x201a,
    EOI_EXIT_BITMAP0                = 0x201c,
    EOI_EXIT_BITMAP1                = 0x201e,
    EOI_EXIT_BITMAP2                = 0x2020,
    EOI_EXIT_BITMAP3                = 0x2022,
    EPTP_LIST_ADDRESS               = 0x2024,
    VMREAD_BITMAP                   = 0x2026,
    VMWRITE_BITMAP                  = 0x2028,
    VE_INFORMATION_ADDRESS          = 0x202a,
    XSS_EXIT_BITMAP                 = 0x202c,
    ENCLS_EXITING_BITMAP            = 0x202e,
    SPPT_POINTER                    = 0x2030,
    TSC_MULTIPLIER                  = 0x2032,
    TERTIARY_VM_EXEC_CONTROL        = 0x2034,
    ENCLV_EXITING_BITMAP            = 0x2036,
    LOW_PASID_DIRECTORY_ADDR        = 0x2038,
    HIGH_PASID_DIRECTORY_ADDR       = 0x203a,
    SHARED_EPT_POINTER              = 0x203c,
    PCONFIG_EXITING_BITMAP          = 0x203e,
    HLAT_POINTER                    = 0x2040,
    PID_POINTER_TABLE               = 0x2042,
    SECONDARY_VM_EXIT_CONTROLS      = 0x2044,
    IA32_SPEC_CTRL_MASK             = 0x204a,
    IA32_SPEC_CTRL_SHADOW           = 0x204c,
    INJECTED_EVENT_DATA             = 0x2052,
    /* B.2.2 64-bit read-only data fields */
    GUEST_PHYSICAL_ADDRESS          = 0x2400,
    ORIGINAL_EVENT_DATA             = 0x2404,
    /* B.2.3 64-bit guest-state fields */
    VMCS_LINK_POINTER               = 0x2800,
    GUEST_IA32_DEBUGCTL             = 0x2802,
    GUEST_IA32_PAT                  = 0x2804,
    GUEST_IA32_EFER                 = 0x2806,
    GUEST_IA32_PERF_GLOBAL_CTRL     = 0x2808,
    GUEST_PDPTR0                    = 0x280a,
    GUEST_PDPTR1                    = 0x280c,
    GUEST_PDPTR2                    = 0x280e,
    GUEST_PDPTR3                    = 0x2810,
    GUEST_BNDCFGS                   = 0x2812,
    GUEST_IA32_RTIT_CTL             = 0x2814,
    GUEST_IA32_LBR_CTL              = 0x2816,
    GUEST_IA32_PKRS                 = 0x2818,
    GUEST_IA32_FRED_CONFIG          = 0x281a,
    GUEST_IA32_FRED_RSP1            = 0x281c,
    GUEST_IA32_FRED_RSP2            = 0x281e,
    GUEST_IA32_FRED_RSP3            = 0x2820,
    GUEST_IA32_FRED_STKLVLS         = 0x2822,
    GUEST_IA32_FRED_SSP1            = 0x2824,
    GUEST_IA32_FRED_SSP2            = 0x2826,
    GUEST_IA32_FRED_SSP3            = 0x2828,
    /* B.2.4 64-bit host-state fields */
    HOST_IA32_PAT                   = 0x2c00,
    HOST_IA32_EFER                  = 0x2c02,
    HOST_IA32_PERF_GLOBAL_CTRL      = 0x2c04,
    HOST_IA32_PKRS                  = 0x2c06,
    HOST_IA32_FRED_CONFIG           = 0x2c08,
    HOST_IA32_FRED_RSP1             = 0x2c0a,
    HOST_IA32_FRED_RSP2             = 0x2c0c,
    HOST_IA32_FRED_RSP3             = 0x2c0e,
    HOST_IA32_FRED_STKLVLS          = 0x2c10,
    HOST_IA32_FRED_SSP1             = 0x2c12,
    HOST_IA32_FRED_SSP2             = 0x2c14,
    HOST_IA32_FRED_SSP3             = 0x2c16,
    /* B.3.1 32-bit control fields */
    PIN_BASED_VM_EXEC_CONTROL       = 0x4000,
    CPU_BASED_VM_EXEC_CONTROL       = 0x4002,
    EXCEPTION_BITMAP                = 0x4004,
    PAGE_FAULT_ERROR_CODE_MASK      = 0x4006,
    PAGE_FAULT_ERROR_CODE_MATCH     = 0x4008,
    CR3_TARGET_COUNT                = 0x400a,
    VM_EXIT_CONTROLS                = 0x400c,
    VM_EXIT_MSR_STORE_COUNT         = 0x400e,
    VM_EXIT_MSR_LOAD_COUNT          = 0x4010,
    VM_ENTRY_CONTROLS               = 0x4012,
    VM_ENTRY_MSR_LOAD_COUNT         = 0x4014,
    VM_ENTRY_INTR_INFO_FIELD        = 0x4016,
    VM_ENTRY_EXCEPTION_ERROR_CODE   = 0x4018,
    VM_ENTRY_INSTRUCTION_LEN        = 0x401a,
    TPR_THRESHOLD                   = 0x401c,
    SECONDARY_VM_EXEC_CONTROL       = 0x401e,
    PLE_GAP                         = 0x4020,
    PLE_WINDOW                      = 0x4022,
    NOTIFY_WINDOW                   = 0x4024, /* SDM: instruction-timeout control */
    /* B.3.2 32-bit read-only data fields */
    VM_INSTRUCTION_ERROR            = 0x4400,
    VM_EXIT_REASON                  = 0x4402,
    VM_EXIT_INTR_INFO               = 0x4404,
    VM_EXIT_INTR_ERROR_CODE         = 0x4406,
    IDT_VECTORING_INFO_FIELD        = 0x4408,
    IDT_VECTORING_ERROR_CODE        = 0x440a,
    VM_EXIT_INSTRUCTION_LEN         = 0x440c,
    VMX_INSTRUCTION_INFO            = 0x440e,
    /* B.3.3 32-bit guest-state fields */
    GUEST_ES_LIMIT                  = 0x4800,
    GUEST_CS_LIMIT                  = 0x4802,
    GUEST_SS_LIMIT                  = 0x4804,
    GUEST_DS_LIMIT                  = 0x4806,
    GUEST_FS_LIMIT                  = 0x4808,
    GUEST_GS_LIMIT                  = 0x480a,
    GUEST_LDTR_LIMIT                = 0x480c,
    GUEST_TR_LIMIT                  = 0x480e,
    GUEST_GDTR_LIMIT                = 0x4810,
    GUEST_IDTR_LIMIT                = 0x4812,
    GUEST_ES_AR_BYTES               = 0x4814,
    GUEST_CS_AR_BYTES               = 0x4816,
    GUEST_SS_AR_BYTES               = 0x4818,
    GUEST_DS_AR_BYTES               = 0x481a,
    GUEST_FS_AR_BYTES               = 0x481c,
    GUEST_GS_AR_BYTES               = 0x481e,
    GUEST_LDTR_AR_BYTES             = 0x4820,
    GUEST_TR_AR_BYTES               = 0x4822,
    GUEST_INTERRUPTIBILITY_INFO     = 0x4824,
    GUEST_ACTIVITY_STATE            = 0x4826,
    GUEST_SMBASE                    = 0x4828,
    GUEST_SYSENTER_CS               = 0x482a,
    VMX_PREEMPTION_TIMER_VALUE      = 0x482e,
    /* B.3.4 32-bit host-state field */
    HOST_IA32_SYSENTER_CS           = 0x4c00,
    /* B.4.1 natural-width control fields */
    CR0_GUEST_HOST_MASK             = 0x6000,
    CR4_GUEST_HOST_MASK             = 0x6002,
    CR0_READ_SHADOW                 = 0x6004,
    CR4_READ_SHADOW                 = 0x6006,
    CR3_TARGET_VALUE0               = 0x6008,
    CR3_TARGET_VALUE1               = 0x600a,
    CR3_TARGET_VALUE2               = 0x600c,
    CR3_TARGET_VALUE3               = 0x600e,
    /* B.4.2 natural-width read-only data fields */
    EXIT_QUALIFICATION              = 0x6400,
    IO_RCX                          = 0x6402,
    IO_RSI                          = 0x6404,
    IO_RDI                          = 0x6406,
    IO_RIP                          = 0x6408,
    GUEST_LINEAR_ADDRESS            = 0x640a,
    /* B.4.3 natural-width guest-state fields */
    GUEST_CR0                       = 0x6800,
    GUEST_CR3                       = 0x6802,
    GUEST_CR4                       = 0x6804,
    GUEST_ES_BASE                   = 0x6806,
    GUEST_CS_BASE                   = 0x6808,
    GUEST_SS_BASE                   = 0x680a,
    GUEST_DS_BASE                   = 0x680c,
    GUEST_FS_BASE                   = 0x680e,
    GUEST_GS_BASE                   = 0x6810,
    GUEST_LDTR_BASE                 = 0x6812,
    GUEST_TR_BASE                   = 0x6814,
    GUEST_GDTR_BASE                 = 0x6816,
    GUEST_IDTR_BASE                 = 0x6818,
    GUEST_DR7                       = 0x681a,
    GUEST_RSP                       = 0x681c,
    GUEST_RIP                       = 0x681e,
    GUEST_RFLAGS                    = 0x6820,
    GUEST_PENDING_DBG_EXCEPTIONS    = 0x6822,
    GUEST_SYSENTER_ESP              = 0x6824,
    GUEST_SYSENTER_EIP              = 0x6826,
    GUEST_S_CET                     = 0x6828,
    GUEST_SSP                       = 0x682a,
    GUEST_INTR_SSP_TABLE            = 0x682c,
    /* B.4.4 natural-width host-state fields */
    HOST_CR0                        = 0x6c00,
    HOST_CR3                        = 0x6c02,
    HOST_CR4                        = 0x6c04,
    HOST_FS_BASE                    = 0x6c06,
    HOST_GS_BASE                    = 0x6c08,
    HOST_TR_BASE                    = 0x6c0a,
    HOST_GDTR_BASE                  = 0x6c0c,
    HOST_IDTR_BASE                  = 0x6c0e,
    HOST_IA32_SYSENTER_ESP          = 0x6c10,
    HOST_IA32_SYSENTER_EIP          = 0x6c12,
    HOST_RSP                        = 0x6c14,
    HOST_RIP                        = 0x6c16,
    HOST_S_CET                      = 0x6c18,
    HOST_SSP                        = 0x6c1a,
    HOST_INTR_SSP_TABLE             = 0x6c1c,
};

/*
 * The interruption-information format shared by the VM-entry
 * interruption-information field (SDM Vol. 3C 25.8.3, Table 25-17), the
 * VM-exit interruption information and the IDT-vectoring information
 * (28.2.2, 28.2.4): vector in bits 7:0, type in 10:8, error code valid in
 * 11, NMI unblocking due to IRET in 12 (exit fields only), valid in 31.
 */
#define INTR_VALID                  (1u << 31)
#define INTR_DELIVER_ERR            (1u << 11)
#define INTR_NMI_UNBLOCKED_IRET     (1u << 12)
#define INTR_TYPE_MASK              (7u << 8)
#define INTR_TYPE_EXT_INTR          (0u << 8)
#define INTR_TYPE_NMI               (2u << 8)
#define INTR_TYPE_HW_EXCEPTION      (3u << 8)
#define INTR_TYPE_SW_INTR           (4u << 8)
#define INTR_TYPE_PRIV_SW_EXCEPTION (5u << 8)   /* INT1 (ICEBP) */
#define INTR_TYPE_SW_EXCEPTION      (6u << 8)   /* INT3, INTO */
#define INTR_TYPE_OTHER             (7u << 8)   /* vector 0: pending MTF VM exit */

/* The guest interruptibility state (SDM Vol. 3C 25.4.2, Table 25-3). */
#define GUEST_INTR_STATE_STI        (1u << 0)
#define GUEST_INTR_STATE_MOV_SS     (1u << 1)
#define GUEST_INTR_STATE_NMI        (1u << 3)   /* with "virtual NMIs": virtual-NMI blocking */

/* RFLAGS.RF (SDM Vol. 3A 2.3, 18.3.1.1). */
#define X86_RFLAGS_RF               (1ull << 16)

/* Bits 14:13 of an encoding */
enum vmcs_field_width {
    VMCS_WIDTH_16      = 0,
    VMCS_WIDTH_64      = 1,
    VMCS_WIDTH_32      = 2,
    VMCS_WIDTH_NATURAL = 3,
};

/* Bits 11:10 of an encoding; also the SDM group of the field */
enum vmcs_field_type {
    VMCS_TYPE_CONTROL   = 0,
    VMCS_TYPE_EXIT_INFO = 1, /* VM-exit information (read-only data) */
    VMCS_TYPE_GUEST     = 2,
    VMCS_TYPE_HOST      = 3,
};

struct vmcs_field_info {
    uint32_t encoding;
    const char *name;  /* the enum vmcs_field identifier */
    uint8_t group;     /* enum vmcs_field_type */
};

extern const struct vmcs_field_info vmcs_field_table[];
extern const unsigned vmcs_field_count;

static inline unsigned vmcs_field_width(uint32_t enc) { return (enc >> 13) & 3; }
static inline unsigned vmcs_field_type(uint32_t enc) { return (enc >> 10) & 3; }
static inline unsigned vmcs_field_index(uint32_t enc) { return (enc >> 1) & 0x1ff; }
static inline bool vmcs_field_is_high(uint32_t enc) { return enc & 1; }

/* Table entry for an encoding (a _HIGH encoding is not in the table), or NULL. */
const struct vmcs_field_info *vmcs_field_lookup(uint32_t encoding);
/* Field name, or "unknown VMCS field". */
const char *vmcs_field_name(uint32_t encoding);
/* "control", "exit-information", "guest-state", "host-state" */
const char *vmcs_group_name(unsigned group);
/* "16-bit", "64-bit", "32-bit", "natural-width" */
const char *vmcs_width_name(unsigned width);

#endif
