/* Host tests: the EPT builder and the space beyond RAM (vmx/mem/ept_space.c) over a fake page allocator. */
// SOURCES: vmx/mem/ept.c vmx/mem/ept_space.c vmx/mem/mtrr.c kernel/mem/pmm.c
#include <stdlib.h>

#include "tests/unit/unit.h"
#include "vmx/mem/ept.h"
#include "vmx/mem/ept_space.h"

#define GIB (1ull << 30)
#define MIB (1ull << 20)
#define KIB (1ull << 10)
#define FAKE_BASE 0x10000000ull /* "physical" address of pool page 0 */

struct pool {
    uint8_t *mem;
    size_t pages, used, limit;
};

static uint64_t pool_alloc(void *ctx)
{
    struct pool *p = ctx;
    if (p->used >= p->pages || p->used >= p->limit)
        return 0;
    return FAKE_BASE + 4096 * p->used++; /* calloc'ed: already zero */
}

static void *pool_virt(void *ctx, uint64_t phys)
{
    struct pool *p = ctx;
    if (phys < FAKE_BASE || phys >= FAKE_BASE + 4096 * p->used)
        abort(); /* the builder followed a bad pointer */
    return p->mem + (phys - FAKE_BASE);
}

static struct pool pool;
static struct ept_ops ops = { pool_alloc, pool_virt, &pool };

static void pool_reset(size_t limit)
{
    free(pool.mem);
    pool.pages = limit > 64 ? limit : 64;
    pool.mem = calloc(pool.pages, 4096);
    pool.used = 0;
    pool.limit = limit;
}

/* Raw entry at `level` for gpa (asserts the walk down to it is tables). */
static uint64_t raw_entry(const struct ept *e, uint64_t gpa, int level)
{
    uint64_t *t = pool_virt(&pool, e->pml4_phys);
    for (int l = 4;; l--) {
        uint64_t ent = t[(gpa >> (12 + 9 * (l - 1))) & 511];
        if (l == level)
            return ent;
        t = pool_virt(&pool, ent & EPT_ADDR_MASK);
    }
}

static void expect_map(const struct ept *e, uint64_t gpa, uint64_t hpa, unsigned level)
{
    uint64_t h = 0;
    unsigned l = 0, p = 0, mt = 0;
    CHECK(ept_translate(e, gpa, &h, &p, &mt, &l));
    if (h != hpa || l != level)
        printf("    gpa 0x%llx -> 0x%llx level %u (want 0x%llx level %u)\n",
               (unsigned long long)gpa, (unsigned long long)h, l,
               (unsigned long long)hpa, level);
    CHECK_EQ(h, hpa);
    CHECK_EQ(l, level);
}

TEST(identity_4g_with_1g_pages)
{
    struct ept e;
    pool_reset(64);
    REQUIRE(ept_init(&e, &ops, true, true) == EPT_OK);
    REQUIRE(ept_map(&e, 0, 0, 4 * GIB, EPT_RWX, EPT_MT_WB) == EPT_OK);
    CHECK_EQ(ept_table_pages(&e), 2); /* PML4 + one PDPT */
    expect_map(&e, 0, 0, 3);
    expect_map(&e, 0x12345678, 0x12345678, 3);
    expect_map(&e, 3 * GIB + 0xabc, 3 * GIB + 0xabc, 3);
    expect_map(&e, 4 * GIB - 1, 4 * GIB - 1, 3);
    CHECK(!ept_translate(&e, 4 * GIB, NULL, NULL, NULL, NULL));
    CHECK(!ept_translate(&e, 1ull << 48, NULL, NULL, NULL, NULL));

    unsigned perms = 0, mt = 0;
    CHECK(ept_translate(&e, 0x1000, NULL, &perms, &mt, NULL));
    CHECK_EQ(perms, EPT_RWX);
    CHECK_EQ(mt, EPT_MT_WB);
}

TEST(identity_4g_with_2m_pages)
{
    struct ept e;
    pool_reset(64);
    REQUIRE(ept_init(&e, &ops, false, true) == EPT_OK);
    REQUIRE(ept_map(&e, 0, 0, 4 * GIB, EPT_RWX, EPT_MT_WB) == EPT_OK);
    CHECK_EQ(ept_table_pages(&e), 6); /* PML4 + PDPT + 4 PDs */
    expect_map(&e, 0, 0, 2);
    expect_map(&e, 0x40000000 + 0x3ff000, 0x40000000 + 0x3ff000, 2);
    expect_map(&e, 4 * GIB - 4096, 4 * GIB - 4096, 2);
}

TEST(only_4k_pages)
{
    struct ept e;
    pool_reset(64);
    REQUIRE(ept_init(&e, &ops, false, false) == EPT_OK);
    REQUIRE(ept_map(&e, 0, 0x200000000ull, 4 * MIB, EPT_R | EPT_X, EPT_MT_WB) == EPT_OK);
    CHECK_EQ(ept_table_pages(&e), 5); /* PML4 + PDPT + PD + 2 PTs */
    expect_map(&e, 0x3ff123, 0x2003ff123ull, 1);
    unsigned perms = 0;
    CHECK(ept_translate(&e, 0, NULL, &perms, NULL, NULL));
    CHECK_EQ(perms, EPT_R | EPT_X);
}

TEST(unmap_4k_hole_in_1g_leaf)
{
    struct ept e;
    pool_reset(64);
    REQUIRE(ept_init(&e, &ops, true, true) == EPT_OK);
    REQUIRE(ept_map(&e, 0, 0, 4 * GIB, EPT_RWX, EPT_MT_WB) == EPT_OK);
    uint64_t hole = GIB + 0x201000; /* inside the second 1 GiB leaf */
    REQUIRE(ept_unmap(&e, hole, 4096) == EPT_OK);
    CHECK_EQ(ept_table_pages(&e), 4); /* + PD from the 1 GiB split + PT from the 2 MiB split */

    CHECK(!ept_translate(&e, hole, NULL, NULL, NULL, NULL));
    CHECK(!ept_translate(&e, hole + 0xfff, NULL, NULL, NULL, NULL));
    expect_map(&e, hole - 4096, hole - 4096, 1);
    expect_map(&e, hole + 4096, hole + 4096, 1);
    expect_map(&e, GIB + 0x200000, GIB + 0x200000, 1);
    expect_map(&e, GIB + 0x3fffff, GIB + 0x3fffff, 1);
    expect_map(&e, GIB, GIB, 2);
    expect_map(&e, GIB + 0x400000, GIB + 0x400000, 2);
    expect_map(&e, 2 * GIB - 1, 2 * GIB - 1, 2);
    expect_map(&e, 0, 0, 3);
    expect_map(&e, 2 * GIB, 2 * GIB, 3);

    /* The split keeps the attributes of the large page */
    unsigned perms = 0, mt = 0;
    CHECK(ept_translate(&e, hole + 4096, NULL, &perms, &mt, NULL));
    CHECK_EQ(perms, EPT_RWX);
    CHECK_EQ(mt, EPT_MT_WB);

    /* Mapping the hole back (elsewhere) fills the existing PT */
    REQUIRE(ept_map(&e, hole, 0x7000000000ull, 4096, EPT_R, EPT_MT_UC) == EPT_OK);
    CHECK_EQ(ept_table_pages(&e), 4);
    expect_map(&e, hole + 8, 0x7000000008ull, 1);
}

TEST(unaligned_range_mixes_4k_and_2m)
{
    struct ept e;
    pool_reset(64);
    REQUIRE(ept_init(&e, &ops, true, true) == EPT_OK);
    uint64_t gpa = 0x1ff000, off = 0x10000000;
    /* 0x1ff000: 4K, 0x200000 and 0x400000: 2M, 0x600000: 4K */
    REQUIRE(ept_map(&e, gpa, gpa + off, 0x402000, EPT_RWX, EPT_MT_WB) == EPT_OK);
    CHECK(!ept_translate(&e, 0x1fe000, NULL, NULL, NULL, NULL));
    expect_map(&e, 0x1ff000, 0x1ff000 + off, 1);
    expect_map(&e, 0x200000, 0x200000 + off, 2);
    expect_map(&e, 0x5fffff, 0x5fffff + off, 2);
    expect_map(&e, 0x600000, 0x600000 + off, 1);
    CHECK(!ept_translate(&e, 0x601000, NULL, NULL, NULL, NULL));
    CHECK_EQ(ept_table_pages(&e), 5); /* PML4, PDPT, PD, 2 PTs */

    /* gpa and hpa aligned differently: 4 KiB leaves only */
    REQUIRE(ept_map(&e, 0x40000000, 0x80001000, 2 * MIB, EPT_RWX, EPT_MT_WB) == EPT_OK);
    expect_map(&e, 0x40000000, 0x80001000, 1);
    expect_map(&e, 0x401ff000, 0x80200000, 1);
}

TEST(memtype_bits_and_split_inside_2m)
{
    struct ept e;
    pool_reset(64);
    REQUIRE(ept_init(&e, &ops, true, true) == EPT_OK);
    REQUIRE(ept_map(&e, 0, 0, 2 * MIB, EPT_RWX, EPT_MT_WB) == EPT_OK);
    REQUIRE(ept_map(&e, GIB, 0xfe000000, 2 * GIB, EPT_R | EPT_W, EPT_MT_UC) == EPT_OK);

    uint64_t pde = raw_entry(&e, 0, 2);
    CHECK(pde & EPT_LARGE);
    CHECK_EQ(pde & EPT_MT_MASK, (uint64_t)EPT_MT_WB << 3);
    CHECK(!(pde & EPT_IGNORE_PAT));
    CHECK_EQ(pde & EPT_RWX, EPT_RWX);
    CHECK_EQ(pde & EPT_ADDR_MASK, 0);

    /* 0xfe000000 is 2 MiB but not 1 GiB aligned: 2 MiB leaves */
    uint64_t e2 = raw_entry(&e, GIB + 2 * MIB, 2);
    CHECK_EQ(e2, (0xfe000000ull + 2 * MIB) | EPT_R | EPT_W | (EPT_MT_UC << 3) | EPT_LARGE);
    /* Non-leaf entries carry no memory type */
    uint64_t pdpte = raw_entry(&e, GIB, 3);
    CHECK_EQ(pdpte & ~EPT_ADDR_MASK, EPT_RWX);

    /* One WC page inside the WB 2 MiB page */
    REQUIRE(ept_map(&e, 0x5000, 0xc0005000, 4096, EPT_R | EPT_W, EPT_MT_WC) == EPT_OK);
    uint64_t pte = raw_entry(&e, 0x5000, 1);
    CHECK_EQ(pte, 0xc0005000 | EPT_R | EPT_W | (EPT_MT_WC << 3));
    unsigned mt = 0, perms = 0;
    CHECK(ept_translate(&e, 0x5000, NULL, &perms, &mt, NULL));
    CHECK_EQ(mt, EPT_MT_WC);
    CHECK_EQ(perms, EPT_R | EPT_W);
    CHECK(ept_translate(&e, 0x6000, NULL, &perms, &mt, NULL));
    CHECK_EQ(mt, EPT_MT_WB);
    CHECK_EQ(perms, EPT_RWX);
    expect_map(&e, 0x4fff, 0x4fff, 1);
    expect_map(&e, 0x1ff000, 0x1ff000, 1);
    CHECK(!(raw_entry(&e, 0x6000, 1) & EPT_LARGE)); /* bit 7 ignored in PTEs: keep it 0 */
}

TEST(eptp)
{
    CHECK_EQ(ept_make_eptp(0x12345000, false), 0x1234501e);
    CHECK_EQ(ept_make_eptp(0x12345000, true), 0x1234505e);
    CHECK_EQ(ept_make_eptp(0xfff0000012345000ull, false), 0x0000000012345000ull | 0x1e);
}

TEST(argument_errors)
{
    struct ept e;
    pool_reset(64);
    CHECK_EQ(ept_init(&e, NULL, true, true), EPT_ERR_INVAL);
    REQUIRE(ept_init(&e, &ops, true, true) == EPT_OK);
    CHECK_EQ(ept_map(&e, 0x800, 0, 4096, EPT_RWX, EPT_MT_WB), EPT_ERR_ALIGN);
    CHECK_EQ(ept_map(&e, 0, 0x800, 4096, EPT_RWX, EPT_MT_WB), EPT_ERR_ALIGN);
    CHECK_EQ(ept_map(&e, 0, 0, 100, EPT_RWX, EPT_MT_WB), EPT_ERR_ALIGN);
    CHECK_EQ(ept_map(&e, 0, 0, 4096, 0, EPT_MT_WB), EPT_ERR_INVAL);
    CHECK_EQ(ept_map(&e, 0, 0, 4096, EPT_W, EPT_MT_WB), EPT_ERR_INVAL);
    CHECK_EQ(ept_map(&e, 0, 0, 4096, 8, EPT_MT_WB), EPT_ERR_INVAL);
    CHECK_EQ(ept_map(&e, 0, 0, 4096, EPT_RWX, 2), EPT_ERR_INVAL);
    CHECK_EQ(ept_map(&e, 0, 0, 4096, EPT_RWX, 7), EPT_ERR_INVAL);
    CHECK_EQ(ept_map(&e, (1ull << 48) - 4096, 0, 8192, EPT_RWX, EPT_MT_WB), EPT_ERR_INVAL);
    CHECK_EQ(ept_map(&e, 0, (1ull << 52) - 4096, 8192, EPT_RWX, EPT_MT_WB), EPT_ERR_INVAL);
    CHECK_EQ(ept_map(&e, 0xfffffffffffff000ull, 0, 0x2000, EPT_RWX, EPT_MT_WB), EPT_ERR_INVAL);
    CHECK_EQ(ept_unmap(&e, 0x800, 4096), EPT_ERR_ALIGN);
    CHECK_EQ(ept_table_pages(&e), 1);
    /* Execute-only and the top of the GPA space are fine */
    CHECK_EQ(ept_map(&e, (1ull << 48) - 4096, 0, 4096, EPT_X, EPT_MT_WB), EPT_OK);
    expect_map(&e, (1ull << 48) - 1, 0xfff, 1);
    /* Unmapping what is not mapped is a no-op */
    CHECK_EQ(ept_unmap(&e, 0, 8 * GIB), EPT_OK);
    CHECK_EQ(ept_table_pages(&e), 4);
}

TEST(allocation_failure)
{
    struct ept e;
    pool_reset(0);
    CHECK_EQ(ept_init(&e, &ops, true, true), EPT_ERR_NOMEM);

    pool_reset(1); /* PML4 only */
    REQUIRE(ept_init(&e, &ops, true, true) == EPT_OK);
    CHECK_EQ(ept_map(&e, 0, 0, 4096, EPT_RWX, EPT_MT_WB), EPT_ERR_NOMEM);
    CHECK(!ept_translate(&e, 0, NULL, NULL, NULL, NULL));
    CHECK_EQ(ept_table_pages(&e), 1);

    pool_reset(2); /* PML4 + PDPT: 1 GiB leaves fit, a split does not */
    REQUIRE(ept_init(&e, &ops, true, true) == EPT_OK);
    REQUIRE(ept_map(&e, 0, 0, GIB, EPT_RWX, EPT_MT_WB) == EPT_OK);
    CHECK_EQ(ept_unmap(&e, 0x1000, 4096), EPT_ERR_NOMEM);
    expect_map(&e, 0x1000, 0x1000, 3); /* the 1 GiB leaf is intact */
    CHECK_EQ(ept_map(&e, 0x1000, 0x9000, 4096, EPT_R, EPT_MT_UC), EPT_ERR_NOMEM);
    expect_map(&e, 0x1000, 0x1000, 3);

    pool_reset(3); /* the 1 GiB split succeeds, the 2 MiB one does not */
    REQUIRE(ept_init(&e, &ops, true, true) == EPT_OK);
    REQUIRE(ept_map(&e, 0, 0, GIB, EPT_RWX, EPT_MT_WB) == EPT_OK);
    CHECK_EQ(ept_unmap(&e, 0x1000, 4096), EPT_ERR_NOMEM);
    expect_map(&e, 0x1000, 0x1000, 2);
    expect_map(&e, 0x3ff00000, 0x3ff00000, 2);

    /* A long 4 KiB-only map fails part way: the prefix stays mapped */
    pool_reset(4); /* PML4, PDPT, PD, one PT */
    REQUIRE(ept_init(&e, &ops, false, false) == EPT_OK);
    CHECK_EQ(ept_map(&e, 0, 0, 4 * MIB, EPT_RWX, EPT_MT_WB), EPT_ERR_NOMEM);
    expect_map(&e, 0x1ff000, 0x1ff000, 1);
    CHECK(!ept_translate(&e, 0x200000, NULL, NULL, NULL, NULL));
    free(pool.mem);
    pool.mem = NULL;
}

/* ---- the space beyond RAM (vmx/mem/ept_space.c) ---------------------------------- */

#define TIB (1ull << 40)

TEST(space_policy_by_leaves)
{
    CHECK_EQ(ept_space_policy(true, true)->mode, EPT_SPACE_UP_FRONT);
    CHECK_EQ(ept_space_policy(true, false)->mode, EPT_SPACE_UP_FRONT);
    CHECK_EQ(ept_space_policy(false, true)->mode, EPT_SPACE_ON_DEMAND);
    CHECK_EQ(ept_space_policy(false, false)->mode, EPT_SPACE_ON_DEMAND);
    CHECK_STR(ept_space_policy(false, true)->name, "on demand, 2 MiB leaves");
    /* MAXPHYADDR 0 (no CPUID 0x80000008) is 36; a 4-level walk stops at 2^48. */
    CHECK_EQ(ept_space_top(0), 1ull << 36);
    CHECK_EQ(ept_space_top(36), 1ull << 36);
    CHECK_EQ(ept_space_top(39), 1ull << 39);
    CHECK_EQ(ept_space_top(46), 1ull << 46);
    CHECK_EQ(ept_space_top(48), 1ull << 48);
    CHECK_EQ(ept_space_top(52), 1ull << 48);
    CHECK_STR(ept_fill_verdict(EPT_FILL_ABSENT), "not guest memory");
    CHECK_STR(ept_fill_verdict((enum ept_fill)99), "not guest memory");
}

/* Up front with 1 GiB leaves: PML4 + one PDPT per 512 GiB below 2^MAXPHYADDR. */
TEST(space_up_front_table_pages)
{
    static const struct { unsigned maxphy; size_t pages; } rows[] = {
        { 36, 2 }, { 39, 2 }, { 40, 3 }, { 46, 129 }, { 52, 513 },
    };
    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct ept e;
        struct ept_space s;
        pool_reset(600);
        REQUIRE(ept_init(&e, &ops, true, true) == EPT_OK);
        ept_space_init(&s, &e, NULL, rows[i].maxphy, NULL, NULL, 0, 0, true);
        uint64_t top = ept_space_top(rows[i].maxphy);
        CHECK_EQ(ept_space_up_front_end(&s), top);
        REQUIRE(ept_map_mtrr(&e, NULL, 0, top, EPT_MT_UC) == EPT_OK);
        CHECK_EQ(ept_table_pages(&e), rows[i].pages);
        expect_map(&e, 4 * GIB + 0x1000, 4 * GIB + 0x1000, 3);
        expect_map(&e, top - 0x1000, top - 0x1000, 3);
        CHECK(!ept_translate(&e, top, NULL, NULL, NULL, NULL));
        /* Everything is mapped: a fill finds it present, or beyond the top. */
        CHECK_EQ(ept_space_fill(&s, top - 1), EPT_FILL_PRESENT);
        CHECK_EQ(ept_space_fill(&s, top), EPT_FILL_BEYOND);
    }
}

/* A pool of `n` table pages taken from the fake allocator (contiguous there). */
static uint64_t take_pool(unsigned n)
{
    uint64_t first = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t p = pool_alloc(&pool);
        first = first ? first : p;
    }
    return first;
}

/* Skiff's pages (and RAM the guest does not get) stay absent under either policy. */
TEST(space_absent_pages_stay_absent)
{
    struct rangeset skiff = { 0 }, ram = { 0 };
    REQUIRE(rangeset_add(&skiff, 0xfc00000, 0xfc56000) == 0);
    REQUIRE(rangeset_add(&ram, 8 * GIB, 8 * GIB + 0x1000) == 0);
    for (int up_front = 0; up_front < 2; up_front++) {
        struct ept e;
        struct ept_space s;
        pool_reset(600);
        REQUIRE(ept_init(&e, &ops, up_front, true) == EPT_OK);
        ept_space_init(&s, &e, NULL, 40, &skiff, &ram, up_front ? 0 : take_pool(8), 8, true);
        REQUIRE(ept_map_mtrr(&e, NULL, 0, ept_space_up_front_end(&s), EPT_MT_UC) == EPT_OK);
        REQUIRE(ept_unmap(&e, 0xfc00000, 0x56000) == EPT_OK);
        if (up_front)
            REQUIRE(ept_unmap(&e, 8 * GIB, 0x1000) == EPT_OK);
        CHECK_EQ(ept_space_fill(&s, 0xfc00000), EPT_FILL_ABSENT);
        CHECK_EQ(ept_space_fill(&s, 0xfc55fff), EPT_FILL_ABSENT);
        CHECK_EQ(ept_space_fill(&s, 8 * GIB + 0x10), EPT_FILL_ABSENT);
        CHECK(!ept_translate(&e, 0xfc00000, NULL, NULL, NULL, NULL));
        CHECK(!ept_translate(&e, 8 * GIB, NULL, NULL, NULL, NULL));
        /* Its neighbours are mapped (on demand: only the 4 KiB page, its 2 MiB block holds an absent page). */
        CHECK_EQ(ept_space_fill(&s, 8 * GIB + 0x1000), up_front ? EPT_FILL_PRESENT : EPT_FILL_MAPPED);
        expect_map(&e, 8 * GIB + 0x1000, 8 * GIB + 0x1000, 1);
        CHECK(!ept_translate(&e, 8 * GIB, NULL, NULL, NULL, NULL));
        if (!up_front)
            CHECK(!ept_translate(&e, 8 * GIB + 0x2000, NULL, NULL, NULL, NULL));
        expect_map(&e, 0xfc56000, 0xfc56000, 1);
    }
}

/* No 1 GiB leaves, MAXPHYADDR 40: 2 MiB blocks filled on demand, counted in pool pages. */
TEST(space_on_demand_2m)
{
    struct ept e;
    struct ept_space s;
    pool_reset(64);
    REQUIRE(ept_init(&e, &ops, false, true) == EPT_OK);
    uint64_t pool_phys = take_pool(16);
    ept_space_init(&s, &e, NULL, 40, NULL, NULL, pool_phys, 16, true);
    CHECK_EQ(ept_space_up_front_end(&s), 4 * GIB);
    REQUIRE(ept_map_mtrr(&e, NULL, 0, 4 * GIB, EPT_MT_UC) == EPT_OK);
    CHECK_EQ(ept_table_pages(&e), 6);
    CHECK(!ept_translate(&e, 4 * GIB + 0x1000, NULL, NULL, NULL, NULL));

    CHECK_EQ(ept_space_fill(&s, 4 * GIB + 0x1234), EPT_FILL_MAPPED);  /* PD */
    expect_map(&e, 4 * GIB, 4 * GIB, 2);
    expect_map(&e, 4 * GIB + 2 * MIB - 1, 4 * GIB + 2 * MIB - 1, 2);
    CHECK(!ept_translate(&e, 4 * GIB + 2 * MIB, NULL, NULL, NULL, NULL));
    CHECK_EQ(s.pool_used, 1);
    CHECK_EQ(ept_space_fill(&s, 4 * GIB + 0x1234), EPT_FILL_PRESENT);
    CHECK_EQ(ept_space_fill(&s, 4 * GIB + 2 * MIB), EPT_FILL_MAPPED);  /* the same PD */
    CHECK_EQ(s.pool_used, 1);
    CHECK_EQ(s.nattach, 1);
    CHECK_EQ(ept_space_fill(&s, 64 * GIB), EPT_FILL_MAPPED);            /* PD */
    CHECK_EQ(ept_space_fill(&s, 512 * GIB + 2 * MIB), EPT_FILL_MAPPED);  /* PDPT + PD */
    CHECK_EQ(s.pool_used, 4);
    CHECK_EQ(ept_space_fill(&s, TIB - 0x1000), EPT_FILL_MAPPED);        /* PD */
    expect_map(&e, TIB - 0x1000, TIB - 0x1000, 2);
    CHECK_EQ(ept_space_fill(&s, TIB), EPT_FILL_BEYOND);
    CHECK_EQ(s.pool_used, 5);
    CHECK_EQ(s.pool_peak, 5);
    CHECK_EQ(s.fills, 5);
    unsigned mt = 9;
    CHECK(ept_translate(&e, 64 * GIB, NULL, NULL, &mt, NULL));
    CHECK_EQ(mt, EPT_MT_UC);                                              /* no MTRRs: UC */
    /* The up-front tables did not grow: the fills' tables are the pool's. */
    CHECK_EQ(s.recycles, 0);
}

/* MAXPHYADDR 52 without 1 GiB leaves: the last page below 2^48 needs a PDPT and a PD. */
TEST(space_on_demand_maxphyaddr_36_39_46_52)
{
    static const unsigned maxphy[] = { 36, 39, 46, 52 };
    for (unsigned i = 0; i < 4; i++) {
        struct ept e;
        struct ept_space s;
        pool_reset(64);
        REQUIRE(ept_init(&e, &ops, false, true) == EPT_OK);
        ept_space_init(&s, &e, NULL, maxphy[i], NULL, NULL, take_pool(8), 8, true);
        REQUIRE(ept_map_mtrr(&e, NULL, 0, 4 * GIB, EPT_MT_UC) == EPT_OK);
        uint64_t top = ept_space_top(maxphy[i]);
        CHECK_EQ(ept_space_fill(&s, top - 0x1000), EPT_FILL_MAPPED);
        expect_map(&e, top - 0x1000, top - 0x1000, 2);
        CHECK_EQ(s.pool_used, top > 512 * GIB ? 2 : 1);
        CHECK_EQ(ept_space_fill(&s, top), EPT_FILL_BEYOND);
        CHECK_EQ(ept_space_fill(&s, UINT64_MAX), EPT_FILL_BEYOND);
    }
}

/* Without 2 MiB leaves either: a 2 MiB block of 4 KiB leaves, one PT. */
TEST(space_on_demand_4k_only)
{
    struct ept e;
    struct ept_space s;
    pool_reset(2200);                          /* 4 GiB of 4 KiB leaves: 2048 PTs */
    REQUIRE(ept_init(&e, &ops, false, false) == EPT_OK);
    ept_space_init(&s, &e, NULL, 39, NULL, NULL, take_pool(8), 8, true);
    CHECK_STR(s.policy->name, "on demand, 2 MiB blocks of 4 KiB leaves");
    REQUIRE(ept_map_mtrr(&e, NULL, 0, 4 * GIB, EPT_MT_UC) == EPT_OK);
    CHECK_EQ(ept_space_fill(&s, 6 * GIB + 0x5000), EPT_FILL_MAPPED);
    expect_map(&e, 6 * GIB, 6 * GIB, 1);
    expect_map(&e, 6 * GIB + 2 * MIB - 0x1000, 6 * GIB + 2 * MIB - 0x1000, 1);
    CHECK(!ept_translate(&e, 6 * GIB + 2 * MIB, NULL, NULL, NULL, NULL));
    CHECK_EQ(s.pool_used, 2);                                             /* PD + PT */
}

/* The MTRRs' types, variable ranges above 4 GiB included; the default type elsewhere. */
TEST(space_on_demand_mtrr_types)
{
    struct mtrr_state m;
    memset(&m, 0, sizeof(m));
    m.maxphyaddr = 40;
    m.cap = 2;
    m.def_type = MTRR_DEF_E | MTRR_TYPE_UC;
    uint64_t pm = ((1ull << 40) - 1) & ~0xfffull;
    m.var_base[0] = (64 * GIB) | MTRR_TYPE_WB;                /* [64 GiB, 65 GiB) WB */
    m.var_mask[0] = (~(GIB - 1) & pm) | MTRR_PHYSMASK_VALID;
    m.var_base[1] = (16 * GIB) | MTRR_TYPE_WC;                /* [16 GiB, 16 GiB + 64 KiB) WC */
    m.var_mask[1] = (~(64 * KIB - 1) & pm) | MTRR_PHYSMASK_VALID;

    struct ept e;
    struct ept_space s;
    pool_reset(64);
    REQUIRE(ept_init(&e, &ops, false, true) == EPT_OK);
    ept_space_init(&s, &e, &m, 40, NULL, NULL, take_pool(8), 8, true);
    unsigned mt = 9, level = 0;
    CHECK_EQ(ept_space_fill(&s, 64 * GIB + 0x3000), EPT_FILL_MAPPED);
    CHECK(ept_translate(&e, 64 * GIB + 0x3000, NULL, NULL, &mt, &level));
    CHECK_EQ(mt, EPT_MT_WB);
    CHECK_EQ(level, 2);
    CHECK_EQ(ept_space_fill(&s, 16 * GIB + 0x100000), EPT_FILL_MAPPED);  /* PD + PT: the block is split */
    CHECK(ept_translate(&e, 16 * GIB, NULL, NULL, &mt, &level));
    CHECK_EQ(mt, EPT_MT_WC);
    CHECK_EQ(level, 1);
    CHECK(ept_translate(&e, 16 * GIB + 64 * KIB, NULL, NULL, &mt, NULL));
    CHECK_EQ(mt, EPT_MT_UC);
    CHECK(ept_translate(&e, 16 * GIB + 0x100000, NULL, NULL, &mt, NULL));
    CHECK_EQ(mt, EPT_MT_UC);
    CHECK_EQ(ept_space_fill(&s, 100 * GIB), EPT_FILL_MAPPED);
    CHECK(ept_translate(&e, 100 * GIB, NULL, NULL, &mt, NULL));
    CHECK_EQ(mt, EPT_MT_UC);                                              /* the default type */
    CHECK_EQ(s.pool_used, 5);                 /* nothing up front here: PDPT + PD, PD + PT, PD */
}

/*
 * At the pool's bound: recycled with one vCPU (the caller invalidates), refused
 * with several.  A fill reserves its worst case (a PD and a PT here), so a pool
 * of 4 takes three 1 GiB regions and refuses the fourth.
 */
TEST(space_on_demand_pool_bound)
{
    for (int may_recycle = 0; may_recycle < 2; may_recycle++) {
        struct ept e;
        struct ept_space s;
        pool_reset(64);
        REQUIRE(ept_init(&e, &ops, false, true) == EPT_OK);
        ept_space_init(&s, &e, NULL, 40, NULL, NULL, take_pool(4), 4, may_recycle);
        REQUIRE(ept_map_mtrr(&e, NULL, 0, 4 * GIB, EPT_MT_UC) == EPT_OK);
        size_t up_front = ept_table_pages(&e);
        for (uint64_t g = 4; g < 7; g++)
            CHECK_EQ(ept_space_fill(&s, g * GIB), EPT_FILL_MAPPED);
        CHECK_EQ(s.pool_used, 3);
        CHECK_EQ(ept_space_fill(&s, 7 * GIB), may_recycle ? EPT_FILL_RECYCLED : EPT_FILL_FULL);
        CHECK_EQ(ept_translate(&e, 4 * GIB, NULL, NULL, NULL, NULL), !may_recycle);
        CHECK_EQ(ept_translate(&e, 7 * GIB, NULL, NULL, NULL, NULL), may_recycle);
        CHECK_EQ(s.pool_used, may_recycle ? 1 : 3);
        CHECK_EQ(s.fills, may_recycle ? 4 : 3);
        CHECK_EQ(s.recycles, may_recycle ? 1 : 0);
        CHECK_EQ(s.pool_peak, 3);
        /* The up-front map is untouched; the pool never lends more than it has. */
        expect_map(&e, 0x1000, 0x1000, 2);
        expect_map(&e, 4 * GIB - 1, 4 * GIB - 1, 2);
        CHECK_EQ(ept_table_pages(&e) - up_front, 3 + (may_recycle ? 1 : 0));
        /* A fill into a 2 MiB block of a present PD needs no page, even at the bound. */
        CHECK_EQ(ept_space_fill(&s, (may_recycle ? 7 : 4) * GIB + 2 * MIB), EPT_FILL_MAPPED);
    }
}

TEST(absent_entry_levels)
{
    struct ept e;
    uint64_t *ent = NULL;
    pool_reset(64);
    REQUIRE(ept_init(&e, &ops, false, true) == EPT_OK);
    CHECK_EQ(ept_absent_entry(&e, 0, &ent), 4);
    REQUIRE(ept_map(&e, 0, 0, 2 * MIB, EPT_RWX, EPT_MT_WB) == EPT_OK);
    REQUIRE(ept_map(&e, 4 * MIB, 4 * MIB, 4096, EPT_RWX, EPT_MT_WB) == EPT_OK);
    CHECK_EQ(ept_absent_entry(&e, 0x1000, &ent), 0);
    CHECK_EQ(ept_absent_entry(&e, 2 * MIB, &ent), 2);
    CHECK_EQ(*ent, 0);
    CHECK_EQ(ept_absent_entry(&e, 4 * MIB + 0x1000, &ent), 1);
    CHECK_EQ(ept_absent_entry(&e, GIB, &ent), 3);
    CHECK_EQ(ept_absent_entry(&e, 512 * GIB, &ent), 4);
    CHECK_EQ(ept_absent_entry(&e, 1ull << 48, &ent), 0);
    free(pool.mem);
    pool.mem = NULL;
}

UNIT_MAIN(T(identity_4g_with_1g_pages), T(identity_4g_with_2m_pages), T(only_4k_pages),
          T(unmap_4k_hole_in_1g_leaf), T(unaligned_range_mixes_4k_and_2m),
          T(memtype_bits_and_split_inside_2m), T(eptp), T(argument_errors), T(allocation_failure),
          T(space_policy_by_leaves), T(space_up_front_table_pages), T(space_absent_pages_stay_absent),
          T(space_on_demand_2m), T(space_on_demand_maxphyaddr_36_39_46_52), T(space_on_demand_4k_only),
          T(space_on_demand_mtrr_types), T(space_on_demand_pool_bound), T(absent_entry_levels))
