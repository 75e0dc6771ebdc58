/* Turning VMX on: capability checks, IA32_FEATURE_CONTROL, CR0/CR4 fixed bits, VMXON. */
#ifndef SKIFF_VMX_VMX_ON_H
#define SKIFF_VMX_VMX_ON_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/core/vmx_caps.h"

extern struct vmx_caps vmx_caps;

/*
 * Check everything Skiff needs, print the capability summary, and execute
 * VMXON.  `profile` (vmx_profile=, "" for none) restricts the capabilities
 * first (vmx/core/vmx_profile.h).  Returns 0, or the skiff exit status to end
 * with after reporting.
 */
int vmx_enable(const char *profile);

/* The same steps on an AP (kernel/smp/smp.c), silently: feature control, the CR0/CR4 fixed
 * bits (with `cr4`, the BSP's), VMXON on vmxon_phys.  False when this CPU cannot. */
bool vmx_enable_ap(uint64_t vmxon_phys, uint64_t cr4);

#endif
