// SOURCES: kernel/mem/paging.c
/*
 * 4-level page-table builder (kernel/mem/paging.c) over a fake physical memory:
 * an aligned arena whose page i has physical address ARENA_PA + i * 4 KiB.
 */
#include "tests/unit/unit.h"

#include <stdint.h>
#include <stdlib.h>

#include "kernel/mem/paging.h"

#define ARENA_PA    0x100000ull
#define ARENA_PAGES 64

struct arena {
    uint8_t *mem;
    size_t used, limit; /* pages handed out, and how many may be */
};

static struct arena ar;

static uint64_t fake_alloc(void *ctx)
{
    struct arena *a = ctx;
    if (a->used >= a->limit)
        return 0;
    uint64_t pa = ARENA_PA + a->used * 4096;
    memset(a->mem + a->used * 4096, 0, 4096);
    a->used++;
    return pa;
}

static void *fake_p2v(void *ctx, uint64_t pa)
{
    struct arena *a = ctx;
    /* the builder may only ever follow pointers to pages it was given */
    REQUIRE(pa >= ARENA_PA && pa < ARENA_PA + a->used * 4096);
    REQUIRE((pa & 0xfff) == 0);
    return a->mem + (pa - ARENA_PA);
}

static const struct pt_ops ops = { fake_alloc, fake_p2v, &ar };

/* Fresh arena with `limit` pages available; returns the PML4's address. */
static uint64_t setup(size_t limit)
{
    if (!ar.mem) {
        ar.mem = aligned_alloc(4096, ARENA_PAGES * 4096);
        REQUIRE(ar.mem);
    }
    memset(ar.mem, 0xcc, ARENA_PAGES * 4096); /* dirty: the allocator must zero */
    ar.used = 0;
    ar.limit = limit;
    uint64_t pml4 = fake_alloc(&ar);
    REQUIRE(pml4 == ARENA_PA);
    return pml4;
}

static uint64_t *tbl(uint64_t pa) { return fake_p2v(&ar, pa & PTE_ADDR); }

/* Translate and compare; flags compared on the bits in `mask`. */
static void check_xlate_(uint64_t pml4, uint64_t va, uint64_t want_pa, uint64_t want_flags,
                         uint64_t mask, int line)
{
    uint64_t pa = 0xbad, fl = 0xbad;
    if (!pt_translate(&ops, pml4, va, &pa, &fl)) {
        printf("    %s:%d: %#llx not mapped\n", __FILE__, line, (unsigned long long)va);
        unit_current_failed = 1;
    } else if (pa != want_pa || (fl & mask) != want_flags) {
        printf("    %s:%d: %#llx -> %#llx flags %#llx, want %#llx flags %#llx (mask %#llx)\n",
               __FILE__, line, (unsigned long long)va, (unsigned long long)pa,
               (unsigned long long)fl, (unsigned long long)want_pa,
               (unsigned long long)want_flags, (unsigned long long)mask);
        unit_current_failed = 1;
    }
}
#define CHECK_XLATE(pml4, va, pa, flags, mask) check_xlate_(pml4, va, pa, flags, mask, __LINE__)
#define CHECK_UNMAPPED(pml4, va)                                    \
    do {                                                            \
        uint64_t pa_, fl_;                                          \
        CHECK(!pt_translate(&ops, pml4, (va), &pa_, &fl_));         \
    } while (0)

#define FLAG_BITS (PTE_P | PTE_W | PTE_U | PTE_PS | PTE_G | PTE_NX | PTE_PCD)

TEST(identity_4g_1g_leaves)
{
    uint64_t pml4 = setup(ARENA_PAGES);
    CHECK_EQ(pt_map(&ops, pml4, 0, 0, 4ull << 30, PTE_W, PT_LEAF_1G), PT_OK);
    CHECK_EQ(ar.used, 2); /* PML4 + one PDPT */

    uint64_t *pml4t = tbl(pml4);
    CHECK_EQ(pml4t[0], (ARENA_PA + 0x1000) | PTE_P | PTE_W);
    CHECK_EQ(pml4t[1], 0);
    CHECK_EQ(pml4t[511], 0);
    uint64_t *pdpt = tbl(pml4t[0]);
    for (uint64_t i = 0; i < 4; i++)
        CHECK_EQ(pdpt[i], (i << 30) | PTE_P | PTE_W | PTE_PS);
    CHECK_EQ(pdpt[4], 0);

    CHECK_XLATE(pml4, 0, 0, PTE_P | PTE_W | PTE_PS, FLAG_BITS);
    CHECK_XLATE(pml4, 0x12345678, 0x12345678, PTE_P | PTE_W | PTE_PS, FLAG_BITS);
    CHECK_XLATE(pml4, 0xfee00abc, 0xfee00abc, PTE_P | PTE_W | PTE_PS, FLAG_BITS);
    CHECK_XLATE(pml4, 0xffffffff, 0xffffffff, PTE_P | PTE_W | PTE_PS, FLAG_BITS);
    CHECK_UNMAPPED(pml4, 0x100000000ull);
    CHECK_UNMAPPED(pml4, 0x8000000000ull); /* PML4 slot 1 */
}

TEST(identity_4g_2m_leaves)
{
    uint64_t pml4 = setup(ARENA_PAGES);
    CHECK_EQ(pt_map(&ops, pml4, 0, 0, 4ull << 30, PTE_W | PTE_G, PT_LEAF_2M), PT_OK);
    CHECK_EQ(ar.used, 6); /* PML4 + PDPT + 4 page directories */

    uint64_t *pdpt = tbl(tbl(pml4)[0]);
    size_t leaves = 0;
    for (int i = 0; i < 4; i++) {
        REQUIRE(pdpt[i] & PTE_P);
        CHECK(!(pdpt[i] & PTE_PS));
        uint64_t *pd = tbl(pdpt[i]);
        for (int j = 0; j < 512; j++) {
            uint64_t want = ((uint64_t)i << 30) + ((uint64_t)j << 21);
            if (pd[j] == (want | PTE_P | PTE_W | PTE_G | PTE_PS))
                leaves++;
        }
    }
    CHECK_EQ(leaves, 2048);
    CHECK_XLATE(pml4, 0x1fffff, 0x1fffff, PTE_P | PTE_W | PTE_G | PTE_PS, FLAG_BITS);
    CHECK_XLATE(pml4, 0xfffff123, 0xfffff123, PTE_P | PTE_W | PTE_G | PTE_PS, FLAG_BITS);
    CHECK_XLATE(pml4, 0xb8000, 0xb8000, PTE_P | PTE_W | PTE_G | PTE_PS, FLAG_BITS);
    CHECK_UNMAPPED(pml4, 0x100000000ull);
}

TEST(mixed_leaves_on_unaligned_range)
{
    /* [1 GiB - 2 MiB, 2 GiB + 4 MiB + 4 KiB): 2M, then 1G, then 2M, 2M, 4K */
    uint64_t pml4 = setup(ARENA_PAGES);
    uint64_t base = (1ull << 30) - (2ull << 20);
    uint64_t size = (1ull << 30) + (6ull << 20) + 0x1000;
    CHECK_EQ(pt_map(&ops, pml4, base, base, size, 0, PT_LEAF_1G), PT_OK);
    CHECK_EQ(ar.used, 5); /* PML4, PDPT, PD for GiB 0, PD for GiB 2, PT for the 4K leaf */

    uint64_t *pdpt = tbl(tbl(pml4)[0]);
    CHECK(!(pdpt[0] & PTE_PS));
    CHECK_EQ(pdpt[1], (1ull << 30) | PTE_P | PTE_PS);
    CHECK(!(pdpt[2] & PTE_PS));
    CHECK_EQ(tbl(pdpt[0])[511], base | PTE_P | PTE_PS);
    CHECK_EQ(tbl(pdpt[0])[510], 0);
    CHECK_EQ(tbl(pdpt[2])[0], (2ull << 30) | PTE_P | PTE_PS);
    CHECK_EQ(tbl(pdpt[2])[1], ((2ull << 30) + (2ull << 20)) | PTE_P | PTE_PS);
    uint64_t *pt = tbl(tbl(pdpt[2])[2]);
    CHECK_EQ(pt[0], ((2ull << 30) + (4ull << 20)) | PTE_P);
    CHECK_EQ(pt[1], 0);

    CHECK_XLATE(pml4, base + 5, base + 5, PTE_P | PTE_PS, FLAG_BITS);
    CHECK_XLATE(pml4, (2ull << 30) + (4ull << 20) + 0xfff, (2ull << 30) + (4ull << 20) + 0xfff,
                PTE_P, FLAG_BITS);
    CHECK_UNMAPPED(pml4, base - 1);
    CHECK_UNMAPPED(pml4, base + size);
}

TEST(higher_half_image_4k)
{
    /* a kernel image at -2 GiB, loaded at physical 2 MiB:
     * .text 3 pages R-X, .rodata 2 pages R--, .data 4 pages RW- */
    const uint64_t va = 0xffffffff80000000ull, pa = 0x200000;
    uint64_t pml4 = setup(ARENA_PAGES);
    CHECK_EQ(pt_map(&ops, pml4, va, pa, 3 * 4096, PTE_G, PT_LEAF_4K), PT_OK);
    CHECK_EQ(pt_map(&ops, pml4, va + 0x3000, pa + 0x3000, 2 * 4096, PTE_G | PTE_NX, PT_LEAF_4K),
             PT_OK);
    CHECK_EQ(pt_map(&ops, pml4, va + 0x5000, pa + 0x5000, 4 * 4096, PTE_G | PTE_W | PTE_NX,
                    PT_LEAF_4K), PT_OK);
    CHECK_EQ(ar.used, 4); /* PML4, PDPT, PD, PT: all three maps share them */

    /* -2 GiB is PML4 slot 511, PDPT slot 510, PD slot 0 */
    uint64_t *pml4t = tbl(pml4);
    REQUIRE(pml4t[511] & PTE_P);
    CHECK_EQ(pml4t[511] & (PTE_NX | PTE_U), 0); /* intermediates leave it to the leaf */
    CHECK(pml4t[511] & PTE_W);
    uint64_t *pdpt = tbl(pml4t[511]);
    CHECK(pdpt[510] & PTE_P);
    CHECK_EQ(pdpt[509] | pdpt[511], 0);
    uint64_t *pt = tbl(tbl(pdpt[510])[0]);
    CHECK_EQ(pt[0], pa | PTE_P | PTE_G);
    CHECK_EQ(pt[8], (pa + 0x8000) | PTE_P | PTE_G | PTE_W | PTE_NX);
    CHECK_EQ(pt[9], 0);

    CHECK_XLATE(pml4, va + 0x123, pa + 0x123, PTE_P | PTE_G, FLAG_BITS);
    CHECK_XLATE(pml4, va + 0x2fff, pa + 0x2fff, PTE_P | PTE_G, FLAG_BITS);
    CHECK_XLATE(pml4, va + 0x3000, pa + 0x3000, PTE_P | PTE_G | PTE_NX, FLAG_BITS);
    CHECK_XLATE(pml4, va + 0x4abc, pa + 0x4abc, PTE_P | PTE_G | PTE_NX, FLAG_BITS);
    CHECK_XLATE(pml4, va + 0x5000, pa + 0x5000, PTE_P | PTE_G | PTE_W | PTE_NX, FLAG_BITS);
    CHECK_XLATE(pml4, va + 0x8ff8, pa + 0x8ff8, PTE_P | PTE_G | PTE_W | PTE_NX, FLAG_BITS);
    CHECK_UNMAPPED(pml4, va + 0x9000);
    CHECK_UNMAPPED(pml4, va - 0x1000);
    CHECK_UNMAPPED(pml4, 0);
    CHECK_UNMAPPED(pml4, 0x00007fff80000000ull); /* PML4 slot 255, PDPT slot 510 */
}

TEST(high_physical_address)
{
    uint64_t pml4 = setup(ARENA_PAGES);
    CHECK_EQ(pt_map(&ops, pml4, 0x40000000, 0xfffffff000000ull, 0x2000, PTE_PCD | PTE_W,
                    PT_LEAF_1G), PT_OK); /* too small for a big leaf: 4K leaves */
    CHECK_XLATE(pml4, 0x40001234, 0xfffffff001234ull, PTE_P | PTE_W | PTE_PCD, FLAG_BITS);
    CHECK_UNMAPPED(pml4, 0x40002000);
}

TEST(misaligned)
{
    uint64_t pml4 = setup(ARENA_PAGES);
    CHECK_EQ(pt_map(&ops, pml4, 0x1001, 0x1000, 0x1000, 0, PT_LEAF_4K), PT_ERR_ALIGN);
    CHECK_EQ(pt_map(&ops, pml4, 0x1000, 0x1800, 0x1000, 0, PT_LEAF_4K), PT_ERR_ALIGN);
    CHECK_EQ(pt_map(&ops, pml4, 0x1000, 0x1000, 0x1234, 0, PT_LEAF_4K), PT_ERR_ALIGN);
    CHECK_EQ(pt_map(&ops, pml4, 0x1000, 0x1000, 0xfff, 0, PT_LEAF_1G), PT_ERR_ALIGN);
    CHECK_EQ(ar.used, 1); /* nothing allocated, nothing mapped */
    CHECK_UNMAPPED(pml4, 0x1000);
    /* zero size is trivially fine */
    CHECK_EQ(pt_map(&ops, pml4, 0x1000, 0x1000, 0, 0, PT_LEAF_4K), PT_OK);
    CHECK_EQ(ar.used, 1);
}

TEST(overlap)
{
    uint64_t pml4 = setup(ARENA_PAGES);
    CHECK_EQ(pt_map(&ops, pml4, 0x1000, 0x1000, 0x1000, 0, PT_LEAF_4K), PT_OK);
    /* the same page again, even to the same place */
    CHECK_EQ(pt_map(&ops, pml4, 0x1000, 0x1000, 0x1000, 0, PT_LEAF_4K), PT_ERR_OVERLAP);
    /* a range whose second page collides */
    CHECK_EQ(pt_map(&ops, pml4, 0x0, 0x5000, 0x2000, 0, PT_LEAF_4K), PT_ERR_OVERLAP);
    /* a 2 MiB leaf over the page table holding it */
    CHECK_EQ(pt_map(&ops, pml4, 0, 0, 2ull << 20, 0, PT_LEAF_2M), PT_ERR_OVERLAP);
    CHECK_XLATE(pml4, 0x1000, 0x1000, PTE_P, FLAG_BITS); /* unchanged */

    /* a 4 KiB page inside an existing 2 MiB leaf */
    CHECK_EQ(pt_map(&ops, pml4, 2ull << 20, 2ull << 20, 2ull << 20, 0, PT_LEAF_2M), PT_OK);
    CHECK_EQ(pt_map(&ops, pml4, 0x300000, 0x300000, 0x1000, 0, PT_LEAF_4K), PT_ERR_OVERLAP);
    /* and inside an existing 1 GiB leaf */
    CHECK_EQ(pt_map(&ops, pml4, 1ull << 30, 1ull << 30, 1ull << 30, 0, PT_LEAF_1G), PT_OK);
    CHECK_EQ(pt_map(&ops, pml4, 0x40201000, 0, 0x1000, 0, PT_LEAF_4K), PT_ERR_OVERLAP);
    CHECK_EQ(pt_map(&ops, pml4, 0x40200000, 0, 2ull << 20, 0, PT_LEAF_2M), PT_ERR_OVERLAP);
    CHECK_XLATE(pml4, 0x40201000, 0x40201000, PTE_P | PTE_PS, FLAG_BITS);
}

TEST(out_of_memory)
{
    /* PML4 + PDPT only: a 4 KiB map needs a PD and a PT too */
    uint64_t pml4 = setup(2);
    CHECK_EQ(pt_map(&ops, pml4, 0x1000, 0x1000, 0x1000, 0, PT_LEAF_4K), PT_ERR_NOMEM);
    CHECK_UNMAPPED(pml4, 0x1000);
    /* a 1 GiB leaf needs no more than that */
    CHECK_EQ(pt_map(&ops, pml4, 1ull << 30, 1ull << 30, 1ull << 30, 0, PT_LEAF_1G), PT_OK);

    /* nothing at all beyond the PML4 */
    pml4 = setup(1);
    CHECK_EQ(pt_map(&ops, pml4, 0, 0, 1ull << 30, 0, PT_LEAF_1G), PT_ERR_NOMEM);
    CHECK_EQ(tbl(pml4)[0], 0); /* no half-made entry left behind */

    /* running out part-way: the pages mapped before the failure stay mapped */
    pml4 = setup(4); /* PML4, PDPT, PD, one PT */
    CHECK_EQ(pt_map(&ops, pml4, 0x1ff000, 0x1ff000, 0x2000, 0, PT_LEAF_4K), PT_ERR_NOMEM);
    CHECK_XLATE(pml4, 0x1ff000, 0x1ff000, PTE_P, FLAG_BITS);
    CHECK_UNMAPPED(pml4, 0x200000);
}

UNIT_MAIN(T(identity_4g_1g_leaves), T(identity_4g_2m_leaves), T(mixed_leaves_on_unaligned_range),
          T(higher_half_image_4k), T(high_physical_address), T(misaligned), T(overlap),
          T(out_of_memory))
