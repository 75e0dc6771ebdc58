/*
 * VM-instruction error numbers (SDM Vol. 3C 31.4 "VM Instruction Error
 * Numbers"): the value of the VM_INSTRUCTION_ERROR field after VMfailValid.
 */
#ifndef SKIFF_VMX_ERRORS_H
#define SKIFF_VMX_ERRORS_H

#include <stdint.h>

#define VMXERR_VMCALL_IN_VMX_ROOT             1
#define VMXERR_VMCLEAR_INVALID_ADDRESS        2
#define VMXERR_VMCLEAR_VMXON_POINTER          3
#define VMXERR_VMLAUNCH_NONCLEAR_VMCS         4
#define VMXERR_VMRESUME_NONLAUNCHED_VMCS      5
#define VMXERR_VMRESUME_AFTER_VMXOFF          6
#define VMXERR_ENTRY_INVALID_CONTROL_FIELD    7
#define VMXERR_ENTRY_INVALID_HOST_STATE_FIELD 8
#define VMXERR_VMPTRLD_INVALID_ADDRESS        9
#define VMXERR_VMPTRLD_VMXON_POINTER          10
#define VMXERR_VMPTRLD_INCORRECT_REVISION_ID  11
#define VMXERR_UNSUPPORTED_VMCS_COMPONENT     12
#define VMXERR_VMWRITE_READ_ONLY_COMPONENT    13
#define VMXERR_VMXON_IN_VMX_ROOT              15
#define VMXERR_ENTRY_EVENTS_BLOCKED_BY_MOV_SS 26
#define VMXERR_INVALID_INVEPT_INVVPID_OPERAND 28
#define VMXERR_MAX                            28

/* SDM description of error n, "reserved" for 14/21/27, else "unknown VM-instruction error". */
const char *vmx_insn_error_name(uint32_t n);

#endif
