/*
 * Multiboot Specification 0.6.96 (version 1) kernels: a.out kludge or ELF32,
 * entered in 32-bit protected mode (spec 3.2 "Machine state").
 *
 * Placement (guest/loader/loader_common.h has the boot area):
 *   GDT 0x16000 (0x10 flat 32-bit code, 0x18 flat data, as GRUB), Multiboot
 *   information 0x17000, command line 0x18000, memory map 0x19000-0x19bff,
 *   module list 0x19c00-0x19fff, boot loader name and module strings
 *   0x1a000-0x1bfff, ESP 0x20000;
 *   the kernel where its header or ELF program headers say (outside the boot
 *   area); modules one after another, each page-aligned at the lowest RAM
 *   above the kernel's end (and the module before it), below 4 GiB.
 */
#include "guest/loader/loader_common.h"

#include "kernel/lib/lib.h"

#define MB_HEADER_MAGIC 0x1badb002u
#define MB_BOOT_MAGIC   0x2badb002u
#define MB_SEARCH       8192          /* 3.1.1: the header lies in the first 8192 bytes */
#define MB_PAGE_ALIGN   (1u << 0)     /* 3.1.2 flags: modules page-aligned */
#define MB_MEMORY_INFO  (1u << 1)     /*   mem_* (and mmap_*) in the information */
#define MB_VIDEO_MODE   (1u << 2)     /*   video mode table: the mode is not set, the screen GRUB left is given */
#define MB_AOUT_KLUDGE  (1u << 16)    /*   3.1.3 address fields valid */
#define MB_REQUIRED     0xffffu

/* 3.3 "Boot information format": flags and field offsets. */
#define MBI_MEM       (1u << 0)
#define MBI_CMDLINE   (1u << 2)
#define MBI_MODS      (1u << 3)
#define MBI_MMAP      (1u << 6)
#define MBI_LOADER    (1u << 9)
#define MBI_FRAMEBUFFER (1u << 12)
#define MBI_FLAGS        0
#define MBI_MEM_LOWER    4
#define MBI_MEM_UPPER    8
#define MBI_CMDLINE_OFF  16
#define MBI_MODS_COUNT   20
#define MBI_MODS_ADDR    24
#define MBI_MMAP_LENGTH  44
#define MBI_MMAP_ADDR    48
#define MBI_LOADER_NAME  64
#define MBI_FB_ADDR      88
#define MBI_FB_PITCH     96
#define MBI_FB_WIDTH     100
#define MBI_FB_HEIGHT    104
#define MBI_FB_BPP       108
#define MBI_FB_TYPE      109
#define MBI_FB_COLOR     110      /* type 1: red, green, blue field position and mask size */

#define MB_MMAP      BOOT_EXTRA                /* 128 entries of 24 bytes */
#define MB_MODS      (BOOT_EXTRA + 0xc00)      /* 64 entries of 16 bytes */
#define MB_STRINGS   (BOOT_EXTRA + 0x1000)
#define MB_MAX_MODS  64
#define MB_LOADER_NAME "Skiff"

/* End of the run of RAM entries that contains (or starts at) `from`. */
static uint64_t ram_run_end(const struct guest_memmap *m, uint64_t from)
{
    uint64_t end = from;
    for (size_t i = 0; i < m->n && i < GUEST_MAP_MAX; i++)
        if (m->e[i].type == E820_RAM && m->e[i].base <= end && m->e[i].len > end - m->e[i].base)
            end = m->e[i].len > UINT64_MAX - m->e[i].base ? UINT64_MAX : m->e[i].base + m->e[i].len;
    return end;
}

/*
 * 3.3 framebuffer_*: the screen GRUB left Skiff, as GRUB gives it to a
 * Multiboot kernel: direct RGB (type 1) with its colour fields, or EGA text
 * (type 2, width and height in characters).  An indexed-colour screen (type 0)
 * would need its palette copied too: not passed.  Returns the flag to set.
 */
static uint32_t put_framebuffer(uint8_t *mbi, const struct guest_screen *screen)
{
    const struct mb2_framebuffer *fb = screen->fb;
    if (!fb || (fb->type != 1 && fb->type != 2))
        return 0;
    ld_put64(mbi + MBI_FB_ADDR, fb->addr);
    ld_put32(mbi + MBI_FB_PITCH, fb->pitch);
    ld_put32(mbi + MBI_FB_WIDTH, fb->width);
    ld_put32(mbi + MBI_FB_HEIGHT, fb->height);
    mbi[MBI_FB_BPP] = fb->bpp;
    mbi[MBI_FB_TYPE] = fb->type;
    if (fb->type == 1) {
        uint8_t rgb[6] = { 16, 8, 8, 8, 0, 8 };      /* no colour info in the tag: 8:8:8 */
        if (fb->has_rgb) {
            const uint8_t given[6] = { fb->red_pos, fb->red_size, fb->green_pos, fb->green_size,
                                       fb->blue_pos, fb->blue_size };
            memcpy(rgb, given, sizeof(rgb));
        }
        memcpy(mbi + MBI_FB_COLOR, rgb, sizeof(rgb));
    }
    return MBI_FRAMEBUFFER;
}

/* 3.1.3: the a.out kludge, as one segment of an elf_info. */
static int parse_aout(const uint8_t *d, size_t size, size_t hoff, struct elf_info *ei, char *err,
                      size_t errlen)
{
    if (size - hoff < 32)
        return loader_fail(err, errlen, "multiboot: truncated file: %zu bytes, the a.out kludge "
                           "fields at 0x%zx-0x%zx run past its end", size, hoff + 12, hoff + 31);
    uint32_t header_addr = ld_get32(d + hoff + 12), load_addr = ld_get32(d + hoff + 16);
    uint32_t load_end = ld_get32(d + hoff + 20), bss_end = ld_get32(d + hoff + 24);
    uint32_t entry = ld_get32(d + hoff + 28);

    /* The header at file offset hoff sits at header_addr: text starts header_addr - load_addr before. */
    if (load_addr > header_addr || header_addr - load_addr > hoff)
        return loader_fail(err, errlen, "multiboot: bad a.out kludge: load_addr 0x%x, header_addr "
                           "0x%x put the image start before the file's", load_addr, header_addr);
    uint64_t off = hoff - (header_addr - load_addr);
    uint64_t filesz = size - off;
    if (load_end) {
        if (load_end < load_addr)
            return loader_fail(err, errlen, "multiboot: bad a.out kludge: load_end_addr 0x%x below "
                               "load_addr 0x%x", load_end, load_addr);
        if (load_end - load_addr > filesz)
            return loader_fail(err, errlen, "multiboot: truncated file: %zu bytes, the a.out "
                               "kludge loads 0x%x bytes from offset 0x%llx", size,
                               load_end - load_addr, (unsigned long long)off);
        filesz = load_end - load_addr;
    }
    uint64_t memsz = filesz;
    if (bss_end) {
        if (bss_end < load_addr + filesz)
            return loader_fail(err, errlen, "multiboot: bad a.out kludge: bss_end_addr 0x%x below "
                               "the end of the loaded image 0x%llx", bss_end,
                               (unsigned long long)(load_addr + filesz));
        memsz = bss_end - load_addr;
    }
    if (memsz == 0 || load_addr + memsz > GIB_4)
        return loader_fail(err, errlen, "multiboot: a.out kludge image 0x%x+0x%llx is empty or "
                           "runs past 4 GiB", load_addr, (unsigned long long)memsz);
    if (entry < load_addr || entry - load_addr >= memsz)
        return loader_fail(err, errlen, "multiboot: entry_addr 0x%x outside the image 0x%x-0x%llx",
                           entry, load_addr, (unsigned long long)(load_addr + memsz - 1));
    ei->is64 = false;
    ei->entry = entry;
    ei->nseg = 1;
    ei->seg[0] = (struct elf_seg){ off, filesz, load_addr, memsz };
    ei->span = (struct gpa_range){ load_addr, load_addr + memsz };
    return LOADER_OK;
}

int multiboot_load(const struct guest_loader_env *env, const struct guest_image *kernel,
                   const struct guest_image *mods, size_t nmods, struct guest_start *gs,
                   char *err, size_t errlen)
{
    static const struct gpa_range boot = { BOOT_AREA, BOOT_AREA_END };
    if (!kernel || (!kernel->data && kernel->size))
        return loader_fail(err, errlen, "multiboot: no kernel image");
    const uint8_t *d = kernel->data;
    size_t size = kernel->size;

    /* 3.1.1: a 32-bit aligned header whose magic + flags + checksum is 0 (mod 2^32). */
    size_t hoff = 0;
    bool seen = false, found = false;
    for (size_t off = 0; off + 12 <= size && off + 12 <= MB_SEARCH && !found; off += 4) {
        if (ld_get32(d + off) != MB_HEADER_MAGIC)
            continue;
        seen = true;
        if ((uint32_t)(MB_HEADER_MAGIC + ld_get32(d + off + 4) + ld_get32(d + off + 8)) == 0) {
            hoff = off;
            found = true;
        }
    }
    if (!found)
        return loader_fail(err, errlen, seen ? "multiboot: bad header checksum" :
                           "multiboot: no Multiboot header in the first 8192 bytes");
    uint32_t flags = ld_get32(d + hoff + 4);
    uint32_t unsupported = flags & MB_REQUIRED & ~(MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_VIDEO_MODE);
    if (unsupported)
        return loader_fail(err, errlen, "multiboot: unsupported required header flags 0x%x",
                           unsupported);

    struct elf_info ei;
    if (flags & MB_AOUT_KLUDGE) {
        if (parse_aout(d, size, hoff, &ei, err, errlen))
            return LOADER_BAD_INPUT;
    } else {
        if (size < 20 || memcmp(d, "\x7f" "ELF", 4) || d[4] != 1 || ld_get16(d + 18) != 3)
            return loader_fail(err, errlen, "multiboot: not an ELF32 i386 executable (and header "
                               "flag 16, the a.out kludge, is clear)");
        if (elf_parse(d, size, false, "multiboot", &ei, err, errlen))
            return LOADER_BAD_INPUT;
    }
    if (!boot_area_ok(env))
        return loader_fail(err, errlen, "multiboot: no guest RAM at 0x%llx-0x%llx for the boot "
                           "information, GDT and stack", BOOT_AREA, BOOT_AREA_END - 1);
    if (elf_check_segments(env, &ei, &boot, "multiboot", err, errlen))
        return LOADER_BAD_INPUT;

    const char *cl = kernel->cmdline ? kernel->cmdline : "";
    size_t cl_len = strlen(cl);
    if (cl_len > BOOT_CMDLINE_MAX - 1)
        return loader_fail(err, errlen, "multiboot: command line too long (%zu bytes, limit %llu)",
                           cl_len, BOOT_CMDLINE_MAX - 1);

    /* Modules (3.3 mods_*): page-aligned (3.1.2 bit 0), after the kernel and each other. */
    if (nmods > MB_MAX_MODS)
        return loader_fail(err, errlen, "multiboot: too many modules (%zu, max %u)", nmods,
                           MB_MAX_MODS);
    uint64_t mod_addr[MB_MAX_MODS];
    size_t strings = sizeof(MB_LOADER_NAME);
    uint64_t cursor = ALIGN_UP(ei.span.end, PAGE_4K);
    for (size_t i = 0; i < nmods; i++) {
        const struct guest_image *m = &mods[i];
        strings += strlen(m->cmdline ? m->cmdline : "") + 1;
        if (!m->data && m->size)
            return loader_fail(err, errlen, "multiboot: module %zu has no data", i);
        if (!m->size && cursor < GIB_4) {
            mod_addr[i] = cursor;                       /* empty: mod_start == mod_end */
            continue;
        }
        if (!m->size || !ld_find_low(env, cursor, m->size, PAGE_4K, GIB_4, &boot, 1, &mod_addr[i]))
            return loader_fail(err, errlen, "multiboot: no guest RAM for module %zu (%zu bytes) "
                               "above 0x%llx", i, m->size, (unsigned long long)cursor);
        cursor = ALIGN_UP(mod_addr[i] + m->size, PAGE_4K);
    }
    if (strings > BOOT_EXTRA_END - MB_STRINGS)
        return loader_fail(err, errlen, "multiboot: module command lines too long (%zu bytes, "
                           "limit %llu)", strings, BOOT_EXTRA_END - MB_STRINGS);

    /* ---- everything checked: write ---- */
    elf_load_segments(env, d, &ei);

    uint8_t *mbi = ld_ram(env, BOOT_INFO, PAGE_4K);
    uint8_t *extra = ld_ram(env, BOOT_EXTRA, BOOT_EXTRA_END - BOOT_EXTRA);
    memset(mbi, 0, PAGE_4K);
    memset(extra, 0, BOOT_EXTRA_END - BOOT_EXTRA);

    uint64_t lower = ram_run_end(env->map, 0) / 1024, upper_end = ram_run_end(env->map, 1 << 20);
    uint64_t upper = (upper_end - (1 << 20)) / 1024;
    ld_put32(mbi + MBI_MEM_LOWER, (uint32_t)(lower < 640 ? lower : 640));
    ld_put32(mbi + MBI_MEM_UPPER, (uint32_t)(upper < UINT32_MAX ? upper : UINT32_MAX));

    memcpy(ld_ram(env, BOOT_CMDLINE, cl_len + 1), cl, cl_len + 1);
    ld_put32(mbi + MBI_CMDLINE_OFF, (uint32_t)BOOT_CMDLINE);

    /* mmap: entries of size (20, not counting itself), base_addr, length, type. */
    size_t n = env->map->n < GUEST_MAP_MAX ? env->map->n : GUEST_MAP_MAX;
    for (size_t i = 0; i < n; i++) {
        uint8_t *e = extra + (MB_MMAP - BOOT_EXTRA) + 24 * i;
        ld_put32(e, 20);
        ld_put64(e + 4, env->map->e[i].base);
        ld_put64(e + 12, env->map->e[i].len);
        ld_put32(e + 20, env->map->e[i].type);
    }
    ld_put32(mbi + MBI_MMAP_LENGTH, (uint32_t)(24 * n));
    ld_put32(mbi + MBI_MMAP_ADDR, (uint32_t)MB_MMAP);

    uint64_t str = MB_STRINGS;
    memcpy(extra + (str - BOOT_EXTRA), MB_LOADER_NAME, sizeof(MB_LOADER_NAME));
    ld_put32(mbi + MBI_LOADER_NAME, (uint32_t)str);
    str += sizeof(MB_LOADER_NAME);

    /* mods: mod_start, mod_end (exclusive), string, reserved. */
    for (size_t i = 0; i < nmods; i++) {
        uint8_t *e = extra + (MB_MODS - BOOT_EXTRA) + 16 * i;
        const char *s = mods[i].cmdline ? mods[i].cmdline : "";
        size_t sl = strlen(s) + 1;
        if (mods[i].size)
            memcpy(ld_ram(env, mod_addr[i], mods[i].size), mods[i].data, mods[i].size);
        memcpy(extra + (str - BOOT_EXTRA), s, sl);
        ld_put32(e, (uint32_t)mod_addr[i]);
        ld_put32(e + 4, (uint32_t)(mod_addr[i] + mods[i].size));
        ld_put32(e + 8, (uint32_t)str);
        str += sl;
    }
    ld_put32(mbi + MBI_MODS_COUNT, (uint32_t)nmods);
    ld_put32(mbi + MBI_MODS_ADDR, (uint32_t)MB_MODS);
    uint32_t fb_flag = put_framebuffer(mbi, &env->screen);
    ld_put32(mbi + MBI_FLAGS, MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER | fb_flag);

    /* 3.2: EAX = the boot magic, EBX = the information, PE on, paging off, IF clear. */
    start_protected(env, false, ei.entry, gs);
    gs->rax = MB_BOOT_MAGIC;
    gs->rbx = BOOT_INFO;
    return LOADER_OK;
}
