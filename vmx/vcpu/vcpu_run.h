/* Entering the guest (vmx/vcpu/vcpu_run.c). */
#ifndef SKIFF_VMX_VCPU_RUN_H
#define SKIFF_VMX_VCPU_RUN_H

#include "vmx/core/vcpu.h"

#define VCPU_ENTRY_REFUSED 3   /* vcpu_run: the VMCS checker refused the entry */

/*
 * Enter the guest respecting the launch state: VMLAUNCH when Clear, VMRESUME
 * when Launched.  Returns 0 once the dispatcher stopped the guest, the VMX
 * status (1, 2) of a failed entry after reporting it, or VCPU_ENTRY_REFUSED.
 */
int vcpu_run(struct vcpu *v);

#endif
