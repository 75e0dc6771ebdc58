/* Power, sleep and reset port decisions by byte overlap (vmx/policy/io_policy.c). */
// SOURCES: vmx/policy/io_policy.c kernel/firmware/acpi.c kernel/lib/format.c kernel/lib/lib.c
#include "tests/unit/unit.h"
#include "vmx/policy/io_policy.h"

/* Bochs' PIIX4 FADT and DSDT: PM1a_CNT 0xb004, \_S3 = 1, \_S5 = 0, reset register 0xcf9 value 6. */
static struct acpi_info bochs_acpi(void)
{
    struct acpi_info a = { 0 };
    a.pm1a_cnt = 0xb004;
    a.has_s5 = true;
    a.has_sleep = 1u << 3;
    a.sleep_typa[3] = 1;
    a.has_reset = true;
    a.reset_space = ACPI_SPACE_IO;
    a.reset_addr = 0xcf9;
    a.reset_value = 6;
    return a;
}

static enum io_effect out(struct io_policy *p, uint16_t port, unsigned size, uint32_t val, struct io_hit *h)
{
    return io_policy_out(p, port, size, val, h);
}

TEST(pm1_cnt_by_byte_overlap)
{
    struct acpi_info a = bochs_acpi();
    struct io_policy p;
    struct io_hit h;
    io_policy_init(&p, &a);
    CHECK_EQ(out(&p, 0xb004, 2, 0x2000, &h), IO_POWER_OFF);           /* S5: SLP_TYP 0 | SLP_EN */
    CHECK_EQ(h.reg->port, 0xb004);
    CHECK_EQ(out(&p, 0xb004, 2, 0x2400, &h), IO_SLEEP);               /* S3 */
    CHECK_EQ(h.sleep_state, 3);
    CHECK_EQ(h.slp_typ, 1);
    CHECK_EQ(out(&p, 0xb004, 2, 0x1c00, &h), IO_PASS);                /* SLP_TYP without SLP_EN */
    CHECK_EQ(out(&p, 0xb005, 1, 0x20, &h), IO_POWER_OFF);             /* the high byte alone */
    CHECK_EQ(out(&p, 0xb004, 1, 0xff, &h), IO_PASS);                  /* the low byte alone */
    /* A dword two ports below: its bytes 2 and 3 are PM1a_CNT. */
    CHECK_EQ(out(&p, 0xb002, 4, 0x24000000, &h), IO_SLEEP);
    CHECK_EQ(h.value, 0x2400);
    CHECK_EQ(out(&p, 0xb002, 4, 0x20000000, &h), IO_POWER_OFF);
    CHECK_EQ(out(&p, 0xb003, 4, 0x00200000, &h), IO_POWER_OFF);       /* bytes 1, 2 = 0xb004, 0xb005 */
    CHECK_EQ(out(&p, 0xb003, 2, 0x2000, &h), IO_PASS);                /* 0xb003, 0xb004: low byte only */
    CHECK_EQ(out(&p, 0xb006, 2, 0xffff, &h), IO_PASS);                /* just above */
    CHECK_EQ(out(&p, 0xb001, 2, 0xffff, &h), IO_PASS);                /* just below */
    CHECK(io_policy_covers(&p, 0xb002, 4));
    CHECK(io_policy_covers(&p, 0xb005, 1));
    CHECK(!io_policy_covers(&p, 0xb000, 4));
    CHECK(!io_policy_covers(&p, 0xb006, 2));
}

/* A20 (bit 1 of port 0x92 and of the 8042's output port) reaches the port set, whatever the guest wrote. */
TEST(a20_gate_kept_on)
{
    struct acpi_info a = bochs_acpi();
    struct io_policy p;
    struct io_hit h;
    io_policy_init(&p, &a);
    CHECK_EQ(out(&p, 0x92, 1, 0x00, &h), IO_PASS);
    CHECK_EQ(h.write, 0x02);
    CHECK_EQ(out(&p, 0x91, 2, 0x00ff, &h), IO_PASS);                  /* a word from below: 0x92 is byte 1 */
    CHECK_EQ(h.write, 0x02ff);
    CHECK_EQ(out(&p, 0x90, 4, 0x11000000, &h), IO_PASS);
    CHECK_EQ(h.write, 0x11020000);
    CHECK_EQ(out(&p, 0x93, 1, 0x00, &h), IO_PASS);                    /* beside it: as written */
    CHECK_EQ(h.write, 0x00);
    CHECK_EQ(out(&p, 0x60, 1, 0xdd, &h), IO_PASS);                    /* keyboard data: as written */
    CHECK_EQ(h.write, 0xdd);
    CHECK_EQ(out(&p, 0x64, 1, 0xd1, &h), IO_PASS);
    CHECK_EQ(out(&p, 0x60, 1, 0xdd, &h), IO_PASS);                    /* the output port: A20 set */
    CHECK_EQ(h.write, 0xdf);
    CHECK_EQ(out(&p, 0x60, 1, 0xdd, &h), IO_PASS);                    /* keyboard data again */
    CHECK_EQ(h.write, 0xdd);
}

TEST(reset_ports_by_byte_overlap)
{
    struct acpi_info a = bochs_acpi();
    struct io_policy p;
    struct io_hit h;
    io_policy_init(&p, &a);
    CHECK_EQ(out(&p, 0x92, 1, 0x01, &h), IO_RESET);
    CHECK_EQ(out(&p, 0x92, 1, 0x02, &h), IO_PASS);                    /* A20 only */
    CHECK_EQ(out(&p, 0x92, 2, 0x0001, &h), IO_RESET);                 /* word at 0x92 */
    CHECK_EQ(out(&p, 0x91, 2, 0x0100, &h), IO_RESET);                 /* word at 0x91: its high byte is 0x92 */
    CHECK_EQ(out(&p, 0x91, 2, 0x0001, &h), IO_PASS);
    CHECK_EQ(out(&p, 0x90, 4, 0x00010000, &h), IO_RESET);
    CHECK_EQ(out(&p, 0xcf9, 1, 0x06, &h), IO_RESET);
    CHECK_EQ(out(&p, 0xcf9, 1, 0x02, &h), IO_PASS);
    CHECK_EQ(out(&p, 0xcf8, 2, 0x0600, &h), IO_RESET);                /* word at 0xcf8 reaches 0xcf9 */
    CHECK_EQ(out(&p, 0xcf8, 4, 0x80000600, &h), IO_PASS);             /* CONFIG_ADDRESS, not the reset register */
    CHECK_EQ(out(&p, 0x64, 1, 0xfe, &h), IO_RESET);                   /* pulse the reset line */
    CHECK_EQ(out(&p, 0x64, 1, 0xff, &h), IO_PASS);
    CHECK_EQ(out(&p, 0x63, 2, 0xfe00, &h), IO_RESET);                 /* word at 0x63 */
    CHECK_EQ(out(&p, 0x64, 1, 0xd1, &h), IO_PASS);                    /* write output port ... */
    CHECK_EQ(out(&p, 0x60, 1, 0xfe, &h), IO_RESET);                   /* ... with the reset line low */
    CHECK_EQ(out(&p, 0x60, 1, 0xfe, &h), IO_PASS);                    /* plain data afterwards */
    CHECK_EQ(out(&p, 0x64, 1, 0xd1, &h), IO_PASS);
    CHECK_EQ(out(&p, 0x60, 2, 0x00fe, &h), IO_RESET);
}

TEST(fadt_rows_and_no_acpi)
{
    /* A hardware-reduced machine: SLEEP_CONTROL_REG in I/O space, an I/O reset register. */
    struct acpi_info a = { 0 };
    a.hw_reduced = true;
    a.sleep_ctl_space = ACPI_SPACE_IO;
    a.sleep_ctl_addr = 0x1800;
    a.has_s5 = true;
    a.slp_typa = 5;
    a.has_reset = true;
    a.reset_space = ACPI_SPACE_IO;
    a.reset_addr = 0x1804;
    a.reset_value = 0x0e;
    struct io_policy p;
    struct io_hit h;
    io_policy_init(&p, &a);
    CHECK_EQ(out(&p, 0x1800, 1, (5u << 2) | (1u << 5), &h), IO_POWER_OFF);
    CHECK_EQ(out(&p, 0x1800, 1, (3u << 2) | (1u << 5), &h), IO_SLEEP);
    CHECK_EQ(h.sleep_state, -1);
    CHECK_EQ(out(&p, 0x1800, 1, 5u << 2, &h), IO_PASS);
    CHECK_EQ(out(&p, 0x17ff, 2, 0x3400, &h), IO_POWER_OFF);
    CHECK_EQ(out(&p, 0x1804, 1, 0x0e, &h), IO_RESET);
    CHECK_EQ(out(&p, 0x1802, 4, 0x000e0000, &h), IO_RESET);
    CHECK_EQ(out(&p, 0x1804, 1, 0x0f, &h), IO_PASS);
    /* No ACPI tables at all: the chipset fallbacks, S5 = SLP_TYP 0. */
    io_policy_init(&p, NULL);
    CHECK_EQ(out(&p, 0x604, 2, 0x2000, &h), IO_POWER_OFF);
    CHECK_EQ(out(&p, 0x604, 2, 0x2400, &h), IO_SLEEP);
    CHECK_EQ(h.sleep_state, 3);
    CHECK_EQ(out(&p, 0xf4, 1, 3, &h), IO_DEBUG_EXIT);
    CHECK_EQ(h.value, 3);
    CHECK_EQ(out(&p, 0xf6, 1, 3, &h), IO_DEBUG_EXIT);
    /* Bochs' shutdown port: the string, byte by byte, restarting on 'S'. */
    const char *s = "SSShutdown";
    enum io_effect e = IO_PASS;
    for (; *s; s++)
        e = out(&p, 0x8900, 1, (uint8_t)*s, &h);
    CHECK_EQ(e, IO_POWER_OFF);
}

/* The rows an access overlaps, by brute force: none (-1), exactly one (its index) or several (-2). */
static int rows_brute(const struct io_policy *p, uint16_t port, unsigned size)
{
    int found = -1;
    for (unsigned i = 0; i < p->n; i++)
        for (unsigned k = 0; k < size; k++)
            if ((uint32_t)port + k >= p->regs[i].port && (uint32_t)port + k < (uint32_t)p->regs[i].port + p->regs[i].width)
                found = found == -1 || found == (int)i ? (int)i : -2;
    return found;
}

/* The slot index of the exit path never misses a row: no row where the index says none, and where it
 * names one row, that is the only row the access reaches. */
static void check_slots(const struct io_policy *p)
{
    unsigned bad = 0;
    for (uint32_t port = 0; port < 0x10000; port++)
        for (unsigned size = 1; size <= 4; size *= 2) {
            int idx = io_policy_rows_for(p, (uint16_t)port, size), b = rows_brute(p, (uint16_t)port, size);
            if ((idx == IO_SLOT_NONE && b != -1) || (idx >= 0 && b != -1 && b != idx) || (idx >= 0 && b == -2))
                bad++;
        }
    CHECK_EQ(bad, 0);
}

TEST(slot_index_finds_every_row)
{
    struct acpi_info a = bochs_acpi();
    struct io_policy p;
    io_policy_init(&p, &a);
    CHECK(p.slot[0x8900 & 63] >= 0);                  /* Bochs' shutdown port: one row, no scan */
    check_slots(&p);
    io_policy_move_pm1a(&p, 0x4004);                  /* the guest moved the PM block */
    check_slots(&p);
    CHECK_EQ(out(&p, 0x4005, 1, 0x20, &(struct io_hit){ 0 }), IO_POWER_OFF);
    io_policy_init(&p, NULL);
    check_slots(&p);
}

/* The exit path's one-byte OUT (io_policy_out_byte, from the slot index) against the scan of every row
 * (io_policy_out_scan): the same verdict, the same bytes to the port (keep bits), the same row and value
 * named, the same state of the stateful rows after, for every port and values that reach each rule. */
static void check_byte_path(const struct io_policy *init)
{
    static const uint8_t vals[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x06, 0x0e, 0x20, 0x24, 0x34, 0x53, 0x68, 0x75,
                                    0xd1, 0xdd, 0xf0, 0xfe, 0xff, 'S', 'h', 'u', 't', 'd', 'o', 'w', 'n' };
    struct io_policy a = *init, b = *init;
    unsigned bad = 0;
    for (uint32_t port = 0; port < 0x10000; port++)
        for (unsigned i = 0; i < sizeof(vals); i++) {
            struct io_hit ha = { 0 }, hb = { 0 };
            enum io_effect ea = io_policy_out_byte(&a, (uint16_t)port, vals[i], &ha);
            enum io_effect eb = io_policy_out_scan(&b, (uint16_t)port, 1, vals[i], &hb);
            if (ea != eb || ha.write != hb.write || a.kbc_write_output != b.kbc_write_output ||
                a.shutdown_match != b.shutdown_match ||
                (ea != IO_PASS && (ha.reg != hb.reg - b.regs + a.regs || ha.value != hb.value ||
                                   (ea == IO_SLEEP && ha.sleep_state != hb.sleep_state))))
                bad++;
        }
    CHECK_EQ(bad, 0);
}

TEST(byte_path_agrees_with_scan)
{
    struct acpi_info a = bochs_acpi();
    struct io_policy p;
    io_policy_init(&p, &a);
    check_byte_path(&p);
    io_policy_move_pm1a(&p, 0x4004);
    check_byte_path(&p);
    io_policy_init(&p, NULL);
    check_byte_path(&p);
}

UNIT_MAIN(T(pm1_cnt_by_byte_overlap), T(reset_ports_by_byte_overlap), T(a20_gate_kept_on), T(fadt_rows_and_no_acpi),
          T(slot_index_finds_every_row), T(byte_path_agrees_with_scan))
