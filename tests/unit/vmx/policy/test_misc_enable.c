// SOURCES: vmx/policy/misc_enable.c
/* The guest's IA32_MISC_ENABLE (vmx/policy/misc_enable.c; SDM Vol. 4 Table 2-2). */
#include "tests/unit/unit.h"

#include "vmx/policy/misc_enable.h"

/* What kvm-unit-tests' msr test writes (x86/msr.c): each must be accepted and read back. */
TEST(kvm_unit_tests_bits_writable)
{
    uint64_t cur = misc_enable_guest_start(false, 0, true);
    static const unsigned bits[] = { 18, 22, 23, 34 };
    for (unsigned i = 0; i < 4; i++) {
        CHECK(misc_enable_write_ok(cur, cur | (1ull << bits[i])));
        CHECK(misc_enable_write_ok(cur | (1ull << bits[i]), cur));
    }
    CHECK(misc_enable_write_ok(cur, cur | (1ull << 18) | (1ull << 22) | (1ull << 23) | (1ull << 34)));
}

TEST(reserved_and_read_only_bits_refused)
{
    uint64_t cur = misc_enable_guest_start(true, 0x850089, true);
    CHECK(misc_enable_write_ok(cur, cur));                     /* writing the value back */
    CHECK(!misc_enable_write_ok(cur, cur | (1ull << 1)));      /* reserved */
    CHECK(!misc_enable_write_ok(cur, cur | (1ull << 63)));
    CHECK(!misc_enable_write_ok(cur, cur | (1ull << 35)));
    CHECK(!misc_enable_write_ok(cur, cur & ~MISC_ENABLE_BTS_UNAVAILABLE));   /* read-only */
    CHECK(!misc_enable_write_ok(cur, cur ^ MISC_ENABLE_PMON_AVAILABLE));
}

TEST(start_value)
{
    /* The CPU's value, with BTS and PEBS unavailable: Skiff hides the debug store. */
    CHECK_EQ(misc_enable_guest_start(true, 0x850089, true), 0x850089ull | (1ull << 11) | (1ull << 12));
    /* No MSR on the CPU (Bochs 2.7): fast strings, PMON as CPUID.0AH says, no BTS/PEBS. */
    CHECK_EQ(misc_enable_guest_start(false, 0, true), 0x1881ull);
    CHECK_EQ(misc_enable_guest_start(false, 0, false), 0x1801ull);
}

TEST(limit_cpuid)
{
    struct cpuid_regs r = { 0x16, 0x756e6547, 0x6c65746e, 0x49656e69 };
    misc_enable_cpuid(0, 0, &r);
    CHECK_EQ(r.eax, 0x16u);
    misc_enable_cpuid(MISC_ENABLE_LIMIT_CPUID, 0, &r);
    CHECK_EQ(r.eax, 2u);
    CHECK_EQ(r.ebx, 0x756e6547u);                              /* the vendor string stays */
    r.eax = 1;
    misc_enable_cpuid(MISC_ENABLE_LIMIT_CPUID, 0, &r);
    CHECK_EQ(r.eax, 1u);                                       /* never raised */
    r = (struct cpuid_regs){ 0x16, 0, 0, 0 };
    misc_enable_cpuid(MISC_ENABLE_LIMIT_CPUID, 0x80000000u, &r);
    CHECK_EQ(r.eax, 0x16u);                                    /* leaf 0 only */
}

TEST(xd_disable_hides_nx)
{
    struct cpuid_regs r = { 0, 0, 0x121, 0x2c100800 };
    misc_enable_cpuid(MISC_ENABLE_MONITOR, 0x80000001u, &r);
    CHECK(r.edx & (1u << 20));
    misc_enable_cpuid(MISC_ENABLE_XD_DISABLE, 0x80000001u, &r);
    CHECK(!(r.edx & (1u << 20)));
    CHECK_EQ(r.edx, 0x2c000800u);
}

TEST(monitor_fsm)
{
    struct cpuid_regs r = { 0, 0, 0x8, 0 };
    misc_enable_cpuid(MISC_ENABLE_MONITOR, 1, &r);
    CHECK_EQ(r.ecx, 0x8u);
    misc_enable_cpuid(0, 1, &r);
    CHECK_EQ(r.ecx, 0u);
}

UNIT_MAIN(T(kvm_unit_tests_bits_writable), T(reserved_and_read_only_bits_refused), T(start_value), T(limit_cpuid),
          T(xd_disable_hides_nx), T(monitor_fsm))
