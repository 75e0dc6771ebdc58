/* Turning VMX on: capability checks, IA32_FEATURE_CONTROL, CR0/CR4 fixed bits, VMXON. */
#ifndef SKIFF_VMX_VMX_ON_H
#define SKIFF_VMX_VMX_ON_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/vmx_caps.h"

extern struct vmx_caps vmx_caps;

/* IA32_FEATURE_CONTROL bits (SDM Vol. 3C 24.7). */
#define FEATURE_CONTROL_LOCKED        (1ull << 0)
#define FEATURE_CONTROL_VMX_IN_SMX    (1ull << 1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)

enum feature_control_action {
    FC_PROCEED,          /* locked with VMX outside SMX enabled */
    FC_ENABLE_AND_LOCK,  /* unlocked: Skiff sets the enable bit and locks it */
    FC_DISABLED_BY_FIRMWARE,
};

/* Pure decision on an IA32_FEATURE_CONTROL value (unit-tested on the host). */
enum feature_control_action vmx_feature_control_action(uint64_t value);

/*
 * Check everything Skiff needs, print the capability summary, and execute
 * VMXON.  Returns 0, or the skiff exit status to end with after reporting.
 */
int vmx_enable(void);

#endif
