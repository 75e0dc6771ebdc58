/* The VMCS fields nested KVM shadows for its L1 (vmx/core/vmcs_shadow.c). */
#ifndef SKIFF_VMX_VMCS_SHADOW_H
#define SKIFF_VMX_VMCS_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

struct vmcs_shadow_row {
    uint32_t field;
    bool writable;          /* read-write in the shadow; false: read-only (a VMWRITE exits) */
    const char *name;
};

extern const struct vmcs_shadow_row vmcs_shadow_rows[];
extern const unsigned vmcs_shadow_nrows;

/* Does a VMREAD (write false) or VMWRITE (write true) of field stay in L1 under nested KVM? */
bool vmcs_shadowed(uint32_t field, bool write);

#endif
