/*
 * Flat binaries: the image copied to `addr` and entered at `entry` in
 *   16-bit real mode: CS base = entry & 0xf0000 (selector entry >> 4 & 0xf000),
 *     IP = entry & 0xffff, so any entry below 1 MiB is reachable; data
 *     segments base 0; SS:SP = 0:0 and the IVT limit (IDTR 0/0x3ff) as at
 *     reset: like a BIOS boot sector, the guest sets up its own stack.  The
 *     boot area is not used.
 *   32-bit protected mode, paging off, flat GDT (0x08 code, 0x10 data), or
 *   64-bit mode on the identity map of 0-4 GiB (0x10 code, 0x18 data);
 *     both with the GDT, page tables and stack (ESP/RSP 0x20000) in the boot
 *     area 0x10000-0x1ffff (guest/loader/loader_common.h), which the image must
 *     not overlap, and the image below 4 GiB.
 */
#include "guest/loader/loader_common.h"

#include "kernel/lib/lib.h"

int flat_load(const struct guest_loader_env *env, const struct guest_image *image, uint64_t addr,
              uint64_t entry, unsigned mode, struct guest_start *gs, char *err, size_t errlen)
{
    static const struct gpa_range boot = { BOOT_AREA, BOOT_AREA_END };
    struct gpa_range r;

    if (mode != 16 && mode != 32 && mode != 64)
        return loader_fail(err, errlen, "flat: bad mode %u (need 16, 32 or 64)", mode);
    if (!image || !image->data || !image->size)
        return loader_fail(err, errlen, "flat: empty image");
    if (!ld_range(addr, image->size, &r) || !ld_ram(env, addr, image->size))
        return loader_fail(err, errlen, "flat: image 0x%llx+0x%zx outside guest memory",
                           (unsigned long long)addr, image->size);
    if (entry < r.base || entry >= r.end)
        return loader_fail(err, errlen, "flat: entry 0x%llx outside the image 0x%llx-0x%llx",
                           (unsigned long long)entry, (unsigned long long)r.base,
                           (unsigned long long)(r.end - 1));

    if (mode == 16) {
        if (entry >= 0x100000)
            return loader_fail(err, errlen, "flat: 16-bit entry 0x%llx is not below 1 MiB",
                               (unsigned long long)entry);
        memcpy(ld_ram(env, addr, image->size), image->data, image->size);
        *gs = (struct guest_start){
            .mode = GUEST_MODE_REAL,
            .rip = entry & 0xffff,
            .real_cs_base = entry & 0xf0000,
            .rflags = 0x2,
            .cr0 = LD_CR0_ET,
            .idt_limit = 0x3ff,
            .gdt_limit = 0xffff,
        };
        return LOADER_OK;
    }

    if (r.end > GIB_4)
        return loader_fail(err, errlen, "flat: image 0x%llx-0x%llx is not below 4 GiB",
                           (unsigned long long)r.base, (unsigned long long)(r.end - 1));
    if (!boot_area_ok(env))
        return loader_fail(err, errlen, "flat: no guest RAM at 0x%llx-0x%llx for the GDT, page "
                           "tables and stack", BOOT_AREA, BOOT_AREA_END - 1);
    if (ld_overlap(r, boot))
        return loader_fail(err, errlen, "flat: image 0x%llx-0x%llx overlaps the boot area "
                           "0x%llx-0x%llx", (unsigned long long)r.base,
                           (unsigned long long)(r.end - 1), BOOT_AREA, BOOT_AREA_END - 1);
    memcpy(ld_ram(env, addr, image->size), image->data, image->size);
    start_protected(env, mode == 64, entry, gs);
    return LOADER_OK;
}
