/*
 * Skiff's MSR policy: ONE const table saying, for each MSR or range (SDM
 * Vol. 4 names), what a guest RDMSR and a guest WRMSR do, and why.  The MSR
 * bitmap (SDM Vol. 3C 25.6.9) is generated from it (msr_policy_bitmap);
 * vmx/exit/exit_msr.c dispatches the exits through it.  An MSR the table does not
 * name is denied both ways (msr_rule_default); MSRs outside the bitmap's two
 * ranges always exit (25.6.9) and follow the same table.
 */
#ifndef SKIFF_VMX_MSR_POLICY_H
#define SKIFF_VMX_MSR_POLICY_H

#include <stdbool.h>
#include <stdint.h>

enum msr_action {
    MSR_PASS,      /* no exit: the access reaches the CPU as on the bare machine (#GP included) */
    MSR_DENY,      /* exit, #GP: as on a CPU without the MSR */
    MSR_EMULATE,   /* exit: Skiff checks the access, then performs it on the CPU (exception fixup)
                      or on the VMCS field that holds the guest's copy */
    MSR_VIRT,      /* exit: Skiff keeps the guest's value; it never reaches the CPU */
};

/* Who performs an EMULATE or VIRT access (vmx/exit/exit_msr.c, one function each). */
enum msr_handler {
    MSR_H_NONE,
    MSR_H_CPU,               /* the CPU, through rdmsr_safe/wrmsr_safe: its #GP goes to the guest */
    MSR_H_FEATURE_CONTROL,   /* reads locked with VMX disabled */
    MSR_H_APIC_BASE,         /* same base; valid mode changes only */
    MSR_H_X2APIC_ICR,        /* x2APIC mode and reserved bits checked; INIT/SIPI are Skiff's */
    MSR_H_EFER,              /* GUEST_IA32_EFER */
    MSR_H_PAT,               /* GUEST_IA32_PAT */
    MSR_H_DEBUGCTL,          /* GUEST_IA32_DEBUGCTL, without BTS */
    MSR_H_PERF_GLOBAL_CTRL,  /* GUEST_IA32_PERF_GLOBAL_CTRL, or a shadow */
    MSR_H_MISC_ENABLE,       /* a per-vCPU copy; CPUID effects emulated */
    MSR_H_MTRR,              /* a per-vCPU shadow: Skiff's memory types stay as at boot */
    MSR_H_UCODE_TRIGGER,     /* accepted, nothing loaded */
    MSR_H_XSS,               /* supervisor state components: vmx/policy/xss_policy.c */
    MSR_H_ARCH_CAPABILITIES, /* the CPU's, plus the x2APIC lock report (vmx/policy/apic_lock.h) */
    MSR_H_XAPIC_DISABLE_STATUS, /* the CPU's x2APIC lock, or the one Skiff keeps (vmx/policy/apic_lock.h) */
    MSR_H_COUNT
};

struct msr_rule {
    uint32_t first, last;    /* inclusive */
    uint8_t read, write;     /* enum msr_action */
    uint8_t handler;         /* enum msr_handler: for EMULATE and VIRT */
    const char *name;        /* SDM Vol. 4 */
    const char *reason;
};

extern const struct msr_rule msr_rules[];
extern const unsigned msr_rule_count;
extern const struct msr_rule msr_rule_default;

/* The rule for msr (the table is sorted), or &msr_rule_default. */
const struct msr_rule *msr_policy_lookup(uint32_t msr);
/* What the table decides for one access. */
enum msr_action msr_policy_action(uint32_t msr, bool write);
/* MSRs 0-0x1fff and 0xc0000000-0xc0001fff: the bitmap covers them (25.6.9). */
bool msr_in_bitmap_range(uint32_t msr);
/* The 4-KiB MSR bitmap: a bit set (exit) for every access whose action is not MSR_PASS. */
void msr_policy_bitmap(uint8_t *bitmap);
/* Whether the bitmap makes this access exit (25.6.9: read-low, read-high, write-low, write-high). */
bool msr_bitmap_exits(const uint8_t *bitmap, uint32_t msr, bool write);

#endif
