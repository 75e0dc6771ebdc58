#include "kernel/firmware/hpet.h"

#include "kernel/firmware/acpi.h"

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

enum hpet_table_error hpet_table_parse(const void *table, size_t len, struct acpi_hpet *out)
{
    const uint8_t *t = table;
    *out = (struct acpi_hpet){ 0 };
    if (!t || len < HPET_TABLE_LEN)
        return HPET_TABLE_SHORT;
    if (t[0] != 'H' || t[1] != 'P' || t[2] != 'E' || t[3] != 'T')
        return HPET_TABLE_SIGNATURE;
    uint32_t l = rd32(t + 4);
    if (l < HPET_TABLE_LEN)
        return HPET_TABLE_SHORT;
    if (l > len)
        return HPET_TABLE_LENGTH;
    if (!acpi_checksum_ok(t, l))
        return HPET_TABLE_CHECKSUM;
    /* Base Address: a Generic Address Structure at 40 (space id, width, offset, access size, address). */
    if (t[40] != ACPI_SPACE_MEM)
        return HPET_TABLE_SPACE;
    uint64_t base = rd32(t + 44) | (uint64_t)rd32(t + 48) << 32;
    if (!base || (base & 0x3ff) || base >= (1ull << 52))
        return HPET_TABLE_BASE;
    *out = (struct acpi_hpet){ base, rd32(t + 36), t[52], (uint16_t)(t[53] | t[54] << 8), t[55] };
    return HPET_TABLE_OK;
}

const char *hpet_table_strerror(enum hpet_table_error e)
{
    switch (e) {
    case HPET_TABLE_OK:        return "ok";
    case HPET_TABLE_SHORT:     return "shorter than 56 bytes";
    case HPET_TABLE_SIGNATURE: return "not an HPET table";
    case HPET_TABLE_LENGTH:    return "its length passes what can be read";
    case HPET_TABLE_CHECKSUM:  return "bad checksum";
    case HPET_TABLE_SPACE:     return "its base is not in system memory space";
    case HPET_TABLE_BASE:      return "its base is 0, not 1 KiB aligned or beyond 2^52";
    }
    return "?";
}

/* The dword at d after the store of size bytes of value at off (bytes outside it: read through rd). */
static uint32_t merged(uint32_t d, uint32_t off, unsigned size, uint64_t value, hpet_read32_fn rd, void *ctx)
{
    uint32_t cur = rd(ctx, d);
    for (unsigned i = 0; i < size; i++) {
        uint32_t b = off + i;
        if (b >= d && b < d + 4) {
            unsigned sh = (b - d) * 8;
            cur = (cur & ~(0xffu << sh)) | (uint32_t)((value >> (i * 8)) & 0xff) << sh;
        }
    }
    return cur;
}

static bool touches(uint32_t d, uint32_t off, unsigned size) { return off < d + 4 && off + size > d; }

enum hpet_verdict hpet_judge_write(uint32_t off, unsigned size, uint64_t value, hpet_read32_fn rd, void *ctx,
                                   unsigned *timer, uint32_t *addr)
{
    if (size > 8)
        size = 8;
    for (unsigned n = 0; n < HPET_MAX_TIMERS; n++) {
        uint32_t cfg = HPET_TN_CFG(n), route_hi = HPET_TN_ROUTE(n) + 4;
        bool t_cfg = touches(cfg, off, size), t_route = touches(route_hi, off, size);
        if (!t_cfg && !t_route)
            continue;
        uint32_t a = merged(route_hi, off, size, value, rd, ctx);
        *timer = n;
        *addr = a;
        if (t_route && !hpet_interrupt_address(a))
            return HPET_WRITE_ROUTE;
        if (t_cfg && (merged(cfg, off, size, value, rd, ctx) & HPET_TN_FSB_EN) && !hpet_interrupt_address(a))
            return HPET_WRITE_ENABLE;
    }
    return HPET_WRITE_OK;
}
