/*
 * The guest's leaf 1 hypervisor bit (vmx/core/cpuid_view.c): set by default, as
 * the bare CPU has it (clear) with `hypervisor_bit=hide`, and the option's parse.
 */
// SOURCES: vmx/core/vmx_controls.c vmx/core/vmx_caps.c vmx/core/cpuid_backing.c vmx/core/cpuid_view.c vmx/policy/debugctl_policy.c vmx/policy/msr_policy.c vmx/policy/xss_policy.c vmx/policy/cpuid_msr.c vmx/policy/misc_enable.c
#include "tests/unit/unit.h"
#include "vmx/core/cpuid_view.h"

static const struct cpuid_regs skylake_leaf1 = { 0x00050654, 0x00100800, 0x7ffefbff, 0xbfebfbff };

static struct cpuid_regs leaf1(bool hide)
{
    struct cpuid_view v;
    struct cpuid_guest g = { .osxsave = true, .ia32e = true };
    cpuid_backing_view(~0u, &v);
    v.hide_hypervisor = hide;
    return cpuid_view_apply(&v, 1, 0, skylake_leaf1, &g);
}

TEST(hypervisor_bit_shown_by_default)
{
    CHECK(leaf1(false).ecx & (1u << 31));
}

TEST(hypervisor_bit_hidden_reads_as_the_bare_cpu)
{
    struct cpuid_regs shown = leaf1(false), hidden = leaf1(true);
    CHECK(!(hidden.ecx & (1u << 31)));
    /* Nothing else changes: the bit is the only difference. */
    CHECK_EQ(hidden.ecx, shown.ecx & ~(1u << 31));
    CHECK_EQ(hidden.eax, shown.eax);
    CHECK_EQ(hidden.ebx, shown.ebx);
    CHECK_EQ(hidden.edx, shown.edx);
}

UNIT_MAIN(T(hypervisor_bit_shown_by_default), T(hypervisor_bit_hidden_reads_as_the_bare_cpu))
