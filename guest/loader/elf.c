/*
 * Static ELF executables (System V ABI, "ELF Header" and "Program Header"
 * chapters): ELF32 EM_386 entered in 32-bit protected mode with paging off,
 * ELF64 EM_X86_64 entered in 64-bit mode on the boot area's identity map of
 * 0-4 GiB.  PT_LOAD segments go to their physical addresses (p_paddr); the
 * entry point e_entry, a virtual address, is moved by the p_paddr - p_vaddr
 * of the segment holding it (as GRUB does for Multiboot ELF kernels).
 * RSP starts at the top of the boot area's stack (0x20000).
 */
#include "guest/loader/loader_common.h"

#include "kernel/lib/lib.h"

#define EI_CLASS   4
#define EI_DATA    5
#define EI_VERSION 6
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC    2
#define EM_386     3
#define EM_X86_64  62
#define PT_LOAD    1
#define PT_INTERP  3
#define PN_XNUM    0xffff

int elf_parse(const uint8_t *d, size_t size, bool allow64, const char *who, struct elf_info *ei,
              char *err, size_t errlen)
{
    if (size < 16)
        return loader_fail(err, errlen, "%s: truncated ELF header: file is %zu bytes, need 16",
                           who, size);
    if (memcmp(d, "\x7f" "ELF", 4))
        return loader_fail(err, errlen, "%s: not an ELF file (no \\x7fELF magic)", who);
    bool is64 = d[EI_CLASS] == ELFCLASS64;
    if (d[EI_CLASS] != ELFCLASS32 && !(is64 && allow64))
        return loader_fail(err, errlen, "%s: bad ELF class %u (need %s)", who, d[EI_CLASS],
                           allow64 ? "1 = ELF32 or 2 = ELF64" : "1 = ELF32");
    if (d[EI_DATA] != ELFDATA2LSB)
        return loader_fail(err, errlen, "%s: ELF data encoding %u is not little-endian", who,
                           d[EI_DATA]);
    if (d[EI_VERSION] != 1)
        return loader_fail(err, errlen, "%s: bad ELF version %u", who, d[EI_VERSION]);
    size_t ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32;
    if (size < ehsize)
        return loader_fail(err, errlen, "%s: truncated ELF header: file is %zu bytes, need %zu",
                           who, size, ehsize);

    uint16_t type = ld_get16(d + 16), machine = ld_get16(d + 18);
    uint64_t entry = is64 ? ld_get64(d + 24) : ld_get32(d + 24);
    uint64_t phoff = is64 ? ld_get64(d + 32) : ld_get32(d + 28);
    uint16_t phentsize = ld_get16(d + (is64 ? 54 : 42)), phnum = ld_get16(d + (is64 ? 56 : 44));
    if (type != ET_EXEC)
        return loader_fail(err, errlen, "%s: not a static executable (e_type %u, need ET_EXEC 2)",
                           who, type);
    if (machine != (is64 ? EM_X86_64 : EM_386))
        return loader_fail(err, errlen, "%s: ELF%s machine %u is not %s", who, is64 ? "64" : "32",
                           machine, is64 ? "EM_X86_64 (62)" : "EM_386 (3)");
    if (ld_get32(d + 20) != 1)
        return loader_fail(err, errlen, "%s: bad ELF e_version %u", who, ld_get32(d + 20));
    if (phnum == 0 || phnum == PN_XNUM)
        return loader_fail(err, errlen, "%s: no program headers (e_phnum %u)", who, phnum);
    if (phentsize < phsize)
        return loader_fail(err, errlen, "%s: program header size %u too small (need %zu)", who,
                           phentsize, phsize);
    uint64_t phlen = (uint64_t)phnum * phentsize;
    if (phoff > size || phlen > size - phoff)
        return loader_fail(err, errlen, "%s: truncated program headers: file is %zu bytes, "
                           "they are at 0x%llx+0x%llx", who, size, (unsigned long long)phoff,
                           (unsigned long long)phlen);

    uint64_t addr_limit = is64 ? UINT64_MAX : GIB_4;
    bool entry_found = false;
    ei->is64 = is64;
    ei->nseg = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = d + phoff + (uint64_t)i * phentsize;
        uint32_t ptype = ld_get32(ph);
        if (ptype == PT_INTERP)
            return loader_fail(err, errlen, "%s: PT_INTERP: a dynamically linked executable, "
                               "need a static one", who);
        if (ptype != PT_LOAD)
            continue;
        uint64_t off = is64 ? ld_get64(ph + 8) : ld_get32(ph + 4);
        uint64_t vaddr = is64 ? ld_get64(ph + 16) : ld_get32(ph + 8);
        uint64_t paddr = is64 ? ld_get64(ph + 24) : ld_get32(ph + 12);
        uint64_t filesz = is64 ? ld_get64(ph + 32) : ld_get32(ph + 16);
        uint64_t memsz = is64 ? ld_get64(ph + 40) : ld_get32(ph + 20);
        if (off > size || filesz > size - off)
            return loader_fail(err, errlen, "%s: segment %u: file range 0x%llx+0x%llx runs past "
                               "the end of the file (%zu bytes)", who, i,
                               (unsigned long long)off, (unsigned long long)filesz, size);
        if (memsz < filesz)
            return loader_fail(err, errlen, "%s: segment %u: p_memsz 0x%llx smaller than "
                               "p_filesz 0x%llx", who, i, (unsigned long long)memsz,
                               (unsigned long long)filesz);
        if (memsz == 0)
            continue;
        if (paddr > addr_limit || memsz > addr_limit - paddr || vaddr > UINT64_MAX - memsz)
            return loader_fail(err, errlen, "%s: segment %u: 0x%llx+0x%llx wraps around the "
                               "%s address space", who, i, (unsigned long long)paddr,
                               (unsigned long long)memsz, is64 ? "64-bit" : "32-bit");
        if (ei->nseg == ELF_MAX_LOAD)
            return loader_fail(err, errlen, "%s: too many PT_LOAD segments (max %u)", who,
                               ELF_MAX_LOAD);
        struct elf_seg *s = &ei->seg[ei->nseg++];
        *s = (struct elf_seg){ off, filesz, paddr, memsz };
        struct gpa_range r = { paddr, paddr + memsz };
        for (size_t j = 0; j + 1 < ei->nseg; j++) {
            struct gpa_range o = { ei->seg[j].paddr, ei->seg[j].paddr + ei->seg[j].memsz };
            if (ld_overlap(r, o))
                return loader_fail(err, errlen, "%s: segments overlap: 0x%llx-0x%llx and "
                                   "0x%llx-0x%llx", who, (unsigned long long)o.base,
                                   (unsigned long long)(o.end - 1), (unsigned long long)r.base,
                                   (unsigned long long)(r.end - 1));
        }
        if (ei->nseg == 1 || r.base < ei->span.base)
            ei->span.base = r.base;
        if (ei->nseg == 1 || r.end > ei->span.end)
            ei->span.end = r.end;
        if (!entry_found && entry >= vaddr && entry - vaddr < memsz) {
            ei->entry = paddr + (entry - vaddr);
            entry_found = true;
        }
    }
    if (!ei->nseg)
        return loader_fail(err, errlen, "%s: no loadable segment", who);
    if (!entry_found)
        return loader_fail(err, errlen, "%s: entry point 0x%llx is in no loadable segment", who,
                           (unsigned long long)entry);
    return LOADER_OK;
}

int elf_check_segments(const struct guest_loader_env *env, const struct elf_info *ei,
                       const struct gpa_range *avoid, const char *who, char *err, size_t errlen)
{
    for (size_t i = 0; i < ei->nseg; i++) {
        const struct elf_seg *s = &ei->seg[i];
        struct gpa_range r = { s->paddr, s->paddr + s->memsz };
        if (!ld_ram(env, s->paddr, s->memsz))
            return loader_fail(err, errlen, "%s: segment 0x%llx-0x%llx outside guest memory", who,
                               (unsigned long long)r.base, (unsigned long long)(r.end - 1));
        if (avoid && ld_overlap(r, *avoid))
            return loader_fail(err, errlen, "%s: segment 0x%llx-0x%llx overlaps the boot area "
                               "0x%llx-0x%llx", who, (unsigned long long)r.base,
                               (unsigned long long)(r.end - 1), (unsigned long long)avoid->base,
                               (unsigned long long)(avoid->end - 1));
    }
    return LOADER_OK;
}

void elf_load_segments(const struct guest_loader_env *env, const uint8_t *data,
                       const struct elf_info *ei)
{
    for (size_t i = 0; i < ei->nseg; i++) {
        const struct elf_seg *s = &ei->seg[i];
        uint8_t *p = ld_ram(env, s->paddr, s->memsz);
        if (s->filesz)
            memcpy(p, data + s->offset, s->filesz);
        memset(p + s->filesz, 0, s->memsz - s->filesz);        /* .bss */
    }
}

int elf_load(const struct guest_loader_env *env, const struct guest_image *image,
             struct guest_start *gs, char *err, size_t errlen)
{
    static const struct gpa_range boot = { BOOT_AREA, BOOT_AREA_END };
    struct elf_info ei;

    if (!image || (!image->data && image->size))
        return loader_fail(err, errlen, "elf: no image");
    if (elf_parse(image->data, image->size, true, "elf", &ei, err, errlen))
        return LOADER_BAD_INPUT;
    if (ei.is64 && ei.entry >= GIB_4)
        return loader_fail(err, errlen, "elf: entry point 0x%llx is above 4 GiB, outside the "
                           "identity map", (unsigned long long)ei.entry);
    if (!boot_area_ok(env))
        return loader_fail(err, errlen, "elf: no guest RAM at 0x%llx-0x%llx for the GDT, page "
                           "tables and stack", BOOT_AREA, BOOT_AREA_END - 1);
    if (elf_check_segments(env, &ei, &boot, "elf", err, errlen))
        return LOADER_BAD_INPUT;

    elf_load_segments(env, image->data, &ei);
    start_protected(env, ei.is64, ei.entry, gs);
    return LOADER_OK;
}
