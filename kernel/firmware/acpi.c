#include "kernel/firmware/acpi.h"

#include "kernel/lib/format.h"

#define HDR_LEN 36u

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static bool sig_eq(const uint8_t *p, const char *sig)
{
    for (int i = 0; i < 4; i++)
        if (p[i] != (uint8_t)sig[i])
            return false;
    return true;
}

bool acpi_checksum_ok(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + b[i]);
    return sum == 0;
}

/*
 * Map a whole table: its header first, then header.length bytes; check
 * minimum length and checksum.  *len receives the table's length.
 */
static enum acpi_table_status map_table(uint64_t pa, uint32_t min_len, acpi_map_fn map, void *ctx,
                                        const uint8_t **out, uint32_t *len)
{
    *out = NULL;
    *len = 0;
    if (!pa)
        return ACPI_TABLE_ABSENT;
    const uint8_t *h = map(ctx, pa, HDR_LEN);
    if (!h)
        return ACPI_TABLE_UNMAPPED;
    uint32_t l = rd32(h + 4);
    if (l < HDR_LEN || l < min_len || l > ACPI_MAX_TABLE_LEN)
        return ACPI_TABLE_BAD_LEN;
    const uint8_t *t = map(ctx, pa, l);
    if (!t)
        return ACPI_TABLE_UNMAPPED;
    if (rd32(t + 4) != l)   /* the table changed under us: do not trust it */
        return ACPI_TABLE_BAD_LEN;
    if (!acpi_checksum_ok(t, l))
        return ACPI_TABLE_BAD_CSUM;
    *out = t;
    *len = l;
    return ACPI_TABLE_OK;
}

/* ---- AML: Name(_S5_, Package(){...}) ----------------------------------- */

/* PkgLength (ACPI 6.4, 20.2.4): returns its encoded byte count, 0 if malformed. */
static size_t pkg_length(const uint8_t *p, size_t avail, uint32_t *value)
{
    if (avail < 1)
        return 0;
    unsigned follow = p[0] >> 6;
    if (avail < 1 + (size_t)follow)
        return 0;
    if (follow == 0) {
        *value = p[0] & 0x3f;
        return 1;
    }
    if (p[0] & 0x30)        /* bits 4-5 must be zero with following bytes */
        return 0;
    uint32_t v = p[0] & 0x0f;
    for (unsigned i = 0; i < follow; i++)
        v |= (uint32_t)p[1 + i] << (4 + 8 * i);
    *value = v;
    return 1 + follow;
}

/* One integer element of a package: returns its size in bytes, 0 if not an integer constant. */
static size_t aml_integer(const uint8_t *p, size_t avail, uint64_t *v)
{
    if (avail < 1)
        return 0;
    switch (p[0]) {
    case 0x00: *v = 0; return 1;                                      /* ZeroOp */
    case 0x01: *v = 1; return 1;                                      /* OneOp */
    case 0xff: *v = ~0ull; return 1;                                  /* OnesOp */
    case 0x0a: if (avail < 2) return 0; *v = p[1]; return 2;          /* BytePrefix */
    case 0x0b: if (avail < 3) return 0; *v = rd16(p + 1); return 3;   /* WordPrefix */
    case 0x0c: if (avail < 5) return 0; *v = rd32(p + 1); return 5;   /* DWordPrefix */
    case 0x0e: if (avail < 9) return 0; *v = rd64(p + 1); return 9;   /* QWordPrefix */
    default: return 0;
    }
}

/* The package after the name at p (avail bytes to the end of the table). */
static bool parse_s5_package(const uint8_t *p, size_t avail, uint8_t *a, uint8_t *b)
{
    if (avail < 1 || p[0] != 0x12)                                    /* PackageOp */
        return false;
    uint32_t plen;
    size_t n = pkg_length(p + 1, avail - 1, &plen);
    /* PkgLength counts itself and the rest of the package. */
    if (!n || plen < n + 1 || plen > avail - 1)
        return false;
    const uint8_t *q = p + 1 + n, *end = p + 1 + plen;
    unsigned count = *q++;
    if (count < 1)
        return false;
    uint64_t vals[2] = { 0, 0 };
    for (unsigned i = 0; i < count && i < 2; i++) {
        size_t m = aml_integer(q, (size_t)(end - q), &vals[i]);
        if (!m)
            return false;
        q += m;
    }
    if (count < 2)
        vals[1] = vals[0];
    if (vals[0] > 7 || vals[1] > 7)
        return false;
    *a = (uint8_t)vals[0];
    *b = (uint8_t)vals[1];
    return true;
}

bool acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb)
{
    return acpi_find_sleep_type(aml, len, 5, slp_typa, slp_typb);
}

unsigned acpi_find_sleep_types(const uint8_t *aml, size_t len, uint8_t typa[6], uint8_t typb[6])
{
    unsigned found = 0;
    if (!aml || len < 6)
        return 0;
    /* One pass over the AML for every _S0_.._S5_ (a DSDT is tens of KiB: one pass per state
     * was most of Skiff's boot cost). */
    for (size_t i = 1; i + 4 <= len && found != 0x3f; i++) {
        if (aml[i] != '_' || aml[i + 1] != 'S' || aml[i + 2] < '0' || aml[i + 2] > '5' || aml[i + 3] != '_')
            continue;
        unsigned st = (unsigned)(aml[i + 2] - '0');
        if (found & (1u << st))
            continue;                                  /* the first that parses counts */
        /* NameOp, optionally with a root prefix: 08 _Sx_ or 08 5C _Sx_. */
        bool named = aml[i - 1] == 0x08 || (i >= 2 && aml[i - 1] == 0x5c && aml[i - 2] == 0x08);
        if (named && parse_s5_package(aml + i + 4, len - i - 4, &typa[st], &typb[st]))
            found |= 1u << st;
    }
    return found;
}

bool acpi_find_sleep_type(const uint8_t *aml, size_t len, unsigned state, uint8_t *slp_typa, uint8_t *slp_typb)
{
    uint8_t a[6], b[6];
    if (state > 5 || !(acpi_find_sleep_types(aml, len, a, b) & (1u << state)))
        return false;
    *slp_typa = a[state];
    *slp_typb = b[state];
    return true;
}

int acpi_sleep_state(const struct acpi_info *a, bool pm1b, unsigned slp_typ)
{
    slp_typ &= 7;
    if (!a->has_s5) {
        /* No DSDT to ask: the PIIX4 and ICH9 PM blocks of Bochs and QEMU decode
         * 0 as soft-off and 1 as suspend to RAM. */
        return slp_typ == 0 ? 5 : slp_typ == 1 ? 3 : -1;
    }
    if (slp_typ == (pm1b ? a->slp_typb : a->slp_typa))
        return 5;
    for (int st = 4; st >= 0; st--)
        if ((a->has_sleep & (1u << st)) && slp_typ == (pm1b ? a->sleep_typb[st] : a->sleep_typa[st]))
            return st;
    return -1;
}

/* ---- MCFG (PCI Firmware Specification 3.2, 4.1.2) ---------------------------
 * The header, 8 reserved bytes, then 16-byte entries: base address (8), PCI
 * segment (2), start and end bus (1 each), 4 reserved.  Each bus takes 1 MiB. */
static void parse_mcfg(const uint8_t *m, uint32_t len, struct acpi_info *out)
{
    for (uint32_t off = HDR_LEN + 8; off + 16 <= len && out->necam < ACPI_MAX_ECAM; off += 16) {
        uint64_t base = rd64(m + off);
        uint8_t start = m[off + 10], end = m[off + 11];
        if (!base || end < start || (base & 0xfffff))
            continue;
        out->ecam[out->necam++] = (struct acpi_ecam){ base, (uint16_t)(m[off + 8] | m[off + 9] << 8), start, end };
    }
}

/* ---- FADT (ACPI 6.4, 5.2.9) ------------------------------------------------ */

#define FADT_MIN_LEN 116u            /* ACPI 1.0 */

static void parse_fadt(const uint8_t *f, uint32_t len, struct acpi_info *out)
{
    out->fadt_revision = f[8];
    out->fadt_len = len;
    out->dsdt = rd32(f + 40);
    out->smi_cmd = (uint16_t)rd32(f + 48);
    if (rd32(f + 48) > 0xffff)
        out->smi_cmd = 0;
    out->acpi_enable = f[52];
    uint32_t pm1a = rd32(f + 64), pm1b = rd32(f + 68);
    out->pm1a_cnt = pm1a <= 0xffff ? (uint16_t)pm1a : 0;
    out->pm1b_cnt = pm1b <= 0xffff ? (uint16_t)pm1b : 0;
    uint32_t flags = rd32(f + 112);
    /* PM_TMR_BLK (76), 4 bytes long (PM_TMR_LEN, 91); X_PM_TMR_BLK (208, GAS) overrides it when in
     * I/O space.  A timer in memory space is not used (no known machine has one). */
    uint32_t tmr = rd32(f + 76);
    out->pm_tmr = tmr <= 0xffff && f[91] >= 4 ? (uint16_t)tmr : 0;
    if (len >= 220 && f[208] == ACPI_SPACE_IO && rd64(f + 212) && rd64(f + 212) <= 0xffff)
        out->pm_tmr = (uint16_t)rd64(f + 212);
    out->pm_tmr_32 = flags & (1u << 8);
    /* RESET_REG (GAS at 116) and RESET_VALUE (128), valid when RESET_REG_SUP (flag bit 10). */
    if (len >= 129 && (flags & (1u << 10))) {
        uint8_t space = f[116];
        uint64_t addr = rd64(f + 120);
        if (addr && (space == ACPI_SPACE_IO || space == ACPI_SPACE_MEM || space == ACPI_SPACE_PCI) &&
            (space != ACPI_SPACE_IO || addr <= 0xffff)) {
            out->has_reset = true;
            out->reset_space = space;
            out->reset_addr = addr;
            out->reset_value = f[128];
        }
    }
    /* X_DSDT (140) overrides DSDT when present. */
    if (len >= 148 && rd64(f + 140))
        out->dsdt = rd64(f + 140);
    /* X_PM1a_CNT_BLK (172) / X_PM1b_CNT_BLK (184): GAS, used when in I/O space. */
    for (unsigned i = 0; i < 2; i++) {
        uint32_t off = 172 + 12 * i;
        if (len < off + 12)
            break;
        uint64_t addr = rd64(f + off + 4);
        if (f[off] == ACPI_SPACE_IO && addr && addr <= 0xffff) {
            if (i == 0)
                out->pm1a_cnt = (uint16_t)addr;
            else
                out->pm1b_cnt = (uint16_t)addr;
        } else if (f[off] == ACPI_SPACE_MEM && addr) {
            if (i == 0)
                out->pm1a_cnt_mem = addr;
            else
                out->pm1b_cnt_mem = addr;
        }
    }
    out->hw_reduced = flags & (1u << 20);
    /* SLEEP_CONTROL_REG (244, GAS; ACPI 5.0+, hardware-reduced platforms, 4.8.3.7). */
    if (len >= 256 && rd64(f + 248) && (f[244] == ACPI_SPACE_IO || f[244] == ACPI_SPACE_MEM)) {
        out->sleep_ctl_space = f[244];
        out->sleep_ctl_addr = rd64(f + 248);
    }
}

/* ---- MADT (ACPI 6.4, 5.2.12) ----------------------------------------------- */

static void add_cpu(struct acpi_info *out, uint32_t id, uint32_t flags)
{
    if (!(flags & 1)) {
        out->ncpus_disabled++;
        return;
    }
    for (unsigned i = 0; i < out->ncpus && i < ACPI_MAX_CPUS; i++)
        if (out->apic_ids[i] == id)
            return;  /* the same CPU listed as xAPIC and x2APIC */
    if (out->ncpus < ACPI_MAX_CPUS)
        out->apic_ids[out->ncpus] = id;
    out->ncpus++;
}

static enum acpi_table_status parse_madt(const uint8_t *m, uint32_t len, struct acpi_info *out)
{
    if (len < 44)
        return ACPI_TABLE_BAD_LEN;
    out->lapic_addr = rd32(m + 36);
    for (uint32_t off = 44; off < len;) {
        if (len - off < 2)
            return ACPI_TABLE_BAD_CONTENT;
        uint8_t type = m[off], elen = m[off + 1];
        if (elen < 2 || elen > len - off)
            return ACPI_TABLE_BAD_CONTENT;
        const uint8_t *e = m + off;
        switch (type) {
        case 0:     /* Processor Local APIC */
            if (elen < 8)
                return ACPI_TABLE_BAD_CONTENT;
            add_cpu(out, e[3], rd32(e + 4));
            break;
        case 1:     /* I/O APIC */
            if (elen < 12)
                return ACPI_TABLE_BAD_CONTENT;
            if (!out->nioapics) {
                out->ioapic_id = e[2];
                out->ioapic_addr = rd32(e + 4);
                out->ioapic_gsi_base = rd32(e + 8);
            }
            out->nioapics++;
            break;
        case 9:     /* Processor Local x2APIC */
            if (elen < 16)
                return ACPI_TABLE_BAD_CONTENT;
            add_cpu(out, rd32(e + 4), rd32(e + 8));
            break;
        default:
            break;
        }
        off += elen;
    }
    return ACPI_TABLE_OK;
}

/* ---- RSDP and the root table ---------------------------------------------- */

enum acpi_error acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
                           struct acpi_info *out)
{
    const uint8_t *r = rsdp;

    *out = (struct acpi_info){ 0 };
    if (!r)
        return ACPI_ERR_NO_RSDP;
    if (rsdp_len < 20)
        return ACPI_ERR_RSDP_SHORT;
    static const char sig[8] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };
    for (int i = 0; i < 8; i++)
        if (r[i] != (uint8_t)sig[i])
            return ACPI_ERR_RSDP_SIG;
    if (!acpi_checksum_ok(r, 20))
        return ACPI_ERR_RSDP_CSUM;
    out->rsdp_revision = r[15];
    uint64_t root = rd32(r + 16);
    out->xsdt = false;
    if (r[15] >= 2) {
        if (rsdp_len < 36)
            return ACPI_ERR_RSDP_SHORT;
        uint32_t l = rd32(r + 20);
        if (l < 36 || l > rsdp_len)
            return ACPI_ERR_RSDP_SHORT;
        if (!acpi_checksum_ok(r, l))
            return ACPI_ERR_RSDP_XCSUM;
        if (rd64(r + 24)) {
            root = rd64(r + 24);
            out->xsdt = true;
        }
    }
    out->root_addr = root;

    const uint8_t *t;
    uint32_t tlen;
    enum acpi_table_status st = map_table(root, HDR_LEN, map, ctx, &t, &tlen);
    switch (st) {
    case ACPI_TABLE_OK: break;
    case ACPI_TABLE_BAD_LEN: return ACPI_ERR_ROOT_LEN;
    case ACPI_TABLE_BAD_CSUM: return ACPI_ERR_ROOT_CSUM;
    default: return ACPI_ERR_ROOT_MAP;
    }
    if (!sig_eq(t, out->xsdt ? "XSDT" : "RSDT"))
        return ACPI_ERR_ROOT_SIG;
    unsigned esize = out->xsdt ? 8 : 4;
    if ((tlen - HDR_LEN) % esize)
        return ACPI_ERR_ROOT_LEN;
    unsigned n = (tlen - HDR_LEN) / esize;
    if (n > ACPI_MAX_TABLES)
        n = ACPI_MAX_TABLES;
    out->ntables = n;

    for (unsigned i = 0; i < n; i++) {
        const uint8_t *ep = t + HDR_LEN + i * esize;
        uint64_t pa = out->xsdt ? rd64(ep) : rd32(ep);
        if (!pa)
            continue;
        const uint8_t *h = map(ctx, pa, HDR_LEN);
        if (!h)
            continue;
        bool fadt = sig_eq(h, "FACP"), madt = sig_eq(h, "APIC");
        if (sig_eq(h, "DMAR") && !out->dmar_addr)   /* parsed by kernel/firmware/acpi_dmar.c */
            out->dmar_addr = pa;
        if (sig_eq(h, "HPET") && !out->hpet_addr)   /* parsed by kernel/firmware/hpet.c */
            out->hpet_addr = pa;
        if (sig_eq(h, "MCFG") && !out->necam) {
            const uint8_t *m;
            uint32_t mlen;
            if (map_table(pa, HDR_LEN + 8, map, ctx, &m, &mlen) == ACPI_TABLE_OK)
                parse_mcfg(m, mlen, out);
        }
        if ((fadt && out->fadt_status == ACPI_TABLE_OK) || (madt && out->madt_status == ACPI_TABLE_OK))
            continue;   /* the first good one counts */
        if (fadt) {
            const uint8_t *f;
            uint32_t flen;
            out->fadt_status = map_table(pa, FADT_MIN_LEN, map, ctx, &f, &flen);
            if (out->fadt_status == ACPI_TABLE_OK)
                parse_fadt(f, flen, out);
        } else if (madt) {
            const uint8_t *m;
            uint32_t mlen;
            struct acpi_info keep = *out;
            out->madt_status = map_table(pa, 44, map, ctx, &m, &mlen);
            if (out->madt_status == ACPI_TABLE_OK)
                out->madt_status = parse_madt(m, mlen, out);
            if (out->madt_status != ACPI_TABLE_OK) {
                enum acpi_table_status s = out->madt_status;
                *out = keep;   /* nothing half-parsed */
                out->madt_status = s;
            }
        }
    }

    if (out->fadt_status == ACPI_TABLE_OK && out->dsdt) {
        const uint8_t *d;
        uint32_t dlen;
        out->dsdt_status = map_table(out->dsdt, HDR_LEN, map, ctx, &d, &dlen);
        if (out->dsdt_status == ACPI_TABLE_OK && !sig_eq(d, "DSDT"))
            out->dsdt_status = ACPI_TABLE_BAD_CONTENT;
        if (out->dsdt_status == ACPI_TABLE_OK) {
            uint8_t a[6], b[6];
            unsigned found = acpi_find_sleep_types(d + HDR_LEN, dlen - HDR_LEN, a, b);
            out->has_s5 = found & (1u << 5);
            out->slp_typa = a[5];
            out->slp_typb = b[5];
            for (unsigned st = 0; st <= 4; st++)
                if (found & (1u << st)) {
                    out->sleep_typa[st] = a[st];
                    out->sleep_typb[st] = b[st];
                    out->has_sleep |= (uint8_t)(1u << st);
                }
        }
    }
    return ACPI_OK;
}

const char *acpi_strerror(enum acpi_error e)
{
    switch (e) {
    case ACPI_OK:             return "ok";
    case ACPI_ERR_NO_RSDP:    return "no RSDP in the boot information";
    case ACPI_ERR_RSDP_SHORT: return "RSDP shorter than its revision requires";
    case ACPI_ERR_RSDP_SIG:   return "bad RSDP signature";
    case ACPI_ERR_RSDP_CSUM:  return "bad RSDP checksum";
    case ACPI_ERR_RSDP_XCSUM: return "bad RSDP extended checksum";
    case ACPI_ERR_ROOT_MAP:   return "RSDT/XSDT not readable";
    case ACPI_ERR_ROOT_SIG:   return "bad RSDT/XSDT signature";
    case ACPI_ERR_ROOT_LEN:   return "bad RSDT/XSDT length";
    case ACPI_ERR_ROOT_CSUM:  return "bad RSDT/XSDT checksum";
    }
    return "unknown error";
}

const char *acpi_table_status_name(enum acpi_table_status s)
{
    switch (s) {
    case ACPI_TABLE_ABSENT:      return "absent";
    case ACPI_TABLE_OK:          return "ok";
    case ACPI_TABLE_UNMAPPED:    return "unreadable";
    case ACPI_TABLE_BAD_LEN:     return "bad length";
    case ACPI_TABLE_BAD_CSUM:    return "bad checksum";
    case ACPI_TABLE_BAD_CONTENT: return "bad entry";
    }
    return "?";
}

void acpi_sb_add(struct acpi_sbuf *s, const char *fmt, ...)
{
    va_list ap;
    if (s->at + 1 >= s->len)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(s->b + s->at, s->len - s->at, fmt, ap);
    va_end(ap);
    if (n > 0)
        s->at = s->at + (size_t)n < s->len ? s->at + (size_t)n : s->len - 1;
}

void acpi_summary(const struct acpi_info *a, char *buf, size_t len)
{
    static const char *const spaces[] = { "mem", "io", "pci" };
    struct acpi_sbuf s = { buf, len, 0 };

    if (!len)
        return;
    buf[0] = '\0';
    acpi_sb_add(&s, "RSDP rev %u, ", a->rsdp_revision);
    if (a->fadt_status != ACPI_TABLE_OK) {
        acpi_sb_add(&s, "FADT %s", acpi_table_status_name(a->fadt_status));
    } else {
        if (a->has_reset)
            acpi_sb_add(&s, "FADT reset 0x%llx (%s) value 0x%x", (unsigned long long)a->reset_addr,
                   spaces[a->reset_space], a->reset_value);
        else
            acpi_sb_add(&s, "FADT reset none");
        acpi_sb_add(&s, ", PM1a_CNT 0x%x", a->pm1a_cnt);
        if (a->pm1b_cnt)
            acpi_sb_add(&s, ", PM1b_CNT 0x%x", a->pm1b_cnt);
        if (a->has_s5 && a->pm1b_cnt)
            acpi_sb_add(&s, ", S5 SLP_TYP 0x%x/0x%x", a->slp_typa, a->slp_typb);
        else if (a->has_s5)
            acpi_sb_add(&s, ", S5 SLP_TYP 0x%x", a->slp_typa);
        else if (a->dsdt_status != ACPI_TABLE_OK)
            acpi_sb_add(&s, ", DSDT %s", acpi_table_status_name(a->dsdt_status));
        else
            acpi_sb_add(&s, ", no _S5_");
    }
    if (a->madt_status != ACPI_TABLE_OK) {
        acpi_sb_add(&s, ", MADT %s", acpi_table_status_name(a->madt_status));
        return;
    }
    acpi_sb_add(&s, ", MADT: %u CPU(s) (APIC ids", a->ncpus);
    for (unsigned i = 0; i < a->ncpus && i < ACPI_SUMMARY_IDS; i++)
        acpi_sb_add(&s, "%s%u", i ? "," : " ", a->apic_ids[i]);
    if (a->ncpus > ACPI_SUMMARY_IDS)
        acpi_sb_add(&s, ",... (%u more)", a->ncpus - ACPI_SUMMARY_IDS);
    acpi_sb_add(&s, ")");
    if (a->nioapics)
        acpi_sb_add(&s, ", IOAPIC at 0x%x", a->ioapic_addr);
    if (a->nioapics > 1)
        acpi_sb_add(&s, " (+%u more)", a->nioapics - 1);
}
