/*
 * The guest's CPUID (vmx/core/cpuid_view.h).  On top of the host's answer: the
 * bits whose backing is missing are cleared (vmx/core/cpuid_backing.c: VMX,
 * MONITOR/MWAIT, DS, the instructions whose control Skiff could not set, the
 * features whose MSRs the policy denies), the hypervisor-present bit (leaf 1
 * ECX bit 31) is set unless `hypervisor_bit=hide`, OSXSAVE (leaf 1 ECX bit 27) and OSPKE (leaf 7 ECX bit 4)
 * follow the guest's own CR4, not Skiff's, leaf 0DH reports only the supervisor
 * state components the guest may enable in IA32_XSS (vmx/policy/xss_policy.c),
 * the leaves of hidden features (12H for SGX, 14H for Intel PT) read 0, the leaf 1
 * and 6 bits whose MSR this CPU lacks are hidden (vmx/policy/cpuid_msr.h), and the
 * guest's IA32_MISC_ENABLE applies (LIMIT_CPUID, XD disable: vmx/policy/misc_enable.h);
 * IA32_ARCH_CAPABILITIES is shown where the guest reads x2APIC mode as locked (vmx/policy/apic_lock.h).
 */
#include "vmx/core/cpuid_view.h"

#include "vmx/policy/cpuid_msr.h"
#include "vmx/policy/misc_enable.h"
#include "vmx/policy/xss_policy.h"

struct cpuid_view cpuid_view;

void cpuid_view_init(const struct vmx_features *f, bool x2apic_locked)
{
    cpuid_backing_view(f->proc2, &cpuid_view);
    /* The guest reads the x2APIC lock through IA32_ARCH_CAPABILITIES, shown where the CPU lacks
     * it (vmx/policy/apic_lock.h). */
    cpuid_view.show_arch_caps = x2apic_locked;
}

struct cpuid_regs cpuid_view_apply(const struct cpuid_view *v, uint32_t leaf, uint32_t sub, struct cpuid_regs r,
                                   const struct cpuid_guest *g)
{
    static const struct cpuid_regs zero;

    if (leaf == 1) {
        if (!v->hide_hypervisor)
            r.ecx |= 1u << 31;                    /* hypervisor present */
        r.ecx &= ~(1u << 27);                     /* OSXSAVE follows the guest's CR4 */
        if (g->osxsave)
            r.ecx |= 1u << 27;
    } else if (leaf == 7 && sub == 0) {
        /* OSPKE "reflects the setting of CR4.PKE" (Vol. 2A CPUID, leaf 07H ECX[4]): the guest's
         * CR4, which the CPU's CPUID in VMX root never sees. */
        r.ecx &= ~(1u << 4);
        if (g->ospke)
            r.ecx |= 1u << 4;
        if (v->show_arch_caps)
            r.edx |= 1u << 29;                /* ARCH_CAPABILITIES */
    } else if (leaf == 0xd && sub == 1) {
        /* IA32_XSS bits supported (Vol. 1 13.2): only the components the guest may enable. */
        uint64_t m = xss_guest_mask();
        r.ecx &= (uint32_t)m;
        r.edx &= (uint32_t)(m >> 32);
    } else if (leaf == 0xd && sub >= 2 && sub < 64 && (r.ecx & 1) && !(xss_guest_mask() & (1ull << sub))) {
        /* A supervisor component (ECX[0], Vol. 2A CPUID leaf 0DH) the guest may not enable:
         * an invalid sub-leaf, all zeros, as on a CPU without it. */
        r = zero;
    } else if ((leaf == 0x12 && cpuid_view_hides(v, 7, 0, CPUID_EBX, 2)) ||
               (leaf == 0x14 && cpuid_view_hides(v, 7, 0, CPUID_EBX, 25))) {
        r = zero;                                 /* SGX's and Intel PT's leaves, as on a CPU without them */
    } else if (leaf == 0x80000001 && !g->ia32e) {
        /* SYSCALL/SYSRET "available in 64-bit mode" (Vol. 2A CPUID, leaf 80000001H EDX[11]):
         * Intel CPUs report it only while IA32_EFER.LMA = 1, which the exit saved in the
         * "IA-32e mode guest" entry control (SDM Vol. 3C "Recording VM-Exit Information and
         * Updating VM-Entry Control Fields"); Skiff's own CPUID runs in 64-bit mode. */
        r.edx &= ~(1u << 11);
    }
    cpuid_view_clear(v, leaf, sub, &r);
    cpuid_msr_hide(&cpuid_hidden, leaf, &r);
    misc_enable_cpuid(g->misc_enable, leaf, &r);  /* LIMIT_CPUID, XD disable */
    return r;
}
