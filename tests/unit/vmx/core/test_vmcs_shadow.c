/* The nested-cost model's table: the fields nested KVM shadows (vmx/core/vmcs_shadow.c). */
// SOURCES: vmx/core/vmcs_shadow.c vmx/core/vmcs_fields.c
#include "tests/unit/unit.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmcs_shadow.h"

/* KVM's list (Linux arch/x86/kvm/vmx/vmcs_shadow_fields.h): 4 + 17 + 13 + 2 rows (12 read-only), no field twice,
 * every one a field Skiff knows by the SDM's encoding. */
TEST(table_is_kvms_list)
{
    CHECK_EQ(vmcs_shadow_nrows, 36);
    unsigned ro = 0, dup = 0;
    for (unsigned i = 0; i < vmcs_shadow_nrows; i++) {
        ro += !vmcs_shadow_rows[i].writable;
        for (unsigned j = 0; j < i; j++)
            dup += vmcs_shadow_rows[i].field == vmcs_shadow_rows[j].field;
    }
    CHECK_EQ(ro, 12);
    CHECK_EQ(dup, 0);
}

/* The CPUID fast path in vmx/core/exit_stub.S touches only shadowed fields: 0 round trips beyond CPUID. */
TEST(stub_fast_path_fields_are_shadowed)
{
    CHECK(vmcs_shadowed(VM_EXIT_REASON, false));
    CHECK(vmcs_shadowed(VM_EXIT_INSTRUCTION_LEN, false));
    CHECK(vmcs_shadowed(GUEST_RIP, false));
    CHECK(vmcs_shadowed(GUEST_RIP, true));
    CHECK(vmcs_shadowed(EXIT_QUALIFICATION, false));
}

/* Read-only rows exit on VMWRITE; fields off the list exit both ways (the activity state: INIT's). */
TEST(others_are_round_trips)
{
    CHECK(!vmcs_shadowed(EXIT_QUALIFICATION, true));
    CHECK(!vmcs_shadowed(GUEST_ACTIVITY_STATE, false));
    CHECK(!vmcs_shadowed(GUEST_ACTIVITY_STATE, true));
    CHECK(!vmcs_shadowed(SECONDARY_VM_EXEC_CONTROL, false));
    CHECK(!vmcs_shadowed(GUEST_CS_SELECTOR, true));
    CHECK(!vmcs_shadowed(VM_INSTRUCTION_ERROR, false));
    CHECK(vmcs_shadowed(GUEST_PHYSICAL_ADDRESS + 1, false));
}

UNIT_MAIN(T(table_is_kvms_list), T(stub_fast_path_fields_are_shadowed), T(others_are_round_trips))
