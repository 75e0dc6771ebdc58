// SOURCES: kernel/mem/pmm.c
/* Range sets and the top-down page allocator (kernel/mem/pmm.c). */
#include "tests/unit/unit.h"

#include <stdint.h>
#include <string.h>

#include "kernel/mem/pmm.h"

/* The set must hold exactly the n ranges in `want` (base, end, base, end ...). */
static void check_set_(const struct rangeset *s, const uint64_t *want, size_t n, int line)
{
    bool same = s->n == n;
    for (size_t i = 0; same && i < n; i++)
        same = s->r[i].base == want[2 * i] && s->r[i].end == want[2 * i + 1];
    if (same)
        return;
    printf("    %s:%d: set differs; have:", __FILE__, line);
    for (size_t i = 0; i < s->n; i++)
        printf(" [%#llx,%#llx)", (unsigned long long)s->r[i].base, (unsigned long long)s->r[i].end);
    printf("; want:");
    for (size_t i = 0; i < n; i++)
        printf(" [%#llx,%#llx)", (unsigned long long)want[2 * i], (unsigned long long)want[2 * i + 1]);
    printf("\n");
    unit_current_failed = 1;
}
#define CHECK_SET(s, ...)                                                     \
    do {                                                                      \
        static const uint64_t want_[] = { __VA_ARGS__ };                      \
        check_set_((s), want_, sizeof want_ / sizeof want_[0] / 2, __LINE__); \
    } while (0)
#define CHECK_EMPTY(s) CHECK_EQ((s)->n, 0)

static struct rangeset rs;

/* ---- rangeset ------------------------------------------------------------ */

TEST(add_disjoint_out_of_order)
{
    rs.n = 0;
    CHECK_EQ(rangeset_add(&rs, 0x5000, 0x6000), 0);
    CHECK_EQ(rangeset_add(&rs, 0x1000, 0x2000), 0);
    CHECK_EQ(rangeset_add(&rs, 0x9000, 0xa000), 0);
    CHECK_EQ(rangeset_add(&rs, 0x3000, 0x4000), 0);
    CHECK_SET(&rs, 0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000, 0x9000, 0xa000);
    CHECK_EQ(rangeset_bytes(&rs), 0x4000);
}

TEST(add_merges)
{
    rs.n = 0;
    rangeset_add(&rs, 0x1000, 0x2000);
    rangeset_add(&rs, 0x3000, 0x4000);
    rangeset_add(&rs, 0x2000, 0x3000); /* touches both: one range */
    CHECK_SET(&rs, 0x1000, 0x4000);
    rangeset_add(&rs, 0x4000, 0x5000); /* adjacent above */
    CHECK_SET(&rs, 0x1000, 0x5000);
    rangeset_add(&rs, 0x800, 0x1000);  /* adjacent below */
    CHECK_SET(&rs, 0x800, 0x5000);
    rangeset_add(&rs, 0x400, 0x900);   /* overlapping the start */
    CHECK_SET(&rs, 0x400, 0x5000);
    rangeset_add(&rs, 0x4fff, 0x6000); /* overlapping the end */
    CHECK_SET(&rs, 0x400, 0x6000);
    rangeset_add(&rs, 0x1000, 0x2000); /* contained: no change */
    CHECK_SET(&rs, 0x400, 0x6000);
    rangeset_add(&rs, 0x7000, 0x7000); /* empty */
    rangeset_add(&rs, 0x9000, 0x8000); /* backwards */
    CHECK_SET(&rs, 0x400, 0x6000);
}

TEST(add_swallows_several)
{
    rs.n = 0;
    rangeset_add(&rs, 0x1000, 0x2000);
    rangeset_add(&rs, 0x3000, 0x4000);
    rangeset_add(&rs, 0x5000, 0x6000);
    rangeset_add(&rs, 0x8000, 0x9000);
    rangeset_add(&rs, 0x1800, 0x5800); /* covers the middle two, ends inside the third */
    CHECK_SET(&rs, 0x1000, 0x6000, 0x8000, 0x9000);
    rangeset_add(&rs, 0, 0x10000);
    CHECK_SET(&rs, 0, 0x10000);
    /* a bridge that ends exactly where the next range begins */
    rs.n = 0;
    rangeset_add(&rs, 0x1000, 0x2000);
    rangeset_add(&rs, 0x3000, 0x4000);
    rangeset_add(&rs, 0x5000, 0x6000);
    rangeset_add(&rs, 0x2000, 0x5000);
    CHECK_SET(&rs, 0x1000, 0x6000);
}

TEST(remove)
{
    rs.n = 0;
    rangeset_add(&rs, 0x1000, 0x9000);
    CHECK_EQ(rangeset_remove(&rs, 0x4000, 0x5000), 0); /* split */
    CHECK_SET(&rs, 0x1000, 0x4000, 0x5000, 0x9000);
    CHECK_EQ(rangeset_remove(&rs, 0x0, 0x2000), 0);    /* trim the front */
    CHECK_SET(&rs, 0x2000, 0x4000, 0x5000, 0x9000);
    CHECK_EQ(rangeset_remove(&rs, 0x8000, 0xa000), 0); /* trim the back */
    CHECK_SET(&rs, 0x2000, 0x4000, 0x5000, 0x8000);
    CHECK_EQ(rangeset_remove(&rs, 0x2000, 0x4000), 0); /* exact */
    CHECK_SET(&rs, 0x5000, 0x8000);
    CHECK_EQ(rangeset_remove(&rs, 0x1000, 0x5000), 0); /* touching only: no change */
    CHECK_EQ(rangeset_remove(&rs, 0x8000, 0x9000), 0);
    CHECK_EQ(rangeset_remove(&rs, 0x6000, 0x6000), 0); /* empty */
    CHECK_SET(&rs, 0x5000, 0x8000);
    CHECK_EQ(rangeset_remove(&rs, 0, UINT64_MAX), 0);
    CHECK_EMPTY(&rs);
    CHECK_EQ(rangeset_remove(&rs, 0, 0x1000), 0);      /* from an empty set */
    CHECK_EMPTY(&rs);
}

TEST(remove_across_several)
{
    rs.n = 0;
    rangeset_add(&rs, 0x1000, 0x2000);
    rangeset_add(&rs, 0x3000, 0x4000);
    rangeset_add(&rs, 0x5000, 0x6000);
    rangeset_add(&rs, 0x7000, 0x8000);
    CHECK_EQ(rangeset_remove(&rs, 0x1800, 0x5800), 0);
    CHECK_SET(&rs, 0x1000, 0x1800, 0x5800, 0x6000, 0x7000, 0x8000);
    CHECK_EQ(rangeset_remove(&rs, 0x1000, 0x7000), 0); /* whole ranges, several */
    CHECK_SET(&rs, 0x7000, 0x8000);
    CHECK_EQ(rangeset_bytes(&rs), 0x1000);
}

TEST(overlaps_and_contains)
{
    rs.n = 0;
    rangeset_add(&rs, 0x1000, 0x3000);
    rangeset_add(&rs, 0x5000, 0x6000);
    CHECK(rangeset_overlaps(&rs, 0x2fff, 0x3000));
    CHECK(rangeset_overlaps(&rs, 0x0, 0x1001));
    CHECK(rangeset_overlaps(&rs, 0x0, 0x10000));
    CHECK(rangeset_overlaps(&rs, 0x4000, 0x5001));
    CHECK(!rangeset_overlaps(&rs, 0x0, 0x1000));    /* adjacent below */
    CHECK(!rangeset_overlaps(&rs, 0x3000, 0x5000)); /* the gap exactly */
    CHECK(!rangeset_overlaps(&rs, 0x6000, 0x7000));
    CHECK(!rangeset_overlaps(&rs, 0x2000, 0x2000)); /* empty range */

    CHECK(rangeset_contains(&rs, 0x1000, 0x3000));
    CHECK(rangeset_contains(&rs, 0x1800, 0x2000));
    CHECK(rangeset_contains(&rs, 0x5000, 0x6000));
    CHECK(!rangeset_contains(&rs, 0x0fff, 0x2000));
    CHECK(!rangeset_contains(&rs, 0x2000, 0x3001));
    CHECK(!rangeset_contains(&rs, 0x2000, 0x5800)); /* spans the gap */
    CHECK(!rangeset_contains(&rs, 0x4000, 0x4800));

    rs.n = 0;
    CHECK(!rangeset_overlaps(&rs, 0, UINT64_MAX));
    CHECK(!rangeset_contains(&rs, 0x1000, 0x2000));
    CHECK_EQ(rangeset_bytes(&rs), 0);
}

TEST(full_set)
{
    rs.n = 0;
    for (uint64_t i = 0; i < RANGESET_MAX; i++)
        REQUIRE(rangeset_add(&rs, i * 0x2000, i * 0x2000 + 0x1000) == 0);
    CHECK_EQ(rs.n, RANGESET_MAX);
    struct rangeset before = rs;

    /* a new disjoint range does not fit, and nothing changes */
    CHECK_EQ(rangeset_add(&rs, 0x10000000, 0x10001000), -1);
    CHECK(memcmp(&rs, &before, sizeof rs) == 0);
    /* neither does a split */
    CHECK_EQ(rangeset_remove(&rs, 0x400, 0x800), -1);
    CHECK(memcmp(&rs, &before, sizeof rs) == 0);

    /* merging, trimming and deleting still work when full */
    CHECK_EQ(rangeset_add(&rs, 0x1000, 0x2000), 0); /* joins the first two */
    CHECK_EQ(rs.n, RANGESET_MAX - 1);
    CHECK_EQ(rs.r[0].base, 0);
    CHECK_EQ(rs.r[0].end, 0x3000);
    CHECK_EQ(rangeset_add(&rs, 0x10000000, 0x10001000), 0); /* room again */
    CHECK_EQ(rs.n, RANGESET_MAX);
    CHECK_EQ(rangeset_remove(&rs, 0x2800, 0x3000), 0);   /* trim */
    CHECK_EQ(rangeset_remove(&rs, 0x4000, 0x5000), 0);   /* delete */
    CHECK_EQ(rs.n, RANGESET_MAX - 1);
}

/* ---- pmm ------------------------------------------------------------------ */

static struct pmm pm;

static void check_free_pages_consistent(int line)
{
    if (pm.free_pages != rangeset_bytes(&pm.free) / PAGE_SIZE) {
        printf("    %s:%d: free_pages %llu, free set holds %llu pages\n", __FILE__, line,
               (unsigned long long)pm.free_pages,
               (unsigned long long)(rangeset_bytes(&pm.free) / PAGE_SIZE));
        unit_current_failed = 1;
    }
}
#define CHECK_COUNT() check_free_pages_consistent(__LINE__)

TEST(usable_unaligned_edges)
{
    pmm_init(&pm);
    CHECK_EQ(pmm_add_usable(&pm, 0x1234, 0x9fc00), 0);
    CHECK_SET(&pm.free, 0x2000, 0x9f000);
    CHECK_EQ(pm.free_pages, 0x9d);
    CHECK_EQ(pmm_add_usable(&pm, 0x100000, 0x7fe0000), 0);
    CHECK_SET(&pm.free, 0x2000, 0x9f000, 0x100000, 0x7fe0000);
    CHECK_EQ(pm.free_pages, 0x9d + 0x7ee0);
    /* less than a whole page inside: nothing */
    CHECK_EQ(pmm_add_usable(&pm, 0xa0001, 0xa1fff), 0);
    CHECK_EQ(pmm_add_usable(&pm, 0xb0000, 0xb0fff), 0);
    CHECK_EQ(pm.free.n, 2);
    CHECK_EMPTY(&pm.owned);
    CHECK_COUNT();
}

TEST(usable_near_top_of_address_space)
{
    /* base rounded up past 2^64 must not wrap to 0 and make all memory usable */
    pmm_init(&pm);
    CHECK_EQ(pmm_add_usable(&pm, 0xfffffffffffff001ULL, 0xfffffffffffff101ULL), 0);
    CHECK_EMPTY(&pm.free);
    CHECK_EQ(pm.free_pages, 0);
    CHECK_EQ(pmm_add_usable(&pm, 0xffffffffffffe000ULL, UINT64_MAX), 0);
    CHECK_SET(&pm.free, 0xffffffffffffe000ULL, 0xfffffffffffff000ULL);
    CHECK_EQ(pm.free_pages, 1);
}

TEST(reserve)
{
    pmm_init(&pm);
    pmm_add_usable(&pm, 0x1000, 0x10000);
    CHECK_EQ(pmm_reserve(&pm, 0x5800, 0x6001), 0); /* grown outwards to [0x5000, 0x7000) */
    CHECK_SET(&pm.free, 0x1000, 0x5000, 0x7000, 0x10000);
    CHECK_EQ(pm.free_pages, 4 + 9);
    CHECK_EQ(pmm_reserve(&pm, 0, 0x1000), 0);      /* outside: no change */
    CHECK_EQ(pmm_reserve(&pm, 0xf000, 0xf000), 0); /* empty: no change */
    CHECK_SET(&pm.free, 0x1000, 0x5000, 0x7000, 0x10000);
    CHECK_EMPTY(&pm.owned); /* reserving is not owning */
    CHECK_COUNT();
    /* "everything above" must not wrap to an empty range */
    CHECK_EQ(pmm_reserve(&pm, 0x8000, UINT64_MAX), 0);
    CHECK_SET(&pm.free, 0x1000, 0x5000, 0x7000, 0x8000);
    CHECK_COUNT();
}

TEST(claim)
{
    pmm_init(&pm);
    pmm_add_usable(&pm, 0x100000, 0x8000000);
    CHECK_EQ(pmm_claim(&pm, 0x200000, 0x2345678), 0);
    CHECK_SET(&pm.free, 0x100000, 0x200000, 0x2346000, 0x8000000);
    CHECK_SET(&pm.owned, 0x200000, 0x2346000);
    CHECK_COUNT();
    /* claiming memory outside usable RAM still records it as owned */
    CHECK_EQ(pmm_claim(&pm, 0x9000000, 0x9000001), 0);
    CHECK_SET(&pm.owned, 0x200000, 0x2346000, 0x9000000, 0x9001000);
}

TEST(alloc_top_down)
{
    pmm_init(&pm);
    pmm_add_usable(&pm, 0x1000, 0xa0000);
    pmm_add_usable(&pm, 0x100000, 0x8000000);
    uint64_t total = pm.free_pages;

    CHECK_EQ(pmm_alloc(&pm, 1, 1ull << 32), 0x7fff000);
    CHECK_EQ(pmm_alloc(&pm, 1, 1ull << 32), 0x7ffe000);
    CHECK_EQ(pmm_alloc(&pm, 16, 1ull << 32), 0x7fee000);
    CHECK_EQ(pm.free_pages, total - 18);
    CHECK_SET(&pm.owned, 0x7fee000, 0x8000000); /* adjacent allocations merge */
    CHECK_SET(&pm.free, 0x1000, 0xa0000, 0x100000, 0x7fee000);
    CHECK_COUNT();

    /* below a limit inside the high range */
    CHECK_EQ(pmm_alloc(&pm, 2, 0x200000), 0x1fe000);
    /* a limit under the high range falls through to the low range's top */
    CHECK_EQ(pmm_alloc(&pm, 4, 0x100000), 0x9c000);
    CHECK_EQ(pmm_alloc(&pm, 1, 0x3000), 0x2000);
    CHECK_EQ(pm.free_pages, total - 18 - 2 - 4 - 1);
    CHECK_COUNT();
    CHECK(rangeset_contains(&pm.owned, 0x1fe000, 0x200000));
    CHECK(rangeset_contains(&pm.owned, 0x9c000, 0xa0000));
    CHECK(!rangeset_overlaps(&pm.free, 0x9c000, 0xa0000));
}

TEST(alloc_unaligned_limit)
{
    pmm_init(&pm);
    pmm_add_usable(&pm, 0x100000, 0x200000);
    uint64_t pa = pmm_alloc(&pm, 1, 0x180800); /* page must end at or below the limit */
    CHECK_EQ(pa, 0x17f000);
    CHECK_EQ(pa & ~PAGE_MASK, 0);
    CHECK_SET(&pm.free, 0x100000, 0x17f000, 0x180000, 0x200000);
    CHECK_COUNT();
}

TEST(alloc_skips_small_ranges)
{
    pmm_init(&pm);
    pmm_add_usable(&pm, 0x1000, 0x4000);   /* 3 pages */
    pmm_add_usable(&pm, 0x10000, 0x12000); /* 2 pages */
    pmm_add_usable(&pm, 0x20000, 0x21000); /* 1 page */
    CHECK_EQ(pmm_alloc(&pm, 3, UINT64_MAX), 0x1000);
    CHECK_EQ(pmm_alloc(&pm, 2, UINT64_MAX), 0x10000);
    CHECK_EQ(pmm_alloc(&pm, 2, UINT64_MAX), 0); /* only one page left anywhere */
    CHECK_EQ(pm.free_pages, 1);
    CHECK_EQ(pmm_alloc(&pm, 1, UINT64_MAX), 0x20000);
    CHECK_EQ(pm.free_pages, 0);
    CHECK_EMPTY(&pm.free);
    CHECK_EQ(pmm_alloc(&pm, 1, UINT64_MAX), 0);
    CHECK_COUNT();
}

TEST(alloc_never_page_zero)
{
    pmm_init(&pm);
    pmm_add_usable(&pm, 0, 0x2000);
    CHECK_EQ(pmm_alloc(&pm, 2, 1ull << 32), 0); /* would start at 0 */
    CHECK_EQ(pm.free_pages, 2);
    CHECK_EQ(pmm_alloc(&pm, 1, 1ull << 32), 0x1000);
    CHECK_EQ(pmm_alloc(&pm, 1, 1ull << 32), 0); /* only page 0 is left */
    CHECK_SET(&pm.free, 0, 0x1000);
    CHECK_SET(&pm.owned, 0x1000, 0x2000);
    CHECK_EQ(pm.free_pages, 1);
}

TEST(alloc_failures)
{
    pmm_init(&pm);
    CHECK_EQ(pmm_alloc(&pm, 1, UINT64_MAX), 0); /* nothing usable */
    pmm_add_usable(&pm, 0x100000, 0x200000);
    CHECK_EQ(pmm_alloc(&pm, 0, UINT64_MAX), 0);     /* zero pages */
    CHECK_EQ(pmm_alloc(&pm, 257, UINT64_MAX), 0);   /* more than there is */
    CHECK_EQ(pmm_alloc(&pm, 1, 0x100000), 0);       /* limit below all RAM */
    CHECK_EQ(pmm_alloc(&pm, 1, 0x100fff), 0);       /* limit inside the first page */
    CHECK_EQ(pmm_alloc(&pm, (size_t)1 << 52, UINT64_MAX), 0); /* pages * 4 KiB wraps to 0 */
    CHECK_EQ(pmm_alloc(&pm, SIZE_MAX, UINT64_MAX), 0);
    CHECK_EQ(pm.free_pages, 256);
    CHECK_SET(&pm.free, 0x100000, 0x200000);
    CHECK_EMPTY(&pm.owned);
    /* all 256 pages at once is fine */
    CHECK_EQ(pmm_alloc(&pm, 256, UINT64_MAX), 0x100000);
    CHECK_EQ(pm.free_pages, 0);
}

TEST(free_returns_pages)
{
    pmm_init(&pm);
    pmm_add_usable(&pm, 0x100000, 0x200000);
    pmm_claim(&pm, 0x1f0000, 0x200000);
    CHECK_EQ(pm.free_pages, 0xf0);

    uint64_t a = pmm_alloc(&pm, 4, UINT64_MAX);
    uint64_t b = pmm_alloc(&pm, 1, UINT64_MAX);
    CHECK_EQ(a, 0x1ec000);
    CHECK_EQ(b, 0x1eb000);
    CHECK_EQ(pm.free_pages, 0xf0 - 5);
    CHECK_SET(&pm.owned, 0x1eb000, 0x200000);

    pmm_free(&pm, a, 4);
    CHECK_EQ(pm.free_pages, 0xf0 - 1);
    CHECK_SET(&pm.owned, 0x1eb000, 0x1ec000, 0x1f0000, 0x200000);
    CHECK_SET(&pm.free, 0x100000, 0x1eb000, 0x1ec000, 0x1f0000);
    CHECK_COUNT();

    /* the freed pages are handed out again first */
    CHECK_EQ(pmm_alloc(&pm, 2, UINT64_MAX), 0x1ee000);
    pmm_free(&pm, 0x1ee000, 2);
    pmm_free(&pm, b, 1);
    CHECK_SET(&pm.free, 0x100000, 0x1f0000);
    CHECK_SET(&pm.owned, 0x1f0000, 0x200000); /* only the claimed image is left */
    CHECK_EQ(pm.free_pages, 0xf0);
    CHECK_COUNT();
}

TEST(bookkeeping_sweep)
{
    /* many allocations and frees: free_pages always matches the free set,
     * and free and owned never overlap */
    static uint64_t got[64];
    pmm_init(&pm);
    pmm_add_usable(&pm, 0x1000, 0x9f000);
    pmm_add_usable(&pm, 0x100000, 0x400000);
    pmm_claim(&pm, 0x200000, 0x280000);
    uint64_t start = pm.free_pages;
    uint64_t taken = 0;
    for (size_t i = 0; i < 64; i++) {
        size_t pages = 1 + i % 7;
        got[i] = pmm_alloc(&pm, pages, i % 2 ? 1ull << 32 : 0x200000);
        REQUIRE(got[i] != 0);
        CHECK_EQ(got[i] & ~PAGE_MASK, 0);
        CHECK(rangeset_contains(&pm.owned, got[i], got[i] + pages * PAGE_SIZE));
        CHECK(!rangeset_overlaps(&pm.free, got[i], got[i] + pages * PAGE_SIZE));
        CHECK(got[i] + pages * PAGE_SIZE <= (i % 2 ? 1ull << 32 : 0x200000));
        taken += pages;
        CHECK_EQ(pm.free_pages, start - taken);
        CHECK_COUNT();
    }
    for (size_t i = 0; i < 64; i += 2) {
        pmm_free(&pm, got[i], 1 + i % 7);
        taken -= 1 + i % 7;
        CHECK_EQ(pm.free_pages, start - taken);
    }
    for (size_t i = 1; i < 64; i += 2)
        pmm_free(&pm, got[i], 1 + i % 7);
    CHECK_EQ(pm.free_pages, start);
    CHECK_SET(&pm.free, 0x1000, 0x9f000, 0x100000, 0x200000, 0x280000, 0x400000);
    CHECK_SET(&pm.owned, 0x200000, 0x280000);
    CHECK_COUNT();
}

/* The owner names (the owned map): merged when adjacent and equal, replaced, split, removed. */
static bool tag_is(const struct pmm *p, size_t i, uint64_t base, uint64_t end, const char *what)
{
    return i < p->ntags && p->tags[i].r.base == base && p->tags[i].r.end == end && !strcmp(p->tags[i].what, what);
}

TEST(owner_tags)
{
    static struct pmm pm;
    pmm_init(&pm);
    CHECK_EQ(pmm_tag(&pm, 0x5000, 0x6000, "VMCS"), 0);
    CHECK_EQ(pmm_tag(&pm, 0x3000, 0x5000, "EPT"), 0);
    char ept[] = "EPT";                             /* equal names, different pointers */
    CHECK_EQ(pmm_tag(&pm, 0x2000, 0x3000, ept), 0);
    CHECK_EQ(pm.ntags, 2);
    CHECK(tag_is(&pm, 0, 0x2000, 0x5000, "EPT"));
    CHECK(tag_is(&pm, 1, 0x5000, 0x6000, "VMCS"));
    CHECK_EQ(pmm_tag(&pm, 0x3800, 0x3900, "stack"), 0);   /* grown to the page, splits EPT */
    CHECK_EQ(pm.ntags, 4);
    CHECK(tag_is(&pm, 0, 0x2000, 0x3000, "EPT"));
    CHECK(tag_is(&pm, 1, 0x3000, 0x4000, "stack"));
    CHECK(tag_is(&pm, 2, 0x4000, 0x5000, "EPT"));
    CHECK_EQ(pmm_tag(&pm, 0x3000, 0x4000, "EPT"), 0);     /* back: one range again */
    CHECK_EQ(pm.ntags, 2);
    CHECK(tag_is(&pm, 0, 0x2000, 0x5000, "EPT"));
    CHECK_EQ(pmm_tag(&pm, 0x4000, 0x6000, "VMCS"), 0);    /* overlaps both */
    CHECK(tag_is(&pm, 0, 0x2000, 0x4000, "EPT"));
    CHECK(tag_is(&pm, 1, 0x4000, 0x6000, "VMCS"));
    pmm_free(&pm, 0x3000, 2);                              /* freeing drops the names */
    CHECK_EQ(pm.ntags, 2);
    CHECK(tag_is(&pm, 0, 0x2000, 0x3000, "EPT"));
    CHECK(tag_is(&pm, 1, 0x5000, 0x6000, "VMCS"));
    /* A full table refuses a new name and keeps the old ones. */
    pmm_init(&pm);
    for (unsigned i = 0; i < PMM_TAGS_MAX; i++)
        CHECK_EQ(pmm_tag(&pm, 0x10000 + 0x2000ull * i, 0x11000 + 0x2000ull * i, i % 2 ? "a" : "b"), 0);
    CHECK_EQ(pmm_tag(&pm, 0x1000, 0x2000, "c"), -1);
    CHECK_EQ(pmm_tag(&pm, 0x10800, 0x10900, "c"), 0);     /* replacing a whole range needs no slot */
    CHECK(tag_is(&pm, 0, 0x10000, 0x11000, "c"));
    CHECK_EQ(pmm_tag(&pm, 0x11000, 0x12000, "c"), 0);     /* nor does a merge */
    CHECK(tag_is(&pm, 0, 0x10000, 0x12000, "c"));
    CHECK_EQ(pm.ntags, PMM_TAGS_MAX);
    CHECK_EQ(pmm_tag(&pm, 0x10000, 0x11000, "d"), -1);    /* a new range does: left unnamed */
    CHECK(tag_is(&pm, 0, 0x11000, 0x12000, "c"));
    CHECK_EQ(pmm_tag(&pm, 0x14800, 0x14900, "d"), 0);     /* another whole range replaced */
    CHECK_EQ(pmm_tag(&pm, 0x200000, 0x204000, "d"), -1);
}

UNIT_MAIN(T(add_disjoint_out_of_order), T(add_merges), T(add_swallows_several), T(remove),
          T(remove_across_several), T(overlaps_and_contains), T(full_set),
          T(usable_unaligned_edges), T(usable_near_top_of_address_space), T(reserve), T(claim),
          T(alloc_top_down), T(alloc_unaligned_limit), T(alloc_skips_small_ranges),
          T(alloc_never_page_zero), T(alloc_failures), T(free_returns_pages),
          T(bookkeeping_sweep), T(owner_tags))
