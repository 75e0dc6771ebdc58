#include "vmx/mem/mtrr.h"

#define ONE_MIB 0x100000ull

/* A reserved type value (2, 3, 7..255) is taken as UC: the safe choice. */
static unsigned norm_type(uint64_t t)
{
    t &= 0xff;
    return t == MTRR_TYPE_WC || t == MTRR_TYPE_WT || t == MTRR_TYPE_WP || t == MTRR_TYPE_WB
               ? (unsigned)t : MTRR_TYPE_UC;
}

static bool mtrr_enabled(const struct mtrr_state *s)
{
    return s->def_type & MTRR_DEF_E;
}

static bool fixed_active(const struct mtrr_state *s)
{
    return mtrr_enabled(s) && (s->def_type & MTRR_DEF_FE) && (s->cap & MTRRCAP_FIX);
}

static unsigned var_count(const struct mtrr_state *s)
{
    unsigned n = (unsigned)(s->cap & MTRRCAP_VCNT_MASK);
    return n < MTRR_VAR_MAX ? n : MTRR_VAR_MAX;
}

/* Address bits MAXPHYADDR-1:12, the ones PHYSBASE/PHYSMASK compare. */
static uint64_t phys_mask(const struct mtrr_state *s)
{
    unsigned m = s->maxphyaddr ? s->maxphyaddr : 36;
    if (m > 52)
        m = 52;
    return ((1ull << m) - 1) & ~0xfffull;
}

/*
 * The fixed range holding addr (< 1 MiB), 12.11.2.2 Table 12-9: 8 x 64 KiB
 * from 0 (0x250), 8 x 16 KiB from 0x80000 (0x258) and 0xa0000 (0x259), and
 * 8 x 4 KiB from 0xc0000 + 32 KiB * (msr - 0x268).  *end: the range's end.
 */
static unsigned fixed_type(const struct mtrr_state *s, uint64_t addr, uint64_t *end)
{
    unsigned reg;
    uint64_t start, size;

    if (addr < 0x80000) {
        reg = 0;
        start = 0;
        size = 0x10000;
    } else if (addr < 0xc0000) {
        reg = 1 + (unsigned)((addr - 0x80000) / 0x20000);
        start = 0x80000 + (uint64_t)(reg - 1) * 0x20000;
        size = 0x4000;
    } else {
        reg = 3 + (unsigned)((addr - 0xc0000) / 0x8000);
        start = 0xc0000 + (uint64_t)(reg - 3) * 0x8000;
        size = 0x1000;
    }
    unsigned byte = (unsigned)((addr - start) / size);
    *end = start + (byte + 1) * size;
    return norm_type(s->fixed[reg] >> (8 * byte));
}

static bool var_valid(const struct mtrr_state *s, unsigned i, uint64_t pm, uint64_t *m, uint64_t *t)
{
    if (!(s->var_mask[i] & MTRR_PHYSMASK_VALID))
        return false;
    *m = s->var_mask[i] & pm;
    *t = s->var_base[i] & *m;
    return true;
}

unsigned mtrr_type_of(const struct mtrr_state *s, uint64_t addr)
{
    if (!mtrr_enabled(s))
        return MTRR_TYPE_UC;
    if (addr < ONE_MIB && fixed_active(s)) {
        uint64_t end;
        return fixed_type(s, addr, &end);
    }

    uint64_t pm = phys_mask(s), m, t;
    unsigned seen = 0;                       /* bit n: a matching range of type n */
    for (unsigned i = 0; i < var_count(s); i++)
        if (var_valid(s, i, pm, &m, &t) && (addr & m) == t)
            seen |= 1u << norm_type(s->var_base[i]);

    if (!seen)
        return norm_type(s->def_type);
    if (seen & (1u << MTRR_TYPE_UC))
        return MTRR_TYPE_UC;
    if (!(seen & (seen - 1)))
        return (unsigned)__builtin_ctz(seen);
    if (seen == ((1u << MTRR_TYPE_WT) | (1u << MTRR_TYPE_WB)))
        return MTRR_TYPE_WT;
    return MTRR_TYPE_UC;                     /* undefined combination */
}

/*
 * The smallest y > x with (y & m) == t, for x that does not match; false
 * when there is none below 2^64.  Masks need not be contiguous.
 */
static bool next_match(uint64_t x, uint64_t m, uint64_t t, uint64_t *y)
{
    uint64_t diff = (x ^ t) & m;             /* non-zero: x does not match */
    unsigned p = 63 - (unsigned)__builtin_clzll(diff);
    uint64_t upto_p = p == 63 ? ~0ull : (2ull << p) - 1;

    if (t & (1ull << p)) {
        /* x has 0 where it must have 1: same high bits, then t's pattern, free bits 0. */
        *y = (x & ~upto_p) | (t & upto_p);
        return true;
    }
    /* x has 1 where it must have 0: carry into the lowest free 0 bit above p. */
    uint64_t free0 = ~m & ~x & ~upto_p;
    if (!free0)
        return false;
    unsigned q = (unsigned)__builtin_ctzll(free0);
    uint64_t below_q = (1ull << q) - 1;
    *y = (x & ~below_q) | (1ull << q) | (t & below_q);
    return true;
}

/* The smallest address above x where the type may change; false when none. */
static bool next_boundary(const struct mtrr_state *s, uint64_t x, uint64_t *next)
{
    if (!mtrr_enabled(s))
        return false;
    if (x < ONE_MIB && fixed_active(s)) {
        fixed_type(s, x, next);
        return true;
    }

    uint64_t pm = phys_mask(s), m, t, best = 0;
    bool found = false;
    for (unsigned i = 0; i < var_count(s); i++) {
        uint64_t y;
        if (!var_valid(s, i, pm, &m, &t))
            continue;
        if ((x & m) == t) {
            /* Inside: the match ends where a carry first reaches a mask bit. */
            if (!m)
                continue;                    /* matches every address */
            uint64_t low = (m & -m) - 1;
            if ((x | low) == UINT64_MAX)
                continue;
            y = (x | low) + 1;
        } else if (!next_match(x, m, t, &y)) {
            continue;
        }
        if (!found || y < best)
            best = y;
        found = true;
    }
    *next = best;
    return found;
}

unsigned mtrr_range_type(const struct mtrr_state *s, uint64_t base, uint64_t len, uint64_t *uniform_len)
{
    unsigned type = mtrr_type_of(s, base);
    uint64_t end = len > UINT64_MAX - base ? UINT64_MAX : base + len;
    uint64_t x = base, next;

    for (;;) {
        if (!next_boundary(s, x, &next) || next >= end) {
            x = end;
            break;
        }
        if (mtrr_type_of(s, next) != type) {
            x = next;
            break;
        }
        x = next;
    }
    *uniform_len = x - base;
    return type;
}

void mtrr_read(struct mtrr_state *s, uint64_t (*rdmsr)(uint32_t msr))
{
    static const uint32_t fixed_msrs[MTRR_FIXED_COUNT] = {
        MSR_IA32_MTRR_FIX64K_00000, MSR_IA32_MTRR_FIX16K_80000, MSR_IA32_MTRR_FIX16K_A0000,
        0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
    };

    s->cap = rdmsr(MSR_IA32_MTRRCAP);
    s->def_type = rdmsr(MSR_IA32_MTRR_DEF_TYPE);
    for (unsigned i = 0; i < MTRR_FIXED_COUNT; i++)
        s->fixed[i] = (s->cap & MTRRCAP_FIX) ? rdmsr(fixed_msrs[i]) : 0;
    unsigned n = var_count(s);
    for (unsigned i = 0; i < MTRR_VAR_MAX; i++) {
        s->var_base[i] = i < n ? rdmsr(MSR_IA32_MTRR_PHYSBASE0 + 2 * i) : 0;
        s->var_mask[i] = i < n ? rdmsr(MSR_IA32_MTRR_PHYSMASK0 + 2 * i) : 0;
    }
}

/* The register a shadowed MTRR MSR lives in, or NULL when this CPU has no such MSR. */
static uint64_t *mtrr_slot(struct mtrr_state *s, uint32_t msr)
{
    static const uint32_t fixed_msrs[MTRR_FIXED_COUNT] = { 0x250, 0x258, 0x259, 0x268, 0x269, 0x26a,
                                                           0x26b, 0x26c, 0x26d, 0x26e, 0x26f };
    if (msr == MSR_IA32_MTRR_DEF_TYPE)
        return &s->def_type;
    if (msr >= MSR_IA32_MTRR_PHYSBASE0 && msr < MSR_IA32_MTRR_PHYSBASE0 + 2 * MTRR_VAR_MAX) {
        unsigned i = (msr - MSR_IA32_MTRR_PHYSBASE0) / 2;
        if (i >= var_count(s))
            return 0;
        return msr & 1 ? &s->var_mask[i] : &s->var_base[i];
    }
    for (unsigned i = 0; i < MTRR_FIXED_COUNT; i++)
        if (fixed_msrs[i] == msr)
            return (s->cap & MTRRCAP_FIX) ? &s->fixed[i] : 0;
    return 0;
}

bool mtrr_msr_get(const struct mtrr_state *s, uint32_t msr, uint64_t *value)
{
    const uint64_t *slot = mtrr_slot((struct mtrr_state *)s, msr);
    if (slot)
        *value = *slot;
    return slot;
}

/* Memory types an MTRR may hold (12.11.1 Table 12-8): WC only when MTRRCAP.WC says so. */
static bool type_ok(const struct mtrr_state *s, uint64_t t)
{
    return t == MTRR_TYPE_UC || (t == MTRR_TYPE_WC && (s->cap & MTRRCAP_WC)) || t == MTRR_TYPE_WT ||
           t == MTRR_TYPE_WP || t == MTRR_TYPE_WB;
}

bool mtrr_msr_set(struct mtrr_state *s, uint32_t msr, uint64_t value)
{
    uint64_t *slot = mtrr_slot(s, msr);
    uint64_t above = ~((phys_mask(s) | 0xfffull));        /* bits at and above MAXPHYADDR */
    if (!slot)
        return false;
    if (msr == MSR_IA32_MTRR_DEF_TYPE) {                  /* 12.11.2.1: type, FE, E */
        if ((value & ~(MTRR_DEF_TYPE_MASK | MTRR_DEF_FE | MTRR_DEF_E)) || !type_ok(s, value & 0xff))
            return false;
    } else if (msr >= MSR_IA32_MTRR_PHYSBASE0 && msr < MSR_IA32_MTRR_FIX64K_00000) {
        if (!(msr & 1) && ((value & (0xf00ull | above)) || !type_ok(s, value & 0xff)))
            return false;                                 /* 12.11.2.3: PHYSBASE, bits 11:8 reserved */
        if ((msr & 1) && (value & (0x7ffull | above)))
            return false;                                 /* PHYSMASK: bits 10:0 reserved */
    } else {
        for (unsigned b = 0; b < 64; b += 8)              /* 12.11.2.2: eight types per fixed MSR */
            if (!type_ok(s, (value >> b) & 0xff))
                return false;
    }
    *slot = value;
    return true;
}

const char *mtrr_type_name(unsigned type)
{
    switch (type) {
    case MTRR_TYPE_UC: return "UC";
    case MTRR_TYPE_WC: return "WC";
    case MTRR_TYPE_WT: return "WT";
    case MTRR_TYPE_WP: return "WP";
    case MTRR_TYPE_WB: return "WB";
    default:           return "reserved";
    }
}
