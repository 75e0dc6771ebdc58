// SOURCES: guest/loader/linux.c guest/loader/linux_screen.c guest/loader/multiboot.c guest/loader/elf.c guest/loader/flat.c guest/loader/loader_common.c kernel/lib/format.c kernel/firmware/mb2.c kernel/firmware/acpi_rsdp.c
/*
 * Guest image loaders (guest/loader/linux.c, multiboot.c, elf.c, flat.c) over a fake
 * 64 MiB guest RAM with reserved holes.  Images are built by hand: a minimal
 * bzImage (setup header fields only), ELF32/ELF64 executables, Multiboot
 * ELF and a.out-kludge kernels, flat blobs.  Guest RAM starts filled with
 * 0xcc so copies, zeroed bss and "nothing written on failure" show.
 */
#include "tests/unit/unit.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "guest/loader/loader.h"
#include "kernel/firmware/acpi_rsdp.h"
#include "kernel/firmware/mb2.h"

#define MIB (1ull << 20)
#define RAM_SIZE (64 * MIB)

/* ---- fake guest memory ------------------------------------------------------ */

static uint8_t *ram;
static struct guest_memmap map;
static char err[256];
/* RAM that gpa_ptr refuses although the map calls it RAM, as Skiff's own
 * gpa_ptr refuses the staged module images (guest/loader/boot.c). */
static uint64_t staged_base, staged_end;

static void *fake_gpa_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
    const struct guest_memmap *m = ctx;
    if (len == 0 || len > UINT64_MAX - gpa || gpa + len > RAM_SIZE)
        return NULL;
    if (gpa < staged_end && staged_base < gpa + len)
        return NULL;
    for (size_t i = 0; i < m->n; i++)
        if (m->e[i].type == E820_RAM && gpa >= m->e[i].base &&
            gpa + len <= m->e[i].base + m->e[i].len)
            return ram + gpa;
    return NULL;
}

static struct guest_loader_env env = { &map, fake_gpa_ptr, &map, 0xf5a10, { 0 } };

static void map_add(uint64_t base, uint64_t len, uint32_t type)
{
    map.e[map.n].base = base;
    map.e[map.n].len = len;
    map.e[map.n].type = type;
    map.n++;
}

/*
 * The default map: low RAM to 0x9fc00, BIOS holes, RAM 1-24 MiB, a 2 MiB
 * reserved hole (where Skiff would be), RAM 26-64 MiB, and an MMIO range.
 */
static void reset_map(void)
{
    map.n = 0;
    map_add(0, 0x9fc00, E820_RAM);
    map_add(0x9fc00, 0x400, E820_RESERVED);
    map_add(0xf0000, 0x10000, E820_RESERVED);
    map_add(1 * MIB, 23 * MIB, E820_RAM);
    map_add(24 * MIB, 2 * MIB, E820_RESERVED);
    map_add(26 * MIB, 38 * MIB, E820_RAM);
    map_add(0xfec00000, 0x1000, E820_RESERVED);
}

static void reset(void)
{
    if (!ram) {
        ram = malloc(RAM_SIZE);
        REQUIRE(ram);
    }
    memset(ram, 0xcc, RAM_SIZE);
    reset_map();
    env.acpi_rsdp = 0xf5a10;
    env.screen = (struct guest_screen){ 0 };
    staged_base = staged_end = 0;
    err[0] = 0;
}

static uint16_t g16(uint64_t gpa) { uint16_t v; memcpy(&v, ram + gpa, 2); return v; }
static uint32_t g32(uint64_t gpa) { uint32_t v; memcpy(&v, ram + gpa, 4); return v; }
static uint64_t g64(uint64_t gpa) { uint64_t v; memcpy(&v, ram + gpa, 8); return v; }
static void p16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void p32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void p64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Is [gpa, gpa + len) still the 0xcc fill? */
static bool untouched(uint64_t gpa, uint64_t len)
{
    for (uint64_t i = 0; i < len; i++)
        if (ram[gpa + i] != 0xcc)
            return false;
    return true;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

#define CHECK_ERR(call, prefix)                                                   \
    do {                                                                          \
        err[0] = 0;                                                               \
        int rc_ = (call);                                                         \
        CHECK_EQ(rc_, LOADER_BAD_INPUT);                                          \
        if (!starts_with(err, prefix))                                            \
            UNIT_FAIL_("error \"%s\" does not start with \"%s\"", err, prefix);    \
        CHECK(untouched(0x10000, 0x10000));                                       \
    } while (0)

static uint8_t pat(size_t i, unsigned seed) { return (uint8_t)(i * 13 + seed); }

/* Checks shared by every protected/long-mode start. */
static void check_boot_area(const struct guest_start *gs, bool long_mode)
{
    CHECK_EQ(gs->rsp, 0x20000);
    CHECK_EQ(gs->rflags, 2);
    CHECK_EQ(gs->gdt_base, 0x16000);
    if (long_mode) {
        CHECK_EQ(gs->mode, GUEST_MODE_64);
        CHECK_EQ(gs->cr0, 0x80000031);
        CHECK_EQ(gs->cr4, 0x20);
        CHECK_EQ(gs->efer, 0x500);
        CHECK_EQ(gs->cr3, 0x10000);
        CHECK_EQ(gs->cs, 0x10);
        CHECK_EQ(gs->ds, 0x18);
        CHECK_EQ(gs->gdt_limit, 31);
        CHECK_EQ(g64(0x16000 + 0x10), 0x00af9b000000ffffull);
        CHECK_EQ(g64(0x16000 + 0x18), 0x00cf93000000ffffull);
        CHECK_EQ(g64(0x10000), 0x11003);
        for (int i = 0; i < 4; i++)
            CHECK_EQ(g64(0x11000 + 8 * i), 0x12003 + 0x1000 * i);
        CHECK_EQ(g64(0x11000 + 8 * 4), 0);
        CHECK_EQ(g64(0x12000), 0x83);
        CHECK_EQ(g64(0x12000 + 8 * 2047), (2047ull << 21) | 0x83);
    } else {
        CHECK_EQ(gs->mode, GUEST_MODE_32);
        CHECK_EQ(gs->cr0, 0x11);
        CHECK_EQ(gs->cr4, 0);
        CHECK_EQ(gs->efer, 0);
        CHECK_EQ(gs->cs, 0x10);
        CHECK_EQ(gs->ds, 0x18);
        CHECK_EQ(gs->gdt_limit, 31);
        CHECK_EQ(g64(0x16000 + 0x08), 0);
        CHECK_EQ(g64(0x16000 + 0x10), 0x00cf9b000000ffffull);
        CHECK_EQ(g64(0x16000 + 0x18), 0x00cf93000000ffffull);
    }
}

/* ---- bzImage builder ------------------------------------------------------- */

struct bz {
    uint8_t setup_sects, jump, loadflags, reloc;
    uint16_t version, xlf;
    uint32_t align, init_size, cmdline_size, initrd_max;
    uint64_t pref;
    size_t ksize;
};

static struct bz bz_default(void)
{
    return (struct bz){ .setup_sects = 2, .jump = 0x6a, .loadflags = 0x01, .reloc = 1,
                        .version = 0x020f, .xlf = 0x3, .align = 0x200000,
                        .init_size = 0x400000, .cmdline_size = 2047,
                        .initrd_max = 0x7fffffff, .pref = 16 * MIB, .ksize = 0x3000 };
}

static size_t bz_setup_size(const struct bz *b) { return ((b->setup_sects ? b->setup_sects : 4) + 1) * 512u; }

static struct guest_image bz_build(const struct bz *b, const char *cmdline)
{
    size_t setup = bz_setup_size(b), size = setup + b->ksize;
    uint8_t *k = calloc(1, size);
    REQUIRE(k);
    k[0x1f1] = b->setup_sects;
    p16(k + 0x1fe, 0xaa55);
    k[0x200] = 0xeb;
    k[0x201] = b->jump;
    memcpy(k + 0x202, "HdrS", 4);
    p16(k + 0x206, b->version);
    k[0x210] = 0;
    k[0x211] = b->loadflags | 0x80;      /* CAN_USE_HEAP: the loader must clear it */
    p32(k + 0x22c, b->initrd_max);
    p32(k + 0x230, b->align);
    k[0x234] = b->reloc;
    p16(k + 0x236, b->xlf);
    p32(k + 0x238, b->cmdline_size);
    p64(k + 0x250, 0x1234);              /* setup_data: the loader must clear it */
    p64(k + 0x258, b->pref);
    p32(k + 0x260, b->init_size);
    for (size_t i = 0; i < b->ksize; i++)
        k[setup + i] = pat(i, 1);
    return (struct guest_image){ k, size, cmdline };
}

static struct guest_image blob(size_t size, unsigned seed, const char *cmdline)
{
    uint8_t *d = malloc(size ? size : 1);
    REQUIRE(d);
    for (size_t i = 0; i < size; i++)
        d[i] = pat(i, seed);
    return (struct guest_image){ d, size, cmdline };
}

static void free_image(struct guest_image *im) { free((void *)im->data); }

/* ---- Linux ------------------------------------------------------------------ */

TEST(linux_basic)
{
    reset();
    struct bz b = bz_default();
    struct guest_image k = bz_build(&b, "console=ttyS0 root=/dev/ram0");
    struct guest_image rd = blob(MIB + 123, 7, "");
    struct guest_start gs;
    int rc = linux_load(&env, &k, &rd, &gs, err, sizeof(err));
    CHECK_STR(err, "");
    REQUIRE(rc == LOADER_OK);

    uint64_t load = 16 * MIB;                       /* pref_address is RAM */
    CHECK(memcmp(ram + load, k.data + 3 * 512, b.ksize) == 0);
    CHECK_EQ(gs.rip, load + 0x200);
    CHECK_EQ(gs.rsi, 0x17000);
    check_boot_area(&gs, true);

    uint64_t bp = 0x17000;
    CHECK(memcmp(ram + bp + 0x1f1, k.data + 0x1f1, 0x210 - 0x1f1) == 0);
    CHECK(memcmp(ram + bp + 0x202, "HdrS", 4) == 0);
    CHECK_EQ(g16(bp + 0x206), 0x020f);
    CHECK_EQ(ram[bp + 0x210], 0xff);                /* type_of_loader */
    CHECK_EQ(ram[bp + 0x211], 0x01);                /* LOADED_HIGH, heap flag dropped */
    CHECK_EQ(g64(bp + 0x250), 0);                   /* setup_data */
    CHECK_EQ(g32(bp + 0x228), 0x18000);             /* cmd_line_ptr */
    CHECK_EQ(g32(bp + 0xc8), 0);
    CHECK_STR((char *)ram + 0x18000, "console=ttyS0 root=/dev/ram0");
    CHECK_EQ(g64(bp + 0x70), 0xf5a10);              /* acpi_rsdp_addr */
    CHECK_EQ(ram[bp + 0x1ef], 0);                   /* sentinel */
    CHECK_EQ(ram[bp + 0x290], 0);                   /* past the header: zero */

    /* initrd: page-aligned, highest in RAM below 4 GiB: the top of the 26-64 MiB entry */
    uint64_t rd_addr = (64 * MIB - rd.size) & ~0xfffull;
    CHECK_EQ(g32(bp + 0x218), rd_addr);
    CHECK_EQ(g32(bp + 0x21c), rd.size);
    CHECK_EQ(g32(bp + 0xc0), 0);
    CHECK_EQ(g32(bp + 0xc4), 0);
    CHECK(memcmp(ram + rd_addr, rd.data, rd.size) == 0);

    CHECK_EQ(ram[bp + 0x1e8], map.n);
    for (size_t i = 0; i < map.n; i++) {
        CHECK_EQ(g64(bp + 0x2d0 + 20 * i), map.e[i].base);
        CHECK_EQ(g64(bp + 0x2d0 + 20 * i + 8), map.e[i].len);
        CHECK_EQ(g32(bp + 0x2d0 + 20 * i + 16), map.e[i].type);
    }
    CHECK_EQ(g64(bp + 0x2d0 + 20 * map.n), 0);
    free_image(&k);
    free_image(&rd);
}

TEST(linux_no_initrd_old_acpi_setup_sects_zero)
{
    reset();
    struct bz b = bz_default();
    b.setup_sects = 0;                              /* means 4 */
    b.version = 0x020d;                             /* before acpi_rsdp_addr (2.14) */
    struct guest_image k = bz_build(&b, NULL);
    struct guest_start gs;
    REQUIRE(linux_load(&env, &k, NULL, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK(memcmp(ram + 16 * MIB, k.data + 5 * 512, b.ksize) == 0);
    CHECK_EQ(g64(0x17000 + 0x70), 0);
    CHECK_EQ(g32(0x17000 + 0x218), 0);
    CHECK_EQ(g32(0x17000 + 0x21c), 0);
    CHECK_EQ(ram[0x18000], 0);                      /* empty command line */
    free_image(&k);
}

TEST(linux_pref_not_ram_relocates)
{
    reset();
    struct bz b = bz_default();
    b.pref = 24 * MIB;                              /* the reserved hole */
    b.init_size = 9 * MIB;                          /* 16 MiB + 9 MiB runs into the hole too */
    struct guest_image k = bz_build(&b, "");
    struct guest_start gs;
    REQUIRE(linux_load(&env, &k, NULL, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(gs.rip, 26 * MIB + 0x200);             /* lowest 2 MiB-aligned >= 16 MiB that holds it */
    CHECK(memcmp(ram + 26 * MIB, k.data + 3 * 512, b.ksize) == 0);

    /* Non-relocatable: pref_address or nothing. */
    reset();
    b.reloc = 0;
    free_image(&k);
    k = bz_build(&b, "");
    CHECK_ERR(linux_load(&env, &k, NULL, &gs, err, sizeof(err)),
              "linux: no guest RAM for the kernel at its fixed address 0x1800000");
    free_image(&k);
}

TEST(linux_fallback_below_16mib)
{
    reset();
    map.n = 0;
    map_add(0, 0x9fc00, E820_RAM);
    map_add(1 * MIB, 11 * MIB, E820_RAM);
    struct bz b = bz_default();
    b.pref = 0x1000000;                             /* not RAM in this map */
    struct guest_image k = bz_build(&b, "");
    struct guest_image rd = blob(2 * MIB, 3, "");
    struct guest_start gs;
    REQUIRE(linux_load(&env, &k, &rd, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(gs.rip, 2 * MIB + 0x200);              /* lowest 2 MiB-aligned >= 1 MiB */
    CHECK_EQ(g32(0x17000 + 0x218), 10 * MIB);       /* initrd at the top: 12 MiB - 2 MiB */
    CHECK_EQ(ram[0x17000 + 0x1e8], 2);
    free_image(&k);
    free_image(&rd);
}

TEST(linux_initrd_avoids_kernel)
{
    reset();
    struct bz b = bz_default();
    b.initrd_max = 24 * MIB - 1;                    /* the kernel at 16-20 MiB is just below */
    struct guest_image k = bz_build(&b, "");
    struct guest_image rd = blob(6 * MIB, 5, "");
    struct guest_start gs;
    REQUIRE(linux_load(&env, &k, &rd, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(g32(0x17000 + 0x218), 10 * MIB);       /* 18 MiB would overlap [16, 20) MiB */
    CHECK(memcmp(ram + 10 * MIB, rd.data, rd.size) == 0);
    CHECK(memcmp(ram + 16 * MIB, k.data + 3 * 512, b.ksize) == 0);
    free_image(&k);
    free_image(&rd);
}

TEST(linux_skips_refused_ram)
{
    /* The source images staged at the top of RAM and at pref_address. */
    reset();
    staged_base = 16 * MIB + 0x1000;
    staged_end = 17 * MIB;
    struct bz b = bz_default();
    struct guest_image k = bz_build(&b, "");
    struct guest_image rd = blob(MIB, 5, "");
    struct guest_start gs;
    REQUIRE(linux_load(&env, &k, &rd, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(gs.rip, 18 * MIB + 0x200);              /* next 2 MiB step clear of it */
    CHECK(untouched(staged_base, staged_end - staged_base));

    reset();
    staged_base = 60 * MIB - 0x1800;
    staged_end = 64 * MIB;
    REQUIRE(linux_load(&env, &k, &rd, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(g32(0x17000 + 0x218), 59 * MIB - 0x2000);   /* highest page below the staged data */
    CHECK(untouched(staged_base, staged_end - staged_base));
    CHECK(memcmp(ram + 59 * MIB - 0x2000, rd.data, rd.size) == 0);
    free_image(&k);
    free_image(&rd);
}

TEST(linux_command_line_limits)
{
    reset();
    struct bz b = bz_default();
    b.cmdline_size = 16;
    struct guest_image k = bz_build(&b, "0123456789abcdef");
    struct guest_start gs;
    REQUIRE(linux_load(&env, &k, NULL, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_STR((char *)ram + 0x18000, "0123456789abcdef");
    reset();
    k.cmdline = "0123456789abcdefg";
    CHECK_ERR(linux_load(&env, &k, NULL, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "linux: command line too long (17 bytes, limit 16)");
    free_image(&k);

    /* A kernel allowing more than the 4 KiB buffer is held to 4095. */
    static char longcl[5000];
    memset(longcl, 'x', 4096);
    b.cmdline_size = 0x7fffffff;
    k = bz_build(&b, longcl);
    CHECK_ERR(linux_load(&env, &k, NULL, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "linux: command line too long (4096 bytes, limit 4095)");
    free_image(&k);
}

TEST(linux_truncated_at_every_size)
{
    reset();
    struct bz b = bz_default();
    struct guest_image full = bz_build(&b, "");
    struct guest_start gs;
    size_t setup = bz_setup_size(&b);
    for (size_t n = 0; n <= setup; n++) {
        struct guest_image k = { full.data, n, "" };
        err[0] = 0;
        if (linux_load(&env, &k, NULL, &gs, err, sizeof(err)) != LOADER_BAD_INPUT ||
            !starts_with(err, "linux: truncated bzImage: file is ")) {
            UNIT_FAIL_("size %zu: \"%s\"", n, err);
            break;
        }
    }
    CHECK(untouched(0x10000, 0x10000));
    CHECK(untouched(16 * MIB, 0x1000));
    struct guest_image k = { full.data, 0x100, "" };
    CHECK_ERR(linux_load(&env, &k, NULL, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "linux: truncated bzImage: file is 256 bytes, setup header needs 520");
    k.size = 0x240;
    CHECK_ERR(linux_load(&env, &k, NULL, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "linux: truncated bzImage: file is 576 bytes, setup header needs 620");
    k.size = setup;
    CHECK_ERR(linux_load(&env, &k, NULL, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "linux: truncated bzImage: file is 1536 bytes, the setup code takes 1536 and "
                   "the 64-bit entry at +0x200 needs more");
    k.size = setup + 0x200;                         /* the entry point itself is missing */
    CHECK_ERR(linux_load(&env, &k, NULL, &gs, err, sizeof(err)), "");
    k.size = setup + 0x201;                         /* one byte at the entry is enough to load */
    CHECK_EQ(linux_load(&env, &k, NULL, &gs, err, sizeof(err)), LOADER_OK);
    free_image(&full);
}

TEST(linux_bad_headers)
{
    struct guest_start gs;
    struct bz b;
    struct guest_image k;

#define BZ_CASE(setup_stmt, patch_stmt, want)                                   \
    do {                                                                    \
        reset();                                                            \
        b = bz_default();                                                   \
        setup_stmt;                                                         \
        k = bz_build(&b, "");                                               \
        uint8_t *kk = (uint8_t *)k.data;                                    \
        (void)kk;                                                           \
        patch_stmt;                                                         \
        CHECK_ERR(linux_load(&env, &k, NULL, &gs, err, sizeof(err)), "");   \
        CHECK_STR(err, want);                                               \
        free_image(&k);                                                     \
    } while (0)

    BZ_CASE((void)0, kk[0x1fe] = 0, "linux: bad boot_flag 0xaa00 at 0x1fe (need 0xaa55)");
    BZ_CASE((void)0, kk[0x203] = 'x', "linux: bad magic: no 'HdrS' at 0x202");
    BZ_CASE(b.version = 0x0203, (void)0, "linux: boot protocol 2.03 too old (need >= 2.06)");
    BZ_CASE(b.version = 0x020a, (void)0,
            "linux: kernel is not 64-bit capable (boot protocol 2.10 has no xloadflags, need >= 2.12)");
    BZ_CASE(b.xlf = 0x2, (void)0, "linux: kernel is not 64-bit capable (XLF_KERNEL_64 clear)");
    BZ_CASE(b.jump = 0x30, (void)0,
            "linux: setup header ends at 0x232, protocol 2.15 needs it through init_size (0x264)");
    BZ_CASE(b.loadflags = 0, (void)0, "linux: not a bzImage (loadflags LOADED_HIGH clear)");
    BZ_CASE(b.align = 0x300000, (void)0, "linux: kernel_alignment 0x300000 is not a power of two");
    BZ_CASE(b.init_size = 0xffffffff, (void)0,
            "linux: no guest RAM for the kernel (init_size 4294967295)");
#undef BZ_CASE
}

TEST(linux_absurd_pref_relocates)
{
    reset();
    struct bz b = bz_default();
    b.pref = 0xfffffffffffff000ull;                 /* wraps: not usable, relocate */
    struct guest_image k = bz_build(&b, "");
    struct guest_start gs;
    REQUIRE(linux_load(&env, &k, NULL, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(gs.rip, 16 * MIB + 0x200);
    free_image(&k);
}

TEST(linux_initrd_too_large)
{
    reset();
    struct bz b = bz_default();
    struct guest_image k = bz_build(&b, "");
    struct guest_image rd = blob(40 * MIB, 1, "");  /* no RAM entry holds 40 MiB */
    struct guest_start gs;
    CHECK_ERR(linux_load(&env, &k, &rd, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "linux: initrd too large (41943040 bytes) for guest memory below "
                   "initrd_addr_max 0x7fffffff");
    CHECK(untouched(16 * MIB, b.ksize));
    free_image(&rd);

    /* Fits in memory, but not below initrd_addr_max. */
    free_image(&k);
    b.initrd_max = 2 * MIB - 1;
    k = bz_build(&b, "");
    rd = blob(2 * MIB, 1, "");
    CHECK_ERR(linux_load(&env, &k, &rd, &gs, err, sizeof(err)),
              "linux: initrd too large (2097152 bytes) for guest memory below initrd_addr_max");
    free_image(&rd);
    free_image(&k);
}

TEST(linux_boot_area_not_ram)
{
    reset();
    map.n = 0;
    map_add(0x20000, 0x80000, E820_RAM);
    map_add(1 * MIB, 40 * MIB, E820_RAM);
    struct bz b = bz_default();
    struct guest_image k = bz_build(&b, "");
    struct guest_start gs;
    CHECK_ERR(linux_load(&env, &k, NULL, &gs, err, sizeof(err)),
              "linux: no guest RAM at 0x10000-0x1ffff");
    free_image(&k);
}

/* ---- ELF builder ------------------------------------------------------------- */

struct seg {
    uint32_t type;
    uint64_t off, vaddr, paddr, filesz, memsz;
};

/* An ELF with program headers right after the ELF header; segment bytes are pat(i, seed). */
static struct guest_image elf_build(bool is64, uint16_t machine, uint64_t entry,
                                    const struct seg *s, size_t n, size_t total)
{
    uint8_t *d = calloc(1, total);
    REQUIRE(d);
    size_t eh = is64 ? 64 : 52, ph = is64 ? 56 : 32;
    memcpy(d, "\x7f" "ELF", 4);
    d[4] = is64 ? 2 : 1;
    d[5] = 1;
    d[6] = 1;
    p16(d + 16, 2);
    p16(d + 18, machine);
    p32(d + 20, 1);
    if (is64) {
        p64(d + 24, entry);
        p64(d + 32, eh);
        p16(d + 52, (uint16_t)eh);
        p16(d + 54, (uint16_t)ph);
        p16(d + 56, (uint16_t)n);
    } else {
        p32(d + 24, (uint32_t)entry);
        p32(d + 28, (uint32_t)eh);
        p16(d + 40, (uint16_t)eh);
        p16(d + 42, (uint16_t)ph);
        p16(d + 44, (uint16_t)n);
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = d + eh + i * ph;
        p32(p, s[i].type);
        if (is64) {
            p32(p + 4, 7);
            p64(p + 8, s[i].off);
            p64(p + 16, s[i].vaddr);
            p64(p + 24, s[i].paddr);
            p64(p + 32, s[i].filesz);
            p64(p + 40, s[i].memsz);
        } else {
            p32(p + 4, (uint32_t)s[i].off);
            p32(p + 8, (uint32_t)s[i].vaddr);
            p32(p + 12, (uint32_t)s[i].paddr);
            p32(p + 16, (uint32_t)s[i].filesz);
            p32(p + 20, (uint32_t)s[i].memsz);
            p32(p + 24, 7);
        }
        for (uint64_t j = 0; j < s[i].filesz && s[i].off + j < total; j++)
            d[s[i].off + j] = pat(j, (unsigned)i + 2);
    }
    return (struct guest_image){ d, total, "" };
}

static bool seg_loaded(const struct guest_image *im, const struct seg *s, unsigned seed)
{
    for (uint64_t j = 0; j < s->filesz; j++)
        if (ram[s->paddr + j] != pat(j, seed) || im->data[s->off + j] != pat(j, seed))
            return false;
    for (uint64_t j = s->filesz; j < s->memsz; j++)
        if (ram[s->paddr + j] != 0)
            return false;
    return true;
}

/* ---- ELF ---------------------------------------------------------------------- */

static const struct seg segs64[] = {
    { 1, 0x1000, 0xffffffff80200000ull, 0x200000, 0x1800, 0x1800 },
    { 4, 0, 0, 0, 0, 0 },                                          /* PT_NOTE: ignored */
    { 1, 0x3000, 0xffffffff80300000ull, 0x300000, 0x500, 0x4000 },
};

TEST(elf64_load)
{
    reset();
    struct guest_image im = elf_build(true, 62, 0xffffffff80200040ull, segs64, 3, 0x3500);
    struct guest_start gs;
    int rc = elf_load(&env, &im, &gs, err, sizeof(err));
    CHECK_STR(err, "");
    REQUIRE(rc == LOADER_OK);
    CHECK(seg_loaded(&im, &segs64[0], 2));
    CHECK(seg_loaded(&im, &segs64[2], 4));
    CHECK_EQ(gs.rip, 0x200040);                     /* e_entry moved to its segment's p_paddr */
    check_boot_area(&gs, true);
    free_image(&im);
}

TEST(elf32_load)
{
    reset();
    static const struct seg s[] = { { 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
                                    { 1, 0x2000, 0x101000, 0x101000, 0x10, 0x2000 } };
    struct guest_image im = elf_build(false, 3, 0x10000c, s, 2, 0x2010);
    struct guest_start gs;
    REQUIRE(elf_load(&env, &im, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK(seg_loaded(&im, &s[0], 2));
    CHECK(seg_loaded(&im, &s[1], 3));
    CHECK_EQ(gs.rip, 0x10000c);
    check_boot_area(&gs, false);
    CHECK(untouched(0x10000, 0x6000));              /* no page tables for 32-bit */
    free_image(&im);
}

TEST(elf_truncated_at_every_size)
{
    reset();
    struct guest_image full = elf_build(true, 62, 0xffffffff80200040ull, segs64, 3, 0x3500);
    struct guest_start gs;
    for (size_t n = 0; n < full.size; n++) {
        struct guest_image im = { full.data, n, "" };
        err[0] = 0;
        if (elf_load(&env, &im, &gs, err, sizeof(err)) != LOADER_BAD_INPUT ||
            !starts_with(err, "elf: ")) {
            UNIT_FAIL_("size %zu: \"%s\"", n, err);
            break;
        }
    }
    CHECK(untouched(0x10000, 0x10000));
    CHECK(untouched(0x200000, 0x1800));
    struct guest_image im = { full.data, 40, "" };
    CHECK_ERR(elf_load(&env, &im, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "elf: truncated ELF header: file is 40 bytes, need 64");
    im.size = 100;
    CHECK_ERR(elf_load(&env, &im, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "elf: truncated program headers: file is 100 bytes, they are at 0x40+0xa8");
    im.size = 0x3400;
    CHECK_ERR(elf_load(&env, &im, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "elf: segment 2: file range 0x3000+0x500 runs past the end of the file "
                   "(13312 bytes)");
    free_image(&full);
}

TEST(elf_bad_segments)
{
    struct guest_start gs;
    struct guest_image im;
#define ELF_CASE(is64, machine, entry, want, ...)                                    \
    do {                                                                         \
        reset();                                                                 \
        static const struct seg s_[] = { __VA_ARGS__ };                          \
        im = elf_build(is64, machine, entry, s_, sizeof(s_) / sizeof(s_[0]), 0x3000); \
        CHECK_ERR(elf_load(&env, &im, &gs, err, sizeof(err)), "");               \
        CHECK_STR(err, want);                                                    \
        CHECK(untouched(0x100000, 0x3000));                                      \
        free_image(&im);                                                         \
    } while (0)

    ELF_CASE(false, 3, 0x100000, "elf: segments overlap: 0x100000-0x101fff and 0x101000-0x101fff",
             { 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x2000 },
             { 1, 0x2000, 0x101000, 0x101000, 0x1000, 0x1000 });
    ELF_CASE(false, 3, 0x1800000, "elf: segment 0x1800000-0x1800fff outside guest memory",
             { 1, 0x1000, 0x1800000, 0x1800000, 0x1000, 0x1000 });
    ELF_CASE(false, 3, 0x100000, "elf: segment 0x101000-0x2100fff outside guest memory",
             { 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
             { 1, 0x2000, 0x101000, 0x101000, 0x1000, 0x2000000 });
    ELF_CASE(false, 3, 0x100000, "elf: segment 0: 0x100000+0xffffffff wraps around the 32-bit "
             "address space", { 1, 0x1000, 0x100000, 0x100000, 0x1000, 0xffffffff });
    ELF_CASE(true, 62, 0x100000, "elf: segment 0: 0x100000+0xffffffffffffffff wraps around the "
             "64-bit address space", { 1, 0x1000, 0x100000, 0x100000, 0x1000, UINT64_MAX });
    ELF_CASE(true, 62, 0x100000, "elf: segment 0x100000-0x1000ffffe outside guest memory",
             { 1, 0x1000, 0x100000, 0x100000, 0x1000, 0xffffffff });
    ELF_CASE(false, 3, 0x100000, "elf: segment 0: p_memsz 0xfff smaller than p_filesz 0x1000",
             { 1, 0x1000, 0x100000, 0x100000, 0x1000, 0xfff });
    ELF_CASE(true, 62, 0x100000, "elf: segment 0: file range 0xffffffffffffff00+0x1000 runs past "
             "the end of the file (12288 bytes)",
             { 1, 0xffffffffffffff00ull, 0x100000, 0x100000, 0x1000, 0x1000 });
    ELF_CASE(false, 3, 0x200000, "elf: entry point 0x200000 is in no loadable segment",
             { 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 });
    ELF_CASE(false, 3, 0x100000, "elf: no loadable segment", { 4, 0, 0, 0, 0, 0 });
    ELF_CASE(false, 3, 0x100000, "elf: PT_INTERP: a dynamically linked executable, need a static one",
             { 3, 0x1000, 0, 0, 0x10, 0x10 });
    ELF_CASE(false, 3, 0x10000, "elf: segment 0x10000-0x10fff overlaps the boot area 0x10000-0x1ffff",
             { 1, 0x1000, 0x10000, 0x10000, 0x1000, 0x1000 });
    ELF_CASE(true, 3, 0x100000, "elf: ELF64 machine 3 is not EM_X86_64 (62)",
             { 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 });
    ELF_CASE(false, 62, 0x100000, "elf: ELF32 machine 62 is not EM_386 (3)",
             { 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 });
#undef ELF_CASE
}

TEST(elf_bad_headers)
{
    static const struct seg s[] = { { 1, 0x1000, 0x100000, 0x100000, 0x100, 0x100 } };
    struct guest_start gs;
    struct {
        size_t off;
        uint8_t val;
        const char *want;
    } cases[] = {
        { 0, 0x7e, "elf: not an ELF file (no \\x7fELF magic)" },
        { 4, 3, "elf: bad ELF class 3 (need 1 = ELF32 or 2 = ELF64)" },
        { 5, 2, "elf: ELF data encoding 2 is not little-endian" },
        { 6, 0, "elf: bad ELF version 0" },
        { 16, 3, "elf: not a static executable (e_type 3, need ET_EXEC 2)" },
        { 20, 2, "elf: bad ELF e_version 2" },
        { 42, 31, "elf: program header size 31 too small (need 32)" },
        { 44, 0, "elf: no program headers (e_phnum 0)" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        reset();
        struct guest_image im = elf_build(false, 3, 0x100000, s, 1, 0x1100);
        ((uint8_t *)im.data)[cases[i].off] = cases[i].val;
        CHECK_ERR(elf_load(&env, &im, &gs, err, sizeof(err)), "");
        CHECK_STR(err, cases[i].want);
        free_image(&im);
    }
    /* More PT_LOADs than the loader keeps. */
    reset();
    struct seg many[33];
    for (size_t i = 0; i < 33; i++)
        many[i] = (struct seg){ 1, 0x1000, 0x100000 + 0x1000 * i, 0x100000 + 0x1000 * i, 0x10, 0x10 };
    struct guest_image im = elf_build(false, 3, 0x100000, many, 33, 0x1100);
    CHECK_ERR(elf_load(&env, &im, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "elf: too many PT_LOAD segments (max 32)");
    free_image(&im);
}

/* ---- Multiboot ---------------------------------------------------------------- */

static void mb_header(uint8_t *d, size_t off, uint32_t flags)
{
    p32(d + off, 0x1badb002);
    p32(d + off + 4, flags);
    p32(d + off + 8, (uint32_t)-(0x1badb002u + flags));
}

static const struct seg mb_segs[] = {
    { 1, 0x1000, 0xc0100000, 0x100000, 0x2000, 0x2000 },
    { 1, 0x3000, 0xc0102000, 0x102000, 0x800, 0x3000 },
};

static struct guest_image mb_elf(uint32_t flags)
{
    struct guest_image im = elf_build(false, 3, 0xc0100010, mb_segs, 2, 0x3800);
    mb_header((uint8_t *)im.data, 0x200, flags);
    im.cmdline = "console=ttyS0 quiet";
    return im;
}

static uint32_t mbi(uint32_t off) { return g32(0x17000 + off); }

TEST(multiboot_elf_with_modules)
{
    reset();
    struct guest_image k = mb_elf(0x3 | 0x4);       /* page-align, memory info, video (ignored) */
    struct guest_image mods[3] = { blob(0x1800, 9, "initrd.img arg=1"), blob(10, 11, "second"),
                                   { (const uint8_t *)"", 0, NULL } };
    struct guest_start gs;
    int rc = multiboot_load(&env, &k, mods, 3, &gs, err, sizeof(err));
    CHECK_STR(err, "");
    REQUIRE(rc == LOADER_OK);

    CHECK(seg_loaded(&k, &mb_segs[0], 2));
    CHECK(seg_loaded(&k, &mb_segs[1], 3));
    check_boot_area(&gs, false);
    CHECK_EQ(gs.rip, 0x100010);
    CHECK_EQ(gs.rax, 0x2badb002);
    CHECK_EQ(gs.rbx, 0x17000);

    CHECK_EQ(mbi(0), 0x24d);                        /* mem, cmdline, mods, mmap, loader name */
    CHECK_EQ(mbi(4), 639);                          /* 0x9fc00 / 1024 */
    CHECK_EQ(mbi(8), 23 * 1024);                    /* 1 MiB .. the hole at 24 MiB */
    CHECK_STR((char *)ram + mbi(16), "console=ttyS0 quiet");
    CHECK_STR((char *)ram + mbi(64), "Skiff");

    CHECK_EQ(mbi(20), 3);
    uint32_t m = mbi(24);
    uint32_t want_start[3] = { 0x105000, 0x107000, 0x108000 };
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(g32(m + 16 * i), want_start[i]);
        CHECK_EQ(g32(m + 16 * i + 4), want_start[i] + mods[i].size);
        CHECK_EQ(g32(m + 16 * i + 12), 0);
        if (mods[i].size)
            CHECK(memcmp(ram + want_start[i], mods[i].data, mods[i].size) == 0);
    }
    CHECK_STR((char *)ram + g32(m + 8), "initrd.img arg=1");
    CHECK_STR((char *)ram + g32(m + 16 + 8), "second");
    CHECK_STR((char *)ram + g32(m + 32 + 8), "");

    CHECK_EQ(mbi(44), 24 * map.n);
    uint32_t mm = mbi(48);
    for (size_t i = 0; i < map.n; i++) {
        CHECK_EQ(g32(mm + 24 * i), 20);
        CHECK_EQ(g64(mm + 24 * i + 4), map.e[i].base);
        CHECK_EQ(g64(mm + 24 * i + 12), map.e[i].len);
        CHECK_EQ(g32(mm + 24 * i + 20), map.e[i].type);
    }
    free_image(&k);
    free_image(&mods[0]);
    free_image(&mods[1]);
}

/* An a.out-kludge kernel: header at file offset 0x20, text loaded at 2 MiB. */
static struct guest_image mb_aout(uint32_t load_end, uint32_t bss_end, size_t size)
{
    struct guest_image im = blob(size, 21, "");
    uint8_t *d = (uint8_t *)im.data;
    memset(d, 0, 0x40);
    mb_header(d, 0x20, 1u << 16);
    p32(d + 0x2c, 0x200020);                         /* header_addr */
    p32(d + 0x30, 0x200000);                         /* load_addr */
    p32(d + 0x34, load_end);
    p32(d + 0x38, bss_end);
    p32(d + 0x3c, 0x200040);                         /* entry_addr */
    return im;
}

TEST(multiboot_aout_kludge)
{
    reset();
    struct guest_image k = mb_aout(0x201000, 0x203000, 0x1400);
    struct guest_start gs;
    REQUIRE(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK(memcmp(ram + 0x200000, k.data, 0x1000) == 0);
    CHECK(ram[0x201000] == 0 && ram[0x202fff] == 0 && ram[0x203000] == 0xcc);
    CHECK_EQ(gs.rip, 0x200040);
    CHECK_EQ(mbi(20), 0);
    CHECK_STR((char *)ram + mbi(16), "");
    free_image(&k);

    /* load_end_addr 0: the whole file; bss_end_addr 0: no bss. */
    reset();
    k = mb_aout(0, 0, 0x1400);
    REQUIRE(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK(memcmp(ram + 0x200000, k.data, 0x1400) == 0);
    CHECK_EQ(ram[0x201400], 0xcc);
    free_image(&k);

    /* Truncation: every size short of load_end_addr fails before writing. */
    reset();
    k = mb_aout(0x201000, 0x203000, 0x1000);
    for (size_t n = 0; n < 0x1000; n++) {
        struct guest_image t = { k.data, n, "" };
        err[0] = 0;
        if (multiboot_load(&env, &t, NULL, 0, &gs, err, sizeof(err)) != LOADER_BAD_INPUT ||
            !starts_with(err, n < 0x2c ? "multiboot: no Multiboot header" :
                              "multiboot: truncated file: ")) {
            UNIT_FAIL_("size %zu: \"%s\"", n, err);
            break;
        }
    }
    CHECK(untouched(0x10000, 0x10000));
    CHECK(untouched(0x200000, 0x1000));
    struct guest_image t = { k.data, 0x30, "" };
    CHECK_ERR(multiboot_load(&env, &t, NULL, 0, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: truncated file: 48 bytes, the a.out kludge fields at 0x2c-0x3f run "
                   "past its end");
    t.size = 0xfff;
    CHECK_ERR(multiboot_load(&env, &t, NULL, 0, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: truncated file: 4095 bytes, the a.out kludge loads 0x1000 bytes "
                   "from offset 0x0");
    free_image(&k);
}

TEST(multiboot_aout_bad_fields)
{
    struct guest_start gs;
    struct {
        size_t off;
        uint32_t val;
        const char *want;
    } cases[] = {
        { 0x2c, 0x200100, "multiboot: bad a.out kludge: load_addr 0x200000, header_addr 0x200100 "
                          "put the image start before the file's" },
        { 0x30, 0x200030, "multiboot: bad a.out kludge: load_addr 0x200030, header_addr 0x200020 "
                          "put the image start before the file's" },
        { 0x34, 0x1ff000, "multiboot: bad a.out kludge: load_end_addr 0x1ff000 below load_addr "
                          "0x200000" },
        { 0x38, 0x200800, "multiboot: bad a.out kludge: bss_end_addr 0x200800 below the end of "
                          "the loaded image 0x201000" },
        { 0x3c, 0x203000, "multiboot: entry_addr 0x203000 outside the image 0x200000-0x202fff" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        reset();
        struct guest_image k = mb_aout(0x201000, 0x203000, 0x1400);
        p32((uint8_t *)k.data + cases[i].off, cases[i].val);
        CHECK_ERR(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)), "");
        CHECK_STR(err, cases[i].want);
        free_image(&k);
    }
    /* The image lands in the reserved hole / runs off 4 GiB. */
    reset();
    struct guest_image k = mb_aout(0, 0xfffff000, 0x1400);
    CHECK_ERR(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)),
              "multiboot: segment 0x200000-0xffffefff outside guest memory");
    free_image(&k);
}

TEST(multiboot_header_search)
{
    struct guest_start gs;
    reset();
    struct guest_image k = blob(0x4000, 1, "");
    uint8_t *d = (uint8_t *)k.data;
    memset(d, 0, 0x4000);
    CHECK_ERR(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: no Multiboot header in the first 8192 bytes");

    mb_header(d, 8192, 1u << 16);                   /* just past the search window */
    CHECK_ERR(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: no Multiboot header in the first 8192 bytes");
    mb_header(d, 0x102, 1u << 16);                  /* not 4-byte aligned */
    CHECK_ERR(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: no Multiboot header in the first 8192 bytes");

    mb_header(d, 8180, 0);                          /* last slot; no kludge, not ELF */
    CHECK_ERR(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: not an ELF32 i386 executable (and header flag 16, the a.out "
                   "kludge, is clear)");
    p32(d + 8188, 0);                               /* break its checksum */
    CHECK_ERR(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: bad header checksum");
    free_image(&k);

    reset();
    k = mb_elf(0x8 | 0x3);
    CHECK_ERR(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: unsupported required header flags 0x8");
    free_image(&k);

    /* An ELF64 kernel without the kludge. */
    reset();
    k = elf_build(true, 62, 0x200040, segs64, 3, 0x3500);
    mb_header((uint8_t *)k.data, 0x400, 0);
    CHECK_ERR(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: not an ELF32 i386 executable (and header flag 16, the a.out "
                   "kludge, is clear)");
    free_image(&k);
}

TEST(multiboot_elf_errors)
{
    struct guest_start gs;
    reset();
    struct guest_image full = mb_elf(0);
    for (size_t n = 0; n < full.size; n++) {
        struct guest_image k = { full.data, n, "" };
        err[0] = 0;
        if (multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)) != LOADER_BAD_INPUT ||
            !starts_with(err, "multiboot: ")) {
            UNIT_FAIL_("size %zu: \"%s\"", n, err);
            break;
        }
    }
    CHECK(untouched(0x10000, 0x10000));
    CHECK(untouched(0x100000, 0x5000));
    free_image(&full);

    static const struct seg hole[] = { { 1, 0x1000, 0x1800000, 0x1800000, 0x1000, 0x1000 } };
    full = elf_build(false, 3, 0x1800000, hole, 1, 0x2000);
    mb_header((uint8_t *)full.data, 0x200, 0);
    CHECK_ERR(multiboot_load(&env, &full, NULL, 0, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: segment 0x1800000-0x1800fff outside guest memory");
    free_image(&full);

    static const struct seg ovl[] = { { 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x2000 },
                                      { 1, 0x1000, 0x101000, 0x101000, 0x1000, 0x1000 } };
    full = elf_build(false, 3, 0x100000, ovl, 2, 0x2000);
    mb_header((uint8_t *)full.data, 0x200, 0);
    CHECK_ERR(multiboot_load(&env, &full, NULL, 0, &gs, err, sizeof(err)),
              "multiboot: segments overlap: ");
    free_image(&full);
}

TEST(multiboot_limits)
{
    struct guest_start gs;
    reset();
    struct guest_image k = mb_elf(0);
    static struct guest_image mods[65];
    for (int i = 0; i < 65; i++)
        mods[i] = (struct guest_image){ (const uint8_t *)"x", 1, "m" };
    CHECK_ERR(multiboot_load(&env, &k, mods, 65, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: too many modules (65, max 64)");
    CHECK_EQ(multiboot_load(&env, &k, mods, 64, &gs, err, sizeof(err)), LOADER_OK);

    reset();
    static char big[8192];
    memset(big, 's', 200);
    for (int i = 0; i < 64; i++)
        mods[i].cmdline = big;
    CHECK_ERR(multiboot_load(&env, &k, mods, 64, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: module command lines too long (12870 bytes, limit 8192)");

    memset(big, 'c', 4096);
    k.cmdline = big;
    CHECK_ERR(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: command line too long (4096 bytes, limit 4095)");
    k.cmdline = "";

    struct guest_image huge = { NULL, 40 * MIB, "huge" };
    huge.data = calloc(1, huge.size);
    REQUIRE(huge.data);
    CHECK_ERR(multiboot_load(&env, &k, &huge, 1, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "multiboot: no guest RAM for module 0 (41943040 bytes) above 0x105000");
    free_image(&huge);

    /* Modules skip the reserved hole: 23 MiB fits only above 26 MiB. */
    reset();
    huge = blob(23 * MIB, 4, "big");
    REQUIRE(multiboot_load(&env, &k, &huge, 1, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(g32(mbi(24)), 26 * MIB);
    CHECK(memcmp(ram + 26 * MIB, huge.data, huge.size) == 0);
    free_image(&huge);
    free_image(&k);
}

/* ---- what the firmware hands the guest: the RSDP's address and the screen ---- */

/* Guest RAM doubles as the host's memory where the firmware's RSDPs lie (identity-mapped guests). */
static const void *host_map(void *ctx, uint64_t pa, uint64_t len)
{
    (void)ctx;
    return len && pa < RAM_SIZE && len <= RAM_SIZE - pa ? ram + pa : NULL;
}

/* An RSDP of revision rev (0: 20 bytes, 2: 36) at pa with valid checksums. */
static void put_rsdp(uint8_t *p, uint8_t rev, uint32_t rsdt)
{
    memset(p, 0, 36);
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, "SKIFFT", 6);
    p[15] = rev;
    p32(p + 16, rsdt);
    if (rev >= 2) {
        p32(p + 20, 36);
        p64(p + 24, 0x7fe1000);
    }
    uint8_t sum = 0;
    for (int i = 0; i < 20; i++)
        sum += p[i];
    p[8] = (uint8_t)-sum;
    if (rev >= 2) {
        sum = 0;
        for (int i = 0; i < 36; i++)
            sum += p[i];
        p[32] = (uint8_t)-sum;
    }
}

/* A Multiboot2 information block: the RSDP tags asked for, a framebuffer tag (fb_type < 0: none). */
static size_t mb2_block(uint8_t *b, bool old_tag, bool new_tag, int fb_type, uint64_t fb_addr)
{
    size_t off = 8;
    if (old_tag) {                                   /* tag 14: the ACPI 1.0 RSDP */
        p32(b + off, 14), p32(b + off + 4, 8 + 20);
        put_rsdp(b + off + 8, 0, 0x7fe0000);
        off += 32;
    }
    if (new_tag) {                                   /* tag 15: the ACPI 2.0 RSDP */
        p32(b + off, 15), p32(b + off + 4, 8 + 36);
        put_rsdp(b + off + 8, 2, 0x7fe0000);
        off += 48;
    }
    if (fb_type >= 0) {                              /* tag 8: framebuffer */
        uint8_t *t = b + off;
        memset(t, 0, 40);
        p32(t, 8), p32(t + 4, 38);
        p64(t + 8, fb_addr);
        if (fb_type == 2) {
            p32(t + 16, 160), p32(t + 20, 80), p32(t + 24, 25);
            t[28] = 16;
        } else {                                     /* 1024x768x32, x8r8g8b8, padded lines */
            p32(t + 16, 4352), p32(t + 20, 1024), p32(t + 24, 768);
            t[28] = 32;
            uint8_t rgb[6] = { 16, 8, 8, 8, 0, 8 };
            memcpy(t + 32, rgb, 6);
        }
        t[29] = (uint8_t)fb_type;
        off += 40;
    }
    p32(b + off, 0), p32(b + off + 4, 8);
    off += 8;
    p32(b, (uint32_t)off);
    p32(b + 4, 0);
    return off;
}

/* Parse the block and fill env as guest/loader/boot.c does. */
static void env_from_mb2(uint8_t *block, struct mb2_info *mb, bool efi)
{
    REQUIRE(mb2_parse(block, 512, mb).err == MB2_OK);
    enum acpi_rsdp_where where;
    env.acpi_rsdp = acpi_rsdp_locate(mb, host_map, NULL, &where);
    env.screen = (struct guest_screen){ mb->has_fb ? &mb->fb : NULL, efi };
}

static struct mb2_info mbinfo;
static _Alignas(8) uint8_t mbblock[512];

/* acpi_rsdp_addr is the firmware's RSDP that GRUB's copy came from: tag 15's when both are given. */
TEST(linux_acpi_rsdp_from_mb2)
{
    reset();
    put_rsdp(ram + 0xf5a10, 0, 0x7fe0000);          /* the BIOS area holds both, as Bochs' does */
    put_rsdp(ram + 0xe1230, 2, 0x7fe0000);
    struct bz b = bz_default();
    struct guest_image k = bz_build(&b, NULL);
    struct guest_start gs;
    uint64_t bp = 0x17000;

    mb2_block(mbblock, true, true, -1, 0);
    env_from_mb2(mbblock, &mbinfo, false);
    REQUIRE(linux_load(&env, &k, NULL, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(g64(bp + 0x70), 0xe1230);

    put_rsdp(ram + 0xf5a10, 0, 0x7fe0000);
    put_rsdp(ram + 0xe1230, 2, 0x7fe0000);
    mb2_block(mbblock, true, false, -1, 0);         /* only the old tag */
    env_from_mb2(mbblock, &mbinfo, false);
    REQUIRE(linux_load(&env, &k, NULL, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(g64(bp + 0x70), 0xf5a10);

    put_rsdp(ram + 0xf5a10, 0, 0x7fe0000);
    mb2_block(mbblock, false, false, -1, 0);        /* no tag: nothing to give */
    env_from_mb2(mbblock, &mbinfo, false);
    REQUIRE(linux_load(&env, &k, NULL, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(g64(bp + 0x70), 0);
    free_image(&k);

    /* Protocol 2.13 has no acpi_rsdp_addr: the field stays zero. */
    put_rsdp(ram + 0xe1230, 2, 0x7fe0000);
    mb2_block(mbblock, true, true, -1, 0);
    env_from_mb2(mbblock, &mbinfo, false);
    b.version = 0x020d;
    k = bz_build(&b, NULL);
    REQUIRE(linux_load(&env, &k, NULL, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(g64(bp + 0x70), 0);
    free_image(&k);
}

static uint64_t linux_with_screen(int fb_type, uint64_t fb_addr, bool efi)
{
    reset();
    struct bz b = bz_default();
    struct guest_image k = bz_build(&b, NULL);
    struct guest_start gs;
    mb2_block(mbblock, false, false, fb_type, fb_addr);
    env_from_mb2(mbblock, &mbinfo, efi);
    REQUIRE(linux_load(&env, &k, NULL, &gs, err, sizeof(err)) == LOADER_OK);
    free_image(&k);
    return 0x17000;                                 /* screen_info: boot_params offset 0 */
}

/* EGA text (BIOS): Linux's vgacon takes it, VGA+ colour, mode 3, 80x25, cursor on the last row. */
TEST(linux_screen_info_ega_text)
{
    uint64_t si = linux_with_screen(2, 0xb8000, false);
    CHECK_EQ(ram[si + 0x00], 0);                    /* orig_x */
    CHECK_EQ(ram[si + 0x01], 24);                   /* orig_y */
    CHECK_EQ(ram[si + 0x06], 3);                    /* orig_video_mode */
    CHECK_EQ(ram[si + 0x07], 80);                   /* orig_video_cols */
    CHECK_EQ(g16(si + 0x0a), 3);                    /* orig_video_ega_bx: not 0x10 (EGA/VGA) */
    CHECK_EQ(ram[si + 0x0e], 25);                   /* orig_video_lines */
    CHECK_EQ(ram[si + 0x0f], 0x22);                 /* orig_video_isVGA = VIDEO_TYPE_VGAC */
    CHECK_EQ(g16(si + 0x10), 16);                   /* orig_video_points */
    CHECK_EQ(g32(si + 0x18), 0);                    /* no linear framebuffer */
    CHECK_EQ(g16(si + 0x12), 0);

    si = linux_with_screen(2, 0xa0000, false);      /* text elsewhere: vgacon assumes 0xb8000 */
    CHECK_EQ(ram[si + 0x0f], 0);
    CHECK_EQ(ram[si + 0x07], 0);
    si = linux_with_screen(-1, 0, false);           /* no screen: screen_info stays zero */
    for (unsigned i = 0; i < 0x40; i++)
        CHECK_EQ(ram[si + i], 0);
}

static void check_lfb(uint64_t si, uint8_t type, uint64_t base, uint32_t size)
{
    CHECK_EQ(ram[si + 0x0f], type);                 /* orig_video_isVGA */
    CHECK_EQ(g16(si + 0x12), 1024);                 /* lfb_width */
    CHECK_EQ(g16(si + 0x14), 768);                  /* lfb_height */
    CHECK_EQ(g16(si + 0x16), 32);                   /* lfb_depth */
    CHECK_EQ(g32(si + 0x18), (uint32_t)base);       /* lfb_base */
    CHECK_EQ(g32(si + 0x1c), size);                 /* lfb_size */
    CHECK_EQ(g16(si + 0x24), 4352);                 /* lfb_linelength */
    const uint8_t fields[8] = { 8, 16, 8, 8, 8, 0, 8, 24 };   /* red, green, blue, rsvd: size, pos */
    for (unsigned i = 0; i < 8; i++)
        CHECK_EQ(ram[si + 0x26 + i], fields[i]);
    CHECK_EQ(g16(si + 0x32), 1);                    /* pages */
    CHECK_EQ(ram[si + 0x07], 128);                  /* text cells, as a boot loader gives them */
    CHECK_EQ(ram[si + 0x0e], 48);
    bool high = base >> 32;
    CHECK_EQ(g32(si + 0x36), high ? 2u : 0u);       /* capabilities: VIDEO_CAPABILITY_64BIT_BASE */
    CHECK_EQ(g32(si + 0x3a), (uint32_t)(base >> 32)); /* ext_lfb_base */
}

/* A GOP framebuffer: VIDEO_TYPE_EFI for efifb/simpledrm, size in bytes, a base above 4 GiB split. */
TEST(linux_screen_info_efi_gop)
{
    check_lfb(linux_with_screen(1, 0x80000000, true), 0x70, 0x80000000, 4352 * 768);
    check_lfb(linux_with_screen(1, 0x4000000000ull, true), 0x70, 0x4000000000ull, 4352 * 768);
}

/* A VESA linear framebuffer (BIOS): VIDEO_TYPE_VLFB, lfb_size in 64 KiB units, rounded up. */
TEST(linux_screen_info_vesa)
{
    check_lfb(linux_with_screen(1, 0xfd000000, false), 0x23, 0xfd000000, (4352 * 768 + 0xffff) >> 16);
}

/* Multiboot (3.3 framebuffer_*, flags bit 12): the screen as GRUB gives it to a Multiboot kernel. */
TEST(multiboot_framebuffer)
{
    reset();
    struct guest_image k = mb_elf(0x3);
    struct guest_start gs;
    mb2_block(mbblock, false, false, 2, 0xb8000);
    env_from_mb2(mbblock, &mbinfo, false);
    REQUIRE(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(mbi(0), 0x124d);                       /* ... and framebuffer */
    CHECK_EQ(g64(0x17000 + 88), 0xb8000);
    CHECK_EQ(mbi(96), 160);
    CHECK_EQ(mbi(100), 80);
    CHECK_EQ(mbi(104), 25);
    CHECK_EQ(ram[0x17000 + 108], 16);
    CHECK_EQ(ram[0x17000 + 109], 2);                /* EGA text */

    reset();
    mb2_block(mbblock, false, false, 1, 0x4000000000ull);
    env_from_mb2(mbblock, &mbinfo, true);
    REQUIRE(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(mbi(0), 0x124d);
    CHECK_EQ(g64(0x17000 + 88), 0x4000000000ull);
    CHECK_EQ(mbi(96), 4352);
    CHECK_EQ(mbi(100), 1024);
    CHECK_EQ(mbi(104), 768);
    CHECK_EQ(ram[0x17000 + 108], 32);
    CHECK_EQ(ram[0x17000 + 109], 1);
    const uint8_t rgb[6] = { 16, 8, 8, 8, 0, 8 };
    CHECK(memcmp(ram + 0x17000 + 110, rgb, 6) == 0);

    reset();                                        /* no screen: flag clear, fields zero */
    REQUIRE(multiboot_load(&env, &k, NULL, 0, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(mbi(0), 0x24d);
    CHECK_EQ(g64(0x17000 + 88), 0);
    free_image(&k);
}

/* ---- flat ----------------------------------------------------------------------- */

TEST(flat_modes)
{
    struct guest_start gs;
    reset();
    struct guest_image im = blob(512, 3, "");
    REQUIRE(flat_load(&env, &im, 0x7c00, 0x7c00, 16, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK(memcmp(ram + 0x7c00, im.data, 512) == 0);
    CHECK_EQ(gs.mode, GUEST_MODE_REAL);
    CHECK_EQ(gs.real_cs_base, 0);
    CHECK_EQ(gs.rip, 0x7c00);
    CHECK_EQ(gs.cr0, 0x10);
    CHECK_EQ(gs.idt_limit, 0x3ff);
    CHECK(untouched(0x10000, 0x10000));             /* real mode uses no boot area */

    reset();
    REQUIRE(flat_load(&env, &im, 0x91000, 0x91034, 16, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK_EQ(gs.real_cs_base, 0x90000);
    CHECK_EQ(gs.rip, 0x1034);

    reset();
    REQUIRE(flat_load(&env, &im, 0x100000, 0x100100, 32, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK(memcmp(ram + 0x100000, im.data, 512) == 0);
    CHECK_EQ(gs.rip, 0x100100);
    check_boot_area(&gs, false);

    reset();
    REQUIRE(flat_load(&env, &im, 0x2000000, 0x2000000, 64, &gs, err, sizeof(err)) == LOADER_OK);
    CHECK(memcmp(ram + 0x2000000, im.data, 512) == 0);
    CHECK_EQ(gs.rip, 0x2000000);
    check_boot_area(&gs, true);
    free_image(&im);
}

TEST(flat_errors)
{
    struct guest_start gs;
    reset();
    struct guest_image im = blob(0x1000, 3, "");
    CHECK_ERR(flat_load(&env, &im, 0x100000, 0x100000, 8, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "flat: bad mode 8 (need 16, 32 or 64)");
    CHECK_ERR(flat_load(&env, &im, 0x100000, 0x101000, 32, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "flat: entry 0x101000 outside the image 0x100000-0x100fff");
    CHECK_ERR(flat_load(&env, &im, 0x17ff800, 0x17ff800, 64, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "flat: image 0x17ff800+0x1000 outside guest memory");
    CHECK_ERR(flat_load(&env, &im, UINT64_MAX - 0x10, 0, 32, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "flat: image 0xffffffffffffffef+0x1000 outside guest memory");
    CHECK_ERR(flat_load(&env, &im, 0x1f800, 0x1f800, 32, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "flat: image 0x1f800-0x207ff overlaps the boot area 0x10000-0x1ffff");
    reset();
    map.n = 0;
    map_add(0, 0x9fc00, E820_RAM);
    CHECK_ERR(flat_load(&env, &im, 0x100000, 0x100000, 16, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "flat: image 0x100000+0x1000 outside guest memory");
    reset();
    map.n = 0;
    map_add(0, 0x200000, E820_RAM);
    CHECK_ERR(flat_load(&env, &im, 0xff800, 0x100000, 16, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "flat: 16-bit entry 0x100000 is not below 1 MiB");
    struct guest_image empty = { im.data, 0, "" };
    CHECK_ERR(flat_load(&env, &empty, 0x100000, 0x100000, 32, &gs, err, sizeof(err)), "");
    CHECK_STR(err, "flat: empty image");
    free_image(&im);
}

TEST(error_buffer_truncates)
{
    reset();
    struct guest_start gs;
    char small[8];
    struct guest_image im = blob(16, 1, "");
    CHECK_EQ(elf_load(&env, &im, &gs, small, sizeof(small)), LOADER_BAD_INPUT);
    CHECK_STR(small, "elf: no");
    CHECK_EQ(elf_load(&env, &im, &gs, NULL, 0), LOADER_BAD_INPUT);
    free_image(&im);
}

UNIT_MAIN(T(linux_basic), T(linux_no_initrd_old_acpi_setup_sects_zero),
          T(linux_pref_not_ram_relocates), T(linux_fallback_below_16mib),
          T(linux_initrd_avoids_kernel), T(linux_skips_refused_ram), T(linux_command_line_limits),
          T(linux_truncated_at_every_size), T(linux_bad_headers), T(linux_absurd_pref_relocates),
          T(linux_initrd_too_large), T(linux_boot_area_not_ram), T(elf64_load), T(elf32_load),
          T(elf_truncated_at_every_size), T(elf_bad_segments), T(elf_bad_headers),
          T(multiboot_elf_with_modules), T(multiboot_aout_kludge), T(multiboot_aout_bad_fields),
          T(multiboot_header_search), T(multiboot_elf_errors), T(multiboot_limits),
          T(linux_acpi_rsdp_from_mb2), T(linux_screen_info_ega_text), T(linux_screen_info_efi_gop),
          T(linux_screen_info_vesa), T(multiboot_framebuffer),
          T(flat_modes), T(flat_errors), T(error_buffer_truncates))
