/*
 * Helpers shared by the guest image loaders (guest/loader/loader_common.c) and the
 * ELF parser guest/loader/multiboot.c borrows from guest/loader/elf.c.  Internal to guest/.
 *
 * The boot area.  Every loader that needs boot-time data structures puts
 * them at the same fixed, page-aligned spot in low guest RAM, 0x10000-0x1ffff
 * (64 KiB, below 1 MiB where PC RAM always is, above the real-mode IVT/BDA
 * and the classic 0x7c00 boot sector):
 *
 *   0x10000-0x15fff  PML4, PDPT and 4 PDs: identity map of 0-4 GiB, 2 MiB pages
 *   0x16000-0x16fff  GDT
 *   0x17000-0x17fff  Linux boot_params (zero page) / Multiboot information
 *   0x18000-0x18fff  the kernel command line
 *   0x19000-0x1bfff  Multiboot: memory map, module list, strings
 *   0x1c000-0x1ffff  initial stack (RSP = 0x20000)
 *
 * Loaders check with env->gpa_ptr that the area is guest RAM and that no
 * image they load overlaps it.
 */
#ifndef SKIFF_GUEST_LOADER_COMMON_H
#define SKIFF_GUEST_LOADER_COMMON_H

#include "guest/loader/loader.h"

#define BOOT_AREA        0x10000ull
#define BOOT_AREA_END    0x20000ull
#define BOOT_PML4        0x10000ull
#define BOOT_PAGING_SIZE 0x6000ull
#define BOOT_GDT         0x16000ull
#define BOOT_INFO        0x17000ull
#define BOOT_CMDLINE     0x18000ull
#define BOOT_CMDLINE_MAX 0x1000ull      /* bytes, terminating NUL included */
#define BOOT_EXTRA       0x19000ull
#define BOOT_EXTRA_END   0x1c000ull
#define BOOT_STACK_TOP   0x20000ull

#define PAGE_4K  0x1000ull
#define GIB_4    0x100000000ull

/* CR0/CR4/EFER bits the loaders hand to Skiff (SDM Vol. 3A 2.5, 2.2.1). */
#define LD_CR0_PE  (1ull << 0)
#define LD_CR0_ET  (1ull << 4)
#define LD_CR0_NE  (1ull << 5)
#define LD_CR0_PG  (1ull << 31)
#define LD_CR4_PAE (1ull << 5)
#define LD_EFER_LME (1ull << 8)
#define LD_EFER_LMA (1ull << 10)

/* A half-open guest-physical range [base, end). */
struct gpa_range {
    uint64_t base, end;
};

/* Write a one-line message into err (when there is room) and return LOADER_BAD_INPUT. */
int loader_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Little-endian field access at any alignment. */
static inline uint16_t ld_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t ld_get32(const uint8_t *p) { return ld_get16(p) | (uint32_t)ld_get16(p + 2) << 16; }
static inline uint64_t ld_get64(const uint8_t *p) { return ld_get32(p) | (uint64_t)ld_get32(p + 4) << 32; }
static inline void ld_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void ld_put32(uint8_t *p, uint32_t v) { ld_put16(p, (uint16_t)v); ld_put16(p + 2, (uint16_t)(v >> 16)); }
static inline void ld_put64(uint8_t *p, uint64_t v) { ld_put32(p, (uint32_t)v); ld_put32(p + 4, (uint32_t)(v >> 32)); }

/* [base, base + len) without wrapping past 2^64; false when it would wrap. */
static inline bool ld_range(uint64_t base, uint64_t len, struct gpa_range *r)
{
    if (len > UINT64_MAX - base)
        return false;
    r->base = base;
    r->end = base + len;
    return true;
}

static inline bool ld_overlap(struct gpa_range a, struct gpa_range b)
{
    return a.base < b.end && b.base < a.end;
}

/* Host pointer to [gpa, gpa + len) when all of it is guest RAM (len 0: never). */
void *ld_ram(const struct guest_loader_env *env, uint64_t gpa, uint64_t len);

/* Is the whole boot area guest RAM? */
bool boot_area_ok(const struct guest_loader_env *env);

/*
 * Find a place for `size` bytes, `align`-aligned (a power of two), inside one
 * E820_RAM entry of env->map, with the end at most `limit`, overlapping none
 * of `avoid`, and accepted by env->gpa_ptr: the lowest such address >= `from`
 * (ld_find_low) or the highest (ld_find_high).  False when there is none.
 */
bool ld_find_low(const struct guest_loader_env *env, uint64_t from, uint64_t size, uint64_t align,
                 uint64_t limit, const struct gpa_range *avoid, size_t navoid, uint64_t *out);
bool ld_find_high(const struct guest_loader_env *env, uint64_t size, uint64_t align, uint64_t limit,
                  const struct gpa_range *avoid, size_t navoid, uint64_t *out);

/* Identity page tables for 0-4 GiB (2 MiB pages) at BOOT_PML4; returns CR3. */
uint64_t build_identity_paging(const struct guest_loader_env *env);

/*
 * GDT at BOOT_GDT, sets gs->gdt_base/limit, cs and ds.  Long mode: the Linux
 * 64-bit boot protocol layout, 0x10 = 64-bit code (__BOOT_CS), 0x18 = data
 * (__BOOT_DS).  Otherwise 0x08 = flat 32-bit code, 0x10 = flat data.
 */
void build_gdt(const struct guest_loader_env *env, bool long_mode, struct guest_start *gs);

/*
 * The common part of a protected- or long-mode start: mode, rip, RSP at
 * BOOT_STACK_TOP, interrupts off, and for long mode the identity map.
 * Writes the GDT (and the page tables); the caller checked boot_area_ok.
 */
void start_protected(const struct guest_loader_env *env, bool long_mode, uint64_t rip,
                     struct guest_start *gs);

/* ---- ELF (guest/loader/elf.c) ---------------------------------------------------- */

#define ELF_MAX_LOAD 32

struct elf_seg {
    uint64_t offset, filesz, paddr, memsz;
};

struct elf_info {
    bool is64;
    uint64_t entry;                  /* physical: e_entry moved by its segment's p_paddr - p_vaddr */
    size_t nseg;                     /* PT_LOAD segments with p_memsz != 0, in file order */
    struct elf_seg seg[ELF_MAX_LOAD];
    struct gpa_range span;           /* lowest p_paddr .. highest p_paddr + p_memsz */
};

/*
 * Validate an ELF32 EM_386 (or, when allow64, ELF64 EM_X86_64) ET_EXEC image
 * against its size: headers, program headers, every PT_LOAD (file bounds,
 * p_memsz >= p_filesz, no wrap, no overlap with another).  `who` prefixes
 * errors ("elf", "multiboot").  Touches no guest memory.
 */
int elf_parse(const uint8_t *data, size_t size, bool allow64, const char *who,
              struct elf_info *ei, char *err, size_t errlen);

/* Check every segment is guest RAM outside `avoid`; then (load) copy and zero bss. */
int elf_check_segments(const struct guest_loader_env *env, const struct elf_info *ei,
                       const struct gpa_range *avoid, const char *who, char *err, size_t errlen);
void elf_load_segments(const struct guest_loader_env *env, const uint8_t *data,
                       const struct elf_info *ei);

/* Fill the zero page's screen_info (si: boot_params offset 0) from the screen (guest/loader/linux_screen.c). */
void linux_screen_info(uint8_t *si, const struct guest_screen *screen);

#endif
