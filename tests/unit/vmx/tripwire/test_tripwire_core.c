/* The tripwires' pure part (vmx/tripwire/tripwire_core.c): the table walk, FNV-1a 64, the bitmap
 * comparisons that name what changed. */
// SOURCES: vmx/tripwire/tripwire_core.c vmx/policy/io_exits.c vmx/policy/io_policy.c kernel/firmware/acpi.c kernel/lib/format.c kernel/lib/lib.c
#include "tests/unit/unit.h"
#include "vmx/tripwire/tripwire_core.h"

#include <string.h>

TEST(fnv1a64)
{
    /* FNV-1a 64 bytewise: the published vectors ("" and "a"); words of 8 are folded as one step. */
    CHECK_EQ(tripwire_fnv1a64("", 0), 0xcbf29ce484222325ull);
    CHECK_EQ(tripwire_fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
    uint8_t buf[4096];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7);
    uint64_t h = tripwire_fnv1a64(buf, sizeof buf);
    for (unsigned i = 0; i < sizeof buf; i += 509) {       /* any one bit of any byte changes it */
        buf[i] ^= 0x10;
        CHECK(tripwire_fnv1a64(buf, sizeof buf) != h);
        buf[i] ^= 0x10;
    }
    CHECK_EQ(tripwire_fnv1a64(buf, sizeof buf), h);
    CHECK(tripwire_fnv1a64(buf, 4095) != tripwire_fnv1a64(buf, 4094));   /* the tail counts */
}

TEST(bitmap_diff_and_msr_names)
{
    static uint8_t a[4096], b[4096];
    memset(a, 0xff, sizeof a);
    memset(b, 0xff, sizeof b);
    CHECK_EQ(tripwire_bitmap_diff(a, b, sizeof a), -1);
    static const struct { long bit; uint32_t msr; bool write; } cases[] = {
        { 0, 0, false }, { 0x10, 0x10, false }, { 8191, 0x1fff, false },
        { 8192, 0xc0000000, false }, { 8192 + 0x80, 0xc0000080, false },
        { 16384 + 0x830, 0x830, true }, { 24576 + 0x102, 0xc0000102, true }, { 32767, 0xc0001fff, true },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long bit = cases[i].bit;
        b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK_EQ(tripwire_bitmap_diff(a, b, sizeof a), bit);
        uint32_t msr;
        bool write;
        tripwire_msr_bit(bit, &msr, &write);
        CHECK_EQ(msr, cases[i].msr);
        CHECK_EQ(write, cases[i].write);
        b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    b[100] ^= 0x80;
    b[200] ^= 0x01;
    CHECK_EQ(tripwire_bitmap_diff(a, b, sizeof a), 100 * 8 + 7);    /* the first */
}

static uint8_t bm_a[4096], bm_b[4096];
static struct io_policy policy;
static struct acpi_info acpi;

TEST(io_mismatch)
{
    acpi = (struct acpi_info){ 0 };
    acpi.pm1a_cnt = 0xb004;
    acpi.has_s5 = true;
    io_policy_init(&policy, &acpi);
    struct io_exits x = { .a = bm_a, .b = bm_b, .policy = &policy, .uart_on = true, .uart = 0x3f8 };
    io_exits_fill(&x);
    CHECK_EQ(tripwire_io_mismatch(&x), -1);
    bm_b[(0xb004 - 0x8000) / 8] &= (uint8_t)~(1u << (0xb004 % 8));     /* PM1a_CNT stops exiting */
    CHECK_EQ(tripwire_io_mismatch(&x), 0xb004);
    io_exits_fill(&x);
    bm_a[0x80 / 8] |= 1u << (0x80 % 8);                                /* port 0x80 exits: not the policy */
    CHECK_EQ(tripwire_io_mismatch(&x), 0x80);
    io_exits_fill(&x);
    /* The UART's conditional rows: set while the guest's DLAB is on, either way a legal state. */
    x.dlab = true;
    io_exits_update(&x, 0x3f8, 2);
    CHECK_EQ(tripwire_io_mismatch(&x), -1);
    bm_a[0x3f8 / 8] &= (uint8_t)~(1u << (0x3f8 % 8));                  /* DLL passes with DLAB on */
    CHECK_EQ(tripwire_io_mismatch(&x), 0x3f8);
    x.dlab = false;
    io_exits_fill(&x);
    bm_a[0x3f9 / 8] |= 1u << (0x3f9 % 8);                              /* an extra exit there: harmless */
    CHECK_EQ(tripwire_io_mismatch(&x), -1);
    io_exits_update(&x, 0x3f8, 2);
    /* A moved PM1a_CNT: the new row is wanted, the old one not. */
    io_policy_move_pm1a(&policy, 0x4004);
    CHECK_EQ(tripwire_io_mismatch(&x), 0x4004);
    io_exits_update(&x, 0x4004, 2);
    io_exits_update(&x, 0xb004, 2);
    CHECK_EQ(tripwire_io_mismatch(&x), -1);
}

static int v1, v2, snaps;
static bool snap_yes(void) { snaps++; return true; }
static bool snap_no(void) { snaps++; return false; }
static bool check_v1(char *d, size_t n) { snprintf(d, n, "v1=%d", v1); return v1 == 0; }
static bool check_v2(char *d, size_t n) { snprintf(d, n, "v2=%d", v2); return v2 == 0; }
static bool check_never(char *d, size_t n) { (void)d; (void)n; return false; }

TEST(table)
{
    static const struct tripwire_row rows[] = {
        { "one", snap_yes, check_v1, false },
        { "absent", snap_no, check_never, false },
        { "heavy", snap_yes, check_v2, true },
    };
    struct tripwire_table t = { rows, 3, { 0 } };
    CHECK_EQ(tripwire_arm_table(&t), 2);
    CHECK_EQ(snaps, 3);
    char d[32];
    unsigned n;
    CHECK_EQ(tripwire_check_table(&t, true, d, sizeof d, &n), -1);
    CHECK_EQ(n, 2);
    CHECK_EQ(tripwire_check_table(&t, false, d, sizeof d, &n), -1);
    CHECK_EQ(n, 1);
    v2 = 5;
    CHECK_EQ(tripwire_check_table(&t, false, d, sizeof d, &n), -1);   /* heavy rows skipped */
    CHECK_EQ(tripwire_check_table(&t, true, d, sizeof d, &n), 2);
    CHECK_STR(d, "v2=5");
    v1 = 1;
    CHECK_EQ(tripwire_check_table(&t, true, d, sizeof d, &n), 0);     /* the first changed row */
    CHECK_STR(d, "v1=1");
}

UNIT_MAIN(T(fnv1a64), T(bitmap_diff_and_msr_names), T(io_mismatch), T(table))
