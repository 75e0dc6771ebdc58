/* Exit-reason names (SDM Vol. 3D Appendix C) and exit-qualification decoders. */
#include "vmx/core/exit_reasons.h"

/* Identifier (for counters and traces) and SDM name of each basic exit reason. */
static const struct {
    const char *id, *name;
} exit_reason_names[EXIT_REASON_MAX] = {
    [EXIT_REASON_EXCEPTION_NMI] = { "EXCEPTION_NMI", "exception or NMI" },
    [EXIT_REASON_EXTERNAL_INTERRUPT] = { "EXTERNAL_INTERRUPT", "external interrupt" },
    [EXIT_REASON_TRIPLE_FAULT] = { "TRIPLE_FAULT", "triple fault" },
    [EXIT_REASON_INIT_SIGNAL] = { "INIT_SIGNAL", "INIT signal" },
    [EXIT_REASON_SIPI] = { "SIPI", "start-up IPI (SIPI)" },
    [EXIT_REASON_IO_SMI] = { "IO_SMI", "I/O system-management interrupt (SMI)" },
    [EXIT_REASON_OTHER_SMI] = { "OTHER_SMI", "other SMI" },
    [EXIT_REASON_INTERRUPT_WINDOW] = { "INTERRUPT_WINDOW", "interrupt window" },
    [EXIT_REASON_NMI_WINDOW] = { "NMI_WINDOW", "NMI window" },
    [EXIT_REASON_TASK_SWITCH] = { "TASK_SWITCH", "task switch" },
    [EXIT_REASON_CPUID] = { "CPUID", "CPUID" },
    [EXIT_REASON_GETSEC] = { "GETSEC", "GETSEC" },
    [EXIT_REASON_HLT] = { "HLT", "HLT" },
    [EXIT_REASON_INVD] = { "INVD", "INVD" },
    [EXIT_REASON_INVLPG] = { "INVLPG", "INVLPG" },
    [EXIT_REASON_RDPMC] = { "RDPMC", "RDPMC" },
    [EXIT_REASON_RDTSC] = { "RDTSC", "RDTSC" },
    [EXIT_REASON_RSM] = { "RSM", "RSM" },
    [EXIT_REASON_VMCALL] = { "VMCALL", "VMCALL" },
    [EXIT_REASON_VMCLEAR] = { "VMCLEAR", "VMCLEAR" },
    [EXIT_REASON_VMLAUNCH] = { "VMLAUNCH", "VMLAUNCH" },
    [EXIT_REASON_VMPTRLD] = { "VMPTRLD", "VMPTRLD" },
    [EXIT_REASON_VMPTRST] = { "VMPTRST", "VMPTRST" },
    [EXIT_REASON_VMREAD] = { "VMREAD", "VMREAD" },
    [EXIT_REASON_VMRESUME] = { "VMRESUME", "VMRESUME" },
    [EXIT_REASON_VMWRITE] = { "VMWRITE", "VMWRITE" },
    [EXIT_REASON_VMXOFF] = { "VMXOFF", "VMXOFF" },
    [EXIT_REASON_VMXON] = { "VMXON", "VMXON" },
    [EXIT_REASON_CR_ACCESS] = { "CR_ACCESS", "control-register access" },
    [EXIT_REASON_DR_ACCESS] = { "DR_ACCESS", "MOV DR" },
    [EXIT_REASON_IO_INSTRUCTION] = { "IO_INSTRUCTION", "I/O instruction" },
    [EXIT_REASON_MSR_READ] = { "MSR_READ", "RDMSR" },
    [EXIT_REASON_MSR_WRITE] = { "MSR_WRITE", "WRMSR" },
    [EXIT_REASON_INVALID_GUEST_STATE] = { "INVALID_GUEST_STATE", "VM-entry failure due to invalid guest state" },
    [EXIT_REASON_MSR_LOADING] = { "MSR_LOADING", "VM-entry failure due to MSR loading" },
    [EXIT_REASON_MWAIT] = { "MWAIT", "MWAIT" },
    [EXIT_REASON_MTF] = { "MTF", "monitor trap flag" },
    [EXIT_REASON_MONITOR] = { "MONITOR", "MONITOR" },
    [EXIT_REASON_PAUSE] = { "PAUSE", "PAUSE" },
    [EXIT_REASON_MCE_DURING_VMENTRY] = { "MCE_DURING_VMENTRY", "VM-entry failure due to machine-check event" },
    [EXIT_REASON_TPR_BELOW_THRESHOLD] = { "TPR_BELOW_THRESHOLD", "TPR below threshold" },
    [EXIT_REASON_APIC_ACCESS] = { "APIC_ACCESS", "APIC access" },
    [EXIT_REASON_VIRTUALIZED_EOI] = { "VIRTUALIZED_EOI", "virtualized EOI" },
    [EXIT_REASON_GDTR_IDTR] = { "GDTR_IDTR", "access to GDTR or IDTR" },
    [EXIT_REASON_LDTR_TR] = { "LDTR_TR", "access to LDTR or TR" },
    [EXIT_REASON_EPT_VIOLATION] = { "EPT_VIOLATION", "EPT violation" },
    [EXIT_REASON_EPT_MISCONFIG] = { "EPT_MISCONFIG", "EPT misconfiguration" },
    [EXIT_REASON_INVEPT] = { "INVEPT", "INVEPT" },
    [EXIT_REASON_RDTSCP] = { "RDTSCP", "RDTSCP" },
    [EXIT_REASON_PREEMPTION_TIMER] = { "PREEMPTION_TIMER", "VMX-preemption timer expired" },
    [EXIT_REASON_INVVPID] = { "INVVPID", "INVVPID" },
    [EXIT_REASON_WBINVD] = { "WBINVD", "WBINVD or WBNOINVD" },
    [EXIT_REASON_XSETBV] = { "XSETBV", "XSETBV" },
    [EXIT_REASON_APIC_WRITE] = { "APIC_WRITE", "APIC write" },
    [EXIT_REASON_RDRAND] = { "RDRAND", "RDRAND" },
    [EXIT_REASON_INVPCID] = { "INVPCID", "INVPCID" },
    [EXIT_REASON_VMFUNC] = { "VMFUNC", "VMFUNC" },
    [EXIT_REASON_ENCLS] = { "ENCLS", "ENCLS" },
    [EXIT_REASON_RDSEED] = { "RDSEED", "RDSEED" },
    [EXIT_REASON_PML_FULL] = { "PML_FULL", "page-modification log full" },
    [EXIT_REASON_XSAVES] = { "XSAVES", "XSAVES" },
    [EXIT_REASON_XRSTORS] = { "XRSTORS", "XRSTORS" },
    [EXIT_REASON_PCONFIG] = { "PCONFIG", "PCONFIG" },
    [EXIT_REASON_SPP_EVENT] = { "SPP_EVENT", "SPP-related event" },
    [EXIT_REASON_UMWAIT] = { "UMWAIT", "UMWAIT" },
    [EXIT_REASON_TPAUSE] = { "TPAUSE", "TPAUSE" },
    [EXIT_REASON_LOADIWKEY] = { "LOADIWKEY", "LOADIWKEY" },
    [EXIT_REASON_ENCLV] = { "ENCLV", "ENCLV" },
    [EXIT_REASON_ENQCMD_PASID_FAIL] = { "ENQCMD_PASID_FAIL", "ENQCMD PASID translation failure" },
    [EXIT_REASON_ENQCMDS_PASID_FAIL] = { "ENQCMDS_PASID_FAIL", "ENQCMDS PASID translation failure" },
    [EXIT_REASON_BUS_LOCK] = { "BUS_LOCK", "bus lock" },
    [EXIT_REASON_NOTIFY] = { "NOTIFY", "instruction timeout" },
    [EXIT_REASON_SEAMCALL] = { "SEAMCALL", "SEAMCALL" },
    [EXIT_REASON_TDCALL] = { "TDCALL", "TDCALL" },
    [EXIT_REASON_RDMSRLIST] = { "RDMSRLIST", "RDMSRLIST" },
    [EXIT_REASON_WRMSRLIST] = { "WRMSRLIST", "WRMSRLIST" },
    [EXIT_REASON_URDMSR] = { "URDMSR", "URDMSR" },
    [EXIT_REASON_UWRMSR] = { "UWRMSR", "UWRMSR" },
    [EXIT_REASON_MSR_READ_IMM] = { "MSR_READ_IMM", "RDMSR with immediate" },
    [EXIT_REASON_MSR_WRITE_IMM] = { "MSR_WRITE_IMM", "WRMSRNS with immediate" },
};

const char *vmx_exit_reason_name(uint32_t basic)
{
    if (basic >= EXIT_REASON_MAX || !exit_reason_names[basic].name)
        return "unknown exit reason";
    return exit_reason_names[basic].name;
}

const char *vmx_exit_reason_id(uint32_t basic)
{
    if (basic >= EXIT_REASON_MAX || !exit_reason_names[basic].id)
        return "UNKNOWN";
    return exit_reason_names[basic].id;
}

void vmx_decode_cr_access(uint64_t qual, struct cr_access *out)
{
    out->cr = qual & 0xf;
    out->type = (qual >> 4) & 3;
    out->lmsw_memory = (qual >> 6) & 1;
    out->gpr = (qual >> 8) & 0xf;
    out->lmsw_data = (qual >> 16) & 0xffff;
}

void vmx_decode_io(uint64_t qual, struct io_access *out)
{
    out->size = (qual & 7) + 1;
    out->in = (qual >> 3) & 1;
    out->string = (qual >> 4) & 1;
    out->rep = (qual >> 5) & 1;
    out->imm_operand = (qual >> 6) & 1;
    out->port = (qual >> 16) & 0xffff;
}

void vmx_decode_ept_violation(uint64_t qual, struct ept_violation *out)
{
    out->read = qual & 1;
    out->write = (qual >> 1) & 1;
    out->fetch = (qual >> 2) & 1;
    out->readable = (qual >> 3) & 1;
    out->writable = (qual >> 4) & 1;
    out->executable = (qual >> 5) & 1;
    out->user_executable = (qual >> 6) & 1;
    out->gla_valid = (qual >> 7) & 1;
    out->gla_final = (qual >> 8) & 1;
    out->user_mode = (qual >> 9) & 1;
    out->rw_page = (qual >> 10) & 1;
    out->nx_page = (qual >> 11) & 1;
    out->nmi_unblocking = (qual >> 12) & 1;
    out->shadow_stack = (qual >> 13) & 1;
}

/* A read-modify-write sets both bits 0 and 1; report it as the write. */
const char *vmx_ept_access_name(uint64_t qual)
{
    if (qual & EPT_VIOL_WRITE)
        return "write";
    if (qual & EPT_VIOL_FETCH)
        return "instruction fetch";
    return "read";
}
