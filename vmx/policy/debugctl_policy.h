/*
 * The IA32_DEBUGCTL bits a guest may set (vmx/policy/debugctl_policy.c): one row per bit,
 * with its reason.  A guest write of any other bit raises #GP, as on a CPU without the
 * feature and as under KVM (its vmx_set_msr refuses what vmx_is_valid_debugctl refuses).
 */
#ifndef SKIFF_VMX_DEBUGCTL_POLICY_H
#define SKIFF_VMX_DEBUGCTL_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct debugctl_bit {
    uint8_t bit;
    bool guest_may_set;
    const char *name;            /* SDM Vol. 4 Table 2-2 */
    const char *reason;
};

extern const struct debugctl_bit debugctl_bits[];
extern const unsigned debugctl_bit_count;

/* The OR of the rows the guest may set; bits without a row are reserved. */
uint64_t debugctl_guest_mask(void);
/* A guest WRMSR of this value is accepted (else #GP). */
bool debugctl_write_ok(uint64_t value);

#endif
