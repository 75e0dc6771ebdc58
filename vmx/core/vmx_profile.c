/*
 * The restriction table of vmx_profile= (vmx/core/vmx_profile.h): one row per
 * restriction, with the capability bits it clears and where such a CPU is found.
 */
#include "vmx/core/vmx_profile.h"

#include "kernel/lib/format.h"
#include "kernel/lib/lib.h"

#define VPID_CAPS (VMX_VPID_INVVPID | VMX_VPID_INVVPID_ADDR | VMX_VPID_INVVPID_SINGLE | \
                   VMX_VPID_INVVPID_ALL | VMX_VPID_INVVPID_SINGLE_NO_GLOBALS)

const struct vmx_profile vmx_profiles[] = {
    { "kvm-old", "the wait-for-SIPI activity state (IA32_VMX_MISC bit 8)", 0, 0, VMX_MISC_ACT_WAIT_SIPI,
      "a KVM L1 on a host before Linux 5.10: nested VMX offers wait-for-SIPI (and SIPI exits) only since "
      "'KVM: x86: emulate wait-for-SIPI and SIPI-VMExit' (Yadong Qi, 2020, with kvm-unit-tests' "
      "vmx_sipi_signal_test); those hosts offered VPID, unrestricted guest and 2 MiB/1 GiB EPT leaves" },
    { "no-wfs", "the wait-for-SIPI activity state (IA32_VMX_MISC bit 8)", 0, 0, VMX_MISC_ACT_WAIT_SIPI,
      "any CPU or L0 without it (QEMU's named CPU models list it as missing, target/i386/cpu.c)" },
    { "no-vpid", "VPID (secondary control bit 5, INVVPID)", SECONDARY_EXEC_ENABLE_VPID, VPID_CAPS, 0,
      "KVM with kvm_intel.vpid=0, or an L0 that does not expose VPID to its L1" },
    { "no-1g-ept", "1 GiB EPT pages (IA32_VMX_EPT_VPID_CAP bit 17)", 0, VMX_EPT_1GB_PAGE, 0,
      "Sandy Bridge and Ivy Bridge (so do Bochs' models of them), and L0s that hide it" },
    { "no-ug", "unrestricted guest (secondary control bit 7)", SECONDARY_EXEC_UNRESTRICTED_GUEST, 0, 0,
      "Nehalem-era CPUs, KVM with kvm_intel.unrestricted_guest=0: no real-mode guest, so no SIPI start" },
};
const size_t vmx_profile_count = sizeof(vmx_profiles) / sizeof(vmx_profiles[0]);

const struct vmx_profile *vmx_profile_find(const char *s, size_t len)
{
    for (size_t i = 0; i < vmx_profile_count; i++)
        if (strlen(vmx_profiles[i].name) == len && !memcmp(s, vmx_profiles[i].name, len))
            return &vmx_profiles[i];
    return NULL;
}

/* Append to line[0..len) at *at (snprintf semantics: never past the end). */
static void put(char *line, size_t len, size_t *at, const char *fmt, const char *a, size_t alen)
{
    if (*at >= len)
        return;
    int n = snprintf(line + *at, len - *at, fmt, (int)alen, a);
    if (n > 0)
        *at += (size_t)n;
}

int vmx_profile_apply(struct vmx_caps *c, const char *list, char *line, size_t len)
{
    size_t at = 0;
    if (len)
        line[0] = '\0';
    for (const char *p = list; *list;) {
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const struct vmx_profile *r = vmx_profile_find(p, (size_t)(e - p));
        if (!r) {
            at = 0;
            put(line, len, &at, "unknown restriction '%.*s' (known:", p, (size_t)(e - p));
            for (size_t i = 0; i < vmx_profile_count; i++)
                put(line, len, &at, " %.*s", vmx_profiles[i].name, 64);
            put(line, len, &at, "%.*s)", "", 0);
            return -1;
        }
        /* Only what the CPU had: a restriction of a missing feature removes nothing. */
        bool had = (vmx_allowed1(c->procbased2) & r->proc2) || (c->ept_vpid & r->ept_vpid) || (c->misc & r->misc);
        c->procbased2 &= ~((uint64_t)r->proc2 << 32);
        c->ept_vpid &= ~r->ept_vpid;
        c->misc &= ~r->misc;
        put(line, len, &at, at ? "; %.*s" : "%.*s", r->name, 64);
        put(line, len, &at, had ? ": removed %.*s" : ": %.*s (the CPU has none)", r->removes, 200);
        if (!*e)
            break;
        p = e + 1;
    }
    vmx_caps_decode(c);
    return 0;
}
