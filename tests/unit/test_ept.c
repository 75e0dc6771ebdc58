/* Host tests: the EPT builder over a fake page allocator. */
// SOURCES: vmx/ept.c
#include <stdlib.h>

#include "tests/unit/unit.h"
#include "vmx/ept.h"

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
    pool.pages = 64;
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

UNIT_MAIN(T(identity_4g_with_1g_pages), T(identity_4g_with_2m_pages), T(only_4k_pages),
          T(unmap_4k_hole_in_1g_leaf), T(unaligned_range_mixes_4k_and_2m),
          T(memtype_bits_and_split_inside_2m), T(eptp), T(argument_errors), T(allocation_failure))
