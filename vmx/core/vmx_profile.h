/*
 * vmx_profile=NAME[,NAME...]: restrict Skiff to what the CPU AND the named
 * restrictions offer, so the degraded paths of the machines Skiff's users run
 * it on (a KVM L1 on an older host, KVM with vpid=0, CPUs without 1 GiB EPT
 * pages or unrestricted guest) run in Bochs too.  A restriction clears
 * allowed-1 bits of the capability MSRs as read (SDM Vol. 3D A.3.3, A.6, A.10),
 * before anything decides from them: the controls, the EPT leaves, the
 * wait-for-SIPI path and the software VM-entry checks all see the restricted
 * CPU.  Pure code: the unit tests apply every row to captured values.
 */
#ifndef SKIFF_VMX_PROFILE_H
#define SKIFF_VMX_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "vmx/core/vmx_caps.h"

struct vmx_profile {
    const char *name;
    const char *removes;       /* what it takes away, as the boot line names it */
    uint32_t proc2;            /* secondary controls no longer allowed to be 1 (MSR 0x48b bits 63:32) */
    uint64_t ept_vpid;         /* IA32_VMX_EPT_VPID_CAP bits cleared */
    uint64_t misc;             /* IA32_VMX_MISC bits cleared */
    const char *reason;        /* where such a CPU is found */
};

extern const struct vmx_profile vmx_profiles[];
extern const size_t vmx_profile_count;

/* The row named by s[0..len), or NULL. */
const struct vmx_profile *vmx_profile_find(const char *s, size_t len);

/*
 * Apply the comma-separated restrictions of `list` to the raw MSR values in *c
 * and decode again.  Returns 0 with the boot line's text in `line` ("kvm-old:
 * removed the wait-for-SIPI activity state (IA32_VMX_MISC bit 8); ..."), or -1
 * with the reason in `line` (an unknown name, with the known ones).
 */
int vmx_profile_apply(struct vmx_caps *c, const char *list, char *line, size_t len);

#endif
