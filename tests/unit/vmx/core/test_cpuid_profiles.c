/*
 * Every CPUID bit the guest sees is backed (issue 21, items 1 and 2), on every
 * capability profile in tests/profiles/ (any *.profile dropped there is read):
 * Skiff's controls are decided from the profile's IA32_VMX_* MSRs
 * (vmx_controls_choose), the guest's CPUID from the profile's leaves
 * (cpuid_view_apply, as a CPUID exit computes it), and each visible bit of
 * the backing table must hold: its VM-execution control among the chosen
 * ones, its MSRs allowed by the MSR policy.  A profile Skiff refuses
 * (vmx_caps_missing) is reported with the reason.
 */
// SOURCES: vmx/core/vmx_controls.c vmx/core/vmx_caps.c vmx/core/cpuid_backing.c vmx/core/cpuid_view.c vmx/policy/msr_policy.c vmx/policy/xss_policy.c vmx/policy/cpuid_msr.c vmx/policy/misc_enable.c
#include <dirent.h>
#include <stdlib.h>

#include "tests/unit/unit.h"
#include "vmx/core/cpuid_view.h"
#include "vmx/core/vmx_controls.h"
#include "vmx/policy/msr_policy.h"

#define PROFILE_DIR "tests/profiles"
#define MAX_MSRS 64
#define MAX_LEAVES 64
#define MAX_PROFILES 32

struct profile {
    char name[256];
    bool has_source;
    unsigned nmsr, nleaf;
    struct { uint32_t idx; uint64_t val; } msr[MAX_MSRS];
    struct { uint32_t leaf, sub; struct cpuid_regs r; } leaf[MAX_LEAVES];
};

static struct profile profiles[MAX_PROFILES];
static unsigned nprofiles;
static const struct profile *cur;     /* for the rdmsr callback */

/* One line: "msr IDX VALUE" or "cpuid LEAF SUB EAX EBX ECX EDX", '#' starts a comment; the
 * hardware report's "skiff: profile: " prefix is accepted. */
static void parse_line(struct profile *p, char *line)
{
    unsigned long long v[6];
    char *hash = strchr(line, '#');
    if (hash) {
        if (strstr(hash, "# source"))
            p->has_source = true;
        *hash = 0;
    }
    if (!strncmp(line, "skiff: profile: ", 16))
        line += 16;
    if (sscanf(line, " msr %llx %llx", &v[0], &v[1]) == 2 && p->nmsr < MAX_MSRS) {
        p->msr[p->nmsr].idx = (uint32_t)v[0];
        p->msr[p->nmsr++].val = v[1];
    } else if (sscanf(line, " cpuid %llx %llx %llx %llx %llx %llx", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) == 6 &&
               p->nleaf < MAX_LEAVES) {
        p->leaf[p->nleaf].leaf = (uint32_t)v[0];
        p->leaf[p->nleaf].sub = (uint32_t)v[1];
        p->leaf[p->nleaf++].r = (struct cpuid_regs){ (uint32_t)v[2], (uint32_t)v[3], (uint32_t)v[4], (uint32_t)v[5] };
    }
}

static void load_profiles(void)
{
    static bool loaded;
    if (loaded)
        return;
    loaded = true;
    DIR *d = opendir(PROFILE_DIR);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) && nprofiles < MAX_PROFILES) {
        size_t n = strlen(e->d_name);
        if (n < 9 || strcmp(e->d_name + n - 8, ".profile"))
            continue;
        char path[512], line[512];
        if (strlen(PROFILE_DIR) + 1 + n >= sizeof(path))
            continue;
        strcpy(path, PROFILE_DIR "/");
        strcat(path, e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        struct profile *p = &profiles[nprofiles++];
        memcpy(p->name, e->d_name, n + 1);      /* d_name holds at most 256 bytes with its NUL */
        while (fgets(line, sizeof(line), f))
            parse_line(p, line);
        fclose(f);
    }
    closedir(d);
}

static uint64_t profile_rdmsr(uint32_t idx)
{
    for (unsigned i = 0; i < cur->nmsr; i++)
        if (cur->msr[i].idx == idx)
            return cur->msr[i].val;
    return 0;
}

static bool has_msr(const struct profile *p, uint32_t idx)
{
    for (unsigned i = 0; i < p->nmsr; i++)
        if (p->msr[i].idx == idx)
            return true;
    return false;
}

static struct cpuid_regs host_cpuid(const struct profile *p, uint32_t leaf, uint32_t sub)
{
    for (unsigned i = 0; i < p->nleaf; i++)
        if (p->leaf[i].leaf == leaf && (p->leaf[i].sub == sub || sub == CPUID_NO_SUB))
            return p->leaf[i].r;
    return (struct cpuid_regs){ 0, 0, 0, 0 };
}

static uint32_t reg_of(struct cpuid_regs r, unsigned reg)
{
    return reg == CPUID_EAX ? r.eax : reg == CPUID_EBX ? r.ebx : reg == CPUID_ECX ? r.ecx : r.edx;
}

/* What Skiff decides for a profile: refusal reason (or 0), controls, view. */
struct decided {
    const char *refused;
    struct vmx_caps caps;
    struct vmx_features f;
    struct cpuid_view view;
};

static struct decided decide(const struct profile *p)
{
    struct decided d;
    struct vmx_wants w = { .timer = true, .watchdog = false, .hlt_exit = false };
    cur = p;
    vmx_caps_read(&d.caps, profile_rdmsr);
    d.refused = vmx_caps_missing(&d.caps);
    vmx_controls_choose(&d.caps, &w, &d.f);
    cpuid_backing_view(d.f.proc2, &d.view);
    return d;
}

/* The guest's answer for a row's leaf on profile p, in 64-bit mode with OSXSAVE/PKE set. */
static struct cpuid_regs guest_cpuid(const struct profile *p, const struct decided *d, uint32_t leaf, uint32_t sub)
{
    struct cpuid_guest g = { .osxsave = true, .ospke = true, .ia32e = true, .misc_enable = 1ull << 18 /* MONITOR */ };
    uint32_t s = sub == CPUID_NO_SUB ? 0 : sub;
    return cpuid_view_apply(&d->view, leaf, s, host_cpuid(p, leaf, s), &g);
}

static bool guest_sees(const struct profile *p, const struct decided *d, const struct cpuid_backing *b)
{
    return reg_of(guest_cpuid(p, d, b->leaf, b->sub), b->reg) & (1u << b->bit);
}

static const struct profile *find(const char *name)
{
    load_profiles();
    for (unsigned i = 0; i < nprofiles; i++)
        if (!strcmp(profiles[i].name, name))
            return &profiles[i];
    return 0;
}

TEST(profiles_are_there_and_name_their_source)
{
    load_profiles();
    CHECK(nprofiles >= 3);
    for (unsigned i = 0; i < nprofiles; i++) {
        const struct profile *p = &profiles[i];
        if (!p->has_source)
            UNIT_FAIL_("%s: no '# source:' line", p->name);
        if (!has_msr(p, 0x480) || !host_cpuid(p, 1, 0).eax)
            UNIT_FAIL_("%s: needs IA32_VMX_BASIC (msr 0x480) and CPUID leaf 1", p->name);
    }
}

TEST(every_visible_bit_is_backed_on_every_profile)
{
    load_profiles();
    for (unsigned i = 0; i < nprofiles; i++) {
        const struct profile *p = &profiles[i];
        struct decided d = decide(p);
        if (d.refused) {
            printf("    %s: Skiff refuses to start: %s\n", p->name, d.refused);
            continue;
        }
        unsigned shown = 0, hidden = 0;
        for (unsigned k = 0; k < cpuid_backing_count; k++) {
            const struct cpuid_backing *b = &cpuid_backing_rows[k];
            if (b->leaf == CPUID_LEAF_ARCH_CAPS)
                continue;
            if (!(reg_of(host_cpuid(p, b->leaf, b->sub == CPUID_NO_SUB ? 0 : b->sub), b->reg) & (1u << b->bit)))
                continue;                                   /* the CPU does not have it */
            if (!guest_sees(p, &d, b)) {
                hidden++;
                continue;
            }
            shown++;
            if (!cpuid_backing_ok(b, d.f.proc2))
                UNIT_FAIL_("%s: CPUID %s (leaf 0x%x.%u reg %u bit %u) is visible but not backed: %s", p->name,
                           b->name, b->leaf, b->sub == CPUID_NO_SUB ? 0 : b->sub, b->reg, b->bit, b->reason);
        }
        printf("    %s: secondary controls 0x%08x, %u backed rows shown, %u hidden\n", p->name, d.f.proc2, shown,
               hidden);
    }
}

/* Item 1 on the profile where it bites: WAITPKG in CPUID, bit 26 offered.  On today's main the control was
 * never requested and CPUID passed WAITPKG through: this test fails there. */
TEST(waitpkg_is_usable_on_alder_lake)
{
    const struct profile *p = find("kvm-l1-host-alder-lake-i7-12700h.profile");
    REQUIRE(p);
    struct decided d = decide(p);
    CHECK(!d.refused);
    CHECK(vmx_allowed1(d.caps.proc2_ctls) & SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE);
    CHECK(d.f.proc2 & SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE);
    CHECK(guest_cpuid(p, &d, 7, 0).ecx & (1u << 5));          /* TPAUSE works: shown */
}

/* Without the control the bit is hidden, whatever the CPU's CPUID says. */
TEST(waitpkg_hidden_without_the_control)
{
    const struct profile *p = find("kvm-l1-host-alder-lake-i7-12700h.profile");
    REQUIRE(p);
    struct decided d = decide(p);
    cpuid_backing_view(d.f.proc2 & ~SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE, &d.view);
    CHECK(!(guest_cpuid(p, &d, 7, 0).ecx & (1u << 5)));
    cpuid_backing_view(d.f.proc2 & ~SECONDARY_EXEC_ENABLE_RDTSCP, &d.view);
    CHECK(!(guest_cpuid(p, &d, 0x80000001, CPUID_NO_SUB).edx & (1u << 27)));   /* RDTSCP */
    CHECK(!(guest_cpuid(p, &d, 7, 0).ecx & (1u << 22)));                        /* RDPID */
    cpuid_backing_view(d.f.proc2 & ~SECONDARY_EXEC_ENABLE_XSAVES, &d.view);
    CHECK(!(guest_cpuid(p, &d, 0xd, 1).eax & (1u << 3)));
}

/* Item 2 on Alder Lake: the features whose MSRs the policy denies are hidden (HFI, ITD, HRESET, DS,
 * Intel PT with its leaf 14H), the ones it allows stay (CORE_CAPABILITIES, HWP).  On today's main all of
 * them were visible and IA32_CORE_CAPABILITIES was denied: this test fails there. */
TEST(alder_lake_msr_features_match_the_policy)
{
    const struct profile *p = find("kvm-l1-host-alder-lake-i7-12700h.profile");
    REQUIRE(p);
    struct decided d = decide(p);
    struct cpuid_regs l6 = guest_cpuid(p, &d, 6, CPUID_NO_SUB), l7 = guest_cpuid(p, &d, 7, 0);
    CHECK(host_cpuid(p, 6, 0).eax & (1u << 19));
    CHECK(!(l6.eax & (1u << 19)));                            /* HFI: IA32_HW_FEEDBACK_PTR denied */
    CHECK(!(l6.eax & (1u << 23)));                            /* ITD */
    CHECK(!(guest_cpuid(p, &d, 7, 1).eax & (1u << 22)));      /* HRESET: IA32_HRESET_ENABLE denied */
    CHECK(!(guest_cpuid(p, &d, 1, CPUID_NO_SUB).edx & (1u << 21)));     /* DS */
    CHECK(!(l7.ebx & (1u << 25)));                            /* Intel PT */
    CHECK_EQ(guest_cpuid(p, &d, 0x14, 0).eax, 0);             /* its leaf */
    CHECK(l7.edx & (1u << 30));                               /* CORE_CAPABILITIES, now readable */
    CHECK(msr_policy_action(0xcf, false) != MSR_DENY);
    CHECK(l6.eax & (1u << 7));                                /* HWP stays: its MSRs pass */
}

/* The QEMU SapphireRapids L1 offers BUS_LOCK_DETECT, whose DEBUGCTL bit Skiff rejects: hidden; XSAVES and
 * RDPID stay (their controls are offered), and so does XFD (AMX), whose MSRs today's main denied. */
TEST(sapphire_rapids_l1_view)
{
    const struct profile *p = find("kvm-l1-qemu-sapphirerapids.profile");
    REQUIRE(p);
    struct decided d = decide(p);
    CHECK(!d.refused);
    struct cpuid_regs l7 = guest_cpuid(p, &d, 7, 0);
    CHECK(host_cpuid(p, 7, 0).ecx & (1u << 24));
    CHECK(!(l7.ecx & (1u << 24)));
    CHECK(l7.ecx & (1u << 22));
    CHECK(guest_cpuid(p, &d, 0xd, 1).eax & (1u << 3));
    CHECK(guest_cpuid(p, &d, 0xd, 1).eax & (1u << 4));        /* XFD (AMX): IA32_XFD is the guest's */
    CHECK(!(guest_cpuid(p, &d, 1, CPUID_NO_SUB).ecx & (1u << 5)));    /* VMX */
}

/* IA32_ARCH_CAPABILITIES is the CPU's (plus the x2APIC lock report, vmx/policy/apic_lock.h): the MSRs
 * its bits promise must be readable (x2APIC lock status), never writable. */
TEST(arch_capabilities_rows_always_backed)
{
    unsigned n = 0;
    for (unsigned k = 0; k < cpuid_backing_count; k++) {
        const struct cpuid_backing *b = &cpuid_backing_rows[k];
        if (b->leaf != CPUID_LEAF_ARCH_CAPS)
            continue;
        n++;
        if (!cpuid_backing_ok(b, 0))
            UNIT_FAIL_("IA32_ARCH_CAPABILITIES %s: %s denied", b->name, b->reason);
    }
    CHECK(n >= 2);
    CHECK(msr_policy_action(0xbd, false) == MSR_VIRT);
    CHECK(msr_policy_action(0xbd, true) == MSR_DENY);
}

/* The table: every row has a name and a reason, control rows name one control, the hidden set fits the view. */
TEST(table_rows_complete)
{
    struct cpuid_view v;
    cpuid_backing_view(0, &v);                 /* no control at all: the most rows hidden */
    for (unsigned k = 0; k < cpuid_backing_count; k++) {
        const struct cpuid_backing *b = &cpuid_backing_rows[k];
        CHECK(b->name && b->name[0] && b->reason && b->reason[0]);
        CHECK(b->reg <= CPUID_EDX && b->bit < 32);
        if (b->kind == CB_CONTROL)
            CHECK(b->control && !(b->control & (b->control - 1)));
        if (b->kind == CB_MSRS)
            CHECK(b->msrs[0].access != 0);
        if (b->leaf != CPUID_LEAF_ARCH_CAPS && !cpuid_backing_ok(b, 0))
            CHECK(cpuid_view_hides(&v, b->leaf, b->sub == CPUID_NO_SUB ? 0 : b->sub, b->reg, b->bit));
    }
    CHECK(v.n <= CPUID_VIEW_LEAVES);
    /* What Skiff asks for covers every control row it could back. */
    for (unsigned k = 0; k < cpuid_backing_count; k++)
        if (cpuid_backing_rows[k].kind == CB_CONTROL && cpuid_backing_rows[k].control != SECONDARY_EXEC_ENABLE_PCONFIG)
            CHECK(cpuid_backing_rows[k].control & VMX_WANTED_PROC2);
}

UNIT_MAIN(T(profiles_are_there_and_name_their_source), T(every_visible_bit_is_backed_on_every_profile),
          T(waitpkg_is_usable_on_alder_lake), T(waitpkg_hidden_without_the_control),
          T(alder_lake_msr_features_match_the_policy), T(sapphire_rapids_l1_view),
          T(arch_capabilities_rows_always_backed), T(table_rows_complete))
