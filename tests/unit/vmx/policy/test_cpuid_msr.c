// SOURCES: vmx/policy/cpuid_msr.c
/* CPUID bits hidden when the MSR they promise is missing (vmx/policy/cpuid_msr.c). */
#include "tests/unit/unit.h"

#include "vmx/policy/cpuid_msr.h"

/* Bochs 2.7 corei7_skylake_x: leaf 1 EDX has ACPI (bit 22), leaf 6 = 0x75/2/9/0. */
static const struct cpuid_regs skylake_l1 = { 0x00050654, 0, 0x7ffefbff, 0xbfebfbff };
static const struct cpuid_regs skylake_l6 = { 0x75, 0x2, 0x9, 0 };

static uint32_t asked[16];
static size_t nasked;
static uint32_t absent[8];
static size_t nabsent;

static bool fake_readable(uint32_t msr)
{
    if (nasked < 16)
        asked[nasked++] = msr;
    for (size_t i = 0; i < nabsent; i++)
        if (absent[i] == msr)
            return false;
    return true;
}

static void set_absent(const uint32_t *msrs, size_t n)
{
    nasked = 0;
    nabsent = n;
    for (size_t i = 0; i < n; i++)
        absent[i] = msrs[i];
}

TEST(every_msr_present_hides_nothing)
{
    struct cpuid_hidden h;
    set_absent(0, 0);
    CHECK_EQ(cpuid_msr_probe(&skylake_l1, &skylake_l6, fake_readable, &h), 0);
    struct cpuid_regs r = skylake_l6;
    cpuid_msr_hide(&h, 6, &r);
    CHECK_EQ(r.eax, 0x75);
    CHECK_EQ(r.ecx, 0x9);
    r = skylake_l1;
    cpuid_msr_hide(&h, 1, &r);
    CHECK_EQ(r.edx, skylake_l1.edx);
}

/* Bochs' Skylake model: IA32_THERM_STATUS, PACKAGE_THERM_STATUS, MPERF, ENERGY_PERF_BIAS #GP. */
TEST(bochs_skylake_thermal_msrs_missing)
{
    static const uint32_t missing[] = { 0x19c, 0x1b1, 0xe7, 0x1b0 };
    struct cpuid_hidden h;
    set_absent(missing, 4);
    CHECK_EQ(cpuid_msr_probe(&skylake_l1, &skylake_l6, fake_readable, &h), 5);
    struct cpuid_regs r = skylake_l6;
    cpuid_msr_hide(&h, 6, &r);
    CHECK_EQ(r.eax, 0x34);           /* DTS (0) and PTM (6) gone; ARAT (2), PLN (4), ECMD (5) stay */
    CHECK_EQ(r.ebx, 0x2);
    CHECK_EQ(r.ecx, 0x0);
    CHECK_EQ(r.edx, 0);
    r = skylake_l1;
    cpuid_msr_hide(&h, 1, &r);
    CHECK_EQ(r.edx, skylake_l1.edx & ~(1u << 22));
    CHECK_EQ(r.ecx, skylake_l1.ecx);
    CHECK_EQ(r.eax, skylake_l1.eax);
    size_t n = 0;
    for (size_t i = 0; i < cpuid_msr_nbits; i++)
        n += cpuid_msr_is_hidden(&h, &cpuid_msr_bits[i]);
    CHECK_EQ(n, 5);
}

/* Only IA32_THERM_STATUS missing: ACPI and DTS hidden, the others kept. */
TEST(one_msr_missing_hides_its_bits_only)
{
    static const uint32_t missing[] = { 0x19c };
    struct cpuid_hidden h;
    set_absent(missing, 1);
    CHECK_EQ(cpuid_msr_probe(&skylake_l1, &skylake_l6, fake_readable, &h), 2);
    struct cpuid_regs r = skylake_l6;
    cpuid_msr_hide(&h, 6, &r);
    CHECK_EQ(r.eax, 0x74);
    CHECK_EQ(r.ecx, 0x9);
    CHECK(cpuid_msr_is_hidden(&h, &cpuid_msr_bits[0]));
    CHECK(cpuid_msr_is_hidden(&h, &cpuid_msr_bits[1]));
    CHECK(!cpuid_msr_is_hidden(&h, &cpuid_msr_bits[2]));
}

/* A bit the CPU does not set is not probed: its MSR is never read. */
TEST(unpromised_bits_are_not_probed)
{
    static const uint32_t missing[] = { 0x19c, 0x1b1, 0xe7, 0x1b0 };
    struct cpuid_regs l1 = { 0, 0, 0, 0 }, l6 = { 0x4, 0, 0, 0 };   /* ARAT only, like KVM's */
    struct cpuid_hidden h;
    set_absent(missing, 4);
    CHECK_EQ(cpuid_msr_probe(&l1, &l6, fake_readable, &h), 0);
    CHECK_EQ(nasked, 0);
    set_absent(0, 0);
    CHECK_EQ(cpuid_msr_probe(&skylake_l1, &skylake_l6, fake_readable, &h), 0);
    CHECK_EQ(nasked, cpuid_msr_nbits);
}

/* Other leaves pass untouched, whatever is hidden. */
TEST(other_leaves_untouched)
{
    static const uint32_t missing[] = { 0x19c, 0x1b1, 0xe7, 0x1b0 };
    struct cpuid_hidden h;
    set_absent(missing, 4);
    cpuid_msr_probe(&skylake_l1, &skylake_l6, fake_readable, &h);
    static const uint32_t leaves[] = { 0, 2, 4, 5, 7, 0xa, 0x15, 0x80000001, 0x40000000 };
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        struct cpuid_regs r = { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff };
        cpuid_msr_hide(&h, leaves[i], &r);
        CHECK_EQ(r.eax & r.ebx & r.ecx & r.edx, 0xffffffff);
    }
}

UNIT_MAIN(T(every_msr_present_hides_nothing), T(bochs_skylake_thermal_msrs_missing),
          T(one_msr_missing_hides_its_bits_only), T(unpromised_bits_are_not_probed),
          T(other_leaves_untouched))
