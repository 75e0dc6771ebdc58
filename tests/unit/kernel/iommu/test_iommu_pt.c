/* Host tests: the VT-d second-level table builder (kernel/iommu/iommu_pt.c) over a fake page allocator. */
// SOURCES: kernel/iommu/iommu_pt.c
#include <stdlib.h>

#include "kernel/iommu/iommu_pt.h"
#include "kernel/iommu/iommu_regs.h"
#include "tests/unit/unit.h"

#define GIB (1ull << 30)
#define MIB (1ull << 20)
#define FAKE_BASE 0x40000000ull
#define POOL_PAGES 64

static uint8_t *mem;
static size_t used, limit;

static uint64_t pool_alloc(void *ctx)
{
    (void)ctx;
    if (used >= POOL_PAGES || used >= limit)
        return 0;
    memset(mem + 4096 * used, 0, 4096);
    return FAKE_BASE + 4096 * used++;
}

static void *pool_virt(void *ctx, uint64_t pa)
{
    (void)ctx;
    if (pa < FAKE_BASE || pa >= FAKE_BASE + 4096 * used)
        abort();                       /* the builder followed a bad pointer */
    return mem + (pa - FAKE_BASE);
}

static const struct vtd_pt_ops ops = { pool_alloc, pool_virt, 0 };
static struct vtd_pt pt;

static void fresh(unsigned max_leaf, size_t lim)
{
    if (!mem)
        mem = malloc(4096 * POOL_PAGES);
    used = 0;
    limit = lim;
    REQUIRE(vtd_pt_init(&pt, &ops, max_leaf) == VTD_PT_OK);
}

static unsigned level_at(uint64_t a)
{
    unsigned level = 0;
    uint64_t perms = 0;
    return vtd_pt_lookup(&pt, a, &perms, &level) ? level : 0;
}

static uint64_t perms_at(uint64_t a)
{
    uint64_t perms = 0;
    return vtd_pt_lookup(&pt, a, &perms, NULL) ? perms : 0;
}

TEST(large_leaves_and_split)
{
    fresh(3, POOL_PAGES);
    REQUIRE(vtd_pt_set(&pt, 0, 4 * GIB, VTD_SL_RW) == VTD_PT_OK);
    CHECK_EQ(pt.pages, 2);                               /* PML4 and one PDPT: 1 GiB leaves */
    CHECK_EQ(level_at(3 * GIB + 5), 3);
    /* Withhold one page: its 1 GiB and 2 MiB leaves split, the rest stays mapped. */
    REQUIRE(vtd_pt_set(&pt, GIB + 0x123000, 0x1000, 0) == VTD_PT_OK);
    CHECK_EQ(pt.pages, 4);
    CHECK_EQ(perms_at(GIB + 0x123000), 0);
    CHECK_EQ(perms_at(GIB + 0x122fff), VTD_SL_RW);
    CHECK_EQ(level_at(GIB + 0x124000), 1);
    CHECK_EQ(level_at(GIB + 0x200000), 2);
    CHECK_EQ(level_at(2 * GIB), 3);
    /* Mapping the whole range again keeps the tables and the hole is mapped again. */
    REQUIRE(vtd_pt_set(&pt, 0, 4 * GIB, VTD_SL_RW) == VTD_PT_OK);
    CHECK_EQ(pt.pages, 4);
    CHECK_EQ(perms_at(GIB + 0x123000), VTD_SL_RW);
    /* Read-only page, then everything unmapped. */
    REQUIRE(vtd_pt_set(&pt, 0xfee00000, 0x1000, VTD_SL_R) == VTD_PT_OK);
    CHECK_EQ(perms_at(0xfee00000), VTD_SL_R);
    CHECK_EQ(perms_at(0xfee01000), VTD_SL_RW);
    REQUIRE(vtd_pt_set(&pt, 0, 4 * GIB, 0) == VTD_PT_OK);
    CHECK_EQ(perms_at(0), 0);
    CHECK_EQ(perms_at(GIB + 0x124000), 0);
    CHECK_EQ(perms_at(0xfee00000), 0);
}

TEST(small_leaves_only)
{
    fresh(1, POOL_PAGES);
    REQUIRE(vtd_pt_set(&pt, 2 * MIB, 4 * MIB, VTD_SL_RW) == VTD_PT_OK);
    CHECK_EQ(pt.pages, 5);                               /* PML4, PDPT, PD, two PTs */
    CHECK_EQ(level_at(3 * MIB), 1);
    CHECK_EQ(perms_at(2 * MIB - 0x1000), 0);
    CHECK_EQ(perms_at(6 * MIB), 0);
    fresh(2, POOL_PAGES);
    REQUIRE(vtd_pt_set(&pt, 0, GIB, VTD_SL_RW) == VTD_PT_OK);
    CHECK_EQ(level_at(GIB - 1), 2);                      /* no 1 GiB leaf without SLLPS bit 1 */
    CHECK_EQ(pt.pages, 3);
}

TEST(above_512g_and_root3)
{
    fresh(3, POOL_PAGES);
    CHECK_EQ(vtd_pt_root3(&pt), 0);
    REQUIRE(vtd_pt_set(&pt, 0, GIB, VTD_SL_RW) == VTD_PT_OK);
    REQUIRE(vtd_pt_set(&pt, 600 * GIB, GIB, VTD_SL_W) == VTD_PT_OK);
    CHECK_EQ(perms_at(600 * GIB + 7), VTD_SL_W);
    const uint64_t *pml4 = pool_virt(0, pt.pml4);
    CHECK_EQ(vtd_pt_root3(&pt), pml4[0] & VTD_ADDR_MASK);
    CHECK_EQ(pml4[0] & VTD_SL_RW, VTD_SL_RW);            /* non-leaf entries allow all */
    CHECK_EQ(pml4[1] & VTD_SL_RW, VTD_SL_RW);
}

static unsigned counted;
static void count(void *ctx, void *table) { (void)ctx; (void)table; counted++; }

TEST(each_table_and_errors)
{
    fresh(2, POOL_PAGES);
    REQUIRE(vtd_pt_set(&pt, 0, 8 * MIB, VTD_SL_RW) == VTD_PT_OK);
    REQUIRE(vtd_pt_set(&pt, MIB, 0x1000, 0) == VTD_PT_OK);
    counted = 0;
    vtd_pt_each_table(&pt, count, 0);
    CHECK_EQ(counted, pt.pages);
    CHECK_EQ(vtd_pt_set(&pt, 0x800, 0x1000, VTD_SL_RW), VTD_PT_INVAL);
    CHECK_EQ(vtd_pt_set(&pt, 0, 0x1000, 4), VTD_PT_INVAL);
    CHECK_EQ(vtd_pt_set(&pt, VTD_PT_LIMIT - 0x1000, 0x2000, VTD_SL_RW), VTD_PT_INVAL);
    CHECK(!vtd_pt_lookup(&pt, VTD_PT_LIMIT, NULL, NULL));
    /* Unmapping where nothing is mapped allocates nothing. */
    size_t before = pt.pages;
    REQUIRE(vtd_pt_set(&pt, 100 * GIB, GIB, 0) == VTD_PT_OK);
    CHECK_EQ(pt.pages, before);
    /* Out of pages: an error, not a crash. */
    fresh(1, 3);
    CHECK_EQ(vtd_pt_set(&pt, 0, 4 * MIB, VTD_SL_RW), VTD_PT_NOMEM);
    free(mem);
    mem = NULL;
}

UNIT_MAIN(T(large_leaves_and_split), T(small_leaves_only), T(above_512g_and_root3), T(each_table_and_errors))
