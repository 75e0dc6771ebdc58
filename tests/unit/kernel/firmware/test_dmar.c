// SOURCES: kernel/firmware/acpi_dmar.c kernel/firmware/acpi.c kernel/lib/format.c
/*
 * DMAR parser (kernel/firmware/acpi_dmar.c): the table QEMU 7.2 gives a q35 machine
 * with -device intel-iommu (captured with loglevel=debug, which prints its
 * bytes), hand-made tables with an include-all unit and RMRRs, and broken
 * ones; each copy lies in its own malloc'd buffer so ASan sees any overread.
 */
#include "tests/unit/unit.h"

#include <stdlib.h>

#include "kernel/firmware/acpi_dmar.h"

/* QEMU 7.2, -machine q35 -device intel-iommu (aw-bits 39, intremap auto), SeaBIOS. */
static const uint8_t qemu_q35[] = {
    0x44, 0x4d, 0x41, 0x52, 0x78, 0x00, 0x00, 0x00, 0x01, 0x0d, 0x42, 0x4f,
    0x43, 0x48, 0x53, 0x20, 0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20,
    0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43, 0x01, 0x00, 0x00, 0x00,
    0x26, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x48, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xd9, 0xfe,
    0x00, 0x00, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00,
    0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
    0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x08, 0x00, 0x00,
    0x00, 0x00, 0x1f, 0x02, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x03
};

static uint8_t *copy(const void *p, size_t n)
{
    uint8_t *b = malloc(n);
    memcpy(b, p, n);
    return b;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void fix(uint8_t *t, uint32_t len)
{
    uint8_t s = 0;
    put32(t + 4, len);
    t[9] = 0;
    for (uint32_t i = 0; i < len; i++)
        s = (uint8_t)(s + t[i]);
    t[9] = (uint8_t)-s;
}

/* A table of `len` bytes: header, HAW 46 (field 45), the given flags. */
static uint8_t *blank(uint32_t len, uint8_t flags)
{
    uint8_t *t = calloc(1, len);
    memcpy(t, "DMAR", 4);
    t[8] = 1;
    t[36] = 45;
    t[37] = flags;
    return t;
}

static enum dmar_error parse(uint8_t *t, uint32_t len, struct dmar_info *d)
{
    fix(t, len);
    enum dmar_error e = dmar_parse(t, len, d);
    free(t);
    return e;
}

static struct dmar_info d;

TEST(qemu_q35)
{
    uint8_t *t = copy(qemu_q35, sizeof qemu_q35);
    REQUIRE(dmar_parse(t, sizeof qemu_q35, &d) == DMAR_OK);
    CHECK_EQ(d.haw, 39);
    CHECK_EQ(d.flags, DMAR_INTR_REMAP);
    REQUIRE(d.ndrhd == 1);
    CHECK_EQ(d.drhd[0].base, 0xfed90000);
    CHECK_EQ(d.drhd[0].segment, 0);
    CHECK_EQ(d.drhd[0].flags & DMAR_DRHD_INCLUDE_PCI_ALL, 0);
    CHECK_EQ(d.drhd[0].nscopes, 7);
    CHECK_EQ(d.nrmrr, 0);
    CHECK_EQ(d.scope[0].type, DMAR_SCOPE_IOAPIC);
    CHECK_EQ(d.scope[0].bus, 0xff);
    CHECK_EQ(d.scope[1].type, DMAR_SCOPE_ENDPOINT);
    CHECK_EQ(d.scope[6].path[0][0], 0x1f);
    CHECK_EQ(d.scope[6].path[0][1], 3);
    char line[320];
    dmar_summary(&d, line, sizeof line);
    CHECK_STR(line, "DMAR: host address width 39, INTR_REMAP, 1 DRHD 0xfed90000 (segment 0, scoped) "
                    "IOAPIC ff:00.0 endpoint 00:00.0 endpoint 00:01.0 endpoint 00:02.0 endpoint 00:1f.0 "
                    "endpoint 00:1f.2 endpoint 00:1f.3, 0 RMRR");
    /* Every shorter readable length is refused, never overread. */
    for (size_t n = 0; n < sizeof qemu_q35; n++) {
        uint8_t *s = copy(qemu_q35, n ? n : 1);
        CHECK(dmar_parse(s, n, &d) != DMAR_OK);
        free(s);
    }
    free(t);
}

TEST(hide)
{
    uint8_t *t = copy(qemu_q35, sizeof qemu_q35);
    dmar_hide(t, sizeof qemu_q35);
    CHECK(!memcmp(t, "XMAR", 4));
    CHECK(acpi_checksum_ok(t, sizeof qemu_q35));
    CHECK_EQ(dmar_parse(t, sizeof qemu_q35, &d), DMAR_ERR_SIGNATURE);
    CHECK(!memcmp(t + 4, qemu_q35 + 4, 5));            /* nothing else changed */
    CHECK(!memcmp(t + 10, qemu_q35 + 10, sizeof qemu_q35 - 10));
    free(t);
}

/* Two units (a scoped one with a bridge path, the include-all one last), an RMRR, an ATSR, an RHSA. */
TEST(include_all_and_rmrr)
{
    uint32_t len = 48 + 26 + 16 + 32 + 8 + 20;
    uint8_t *t = blank(len, DMAR_INTR_REMAP | DMAR_X2APIC_OPT_OUT), *e = t + 48;
    put16(e, DMAR_TYPE_DRHD); put16(e + 2, 26); put64(e + 8, 0xfed91000);
    e[16] = DMAR_SCOPE_ENDPOINT; e[17] = 10; e[21] = 0; e[22] = 0x1c; e[23] = 0; e[24] = 0; e[25] = 0;
    e += 26;
    put16(e, DMAR_TYPE_DRHD); put16(e + 2, 16); e[4] = DMAR_DRHD_INCLUDE_PCI_ALL; put64(e + 8, 0xfed90000);
    e += 16;
    put16(e, DMAR_TYPE_RMRR); put16(e + 2, 32); put64(e + 8, 0x7d000000); put64(e + 16, 0x7dffffff);
    e[24] = DMAR_SCOPE_ENDPOINT; e[25] = 8; e[29] = 0; e[30] = 0x14; e[31] = 0;
    e += 32;
    put16(e, DMAR_TYPE_ATSR); put16(e + 2, 8);
    e += 8;
    put16(e, DMAR_TYPE_RHSA); put16(e + 2, 20);
    REQUIRE(parse(t, len, &d) == DMAR_OK);
    CHECK_EQ(d.haw, 46);
    CHECK_EQ(d.ndrhd, 2);
    CHECK_EQ(d.drhd[0].nscopes, 1);
    CHECK_EQ(d.scope[0].npath, 2);
    CHECK_EQ(d.scope[0].path[0][0], 0x1c);
    CHECK_EQ(d.drhd[1].flags, DMAR_DRHD_INCLUDE_PCI_ALL);
    CHECK_EQ(d.drhd[1].nscopes, 0);
    CHECK_EQ(d.nrmrr, 1);
    CHECK_EQ(d.rmrr[0].base, 0x7d000000);
    CHECK_EQ(d.rmrr[0].limit, 0x7dffffff);
    CHECK_EQ(d.rmrr[0].nscopes, 1);
    CHECK_EQ(d.scope[d.rmrr[0].first_scope].path[0][0], 0x14);
    CHECK_EQ(d.natsr, 1);
    CHECK_EQ(d.nrhsa, 1);
    char line[320];
    dmar_summary(&d, line, sizeof line);
    CHECK_STR(line, "DMAR: host address width 46, INTR_REMAP, X2APIC_OPT_OUT, 2 DRHD 0xfed91000 (segment 0, "
                    "scoped) endpoint 00:1c.0, 0xfed90000 (segment 0, INCLUDE_PCI_ALL), 1 RMRR "
                    "0x7d000000-0x7dffffff, 1 ATSR, 1 RHSA, 0 ANDD, 0 other");
}

/* One DRHD of `slen` bytes (and room for it), with the entry bytes the caller changes. */
static uint8_t *one_drhd(uint32_t len, uint16_t slen)
{
    uint8_t *t = blank(len, 0);
    put16(t + 48, DMAR_TYPE_DRHD);
    put16(t + 50, slen);
    put64(t + 56, 0xfed90000);
    return t;
}

TEST(malformed)
{
    uint8_t *t = copy(qemu_q35, sizeof qemu_q35);
    t[20] ^= 1;                                           /* checksum */
    CHECK_EQ(dmar_parse(t, sizeof qemu_q35, &d), DMAR_ERR_CHECKSUM);
    free(t);
    t = copy(qemu_q35, sizeof qemu_q35);
    put32(t + 4, sizeof qemu_q35 + 1);                    /* longer than readable */
    CHECK_EQ(dmar_parse(t, sizeof qemu_q35, &d), DMAR_ERR_LENGTH);
    put32(t + 4, 47);                                     /* shorter than the header */
    CHECK_EQ(dmar_parse(t, sizeof qemu_q35, &d), DMAR_ERR_LENGTH);
    free(t);
    CHECK_EQ(dmar_parse(NULL, 0, &d), DMAR_ERR_UNMAPPED);

    CHECK_EQ(parse(blank(48, 0), 48, &d), DMAR_ERR_NO_DRHD);
    CHECK_EQ(parse(one_drhd(64, 0), 64, &d), DMAR_ERR_STRUCT_LENGTH);      /* length 0: no progress */
    CHECK_EQ(parse(one_drhd(64, 15), 64, &d), DMAR_ERR_STRUCT_LENGTH);     /* below the DRHD minimum */
    CHECK_EQ(parse(one_drhd(64, 17), 64, &d), DMAR_ERR_STRUCT_LENGTH);     /* past the table */
    CHECK_EQ(parse(one_drhd(66, 16), 66, &d), DMAR_ERR_STRUCT_LENGTH);     /* 2 bytes left over */
    CHECK_EQ(d.err_offset, 64);
    uint8_t *u = one_drhd(64, 16);
    u[56] = 0x10;                                        /* base not page aligned */
    CHECK_EQ(parse(u, 64, &d), DMAR_ERR_REG_BASE);
    u = one_drhd(64, 16);
    put64(u + 56, 0);
    CHECK_EQ(parse(u, 64, &d), DMAR_ERR_REG_BASE);

    /* Device scopes: shorter than 6, half a path, past the structure. */
    static const uint8_t bad_scopes[][2] = { { 7, 5 }, { 7, 7 }, { 8, 10 }, { 8, 0 } };
    for (unsigned i = 0; i < 4; i++) {
        uint16_t slen = (uint16_t)(16 + bad_scopes[i][0]);
        u = one_drhd(48 + slen, slen);
        u[64] = DMAR_SCOPE_ENDPOINT;
        u[65] = bad_scopes[i][1];
        CHECK_EQ(parse(u, 48u + slen, &d), DMAR_ERR_SCOPE_LENGTH);
    }
    /* A path longer than Skiff keeps. */
    u = one_drhd(48 + 16 + 6 + 2 * (DMAR_MAX_PATH + 1), 16 + 6 + 2 * (DMAR_MAX_PATH + 1));
    u[64] = DMAR_SCOPE_BRIDGE;
    u[65] = 6 + 2 * (DMAR_MAX_PATH + 1);
    CHECK_EQ(parse(u, 48 + 16 + 6 + 2 * (DMAR_MAX_PATH + 1), &d), DMAR_ERR_TOO_MANY);

    /* RMRR: limit below base, base not aligned, limit + 1 not aligned. */
    static const uint64_t rmrr[][2] = { { 0x2000, 0x0fff }, { 0x2100, 0x2fff }, { 0x2000, 0x2ffe } };
    for (unsigned i = 0; i < 3; i++) {
        u = one_drhd(48 + 16 + 24, 16);
        put16(u + 64, DMAR_TYPE_RMRR);
        put16(u + 66, 24);
        put64(u + 72, rmrr[i][0]);
        put64(u + 80, rmrr[i][1]);
        CHECK_EQ(parse(u, 48 + 16 + 24, &d), DMAR_ERR_RMRR_RANGE);
    }
    /* More units than Skiff keeps. */
    uint32_t len = 48 + 16 * (DMAR_MAX_DRHD + 1);
    u = blank(len, 0);
    for (unsigned i = 0; i <= DMAR_MAX_DRHD; i++) {
        put16(u + 48 + 16 * i, DMAR_TYPE_DRHD);
        put16(u + 50 + 16 * i, 16);
        put64(u + 56 + 16 * i, 0xfed90000 + 0x1000 * i);
    }
    CHECK_EQ(parse(u, len, &d), DMAR_ERR_TOO_MANY);
    CHECK_STR(dmar_strerror(DMAR_ERR_NO_DRHD), "DMAR table without a remapping unit (DRHD)");
}

/* dmar_parse_at maps the header, then the length the header gives. */
static const void *map(void *ctx, uint64_t pa, uint64_t len)
{
    const uint8_t *mem = ctx;
    return pa >= 0x1000 && pa - 0x1000 + len <= sizeof qemu_q35 ? mem + (pa - 0x1000) : NULL;
}

TEST(parse_at)
{
    uint8_t *t = copy(qemu_q35, sizeof qemu_q35);
    CHECK_EQ(dmar_parse_at(0x1000, map, t, &d), DMAR_OK);
    CHECK_EQ(d.ndrhd, 1);
    CHECK_EQ(dmar_parse_at(0, map, t, &d), DMAR_ERR_UNMAPPED);
    CHECK_EQ(dmar_parse_at(0x1008, map, t, &d) != DMAR_OK, 1);
    put32(t + 4, sizeof qemu_q35 + 16);                   /* the length runs past the mapping */
    CHECK_EQ(dmar_parse_at(0x1000, map, t, &d), DMAR_ERR_UNMAPPED);
    free(t);
}

UNIT_MAIN(T(qemu_q35), T(hide), T(include_all_and_rmrr), T(malformed), T(parse_at))
