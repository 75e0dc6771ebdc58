/* DMAR table parser (Intel VT-d spec, chapter 8); see kernel/firmware/acpi_dmar.h. */
#include "kernel/firmware/acpi_dmar.h"

#define DMAR_HDR_LEN 48u     /* ACPI header (36), host address width, flags, 10 reserved */

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Minimum length of each structure type (8.3 - 8.6); 0: unknown type, at least 4. */
static uint16_t struct_min_len(uint16_t type)
{
    switch (type) {
    case DMAR_TYPE_DRHD: return 16;
    case DMAR_TYPE_RMRR: return 24;
    case DMAR_TYPE_ATSR: return 8;
    case DMAR_TYPE_RHSA: return 20;
    case DMAR_TYPE_ANDD: return 8;
    default:             return 4;
    }
}

/*
 * The device scope entries of one structure, [p, p + len) (8.3.1): each one
 * type, length, 2 reserved, enumeration id, start bus, then (device, function)
 * pairs.  Appended to out->scope[]; *first and *n say where.
 */
static enum dmar_error parse_scopes(const uint8_t *p, uint32_t len, struct dmar_info *out,
                                    unsigned *first, unsigned *n)
{
    *first = out->nscopes;
    *n = 0;
    for (uint32_t at = 0; at < len;) {
        if (len - at < 6)
            return DMAR_ERR_SCOPE_LENGTH;
        uint8_t slen = p[at + 1];
        if (slen < 6 || slen > len - at || (slen - 6) % 2)
            return DMAR_ERR_SCOPE_LENGTH;
        unsigned npath = (slen - 6u) / 2;
        if (out->nscopes == DMAR_MAX_SCOPES || npath > DMAR_MAX_PATH)
            return DMAR_ERR_TOO_MANY;
        struct dmar_scope *s = &out->scope[out->nscopes++];
        *s = (struct dmar_scope){ .type = p[at], .enum_id = p[at + 4], .bus = p[at + 5],
                                  .npath = (uint8_t)npath };
        for (unsigned i = 0; i < npath; i++) {
            s->path[i][0] = p[at + 6 + 2 * i];
            s->path[i][1] = p[at + 7 + 2 * i];
        }
        (*n)++;
        at += slen;
    }
    return DMAR_OK;
}

static enum dmar_error parse_struct(const uint8_t *e, uint16_t type, uint16_t len, struct dmar_info *out)
{
    switch (type) {
    case DMAR_TYPE_DRHD: {      /* 8.3: flags, size, segment, register base, scopes */
        if (out->ndrhd == DMAR_MAX_DRHD)
            return DMAR_ERR_TOO_MANY;
        struct dmar_drhd *d = &out->drhd[out->ndrhd];
        *d = (struct dmar_drhd){ .flags = e[4], .size = e[5] & 0xf, .segment = get16(e + 6),
                                 .base = get64(e + 8) };
        if (!d->base || (d->base & 0xfff))
            return DMAR_ERR_REG_BASE;
        out->ndrhd++;
        return parse_scopes(e + 16, len - 16u, out, &d->first_scope, &d->nscopes);
    }
    case DMAR_TYPE_RMRR: {      /* 8.4: reserved, segment, base, limit, scopes */
        if (out->nrmrr == DMAR_MAX_RMRR)
            return DMAR_ERR_TOO_MANY;
        struct dmar_rmrr *r = &out->rmrr[out->nrmrr];
        *r = (struct dmar_rmrr){ .segment = get16(e + 6), .base = get64(e + 8), .limit = get64(e + 16) };
        if ((r->base & 0xfff) || ((r->limit + 1) & 0xfff) || r->limit < r->base)
            return DMAR_ERR_RMRR_RANGE;
        out->nrmrr++;
        return parse_scopes(e + 24, len - 24u, out, &r->first_scope, &r->nscopes);
    }
    case DMAR_TYPE_ATSR: out->natsr++; return DMAR_OK;
    case DMAR_TYPE_RHSA: out->nrhsa++; return DMAR_OK;
    case DMAR_TYPE_ANDD: out->nandd++; return DMAR_OK;
    default:             out->nother++; return DMAR_OK;
    }
}

enum dmar_error dmar_parse(const void *table, size_t avail, struct dmar_info *out)
{
    const uint8_t *t = table;

    *out = (struct dmar_info){ 0 };
    if (!t || avail < 8)
        return DMAR_ERR_UNMAPPED;
    if (t[0] != 'D' || t[1] != 'M' || t[2] != 'A' || t[3] != 'R')
        return DMAR_ERR_SIGNATURE;
    uint32_t len = (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
    if (len < DMAR_HDR_LEN || len > ACPI_MAX_TABLE_LEN || len > avail)
        return DMAR_ERR_LENGTH;
    if (!acpi_checksum_ok(t, len))
        return DMAR_ERR_CHECKSUM;
    out->haw = (uint8_t)(t[36] + 1);
    out->flags = t[37];
    for (uint32_t at = DMAR_HDR_LEN; at < len;) {
        out->err_offset = at;
        if (len - at < 4)
            return DMAR_ERR_STRUCT_LENGTH;
        uint16_t type = get16(t + at), slen = get16(t + at + 2);
        if (slen < struct_min_len(type) || slen > len - at)
            return DMAR_ERR_STRUCT_LENGTH;
        enum dmar_error e = parse_struct(t + at, type, slen, out);
        if (e)
            return e;
        at += slen;
    }
    out->err_offset = 0;
    return out->ndrhd ? DMAR_OK : DMAR_ERR_NO_DRHD;
}

enum dmar_error dmar_parse_at(uint64_t pa, acpi_map_fn map, void *ctx, struct dmar_info *out)
{
    *out = (struct dmar_info){ 0 };
    const uint8_t *h = pa ? map(ctx, pa, 36) : NULL;
    if (!h)
        return DMAR_ERR_UNMAPPED;
    uint32_t len = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
    if (len < DMAR_HDR_LEN || len > ACPI_MAX_TABLE_LEN)
        return DMAR_ERR_LENGTH;
    const uint8_t *t = map(ctx, pa, len);
    if (!t)
        return DMAR_ERR_UNMAPPED;
    return dmar_parse(t, len, out);
}

void dmar_hide(uint8_t *table, uint32_t len)
{
    table[0] = 'X';
    table[9] = 0;                        /* the ACPI header's checksum byte */
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + table[i]);
    table[9] = (uint8_t)-sum;
}

const char *dmar_strerror(enum dmar_error e)
{
    switch (e) {
    case DMAR_OK:                return "ok";
    case DMAR_ERR_UNMAPPED:      return "DMAR table not readable";
    case DMAR_ERR_SIGNATURE:     return "bad DMAR signature";
    case DMAR_ERR_LENGTH:        return "bad DMAR table length";
    case DMAR_ERR_CHECKSUM:      return "bad DMAR checksum";
    case DMAR_ERR_STRUCT_LENGTH: return "DMAR remapping structure with a bad length";
    case DMAR_ERR_SCOPE_LENGTH:  return "DMAR device scope with a bad length";
    case DMAR_ERR_REG_BASE:      return "DRHD register base 0 or not page aligned";
    case DMAR_ERR_RMRR_RANGE:    return "RMRR range not page aligned or limit below base";
    case DMAR_ERR_TOO_MANY:      return "more DMAR units, regions or device scopes than Skiff keeps";
    case DMAR_ERR_NO_DRHD:       return "DMAR table without a remapping unit (DRHD)";
    }
    return "unknown DMAR error";
}

const char *dmar_scope_type_name(uint8_t type)
{
    static const char *const names[] = { "?", "endpoint", "bridge", "IOAPIC", "HPET", "ACPI namespace" };
    return type < 6 ? names[type] : "?";
}

void dmar_summary(const struct dmar_info *d, char *buf, size_t len)
{
    struct acpi_sbuf s = { buf, len, 0 };

    if (!len)
        return;
    buf[0] = '\0';
    acpi_sb_add(&s, "DMAR: host address width %u%s%s, %u DRHD", d->haw,
                (d->flags & DMAR_INTR_REMAP) ? ", INTR_REMAP" : "",
                (d->flags & DMAR_X2APIC_OPT_OUT) ? ", X2APIC_OPT_OUT" : "", d->ndrhd);
    for (unsigned i = 0; i < d->ndrhd; i++) {
        const struct dmar_drhd *u = &d->drhd[i];
        acpi_sb_add(&s, "%s0x%llx (segment %u, %s)", i ? ", " : " ", (unsigned long long)u->base,
                    u->segment, (u->flags & DMAR_DRHD_INCLUDE_PCI_ALL) ? "INCLUDE_PCI_ALL" : "scoped");
        for (unsigned j = 0; j < u->nscopes; j++) {
            const struct dmar_scope *sc = &d->scope[u->first_scope + j];
            acpi_sb_add(&s, " %s %02x:%02x.%u", dmar_scope_type_name(sc->type), sc->bus,
                        sc->npath ? sc->path[0][0] : 0, sc->npath ? sc->path[0][1] : 0);
        }
    }
    acpi_sb_add(&s, ", %u RMRR", d->nrmrr);
    for (unsigned i = 0; i < d->nrmrr; i++)
        acpi_sb_add(&s, " 0x%llx-0x%llx", (unsigned long long)d->rmrr[i].base,
                    (unsigned long long)d->rmrr[i].limit);
    if (d->natsr + d->nrhsa + d->nandd + d->nother)
        acpi_sb_add(&s, ", %u ATSR, %u RHSA, %u ANDD, %u other", d->natsr, d->nrhsa, d->nandd, d->nother);
}
