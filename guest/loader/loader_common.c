/*
 * Shared pieces of the guest image loaders: error reporting, finding room in
 * the guest memory map, and the boot area's GDT and identity page tables
 * (layout in guest/loader/loader_common.h).
 */
#include "guest/loader/loader_common.h"

#include <stdarg.h>

#include "kernel/lib/format.h"
#include "kernel/lib/lib.h"

int loader_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return LOADER_BAD_INPUT;
}

void *ld_ram(const struct guest_loader_env *env, uint64_t gpa, uint64_t len)
{
    if (!len || len > UINT64_MAX - gpa)
        return NULL;
    return env->gpa_ptr(env->ctx, gpa, len);
}

bool boot_area_ok(const struct guest_loader_env *env)
{
    return ld_ram(env, BOOT_AREA, BOOT_AREA_END - BOOT_AREA) != NULL;
}

/* Entry i of the map as a range (end clamped at 2^64 - 1), false when it is not RAM. */
static bool ram_entry(const struct guest_memmap *m, size_t i, struct gpa_range *r)
{
    if (m->e[i].type != E820_RAM)
        return false;
    r->base = m->e[i].base;
    r->end = m->e[i].len > UINT64_MAX - r->base ? UINT64_MAX : r->base + m->e[i].len;
    return true;
}

/* The first of `avoid` that [a, a + size) overlaps, or NULL. */
static const struct gpa_range *hits(uint64_t a, uint64_t size, const struct gpa_range *avoid,
                                    size_t navoid)
{
    struct gpa_range r = { a, a + size };
    for (size_t j = 0; j < navoid; j++)
        if (ld_overlap(r, avoid[j]))
            return &avoid[j];
    return NULL;
}

static size_t map_len(const struct guest_memmap *m)
{
    return m->n < GUEST_MAP_MAX ? m->n : GUEST_MAP_MAX;
}

/*
 * The searches step over `avoid` directly, and past anything else gpa_ptr
 * refuses inside a RAM entry (the caller's own reservations, such as the
 * staged source images) one alignment step at a time.
 */
bool ld_find_low(const struct guest_loader_env *env, uint64_t from, uint64_t size, uint64_t align,
                 uint64_t limit, const struct gpa_range *avoid, size_t navoid, uint64_t *out)
{
    if (!size)
        return false;
    for (size_t i = 0; i < map_len(env->map); i++) {
        struct gpa_range e;
        if (!ram_entry(env->map, i, &e))
            continue;
        if (e.end > limit)
            e.end = limit;
        uint64_t a = e.base > from ? e.base : from;
        for (;;) {
            if (a > UINT64_MAX - (align - 1))
                break;
            a = ALIGN_UP(a, align);
            if (a >= e.end || size > e.end - a)
                break;
            const struct gpa_range *h = hits(a, size, avoid, navoid);
            if (h) {
                a = h->end;
                continue;
            }
            if (ld_ram(env, a, size)) {
                *out = a;
                return true;
            }
            if (align > UINT64_MAX - a)
                break;
            a += align;
        }
    }
    return false;
}

bool ld_find_high(const struct guest_loader_env *env, uint64_t size, uint64_t align, uint64_t limit,
                  const struct gpa_range *avoid, size_t navoid, uint64_t *out)
{
    if (!size)
        return false;
    for (size_t i = map_len(env->map); i-- > 0;) {
        struct gpa_range e;
        if (!ram_entry(env->map, i, &e))
            continue;
        uint64_t top = e.end < limit ? e.end : limit;
        if (top < e.base || size > top - e.base)
            continue;
        uint64_t a = ALIGN_DOWN(top - size, align);
        while (a >= e.base) {
            const struct gpa_range *h = hits(a, size, avoid, navoid);
            if (h) {
                if (h->base < e.base || h->base - e.base < size)
                    break;
                a = ALIGN_DOWN(h->base - size, align);
                continue;
            }
            if (ld_ram(env, a, size)) {
                *out = a;
                return true;
            }
            if (a < align)
                break;
            a -= align;
        }
    }
    return false;
}

uint64_t build_identity_paging(const struct guest_loader_env *env)
{
    /* PML4[0] -> PDPT[0..3] -> 4 PDs of 2 MiB pages (SDM Vol. 3A 4.5, Table 4-17). */
    uint8_t *p = ld_ram(env, BOOT_PML4, BOOT_PAGING_SIZE);
    memset(p, 0, BOOT_PAGING_SIZE);
    ld_put64(p, (BOOT_PML4 + PAGE_4K) | 3);                           /* P, RW */
    for (unsigned i = 0; i < 4; i++)
        ld_put64(p + PAGE_4K + 8 * i, (BOOT_PML4 + (2 + i) * PAGE_4K) | 3);
    for (uint64_t i = 0; i < 4 * 512; i++)
        ld_put64(p + 2 * PAGE_4K + 8 * i, (i << 21) | 0x83);          /* P, RW, PS */
    return BOOT_PML4;
}

void build_gdt(const struct guest_loader_env *env, bool long_mode, struct guest_start *gs)
{
    /* Flat descriptors, base 0, limit 4 GiB (SDM Vol. 3A 3.4.5): 64-bit code
     * (L=1) or 32-bit code (D=1) at 0x10, read/write data at 0x18: the
     * selectors GRUB hands a Multiboot kernel and the Linux boot protocol
     * names (__BOOT_CS, __BOOT_DS), so a guest sees what it sees natively. */
    static const uint64_t gdt64[] = { 0, 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull };
    static const uint64_t gdt32[] = { 0, 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull };
    const uint64_t *g = long_mode ? gdt64 : gdt32;
    size_t n = long_mode ? ARRAY_SIZE(gdt64) : ARRAY_SIZE(gdt32);
    uint8_t *p = ld_ram(env, BOOT_GDT, PAGE_4K);

    memset(p, 0, PAGE_4K);
    for (size_t i = 0; i < n; i++)
        ld_put64(p + 8 * i, g[i]);
    gs->gdt_base = BOOT_GDT;
    gs->gdt_limit = (uint16_t)(8 * n - 1);
    gs->cs = 0x10;
    gs->ds = 0x18;
}

void start_protected(const struct guest_loader_env *env, bool long_mode, uint64_t rip,
                     struct guest_start *gs)
{
    *gs = (struct guest_start){
        .mode = long_mode ? GUEST_MODE_64 : GUEST_MODE_32,
        .rip = rip,
        .rsp = BOOT_STACK_TOP,
        .rflags = 0x2,                                   /* IF clear */
        .cr0 = LD_CR0_PE | LD_CR0_ET,
        .idt_base = 0,
        .idt_limit = 0,
    };
    build_gdt(env, long_mode, gs);
    if (long_mode) {
        gs->cr0 |= LD_CR0_NE | LD_CR0_PG;                /* 0x80000031 */
        gs->cr3 = build_identity_paging(env);
        gs->cr4 = LD_CR4_PAE;
        gs->efer = LD_EFER_LME | LD_EFER_LMA;
    }
}
