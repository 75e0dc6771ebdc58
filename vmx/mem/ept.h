/*
 * A 4-level EPT builder (SDM Vol. 3C 29.3.2 "EPT Translation Mechanism",
 * 29.3.3 "EPT-Induced VM Exits", 29.3.7 "EPT and Memory Typing").
 *
 * Pure: pages come from the caller's allocator and are reached through its
 * phys_to_virt, so the same code runs in the kernel and in host tests.
 * Levels: 4 PML4, 3 PDPT (1 GiB leaves), 2 PD (2 MiB leaves), 1 PT (4 KiB).
 */
#ifndef SKIFF_VMX_EPT_H
#define SKIFF_VMX_EPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* EPT paging-structure entry bits (SDM Vol. 3C 29.3.2, Tables 29-1..29-6) */
#define EPT_R            (1ull << 0)
#define EPT_W            (1ull << 1)
#define EPT_X            (1ull << 2)
#define EPT_RWX          (EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT     3                     /* leaf bits 5:3: memory type */
#define EPT_MT_MASK      (7ull << EPT_MT_SHIFT)
#define EPT_IGNORE_PAT   (1ull << 6)           /* leaf only */
#define EPT_LARGE        (1ull << 7)           /* PDPTE/PDE maps a 1 GiB / 2 MiB page */
#define EPT_ACCESSED     (1ull << 8)
#define EPT_DIRTY        (1ull << 9)           /* leaf only */
#define EPT_ADDR_MASK    0x000ffffffffff000ull /* bits 51:12 */

/* EPT memory types (29.3.7) */
#define EPT_MT_UC 0
#define EPT_MT_WC 1
#define EPT_MT_WT 4
#define EPT_MT_WP 5
#define EPT_MT_WB 6

/* EPTP (SDM Vol. 3C 25.6.11) */
#define EPTP_MT_WB         6ull
#define EPTP_WALK_4        (3ull << 3)         /* page-walk length - 1 */
#define EPTP_AD_ENABLE     (1ull << 6)

#define EPT_PAGE_4K (1ull << 12)
#define EPT_PAGE_2M (1ull << 21)
#define EPT_PAGE_1G (1ull << 30)
#define EPT_GPA_LIMIT (1ull << 48)             /* 4-level walk covers 48-bit GPAs */
#define EPT_HPA_LIMIT (1ull << 52)             /* entries hold bits 51:12 */

#define EPT_OK          0
#define EPT_ERR_NOMEM  -1
#define EPT_ERR_ALIGN  -2
#define EPT_ERR_INVAL  -3                      /* bad perms, memtype or range */

struct ept_ops {
    uint64_t (*alloc_page)(void *ctx);         /* phys of a zeroed 4 KiB page, 0 on failure */
    void *(*phys_to_virt)(void *ctx, uint64_t phys);
    void *ctx;
};

struct ept {
    struct ept_ops ops;
    uint64_t pml4_phys;
    size_t table_pages;
    bool allow_1g, allow_2m;
};

int ept_init(struct ept *ept, const struct ept_ops *ops, bool allow_1g, bool allow_2m);

/*
 * Maps [gpa, gpa + size) to [hpa, hpa + size); all three 4 KiB aligned.
 * Picks the largest allowed leaf that both addresses are aligned to and the
 * range covers; an existing larger leaf in the way is split (keeping the rest
 * of its mapping), an existing table is kept and filled with smaller leaves.
 * perms: EPT_R/W/X, not 0, and not W without R (29.3.3.1 misconfiguration).
 * On EPT_ERR_NOMEM the part of the range before the failure is mapped.
 */
int ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size,
            unsigned perms, unsigned memtype);

/* Removes the mapping of [gpa, gpa + size), splitting large leaves as needed. */
int ept_unmap(struct ept *ept, uint64_t gpa, uint64_t size);

/*
 * Walks the tables for gpa. On a mapping, stores the host physical address,
 * the effective permissions (AND over the walk), the leaf memory type and
 * the leaf level (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB); out pointers may be NULL.
 */
bool ept_translate(const struct ept *ept, uint64_t gpa, uint64_t *hpa,
                   unsigned *perms, unsigned *memtype, unsigned *level);

/*
 * Where the walk for gpa stops at a not-present entry (29.3.2): returns its
 * level (4 PML4E .. 1 PTE) and stores the entry's address in *entry; 0 when
 * gpa is mapped (or beyond the 48-bit walk).  Everything the entry would map
 * is absent, so filling it needs no invalidation (29.4.3.3).
 */
int ept_absent_entry(struct ept *ept, uint64_t gpa, uint64_t **entry);

/* The 4 KiB leaf entry that maps gpa, or NULL (unmapped, or inside a larger leaf). */
uint64_t *ept_leaf_4k(struct ept *ept, uint64_t gpa);

uint64_t ept_make_eptp(uint64_t pml4_phys, bool enable_ad);

/* Table pages allocated so far (PML4 included). */
size_t ept_table_pages(const struct ept *ept);

#endif
