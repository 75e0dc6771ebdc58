/*
 * The transient-execution mitigations put in force (vmx/core/spec_ctrl.c): the decision is
 * vmx/policy/spec_policy.c's; this applies it to the CPU, the VMCS and the exit stub.
 */
#ifndef SKIFF_VMX_CORE_SPEC_CTRL_H
#define SKIFF_VMX_CORE_SPEC_CTRL_H

#include <stdint.h>

#include "vmx/policy/spec_policy.h"

struct vcpu;

/* Once, by the BSP, before the first VMCS: read the CPU, decide, print the boot line
 * (and each row at loglevel=debug), set the exit stub's flags. */
void spec_ctrl_init(void);

/* For each VMCS, on the CPU that runs it: Skiff's IA32_SPEC_CTRL and the VM-exit/entry MSR lists. */
void spec_ctrl_vmcs_setup(struct vcpu *v);

extern struct spec_plan spec_in_force;

/* Read by vmx/core/exit_stub.S. */
extern uint8_t spec_verw_on_entry;   /* VERW before VMLAUNCH/VMRESUME */
extern uint8_t spec_rsb_on_exit;     /* 0: none, 1: one CALL + LFENCE, 2: 32 entries */
extern uint16_t spec_verw_sel;       /* VERW's operand: a writable data selector */

#endif
