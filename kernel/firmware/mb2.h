/*
 * Multiboot2 boot-information parser (Multiboot2 specification, section 3.6).
 * Pure code: it reads a byte buffer and never trusts a size it has not checked,
 * so it runs unchanged in host unit tests and the fuzzer.
 */
#ifndef SKIFF_KERNEL_MB2_H
#define SKIFF_KERNEL_MB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_MAX_MODULES 16
#define MB2_MAX_MMAP    128

enum mb2_tag_type {
    MB2_TAG_END = 0,
    MB2_TAG_CMDLINE = 1,
    MB2_TAG_LOADER_NAME = 2,
    MB2_TAG_MODULE = 3,
    MB2_TAG_BASIC_MEMINFO = 4,
    MB2_TAG_BOOTDEV = 5,
    MB2_TAG_MMAP = 6,
    MB2_TAG_VBE = 7,
    MB2_TAG_FRAMEBUFFER = 8,
    MB2_TAG_ELF_SECTIONS = 9,
    MB2_TAG_APM = 10,
    MB2_TAG_EFI32 = 11,
    MB2_TAG_EFI64 = 12,
    MB2_TAG_SMBIOS = 13,
    MB2_TAG_ACPI_OLD = 14,
    MB2_TAG_ACPI_NEW = 15,
    MB2_TAG_NETWORK = 16,
    MB2_TAG_EFI_MMAP = 17,
    MB2_TAG_EFI_BS = 18,
    MB2_TAG_EFI32_IH = 19,
    MB2_TAG_EFI64_IH = 20,
    MB2_TAG_LOAD_BASE = 21,
};

enum mb2_mem_type {
    MB2_MEM_AVAILABLE = 1,
    MB2_MEM_RESERVED = 2,
    MB2_MEM_ACPI_RECLAIMABLE = 3,
    MB2_MEM_NVS = 4,
    MB2_MEM_BADRAM = 5,
};

enum mb2_error {
    MB2_OK = 0,
    MB2_ERR_NULL,           /* no information block at all */
    MB2_ERR_MISALIGNED,     /* block not 8-byte aligned */
    MB2_ERR_TOTAL_SIZE,     /* total_size smaller than a header plus end tag, or beyond what is readable */
    MB2_ERR_TAG_TRUNCATED,  /* a tag header or body runs past total_size */
    MB2_ERR_TAG_SIZE,       /* a tag's size is below the minimum for its type */
    MB2_ERR_NO_END_TAG,     /* the tags run out without an end tag */
    MB2_ERR_END_TAG_SIZE,   /* end tag with size other than 8 */
    MB2_ERR_STRING,         /* a string is not NUL-terminated inside its tag */
    MB2_ERR_MMAP_ENTRY,     /* memory-map entry size too small, not 8-aligned, or not dividing the tag */
    MB2_ERR_TOO_MANY,       /* more modules or memory-map entries than Skiff keeps */
    MB2_ERR_MODULE_RANGE,   /* module end before its start */
    MB2_ERR_DUPLICATE,      /* a tag that may appear once appears twice */
};

struct mb2_module {
    uint32_t start, end;    /* physical [start, end) */
    const char *string;
};

struct mb2_mmap_entry {
    uint64_t base, len;
    uint32_t type;
};

struct mb2_framebuffer {
    uint64_t addr;
    uint32_t pitch, width, height;
    uint8_t bpp, type;      /* type 0 indexed, 1 direct RGB, 2 EGA text */
    bool has_rgb;           /* type 1 with its color info: field positions and sizes */
    uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct mb2_info {
    uint32_t total_size;
    const char *cmdline;
    const char *loader_name;
    size_t nmods;
    struct mb2_module mods[MB2_MAX_MODULES];
    size_t nmmap;
    struct mb2_mmap_entry mmap[MB2_MAX_MMAP];
    bool has_meminfo;
    uint32_t mem_lower_kib, mem_upper_kib;
    bool has_fb;
    struct mb2_framebuffer fb;
    const void *rsdp;        /* copy of the RSDP inside the block, NULL if none */
    uint32_t rsdp_len;
    int rsdp_version;        /* 1 (ACPI 1.0 tag 14) or 2 (tag 15) */
    bool has_efi32, has_efi64, has_efi_mmap, efi_bs_active;
    uint64_t efi_systab;
    bool has_load_base;
    uint32_t load_base;
    bool has_bootdev;        /* tag 5: the BIOS drive the boot loader was loaded from */
    uint32_t bootdev_biosdev;
};

struct mb2_result {
    enum mb2_error err;
    uint32_t tag_type;       /* tag being read when it failed */
    uint32_t offset;         /* its offset from the start of the block */
};

/* Parse the block at `info`, of which at most `readable` bytes may be read. */
struct mb2_result mb2_parse(const void *info, size_t readable, struct mb2_info *out);

const char *mb2_strerror(enum mb2_error err);
const char *mb2_tag_name(uint32_t type);
const char *mb2_mem_type_name(uint32_t type);

#endif
