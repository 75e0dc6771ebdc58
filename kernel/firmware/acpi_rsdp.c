#include "kernel/firmware/acpi_rsdp.h"

#include "kernel/lib/lib.h"

/* UEFI 2.10, 4.6 "EFI Configuration Table": the ACPI GUIDs in their in-memory byte order. */
static const uint8_t guid_acpi20[16] = { 0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
                                         0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 };
static const uint8_t guid_acpi10[16] = { 0x30, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
                                         0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d };

/* UEFI 2.10, 4.3 "EFI System Table": NumberOfTableEntries and ConfigurationTable. */
#define EFI_SYSTAB_SIG       0x5453595320494249ull   /* "IBI SYST" */
#define EFI64_NTABLES        104
#define EFI64_TABLES         112
#define EFI32_NTABLES        64
#define EFI32_TABLES         68
#define EFI_MAX_TABLES       256

#define EBDA_SEG_PTR         0x40e                   /* BDA word: the EBDA's real-mode segment */
#define EBDA_SCAN            1024
#define BIOS_AREA            0xe0000ull
#define BIOS_AREA_END        0x100000ull

static uint64_t rd(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

/* The bytes of the copy that identify it: 20 (revision 0) or its Length field (revision 2+). */
static size_t rsdp_bytes(const struct mb2_info *mb)
{
    const uint8_t *r = mb->rsdp;
    if (mb->rsdp_len < 20)
        return 0;
    if (r[15] < 2)
        return 20;
    if (mb->rsdp_len < 36)
        return 0;
    uint32_t len = (uint32_t)rd(r + 20, 4);
    return len >= 36 && len <= mb->rsdp_len ? len : 0;
}

static bool same_at(const struct mb2_info *mb, size_t n, acpi_map_fn map, void *ctx, uint64_t pa)
{
    const void *p = pa ? map(ctx, pa, n) : NULL;
    return p && memcmp(p, mb->rsdp, n) == 0;
}

static uint64_t from_efi(const struct mb2_info *mb, size_t n, acpi_map_fn map, void *ctx)
{
    bool is64 = mb->has_efi64;
    unsigned ptr = is64 ? 8 : 4, entry = 16 + ptr;
    const uint8_t *st = map(ctx, mb->efi_systab, is64 ? EFI64_TABLES + 8 : EFI32_TABLES + 4);
    if (!st || rd(st, 8) != EFI_SYSTAB_SIG)
        return 0;
    uint64_t count = rd(st + (is64 ? EFI64_NTABLES : EFI32_NTABLES), ptr);
    uint64_t tables = rd(st + (is64 ? EFI64_TABLES : EFI32_TABLES), ptr);
    if (count > EFI_MAX_TABLES)
        count = EFI_MAX_TABLES;
    const uint8_t *t = count ? map(ctx, tables, count * entry) : NULL;
    if (!t)
        return 0;
    const uint8_t *const guids[] = { guid_acpi20, guid_acpi10 };
    for (unsigned g = 0; g < 2; g++)
        for (uint64_t i = 0; i < count; i++) {
            const uint8_t *e = t + i * entry;
            uint64_t pa = rd(e + 16, ptr);
            if (memcmp(e, guids[g], 16) == 0 && same_at(mb, n, map, ctx, pa))
                return pa;
        }
    return 0;
}

static uint64_t scan(const struct mb2_info *mb, size_t n, acpi_map_fn map, void *ctx, uint64_t from,
                     uint64_t to)
{
    for (uint64_t pa = from; pa + n <= to; pa += 16)
        if (same_at(mb, n, map, ctx, pa))
            return pa;
    return 0;
}

uint64_t acpi_rsdp_locate(const struct mb2_info *mb, acpi_map_fn map, void *ctx,
                          enum acpi_rsdp_where *where)
{
    size_t n = mb->rsdp ? rsdp_bytes(mb) : 0;
    uint64_t pa = 0;
    *where = ACPI_RSDP_NONE;
    if (!n)
        return 0;
    if (mb->has_efi32 || mb->has_efi64) {
        if ((pa = from_efi(mb, n, map, ctx)))
            *where = ACPI_RSDP_EFI;
        return pa;
    }
    const uint8_t *seg = map(ctx, EBDA_SEG_PTR, 2);
    uint64_t ebda = seg ? rd(seg, 2) << 4 : 0;
    if (ebda >= 0x400 && ebda < BIOS_AREA && (pa = scan(mb, n, map, ctx, ebda, ebda + EBDA_SCAN))) {
        *where = ACPI_RSDP_EBDA;
        return pa;
    }
    if ((pa = scan(mb, n, map, ctx, BIOS_AREA, BIOS_AREA_END)))
        *where = ACPI_RSDP_BIOS;
    return pa;
}

const char *acpi_rsdp_where_name(enum acpi_rsdp_where w)
{
    switch (w) {
    case ACPI_RSDP_EFI:  return "the EFI configuration table";
    case ACPI_RSDP_EBDA: return "the EBDA";
    case ACPI_RSDP_BIOS: return "the BIOS area";
    case ACPI_RSDP_NONE: break;
    }
    return "nowhere";
}
