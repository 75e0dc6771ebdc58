/*
 * Which supervisor state components (SDM Vol. 1 13.2, 13.5) the guest may
 * enable in IA32_XSS.  XRSTORS loads a component's MSRs from memory without
 * a WRMSR (Vol. 1 13.12), so no MSR bitmap sees it: a component is the
 * guest's only if Skiff's MSR policy (vmx/policy/msr_policy.c) lets the guest
 * write every MSR it holds straight to the CPU (MSR_PASS).  IA32_XSS itself
 * exits on writes (the policy's IA32_XSS row), and Skiff also sets the
 * XSS-exiting bitmap (SDM Vol. 3C 25.6.20) to every component the guest may
 * not have.  Pure logic, unit-tested (tests/unit/vmx/policy/test_xss_policy.c).
 */
#ifndef SKIFF_VMX_XSS_POLICY_H
#define SKIFF_VMX_XSS_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#define XSS_MAX_RANGES 5

struct xss_rule {
    uint8_t bit;                     /* IA32_XSS / XCOMP_BV bit */
    bool allowed;                    /* the guest may set it */
    struct { uint32_t first, last; } msrs[XSS_MAX_RANGES];   /* the MSRs it holds; {0, 0} ends */
    const char *name;                /* SDM Vol. 1 13.5 */
    const char *reason;
};

extern const struct xss_rule xss_rules[];
extern const unsigned xss_rule_count;

/* The rule for a component bit, or 0 (not a supervisor component Skiff knows: denied). */
const struct xss_rule *xss_rule_for(unsigned bit);
/* IA32_XSS bits the guest may set: the table's allowed rows.  Whether the CPU supports
 * them is the CPU's to say: Skiff performs an allowed write with wrmsr_safe, and the
 * CPU's #GP is the guest's (Bochs 2.7 accepts CET bits while CPUID.(0DH,1):ECX reads 0). */
uint64_t xss_guest_mask(void);
/* The XSS-exiting bitmap (SDM Vol. 3C 25.6.20): every bit the guest may not set. */
uint64_t xss_exit_bitmap(void);
/* A guest WRMSR of IA32_XSS passes Skiff's check: no bit outside xss_guest_mask(). */
bool xss_write_ok(uint64_t value);
/* Names of the components the XSS-exiting bitmap catches, for the boot log ("PT HDC UINTR"). */
const char *xss_denied_names(char *buf, unsigned size);

#endif
