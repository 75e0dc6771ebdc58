/* Boot-time VMX self-tests (selftest=vmx, selftest=vmcheck), run before the real guest. */
#ifndef SKIFF_VMX_SELFTEST_H
#define SKIFF_VMX_SELFTEST_H

#include <stdint.h>

#include "vmx/core/vmcs.h"

/*
 * Both use a second VMCS whose guest is a VMCALL stub at stub_rip (RAX = HC_EXIT), set up like
 * the real guest's; they leave the real guest's VMCS current again.
 * They return 0, or a SKIFF_* status.
 */
int selftest_vmx(struct vcpu *guest, const struct guest_start *gs, uint64_t stub_rip, uint64_t io_a, uint64_t io_b,
                 uint64_t msr);
int selftest_vmcheck(struct vcpu *guest, const struct guest_start *gs, uint64_t stub_rip, uint64_t io_a, uint64_t io_b,
                     uint64_t msr);

#endif
