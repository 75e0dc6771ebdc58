/*
 * Linux x86 boot protocol (Documentation/arch/x86/boot.rst), bzImage with
 * protocol >= 2.06, entered through the 64-bit boot protocol.
 *
 * Why 64-bit entry: a boot loader may run the kernel's real-mode setup code
 * (which needs a BIOS), enter the protected-mode kernel at startup_32, or
 * enter it at startup_64 (load address + 0x200) in long mode with boot_params
 * in RSI.  Skiff's guests have no BIOS, so the setup code never runs and the
 * loader fills the zero page itself; of the two remaining entries, 64-bit
 * needs nothing the 32-bit one does not, and the kernel's own decompressor
 * (arch/x86/boot/compressed/head_64.S) starts right there, building its own
 * page tables.  It needs XLF_KERNEL_64 (protocol >= 2.12).
 *
 * Placement (guest/loader/loader_common.h has the boot area):
 *   boot_params 0x17000, command line 0x18000, GDT 0x16000 (__BOOT_CS 0x10,
 *   __BOOT_DS 0x18), identity map of 0-4 GiB 0x10000-0x15fff, RSP 0x20000;
 *   the protected-mode kernel at pref_address when [pref_address,
 *   + init_size) is guest RAM, else (relocatable kernels) the lowest
 *   kernel_alignment-aligned address >= 16 MiB, or failing that >= 1 MiB,
 *   inside one RAM entry below 4 GiB;
 *   the initrd page-aligned at the highest address that fits in one RAM
 *   entry below min(initrd_addr_max + 1, 4 GiB), clear of the kernel's
 *   [load, load + init_size) and the boot area.
 */
#include "guest/loader/loader_common.h"

#include "kernel/lib/lib.h"

/* Setup header offsets in the bzImage and in boot_params ("The real-mode kernel header"). */
#define HDR_START          0x1f1
#define HDR_SETUP_SECTS    0x1f1
#define HDR_BOOT_FLAG      0x1fe
#define HDR_JUMP_OFF       0x201    /* the short jump's displacement: header ends at 0x202 + it */
#define HDR_MAGIC          0x202
#define HDR_VERSION        0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS      0x211
#define HDR_CODE32_START   0x214
#define HDR_RAMDISK_IMAGE  0x218
#define HDR_RAMDISK_SIZE   0x21c
#define HDR_CMD_LINE_PTR   0x228
#define HDR_INITRD_MAX     0x22c
#define HDR_KERNEL_ALIGN   0x230
#define HDR_RELOCATABLE    0x234
#define HDR_XLOADFLAGS     0x236
#define HDR_CMDLINE_SIZE   0x238
#define HDR_SETUP_DATA     0x250
#define HDR_PREF_ADDRESS   0x258
#define HDR_INIT_SIZE      0x260
#define HDR_NEEDED_END     0x264    /* through init_size: every field read here */
#define HDR_MAX_END        0x290    /* boot_params.hdr ends where edd_mbr_sig_buffer starts */

/* boot_params ("The zero page", Documentation/arch/x86/zero-page.rst). */
#define BP_ACPI_RSDP_ADDR     0x070
#define BP_EXT_RAMDISK_IMAGE  0x0c0
#define BP_EXT_RAMDISK_SIZE   0x0c4
#define BP_EXT_CMD_LINE_PTR   0x0c8
#define BP_E820_ENTRIES       0x1e8
#define BP_E820_TABLE         0x2d0
#define BP_E820_MAX           128
#define BP_SIZE               0x1000

#define HDRS_MAGIC     0x53726448u  /* "HdrS" */
#define LOADED_HIGH    0x01
#define KEEP_SEGMENTS  0x40
#define CAN_USE_HEAP   0x80
#define XLF_KERNEL_64  0x01
#define STARTUP_64_OFF 0x200

#define MIB ((uint64_t)1 << 20)

int linux_load(const struct guest_loader_env *env, const struct guest_image *kernel,
               const struct guest_image *initrd, struct guest_start *gs, char *err, size_t errlen)
{
    static const struct gpa_range boot = { BOOT_AREA, BOOT_AREA_END };
    if (!kernel || (!kernel->data && kernel->size))
        return loader_fail(err, errlen, "linux: no kernel image");
    const uint8_t *k = kernel->data;
    size_t size = kernel->size;

    /* ---- the setup header, validated against the file ---- */
    if (size < HDR_VERSION + 2)
        return loader_fail(err, errlen, "linux: truncated bzImage: file is %zu bytes, setup header "
                           "needs %u", size, HDR_VERSION + 2);
    if (ld_get16(k + HDR_BOOT_FLAG) != 0xaa55)
        return loader_fail(err, errlen, "linux: bad boot_flag 0x%x at 0x1fe (need 0xaa55)",
                           ld_get16(k + HDR_BOOT_FLAG));
    if (ld_get32(k + HDR_MAGIC) != HDRS_MAGIC)
        return loader_fail(err, errlen, "linux: bad magic: no 'HdrS' at 0x202");
    uint16_t ver = ld_get16(k + HDR_VERSION);
    if (ver < 0x206)
        return loader_fail(err, errlen, "linux: boot protocol %u.%02u too old (need >= 2.06)",
                           ver >> 8, ver & 0xff);
    size_t hdr_end = HDR_MAGIC + k[HDR_JUMP_OFF];
    if (size < hdr_end)
        return loader_fail(err, errlen, "linux: truncated bzImage: file is %zu bytes, setup header "
                           "needs %zu", size, hdr_end);
    /* xloadflags arrived with protocol 2.12 (and init_size, pref_address with 2.10). */
    if (ver < 0x20c)
        return loader_fail(err, errlen, "linux: kernel is not 64-bit capable (boot protocol "
                           "%u.%02u has no xloadflags, need >= 2.12)", ver >> 8, ver & 0xff);
    if (hdr_end < HDR_NEEDED_END)
        return loader_fail(err, errlen, "linux: setup header ends at 0x%zx, protocol %u.%02u "
                           "needs it through init_size (0x%x)", hdr_end, ver >> 8, ver & 0xff,
                           HDR_NEEDED_END);
    if (!(ld_get16(k + HDR_XLOADFLAGS) & XLF_KERNEL_64))
        return loader_fail(err, errlen, "linux: kernel is not 64-bit capable (XLF_KERNEL_64 clear)");
    uint8_t loadflags = k[HDR_LOADFLAGS];
    if (!(loadflags & LOADED_HIGH))
        return loader_fail(err, errlen, "linux: not a bzImage (loadflags LOADED_HIGH clear)");

    size_t setup_sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;   /* 0 means 4 */
    size_t setup_size = (setup_sects + 1) * 512;
    /* The 64-bit entry point is 0x200 bytes into the protected-mode kernel. */
    if (size <= setup_size + 0x200)
        return loader_fail(err, errlen, "linux: truncated bzImage: file is %zu bytes, the setup "
                           "code takes %zu and the 64-bit entry at +0x200 needs more", size,
                           setup_size);
    size_t ksize = size - setup_size;

    bool relocatable = k[HDR_RELOCATABLE] != 0;
    uint32_t align = ld_get32(k + HDR_KERNEL_ALIGN);
    uint64_t pref = ld_get64(k + HDR_PREF_ADDRESS);
    uint32_t init_size = ld_get32(k + HDR_INIT_SIZE);
    uint32_t cmdline_size = ld_get32(k + HDR_CMDLINE_SIZE);
    uint32_t initrd_max = ld_get32(k + HDR_INITRD_MAX);
    if (relocatable && (align == 0 || (align & (align - 1))))
        return loader_fail(err, errlen, "linux: kernel_alignment 0x%x is not a power of two", align);
    if (align < PAGE_4K)
        align = PAGE_4K;
    /* What must be RAM from the load address: init_size, and at least the image itself. */
    uint64_t span = init_size > ksize ? init_size : ksize;

    const char *cl = kernel->cmdline ? kernel->cmdline : "";
    size_t cl_len = strlen(cl);
    size_t cl_max = cmdline_size < BOOT_CMDLINE_MAX - 1 ? cmdline_size : BOOT_CMDLINE_MAX - 1;
    if (cl_len > cl_max)
        return loader_fail(err, errlen, "linux: command line too long (%zu bytes, limit %zu)",
                           cl_len, cl_max);

    /* ---- placement, checked before a byte is written ---- */
    if (!boot_area_ok(env))
        return loader_fail(err, errlen, "linux: no guest RAM at 0x%llx-0x%llx for boot_params, the "
                           "command line, GDT and page tables", BOOT_AREA, BOOT_AREA_END - 1);
    uint64_t load;
    struct gpa_range kr;
    if (ld_range(pref, span, &kr) && kr.end <= GIB_4 && !ld_overlap(kr, boot) &&
        ld_ram(env, pref, span)) {
        load = pref;
    } else if (!relocatable) {
        return loader_fail(err, errlen, "linux: no guest RAM for the kernel at its fixed address "
                           "0x%llx (init_size %u, not relocatable)", (unsigned long long)pref,
                           init_size);
    } else if (!ld_find_low(env, 16 * MIB, span, align, GIB_4, &boot, 1, &load) &&
               !ld_find_low(env, 1 * MIB, span, align, GIB_4, &boot, 1, &load)) {
        return loader_fail(err, errlen, "linux: no guest RAM for the kernel (init_size %u)",
                           init_size);
    }
    kr = (struct gpa_range){ load, load + span };

    uint64_t rd_addr = 0, rd_size = initrd && initrd->data ? initrd->size : 0;
    if (rd_size) {
        const struct gpa_range avoid[] = { boot, kr };
        uint64_t limit = (uint64_t)initrd_max + 1 < GIB_4 ? (uint64_t)initrd_max + 1 : GIB_4;
        if (!ld_find_high(env, rd_size, PAGE_4K, limit, avoid, ARRAY_SIZE(avoid), &rd_addr))
            return loader_fail(err, errlen, "linux: initrd too large (%llu bytes) for guest memory "
                               "below initrd_addr_max 0x%x", (unsigned long long)rd_size,
                               initrd_max);
    }

    /* ---- boot_params: the image's setup header, then what a loader fills in ---- */
    uint8_t *bp = ld_ram(env, BOOT_INFO, BP_SIZE);
    memset(bp, 0, BP_SIZE);
    size_t copy_end = hdr_end < HDR_MAX_END ? hdr_end : HDR_MAX_END;
    memcpy(bp + HDR_START, k + HDR_START, copy_end - HDR_START);
    bp[HDR_TYPE_OF_LOADER] = 0xff;                      /* undefined loader id */
    /* KEEP_SEGMENTS is for 32-bit entry, CAN_USE_HEAP for the setup code's heap. */
    bp[HDR_LOADFLAGS] = loadflags & (uint8_t)~(KEEP_SEGMENTS | CAN_USE_HEAP);
    ld_put32(bp + HDR_CODE32_START, (uint32_t)load);
    ld_put64(bp + HDR_SETUP_DATA, 0);                   /* no setup_data list */
    ld_put32(bp + HDR_CMD_LINE_PTR, (uint32_t)BOOT_CMDLINE);
    ld_put32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(BOOT_CMDLINE >> 32));
    ld_put32(bp + HDR_RAMDISK_IMAGE, (uint32_t)rd_addr);
    ld_put32(bp + HDR_RAMDISK_SIZE, (uint32_t)rd_size);
    ld_put32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(rd_addr >> 32));
    ld_put32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(rd_size >> 32));
    if (ver >= 0x20e && env->acpi_rsdp)                 /* acpi_rsdp_addr: protocol 2.14 */
        ld_put64(bp + BP_ACPI_RSDP_ADDR, env->acpi_rsdp);
    linux_screen_info(bp, &env->screen);                /* screen_info: offset 0 */
    size_t n = env->map->n < BP_E820_MAX ? env->map->n : BP_E820_MAX;
    bp[BP_E820_ENTRIES] = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        uint8_t *e = bp + BP_E820_TABLE + 20 * i;       /* struct boot_e820_entry, packed */
        ld_put64(e, env->map->e[i].base);
        ld_put64(e + 8, env->map->e[i].len);
        ld_put32(e + 16, env->map->e[i].type);
    }

    memcpy(ld_ram(env, BOOT_CMDLINE, cl_len + 1), cl, cl_len + 1);
    memcpy(ld_ram(env, load, ksize), k + setup_size, ksize);
    if (rd_size)
        memcpy(ld_ram(env, rd_addr, rd_size), initrd->data, rd_size);

    /* 64-bit boot protocol: long mode, identity-mapped kernel, zero page and
     * command line; __BOOT_CS/__BOOT_DS; interrupts off; RSI = boot_params. */
    start_protected(env, true, load + STARTUP_64_OFF, gs);
    gs->rsi = BOOT_INFO;
    return LOADER_OK;
}
