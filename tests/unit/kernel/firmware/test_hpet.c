// SOURCES: kernel/firmware/hpet.c kernel/firmware/acpi.c kernel/lib/format.c
/*
 * The HPET (kernel/firmware/hpet.c): its ACPI table, a made-up one in the
 * layout of the Bochs BIOS's (base 0xfed00000) and broken ones, each in its own
 * malloc'd buffer so ASan sees any overread; and the write judge over a
 * simulated register page: FSB routes outside 0xfee00000-0xfeefffff and FSB
 * delivery enabled with such a route are refused in every width and offset,
 * everything else passes.
 */
#include "tests/unit/unit.h"

#include <stdlib.h>

#include "kernel/firmware/hpet.h"

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void fix(uint8_t *t, uint32_t len)
{
    uint8_t s = 0;
    t[9] = 0;
    for (uint32_t i = 0; i < len; i++)
        s = (uint8_t)(s + t[i]);
    t[9] = (uint8_t)-s;
}

/* A 56-byte table: "HPET", revision 1, block id 0x8086a201, memory-space base 0xfed00000, number 0. */
static uint8_t *table(uint32_t len)
{
    uint8_t *t = calloc(1, len < 56 ? 56 : len);
    memcpy(t, "HPET", 4);
    put32(t + 4, len);
    t[8] = 1;
    memcpy(t + 10, "BOCHS BXPCHPET", 14);
    put32(t + 36, 0x8086a201);
    t[40] = 0;                       /* system memory */
    t[41] = 64;
    put64(t + 44, 0xfed00000);
    t[52] = 0;
    t[53] = 0x80;                    /* minimum tick 128 */
    t[55] = 0;
    fix(t, len < 56 ? 56 : len);
    return t;
}

static enum hpet_table_error parse_len(uint8_t *t, size_t readable, struct acpi_hpet *h)
{
    uint8_t *c = malloc(readable);
    memcpy(c, t, readable);
    enum hpet_table_error e = hpet_table_parse(c, readable, h);
    free(c);
    free(t);
    return e;
}

TEST(table_good)
{
    struct acpi_hpet h;
    CHECK_EQ(parse_len(table(56), 56, &h), HPET_TABLE_OK);
    CHECK_EQ(h.base, 0xfed00000);
    CHECK_EQ(h.block_id, 0x8086a201);
    CHECK_EQ(h.min_tick, 0x80);
    CHECK_EQ(h.number, 0);
    /* A longer table (OEM bytes after the fields) is fine when all of it is readable. */
    CHECK_EQ(parse_len(table(64), 64, &h), HPET_TABLE_OK);
    CHECK_EQ(h.base, 0xfed00000);
}

TEST(table_bad)
{
    struct acpi_hpet h;
    CHECK_EQ(hpet_table_parse(NULL, 56, &h), HPET_TABLE_SHORT);
    CHECK_EQ(parse_len(table(56), 55, &h), HPET_TABLE_SHORT);          /* fewer readable bytes */
    CHECK_EQ(parse_len(table(40), 56, &h), HPET_TABLE_SHORT);          /* the header says 40 */
    CHECK_EQ(h.base, 0);
    CHECK_EQ(parse_len(table(64), 60, &h), HPET_TABLE_LENGTH);         /* says 64, 60 readable */
    uint8_t *t = table(56);
    t[0] = 'X';
    fix(t, 56);
    CHECK_EQ(parse_len(t, 56, &h), HPET_TABLE_SIGNATURE);
    t = table(56);
    t[50] ^= 1;                                                        /* no fix: checksum off */
    CHECK_EQ(parse_len(t, 56, &h), HPET_TABLE_CHECKSUM);
    t = table(56);
    t[40] = 1;                                                         /* base in I/O space */
    fix(t, 56);
    CHECK_EQ(parse_len(t, 56, &h), HPET_TABLE_SPACE);
    CHECK_EQ(h.base, 0);
    t = table(56);
    t[40] = 2;                                                         /* PCI configuration space */
    fix(t, 56);
    CHECK_EQ(parse_len(t, 56, &h), HPET_TABLE_SPACE);
    t = table(56);
    put64(t + 44, 0);
    fix(t, 56);
    CHECK_EQ(parse_len(t, 56, &h), HPET_TABLE_BASE);
    t = table(56);
    put64(t + 44, 0xfed00200);                                         /* not 1 KiB aligned */
    fix(t, 56);
    CHECK_EQ(parse_len(t, 56, &h), HPET_TABLE_BASE);
    t = table(56);
    put64(t + 44, 1ull << 52);
    fix(t, 56);
    CHECK_EQ(parse_len(t, 56, &h), HPET_TABLE_BASE);
    CHECK(strcmp(hpet_table_strerror(HPET_TABLE_SPACE), "its base is not in system memory space") == 0);
}

/* A simulated register page: the judge reads dwords from it; a store the judge passes is applied. */
static uint8_t regs[4096];

static uint32_t rd(void *ctx, uint32_t off)
{
    CHECK_EQ(ctx, (void *)regs);
    CHECK_EQ(off & 3, 0);
    REQUIRE(off + 4 <= sizeof regs);
    uint32_t v;
    memcpy(&v, regs + off, 4);
    return v;
}

static unsigned timer;
static uint32_t addr;

/* Judge the store; apply it when it passes. */
static enum hpet_verdict wr(uint32_t off, unsigned size, uint64_t value)
{
    timer = 99;
    addr = 0;
    enum hpet_verdict v = hpet_judge_write(off, size, value, rd, regs, &timer, &addr);
    if (v == HPET_WRITE_OK)
        memcpy(regs + off, &value, size);
    return v;
}

static void reset(void)
{
    memset(regs, 0, sizeof regs);
    for (unsigned n = 0; n < 3; n++)
        put32(regs + HPET_TN_CFG(n), HPET_TN_FSB_CAP | 0x30);     /* FSB capable, 64-bit, periodic */
}

TEST(judge_route)
{
    reset();
    /* Dword writes: the value (low dword) is free, the address must be an interrupt address. */
    CHECK_EQ(wr(HPET_TN_ROUTE(0), 4, 0xdeadbeef), HPET_WRITE_OK);
    CHECK_EQ(wr(HPET_TN_ROUTE(0) + 4, 4, 0xfee00000), HPET_WRITE_OK);
    CHECK_EQ(wr(HPET_TN_ROUTE(0) + 4, 4, 0xfeefffff), HPET_WRITE_OK);
    CHECK_EQ(wr(HPET_TN_ROUTE(2) + 4, 4, 0x00123000), HPET_WRITE_ROUTE);
    CHECK_EQ(timer, 2);
    CHECK_EQ(addr, 0x00123000);
    CHECK_EQ(wr(HPET_TN_ROUTE(1) + 4, 4, 0xfef00000), HPET_WRITE_ROUTE);
    CHECK_EQ(wr(HPET_TN_ROUTE(1) + 4, 4, 0xfed00000), HPET_WRITE_ROUTE);
    /* 64-bit writes covering the address. */
    CHECK_EQ(wr(HPET_TN_ROUTE(1), 8, 0xfee01000ull << 32 | 0x41), HPET_WRITE_OK);
    CHECK_EQ(wr(HPET_TN_ROUTE(1), 8, 0x00123000ull << 32 | 0x41), HPET_WRITE_ROUTE);
    CHECK_EQ(timer, 1);
    CHECK_EQ(addr, 0x00123000);
    CHECK_EQ(wr(HPET_TN_ROUTE(1) + 4, 8, 0x00123000), HPET_WRITE_ROUTE);   /* unaligned qword */
    /* A byte or word into the address is judged on the dword it leaves. */
    CHECK_EQ(wr(HPET_TN_ROUTE(1) + 7, 1, 0x00), HPET_WRITE_ROUTE);
    CHECK_EQ(addr, 0x00e01000);
    CHECK_EQ(wr(HPET_TN_ROUTE(1) + 4, 2, 0x5000), HPET_WRITE_OK);           /* 0xfee05000 */
    CHECK_EQ(rd(regs, HPET_TN_ROUTE(1) + 4), 0xfee05000);
    CHECK_EQ(wr(HPET_TN_ROUTE(1) + 6, 2, 0x0012), HPET_WRITE_ROUTE);
    CHECK_EQ(addr, 0x00125000);
    /* A qword at the value's dword + 4 bytes: the comparator's high half and the route's value: free. */
    CHECK_EQ(wr(HPET_TN_ROUTE(0) - 4, 8, 0x1234567812345678ull), HPET_WRITE_OK);
    /* The last timer (31). */
    CHECK_EQ(wr(HPET_TN_ROUTE(31) + 4, 4, 0x1000), HPET_WRITE_ROUTE);
    CHECK_EQ(timer, 31);
}

TEST(judge_enable)
{
    reset();
    /* The route at reset holds 0: FSB delivery cannot be enabled until it holds an interrupt address. */
    uint32_t cfg = HPET_TN_FSB_CAP | 0x30 | HPET_TN_FSB_EN | 4;
    CHECK_EQ(wr(HPET_TN_CFG(0), 4, cfg), HPET_WRITE_ENABLE);
    CHECK_EQ(timer, 0);
    CHECK_EQ(addr, 0);
    CHECK_EQ(wr(HPET_TN_CFG(0), 8, cfg), HPET_WRITE_ENABLE);
    CHECK_EQ(wr(HPET_TN_CFG(0) + 1, 1, HPET_TN_FSB_EN >> 8), HPET_WRITE_ENABLE);
    /* Other configuration bits pass with FSB delivery off. */
    CHECK_EQ(wr(HPET_TN_CFG(0), 4, cfg & ~HPET_TN_FSB_EN), HPET_WRITE_OK);
    /* Route first, then the enable bit: passes. */
    CHECK_EQ(wr(HPET_TN_ROUTE(0), 8, 0xfee00000ull << 32 | 0x30), HPET_WRITE_OK);
    CHECK_EQ(wr(HPET_TN_CFG(0), 4, cfg), HPET_WRITE_OK);
    CHECK_EQ(wr(HPET_TN_CFG(0) + 1, 1, (cfg >> 8) & 0xff), HPET_WRITE_OK);
    /* And the route cannot be moved away while enabled. */
    CHECK_EQ(wr(HPET_TN_ROUTE(0) + 4, 4, 0x7000), HPET_WRITE_ROUTE);
    CHECK_EQ(rd(regs, HPET_TN_ROUTE(0) + 4), 0xfee00000);
    /* Another timer's enable judges that timer's route. */
    CHECK_EQ(wr(HPET_TN_CFG(1), 4, cfg), HPET_WRITE_ENABLE);
    CHECK_EQ(timer, 1);
    /* Clearing the enable bit is always fine. */
    CHECK_EQ(wr(HPET_TN_CFG(0), 4, cfg & ~HPET_TN_FSB_EN), HPET_WRITE_OK);
}

TEST(judge_others)
{
    reset();
    /* General configuration, interrupt status, main counter, comparators: the guest's. */
    CHECK_EQ(wr(0x10, 8, 3), HPET_WRITE_OK);
    CHECK_EQ(wr(0x20, 4, 0xffffffff), HPET_WRITE_OK);
    CHECK_EQ(wr(0xf0, 8, 0x123456789ull), HPET_WRITE_OK);
    CHECK_EQ(wr(HPET_TN_CFG(0) + 8, 8, 0x1000), HPET_WRITE_OK);
    CHECK_EQ(wr(HPET_TN_CFG(0) + 4, 4, 0xffffffff), HPET_WRITE_OK);   /* the read-only high dword */
    CHECK_EQ(wr(HPET_TN_CFG(0) + 0x18, 8, 0x1234), HPET_WRITE_OK);   /* reserved */
    CHECK_EQ(wr(0xff8, 8, 0x1234), HPET_WRITE_OK);                    /* beyond the 32 timers */
    CHECK_EQ(hpet_interrupt_address(0xfee00000), 1);
    CHECK_EQ(hpet_interrupt_address(0xfeefffff), 1);
    CHECK_EQ(hpet_interrupt_address(0xfed00000), 0);
    CHECK_EQ(hpet_interrupt_address(0xfef00000), 0);
}

UNIT_MAIN(T(table_good), T(table_bad), T(judge_route), T(judge_enable), T(judge_others))
