/*
 * Host 4-level page tables (SDM Vol. 3A 4.5 "4-Level Paging").  Pure builder:
 * the caller supplies page allocation and physical-to-virtual translation,
 * so host unit tests run it over an ordinary buffer.
 */
#ifndef SKIFF_KERNEL_PAGING_H
#define SKIFF_KERNEL_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_U   (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A   (1ull << 5)
#define PTE_D   (1ull << 6)
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_NX  (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

enum pt_leaf { PT_LEAF_4K = 1, PT_LEAF_2M = 2, PT_LEAF_1G = 3 };

struct pt_ops {
    uint64_t (*alloc_page)(void *ctx);           /* zeroed 4 KiB page, 0 on failure */
    void *(*phys_to_virt)(void *ctx, uint64_t pa);
    void *ctx;
};

enum pt_error { PT_OK = 0, PT_ERR_NOMEM = -1, PT_ERR_ALIGN = -2, PT_ERR_OVERLAP = -3 };

/*
 * Map [va, va + size) to [pa, ...) with `flags` (PTE_W, PTE_NX, PTE_G, PTE_PCD ...;
 * PTE_P is implied), using leaves up to `largest`.  Page-aligned input only.
 * Mapping over an existing leaf is refused (PT_ERR_OVERLAP).
 */
int pt_map(const struct pt_ops *ops, uint64_t pml4, uint64_t va, uint64_t pa, uint64_t size,
           uint64_t flags, enum pt_leaf largest);

/* Walk the tables: physical address and the leaf's flags; false when unmapped. */
bool pt_translate(const struct pt_ops *ops, uint64_t pml4, uint64_t va, uint64_t *pa,
                  uint64_t *flags);

#endif
