// SOURCES: kernel/firmware/mb2.c
/*
 * Multiboot2 boot-information parser (kernel/firmware/mb2.c).  Blocks are built by
 * hand in an 8-aligned buffer with the helpers below, laid out as in the
 * Multiboot2 specification, section 3.6.
 */
#include "tests/unit/unit.h"

#include <stdint.h>
#include <stdlib.h>

#include "kernel/firmware/mb2.h"

/* ---- block builder ------------------------------------------------------ */

struct blk {
    _Alignas(8) uint8_t b[8192];
    uint32_t len;
};

static struct blk g; /* the block under construction */

static void wr32(uint32_t off, uint32_t v) { memcpy(g.b + off, &v, 4); }
static void wr64(uint32_t off, uint64_t v) { memcpy(g.b + off, &v, 8); }

static void put(const void *p, uint32_t n)
{
    REQUIRE(g.len + n <= sizeof g.b);
    if (n)
        memcpy(g.b + g.len, p, n);
    g.len += n;
}
static void put8(uint8_t v) { put(&v, 1); }
static void put16(uint16_t v) { put(&v, 2); }
static void put32(uint32_t v) { put(&v, 4); }
static void put64(uint64_t v) { put(&v, 8); }
static void puts0(const char *s) { put(s, (uint32_t)strlen(s) + 1); }

static void begin(void)
{
    memset(&g, 0, sizeof g);
    g.len = 8; /* total_size, reserved */
}

/* Open a tag; returns its offset.  close_tag() fills in its size and pads. */
static uint32_t open_tag(uint32_t type)
{
    uint32_t off = g.len;
    put32(type);
    put32(0);
    return off;
}
static void close_tag(uint32_t off)
{
    wr32(off + 4, g.len - off);
    while (g.len & 7)
        put8(0);
}
/* A tag whose size field is `size` regardless of the bytes that follow. */
static uint32_t raw_tag(uint32_t type, uint32_t size, const void *body, uint32_t body_len)
{
    uint32_t off = g.len;
    put32(type);
    put32(size);
    put(body, body_len);
    while (g.len & 7)
        put8(0);
    return off;
}

static uint32_t t_string(uint32_t type, const char *s)
{
    uint32_t off = open_tag(type);
    puts0(s);
    close_tag(off);
    return off;
}
static uint32_t t_cmdline(const char *s) { return t_string(MB2_TAG_CMDLINE, s); }
static uint32_t t_loader(const char *s) { return t_string(MB2_TAG_LOADER_NAME, s); }
static uint32_t t_module(uint32_t start, uint32_t end, const char *s)
{
    uint32_t off = open_tag(MB2_TAG_MODULE);
    put32(start);
    put32(end);
    puts0(s);
    close_tag(off);
    return off;
}
static uint32_t t_meminfo(uint32_t lower, uint32_t upper)
{
    uint32_t off = open_tag(MB2_TAG_BASIC_MEMINFO);
    put32(lower);
    put32(upper);
    close_tag(off);
    return off;
}
static uint32_t t_bootdev(void)
{
    uint32_t off = open_tag(MB2_TAG_BOOTDEV);
    put32(0x80);
    put32(1);
    put32(0xffffffff);
    close_tag(off);
    return off;
}
struct e820 {
    uint64_t base, len;
    uint32_t type;
};
/* Memory map with `esize`-byte entries (24 in GRUB), extra bytes zero. */
static uint32_t t_mmap_sized(const struct e820 *e, size_t n, uint32_t esize)
{
    uint32_t off = open_tag(MB2_TAG_MMAP);
    put32(esize);
    put32(0); /* entry_version */
    for (size_t i = 0; i < n; i++) {
        uint32_t start = g.len;
        put64(e[i].base);
        put64(e[i].len);
        put32(e[i].type);
        while (g.len - start < esize)
            put8(0);
    }
    close_tag(off);
    return off;
}
static uint32_t t_mmap(const struct e820 *e, size_t n) { return t_mmap_sized(e, n, 24); }
static uint32_t t_framebuffer(uint64_t addr, uint32_t pitch, uint32_t w, uint32_t h, uint8_t bpp,
                              uint8_t type)
{
    uint32_t off = open_tag(MB2_TAG_FRAMEBUFFER);
    put64(addr);
    put32(pitch);
    put32(w);
    put32(h);
    put8(bpp);
    put8(type);
    put16(0); /* reserved (GRUB writes u16) */
    /* direct RGB colour info: red/green/blue position and mask size */
    put8(16), put8(8), put8(8), put8(8), put8(0), put8(8);
    close_tag(off);
    return off;
}
static uint32_t t_bytes(uint32_t type, const void *p, uint32_t n)
{
    uint32_t off = open_tag(type);
    put(p, n);
    close_tag(off);
    return off;
}
static uint32_t t_u32(uint32_t type, uint32_t v) { return t_bytes(type, &v, 4); }
static uint32_t t_u64(uint32_t type, uint64_t v) { return t_bytes(type, &v, 8); }
static uint32_t t_empty(uint32_t type) { return t_bytes(type, NULL, 0); }
static uint32_t t_end(void) { return t_empty(MB2_TAG_END); }

/* Append the end tag and set total_size. */
static void finish(void)
{
    t_end();
    wr32(0, g.len);
}
/* Set total_size to what has been written so far, without an end tag. */
static void finish_without_end(void) { wr32(0, g.len); }

static struct mb2_info info;
static struct mb2_result parse(void) { return mb2_parse(g.b, g.len, &info); }

#define CHECK_RESULT(res, e, type, off)                                                \
    do {                                                                               \
        struct mb2_result r_ = (res);                                                  \
        if (r_.err != (e))                                                             \
            UNIT_FAIL_("err %d (%s), expected %s", r_.err, mb2_strerror(r_.err), #e); \
        CHECK_EQ(r_.tag_type, (type));                                                 \
        CHECK_EQ(r_.offset, (off));                                                    \
    } while (0)

static const uint8_t rsdp_v1[20] = "RSD PTR \x11OEMID!\x00\x10\x00\x00";
static const uint8_t rsdp_v2[36] = "RSD PTR \x22OEMID!\x02\x10\x00\x00\x00\x24\x00\x00\x00"
                                   "\x00\x20\x00\x00\x00\x00\x00\x00\x33";

/* ---- a valid, GRUB-like block --------------------------------------------- */

static const struct e820 grub_map[] = {
    { 0x0, 0x9fc00, MB2_MEM_AVAILABLE },
    { 0x9fc00, 0x400, MB2_MEM_RESERVED },
    { 0xf0000, 0x10000, MB2_MEM_RESERVED },
    { 0x100000, 0x7ee0000, MB2_MEM_AVAILABLE },
    { 0x7fe0000, 0x20000, MB2_MEM_ACPI_RECLAIMABLE },
    { 0xfffc0000, 0x40000, MB2_MEM_RESERVED },
    { 0x100000000ULL, 0x40000000ULL, MB2_MEM_AVAILABLE },
};

struct offs {
    uint32_t cmdline, loader, mod0, mod1, mmap, acpi_new, end;
};

static struct offs build_grub_block(void)
{
    struct offs o;
    begin();
    o.cmdline = t_cmdline("/boot/skiff.elf console=ttyS0 loglevel=debug");
    o.loader = t_loader("GRUB 2.06-13+deb12u1");
    o.mod0 = t_module(0x10a000, 0x10c345, "guest.bin arg=1");
    o.mod1 = t_module(0x10d000, 0x10d000, "");
    t_meminfo(639, 130944);
    t_bootdev();
    o.mmap = t_mmap(grub_map, sizeof grub_map / sizeof grub_map[0]);
    t_framebuffer(0xfd000000ULL, 4096, 1024, 768, 32, 1);
    t_u64(MB2_TAG_EFI64, 0x7f9e018ULL);
    t_empty(MB2_TAG_EFI_BS);
    t_bytes(MB2_TAG_ACPI_OLD, rsdp_v1, sizeof rsdp_v1);
    o.acpi_new = t_bytes(MB2_TAG_ACPI_NEW, rsdp_v2, sizeof rsdp_v2);
    t_u32(MB2_TAG_LOAD_BASE, 0x200000);
    o.end = g.len;
    finish();
    return o;
}

TEST(valid_grub_block)
{
    struct offs o = build_grub_block();
    CHECK_RESULT(parse(), MB2_OK, 0, 0);
    CHECK_EQ(info.total_size, g.len);

    CHECK_STR(info.cmdline, "/boot/skiff.elf console=ttyS0 loglevel=debug");
    CHECK(info.cmdline == (const char *)g.b + o.cmdline + 8); /* points into the block */
    CHECK_STR(info.loader_name, "GRUB 2.06-13+deb12u1");
    CHECK(info.loader_name == (const char *)g.b + o.loader + 8);

    REQUIRE(info.nmods == 2);
    CHECK_EQ(info.mods[0].start, 0x10a000);
    CHECK_EQ(info.mods[0].end, 0x10c345);
    CHECK_STR(info.mods[0].string, "guest.bin arg=1");
    CHECK_EQ(info.mods[1].start, 0x10d000);
    CHECK_EQ(info.mods[1].end, 0x10d000);
    CHECK_STR(info.mods[1].string, "");
    CHECK(info.mods[1].string == (const char *)g.b + o.mod1 + 16);

    CHECK(info.has_meminfo);
    CHECK_EQ(info.mem_lower_kib, 639);
    CHECK_EQ(info.mem_upper_kib, 130944);

    REQUIRE(info.nmmap == 7);
    for (size_t i = 0; i < 7; i++) {
        CHECK_EQ(info.mmap[i].base, grub_map[i].base);
        CHECK_EQ(info.mmap[i].len, grub_map[i].len);
        CHECK_EQ(info.mmap[i].type, grub_map[i].type);
    }

    CHECK(info.has_fb);
    CHECK_EQ(info.fb.addr, 0xfd000000ULL);
    CHECK_EQ(info.fb.pitch, 4096);
    CHECK_EQ(info.fb.width, 1024);
    CHECK_EQ(info.fb.height, 768);
    CHECK_EQ(info.fb.bpp, 32);
    CHECK_EQ(info.fb.type, 1);
    CHECK(info.fb.has_rgb);
    CHECK_EQ(info.fb.red_pos, 16);
    CHECK_EQ(info.fb.red_size, 8);
    CHECK_EQ(info.fb.green_pos, 8);
    CHECK_EQ(info.fb.blue_pos, 0);
    CHECK_EQ(info.fb.blue_size, 8);

    CHECK(info.has_efi64);
    CHECK(!info.has_efi32);
    CHECK(!info.has_efi_mmap);
    CHECK_EQ(info.efi_systab, 0x7f9e018ULL);
    CHECK(info.efi_bs_active);

    /* both RSDP tags: the ACPI 2.0 one wins */
    CHECK_EQ(info.rsdp_version, 2);
    CHECK_EQ(info.rsdp_len, 36);
    CHECK(info.rsdp == g.b + o.acpi_new + 8);
    CHECK(memcmp(info.rsdp, rsdp_v2, 36) == 0);

    CHECK(info.has_load_base);
    CHECK_EQ(info.load_base, 0x200000);
}

TEST(minimal_block)
{
    begin();
    finish();
    CHECK_EQ(g.len, 16);
    CHECK_RESULT(parse(), MB2_OK, 0, 0);
    CHECK(info.cmdline == NULL);
    CHECK(info.loader_name == NULL);
    CHECK_EQ(info.nmods, 0);
    CHECK_EQ(info.nmmap, 0);
    CHECK(!info.has_meminfo && !info.has_fb && !info.has_load_base && !info.efi_bs_active);
    CHECK(info.rsdp == NULL);
    /* readable may exceed total_size */
    CHECK_RESULT(mb2_parse(g.b, sizeof g.b, &info), MB2_OK, 0, 0);
    CHECK_EQ(info.total_size, 16);
}

TEST(acpi_order_and_efi32)
{
    /* the new RSDP is preferred even when the old tag comes after it */
    begin();
    uint32_t new_off = t_bytes(MB2_TAG_ACPI_NEW, rsdp_v2, sizeof rsdp_v2);
    t_bytes(MB2_TAG_ACPI_OLD, rsdp_v1, sizeof rsdp_v1);
    t_u32(MB2_TAG_EFI32, 0x7fe1234);
    t_u64(MB2_TAG_EFI_MMAP, 48); /* descriptor size 48, version 1, no descriptors */
    finish();
    CHECK_RESULT(parse(), MB2_OK, 0, 0);
    CHECK_EQ(info.rsdp_version, 2);
    CHECK(info.rsdp == g.b + new_off + 8);
    CHECK(info.has_efi32);
    CHECK_EQ(info.efi_systab, 0x7fe1234);
    CHECK(info.has_efi_mmap);

    /* only the old one */
    begin();
    uint32_t old_off = t_bytes(MB2_TAG_ACPI_OLD, rsdp_v1, sizeof rsdp_v1);
    finish();
    CHECK_RESULT(parse(), MB2_OK, 0, 0);
    CHECK_EQ(info.rsdp_version, 1);
    CHECK_EQ(info.rsdp_len, 20);
    CHECK(info.rsdp == g.b + old_off + 8);
}

TEST(unknown_and_odd_sized_tags_skipped)
{
    static const uint8_t junk[13] = "unknown-junk";
    begin();
    t_bytes(99, junk, 13);                 /* size 21, padded to 24 */
    t_bytes(MB2_TAG_ELF_SECTIONS, junk, 5);
    t_bytes(MB2_TAG_SMBIOS, junk, 1);
    uint32_t c = t_cmdline("x");
    finish();
    CHECK_EQ(c, 8 + 24 + 16 + 16);
    CHECK_RESULT(parse(), MB2_OK, 0, 0);
    CHECK_STR(info.cmdline, "x");
}

TEST(names)
{
    CHECK_STR(mb2_strerror(MB2_OK), "ok");
    CHECK_STR(mb2_strerror(MB2_ERR_NO_END_TAG), "no end tag");
    CHECK_STR(mb2_strerror((enum mb2_error)999), "unknown error");
    CHECK_STR(mb2_tag_name(MB2_TAG_END), "end");
    CHECK_STR(mb2_tag_name(MB2_TAG_MMAP), "mmap");
    CHECK_STR(mb2_tag_name(MB2_TAG_LOAD_BASE), "load base addr");
    CHECK_STR(mb2_tag_name(22), "unknown");
    CHECK_STR(mb2_tag_name(0xffffffffu), "unknown");
    CHECK_STR(mb2_mem_type_name(MB2_MEM_AVAILABLE), "usable");
    CHECK_STR(mb2_mem_type_name(MB2_MEM_NVS), "ACPI NVS");
    CHECK_STR(mb2_mem_type_name(0), "reserved (a type Multiboot2 does not define)");
    CHECK_STR(mb2_mem_type_name(6), "reserved (a type Multiboot2 does not define)");
}

/* ---- malformed blocks --------------------------------------------------------- */

TEST(null_and_misaligned)
{
    memset(&info, 0xa5, sizeof info);
    CHECK_RESULT(mb2_parse(NULL, 4096, &info), MB2_ERR_NULL, 0, 0);
    CHECK(info.cmdline == NULL); /* out is cleared even on failure */
    CHECK_EQ(info.nmods, 0);

    begin();
    finish();
    memmove(g.b + 4, g.b, 16);
    CHECK_RESULT(mb2_parse(g.b + 4, 16, &info), MB2_ERR_MISALIGNED, 0, 0);
    CHECK_RESULT(mb2_parse(g.b + 1, 16, &info), MB2_ERR_MISALIGNED, 0, 0);
}

TEST(total_size)
{
    begin();
    finish();
    wr32(0, 8);
    CHECK_RESULT(parse(), MB2_ERR_TOTAL_SIZE, 0, 0);
    wr32(0, 15);
    CHECK_RESULT(parse(), MB2_ERR_TOTAL_SIZE, 0, 0);
    wr32(0, 0);
    CHECK_RESULT(parse(), MB2_ERR_TOTAL_SIZE, 0, 0);
    wr32(0, 16);
    CHECK_RESULT(mb2_parse(g.b, 15, &info), MB2_ERR_TOTAL_SIZE, 0, 0); /* beyond readable */
    CHECK_RESULT(mb2_parse(g.b, 7, &info), MB2_ERR_TOTAL_SIZE, 0, 0);  /* header unreadable */
    CHECK_RESULT(mb2_parse(g.b, 0, &info), MB2_ERR_TOTAL_SIZE, 0, 0);
    wr32(0, 0xffffffffu);
    CHECK_RESULT(mb2_parse(g.b, sizeof g.b, &info), MB2_ERR_TOTAL_SIZE, 0, 0);
    CHECK_EQ(info.total_size, 0);
}

TEST(tag_header_truncated)
{
    begin();
    t_cmdline("abc"); /* 8..24 */
    g.len += 4;       /* 4 stray bytes: not room for another tag header */
    finish_without_end();
    CHECK_EQ(g.len, 28);
    CHECK_RESULT(parse(), MB2_ERR_TAG_TRUNCATED, 0, 24);

    /* total_size not a multiple of 8 */
    begin();
    g.len = 20;
    wr64(8, 0x0000000800000063ULL); /* type 99, size 8 at offset 8; 4 bytes follow */
    finish_without_end();
    CHECK_RESULT(parse(), MB2_ERR_TAG_TRUNCATED, 0, 16);
}

TEST(tag_size_past_total)
{
    static const uint8_t body[16] = { 0 };
    begin();
    t_cmdline("a");
    uint32_t m = raw_tag(MB2_TAG_MODULE, 200, body, sizeof body);
    finish();
    CHECK_RESULT(parse(), MB2_ERR_TAG_TRUNCATED, MB2_TAG_MODULE, m);

    /* one byte too far */
    begin();
    uint32_t c = open_tag(MB2_TAG_CMDLINE);
    puts0("hello");
    close_tag(c);
    finish();
    wr32(c + 4, g.len - c + 1);
    CHECK_RESULT(parse(), MB2_ERR_TAG_TRUNCATED, MB2_TAG_CMDLINE, c);

    /* huge size must not wrap */
    begin();
    c = raw_tag(77, 0xfffffff8u, NULL, 0);
    finish();
    CHECK_RESULT(parse(), MB2_ERR_TAG_TRUNCATED, 77, c);
}

TEST(tag_size_below_minimum)
{
    static const uint8_t zeros[64] = { 0 };
    static const struct {
        uint32_t type, size;
    } cases[] = {
        { MB2_TAG_MODULE, 12 },        /* start, end, but no room for the string */
        { MB2_TAG_MODULE, 16 },
        { MB2_TAG_CMDLINE, 8 },        /* no room for the NUL */
        { MB2_TAG_LOADER_NAME, 8 },
        { MB2_TAG_BASIC_MEMINFO, 12 },
        { MB2_TAG_BOOTDEV, 16 },
        { MB2_TAG_MMAP, 12 },
        { MB2_TAG_FRAMEBUFFER, 30 },
        { MB2_TAG_EFI32, 11 },
        { MB2_TAG_EFI64, 12 },
        { MB2_TAG_ACPI_OLD, 27 },
        { MB2_TAG_ACPI_NEW, 28 },      /* an old-sized RSDP in a new tag */
        { MB2_TAG_EFI_MMAP, 8 },
        { MB2_TAG_LOAD_BASE, 8 },
        { 99, 7 },                     /* any tag: below its own header */
        { MB2_TAG_END, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        begin();
        t_meminfo(1, 2);
        uint32_t off = raw_tag(cases[i].type, cases[i].size, zeros,
                               cases[i].size > 8 ? cases[i].size - 8 : 0);
        finish();
        struct mb2_result r = parse();
        if (r.err != MB2_ERR_TAG_SIZE || r.tag_type != cases[i].type || r.offset != off)
            UNIT_FAIL_("type %u size %u: err %d type %u offset %u", cases[i].type,
                       cases[i].size, r.err, r.tag_type, r.offset);
    }
}

TEST(missing_end_tag)
{
    begin();
    t_cmdline("a");
    t_meminfo(1, 2);
    finish_without_end();
    CHECK_RESULT(parse(), MB2_ERR_NO_END_TAG, 0, g.len);

    /* last tag fills the block but its padding would run past it */
    begin();
    uint32_t c = t_cmdline("abcd"); /* size 13, padded to 16 */
    finish_without_end();
    wr32(0, c + 13);
    CHECK_RESULT(mb2_parse(g.b, c + 13, &info), MB2_ERR_NO_END_TAG, MB2_TAG_CMDLINE, c + 13);

    /* no tags at all is not a valid 16-byte block either */
    begin();
    g.len = 16;
    wr64(8, 0x0000000800000063ULL); /* type 99, size 8: a tag, but not the end tag */
    finish_without_end();
    CHECK_RESULT(parse(), MB2_ERR_NO_END_TAG, 0, 16);
}

TEST(end_tag_size)
{
    static const uint8_t zeros[8] = { 0 };
    begin();
    t_cmdline("a");
    uint32_t e = raw_tag(MB2_TAG_END, 16, zeros, 8);
    finish_without_end();
    CHECK_RESULT(parse(), MB2_ERR_END_TAG_SIZE, MB2_TAG_END, e);
}

TEST(unterminated_strings)
{
    /* size 11 covers "abc" only; the zero padding after it does not count */
    begin();
    uint32_t c = raw_tag(MB2_TAG_CMDLINE, 11, "abc", 3);
    finish();
    CHECK_EQ(g.b[c + 11], 0);
    CHECK_RESULT(parse(), MB2_ERR_STRING, MB2_TAG_CMDLINE, c);

    begin();
    t_cmdline("ok");
    uint32_t l = raw_tag(MB2_TAG_LOADER_NAME, 13, "GRUB!", 5);
    finish();
    CHECK_RESULT(parse(), MB2_ERR_STRING, MB2_TAG_LOADER_NAME, l);

    static const uint8_t mod[11] = { 0, 0x10, 0, 0, 0, 0x20, 0, 0, 'a', 'b', 'c' };
    begin();
    uint32_t m = raw_tag(MB2_TAG_MODULE, 8 + sizeof mod, mod, sizeof mod);
    finish();
    CHECK_RESULT(parse(), MB2_ERR_STRING, MB2_TAG_MODULE, m);
}

TEST(mmap_entry_size)
{
    static const struct e820 two[] = { { 0, 0x9f000, 1 }, { 0x100000, 0x100000, 1 } };
    static const uint32_t bad[] = { 20, 28, 0, 16, 12 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        begin();
        /* entries laid out with max(esize, 20) bytes each; the size is what is wrong */
        uint32_t off = open_tag(MB2_TAG_MMAP);
        put32(bad[i]);
        put32(0);
        for (size_t j = 0; j < 2; j++) {
            uint32_t s = g.len;
            put64(two[j].base);
            put64(two[j].len);
            put32(two[j].type);
            while (g.len - s < bad[i])
                put8(0);
        }
        close_tag(off);
        finish();
        struct mb2_result r = parse();
        if (r.err != MB2_ERR_MMAP_ENTRY || r.tag_type != MB2_TAG_MMAP || r.offset != off)
            UNIT_FAIL_("entry_size %u: err %d type %u offset %u", bad[i], r.err, r.tag_type,
                       r.offset);
    }

    /* entry_size 32 over 48 bytes of entries: does not divide */
    begin();
    uint32_t off = open_tag(MB2_TAG_MMAP);
    put32(32);
    put32(0);
    for (int j = 0; j < 6; j++)
        put64(0);
    close_tag(off);
    finish();
    CHECK_RESULT(parse(), MB2_ERR_MMAP_ENTRY, MB2_TAG_MMAP, off);

    /* a larger, 8-aligned entry size is fine (future-proof layout) */
    begin();
    t_mmap_sized(two, 2, 32);
    finish();
    CHECK_RESULT(parse(), MB2_OK, 0, 0);
    REQUIRE(info.nmmap == 2);
    CHECK_EQ(info.mmap[1].base, 0x100000);
    CHECK_EQ(info.mmap[1].len, 0x100000);
    CHECK_EQ(info.mmap[1].type, 1);
}

TEST(mmap_limits)
{
    static struct e820 many[MB2_MAX_MMAP + 1];
    for (size_t i = 0; i < MB2_MAX_MMAP + 1; i++)
        many[i] = (struct e820){ i * 0x10000, 0x8000, 1 + (uint32_t)(i % 5) };

    begin();
    t_mmap(many, MB2_MAX_MMAP);
    finish();
    CHECK_RESULT(parse(), MB2_OK, 0, 0);
    CHECK_EQ(info.nmmap, MB2_MAX_MMAP);
    CHECK_EQ(info.mmap[MB2_MAX_MMAP - 1].base, (MB2_MAX_MMAP - 1) * 0x10000ULL);
    CHECK_EQ(info.mmap[MB2_MAX_MMAP - 1].type, 1 + (MB2_MAX_MMAP - 1) % 5);

    begin();
    uint32_t off = t_mmap(many, MB2_MAX_MMAP + 1);
    finish();
    CHECK_RESULT(parse(), MB2_ERR_TOO_MANY, MB2_TAG_MMAP, off);

    /* an empty memory map is legal */
    begin();
    t_mmap(many, 0);
    finish();
    CHECK_RESULT(parse(), MB2_OK, 0, 0);
    CHECK_EQ(info.nmmap, 0);
}

TEST(too_many_modules)
{
    begin();
    uint32_t off = 0;
    for (int i = 0; i < MB2_MAX_MODULES + 1; i++)
        off = t_module(0x100000 + i * 0x1000, 0x100800 + i * 0x1000, "m");
    finish();
    CHECK_RESULT(parse(), MB2_ERR_TOO_MANY, MB2_TAG_MODULE, off);

    begin();
    for (int i = 0; i < MB2_MAX_MODULES; i++)
        t_module(0x100000 + i * 0x1000, 0x100800 + i * 0x1000, "m");
    finish();
    CHECK_RESULT(parse(), MB2_OK, 0, 0);
    CHECK_EQ(info.nmods, MB2_MAX_MODULES);
    CHECK_EQ(info.mods[15].start, 0x10f000);
    CHECK_EQ(info.mods[15].end, 0x10f800);
}

TEST(module_range)
{
    begin();
    t_module(0x1000, 0x2000, "fine");
    uint32_t off = t_module(0x3000, 0x2fff, "backwards");
    finish();
    CHECK_RESULT(parse(), MB2_ERR_MODULE_RANGE, MB2_TAG_MODULE, off);
}

TEST(duplicates)
{
    begin();
    t_cmdline("first");
    t_meminfo(1, 2);
    uint32_t off = t_cmdline("second");
    finish();
    CHECK_RESULT(parse(), MB2_ERR_DUPLICATE, MB2_TAG_CMDLINE, off);

    begin();
    t_loader("GRUB");
    off = t_loader("GRUB again");
    finish();
    CHECK_RESULT(parse(), MB2_ERR_DUPLICATE, MB2_TAG_LOADER_NAME, off);

    begin();
    t_mmap(grub_map, 2);
    off = t_mmap(grub_map, 3);
    finish();
    CHECK_RESULT(parse(), MB2_ERR_DUPLICATE, MB2_TAG_MMAP, off);

    /* an empty first memory map still counts: a second one is a duplicate */
    begin();
    t_mmap(grub_map, 0);
    off = t_mmap(grub_map, 3);
    finish();
    CHECK_RESULT(parse(), MB2_ERR_DUPLICATE, MB2_TAG_MMAP, off);
}

TEST(stops_at_end_tag)
{
    /* garbage after the end tag (but inside total_size) is never looked at */
    begin();
    t_cmdline("a");
    uint32_t e = t_end();
    raw_tag(MB2_TAG_CMDLINE, 9999, NULL, 0);
    finish_without_end();
    CHECK(e < g.len);
    CHECK_RESULT(parse(), MB2_OK, 0, 0);
    CHECK_STR(info.cmdline, "a");
}

/* ---- truncation sweep ----------------------------------------------------- */

TEST(truncation_sweep)
{
    build_grub_block();
    const uint32_t full = g.len;
    uint8_t *copy = malloc(full);
    REQUIRE(copy);
    memcpy(copy, g.b, full);
    CHECK_RESULT(mb2_parse(copy, full, &info), MB2_OK, 0, 0);
    free(copy);

    for (uint32_t L = 0; L < full; L++) {
        /* exactly L bytes: ASan flags any read at or past L */
        uint8_t *p = malloc(L ? L : 1);
        REQUIRE(p);
        REQUIRE(((uintptr_t)p & 7) == 0);
        memcpy(p, g.b, L);
        if (L >= 4) {
            uint32_t t = L;
            memcpy(p, &t, 4);
        }
        struct mb2_result r = mb2_parse(p, L, &info);
        if (L < 16) {
            if (r.err != MB2_ERR_TOTAL_SIZE)
                UNIT_FAIL_("L=%u: err %d, expected TOTAL_SIZE", L, r.err);
        } else if (r.err != MB2_ERR_TAG_TRUNCATED && r.err != MB2_ERR_NO_END_TAG) {
            UNIT_FAIL_("L=%u: err %d (%s)", L, r.err, mb2_strerror(r.err));
        }
        if (r.offset > L)
            UNIT_FAIL_("L=%u: offset %u past the block", L, r.offset);

        /* the original total_size with only L bytes readable */
        if (L >= 4) {
            uint32_t t = full;
            memcpy(p, &t, 4);
        }
        r = mb2_parse(p, L, &info);
        if (r.err != MB2_ERR_TOTAL_SIZE)
            UNIT_FAIL_("L=%u readable, total %u: err %d", L, full, r.err);
        free(p);
    }
}

UNIT_MAIN(T(valid_grub_block), T(minimal_block), T(acpi_order_and_efi32),
          T(unknown_and_odd_sized_tags_skipped), T(names), T(null_and_misaligned), T(total_size),
          T(tag_header_truncated), T(tag_size_past_total), T(tag_size_below_minimum),
          T(missing_end_tag), T(end_tag_size), T(unterminated_strings), T(mmap_entry_size),
          T(mmap_limits), T(too_many_modules), T(module_range), T(duplicates),
          T(stops_at_end_tag), T(truncation_sweep))
