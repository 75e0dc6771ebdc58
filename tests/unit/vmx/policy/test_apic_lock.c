// SOURCES: vmx/policy/apic_lock.c vmx/policy/msr_policy.c
/*
 * The x2APIC lock the guest sees (kernel/smp/apic_mode.h, vmx/policy/apic_lock.c) and its MSR rows,
 * against a model of five machines: an xAPIC machine without the lock MSR (Skylake, Bochs), an
 * xAPIC machine with it (a Sapphire Rapids whose firmware left xAPIC), a firmware-locked x2APIC
 * (Sapphire Rapids with SGX, which locks it), an x2APIC the firmware left on without a lock
 * (selftest=firmware_x2apic in Bochs) and the same with an APIC id of 300 (a large server).
 */
#include "tests/unit/unit.h"

#include <stdbool.h>
#include <stdint.h>

#include "kernel/smp/apic_mode.h"
#include "vmx/policy/apic_lock.h"
#include "vmx/policy/msr_policy.h"

#define EN APIC_LOCK_BASE_EN
#define EXTD APIC_LOCK_BASE_EXTD
#define BASE 0xfee00000ull
#define BSP (1ull << 8)

/* One machine: what the CPU answers and what Skiff found at boot. */
struct model {
    const char *name;
    bool has_caps;               /* CPUID.(7,0):EDX[29] */
    uint64_t caps;               /* IA32_ARCH_CAPABILITIES */
    bool has_status;             /* IA32_XAPIC_DISABLE_STATUS exists (caps bit 21) */
    uint64_t status;
    uint64_t apic_base;          /* as the firmware left it */
    uint32_t max_apic_id;        /* the MADT's highest */
    bool guest_locked;           /* what the guest must read */
};

static const struct model models[] = {
    { "skylake xAPIC, no lock MSR", false, 0, false, 0, BASE | BSP | EN, 3, false },
    { "sapphire rapids xAPIC", true, 0x0c0ea0ebull | (1ull << 21), true, 0, BASE | BSP | EN, 111, false },
    { "sapphire rapids x2APIC locked", true, 0x0c0ea0ebull | (1ull << 21), true, 1, BASE | BSP | EN | EXTD, 111, true },
    { "x2APIC left on, no lock MSR", false, 0, false, 0, BASE | BSP | EN | EXTD, 1, false },
    { "x2APIC left on, APIC id 300", false, 0, false, 0, BASE | BSP | EN | EXTD, 300, true },
};

static struct apic_lock_host host_of(const struct model *m)
{
    uint64_t st = m->status;
    enum apic_mode mode = apic_mode_of(m->apic_base);
    return (struct apic_lock_host){ .guest_locked = apic_guest_locked(mode, m->has_status && (st & 1), m->max_apic_id),
                                    .x2apic_supported = true,
                                    .apic_base_reserved = 0x2ffull | ~((1ull << 39) - 1) };
}

/* What Linux concludes (arch/x86/kernel/apic/apic.c, x2apic_hw_locked): caps bit 21, then 0xBD bit 0. */
static bool linux_sees_locked(const struct apic_lock_host *h, const struct model *m, bool cpuid_arch_caps)
{
    uint64_t caps, st;
    if (!cpuid_arch_caps || !apic_lock_arch_caps(h, m->has_caps, m->caps, &caps))
        return false;
    if (!(caps & APIC_LOCK_ARCH_CAP_XAPIC_DISABLE_STATUS))
        return false;
    return apic_lock_disable_status(h, m->has_status, m->status, &st) && (st & APIC_LOCK_LEGACY_XAPIC_DISABLED);
}

TEST(rows_read_only)
{
    /* Both MSRs exit on reads (Skiff's handler answers) and refuse writes with #GP, as the CPU does. */
    CHECK_EQ(msr_policy_action(0xbd, false), MSR_VIRT);
    CHECK_EQ(msr_policy_action(0xbd, true), MSR_DENY);
    CHECK_EQ(msr_policy_lookup(0xbd)->handler, MSR_H_XAPIC_DISABLE_STATUS);
    CHECK_EQ(msr_policy_action(0x10a, false), MSR_VIRT);
    CHECK_EQ(msr_policy_action(0x10a, true), MSR_DENY);
    CHECK_EQ(msr_policy_lookup(0x10a)->handler, MSR_H_ARCH_CAPABILITIES);
    uint8_t bitmap[4096];
    msr_policy_bitmap(bitmap);
    CHECK(msr_bitmap_exits(bitmap, 0xbd, false) && msr_bitmap_exits(bitmap, 0xbd, true));
    CHECK(msr_bitmap_exits(bitmap, 0x10a, false) && msr_bitmap_exits(bitmap, 0x10a, true));
}

TEST(locked_by_firmware_passes_the_cpu_word)
{
    const struct model *m = &models[2];
    struct apic_lock_host h = host_of(m);
    uint64_t v = 0;
    CHECK(apic_lock_disable_status(&h, m->has_status, m->status, &v));
    CHECK_EQ(v, 1);
    CHECK(apic_lock_arch_caps(&h, m->has_caps, m->caps, &v));
    CHECK_EQ(v, m->caps);                                   /* the CPU's word, bit 21 included */
    CHECK(linux_sees_locked(&h, m, true));
}

TEST(xapic_machines_unchanged)
{
    for (unsigned i = 0; i < 2; i++) {
        const struct model *m = &models[i];
        struct apic_lock_host h = host_of(m);
        uint64_t v = 0x55;
        CHECK_EQ(apic_lock_arch_caps(&h, m->has_caps, m->caps, &v), m->has_caps);   /* #GP without it */
        if (m->has_caps)
            CHECK_EQ(v, m->caps);
        v = 0x55;
        CHECK_EQ(apic_lock_disable_status(&h, m->has_status, m->status, &v), m->has_status);
        if (m->has_status)
            CHECK_EQ(v, 0);
        CHECK(!linux_sees_locked(&h, m, m->has_caps));
    }
}

TEST(decision)
{
    for (unsigned i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
        struct apic_lock_host h = host_of(&models[i]);
        CHECK_EQ(h.guest_locked, models[i].guest_locked);
    }
}

TEST(left_on_unlocked_stays_unlocked)
{
    const struct model *m = &models[3];
    struct apic_lock_host h = host_of(m);
    uint64_t v = 0;
    CHECK(!apic_lock_arch_caps(&h, m->has_caps, m->caps, &v));   /* #GP: the CPU has no such MSR */
    CHECK(!apic_lock_disable_status(&h, m->has_status, m->status, &v));
    CHECK(!linux_sees_locked(&h, m, false));                      /* Linux may return to xAPIC */
}

TEST(left_on_beyond_xapic_ids_reads_locked)
{
    const struct model *m = &models[4];
    struct apic_lock_host h = host_of(m);
    uint64_t v = 0;
    CHECK(apic_lock_arch_caps(&h, m->has_caps, m->caps, &v));
    CHECK_EQ(v, APIC_LOCK_ARCH_CAP_XAPIC_DISABLE_STATUS);
    CHECK(apic_lock_disable_status(&h, m->has_status, m->status, &v));
    CHECK_EQ(v, APIC_LOCK_LEGACY_XAPIC_DISABLED);
    CHECK(linux_sees_locked(&h, m, true));                  /* CPUID shows the MSR (vmx/core/cpuid_view.c) */
}

TEST(apic_base_writes)
{
    for (unsigned i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
        const struct model *m = &models[i];
        struct apic_lock_host h = host_of(m);
        uint64_t b = m->apic_base;
        CHECK(apic_lock_base_write_ok(&h, b, b));                      /* the same value */
        CHECK(!apic_lock_base_write_ok(&h, b, (b & ~0xfffff000ull) | 0x10000000ull));   /* a new base */
        CHECK(!apic_lock_base_write_ok(&h, b, b | (1ull << 9)));       /* reserved */
        if (h.guest_locked) {
            /* Leaving x2APIC is #GP, as on a locked CPU: to disabled, and to xAPIC (never valid). */
            CHECK(!apic_lock_base_write_ok(&h, b, b & ~(EN | EXTD)));
            CHECK(!apic_lock_base_write_ok(&h, b, b & ~EXTD));
        } else {
            uint64_t x = b & ~EXTD;                                    /* the xAPIC form */
            CHECK(apic_lock_base_write_ok(&h, x, x | EXTD));           /* xAPIC -> x2APIC */
            CHECK(apic_lock_base_write_ok(&h, x, x & ~EN));            /* xAPIC -> disabled */
            CHECK(apic_lock_base_write_ok(&h, x & ~EN, x));            /* disabled -> xAPIC */
            CHECK(!apic_lock_base_write_ok(&h, x & ~EN, x | EXTD));    /* disabled -> x2APIC */
            CHECK(!apic_lock_base_write_ok(&h, x | EXTD, x));          /* x2APIC -> xAPIC */
            CHECK(apic_lock_base_write_ok(&h, x | EXTD, x & ~EN));     /* x2APIC -> disabled: unlocked */
        }
    }
}

UNIT_MAIN(T(rows_read_only), T(decision), T(locked_by_firmware_passes_the_cpu_word), T(xapic_machines_unchanged),
          T(left_on_unlocked_stays_unlocked), T(left_on_beyond_xapic_ids_reads_locked), T(apic_base_writes))
