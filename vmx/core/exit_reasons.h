/*
 * Basic VM-exit reasons (SDM Vol. 3D Appendix C) and decoders for the exit
 * qualifications Skiff handles (SDM Vol. 3C 28.2.1, Tables 28-3, 28-5, 28-7).
 *
 * VM_EXIT_REASON (SDM Vol. 3C 25.9.1): bits 15:0 basic reason, bit 31 set
 * when VM entry failed (reasons 33, 34, 41).
 */
#ifndef SKIFF_VMX_EXIT_REASONS_H
#define SKIFF_VMX_EXIT_REASONS_H

#include <stdbool.h>
#include <stdint.h>

enum vmx_exit_reason {
    EXIT_REASON_EXCEPTION_NMI        = 0,
    EXIT_REASON_EXTERNAL_INTERRUPT   = 1,
    EXIT_REASON_TRIPLE_FAULT         = 2,
    EXIT_REASON_INIT_SIGNAL          = 3,
    EXIT_REASON_SIPI                 = 4,
    EXIT_REASON_IO_SMI               = 5,
    EXIT_REASON_OTHER_SMI            = 6,
    EXIT_REASON_INTERRUPT_WINDOW     = 7,
    EXIT_REASON_NMI_WINDOW           = 8,
    EXIT_REASON_TASK_SWITCH          = 9,
    EXIT_REASON_CPUID                = 10,
    EXIT_REASON_GETSEC               = 11,
    EXIT_REASON_HLT                  = 12,
    EXIT_REASON_INVD                 = 13,
    EXIT_REASON_INVLPG               = 14,
    EXIT_REASON_RDPMC                = 15,
    EXIT_REASON_RDTSC                = 16,
    EXIT_REASON_RSM                  = 17,
    EXIT_REASON_VMCALL               = 18,
    EXIT_REASON_VMCLEAR              = 19,
    EXIT_REASON_VMLAUNCH             = 20,
    EXIT_REASON_VMPTRLD              = 21,
    EXIT_REASON_VMPTRST              = 22,
    EXIT_REASON_VMREAD               = 23,
    EXIT_REASON_VMRESUME             = 24,
    EXIT_REASON_VMWRITE              = 25,
    EXIT_REASON_VMXOFF               = 26,
    EXIT_REASON_VMXON                = 27,
    EXIT_REASON_CR_ACCESS            = 28,
    EXIT_REASON_DR_ACCESS            = 29,
    EXIT_REASON_IO_INSTRUCTION       = 30,
    EXIT_REASON_MSR_READ             = 31,
    EXIT_REASON_MSR_WRITE            = 32,
    EXIT_REASON_INVALID_GUEST_STATE  = 33,
    EXIT_REASON_MSR_LOADING          = 34,
    EXIT_REASON_MWAIT                = 36,
    EXIT_REASON_MTF                  = 37,
    EXIT_REASON_MONITOR              = 39,
    EXIT_REASON_PAUSE                = 40,
    EXIT_REASON_MCE_DURING_VMENTRY   = 41,
    EXIT_REASON_TPR_BELOW_THRESHOLD  = 43,
    EXIT_REASON_APIC_ACCESS          = 44,
    EXIT_REASON_VIRTUALIZED_EOI      = 45,
    EXIT_REASON_GDTR_IDTR            = 46,
    EXIT_REASON_LDTR_TR              = 47,
    EXIT_REASON_EPT_VIOLATION        = 48,
    EXIT_REASON_EPT_MISCONFIG        = 49,
    EXIT_REASON_INVEPT               = 50,
    EXIT_REASON_RDTSCP               = 51,
    EXIT_REASON_PREEMPTION_TIMER     = 52,
    EXIT_REASON_INVVPID              = 53,
    EXIT_REASON_WBINVD               = 54,
    EXIT_REASON_XSETBV               = 55,
    EXIT_REASON_APIC_WRITE           = 56,
    EXIT_REASON_RDRAND               = 57,
    EXIT_REASON_INVPCID              = 58,
    EXIT_REASON_VMFUNC               = 59,
    EXIT_REASON_ENCLS                = 60,
    EXIT_REASON_RDSEED               = 61,
    EXIT_REASON_PML_FULL             = 62,
    EXIT_REASON_XSAVES               = 63,
    EXIT_REASON_XRSTORS              = 64,
    EXIT_REASON_PCONFIG              = 65,
    EXIT_REASON_SPP_EVENT            = 66,
    EXIT_REASON_UMWAIT               = 67,
    EXIT_REASON_TPAUSE               = 68,
    EXIT_REASON_LOADIWKEY            = 69,
    EXIT_REASON_ENCLV                = 70,
    EXIT_REASON_ENQCMD_PASID_FAIL    = 72,
    EXIT_REASON_ENQCMDS_PASID_FAIL   = 73,
    EXIT_REASON_BUS_LOCK             = 74,
    EXIT_REASON_NOTIFY               = 75,
    EXIT_REASON_SEAMCALL             = 76,
    EXIT_REASON_TDCALL               = 77,
    EXIT_REASON_RDMSRLIST            = 78,
    EXIT_REASON_WRMSRLIST            = 79,
    EXIT_REASON_URDMSR               = 80,
    EXIT_REASON_UWRMSR               = 81,
    EXIT_REASON_MSR_READ_IMM         = 84,
    EXIT_REASON_MSR_WRITE_IMM        = 85,
};

#define EXIT_REASON_MAX            86          /* one past the highest basic reason */
#define EXIT_REASON_BASIC_MASK     0xffffu
#define EXIT_REASON_FAILED_VMENTRY (1u << 31)

/* SDM name of a basic exit reason; "unknown exit reason" for gaps and >= MAX. */
const char *vmx_exit_reason_name(uint32_t basic);
/* The enum's identifier without EXIT_REASON_ (e.g. "CR_ACCESS"); "UNKNOWN" for gaps. */
const char *vmx_exit_reason_id(uint32_t basic);

/* Table 28-3: control-register accesses */
enum cr_access_type {
    CR_ACCESS_MOV_TO_CR   = 0,
    CR_ACCESS_MOV_FROM_CR = 1,
    CR_ACCESS_CLTS        = 2,
    CR_ACCESS_LMSW        = 3,
};

struct cr_access {
    uint8_t cr;          /* bits 3:0 (0 for CLTS/LMSW) */
    uint8_t type;        /* bits 5:4, enum cr_access_type */
    bool lmsw_memory;    /* bit 6: LMSW operand is memory (else register) */
    uint8_t gpr;         /* bits 11:8: 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, ... 15 R15 */
    uint16_t lmsw_data;  /* bits 31:16: LMSW source data */
};

/* Table 28-5: I/O instructions */
struct io_access {
    uint8_t size;        /* bytes: 1, 2 or 4 (bits 2:0 hold size - 1) */
    bool in;             /* bit 3: IN/INS (else OUT/OUTS) */
    bool string;         /* bit 4: INS/OUTS */
    bool rep;            /* bit 5: REP prefixed */
    bool imm_operand;    /* bit 6: port is an immediate (else DX) */
    uint16_t port;       /* bits 31:16 */
};

/* Table 28-7: EPT violations */
struct ept_violation {
    bool read;           /* bit 0: the access was a data read */
    bool write;          /* bit 1: data write */
    bool fetch;          /* bit 2: instruction fetch */
    bool readable;       /* bit 3: the translation permits reads */
    bool writable;       /* bit 4: ... writes */
    bool executable;     /* bit 5: ... execution (supervisor, with mode-based control) */
    bool user_executable;/* bit 6: user-mode execution (mode-based control only) */
    bool gla_valid;      /* bit 7: GUEST_LINEAR_ADDRESS is valid */
    bool gla_final;      /* bit 8: access to the final translation, not a paging entry */
    bool user_mode;      /* bit 9: user-mode linear address (advanced EPT exit info) */
    bool rw_page;        /* bit 10: guest paging allows writes */
    bool nx_page;        /* bit 11: guest paging forbids execution */
    bool nmi_unblocking; /* bit 12: NMI unblocking due to IRET */
    bool shadow_stack;   /* bit 13: shadow-stack access */
};

#define EPT_VIOL_READ  (1ull << 0)
#define EPT_VIOL_WRITE (1ull << 1)
#define EPT_VIOL_FETCH (1ull << 2)

void vmx_decode_cr_access(uint64_t qual, struct cr_access *out);
void vmx_decode_io(uint64_t qual, struct io_access *out);
void vmx_decode_ept_violation(uint64_t qual, struct ept_violation *out);
/* "write", "instruction fetch" or "read": the access that caused an EPT violation. */
const char *vmx_ept_access_name(uint64_t qual);

#endif
