// SOURCES: kernel/mem/memmap.c kernel/mem/pmm.c
/* The guest's e820 map from the firmware map, Skiff's pages and guest_mem (kernel/mem/memmap.c). */
#include "tests/unit/unit.h"

#include <stdint.h>
#include <stdlib.h>

#include "kernel/mem/memmap.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define RAM  MB2_MEM_AVAILABLE
#define RES  MB2_MEM_RESERVED
#define ACPI MB2_MEM_ACPI_RECLAIMABLE
#define NVS  MB2_MEM_NVS
#define BAD  MB2_MEM_BADRAM
#define MiB  (1ull << 20)
#define GiB  (1ull << 30)

static struct guest_memmap map;
static struct rangeset withheld;

static void print_map(const struct guest_memmap *m)
{
    for (size_t i = 0; i < m->n; i++)
        printf("      [%#llx +%#llx) %u\n", (unsigned long long)m->e[i].base,
               (unsigned long long)m->e[i].len, m->e[i].type);
}

static void print_set(const struct rangeset *s)
{
    for (size_t i = 0; i < s->n; i++)
        printf(" [%#llx,%#llx)", (unsigned long long)s->r[i].base, (unsigned long long)s->r[i].end);
    printf("\n");
}

/* The map must hold exactly the entries in `want` (base, len, e820 type, ...). */
static void check_map_(const struct guest_memmap *m, const uint64_t *want, size_t n, int line)
{
    bool same = m->n == n;
    for (size_t i = 0; same && i < n; i++)
        same = m->e[i].base == want[3 * i] && m->e[i].len == want[3 * i + 1] &&
               m->e[i].type == want[3 * i + 2];
    if (same)
        return;
    printf("    %s:%d: map differs; have:\n", __FILE__, line);
    print_map(m);
    printf("    want:\n");
    for (size_t i = 0; i < n; i++)
        printf("      [%#llx +%#llx) %u\n", (unsigned long long)want[3 * i],
               (unsigned long long)want[3 * i + 1], (unsigned)want[3 * i + 2]);
    unit_current_failed = 1;
}
#define CHECK_MAP(m, ...)                                                     \
    do {                                                                      \
        static const uint64_t want_[] = { __VA_ARGS__ };                      \
        check_map_((m), want_, NELEM(want_) / 3, __LINE__);                   \
    } while (0)

/* The set must hold exactly the ranges in `want` (base, end, ...). */
static void check_set_(const struct rangeset *s, const uint64_t *want, size_t n, int line)
{
    bool same = s->n == n;
    for (size_t i = 0; same && i < n; i++)
        same = s->r[i].base == want[2 * i] && s->r[i].end == want[2 * i + 1];
    if (same)
        return;
    printf("    %s:%d: set differs; have:", __FILE__, line);
    print_set(s);
    printf("    want:");
    for (size_t i = 0; i < n; i++)
        printf(" [%#llx,%#llx)", (unsigned long long)want[2 * i], (unsigned long long)want[2 * i + 1]);
    printf("\n");
    unit_current_failed = 1;
}
#define CHECK_SET(s, ...)                                                     \
    do {                                                                      \
        static const uint64_t want_[] = { __VA_ARGS__ };                      \
        check_set_((s), want_, NELEM(want_) / 2, __LINE__);                   \
    } while (0)
#define CHECK_SET_EMPTY(s) check_set_((s), NULL, 0, __LINE__)

static struct rangeset make_set(const uint64_t *r, size_t n)
{
    struct rangeset s = { 0 };
    for (size_t i = 0; i < n; i++)
        REQUIRE(rangeset_add(&s, r[2 * i], r[2 * i + 1]) == 0);
    return s;
}
#define SET(...) make_set((const uint64_t[]){ __VA_ARGS__ }, NELEM(((const uint64_t[]){ __VA_ARGS__ })) / 2)

static bool set_equal(const struct rangeset *a, const struct rangeset *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (a->r[i].base != b->r[i].base || a->r[i].end != b->r[i].end)
            return false;
    return true;
}

/* a - b */
static struct rangeset set_minus(const struct rangeset *a, const struct rangeset *b)
{
    struct rangeset s = *a;
    for (size_t i = 0; i < b->n; i++)
        REQUIRE(rangeset_remove(&s, b->r[i].base, b->r[i].end) == 0);
    return s;
}

/* a ∩ b = a - (a - b) */
static struct rangeset set_and(const struct rangeset *a, const struct rangeset *b)
{
    struct rangeset d = set_minus(a, b);
    return set_minus(a, &d);
}

/*
 * Properties every result must have, checked independently of the exact
 * entries.  Valid for maps whose RAM entries overlap no other entry.
 */
static void check_invariants_(const struct mb2_mmap_entry *fw, size_t nfw, const struct rangeset *owned,
                              uint64_t guest_mem, int line)
{
    bool ok = true;
#define INV(c)                                                                \
    do {                                                                      \
        if (!(c)) {                                                           \
            printf("    %s:%d: invariant %s failed\n", __FILE__, line, #c);   \
            ok = false;                                                       \
        }                                                                     \
    } while (0)

    /* Sorted, non-overlapping, non-empty, adjacent same-type entries merged. */
    for (size_t i = 0; i < map.n; i++) {
        INV(map.e[i].len > 0);
        if (i) {
            uint64_t prev_end = map.e[i - 1].base + map.e[i - 1].len;
            INV(prev_end <= map.e[i].base);
            INV(!(prev_end == map.e[i].base && map.e[i - 1].type == map.e[i].type));
        }
    }

    /* Whole-page RAM of the firmware map, the guest's RAM, and all the space covered. */
    struct rangeset fw_pages = { 0 }, fw_all = { 0 }, guest_ram = { 0 }, covered = { 0 };
    for (size_t i = 0; i < nfw; i++) {
        uint64_t end = fw[i].base + fw[i].len < fw[i].base ? UINT64_MAX : fw[i].base + fw[i].len;
        REQUIRE(rangeset_add(&fw_all, fw[i].base, end) == 0);
        if (fw[i].type == RAM)
            REQUIRE(rangeset_add(&fw_pages, (fw[i].base + PAGE_SIZE - 1) & PAGE_MASK, end & PAGE_MASK) == 0);
    }
    for (size_t i = 0; i < map.n; i++) {
        REQUIRE(rangeset_add(&covered, map.e[i].base, map.e[i].base + map.e[i].len) == 0);
        if (map.e[i].type == E820_RAM) {
            INV(!(map.e[i].base & 0xfff) && !(map.e[i].len & 0xfff));
            INV(!rangeset_overlaps(owned, map.e[i].base, map.e[i].base + map.e[i].len));
            INV(rangeset_contains(&fw_pages, map.e[i].base, map.e[i].base + map.e[i].len));
            REQUIRE(rangeset_add(&guest_ram, map.e[i].base, map.e[i].base + map.e[i].len) == 0);
        }
    }
    /* The output covers exactly what the firmware map covers. */
    INV(set_equal(&covered, &fw_all));

    /* withheld = (owned ∩ RAM) ∪ cut RAM = RAM - guest RAM, and holds all of owned ∩ RAM. */
    struct rangeset want_withheld = set_minus(&fw_pages, &guest_ram);
    INV(set_equal(&withheld, &want_withheld));
    struct rangeset owned_ram = set_and(owned, &fw_pages);
    struct rangeset owned_not_withheld = set_minus(&owned_ram, &withheld);
    INV(owned_not_withheld.n == 0);
    for (size_t i = 0; i < withheld.n; i++)
        INV(!(withheld.r[i].base & 0xfff) && !(withheld.r[i].end & 0xfff));

    /* The budget: all the guest can have, in whole pages; cut RAM lies above the guest's. */
    uint64_t avail = rangeset_bytes(&fw_pages) - rangeset_bytes(&owned_ram);
    uint64_t budget = guest_mem & PAGE_MASK;
    uint64_t want_ram = guest_mem && budget < avail ? budget : avail;
    INV(guest_memmap_ram(&map) == want_ram);
    INV(rangeset_bytes(&guest_ram) == want_ram);
    struct rangeset cut = set_minus(&withheld, owned);
    if (cut.n && guest_ram.n)
        INV(cut.r[0].base >= guest_ram.r[guest_ram.n - 1].end);

    if (!ok) {
        printf("    map:\n");
        print_map(&map);
        printf("    withheld:");
        print_set(&withheld);
        unit_current_failed = 1;
    }
#undef INV
}

static int build(const struct mb2_mmap_entry *fw, size_t nfw, const struct rangeset *owned, uint64_t guest_mem)
{
    memset(&map, 0xa5, sizeof map);
    memset(&withheld, 0xa5, sizeof withheld);
    return guest_memmap_build(fw, nfw, owned, guest_mem, &map, &withheld);
}

/* Build and check the invariants; the test then checks the exact entries. */
#define BUILD(fw, owned, guest_mem)                                           \
    do {                                                                      \
        REQUIRE(build((fw), NELEM(fw), (owned), (guest_mem)) == 0);           \
        check_invariants_((fw), NELEM(fw), (owned), (guest_mem), __LINE__);   \
    } while (0)

/* ---- A BIOS map as Bochs gives it (128 MiB guest) ---- */

static const struct mb2_mmap_entry bochs[] = {
    { 0x0, 0x9f000, RAM },
    { 0x9f000, 0x1000, RES },
    { 0xe8000, 0x18000, RES },
    { 0x100000, 0xfef0000, RAM },
    { 0xfff0000, 0x10000, ACPI },
    { 0xfffc0000, 0x40000, RES },
};

TEST(bochs_nothing_owned)
{
    struct rangeset owned = { 0 };
    BUILD(bochs, &owned, 0);
    CHECK_MAP(&map,
              0x0, 0x9f000, E820_RAM,
              0x9f000, 0x1000, E820_RESERVED,
              0xe8000, 0x18000, E820_RESERVED,
              0x100000, 0xfef0000, E820_RAM,
              0xfff0000, 0x10000, E820_ACPI,
              0xfffc0000, 0x40000, E820_RESERVED);
    CHECK_SET_EMPTY(&withheld);
    CHECK_EQ(guest_memmap_ram(&map), 0x9f000 + 0xfef0000);
}

/* Skiff's image and its allocations near the top of RAM. */
static struct rangeset bochs_owned(void)
{
    return SET(0xfa00000, 0xfb00000, 0xfc00000, 0xfff0000);
}

TEST(bochs_skiff_near_top)
{
    struct rangeset owned = bochs_owned();
    BUILD(bochs, &owned, 0);
    CHECK_MAP(&map,
              0x0, 0x9f000, E820_RAM,
              0x9f000, 0x1000, E820_RESERVED,
              0xe8000, 0x18000, E820_RESERVED,
              0x100000, 0xf900000, E820_RAM,
              0xfa00000, 0x100000, E820_RESERVED,
              0xfb00000, 0x100000, E820_RAM,
              0xfc00000, 0x3f0000, E820_RESERVED,
              0xfff0000, 0x10000, E820_ACPI,
              0xfffc0000, 0x40000, E820_RESERVED);
    CHECK_SET(&withheld, 0xfa00000, 0xfb00000, 0xfc00000, 0xfff0000);
    CHECK_EQ(guest_memmap_ram(&map), 0x9f000 + 0xf900000 + 0x100000);
}

TEST(bochs_budget_32m)
{
    struct rangeset owned = bochs_owned();
    BUILD(bochs, &owned, 32 * MiB);
    /* 0x9f000 below 1 MiB, then 0x2000000 - 0x9f000 from 1 MiB up. */
    CHECK_MAP(&map,
              0x0, 0x9f000, E820_RAM,
              0x9f000, 0x1000, E820_RESERVED,
              0xe8000, 0x18000, E820_RESERVED,
              0x100000, 0x1f61000, E820_RAM,
              0x2061000, 0xdf8f000, E820_RESERVED,
              0xfff0000, 0x10000, E820_ACPI,
              0xfffc0000, 0x40000, E820_RESERVED);
    CHECK_SET(&withheld, 0x2061000, 0xfff0000);
    CHECK_EQ(guest_memmap_ram(&map), 32 * MiB);
}

TEST(bochs_budget_ends_at_owned_hole)
{
    struct rangeset owned = bochs_owned();
    /* All RAM below Skiff's image: the RAM between image and allocations is cut. */
    BUILD(bochs, &owned, 0x9f000 + 0xf900000);
    CHECK_MAP(&map,
              0x0, 0x9f000, E820_RAM,
              0x9f000, 0x1000, E820_RESERVED,
              0xe8000, 0x18000, E820_RESERVED,
              0x100000, 0xf900000, E820_RAM,
              0xfa00000, 0x5f0000, E820_RESERVED,
              0xfff0000, 0x10000, E820_ACPI,
              0xfffc0000, 0x40000, E820_RESERVED);
    CHECK_SET(&withheld, 0xfa00000, 0xfff0000);
    CHECK_EQ(guest_memmap_ram(&map), 0x9f000 + 0xf900000);
}

TEST(bochs_budget_ends_inside_owned_hole)
{
    struct rangeset owned = bochs_owned();
    /* Counting owned pages, the budget would end inside the image at 0xfa80000;
     * owned pages do not count, so it continues past the hole. */
    BUILD(bochs, &owned, 0x9f000 + 0xf900000 + 0x80000);
    CHECK_MAP(&map,
              0x0, 0x9f000, E820_RAM,
              0x9f000, 0x1000, E820_RESERVED,
              0xe8000, 0x18000, E820_RESERVED,
              0x100000, 0xf900000, E820_RAM,
              0xfa00000, 0x100000, E820_RESERVED,
              0xfb00000, 0x80000, E820_RAM,
              0xfb80000, 0x470000, E820_RESERVED,
              0xfff0000, 0x10000, E820_ACPI,
              0xfffc0000, 0x40000, E820_RESERVED);
    CHECK_SET(&withheld, 0xfa00000, 0xfb00000, 0xfb80000, 0xfff0000);
    CHECK_EQ(guest_memmap_ram(&map), 0x9f000 + 0xf900000 + 0x80000);
}

TEST(bochs_budget_inside_low_ram)
{
    struct rangeset owned = bochs_owned();
    BUILD(bochs, &owned, 0x10000);
    CHECK_MAP(&map,
              0x0, 0x10000, E820_RAM,
              0x10000, 0x90000, E820_RESERVED,
              0xe8000, 0xff08000, E820_RESERVED,
              0xfff0000, 0x10000, E820_ACPI,
              0xfffc0000, 0x40000, E820_RESERVED);
    CHECK_SET(&withheld, 0x10000, 0x9f000, 0x100000, 0xfff0000);
}

TEST(bochs_budget_exact_and_larger_than_ram)
{
    struct rangeset owned = bochs_owned();
    uint64_t all = 0x9f000 + 0xf900000 + 0x100000;
    static const uint64_t budgets[] = { 0, 0x9f000 + 0xf900000 + 0x100000, 4 * GiB, UINT64_MAX };
    for (size_t i = 0; i < NELEM(budgets); i++) {
        BUILD(bochs, &owned, budgets[i]);
        CHECK_EQ(guest_memmap_ram(&map), all);
        CHECK_EQ(map.n, 9);
        CHECK_SET(&withheld, 0xfa00000, 0xfb00000, 0xfc00000, 0xfff0000);
    }
    /* One page less: the top page of guest RAM goes. */
    BUILD(bochs, &owned, all - PAGE_SIZE);
    CHECK_EQ(map.e[5].base, 0xfb00000);
    CHECK_EQ(map.e[5].len, 0xff000);
    CHECK_EQ(map.e[6].base, 0xfbff000);
    CHECK_EQ(map.e[6].len, 0x3f1000);
    CHECK_EQ(map.e[6].type, E820_RESERVED);
    CHECK_SET(&withheld, 0xfa00000, 0xfb00000, 0xfbff000, 0xfff0000);
}

TEST(budget_not_page_multiple_rounds_down)
{
    /* guest_mem=2049k passes the command line; the guest gets whole pages only
     * (an unaligned RAM end or withheld range would make the EPT refuse it). */
    struct rangeset owned = bochs_owned();
    BUILD(bochs, &owned, 2049 * 1024);
    CHECK_EQ(guest_memmap_ram(&map), 2 * MiB);
    CHECK_MAP(&map,
              0x0, 0x9f000, E820_RAM,
              0x9f000, 0x1000, E820_RESERVED,
              0xe8000, 0x18000, E820_RESERVED,
              0x100000, 0x161000, E820_RAM,
              0x261000, 0xfd8f000, E820_RESERVED,
              0xfff0000, 0x10000, E820_ACPI,
              0xfffc0000, 0x40000, E820_RESERVED);
    CHECK_SET(&withheld, 0x261000, 0xfff0000);

    BUILD(bochs, &owned, 32 * MiB + 1);
    CHECK_EQ(guest_memmap_ram(&map), 32 * MiB);
    BUILD(bochs, &owned, 32 * MiB + PAGE_SIZE - 1);
    CHECK_EQ(guest_memmap_ram(&map), 32 * MiB);
}

TEST(unsorted_input_same_result)
{
    static const struct mb2_mmap_entry shuffled[] = {
        { 0xfff0000, 0x10000, ACPI },
        { 0x100000, 0xfef0000, RAM },
        { 0xfffc0000, 0x40000, RES },
        { 0x9f000, 0x1000, RES },
        { 0x0, 0x9f000, RAM },
        { 0xe8000, 0x18000, RES },
    };
    struct rangeset owned = bochs_owned();
    BUILD(bochs, &owned, 32 * MiB);
    struct guest_memmap sorted_map = map;
    struct rangeset sorted_withheld = withheld;
    BUILD(shuffled, &owned, 32 * MiB);
    CHECK_EQ(map.n, sorted_map.n);
    CHECK(memcmp(map.e, sorted_map.e, map.n * sizeof map.e[0]) == 0);
    CHECK(set_equal(&withheld, &sorted_withheld));

    /* Fully reversed. */
    struct mb2_mmap_entry rev[NELEM(bochs)];
    for (size_t i = 0; i < NELEM(bochs); i++)
        rev[i] = bochs[NELEM(bochs) - 1 - i];
    BUILD(rev, &owned, 32 * MiB);
    CHECK_EQ(map.n, sorted_map.n);
    CHECK(memcmp(map.e, sorted_map.e, map.n * sizeof map.e[0]) == 0);
}

/* ---- A UEFI (OVMF-like) fragmented map with RAM above 4 GiB ---- */

static const struct mb2_mmap_entry uefi[] = {
    { 0x0, 0xa0000, RAM },
    { 0x100000, 0x700000, RAM },
    { 0x800000, 0x8000, NVS },
    { 0x808000, 0x3000, RAM },
    { 0x80b000, 0x1000, NVS },
    { 0x80c000, 0x4000, RAM },
    { 0x810000, 0xf0000, NVS },
    { 0x900000, 0x3700000, RAM },
    { 0x4000000, 0x7a8e9000, RAM },       /* adjacent to the one before, not merged */
    { 0x7e8e9000, 0x410000, RES },
    { 0x7ecf9000, 0x8000, ACPI },
    { 0x7ed01000, 0x80000, NVS },
    { 0x7ed81000, 0x27f000, RAM },
    { 0xb0000000, 0x10000000, RES },      /* PCIe ECAM */
    { 0xffc00000, 0x400000, RES },        /* flash */
    { 0x100000000, 0x80000000, RAM },
};

/* A range straddling RAM-NVS-RAM, one straddling two adjacent RAM entries, the image. */
static struct rangeset uefi_owned(void)
{
    return SET(0x80a000, 0x80d000, 0x3f00000, 0x4100000, 0x7ee00000, 0x7f000000);
}

TEST(uefi_fragmented)
{
    struct rangeset owned = uefi_owned();
    BUILD(uefi, &owned, 0);
    CHECK_MAP(&map,
              0x0, 0xa0000, E820_RAM,
              0x100000, 0x700000, E820_RAM,
              0x800000, 0x8000, E820_NVS,
              0x808000, 0x2000, E820_RAM,
              0x80a000, 0x1000, E820_RESERVED,
              0x80b000, 0x1000, E820_NVS,
              0x80c000, 0x1000, E820_RESERVED,
              0x80d000, 0x3000, E820_RAM,
              0x810000, 0xf0000, E820_NVS,
              0x900000, 0x3600000, E820_RAM,
              0x3f00000, 0x200000, E820_RESERVED,
              0x4100000, 0x7a7e9000, E820_RAM,
              0x7e8e9000, 0x410000, E820_RESERVED,
              0x7ecf9000, 0x8000, E820_ACPI,
              0x7ed01000, 0x80000, E820_NVS,
              0x7ed81000, 0x7f000, E820_RAM,
              0x7ee00000, 0x200000, E820_RESERVED,
              0xb0000000, 0x10000000, E820_RESERVED,
              0xffc00000, 0x400000, E820_RESERVED,
              0x100000000, 0x80000000, E820_RAM);
    CHECK_SET(&withheld, 0x80a000, 0x80b000, 0x80c000, 0x80d000, 0x3f00000, 0x4100000,
              0x7ee00000, 0x7f000000);
}

TEST(uefi_budget_32m)
{
    struct rangeset owned = uefi_owned();
    BUILD(uefi, &owned, 32 * MiB);
    /* 0xa0000 + 0x700000 + 0x2000 + 0x3000 = 0x7a5000 below 9 MiB; the rest from 9 MiB. */
    CHECK_MAP(&map,
              0x0, 0xa0000, E820_RAM,
              0x100000, 0x700000, E820_RAM,
              0x800000, 0x8000, E820_NVS,
              0x808000, 0x2000, E820_RAM,
              0x80a000, 0x1000, E820_RESERVED,
              0x80b000, 0x1000, E820_NVS,
              0x80c000, 0x1000, E820_RESERVED,
              0x80d000, 0x3000, E820_RAM,
              0x810000, 0xf0000, E820_NVS,
              0x900000, 0x185b000, E820_RAM,
              0x215b000, 0x7e8e9000 - 0x215b000 + 0x410000, E820_RESERVED,
              0x7ecf9000, 0x8000, E820_ACPI,
              0x7ed01000, 0x80000, E820_NVS,
              0x7ed81000, 0x27f000, E820_RESERVED,
              0xb0000000, 0x10000000, E820_RESERVED,
              0xffc00000, 0x80400000, E820_RESERVED);
    CHECK_SET(&withheld, 0x80a000, 0x80b000, 0x80c000, 0x80d000, 0x215b000, 0x7e8e9000,
              0x7ed81000, 0x7f000000, 0x100000000, 0x180000000);
    CHECK_EQ(guest_memmap_ram(&map), 32 * MiB);
}

/* ---- QEMU with 9 GiB: RAM above 4 GiB, an unaligned end below 640 KiB ---- */

static const struct mb2_mmap_entry qemu9g[] = {
    { 0x0, 0x9fc00, RAM },
    { 0x9fc00, 0x400, RES },
    { 0xf0000, 0x10000, RES },
    { 0x100000, 0xbfee0000, RAM },
    { 0xbffe0000, 0x20000, RES },
    { 0xfeffc000, 0x4000, RES },
    { 0xfffc0000, 0x40000, RES },
    { 0x100000000, 0x140000000, RAM },
};

TEST(qemu_ram_above_4g)
{
    struct rangeset owned = SET(0xbfc00000, 0xbffe0000);
    BUILD(qemu9g, &owned, 0);
    CHECK_MAP(&map,
              0x0, 0x9f000, E820_RAM,
              0x9f000, 0x1000, E820_RESERVED,   /* the partial page and the EBDA */
              0xf0000, 0x10000, E820_RESERVED,
              0x100000, 0xbfb00000, E820_RAM,
              0xbfc00000, 0x400000, E820_RESERVED, /* Skiff and the firmware's hole, merged */
              0xfeffc000, 0x4000, E820_RESERVED,
              0xfffc0000, 0x40000, E820_RESERVED,
              0x100000000, 0x140000000, E820_RAM);
    CHECK_SET(&withheld, 0xbfc00000, 0xbffe0000);

    /* 4 GiB for the guest: the budget runs out above 4 GiB. */
    BUILD(qemu9g, &owned, 4 * GiB);
    CHECK_MAP(&map,
              0x0, 0x9f000, E820_RAM,
              0x9f000, 0x1000, E820_RESERVED,
              0xf0000, 0x10000, E820_RESERVED,
              0x100000, 0xbfb00000, E820_RAM,
              0xbfc00000, 0x400000, E820_RESERVED,
              0xfeffc000, 0x4000, E820_RESERVED,
              0xfffc0000, 0x40000, E820_RESERVED,
              0x100000000, 0x40461000, E820_RAM,
              0x140461000, 0xffb9f000, E820_RESERVED);
    CHECK_SET(&withheld, 0xbfc00000, 0xbffe0000, 0x140461000, 0x240000000);
    CHECK_EQ(guest_memmap_ram(&map), 4 * GiB);

    /* 2 GiB: nothing above 4 GiB; the cut RAM below it merges with Skiff's hole. */
    BUILD(qemu9g, &owned, 2 * GiB);
    CHECK_MAP(&map,
              0x0, 0x9f000, E820_RAM,
              0x9f000, 0x1000, E820_RESERVED,
              0xf0000, 0x10000, E820_RESERVED,
              0x100000, 0x7ff61000, E820_RAM,
              0x80061000, 0x3ff9f000, E820_RESERVED,
              0xfeffc000, 0x4000, E820_RESERVED,
              0xfffc0000, 0x140040000, E820_RESERVED); /* flash and the cut RAM above 4 GiB */
    CHECK_SET(&withheld, 0x80061000, 0xbffe0000, 0x100000000, 0x240000000);
}

TEST(owned_above_4g_and_at_ram_edges)
{
    /* Owned ranges touching the start and end of RAM entries, and one outside RAM. */
    struct rangeset owned = SET(0x100000, 0x200000, 0xbff00000, 0xbffe0000, 0x100000000, 0x100001000,
                                0x23ffff000, 0x240000000, 0xfee00000, 0xfee01000);
    BUILD(qemu9g, &owned, 0);
    CHECK_MAP(&map,
              0x0, 0x9f000, E820_RAM,
              0x9f000, 0x1000, E820_RESERVED,
              0xf0000, 0x110000, E820_RESERVED,    /* BIOS area and the owned 1 MiB merged */
              0x200000, 0xbfd00000, E820_RAM,
              0xbff00000, 0x100000, E820_RESERVED,
              0xfeffc000, 0x4000, E820_RESERVED,
              0xfffc0000, 0x41000, E820_RESERVED,  /* flash and the owned page at 4 GiB */
              0x100001000, 0x13fffe000, E820_RAM,
              0x23ffff000, 0x1000, E820_RESERVED);
    /* The owned page outside RAM (0xfee00000) is not RAM: not withheld. */
    CHECK_SET(&withheld, 0x100000, 0x200000, 0xbff00000, 0xbffe0000, 0x100000000, 0x100001000,
              0x23ffff000, 0x240000000);
}

/* ---- Unaligned RAM edges ---- */

TEST(unaligned_ram_edges)
{
    static const struct mb2_mmap_entry fw[] = {
        { 0x1800, 0x1000, RAM },        /* crosses a page boundary, holds no whole page */
        { 0x10000, 0x800, RAM },        /* page-aligned start, less than a page */
        { 0x20800, 0x400, RAM },        /* inside one page */
        { 0x100400, 0x1f00800, RAM },   /* unaligned both ends */
        { 0x2000c00, 0xfff400, RAM },   /* continues mid-page */
        { 0x3000000, 0x800, ACPI },
    };
    struct rangeset owned = { 0 };
    BUILD(fw, &owned, 0);
    CHECK_MAP(&map,
              0x1800, 0x1000, E820_RESERVED,
              0x10000, 0x800, E820_RESERVED,
              0x20800, 0x400, E820_RESERVED,
              0x100400, 0xc00, E820_RESERVED,
              0x101000, 0x1eff000, E820_RAM,
              0x2000000, 0x1000, E820_RESERVED,
              0x2001000, 0xfff000, E820_RAM,
              0x3000000, 0x800, E820_ACPI);
    CHECK_SET_EMPTY(&withheld);
    CHECK_EQ(guest_memmap_ram(&map), 0x1eff000 + 0xfff000);

    /* With a budget ending in the second RAM range. */
    BUILD(fw, &owned, 0x1eff000 + 0x1000);
    CHECK_MAP(&map,
              0x1800, 0x1000, E820_RESERVED,
              0x10000, 0x800, E820_RESERVED,
              0x20800, 0x400, E820_RESERVED,
              0x100400, 0xc00, E820_RESERVED,
              0x101000, 0x1eff000, E820_RAM,
              0x2000000, 0x1000, E820_RESERVED,
              0x2001000, 0x1000, E820_RAM,
              0x2002000, 0xffe000, E820_RESERVED,
              0x3000000, 0x800, E820_ACPI);
    CHECK_SET(&withheld, 0x2002000, 0x3000000);
}

/* ---- Overlapping and odd firmware entries ---- */

TEST(overlapping_entries)
{
    /* Policy: after sorting by base, an entry loses the part an earlier one covers. */
    static const struct mb2_mmap_entry fw[] = {
        { 0x0, 0x9f000, RAM },
        { 0x0, 0x9f000, RAM },            /* duplicate */
        { 0xe0000, 0x20000, RES },
        { 0xf0000, 0x3f10000, RAM },      /* starts inside the ROM area: clipped to 1 MiB */
        { 0x2000000, 0x4000000, RAM },    /* overlaps the RAM before: merges */
        { 0x3000000, 0x100000, RAM },     /* inside both */
        { 0x6000000, 0x1000000, ACPI },
        { 0x6800000, 0x1000000, RES },    /* half inside the ACPI entry */
    };
    struct rangeset owned = SET(0x5f00000, 0x6000000);
    REQUIRE(build(fw, NELEM(fw), &owned, 0) == 0);
    CHECK_MAP(&map,
              0x0, 0x9f000, E820_RAM,
              0xe0000, 0x20000, E820_RESERVED,
              0x100000, 0x5e00000, E820_RAM,
              0x5f00000, 0x100000, E820_RESERVED,
              0x6000000, 0x1000000, E820_ACPI,
              0x7000000, 0x800000, E820_RESERVED);
    CHECK_SET(&withheld, 0x5f00000, 0x6000000);
    CHECK_EQ(guest_memmap_ram(&map), 0x9f000 + 0x5e00000);

    /* Budget across the merged RAM. */
    REQUIRE(build(fw, NELEM(fw), &owned, 0x9f000 + 0x3000000) == 0);
    CHECK_MAP(&map,
              0x0, 0x9f000, E820_RAM,
              0xe0000, 0x20000, E820_RESERVED,
              0x100000, 0x3000000, E820_RAM,
              0x3100000, 0x2f00000, E820_RESERVED,
              0x6000000, 0x1000000, E820_ACPI,
              0x7000000, 0x800000, E820_RESERVED);
    CHECK_SET(&withheld, 0x3100000, 0x6000000);
}

TEST(reserved_inside_ram_is_dropped)
{
    /* Current policy (first by base wins): a reserved entry inside RAM is lost,
     * as it is in the host's page allocator (kernel/mem/memory.c).  Pinned here so
     * a change of policy is deliberate. */
    static const struct mb2_mmap_entry fw[] = {
        { 0x100000, 0x7f00000, RAM },
        { 0x7000000, 0x100000, RES },
    };
    struct rangeset owned = { 0 };
    REQUIRE(build(fw, NELEM(fw), &owned, 0) == 0);
    CHECK_MAP(&map, 0x100000, 0x7f00000, E820_RAM);
}

TEST(types_zero_length_and_wrapping)
{
    static const struct mb2_mmap_entry fw[] = {
        { 0x0, 0x1000, 7 },               /* unknown type: reserved */
        { 0x1000, 0x1000, BAD },
        { 0x2000, 0, RAM },               /* empty */
        { 0x2000, 0x1000, NVS },
        { 0x3000, 0x1000, ACPI },
        { 0x4000, 0x1000, RES },
        { 0x5000, 0x1000, 0 },            /* type 0: reserved, merges */
        { 0xfffffffffffff000, 0x2000, RES }, /* wraps: clamped */
    };
    struct rangeset owned = { 0 };
    REQUIRE(build(fw, NELEM(fw), &owned, 0) == 0);
    CHECK_MAP(&map,
              0x0, 0x1000, E820_RESERVED,
              0x1000, 0x1000, E820_UNUSABLE,
              0x2000, 0x1000, E820_NVS,
              0x3000, 0x1000, E820_ACPI,
              0x4000, 0x2000, E820_RESERVED,
              0xfffffffffffff000, 0xfff, E820_RESERVED);
    CHECK_SET_EMPTY(&withheld);
    CHECK_EQ(guest_memmap_ram(&map), 0);
}

TEST(adjacent_ram_entries_merge)
{
    static const struct mb2_mmap_entry fw[] = {
        { 0x100000, 0x100000, RAM },
        { 0x200000, 0x100000, RAM },
        { 0x300000, 0x100000, RAM },
        { 0x400000, 0x1000, RES },
        { 0x401000, 0x1000, RES },
    };
    struct rangeset owned = { 0 };
    BUILD(fw, &owned, 0);
    CHECK_MAP(&map, 0x100000, 0x300000, E820_RAM, 0x400000, 0x2000, E820_RESERVED);
}

TEST(empty_firmware_map)
{
    struct rangeset owned = SET(0x100000, 0x200000);
    REQUIRE(build(NULL, 0, &owned, 0) == 0);
    CHECK_EQ(map.n, 0);
    CHECK_SET_EMPTY(&withheld);
    CHECK_EQ(guest_memmap_ram(&map), 0);
}

/* ---- GUEST_MAP_MAX ---- */

TEST(overflow_returns_error)
{
    /* 128 alternating, non-mergeable entries fit exactly. */
    static struct mb2_mmap_entry fw[GUEST_MAP_MAX];
    for (size_t i = 0; i < GUEST_MAP_MAX; i++)
        fw[i] = (struct mb2_mmap_entry){ 0x100000 + i * 0x10000, 0x10000, i % 2 ? RES : RAM };
    struct rangeset owned = { 0 };
    REQUIRE(build(fw, GUEST_MAP_MAX, &owned, 0) == 0);
    CHECK_EQ(map.n, GUEST_MAP_MAX);
    check_invariants_(fw, GUEST_MAP_MAX, &owned, 0, __LINE__);

    /* An owned page in the middle of one RAM entry adds two: no room. */
    owned = SET(0x108000, 0x109000);
    CHECK_EQ(build(fw, GUEST_MAP_MAX, &owned, 0), -1);
    /* An owned page at the end of the last RAM entry merges with the reserved entry after it:
     * the map still fits... */
    owned = SET(0x100000 + 126 * 0x10000 + 0xf000, 0x100000 + 127 * 0x10000);
    REQUIRE(build(fw, GUEST_MAP_MAX, &owned, 0) == 0);
    CHECK_EQ(map.n, GUEST_MAP_MAX);
    /* ...and so does one at its start (it merges with the reserved entry before). */
    owned = SET(0x100000 + 126 * 0x10000, 0x100000 + 126 * 0x10000 + 0x1000);
    REQUIRE(build(fw, GUEST_MAP_MAX, &owned, 0) == 0);
    CHECK_EQ(map.n, GUEST_MAP_MAX);
    check_invariants_(fw, GUEST_MAP_MAX, &owned, 0, __LINE__);
    /* 127 firmware entries and a hole in the middle of one: 129. */
    owned = SET(0x100000 + 0x8000, 0x100000 + 0x9000);
    CHECK_EQ(build(fw, GUEST_MAP_MAX - 1, &owned, 0), -1);
    /* 126 and a hole: exactly 128. */
    REQUIRE(build(fw, GUEST_MAP_MAX - 2, &owned, 0) == 0);
    CHECK_EQ(map.n, GUEST_MAP_MAX);
    check_invariants_(fw, GUEST_MAP_MAX - 2, &owned, 0, __LINE__);

    /* One RAM entry with 70 owned pages: 141 entries. */
    static const struct mb2_mmap_entry one[] = { { 0x100000, 0x10000000, RAM } };
    owned = (struct rangeset){ 0 };
    for (uint64_t i = 0; i < 70; i++)
        REQUIRE(rangeset_add(&owned, 0x200000 + i * 0x10000, 0x201000 + i * 0x10000) == 0);
    CHECK_EQ(build(one, 1, &owned, 0), -1);
    /* 63 owned pages: 127 entries fit. */
    owned.n = 63;
    REQUIRE(build(one, 1, &owned, 0) == 0);
    CHECK_EQ(map.n, 127);
    check_invariants_(one, 1, &owned, 0, __LINE__);
}

/* ---- Randomised: the invariants over many generated maps ---- */

TEST(random_maps_keep_invariants)
{
    srand(12345);
    for (int iter = 0; iter < 2000; iter++) {
        struct mb2_mmap_entry fw[40];
        size_t n = 1 + (size_t)rand() % 40;
        uint64_t at = (uint64_t)(rand() % 16) * 0x400;
        for (size_t i = 0; i < n; i++) {
            uint64_t len = 0x400 * (uint64_t)(1 + rand() % 64);
            if (rand() % 4 == 0)
                len *= 256;
            fw[i] = (struct mb2_mmap_entry){ at, len, rand() % 2 ? RAM : (uint32_t)(2 + rand() % 4) };
            at += len + (rand() % 3 ? 0 : 0x400 * (uint64_t)(rand() % 8));
        }
        /* Shuffle: the order must not matter. */
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = (size_t)rand() % (i + 1);
            struct mb2_mmap_entry t = fw[i];
            fw[i] = fw[j];
            fw[j] = t;
        }
        struct rangeset owned = { 0 };
        for (int k = rand() % 8; k > 0; k--) {
            uint64_t b = ((uint64_t)rand() % (at / PAGE_SIZE + 2)) * PAGE_SIZE;
            REQUIRE(rangeset_add(&owned, b, b + PAGE_SIZE * (uint64_t)(1 + rand() % 16)) == 0);
        }
        uint64_t guest_mem = rand() % 3 ? 0 : ((uint64_t)rand() % (at / 512 + 1)) * 512;
        int r = build(fw, n, &owned, guest_mem);
        if (r == 0)
            check_invariants_(fw, n, &owned, guest_mem, __LINE__);
        else
            CHECK(map.n == GUEST_MAP_MAX || withheld.n == RANGESET_MAX);
        if (unit_current_failed) {
            printf("    iteration %d, guest_mem %#llx\n", iter, (unsigned long long)guest_mem);
            return;
        }
    }
}

UNIT_MAIN(T(bochs_nothing_owned), T(bochs_skiff_near_top), T(bochs_budget_32m),
          T(bochs_budget_ends_at_owned_hole), T(bochs_budget_ends_inside_owned_hole),
          T(bochs_budget_inside_low_ram), T(bochs_budget_exact_and_larger_than_ram),
          T(budget_not_page_multiple_rounds_down), T(unsorted_input_same_result), T(uefi_fragmented),
          T(uefi_budget_32m), T(qemu_ram_above_4g), T(owned_above_4g_and_at_ram_edges),
          T(unaligned_ram_edges), T(overlapping_entries), T(reserved_inside_ram_is_dropped),
          T(types_zero_length_and_wrapping), T(adjacent_ram_entries_merge), T(empty_firmware_map),
          T(overflow_returns_error), T(random_maps_keep_invariants))
