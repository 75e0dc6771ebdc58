#include "kernel/firmware/mb2.h"

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* A string inside [p, end) must have its NUL before end. */
static const char *tag_string(const uint8_t *p, const uint8_t *end)
{
    for (const uint8_t *q = p; q < end; q++)
        if (*q == 0)
            return (const char *)p;
    return NULL;
}

/* Smallest legal size per tag type (header included). */
static uint32_t tag_min_size(uint32_t type)
{
    switch (type) {
    case MB2_TAG_CMDLINE:
    case MB2_TAG_LOADER_NAME:  return 9;   /* at least the NUL */
    case MB2_TAG_MODULE:       return 17;
    case MB2_TAG_BASIC_MEMINFO:return 16;
    case MB2_TAG_BOOTDEV:      return 20;
    case MB2_TAG_MMAP:         return 16;
    case MB2_TAG_FRAMEBUFFER:  return 31;
    case MB2_TAG_EFI32:        return 12;
    case MB2_TAG_EFI64:        return 16;
    case MB2_TAG_ACPI_OLD:     return 8 + 20;
    case MB2_TAG_ACPI_NEW:     return 8 + 36;
    case MB2_TAG_EFI_MMAP:     return 16;
    case MB2_TAG_EFI32_IH:     return 12;
    case MB2_TAG_EFI64_IH:     return 16;
    case MB2_TAG_LOAD_BASE:    return 12;
    default:                   return 8;
    }
}

struct mb2_result mb2_parse(const void *info, size_t readable, struct mb2_info *out)
{
    struct mb2_result r = { MB2_OK, 0, 0 };
    const uint8_t *base = info;
    bool seen_mmap = false; /* nmmap alone misses an empty first map */

    *out = (struct mb2_info){ 0 };
    if (!info) {
        r.err = MB2_ERR_NULL;
        return r;
    }
    if ((uintptr_t)info & 7) {
        r.err = MB2_ERR_MISALIGNED;
        return r;
    }
    if (readable < 8 || rd32(base) < 16 || rd32(base) > readable) {
        r.err = MB2_ERR_TOTAL_SIZE;
        return r;
    }
    uint32_t total = rd32(base);
    out->total_size = total;

    uint32_t off = 8;
    for (;;) {
        r.offset = off;
        r.tag_type = 0;
        if (off > total || total - off < 8) {
            r.err = off >= total ? MB2_ERR_NO_END_TAG : MB2_ERR_TAG_TRUNCATED;
            return r;
        }
        const uint8_t *tag = base + off;
        uint32_t type = rd32(tag), size = rd32(tag + 4);
        r.tag_type = type;
        if (size > total - off) {
            r.err = MB2_ERR_TAG_TRUNCATED;
            return r;
        }
        if (size < tag_min_size(type)) {
            r.err = MB2_ERR_TAG_SIZE;
            return r;
        }
        const uint8_t *body = tag + 8, *end = tag + size;

        switch (type) {
        case MB2_TAG_END:
            if (size != 8) {
                r.err = MB2_ERR_END_TAG_SIZE;
                return r;
            }
            r.tag_type = 0;
            r.offset = 0;
            return r;
        case MB2_TAG_CMDLINE:
        case MB2_TAG_LOADER_NAME: {
            const char *s = tag_string(body, end);
            if (!s) {
                r.err = MB2_ERR_STRING;
                return r;
            }
            const char **slot = type == MB2_TAG_CMDLINE ? &out->cmdline : &out->loader_name;
            if (*slot) {
                r.err = MB2_ERR_DUPLICATE;
                return r;
            }
            *slot = s;
            break;
        }
        case MB2_TAG_MODULE: {
            struct mb2_module m = { rd32(body), rd32(body + 4), tag_string(body + 8, end) };
            if (!m.string) {
                r.err = MB2_ERR_STRING;
                return r;
            }
            if (m.end < m.start) {
                r.err = MB2_ERR_MODULE_RANGE;
                return r;
            }
            if (out->nmods == MB2_MAX_MODULES) {
                r.err = MB2_ERR_TOO_MANY;
                return r;
            }
            out->mods[out->nmods++] = m;
            break;
        }
        case MB2_TAG_BOOTDEV:
            out->has_bootdev = true;
            out->bootdev_biosdev = rd32(body);
            break;
        case MB2_TAG_BASIC_MEMINFO:
            out->has_meminfo = true;
            out->mem_lower_kib = rd32(body);
            out->mem_upper_kib = rd32(body + 4);
            break;
        case MB2_TAG_MMAP: {
            uint32_t esize = rd32(body);
            uint32_t bytes = size - 16;
            if (esize < 24 || (esize & 7) || bytes % esize) {
                r.err = MB2_ERR_MMAP_ENTRY;
                return r;
            }
            if (seen_mmap) {
                r.err = MB2_ERR_DUPLICATE;
                return r;
            }
            seen_mmap = true;
            if (bytes / esize > MB2_MAX_MMAP) {
                r.err = MB2_ERR_TOO_MANY;
                return r;
            }
            for (const uint8_t *e = tag + 16; e < end; e += esize)
                out->mmap[out->nmmap++] = (struct mb2_mmap_entry){ rd64(e), rd64(e + 8), rd32(e + 16) };
            break;
        }
        case MB2_TAG_FRAMEBUFFER:
            out->has_fb = true;
            out->fb = (struct mb2_framebuffer){ .addr = rd64(body), .pitch = rd32(body + 8),
                                                .width = rd32(body + 12), .height = rd32(body + 16),
                                                .bpp = body[20], .type = body[21] };
            if (out->fb.type == 1 && size >= 8 + 24 + 6) {
                out->fb.has_rgb = true;
                out->fb.red_pos = body[24];
                out->fb.red_size = body[25];
                out->fb.green_pos = body[26];
                out->fb.green_size = body[27];
                out->fb.blue_pos = body[28];
                out->fb.blue_size = body[29];
            }
            break;
        case MB2_TAG_EFI32:
            out->has_efi32 = true;
            out->efi_systab = rd32(body);
            break;
        case MB2_TAG_EFI64:
            out->has_efi64 = true;
            out->efi_systab = rd64(body);
            break;
        case MB2_TAG_ACPI_OLD:
        case MB2_TAG_ACPI_NEW:
            /* Prefer the ACPI 2.0+ RSDP when both are present. */
            if (!out->rsdp || type == MB2_TAG_ACPI_NEW) {
                out->rsdp = body;
                out->rsdp_len = size - 8;
                out->rsdp_version = type == MB2_TAG_ACPI_NEW ? 2 : 1;
            }
            break;
        case MB2_TAG_EFI_MMAP:
            out->has_efi_mmap = true;
            break;
        case MB2_TAG_EFI_BS:
            out->efi_bs_active = true;
            break;
        case MB2_TAG_LOAD_BASE:
            out->has_load_base = true;
            out->load_base = rd32(body);
            break;
        default:
            break; /* other and unknown tags are skipped by size */
        }

        uint32_t next = (size + 7) & ~7u;
        if (next > total - off) {
            /* Padding of the last tag runs past the block: there is no end tag. */
            r.offset = off + size;
            r.err = MB2_ERR_NO_END_TAG;
            return r;
        }
        off += next;
    }
}

const char *mb2_strerror(enum mb2_error err)
{
    switch (err) {
    case MB2_OK:                return "ok";
    case MB2_ERR_NULL:          return "no boot information";
    case MB2_ERR_MISALIGNED:    return "boot information not 8-byte aligned";
    case MB2_ERR_TOTAL_SIZE:    return "bad total_size";
    case MB2_ERR_TAG_TRUNCATED: return "tag runs past total_size";
    case MB2_ERR_TAG_SIZE:      return "tag smaller than its type requires";
    case MB2_ERR_NO_END_TAG:    return "no end tag";
    case MB2_ERR_END_TAG_SIZE:  return "end tag size is not 8";
    case MB2_ERR_STRING:        return "string not NUL-terminated inside its tag";
    case MB2_ERR_MMAP_ENTRY:    return "bad memory-map entry size";
    case MB2_ERR_TOO_MANY:      return "more entries than Skiff supports";
    case MB2_ERR_MODULE_RANGE:  return "module ends before it starts";
    case MB2_ERR_DUPLICATE:     return "tag appears more than once";
    }
    return "unknown error";
}

const char *mb2_tag_name(uint32_t type)
{
    static const char *const names[] = {
        "end", "cmdline", "boot loader name", "module", "basic meminfo", "bootdev",
        "mmap", "vbe", "framebuffer", "elf sections", "apm", "efi32", "efi64",
        "smbios", "acpi old rsdp", "acpi new rsdp", "network", "efi mmap",
        "efi boot services", "efi32 image handle", "efi64 image handle", "load base addr",
    };
    return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

const char *mb2_mem_type_name(uint32_t type)
{
    switch (type) {
    case MB2_MEM_AVAILABLE:        return "usable";
    case MB2_MEM_RESERVED:         return "reserved";
    case MB2_MEM_ACPI_RECLAIMABLE: return "ACPI reclaimable";
    case MB2_MEM_NVS:              return "ACPI NVS";
    case MB2_MEM_BADRAM:           return "bad RAM";
    default:                       return "reserved (a type Multiboot2 does not define)";
    }
}
