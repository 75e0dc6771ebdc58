/* The shared I/O bitmaps while vCPUs run (vmx/policy/io_exits.c): after every byte an update
 * writes, every policy port still exits, and a moved PM1a_CNT exits before the old one stops. */
// SOURCES: vmx/policy/io_exits.c vmx/policy/io_policy.c kernel/firmware/acpi.c kernel/lib/format.c kernel/lib/lib.c
#include "tests/unit/unit.h"
#include "vmx/policy/io_exits.h"

#include <stdbool.h>

static uint8_t bm_a[4096], bm_b[4096];
static struct io_policy policy;
static struct acpi_info acpi;

/* A FADT whose PM1a_CNT is at 0x4004 (no fixed row there, so a move clears it). */
static struct io_exits setup(uint16_t pm1a)
{
    acpi = (struct acpi_info){ 0 };
    acpi.pm1a_cnt = pm1a;
    acpi.has_s5 = true;
    io_policy_init(&policy, &acpi);
    struct io_exits x = { .a = bm_a, .b = bm_b, .policy = &policy, .uart_on = true, .uart = 0x3f8 };
    io_exits_fill(&x);
    return x;
}

/* The ports that must exit at every moment of the updates under test. */
static uint16_t always[128];
static unsigned n_always;
static unsigned stores, violations;
static uint16_t new_row, old_row;     /* a PM1a move in progress (0: none) */
static unsigned order_violations;

static void snapshot(const struct io_exits *x)
{
    stores++;
    for (unsigned i = 0; i < n_always; i++)
        if (!io_exits_bit(x, always[i]))
            violations++;
    if (new_row && (!io_exits_bit(x, old_row) || !io_exits_bit(x, (uint16_t)(old_row + 1))) &&
        (!io_exits_bit(x, new_row) || !io_exits_bit(x, (uint16_t)(new_row + 1))))
        order_violations++;
}

/* Every port of every row but PM1a_CNT's (which moves), PCI mechanism #1, the UART's fixed rows. */
static void collect_always(void)
{
    n_always = 0;
    for (unsigned i = 0; i < policy.n; i++)
        for (unsigned k = 0; k < policy.regs[i].width; k++)
            if ((int)i != policy.pm1a_row)
                always[n_always++] = (uint16_t)(policy.regs[i].port + k);
    for (uint16_t p = 0xcf8; p <= 0xcff; p++)
        always[n_always++] = p;
    static const uint8_t uart_fixed[] = { 2, 3, 4, 5, 7 };
    for (unsigned i = 0; i < sizeof(uart_fixed); i++)
        always[n_always++] = (uint16_t)(0x3f8 + uart_fixed[i]);
    stores = violations = order_violations = 0;
    new_row = old_row = 0;
}

static bool matches_wanted(const struct io_exits *x)
{
    for (uint32_t p = 0; p <= 0xffff; p++)
        if (io_exits_bit(x, (uint16_t)p) != io_exits_wanted(x, (uint16_t)p))
            return false;
    return true;
}

TEST(fill_is_the_rows)
{
    struct io_exits x = setup(0x4004);
    CHECK(matches_wanted(&x));
    CHECK(io_exits_bit(&x, 0x4004) && io_exits_bit(&x, 0x4005));
    CHECK(io_exits_bit(&x, 0xb004) && io_exits_bit(&x, 0xcf9) && io_exits_bit(&x, 0xcfc));
    CHECK(io_exits_bit(&x, 0x3fb) && !io_exits_bit(&x, 0x3f8) && !io_exits_bit(&x, 0x3fe));
    CHECK(!io_exits_bit(&x, 0x80));
}

/* DLAB and loopback toggles, many times: only the UART's conditional bits move, one by one. */
TEST(uart_toggles_never_clear_a_policy_port)
{
    struct io_exits x = setup(0x4004);
    collect_always();
    io_exits_store_hook = snapshot;
    for (unsigned i = 0; i < 1000; i++) {
        x.dlab = i & 1;
        x.loopback = (i >> 1) & 1;
        io_exits_update(&x, 0x3f8, 2);
        io_exits_update(&x, 0x3fe, 1);
        CHECK_EQ(io_exits_bit(&x, 0x3f8), x.dlab);
        CHECK_EQ(io_exits_bit(&x, 0x3f9), x.dlab);
        CHECK_EQ(io_exits_bit(&x, 0x3fe), x.loopback);
    }
    io_exits_store_hook = NULL;
    CHECK(stores >= 1000);
    CHECK_EQ(violations, 0);
    CHECK(matches_wanted(&x));
}

/* PM1a_CNT moves from 0x4004 to 0xe004: 0xe004-5 are set before 0x4004-5 are cleared. */
TEST(pm1a_move_sets_before_clearing)
{
    struct io_exits x = setup(0x4004);
    collect_always();
    io_policy_move_pm1a(&policy, 0xe004);
    new_row = 0xe004, old_row = 0x4004;
    io_exits_store_hook = snapshot;
    io_exits_update(&x, 0xe004, 2);
    io_exits_update(&x, 0x4004, 2);
    io_exits_store_hook = NULL;
    CHECK_EQ(stores, 4);
    CHECK_EQ(violations, 0);
    CHECK_EQ(order_violations, 0);
    CHECK(io_exits_bit(&x, 0xe004) && io_exits_bit(&x, 0xe005));
    CHECK(!io_exits_bit(&x, 0x4004) && !io_exits_bit(&x, 0x4005));
    CHECK(matches_wanted(&x));
    /* Back onto a fixed row's port (0xb004, PIIX4's): moving away again leaves it set. */
    io_policy_move_pm1a(&policy, 0xb004);
    io_exits_update(&x, 0xb004, 2);
    io_exits_update(&x, 0xe004, 2);
    io_policy_move_pm1a(&policy, 0xe004);
    io_exits_update(&x, 0xe004, 2);
    io_exits_update(&x, 0xb004, 2);
    CHECK(io_exits_bit(&x, 0xb004) && io_exits_bit(&x, 0xb005));
    CHECK(matches_wanted(&x));
}

/* The checker sees the old way: zeroing a live bitmap byte by byte and setting the rows again
 * leaves policy ports clear in between. */
TEST(checker_catches_a_rebuild)
{
    struct io_exits x = setup(0x4004);
    collect_always();
    for (unsigned i = 0; i < 4096; i++) {
        bm_a[i] = 0;
        snapshot(&x);
        bm_b[i] = 0;
        snapshot(&x);
    }
    io_exits_fill(&x);
    CHECK(violations > 0);
}

/* The gdb stub's UART (gdb=ttyS1): all 8 ports are wanted from the moment it claims them, so the
 * bitmap and the tripwire's model agree (it once set the bits behind the model's back). */
TEST(stub_uart_is_wanted)
{
    struct io_exits x = setup(0x4004);
    for (uint16_t p = 0x2f8; p <= 0x2ff; p++)
        CHECK(!io_exits_wanted(&x, p) && !io_exits_bit(&x, p));
    x.stub = 0x2f8;
    io_exits_update(&x, 0x2f8, 8);
    for (uint16_t p = 0x2f8; p <= 0x2ff; p++)
        CHECK(io_exits_wanted(&x, p) && io_exits_bit(&x, p));
    CHECK(!io_exits_wanted(&x, 0x2f7) && !io_exits_wanted(&x, 0x300));
    CHECK(matches_wanted(&x));
    io_exits_fill(&x);
    CHECK(matches_wanted(&x) && io_exits_bit(&x, 0x2fd));
}

UNIT_MAIN(T(fill_is_the_rows), T(uart_toggles_never_clear_a_policy_port), T(pm1a_move_sets_before_clearing),
          T(checker_catches_a_rebuild), T(stub_uart_is_wanted))
