/*
 * The guest's CPUID from the host's: the CPUID exit's rules (vmx/exit/exit_cpuid.c)
 * as one pure function, so that the unit tests compute the view of every profile
 * in tests/profiles/ exactly as a CPUID exit would.
 */
#ifndef SKIFF_VMX_CPUID_VIEW_H
#define SKIFF_VMX_CPUID_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/cpu/cpu.h"
#include "vmx/core/cpuid_backing.h"
#include "vmx/core/vmx_controls.h"

/* The guest state a CPUID answer depends on. */
struct cpuid_guest {
    bool osxsave, ospke;      /* CR4.OSXSAVE, CR4.PKE as the guest set them */
    bool ia32e;               /* IA32_EFER.LMA ("IA-32e mode guest") */
    uint64_t misc_enable;     /* the guest's IA32_MISC_ENABLE (vmx/policy/misc_enable.h) */
};

/* Skiff's view, decided once from the controls (vmx/core/vmcs.c, with the controls). */
extern struct cpuid_view cpuid_view;
/* x2apic_locked: the guest reads x2APIC mode as locked (vmx/policy/apic_lock.h): IA32_ARCH_CAPABILITIES shown. */
void cpuid_view_init(const struct vmx_features *f, bool x2apic_locked);

/* The guest's answer to CPUID(leaf, sub) given the host's answer `r` (leaves 0x400000xx excepted). */
struct cpuid_regs cpuid_view_apply(const struct cpuid_view *v, uint32_t leaf, uint32_t sub, struct cpuid_regs r,
                                   const struct cpuid_guest *g);

#endif
