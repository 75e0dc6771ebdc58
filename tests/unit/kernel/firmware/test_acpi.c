// SOURCES: kernel/firmware/acpi.c kernel/lib/format.c
/*
 * ACPI table parser (kernel/firmware/acpi.c) on synthetic tables placed in a fake
 * physical memory: the map callback hands out only what lies inside it, so
 * ASan catches any read past a table the parser was not given.
 */
#include "tests/unit/unit.h"

#include <stdint.h>
#include <stdlib.h>

#include "kernel/firmware/acpi.h"

#define MEM_BASE 0x000e0000ull
#define MEM_SIZE 0x10000u

static uint8_t *mem;           /* malloc'd: ASan bounds */
static unsigned map_calls;

static const void *map(void *ctx, uint64_t pa, uint64_t len)
{
    (void)ctx;
    map_calls++;
    if (pa < MEM_BASE || len > MEM_SIZE || pa - MEM_BASE > MEM_SIZE - len)
        return NULL;
    return mem + (pa - MEM_BASE);
}

static void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void fix_csum(uint8_t *p, size_t len, size_t csum_off)
{
    uint8_t s = 0;
    p[csum_off] = 0;
    for (size_t i = 0; i < len; i++)
        s = (uint8_t)(s + p[i]);
    p[csum_off] = (uint8_t)-s;
}

/* A table header at physical pa: returns its bytes. */
static uint8_t *table(uint64_t pa, const char *sig, uint32_t len, uint8_t rev)
{
    uint8_t *t = mem + (pa - MEM_BASE);
    memset(t, 0, len);
    memcpy(t, sig, 4);
    wr32(t + 4, len);
    t[8] = rev;
    memcpy(t + 10, "SKIFFT", 6);
    return t;
}

static void seal(uint64_t pa)
{
    uint8_t *t = mem + (pa - MEM_BASE);
    uint32_t l;
    memcpy(&l, t + 4, 4);
    if (l >= 10 && l <= MEM_SIZE - (pa - MEM_BASE))   /* a corrupted length is left unsealed */
        fix_csum(t, l, 9);
}

#define RSDT_PA 0xe1000
#define XSDT_PA 0xe1100
#define FADT_PA 0xe2000
#define DSDT_PA 0xe3000
#define MADT_PA 0xe4000

static uint8_t rsdp[36];

static void make_rsdp(int rev, uint32_t rsdt, uint64_t xsdt)
{
    memset(rsdp, 0, sizeof rsdp);
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, "SKIFF ", 6);
    rsdp[15] = (uint8_t)rev;
    wr32(rsdp + 16, rsdt);
    if (rev >= 2) {
        wr32(rsdp + 20, 36);
        wr64(rsdp + 24, xsdt);
    }
    fix_csum(rsdp, 20, 8);
    if (rev >= 2)
        fix_csum(rsdp, 36, 32);
}

/* The DSDT: some AML before the _S5_ package, given as bytes. */
static void make_dsdt(const uint8_t *aml, uint32_t n)
{
    uint8_t *t = table(DSDT_PA, "DSDT", 36 + n, 2);
    memcpy(t + 36, aml, n);
    seal(DSDT_PA);
}

static const uint8_t s5_zero[] = { 0x10, 0x05, 0x5c, 0x2e, 0x5f, 0x53, 0x42,   /* junk: a Scope */
                                   0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00 };

static void make_fadt(uint32_t len, uint8_t rev, bool reset)
{
    uint8_t *f = table(FADT_PA, "FACP", len, rev);
    wr32(f + 40, DSDT_PA);
    wr32(f + 48, 0xb2);
    f[52] = 0xf1;
    wr32(f + 64, 0xb004);
    wr32(f + 76, 0xb008);    /* PM_TMR_BLK, 4 bytes */
    f[91] = 4;
    if (len >= 129 && reset) {
        wr32(f + 112, 1u << 10);
        f[116] = 1;      /* I/O */
        f[117] = 8;
        wr64(f + 120, 0xcf9);
        f[128] = 6;
    }
    seal(FADT_PA);
}

static void make_madt(void)
{
    uint8_t *m = table(MADT_PA, "APIC", 44 + 8 * 3 + 12 + 16, 3);
    wr32(m + 36, 0xfee00000);
    uint8_t *e = m + 44;
    uint8_t lapic[3][8] = { { 0, 8, 0, 0, 1, 0, 0, 0 }, { 0, 8, 1, 2, 1, 0, 0, 0 }, { 0, 8, 2, 4, 0, 0, 0, 0 } };
    memcpy(e, lapic, sizeof lapic);
    e += sizeof lapic;
    e[0] = 1; e[1] = 12; e[2] = 3; wr32(e + 4, 0xfec00000); wr32(e + 8, 0);
    e += 12;
    e[0] = 9; e[1] = 16; wr32(e + 4, 300); wr32(e + 8, 1); wr32(e + 12, 7);   /* x2APIC id 300 */
    seal(MADT_PA);
}

static void make_rsdt(unsigned n, const uint32_t *pas)
{
    uint8_t *t = table(RSDT_PA, "RSDT", 36 + 4 * n, 1);
    for (unsigned i = 0; i < n; i++)
        wr32(t + 36 + 4 * i, pas[i]);
    seal(RSDT_PA);
}

static void make_xsdt(unsigned n, const uint64_t *pas)
{
    uint8_t *t = table(XSDT_PA, "XSDT", 36 + 8 * n, 1);
    for (unsigned i = 0; i < n; i++)
        wr64(t + 36 + 8 * i, pas[i]);
    seal(XSDT_PA);
}

static void machine(void)
{
    if (!mem)
        mem = malloc(MEM_SIZE);
    memset(mem, 0, MEM_SIZE);
    make_dsdt(s5_zero, sizeof s5_zero);
    make_fadt(276, 6, true);
    make_madt();
    uint32_t r[] = { FADT_PA, MADT_PA };
    make_rsdt(2, r);
    uint64_t x[] = { FADT_PA, MADT_PA };
    make_xsdt(2, x);
    make_rsdp(2, RSDT_PA, XSDT_PA);
}

static struct acpi_info ai;

static enum acpi_error parse(void) { return acpi_parse(rsdp, sizeof rsdp, map, NULL, &ai); }

TEST(full_machine_xsdt)
{
    machine();
    REQUIRE(parse() == ACPI_OK);
    CHECK(ai.xsdt);
    CHECK_EQ(ai.rsdp_revision, 2);
    CHECK_EQ(ai.fadt_status, ACPI_TABLE_OK);
    CHECK(ai.has_reset);
    CHECK_EQ(ai.reset_space, ACPI_SPACE_IO);
    CHECK_EQ(ai.reset_addr, 0xcf9);
    CHECK_EQ(ai.reset_value, 6);
    CHECK_EQ(ai.pm1a_cnt, 0xb004);
    CHECK_EQ(ai.pm1b_cnt, 0);
    CHECK_EQ(ai.smi_cmd, 0xb2);
    CHECK_EQ(ai.acpi_enable, 0xf1);
    CHECK_EQ(ai.dsdt, DSDT_PA);
    CHECK(ai.has_s5);
    CHECK_EQ(ai.slp_typa, 0);
    CHECK_EQ(ai.madt_status, ACPI_TABLE_OK);
    CHECK_EQ(ai.ncpus, 3);           /* ids 0, 2 and x2APIC 300; id 4 is disabled */
    CHECK_EQ(ai.ncpus_disabled, 1);
    CHECK_EQ(ai.apic_ids[0], 0);
    CHECK_EQ(ai.apic_ids[1], 2);
    CHECK_EQ(ai.apic_ids[2], 300);
    CHECK_EQ(ai.nioapics, 1);
    CHECK_EQ(ai.ioapic_addr, 0xfec00000);
    CHECK_EQ(ai.ioapic_id, 3);
    CHECK_EQ(ai.lapic_addr, 0xfee00000);
    char buf[256];
    acpi_summary(&ai, buf, sizeof buf);
    CHECK_STR(buf, "RSDP rev 2, FADT reset 0xcf9 (io) value 0x6, PM1a_CNT 0xb004, S5 SLP_TYP 0x0, "
                   "MADT: 3 CPU(s) (APIC ids 0,2,300), IOAPIC at 0xfec00000");
    /* A short buffer truncates, NUL-terminated. */
    char small[16];
    acpi_summary(&ai, small, sizeof small);
    CHECK_EQ(strlen(small), 15);
}

TEST(rsdp_v1_uses_rsdt)
{
    machine();
    make_rsdp(0, RSDT_PA, 0);
    REQUIRE(acpi_parse(rsdp, 20, map, NULL, &ai) == ACPI_OK);
    CHECK(!ai.xsdt);
    CHECK_EQ(ai.root_addr, RSDT_PA);
    CHECK_EQ(ai.ncpus, 3);
    /* Revision 2 with a zero XSDT address falls back to the RSDT. */
    make_rsdp(2, RSDT_PA, 0);
    REQUIRE(parse() == ACPI_OK);
    CHECK(!ai.xsdt);
}

TEST(rsdp_errors)
{
    machine();
    CHECK_EQ(acpi_parse(NULL, 0, map, NULL, &ai), ACPI_ERR_NO_RSDP);
    CHECK_EQ(acpi_parse(rsdp, 19, map, NULL, &ai), ACPI_ERR_RSDP_SHORT);
    CHECK_EQ(acpi_parse(rsdp, 20, map, NULL, &ai), ACPI_ERR_RSDP_SHORT);   /* rev 2 needs 36 */
    rsdp[0] = 'X';
    CHECK_EQ(parse(), ACPI_ERR_RSDP_SIG);
    machine();
    rsdp[8] ^= 1;
    CHECK_EQ(parse(), ACPI_ERR_RSDP_CSUM);
    machine();
    rsdp[33] = 1;                      /* reserved byte: only the extended checksum covers it */
    CHECK_EQ(parse(), ACPI_ERR_RSDP_XCSUM);
    machine();
    wr32(rsdp + 20, 200);              /* longer than the copy */
    fix_csum(rsdp, 20, 8);
    CHECK_EQ(parse(), ACPI_ERR_RSDP_SHORT);
}

TEST(root_table_errors)
{
    machine();
    mem[XSDT_PA - MEM_BASE + 40] ^= 0x40;          /* checksum */
    CHECK_EQ(parse(), ACPI_ERR_ROOT_CSUM);
    machine();
    memcpy(mem + (XSDT_PA - MEM_BASE), "RSDT", 4);  /* wrong kind for an XSDT pointer */
    seal(XSDT_PA);
    CHECK_EQ(parse(), ACPI_ERR_ROOT_SIG);
    machine();
    wr32(mem + (XSDT_PA - MEM_BASE) + 4, 39);       /* not a whole number of entries */
    seal(XSDT_PA);
    CHECK_EQ(parse(), ACPI_ERR_ROOT_LEN);
    machine();
    wr32(mem + (XSDT_PA - MEM_BASE) + 4, 20);       /* shorter than a header */
    CHECK_EQ(parse(), ACPI_ERR_ROOT_LEN);
    machine();
    wr32(mem + (XSDT_PA - MEM_BASE) + 4, MEM_SIZE); /* runs past what can be mapped */
    CHECK_EQ(parse(), ACPI_ERR_ROOT_MAP);
    machine();
    make_rsdp(2, RSDT_PA, 0x7fff0000);              /* nowhere */
    CHECK_EQ(parse(), ACPI_ERR_ROOT_MAP);
}

TEST(fadt_versions)
{
    /* ACPI 1.0: 116 bytes, no reset register. */
    machine();
    make_fadt(116, 1, false);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.fadt_status, ACPI_TABLE_OK);
    CHECK(!ai.has_reset);
    CHECK_EQ(ai.pm1a_cnt, 0xb004);
    CHECK(ai.has_s5);
    char buf[256];
    acpi_summary(&ai, buf, sizeof buf);
    CHECK(strstr(buf, "FADT reset none, PM1a_CNT 0xb004, S5 SLP_TYP 0x0") != NULL);
    /* ACPI 2.0 length 129 with the reset register but no X_ fields. */
    machine();
    make_fadt(129, 3, true);
    REQUIRE(parse() == ACPI_OK);
    CHECK(ai.has_reset);
    /* The reset register without RESET_REG_SUP is not used. */
    machine();
    make_fadt(244, 4, true);
    wr32(mem + (FADT_PA - MEM_BASE) + 112, 0);
    seal(FADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK(!ai.has_reset);
    /* Too short for ACPI 1.0. */
    machine();
    make_fadt(100, 1, false);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.fadt_status, ACPI_TABLE_BAD_LEN);
    CHECK(!ai.has_s5);
    CHECK_EQ(ai.ncpus, 3);             /* the MADT still counts */
    /* Bad checksum. */
    machine();
    mem[FADT_PA - MEM_BASE + 64] ^= 1;
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.fadt_status, ACPI_TABLE_BAD_CSUM);
    CHECK_EQ(ai.pm1a_cnt, 0);
    acpi_summary(&ai, buf, sizeof buf);
    CHECK(strstr(buf, "FADT bad checksum") != NULL);
}

/* The PM timer (ACPI 6.4, 4.8.3.3): PM_TMR_BLK, X_PM_TMR_BLK in I/O space over it, TMR_VAL_EXT. */
TEST(fadt_pm_timer)
{
    machine();
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.pm_tmr, 0xb008);
    CHECK(!ai.pm_tmr_32);
    uint8_t *f = mem + (FADT_PA - MEM_BASE);
    wr32(f + 112, (1u << 10) | (1u << 8));
    f[208] = 1;
    wr64(f + 212, 0x408);
    seal(FADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.pm_tmr, 0x408);
    CHECK(ai.pm_tmr_32);
    /* X_PM_TMR_BLK in memory space: the I/O block stays; a PM_TMR_LEN below 4 is no timer. */
    f[208] = 0;
    seal(FADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.pm_tmr, 0xb008);
    f[91] = 0;
    seal(FADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.pm_tmr, 0);
}

TEST(fadt_x_fields)
{
    machine();
    uint8_t *f = mem + (FADT_PA - MEM_BASE);
    /* X_DSDT overrides DSDT; X_PM1a_CNT_BLK in I/O space overrides PM1a_CNT_BLK. */
    wr32(f + 40, 0x12345678);
    wr64(f + 140, DSDT_PA);
    f[172] = 1;
    wr64(f + 176, 0x604);
    f[184] = 1;
    wr64(f + 188, 0x644);
    seal(FADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.dsdt, DSDT_PA);
    CHECK_EQ(ai.pm1a_cnt, 0x604);
    CHECK_EQ(ai.pm1b_cnt, 0x644);
    CHECK(ai.has_s5);
    /* A memory-space X_PM1a is ignored (the I/O block stays). */
    f[172] = 0;
    seal(FADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.pm1a_cnt, 0xb004);
    /* Reset register in memory and PCI space; an I/O port above 0xffff is not one. */
    machine();
    f[116] = 0;
    wr64(f + 120, 0xfee00000);
    seal(FADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK(ai.has_reset);
    CHECK_EQ(ai.reset_space, ACPI_SPACE_MEM);
    f[116] = 1;
    wr64(f + 120, 0x10000);
    seal(FADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK(!ai.has_reset);
}

static bool s5(const uint8_t *aml, size_t n, uint8_t *a, uint8_t *b)
{
    /* Copy to an exact-size heap buffer so ASan sees any overread. */
    uint8_t *p = malloc(n ? n : 1);
    memcpy(p, aml, n);
    bool r = acpi_find_s5(p, n, a, b);
    free(p);
    return r;
}

TEST(s5_encodings)
{
    uint8_t a = 9, b = 9;
    /* Byte prefix: Package(){0x05, 0x05, 0, 0} (a typical real DSDT). */
    static const uint8_t bytepfx[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
    CHECK(s5(bytepfx, sizeof bytepfx, &a, &b));
    CHECK_EQ(a, 5);
    CHECK_EQ(b, 5);
    /* Small constants: ZeroOp / OneOp. */
    static const uint8_t consts[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x03, 0x01, 0x00, 0x00 };
    CHECK(s5(consts, sizeof consts, &a, &b));
    CHECK_EQ(a, 1);
    CHECK_EQ(b, 0);
    /* Root prefix and word constants. */
    static const uint8_t rootw[] = { 0xa0, 0x08, 0x5c, '_', 'S', '5', '_', 0x12, 0x08, 0x02, 0x0b, 0x07, 0x00, 0x0b, 0x06, 0x00 };
    CHECK(s5(rootw, sizeof rootw, &a, &b));
    CHECK_EQ(a, 7);
    CHECK_EQ(b, 6);
    /* One element: SLP_TYPb = SLP_TYPa. */
    static const uint8_t one[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0a, 0x03 };
    CHECK(s5(one, sizeof one, &a, &b));
    CHECK_EQ(a, 3);
    CHECK_EQ(b, 3);
    /* Two-byte PkgLength (0x40 | low nibble, next byte). */
    uint8_t big[80] = { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x04, 0x02, 0x0a, 0x02, 0x0a, 0x04 };
    /* PkgLength 0x40 = 64: 0x40 with low nibble 0 and byte 0x04 -> 0x40. */
    CHECK(s5(big, 6 + 64 + 1, &a, &b));
    CHECK_EQ(a, 2);
    CHECK_EQ(b, 4);
}

TEST(s5_rejects)
{
    uint8_t a, b;
    /* _S5_ mentioned but not a Name: a method call or a string. */
    static const uint8_t notname[] = { 0x14, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x00, 0x00 };
    CHECK(!s5(notname, sizeof notname, &a, &b));
    /* A Method _S5_ (not a package). */
    static const uint8_t method[] = { 0x08, '_', 'S', '5', '_', 0x14, 0x05, 0x00, 0xa4, 0x00 };
    CHECK(!s5(method, sizeof method, &a, &b));
    /* Package longer than the table. */
    static const uint8_t longpkg[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x02, 0x00, 0x00 };
    CHECK(!s5(longpkg, sizeof longpkg, &a, &b));
    /* Cut inside a byte constant and inside the name. */
    static const uint8_t cut[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0a };
    CHECK(!s5(cut, sizeof cut, &a, &b));
    CHECK(!s5(cut, 4, &a, &b));
    for (size_t n = 0; n < sizeof cut; n++)
        CHECK(!s5(cut, n, &a, &b));
    /* A value that does not fit in SLP_TYP's 3 bits. */
    static const uint8_t wide[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x08, 0x00 };
    CHECK(!s5(wide, sizeof wide, &a, &b));
    /* No elements; a non-constant element (a name). */
    static const uint8_t empty[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00 };
    CHECK(!s5(empty, sizeof empty, &a, &b));
    static const uint8_t named[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x02, 'A', 'B', 'C', 'D', 0x00 };
    CHECK(!s5(named, sizeof named, &a, &b));
    /* A bad candidate first, then the real one: the scan goes on. */
    static const uint8_t twice[] = { 0x08, '_', 'S', '5', '_', 0x14, 0x00, 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x01 };
    CHECK(s5(twice, sizeof twice, &a, &b));
    CHECK_EQ(a, 1);
    /* Every truncation of a good package is rejected or parsed within bounds. */
    static const uint8_t good[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
    for (size_t n = 0; n < sizeof good; n++)
        CHECK(!s5(good, n, &a, &b));
}

TEST(dsdt_problems)
{
    machine();
    mem[DSDT_PA - MEM_BASE + 40] ^= 1;
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.dsdt_status, ACPI_TABLE_BAD_CSUM);
    CHECK(!ai.has_s5);
    char buf[256];
    acpi_summary(&ai, buf, sizeof buf);
    CHECK(strstr(buf, "DSDT bad checksum") != NULL);
    machine();
    static const uint8_t nos5[] = { 0x10, 0x05, 0x5c, 0x2e, 0x5f };
    make_dsdt(nos5, sizeof nos5);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.dsdt_status, ACPI_TABLE_OK);
    CHECK(!ai.has_s5);
    acpi_summary(&ai, buf, sizeof buf);
    CHECK(strstr(buf, "no _S5_") != NULL);
    /* The FADT points at a table that is not a DSDT. */
    machine();
    memcpy(mem + (DSDT_PA - MEM_BASE), "SSDT", 4);
    seal(DSDT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.dsdt_status, ACPI_TABLE_BAD_CONTENT);
}

TEST(madt_entries)
{
    /* An entry of length 0 would loop forever; one running past the table is cut. */
    machine();
    uint8_t *m = mem + (MADT_PA - MEM_BASE);
    m[44 + 1] = 0;
    seal(MADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.madt_status, ACPI_TABLE_BAD_CONTENT);
    CHECK_EQ(ai.ncpus, 0);
    CHECK_EQ(ai.nioapics, 0);
    CHECK(ai.has_reset);               /* the FADT is unaffected */
    machine();
    m[44 + 24 + 12 + 1] = 17;          /* x2APIC entry one byte longer than the table */
    seal(MADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.madt_status, ACPI_TABLE_BAD_CONTENT);
    machine();
    m[44 + 1] = 6;                     /* a local APIC entry too short */
    m[44 + 6] = 0;
    m[44 + 7] = 0;
    seal(MADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.madt_status, ACPI_TABLE_BAD_CONTENT);
    /* Truncated: header only (no LAPIC address). */
    machine();
    table(MADT_PA, "APIC", 40, 1);
    seal(MADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.madt_status, ACPI_TABLE_BAD_LEN);
    char buf[256];
    acpi_summary(&ai, buf, sizeof buf);
    CHECK(strstr(buf, "MADT bad length") != NULL);
    /* The same CPU as xAPIC and x2APIC counts once; more CPUs than kept still count. */
    machine();
    m = table(MADT_PA, "APIC", 44 + 8 * 70 + 16, 3);
    for (unsigned i = 0; i < 70; i++) {
        uint8_t *e = m + 44 + 8 * i;
        e[0] = 0; e[1] = 8; e[2] = (uint8_t)i; e[3] = (uint8_t)i; wr32(e + 4, 1);
    }
    uint8_t *x = m + 44 + 8 * 70;
    x[0] = 9; x[1] = 16; wr32(x + 4, 5); wr32(x + 8, 1);
    seal(MADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.madt_status, ACPI_TABLE_OK);
    CHECK_EQ(ai.ncpus, 70);
    acpi_summary(&ai, buf, sizeof buf);
    CHECK(strlen(buf) < sizeof buf);
}

/* A two-socket server: x2APIC entries (ACPI 6.4, 5.2.12.12) with 32-bit ids, more than
 * the old 64-entry table, disabled ones in between, and more than ACPI_MAX_CPUS. */
TEST(madt_many_x2apic)
{
    machine();
    const unsigned n = 600;          /* 8 xAPIC + 592 x2APIC entries */
    uint8_t *m = table(MADT_PA, "APIC", 44 + 8 * 8 + 16 * (n - 8), 5);
    wr32(m + 36, 0xfee00000);
    uint8_t *e = m + 44;
    for (unsigned i = 0; i < 8; i++, e += 8) {
        e[0] = 0; e[1] = 8; e[2] = (uint8_t)i; e[3] = (uint8_t)(2 * i); wr32(e + 4, 1);
    }
    for (unsigned i = 8; i < n; i++, e += 16) {
        e[0] = 9; e[1] = 16;
        wr32(e + 4, 0x10000u + i);                      /* beyond 8 bits: x2APIC only */
        wr32(e + 8, i == 9 ? 0 : 1);                    /* one disabled */
        wr32(e + 12, i);
    }
    seal(MADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.madt_status, ACPI_TABLE_OK);
    CHECK_EQ(ai.ncpus, n - 1);
    CHECK_EQ(ai.ncpus_disabled, 1);
    CHECK_EQ(ai.apic_ids[0], 0);
    CHECK_EQ(ai.apic_ids[7], 14);
    CHECK_EQ(ai.apic_ids[8], 0x10008u);
    CHECK_EQ(ai.apic_ids[9], 0x1000au);                 /* 0x10009 was disabled */
    CHECK_EQ(ai.apic_ids[64], 0x10000u + 65);          /* past the old 64-entry table */
    CHECK_EQ(ai.apic_ids[ACPI_MAX_CPUS - 1], 0x10000u + ACPI_MAX_CPUS);
    char buf[512];
    acpi_summary(&ai, buf, sizeof buf);
    CHECK(strstr(buf, "MADT: 599 CPU(s) (APIC ids 0,2,4,6,8,10,12,14,65544,65546,") != NULL);
    CHECK(strstr(buf, ",... (583 more))") != NULL);

    /* Exactly ACPI_MAX_CPUS x2APIC entries are all kept. */
    machine();
    m = table(MADT_PA, "APIC", 44 + 16 * ACPI_MAX_CPUS, 5);
    for (unsigned i = 0; i < ACPI_MAX_CPUS; i++) {
        e = m + 44 + 16 * i;
        e[0] = 9; e[1] = 16; wr32(e + 4, 0xfffff000u + i); wr32(e + 8, 1);
    }
    seal(MADT_PA);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.ncpus, ACPI_MAX_CPUS);
    CHECK_EQ(ai.apic_ids[ACPI_MAX_CPUS - 1], 0xfffff000u + ACPI_MAX_CPUS - 1);
}

TEST(tables_skipped_or_missing)
{
    /* RSDT entries that are zero, unmappable or unknown are skipped. */
    machine();
    uint64_t x[] = { 0, 0x7fff0000, DSDT_PA, FADT_PA, MADT_PA };
    make_xsdt(5, x);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.ntables, 5);
    CHECK_EQ(ai.fadt_status, ACPI_TABLE_OK);
    CHECK_EQ(ai.madt_status, ACPI_TABLE_OK);
    /* No FADT, no MADT. */
    machine();
    make_xsdt(0, x);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.fadt_status, ACPI_TABLE_ABSENT);
    CHECK_EQ(ai.madt_status, ACPI_TABLE_ABSENT);
    char buf[256];
    acpi_summary(&ai, buf, sizeof buf);
    CHECK_STR(buf, "RSDP rev 2, FADT absent, MADT absent");
    /* A table whose length is absurd is not mapped whole. */
    machine();
    wr32(mem + (MADT_PA - MEM_BASE) + 4, 0x80000000u);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.madt_status, ACPI_TABLE_BAD_LEN);
}

TEST(random_corruption_stays_in_bounds)
{
    /* Flip bytes all over the tables; the parser must never fault (ASan). */
    srand(8);
    for (int it = 0; it < 3000; it++) {
        machine();
        int flips = 1 + rand() % 8;
        for (int k = 0; k < flips; k++) {
            static const uint32_t bases[] = { XSDT_PA, FADT_PA, DSDT_PA, MADT_PA };
            uint32_t base = bases[rand() % 4];
            mem[base - MEM_BASE + (uint32_t)(rand() % 300)] = (uint8_t)rand();
        }
        if (rand() % 2) {
            seal(XSDT_PA); seal(FADT_PA); seal(DSDT_PA); seal(MADT_PA);
        }
        (void)parse();
        char buf[64];
        acpi_summary(&ai, buf, sizeof buf);
    }
    CHECK(map_calls > 0);
}

/* Sleep states from the DSDT (Bochs' and QEMU's: \_S3 = 1, \_S4 = 2, \_S5 = 0) and the
 * decision a PM1 control write with SLP_EN gets: only S5 is a power-off. */
TEST(sleep_states)
{
    static const uint8_t aml[] = {
        0x08, '_', 'S', '3', '_', 0x12, 0x06, 0x02, 0x0a, 0x01, 0x0a, 0x01,
        0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x02, 0x0a, 0x02, 0x0a, 0x02,
        0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00,
    };
    uint8_t a = 9, b = 9;
    CHECK(acpi_find_sleep_type(aml, sizeof aml, 3, &a, &b));
    CHECK_EQ(a, 1);
    CHECK(acpi_find_sleep_type(aml, sizeof aml, 4, &a, &b));
    CHECK_EQ(a, 2);
    CHECK(acpi_find_sleep_type(aml, sizeof aml, 5, &a, &b));
    CHECK_EQ(a, 0);
    CHECK(!acpi_find_sleep_type(aml, sizeof aml, 1, &a, &b));
    CHECK(!acpi_find_sleep_type(aml, sizeof aml, 6, &a, &b));
    /* The one-pass scan finds the same: S3, S4, S5; a broken first _S4_ gives way to a later one. */
    uint8_t ta[6], tb[6];
    CHECK_EQ(acpi_find_sleep_types(aml, sizeof aml, ta, tb), (1u << 3) | (1u << 4) | (1u << 5));
    CHECK_EQ(ta[3], 1);
    CHECK_EQ(tb[4], 2);
    CHECK_EQ(ta[5], 0);
    static const uint8_t twice[] = {
        0x08, '_', 'S', '4', '_', 0x13, 0x06, 0x02, 0x0a, 0x07, 0x0a, 0x07,   /* not a PackageOp */
        0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x02, 0x0a, 0x03, 0x0a, 0x05,
    };
    CHECK_EQ(acpi_find_sleep_types(twice, sizeof twice, ta, tb), 1u << 4);
    CHECK_EQ(ta[4], 3);
    CHECK_EQ(tb[4], 5);

    struct acpi_info si = { 0 };
    si.has_s5 = true;
    si.slp_typa = 0;
    si.slp_typb = 7;
    si.has_sleep = 1u << 3 | 1u << 4;
    si.sleep_typa[3] = 1;
    si.sleep_typa[4] = 2;
    si.sleep_typb[3] = 5;
    si.sleep_typb[4] = 6;
    CHECK_EQ(acpi_sleep_state(&si, false, 0), 5);
    CHECK_EQ(acpi_sleep_state(&si, false, 1), 3);
    CHECK_EQ(acpi_sleep_state(&si, false, 2), 4);
    CHECK_EQ(acpi_sleep_state(&si, false, 6), -1);
    CHECK_EQ(acpi_sleep_state(&si, true, 7), 5);        /* PM1b has its own values */
    CHECK_EQ(acpi_sleep_state(&si, true, 5), 3);
    CHECK_EQ(acpi_sleep_state(&si, true, 0), -1);
    /* No DSDT: PIIX4/ICH9 decoding (0 soft-off, 1 suspend to RAM). */
    struct acpi_info none = { 0 };
    CHECK_EQ(acpi_sleep_state(&none, false, 0), 5);
    CHECK_EQ(acpi_sleep_state(&none, false, 1), 3);
    CHECK_EQ(acpi_sleep_state(&none, false, 2), -1);
}

/* MCFG (PCI Firmware 3.2, 4.1.2): QEMU q35's single window, plus entries Skiff must skip. */
TEST(mcfg_windows)
{
    machine();
    uint8_t *t = table(0xe5000, "MCFG", 44 + 16 * 4, 1);
    wr64(t + 44, 0xb0000000);                        /* segment 0, buses 0-255 */
    t[44 + 11] = 255;
    wr64(t + 60, 0);                                 /* no base */
    wr64(t + 76, 0xc0080000);                        /* not 1 MiB aligned */
    t[76 + 11] = 1;
    wr64(t + 92, 0x4000000000ull);                   /* segment 1, buses 16-31, above 4 GiB */
    t[92 + 8] = 1;
    t[92 + 10] = 16;
    t[92 + 11] = 31;
    seal(0xe5000);
    uint64_t x[] = { FADT_PA, MADT_PA, 0xe5000 };
    make_xsdt(3, x);
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.necam, 2);
    CHECK_EQ(ai.ecam[0].base, 0xb0000000);
    CHECK_EQ(ai.ecam[0].segment, 0);
    CHECK_EQ(ai.ecam[0].start_bus, 0);
    CHECK_EQ(ai.ecam[0].end_bus, 255);
    CHECK_EQ(ai.ecam[1].base, 0x4000000000ull);
    CHECK_EQ(ai.ecam[1].segment, 1);
    CHECK_EQ(ai.ecam[1].start_bus, 16);
    CHECK_EQ(ai.ecam[1].end_bus, 31);
    /* A bad checksum: no windows. */
    t[9] ^= 1;
    REQUIRE(parse() == ACPI_OK);
    CHECK_EQ(ai.necam, 0);
}

UNIT_MAIN(T(full_machine_xsdt), T(rsdp_v1_uses_rsdt), T(rsdp_errors), T(root_table_errors),
          T(fadt_versions), T(fadt_pm_timer), T(fadt_x_fields), T(s5_encodings), T(s5_rejects), T(dsdt_problems),
          T(madt_entries), T(madt_many_x2apic), T(tables_skipped_or_missing), T(random_corruption_stays_in_bounds),
          T(sleep_states), T(mcfg_windows))
