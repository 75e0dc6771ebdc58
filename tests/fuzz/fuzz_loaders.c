// SOURCES: guest/loader/linux.c guest/loader/linux_screen.c guest/loader/multiboot.c guest/loader/elf.c guest/loader/flat.c guest/loader/loader_common.c kernel/lib/format.c
/*
 * libFuzzer harness for the guest image loaders (guest/loader/linux.c,
 * multiboot.c, elf.c, flat.c) over an 8 MiB fake guest memory with a
 * reserved hole.  Input: a 12-byte control prefix, then the image.
 *
 *   byte 0      loader: 0 linux, 1 multiboot, 2 elf, 3 flat (mod 4)
 *   byte 1      linux: bit 0 initrd, bits 1-2 command line choice;
 *               multiboot: bits 0-1 module count, bits 2-3 command line;
 *               flat: bits 0-1 mode (16, 32, 64, byte 3), bit 2 clamp addr/entry
 *   bytes 2-3   linux initrd / multiboot module length (taken from the image's tail)
 *   bytes 4-11  flat: addr, entry (32 bits each)
 *
 * Each image is an exactly-sized heap copy, so ASan catches any read past
 * it; guest memory is a separate heap block that gpa_ptr bounds.  Checks
 * (trap on failure): an error is a non-empty, NUL-terminated line with the
 * loader's prefix and the boot area is left as it was; success gives a sane
 * guest_start.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/loader/loader.h"

#define CHECK(c)                                                        \
    do {                                                                \
        if (!(c)) {                                                     \
            fprintf(stderr, "fuzz_loaders: CHECK(%s) failed at line %d\n", #c, __LINE__); \
            __builtin_trap();                                           \
        }                                                               \
    } while (0)

#define RAM_SIZE (8u << 20)

static uint8_t *ram;
static struct guest_memmap map = {
    .n = 5,
    .e = { { 0, 0x9fc00, E820_RAM },
           { 0xf0000, 0x10000, E820_RESERVED },
           { 0x100000, 0x300000, E820_RAM },
           { 0x400000, 0x80000, E820_RESERVED },
           { 0x480000, RAM_SIZE - 0x480000, E820_RAM } },
};

static void *fake_gpa_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
    const struct guest_memmap *m = ctx;
    CHECK(len != 0);
    if (len > UINT64_MAX - gpa)
        return NULL;
    for (size_t i = 0; i < m->n; i++)
        if (m->e[i].type == E820_RAM && gpa >= m->e[i].base &&
            gpa + len <= m->e[i].base + m->e[i].len)
            return ram + gpa;
    return NULL;
}

static struct guest_loader_env env = { &map, fake_gpa_ptr, &map, 0xf5a10, { 0 } };
static struct mb2_framebuffer fb;

static char long_cmdline[5001];

static const char *pick_cmdline(unsigned k)
{
    static const char *const c[] = { "", "console=ttyS0 root=/dev/vda", long_cmdline + 4700,
                                      long_cmdline };
    return c[k & 3];
}

static uint8_t boot_copy[0x10000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ram) {
        ram = calloc(1, RAM_SIZE);
        if (!ram)
            return 0;
        memset(long_cmdline, 'x', sizeof(long_cmdline) - 1);
    }
    if (size < 12 || size > (1u << 20))
        return 0;
    uint8_t sel = data[0] & 3, b1 = data[1];
    size_t tail = (size_t)(data[2] | data[3] << 8);
    uint32_t addr, entry;
    memcpy(&addr, data + 4, 4);
    memcpy(&entry, data + 8, 4);

    size_t n = size - 12;
    uint8_t *img = malloc(n ? n : 1);
    if (!img)
        return 0;
    memcpy(img, data + 12, n);
    if (tail > n)
        tail = n;

    /* The boot area gets a fresh pattern; a failing loader must leave it alone. */
    memset(ram + 0x10000, 0xa5, sizeof(boot_copy));
    memcpy(boot_copy, ram + 0x10000, sizeof(boot_copy));

    /* Data byte 1 bit 7: a screen (Linux screen_info, Multiboot framebuffer_*) from the input's
     * last 32 bytes; bit 6: set up by UEFI. */
    env.screen = (struct guest_screen){ 0 };
    if ((b1 & 0x80) && n >= 32) {
        const uint8_t *t = data + size - 32;
        memcpy(&fb.addr, t, 8);
        memcpy(&fb.pitch, t + 8, 4);
        memcpy(&fb.width, t + 12, 4);
        memcpy(&fb.height, t + 16, 4);
        fb.bpp = t[20], fb.type = t[21] % 3, fb.has_rgb = t[22] & 1;
        fb.red_pos = t[23], fb.red_size = t[24], fb.green_pos = t[25], fb.green_size = t[26];
        fb.blue_pos = t[27], fb.blue_size = t[28];
        env.screen = (struct guest_screen){ &fb, (b1 & 0x40) != 0 };
    }

    struct guest_start gs;
    memset(&gs, 0, sizeof(gs));
    char err[160];
    memset(err, 0x7f, sizeof(err));
    const char *prefix;
    int rc;
    struct guest_image k = { img, n, pick_cmdline(b1 >> 1) };
    switch (sel) {
    case 0: {
        struct guest_image rd = { img + n - tail, tail, "" };
        rc = linux_load(&env, &k, (b1 & 1) ? &rd : NULL, &gs, err, sizeof(err));
        prefix = "linux: ";
        break;
    }
    case 1: {
        struct guest_image mods[3];
        size_t nmods = b1 & 3;
        for (size_t i = 0; i < nmods; i++)
            mods[i] = (struct guest_image){ img + n - tail, tail, pick_cmdline(i + 1) };
        k.cmdline = pick_cmdline(b1 >> 2);
        rc = multiboot_load(&env, &k, mods, nmods, &gs, err, sizeof(err));
        prefix = "multiboot: ";
        break;
    }
    case 2:
        rc = elf_load(&env, &k, &gs, err, sizeof(err));
        prefix = "elf: ";
        break;
    default: {
        static const unsigned modes[] = { 16, 32, 64, 0 };
        unsigned mode = modes[b1 & 3] ? modes[b1 & 3] : data[3];
        if (b1 & 4) {
            addr &= RAM_SIZE - 1;
            entry = addr + (entry & 0xffff);
        }
        rc = flat_load(&env, &k, addr, entry, mode, &gs, err, sizeof(err));
        prefix = "flat: ";
        break;
    }
    }

#ifdef FUZZ_LOADERS_VERBOSE     /* for checking the seeds: print each result */
    printf("%s: rc %d %s\n", prefix, rc, rc ? err : "");
#endif
    if (rc != LOADER_OK) {
        CHECK(rc == LOADER_BAD_INPUT);
        CHECK(memchr(err, 0, sizeof(err)) != NULL);
        CHECK(strncmp(err, prefix, strlen(prefix)) == 0 && err[strlen(prefix)] != 0);
        CHECK(!strchr(err, '\n'));
        CHECK(memcmp(boot_copy, ram + 0x10000, sizeof(boot_copy)) == 0);
    } else {
        CHECK(gs.mode == GUEST_MODE_64 || gs.mode == GUEST_MODE_32 || gs.mode == GUEST_MODE_REAL);
        CHECK((gs.rflags & 0x200) == 0);
        if (gs.mode == GUEST_MODE_REAL) {
            CHECK(gs.real_cs_base + gs.rip < 0x100000);
        } else {
            CHECK(gs.rip < RAM_SIZE && gs.rsp == 0x20000 && gs.gdt_base == 0x16000);
            if (gs.mode == GUEST_MODE_64)
                CHECK(gs.cr3 == 0x10000 && gs.cs == 0x10 && gs.ds == 0x18);
            else
                CHECK(gs.cs == 0x10 && gs.ds == 0x18 && (gs.cr0 & (1u << 31)) == 0);
        }
        if (sel == 1)
            CHECK(gs.rax == 0x2badb002 && gs.rbx == 0x17000);
        if (sel == 0)
            CHECK(gs.rsi == 0x17000);
    }
    free(img);
    return 0;
}
