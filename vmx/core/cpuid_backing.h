/*
 * Every CPUID bit the guest sees is backed (issue 21, items 1 and 2): ONE const
 * table, a row per CPUID bit that needs something of Skiff to work in VMX
 * non-root operation, with its reason.  A row's bit is shown only where its
 * backing holds:
 *  - CB_CONTROL: the instruction raises #UD in VMX non-root operation unless a
 *    secondary processor-based control is 1 (SDM Vol. 3C 26.3 "Changes to
 *    Instruction Behavior in VMX Non-Root Operation", 25.6.2 Table 25-7): the
 *    control must be among the ones Skiff runs with (vmx/core/vmx_controls.c);
 *  - CB_MSRS: the feature's MSRs (SDM Vol. 4 "Register Availability"): each
 *    access listed must be allowed by the MSR policy (vmx/policy/msr_policy.c),
 *    which carries its containment reason;
 *  - CB_DEBUGCTL: an IA32_DEBUGCTL bit the guest may set (vmx/policy/debugctl_policy.c);
 *  - CB_HIDDEN: never shown, for the reason given.
 * Rows of the pseudo-leaf CPUID_LEAF_ARCH_CAPS name IA32_ARCH_CAPABILITIES bits: the guest reads
 * that MSR unchanged, so their backing must always hold (the unit tests check it).
 * Pure logic: tests/unit/vmx/core/test_cpuid_profiles.c computes the view for every profile.
 */
#ifndef SKIFF_VMX_CPUID_BACKING_H
#define SKIFF_VMX_CPUID_BACKING_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/cpu/cpu.h"
#include "vmx/policy/cpuid_msr.h"       /* enum cpuid_reg */

#define CPUID_NO_SUB 0xffffffffu            /* a leaf without sub-leaves */
#define CPUID_LEAF_ARCH_CAPS 0xffff010au    /* not a CPUID leaf: IA32_ARCH_CAPABILITIES (EAX = bits 31:0) */

enum cpuid_backing_kind { CB_CONTROL, CB_MSRS, CB_DEBUGCTL, CB_HIDDEN };
enum { CB_R = 1, CB_W = 2, CB_RW = 3 };     /* the MSR accesses a feature needs */
#define CB_MAX_MSRS 4

struct cpuid_backing {
    uint32_t leaf, sub;
    uint8_t reg;                 /* enum cpuid_reg */
    uint8_t bit;
    const char *name;            /* the SDM's (or Linux cpufeatures.h's) short name */
    uint8_t kind;                /* enum cpuid_backing_kind */
    uint32_t control;            /* CB_CONTROL: the secondary processor-based control */
    struct { uint32_t msr; uint8_t access; } msrs[CB_MAX_MSRS];   /* CB_MSRS; access 0 ends */
    uint64_t debugctl;           /* CB_DEBUGCTL: the IA32_DEBUGCTL bits */
    const char *reason;
};

extern const struct cpuid_backing cpuid_backing_rows[];
extern const unsigned cpuid_backing_count;

/* Does row `b`'s backing hold with these secondary controls and Skiff's policies? */
bool cpuid_backing_ok(const struct cpuid_backing *b, uint32_t proc2);

/* The bits to clear in the leaves the table names, decided once from the controls. */
#define CPUID_VIEW_LEAVES 8
struct cpuid_view {
    struct { uint32_t leaf, sub, clear[4]; } m[CPUID_VIEW_LEAVES];
    unsigned n;
    bool show_arch_caps;     /* CPUID.(7,0):EDX[29] shown: the x2APIC lock is readable (vmx/policy/apic_lock.h) */
    bool hide_hypervisor;     /* hypervisor_bit=hide: leaf 1 ECX[31] as the bare CPU has it (0) */
};
void cpuid_backing_view(uint32_t proc2, struct cpuid_view *v);
/* Is (leaf, sub, reg, bit) hidden in view `v`? */
bool cpuid_view_hides(const struct cpuid_view *v, uint32_t leaf, uint32_t sub, unsigned reg, unsigned bit);
/* Clear the hidden bits of (leaf, sub) in r. */
void cpuid_view_clear(const struct cpuid_view *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r);

#endif
