// SOURCES: vmx/mem/mtrr.c
/* Effective MTRR memory types and uniform ranges for the EPT (vmx/mem/mtrr.c). */
#include "tests/unit/unit.h"

#include <stdint.h>
#include <stdlib.h>

#include "vmx/mem/mtrr.h"

#define UC MTRR_TYPE_UC
#define WC MTRR_TYPE_WC
#define WT MTRR_TYPE_WT
#define WP MTRR_TYPE_WP
#define WB MTRR_TYPE_WB
#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Eight fixed-range types in one MSR, lowest range in the lowest byte. */
#define FIX8(t) (0x0101010101010101ull * (t))

static struct mtrr_state state(unsigned maxphy, unsigned vcnt, bool fix, uint64_t def_type)
{
    struct mtrr_state s;
    memset(&s, 0, sizeof s);
    s.maxphyaddr = maxphy;
    s.cap = vcnt | (fix ? MTRRCAP_FIX : 0) | MTRRCAP_WC;
    s.def_type = def_type;
    return s;
}

/* Variable range n: [base, base + size), size a power of two, as firmware writes it. */
static void set_var(struct mtrr_state *s, unsigned n, uint64_t base, uint64_t size, unsigned type)
{
    uint64_t pm = ((1ull << (s->maxphyaddr ? s->maxphyaddr : 36)) - 1) & ~0xfffull;
    s->var_base[n] = base | type;
    s->var_mask[n] = (~(size - 1) & pm) | MTRR_PHYSMASK_VALID;
}

/* The type at base and the uniform length from it. */
#define CHECK_RANGE(s, base, len, type, uniform)                              \
    do {                                                                      \
        uint64_t u_ = 0xdeadbeef;                                             \
        CHECK_EQ(mtrr_range_type((s), (base), (len), &u_), (type));           \
        CHECK_EQ(u_, (uniform));                                              \
    } while (0)

/*
 * A typical BIOS on a 4 GiB desktop (MAXPHYADDR 36): default UC; WB 0-2 GiB
 * and 2-3 GiB, a UC hole for graphics stolen memory at the top of that, WB
 * 4-8 GiB for the RAM remapped above 4 GiB.  Fixed: RAM WB below 640 KiB,
 * VGA UC, option ROMs WP, 0xd0000-0xeffff UC, BIOS ROM WP.
 */
static struct mtrr_state bios_uc_default(void)
{
    struct mtrr_state s = state(36, 8, true, MTRR_DEF_E | MTRR_DEF_FE | UC);
    s.fixed[0] = FIX8(WB);                          /* 0x00000-0x7ffff */
    s.fixed[1] = FIX8(WB);                          /* 0x80000-0x9ffff */
    s.fixed[2] = FIX8(UC);                          /* 0xa0000-0xbffff VGA */
    s.fixed[3] = FIX8(WP);                          /* 0xc0000-0xc7fff */
    s.fixed[4] = FIX8(WP);                          /* 0xc8000-0xcffff */
    for (int i = 5; i <= 8; i++)
        s.fixed[i] = FIX8(UC);                      /* 0xd0000-0xeffff */
    s.fixed[9] = FIX8(WP);                          /* 0xf0000-0xf7fff */
    s.fixed[10] = FIX8(WP);                         /* 0xf8000-0xfffff */
    set_var(&s, 0, 0, 2 * GiB, WB);
    set_var(&s, 1, 2 * GiB, 1 * GiB, WB);
    set_var(&s, 2, 3 * GiB - 8 * MiB, 8 * MiB, UC);
    set_var(&s, 3, 4 * GiB, 4 * GiB, WB);
    return s;
}

TEST(bios_default_uc_masks_as_firmware_writes_them)
{
    struct mtrr_state s = bios_uc_default();
    CHECK_EQ(s.var_base[0], 0x6);
    CHECK_EQ(s.var_mask[0], 0xf80000800);
    CHECK_EQ(s.var_base[1], 0x80000006);
    CHECK_EQ(s.var_mask[1], 0xfc0000800);
    CHECK_EQ(s.var_base[2], 0xbf800000);
    CHECK_EQ(s.var_mask[2], 0xfff800800);
    CHECK_EQ(s.var_base[3], 0x100000006);
    CHECK_EQ(s.var_mask[3], 0xf00000800);
}

TEST(bios_default_uc_types)
{
    struct mtrr_state s = bios_uc_default();
    static const struct { uint64_t addr; unsigned type; } want[] = {
        { 0x0, WB }, { 0x9ffff, WB }, { 0xa0000, UC }, { 0xbffff, UC }, { 0xc0000, WP },
        { 0xcffff, WP }, { 0xd0000, UC }, { 0xeffff, UC }, { 0xf0000, WP }, { 0xfffff, WP },
        { 0x100000, WB }, { 0x7fffffff, WB }, { 0x80000000, WB }, { 0xbf7fffff, WB },
        { 0xbf800000, UC }, { 0xbfffffff, UC }, { 0xc0000000, UC }, { 0xfee00000, UC },
        { 0xffffffff, UC }, { 0x100000000, WB }, { 0x1ffffffff, WB }, { 0x200000000, UC },
        { 0xfffffffff, UC },
    };
    for (size_t i = 0; i < NELEM(want); i++) {
        unsigned t = mtrr_type_of(&s, want[i].addr);
        if (t != want[i].type)
            UNIT_FAIL_("type of %#llx: %s, want %s", (unsigned long long)want[i].addr,
                       mtrr_type_name(t), mtrr_type_name(want[i].type));
    }
}

TEST(bios_default_uc_uniform_ranges)
{
    struct mtrr_state s = bios_uc_default();
    /* Below 1 MiB the fixed ranges decide. */
    CHECK_RANGE(&s, 0, 4 * GiB, WB, 0xa0000);
    CHECK_RANGE(&s, 0x9f000, 4 * GiB, WB, 0x1000);
    CHECK_RANGE(&s, 0xa0000, 4 * GiB, UC, 0x20000);
    CHECK_RANGE(&s, 0xc0000, 4 * GiB, WP, 0x10000);
    CHECK_RANGE(&s, 0xc4000, 4 * GiB, WP, 0xc000);
    CHECK_RANGE(&s, 0xd0000, 4 * GiB, UC, 0x20000);
    CHECK_RANGE(&s, 0xf0000, 4 * GiB, WP, 0x10000);
    /* WB from 1 MiB across the 2 GiB seam of two WB ranges, up to the UC hole. */
    CHECK_RANGE(&s, 0x100000, 8 * GiB, WB, 0xbf800000 - 0x100000);
    CHECK_RANGE(&s, 0x7ffff000, 8 * GiB, WB, 0xbf800000 - 0x7ffff000);
    /* The hole and the default UC after it run together up to 4 GiB. */
    CHECK_RANGE(&s, 0xbf800000, 8 * GiB, UC, 4 * GiB - 0xbf800000);
    CHECK_RANGE(&s, 0xbfffffff, 8 * GiB, UC, 4 * GiB - 0xbfffffff);
    CHECK_RANGE(&s, 4 * GiB, 8 * GiB, WB, 4 * GiB);
    /* UC from 8 GiB to the end of the physical space (2^36), then aliases of 0. */
    CHECK_RANGE(&s, 8 * GiB, UINT64_MAX, UC, (1ull << 36) - 8 * GiB);
    /* len caps the uniform length. */
    CHECK_RANGE(&s, 0x100000, 0x1000, WB, 0x1000);
    CHECK_RANGE(&s, 0x100000, 0xbf800000 - 0x100000, WB, 0xbf800000 - 0x100000);
    CHECK_RANGE(&s, 0x100000, 0xbf800000 - 0x100000 + 1, WB, 0xbf800000 - 0x100000);
    CHECK_RANGE(&s, 0x100000, 0, WB, 0);
    CHECK_RANGE(&s, 0xa0000, 0x800, UC, 0x800);
    /* An unaligned base. */
    CHECK_RANGE(&s, 0xbf7ffffe, 8 * GiB, WB, 2);
}

/* SeaBIOS/QEMU style: default WB, one UC range over the PCI hole 2-4 GiB (MAXPHYADDR 40). */
TEST(bios_default_wb_pci_hole)
{
    struct mtrr_state s = state(40, 8, true, MTRR_DEF_E | MTRR_DEF_FE | WB);
    s.fixed[0] = s.fixed[1] = FIX8(WB);
    s.fixed[2] = FIX8(UC);
    for (int i = 3; i < 11; i++)
        s.fixed[i] = FIX8(WP);
    set_var(&s, 0, 2 * GiB, 2 * GiB, UC);
    CHECK_EQ(s.var_mask[0], 0xff80000800);
    CHECK_EQ(mtrr_type_of(&s, 0x7fffffff), WB);
    CHECK_EQ(mtrr_type_of(&s, 0x80000000), UC);
    CHECK_EQ(mtrr_type_of(&s, 0xfebfffff), UC);
    CHECK_EQ(mtrr_type_of(&s, 0x100000000), WB);
    CHECK_EQ(mtrr_type_of(&s, 0xffffffffff), WB);
    CHECK_RANGE(&s, 0x100000, 16 * GiB, WB, 2 * GiB - 0x100000);
    CHECK_RANGE(&s, 2 * GiB, 16 * GiB, UC, 2 * GiB);
    CHECK_RANGE(&s, 4 * GiB, 16 * GiB, WB, 16 * GiB);
    /* No range ends before 2^40: WB up to there, the aliases of 2 GiB after. */
    CHECK_RANGE(&s, 4 * GiB, UINT64_MAX, WB, (1ull << 40) + 2 * GiB - 4 * GiB);
    /* Fixed: the VGA window then the ROM area, then WB. */
    CHECK_RANGE(&s, 0xa0000, 16 * GiB, UC, 0x20000);
    CHECK_RANGE(&s, 0xc0000, 16 * GiB, WP, 0x40000);
    CHECK_RANGE(&s, 0x80000, 16 * GiB, WB, 0x20000);
}

TEST(fixed_ranges_every_register)
{
    /* A different type in every byte position we can tell apart, register by register. */
    struct mtrr_state s = state(36, 0, true, MTRR_DEF_E | MTRR_DEF_FE | UC);
    static const unsigned cycle[] = { WB, WT, WP, WC, UC };
    for (unsigned r = 0; r < MTRR_FIXED_COUNT; r++)
        for (unsigned b = 0; b < 8; b++)
            s.fixed[r] |= (uint64_t)cycle[(r * 8 + b) % 5] << (8 * b);
    for (unsigned r = 0; r < MTRR_FIXED_COUNT; r++) {
        uint64_t start = r == 0 ? 0 : r < 3 ? 0x80000 + (r - 1) * 0x20000 : 0xc0000 + (r - 3) * 0x8000;
        uint64_t size = r == 0 ? 0x10000 : r < 3 ? 0x4000 : 0x1000;
        for (unsigned b = 0; b < 8; b++) {
            uint64_t lo = start + b * size, hi = lo + size - 1;
            unsigned want = cycle[(r * 8 + b) % 5];
            CHECK_EQ(mtrr_type_of(&s, lo), want);
            CHECK_EQ(mtrr_type_of(&s, hi), want);
            uint64_t u;
            CHECK_EQ(mtrr_range_type(&s, lo, 1 * MiB, &u), want);
            CHECK_EQ(u, size);
        }
    }
}

TEST(fixed_rom_wt_and_wp)
{
    struct mtrr_state s = state(36, 2, true, MTRR_DEF_E | MTRR_DEF_FE | UC);
    s.fixed[0] = s.fixed[1] = FIX8(WB);
    s.fixed[2] = FIX8(UC);
    s.fixed[3] = 0x0505050505050504ull;              /* 0xc0000 WT, 0xc1000-0xc7fff WP */
    s.fixed[4] = FIX8(WT);                           /* 0xc8000-0xcffff WT */
    for (int i = 5; i < 11; i++)
        s.fixed[i] = FIX8(WP);
    CHECK_EQ(mtrr_type_of(&s, 0xc0000), WT);
    CHECK_EQ(mtrr_type_of(&s, 0xc0fff), WT);
    CHECK_EQ(mtrr_type_of(&s, 0xc1000), WP);
    CHECK_EQ(mtrr_type_of(&s, 0xc8000), WT);
    CHECK_EQ(mtrr_type_of(&s, 0xd0000), WP);
    CHECK_RANGE(&s, 0xc0000, 0x40000, WT, 0x1000);
    CHECK_RANGE(&s, 0xc1000, 0x40000, WP, 0x7000);
    CHECK_RANGE(&s, 0xc8000, 0x40000, WT, 0x8000);
    CHECK_RANGE(&s, 0xd0000, 0x30000, WP, 0x30000);
    /* At 1 MiB the variable ranges (none: default UC) take over. */
    CHECK_RANGE(&s, 0xd0000, 0x40000, WP, 0x30000);
    CHECK_EQ(mtrr_type_of(&s, 0x100000), UC);
    /* Fixed ranges override a variable range below 1 MiB. */
    set_var(&s, 0, 0, 16 * MiB, WB);
    CHECK_EQ(mtrr_type_of(&s, 0xa0000), UC);
    CHECK_EQ(mtrr_type_of(&s, 0x100000), WB);
    /* WP ROM up to 1 MiB is not WB after it: the run stops at 1 MiB. */
    CHECK_RANGE(&s, 0xf0000, 16 * MiB, WP, 0x10000);
}

TEST(fixed_all_wb_runs_into_variable_wb)
{
    struct mtrr_state s = state(39, 8, true, MTRR_DEF_E | MTRR_DEF_FE | UC);
    for (int i = 0; i < 11; i++)
        s.fixed[i] = FIX8(WB);
    set_var(&s, 0, 0, 1 * GiB, WB);
    CHECK_RANGE(&s, 0, 4 * GiB, WB, 1 * GiB);
    CHECK_RANGE(&s, 0x80000, 4 * GiB, WB, 1 * GiB - 0x80000);
    CHECK_RANGE(&s, 0xff000, 4 * GiB, WB, 1 * GiB - 0xff000);
}

TEST(overlap_uc_inside_wb)
{
    struct mtrr_state s = state(36, 8, false, MTRR_DEF_E | UC);
    set_var(&s, 0, 0, 4 * GiB, WB);
    set_var(&s, 1, 0xe0000000, 256 * MiB, UC);
    CHECK_EQ(mtrr_type_of(&s, 0xdfffffff), WB);
    CHECK_EQ(mtrr_type_of(&s, 0xe0000000), UC);
    CHECK_EQ(mtrr_type_of(&s, 0xefffffff), UC);
    CHECK_EQ(mtrr_type_of(&s, 0xf0000000), WB);
    CHECK_RANGE(&s, 0, 4 * GiB, WB, 0xe0000000);
    CHECK_RANGE(&s, 0xe0000000, 4 * GiB, UC, 256 * MiB);
    CHECK_RANGE(&s, 0xf0000000, 4 * GiB, WB, 256 * MiB);
    /* The same with the UC range listed first. */
    struct mtrr_state r = state(36, 8, false, MTRR_DEF_E | UC);
    set_var(&r, 0, 0xe0000000, 256 * MiB, UC);
    set_var(&r, 1, 0, 4 * GiB, WB);
    CHECK_EQ(mtrr_type_of(&r, 0xe0000000), UC);
    CHECK_RANGE(&r, 0, 4 * GiB, WB, 0xe0000000);
}

TEST(overlap_wt_and_wb)
{
    struct mtrr_state s = state(36, 8, false, MTRR_DEF_E | UC);
    set_var(&s, 0, 0, 1 * GiB, WB);
    set_var(&s, 1, 768 * MiB, 256 * MiB, WT);     /* inside the WB range */
    set_var(&s, 2, 1 * GiB, 256 * MiB, WT);       /* alone */
    CHECK_EQ(mtrr_type_of(&s, 768 * MiB - 1), WB);
    CHECK_EQ(mtrr_type_of(&s, 768 * MiB), WT);
    CHECK_EQ(mtrr_type_of(&s, 1 * GiB), WT);
    CHECK_EQ(mtrr_type_of(&s, 1 * GiB + 256 * MiB), UC);
    CHECK_RANGE(&s, 0, 4 * GiB, WB, 768 * MiB);
    /* WT (overlap) runs into WT (alone). */
    CHECK_RANGE(&s, 768 * MiB, 4 * GiB, WT, 512 * MiB);
}

TEST(overlap_other_combinations)
{
    static const struct { unsigned a, b, want; } cases[] = {
        { WB, WB, WB }, { WT, WT, WT }, { UC, UC, UC }, { WB, WT, WT }, { WT, WB, WT },
        { UC, WB, UC }, { WB, UC, UC }, { UC, WC, UC }, { WC, WC, WC },
        /* undefined: taken as UC */
        { WC, WB, UC }, { WB, WC, UC }, { WP, WB, UC }, { WP, WT, UC }, { WC, WT, UC }, { WP, WP, WP },
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct mtrr_state s = state(36, 2, false, MTRR_DEF_E | WB);
        set_var(&s, 0, 0, 1 * GiB, cases[i].a);
        set_var(&s, 1, 512 * MiB, 512 * MiB, cases[i].b);
        unsigned t = mtrr_type_of(&s, 512 * MiB);
        if (t != cases[i].want)
            UNIT_FAIL_("%s + %s: %s, want %s", mtrr_type_name(cases[i].a), mtrr_type_name(cases[i].b),
                       mtrr_type_name(t), mtrr_type_name(cases[i].want));
        CHECK_EQ(mtrr_type_of(&s, 0), cases[i].a);
    }
    /* Three ranges: WB, WB and WT give WT; add UC and it is UC. */
    struct mtrr_state s = state(36, 4, false, MTRR_DEF_E | UC);
    set_var(&s, 0, 0, 1 * GiB, WB);
    set_var(&s, 1, 0, 512 * MiB, WB);
    set_var(&s, 2, 0, 256 * MiB, WT);
    CHECK_EQ(mtrr_type_of(&s, 0), WT);
    CHECK_EQ(mtrr_type_of(&s, 256 * MiB), WB);
    set_var(&s, 3, 0, 128 * MiB, UC);
    CHECK_EQ(mtrr_type_of(&s, 0), UC);
    CHECK_EQ(mtrr_type_of(&s, 128 * MiB), WT);
    CHECK_RANGE(&s, 0, 1 * GiB, UC, 128 * MiB);
    CHECK_RANGE(&s, 128 * MiB, 1 * GiB, WT, 128 * MiB);
    CHECK_RANGE(&s, 256 * MiB, 1 * GiB, WB, 768 * MiB);
}

TEST(mtrrs_disabled)
{
    struct mtrr_state s = bios_uc_default();
    s.def_type &= ~MTRR_DEF_E;                       /* FE still set: ignored */
    s.def_type = (s.def_type & ~MTRR_DEF_TYPE_MASK) | WB;
    CHECK_EQ(mtrr_type_of(&s, 0), UC);
    CHECK_EQ(mtrr_type_of(&s, 0x100000), UC);
    CHECK_EQ(mtrr_type_of(&s, 4 * GiB), UC);
    CHECK_RANGE(&s, 0, 8 * GiB, UC, 8 * GiB);
    CHECK_RANGE(&s, 0xfffffffffffff000ull, 0x10000, UC, 0xfff);
    CHECK_RANGE(&s, 0, UINT64_MAX, UC, UINT64_MAX);
}

TEST(fixed_disabled_or_unsupported)
{
    /* FE=0: below 1 MiB the variable ranges decide. */
    struct mtrr_state s = bios_uc_default();
    s.def_type &= ~MTRR_DEF_FE;
    CHECK_EQ(mtrr_type_of(&s, 0xa0000), WB);
    CHECK_EQ(mtrr_type_of(&s, 0xc0000), WB);
    CHECK_RANGE(&s, 0, 8 * GiB, WB, 0xbf800000);
    /* FE=1 but the CPU has no fixed ranges (IA32_MTRRCAP.FIX=0): the same. */
    s = bios_uc_default();
    s.cap &= ~MTRRCAP_FIX;
    CHECK_EQ(mtrr_type_of(&s, 0xa0000), WB);
    CHECK_RANGE(&s, 0xa0000, 8 * GiB, WB, 0xbf800000 - 0xa0000);
    /* FE=0 and no variable range covers low memory: the default. */
    s = bios_uc_default();
    s.def_type &= ~MTRR_DEF_FE;
    s.var_mask[0] &= ~MTRR_PHYSMASK_VALID;
    CHECK_EQ(mtrr_type_of(&s, 0), UC);
    CHECK_RANGE(&s, 0, 8 * GiB, UC, 2 * GiB);
}

TEST(invalid_and_uncounted_ranges_ignored)
{
    struct mtrr_state s = state(36, 2, false, MTRR_DEF_E | WB);
    set_var(&s, 0, 0, 1 * GiB, UC);
    set_var(&s, 1, 1 * GiB, 1 * GiB, UC);
    set_var(&s, 2, 2 * GiB, 1 * GiB, UC);            /* beyond VCNT = 2 */
    CHECK_EQ(mtrr_type_of(&s, 0), UC);
    CHECK_EQ(mtrr_type_of(&s, 1 * GiB), UC);
    CHECK_EQ(mtrr_type_of(&s, 2 * GiB), WB);
    CHECK_RANGE(&s, 0, 8 * GiB, UC, 2 * GiB);
    s.var_mask[1] &= ~MTRR_PHYSMASK_VALID;
    CHECK_EQ(mtrr_type_of(&s, 1 * GiB), WB);
    CHECK_RANGE(&s, 0, 8 * GiB, UC, 1 * GiB);
    CHECK_RANGE(&s, 1 * GiB, 8 * GiB, WB, 8 * GiB);
    CHECK_RANGE(&s, 1 * GiB, UINT64_MAX, WB, (1ull << 36) - 1 * GiB);
    /* VCNT above MTRR_VAR_MAX: only MTRR_VAR_MAX ranges exist in the state. */
    s.cap = (s.cap & ~MTRRCAP_VCNT_MASK) | 0xff;
    CHECK_EQ(mtrr_type_of(&s, 2 * GiB), UC);
}

TEST(reserved_type_values_are_uc)
{
    struct mtrr_state s = state(36, 2, true, MTRR_DEF_E | MTRR_DEF_FE | 7);
    s.fixed[0] = 0x0606060606060302ull;               /* 2, 3: reserved */
    CHECK_EQ(mtrr_type_of(&s, 0x0), UC);
    CHECK_EQ(mtrr_type_of(&s, 0x10000), UC);
    CHECK_EQ(mtrr_type_of(&s, 0x20000), WB);
    CHECK_EQ(mtrr_type_of(&s, 4 * GiB), UC);         /* default 7: reserved */
    set_var(&s, 0, 4 * GiB, 4 * GiB, 2);
    set_var(&s, 1, 4 * GiB, 1 * GiB, WB);            /* reserved + WB: UC wins */
    CHECK_EQ(mtrr_type_of(&s, 4 * GiB), UC);
    s.def_type = MTRR_DEF_E | 0x16;                  /* only bits 7:0 are the type: 0x16 is reserved */
    CHECK_EQ(mtrr_type_of(&s, 64 * GiB - 1), UC);
    s.def_type = MTRR_DEF_E | 0x106;                 /* bit 8 is not part of the type */
    CHECK_EQ(mtrr_type_of(&s, 16 * GiB), WB);
}

TEST(maxphyaddr_36_39_46)
{
    /* 36: the mask of a 2 GiB range covers bits 35:31. */
    struct mtrr_state s = state(36, 1, false, MTRR_DEF_E | UC);
    set_var(&s, 0, 0, 2 * GiB, WB);
    CHECK_EQ(s.var_mask[0], 0xf80000800);
    CHECK_EQ(mtrr_type_of(&s, 2 * GiB - 1), WB);
    CHECK_EQ(mtrr_type_of(&s, 2 * GiB), UC);
    CHECK_EQ(mtrr_type_of(&s, 0xfffffffff), UC);
    /* Address bits at and above MAXPHYADDR are not compared. */
    CHECK_EQ(mtrr_type_of(&s, 1ull << 36), WB);
    /* maxphyaddr 0 means 36. */
    s.maxphyaddr = 0;
    CHECK_EQ(mtrr_type_of(&s, 1ull << 36), WB);
    CHECK_EQ(mtrr_type_of(&s, 2 * GiB), UC);

    /* The same MSR values read with MAXPHYADDR 39: bits 38:36 of the mask are 0,
     * so 64 GiB aliases 0. */
    s.maxphyaddr = 39;
    CHECK_EQ(mtrr_type_of(&s, 1ull << 36), WB);
    /* Written for 39 bits, the range is only 0-2 GiB. */
    set_var(&s, 0, 0, 2 * GiB, WB);
    CHECK_EQ(s.var_mask[0], 0x7f80000800);
    CHECK_EQ(mtrr_type_of(&s, 1ull << 36), UC);
    CHECK_EQ(mtrr_type_of(&s, 1ull << 38), UC);
    CHECK_EQ(mtrr_type_of(&s, 1ull << 39), WB);       /* bit 39 is not compared */
    CHECK_RANGE(&s, 2 * GiB, UINT64_MAX, UC, (1ull << 39) - 2 * GiB);

    /* Mask bits above MAXPHYADDR (reserved, firmware should write 0) are ignored. */
    s.var_mask[0] = 0xffffffff80000800ull;
    CHECK_EQ(mtrr_type_of(&s, 1ull << 39), WB);
    CHECK_EQ(mtrr_type_of(&s, 2 * GiB - 1), WB);
    CHECK_EQ(mtrr_type_of(&s, 2 * GiB), UC);
    /* So are PHYSBASE bits above MAXPHYADDR. */
    s.var_base[0] = (1ull << 45) | WB;
    CHECK_EQ(mtrr_type_of(&s, 0), WB);

    /* 46: a 1 TiB WB range at 32 TiB, a UC 4 GiB hole in it. */
    struct mtrr_state b = state(46, 2, false, MTRR_DEF_E | UC);
    set_var(&b, 0, 32ull << 40, 1ull << 40, WB);
    set_var(&b, 1, (32ull << 40) + 8 * GiB, 4 * GiB, UC);
    CHECK_EQ(b.var_mask[0], 0x3f0000000800);
    CHECK_EQ(b.var_mask[1], 0x3fff00000800);
    CHECK_EQ(mtrr_type_of(&b, (32ull << 40) - 1), UC);
    CHECK_EQ(mtrr_type_of(&b, 32ull << 40), WB);
    CHECK_EQ(mtrr_type_of(&b, (33ull << 40) - 1), WB);
    CHECK_EQ(mtrr_type_of(&b, 33ull << 40), UC);
    CHECK_EQ(mtrr_type_of(&b, (32ull << 40) + 8 * GiB), UC);
    CHECK_RANGE(&b, 32ull << 40, 2ull << 40, WB, 8 * GiB);
    CHECK_RANGE(&b, (32ull << 40) + 8 * GiB, 2ull << 40, UC, 4 * GiB);
    CHECK_RANGE(&b, (32ull << 40) + 12 * GiB, 2ull << 40, WB, (1ull << 40) - 12 * GiB);
    CHECK_RANGE(&b, 0, UINT64_MAX, UC, 32ull << 40);
    /* With MAXPHYADDR 46 the 36-bit alias is gone. */
    CHECK_EQ(mtrr_type_of(&b, (32ull << 40) + (1ull << 36)), WB);
    CHECK_EQ(mtrr_type_of(&b, 1ull << 36), UC);
}

/* MAXPHYADDR 52: variable ranges above 4 GiB, up to the 48-bit reach of a 4-level EPT and past it. */
TEST(maxphyaddr_52_above_4g)
{
    struct mtrr_state s = state(52, 2, false, MTRR_DEF_E | UC);
    set_var(&s, 0, 64 * GiB, 64 * GiB, WB);
    set_var(&s, 1, 1ull << 51, 1ull << 50, WC);
    CHECK_EQ(s.var_mask[0], 0xffff000000800ull);
    CHECK_EQ(mtrr_type_of(&s, 64 * GiB - 1), UC);
    CHECK_EQ(mtrr_type_of(&s, 64 * GiB), WB);
    CHECK_EQ(mtrr_type_of(&s, 128 * GiB), UC);
    CHECK_EQ(mtrr_type_of(&s, 1ull << 51), WC);
    CHECK_EQ(mtrr_type_of(&s, (1ull << 51) + (1ull << 50)), UC);
    CHECK_EQ(mtrr_type_of(&s, (1ull << 52) + 64 * GiB), WB);   /* bits 63:52 not compared */
    CHECK_RANGE(&s, 4 * GiB, (1ull << 48) - 4 * GiB, UC, 60 * GiB);
    CHECK_RANGE(&s, 64 * GiB, (1ull << 48) - 64 * GiB, WB, 64 * GiB);
    CHECK_RANGE(&s, 128 * GiB, (1ull << 48) - 128 * GiB, UC, (1ull << 48) - 128 * GiB);
}

TEST(non_contiguous_mask)
{
    /* Bits 35:32 and bit 30 compared: 0-1 GiB and 2-3 GiB (legal, if discouraged). */
    struct mtrr_state s = state(36, 1, false, MTRR_DEF_E | UC);
    s.var_base[0] = WB;
    s.var_mask[0] = 0xf00000000ull | (1ull << 30) | MTRR_PHYSMASK_VALID;
    CHECK_EQ(mtrr_type_of(&s, 0), WB);
    CHECK_EQ(mtrr_type_of(&s, 1 * GiB), UC);
    CHECK_EQ(mtrr_type_of(&s, 2 * GiB), WB);
    CHECK_EQ(mtrr_type_of(&s, 3 * GiB), UC);
    CHECK_RANGE(&s, 0, UINT64_MAX, WB, 1 * GiB);
    CHECK_RANGE(&s, 1 * GiB, UINT64_MAX, UC, 1 * GiB);
    CHECK_RANGE(&s, 2 * GiB, UINT64_MAX, WB, 1 * GiB);
    CHECK_RANGE(&s, 3 * GiB, UINT64_MAX, UC, (1ull << 36) - 3 * GiB);
}

TEST(top_of_address_space)
{
    struct mtrr_state s = state(36, 1, false, MTRR_DEF_E | WB);
    CHECK_RANGE(&s, 0, UINT64_MAX, WB, UINT64_MAX);
    CHECK_RANGE(&s, UINT64_MAX - 0xfff, 0x1000, WB, 0xfff);
    CHECK_RANGE(&s, UINT64_MAX, 1, WB, 0);
    set_var(&s, 0, 0, 2 * GiB, UC);
    /* Bits above 35 are not compared: 2^64 - 2 GiB is an alias of 64 GiB - 2 GiB. */
    CHECK_EQ(mtrr_type_of(&s, UINT64_MAX - 2 * GiB + 1), WB);
    CHECK_EQ(mtrr_type_of(&s, UINT64_MAX), WB);
    CHECK_RANGE(&s, UINT64_MAX - 0xfff, UINT64_MAX, WB, 0xfff);
    CHECK_RANGE(&s, (1ull << 36) - 0x1000, UINT64_MAX, WB, 0x1000);
}

/*
 * Against a page-by-page scan: random (also non-contiguous) layouts over a
 * 24-bit physical space, the uniform length from random bases.
 */
TEST(random_layouts_match_page_scan)
{
    enum { PAGES = 8192 };                            /* 32 MiB: two aliases of 16 MiB */
    static unsigned types[PAGES];
    static const unsigned pick[] = { UC, WC, WT, WP, WB, 2, 7 };
    srand(4242);
    for (int iter = 0; iter < 300; iter++) {
        struct mtrr_state s = state(24, 1 + (unsigned)rand() % 8, rand() % 4 != 0,
                                    (rand() % 8 ? MTRR_DEF_E : 0) | (rand() % 2 ? MTRR_DEF_FE : 0) |
                                        pick[rand() % 7]);
        for (int r = 0; r < MTRR_FIXED_COUNT; r++)
            for (int b = 0; b < 8; b++)
                s.fixed[r] |= (uint64_t)pick[rand() % (rand() % 2 ? 2 : 7)] << (8 * b);
        for (unsigned n = 0; n < (s.cap & MTRRCAP_VCNT_MASK); n++) {
            if (rand() % 3) {
                unsigned order = 12 + (unsigned)rand() % 12;
                uint64_t size = 1ull << order;
                uint64_t base = ((uint64_t)rand() << 12) & 0xffffff & ~(size - 1);
                set_var(&s, n, base, size, pick[rand() % 7]);
            } else {
                s.var_base[n] = (((uint64_t)rand() << 12) & 0xfff000) | pick[rand() % 7];
                s.var_mask[n] = (((uint64_t)rand() << 12) & 0xfff000) | (rand() % 5 ? MTRR_PHYSMASK_VALID : 0);
            }
        }
        for (unsigned p = 0; p < PAGES; p++)
            types[p] = mtrr_type_of(&s, (uint64_t)p << 12);
        for (int q = 0; q < 40; q++) {
            unsigned p = (unsigned)rand() % PAGES;
            uint64_t off = rand() % 4 ? 0 : (uint64_t)rand() % 0x1000;
            uint64_t len = rand() % 2 ? (uint64_t)(PAGES - p) << 12 : ((uint64_t)rand() % 0x800000) + 1;
            if (((uint64_t)p << 12) + len > (uint64_t)PAGES << 12)
                len = ((uint64_t)PAGES << 12) - ((uint64_t)p << 12);
            if (len <= off)
                continue;
            len -= off;
            unsigned e = p;
            while (e < PAGES && types[e] == types[p])
                e++;
            uint64_t want = ((uint64_t)e << 12) - (((uint64_t)p << 12) + off);
            if (want > len)
                want = len;
            uint64_t u = 0;
            unsigned t = mtrr_range_type(&s, ((uint64_t)p << 12) + off, len, &u);
            if (t != types[p] || u != want) {
                UNIT_FAIL_("iteration %d: base %#llx len %#llx: %s +%#llx, want %s +%#llx", iter,
                           (unsigned long long)((p << 12) + off), (unsigned long long)len,
                           mtrr_type_name(t), (unsigned long long)u, mtrr_type_name(types[p]),
                           (unsigned long long)want);
                return;
            }
        }
    }
}

/* ---- mtrr_read ---- */

static uint64_t fake_msrs[0x300];
static uint32_t reads[128];
static size_t nreads;

static uint64_t fake_rdmsr(uint32_t msr)
{
    REQUIRE(msr < 0x300);
    REQUIRE(nreads < NELEM(reads));
    reads[nreads++] = msr;
    return fake_msrs[msr];
}

TEST(read_all_registers)
{
    memset(fake_msrs, 0, sizeof fake_msrs);
    nreads = 0;
    fake_msrs[0xfe] = 0xd0a;                          /* SMRR, WC, FIX, VCNT 10 */
    fake_msrs[0x2ff] = 0xc00;
    static const uint32_t fixed[] = { 0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f };
    for (size_t i = 0; i < NELEM(fixed); i++)
        fake_msrs[fixed[i]] = 0x1111111111111111ull * (i + 1);
    for (uint32_t m = 0x200; m < 0x214; m++)
        fake_msrs[m] = 0x1000ull * m;
    fake_msrs[0x214] = 0xbad;                         /* pair 10: beyond VCNT */

    struct mtrr_state s;
    memset(&s, 0xa5, sizeof s);
    s.maxphyaddr = 39;
    mtrr_read(&s, fake_rdmsr);
    CHECK_EQ(s.cap, 0xd0a);
    CHECK_EQ(s.def_type, 0xc00);
    CHECK_EQ(s.maxphyaddr, 39);
    for (size_t i = 0; i < NELEM(fixed); i++)
        CHECK_EQ(s.fixed[i], 0x1111111111111111ull * (i + 1));
    for (unsigned n = 0; n < 10; n++) {
        CHECK_EQ(s.var_base[n], 0x1000ull * (0x200 + 2 * n));
        CHECK_EQ(s.var_mask[n], 0x1000ull * (0x201 + 2 * n));
    }
    for (unsigned n = 10; n < MTRR_VAR_MAX; n++) {
        CHECK_EQ(s.var_base[n], 0);
        CHECK_EQ(s.var_mask[n], 0);
    }
    /* Exactly these MSRs, none twice. */
    CHECK_EQ(nreads, 2 + 11 + 20);
    for (size_t i = 0; i < nreads; i++) {
        uint32_t m = reads[i];
        CHECK(m == 0xfe || m == 0x2ff || (m >= 0x200 && m < 0x214) || (m >= 0x250 && m <= 0x26f));
        for (size_t j = 0; j < i; j++)
            CHECK(reads[j] != m);
    }
    CHECK_EQ(reads[0], 0xfe);
}

TEST(read_without_fixed_and_vcnt_capped)
{
    memset(fake_msrs, 0, sizeof fake_msrs);
    nreads = 0;
    fake_msrs[0xfe] = 0x08;                           /* no FIX, VCNT 8 */
    fake_msrs[0x2ff] = 0x806;
    fake_msrs[0x250] = 0xbad;
    struct mtrr_state s;
    memset(&s, 0xa5, sizeof s);
    mtrr_read(&s, fake_rdmsr);
    CHECK_EQ(nreads, 2 + 16);
    for (size_t i = 0; i < nreads; i++)
        CHECK(reads[i] < 0x250 || reads[i] == 0x2ff);
    for (size_t i = 0; i < MTRR_FIXED_COUNT; i++)
        CHECK_EQ(s.fixed[i], 0);
    CHECK_EQ(mtrr_type_of(&s, 0), WB);

    /* VCNT 255: only MTRR_VAR_MAX pairs, all below the fixed-range MSRs. */
    memset(fake_msrs, 0, sizeof fake_msrs);
    nreads = 0;
    fake_msrs[0xfe] = 0xff;
    mtrr_read(&s, fake_rdmsr);
    CHECK_EQ(nreads, 2 + 2 * MTRR_VAR_MAX);
    for (size_t i = 0; i < nreads; i++)
        CHECK(reads[i] < 0x200 + 2 * MTRR_VAR_MAX || reads[i] == 0xfe || reads[i] == 0x2ff);
}

TEST(type_names)
{
    CHECK_STR(mtrr_type_name(UC), "UC");
    CHECK_STR(mtrr_type_name(WC), "WC");
    CHECK_STR(mtrr_type_name(WT), "WT");
    CHECK_STR(mtrr_type_name(WP), "WP");
    CHECK_STR(mtrr_type_name(WB), "WB");
    CHECK_STR(mtrr_type_name(2), "reserved");
    CHECK_STR(mtrr_type_name(3), "reserved");
    CHECK_STR(mtrr_type_name(7), "reserved");
    CHECK_STR(mtrr_type_name(~0u), "reserved");
}

/* The guest's shadow MTRRs (mtrr_msr_get/mtrr_msr_set): what exists, what a write may hold. */
TEST(shadow_registers_that_exist)
{
    struct mtrr_state s = state(39, 8, true, MTRR_DEF_E | UC);
    uint64_t v;
    CHECK(mtrr_msr_get(&s, 0x2ff, &v) && v == (MTRR_DEF_E | UC));
    CHECK(mtrr_msr_get(&s, 0x20f, &v));                     /* PHYSMASK7 */
    CHECK(!mtrr_msr_get(&s, 0x210, &v));                    /* PHYSBASE8: VCNT is 8 */
    CHECK(!mtrr_msr_set(&s, 0x210, 6));
    CHECK(mtrr_msr_get(&s, 0x250, &v) && mtrr_msr_get(&s, 0x26f, &v));
    CHECK(!mtrr_msr_get(&s, 0x251, &v) && !mtrr_msr_get(&s, 0x25a, &v) && !mtrr_msr_get(&s, 0xfe, &v));
    struct mtrr_state nofix = state(39, 8, false, 0);
    CHECK(!mtrr_msr_get(&nofix, 0x250, &v) && !mtrr_msr_set(&nofix, 0x268, 0));
}

TEST(shadow_writes_checked)
{
    struct mtrr_state s = state(39, 8, true, MTRR_DEF_E | UC);
    uint64_t v;
    CHECK(mtrr_msr_set(&s, 0x2ff, MTRR_DEF_E | MTRR_DEF_FE | WB) && mtrr_msr_get(&s, 0x2ff, &v) &&
          v == (MTRR_DEF_E | MTRR_DEF_FE | WB));
    CHECK(!mtrr_msr_set(&s, 0x2ff, MTRR_DEF_E | 2));         /* reserved type */
    CHECK(!mtrr_msr_set(&s, 0x2ff, MTRR_DEF_E | 7));
    CHECK(!mtrr_msr_set(&s, 0x2ff, MTRR_DEF_E | 1ull << 12)); /* reserved bit */
    CHECK(!mtrr_msr_set(&s, 0x2ff, 1ull << 9));
    CHECK(mtrr_msr_get(&s, 0x2ff, &v) && v == (MTRR_DEF_E | MTRR_DEF_FE | WB));   /* unchanged */
    CHECK(mtrr_msr_set(&s, 0x200, 0x7f000000ull | WT));
    CHECK(!mtrr_msr_set(&s, 0x200, 0x100ull | WB));          /* PHYSBASE bits 11:8 */
    CHECK(!mtrr_msr_set(&s, 0x200, (1ull << 39) | WB));      /* at MAXPHYADDR */
    CHECK(mtrr_msr_set(&s, 0x201, 0x7fff000000ull | MTRR_PHYSMASK_VALID));
    CHECK(!mtrr_msr_set(&s, 0x201, 0x7fff000000ull | 0x7ff)); /* PHYSMASK bits 10:0 */
    CHECK(!mtrr_msr_set(&s, 0x201, 0xffff000000ull | MTRR_PHYSMASK_VALID));
    CHECK(mtrr_msr_set(&s, 0x250, FIX8(WB)) && mtrr_msr_set(&s, 0x268, FIX8(WP)));
    CHECK(!mtrr_msr_set(&s, 0x250, FIX8(WB) ^ (0x04ull << 56)));   /* type 2 in the top byte */
    struct mtrr_state nowc = state(39, 8, true, 0);
    nowc.cap &= ~MTRRCAP_WC;
    CHECK(!mtrr_msr_set(&nowc, 0x2ff, MTRR_DEF_E | WC) && mtrr_msr_set(&s, 0x2ff, MTRR_DEF_E | WC));
}

UNIT_MAIN(T(bios_default_uc_masks_as_firmware_writes_them), T(bios_default_uc_types),
          T(bios_default_uc_uniform_ranges), T(bios_default_wb_pci_hole), T(fixed_ranges_every_register),
          T(fixed_rom_wt_and_wp), T(fixed_all_wb_runs_into_variable_wb), T(overlap_uc_inside_wb),
          T(overlap_wt_and_wb), T(overlap_other_combinations), T(mtrrs_disabled),
          T(fixed_disabled_or_unsupported), T(invalid_and_uncounted_ranges_ignored),
          T(reserved_type_values_are_uc), T(maxphyaddr_36_39_46), T(maxphyaddr_52_above_4g),
          T(non_contiguous_mask),
          T(top_of_address_space), T(random_layouts_match_page_scan), T(read_all_registers),
          T(read_without_fixed_and_vcnt_capped), T(type_names),
          T(shadow_registers_that_exist), T(shadow_writes_checked))
