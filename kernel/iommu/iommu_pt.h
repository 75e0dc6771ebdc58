/*
 * VT-d second-level page tables for an identity domain (Intel VT-d spec 3.7
 * "Second-Level Translation", 9.8 "Second-Level Paging Entries").  Pure code,
 * unit-tested on the host: pages come from the caller's allocator.
 *
 * The tables are always built with 4 levels (48-bit input addresses); a unit
 * that walks only 3 levels (39-bit AW) starts at the table PML4E 0 points to
 * (vtd_pt_root3), which covers the first 512 GiB.  An entry is present when
 * R or W is set (9.8); leaves have R and W only (no execute, no snoop, no TM).
 *
 * Not vmx/mem/ept.c: kernel/ must not include vmx/, the entry formats differ
 * (present test, X and memory-type bits), and the EPT builder was being
 * changed at the same time; both follow the same map/split/unmap rules.
 */
#ifndef SKIFF_KERNEL_IOMMU_PT_H
#define SKIFF_KERNEL_IOMMU_PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VTD_PT_LIMIT (1ull << 48)

enum vtd_pt_error { VTD_PT_OK = 0, VTD_PT_NOMEM = -1, VTD_PT_INVAL = -2 };

struct vtd_pt_ops {
    uint64_t (*alloc_page)(void *ctx);       /* physical address of a zeroed page, 0 when none */
    void *(*phys_to_virt)(void *ctx, uint64_t pa);
    void *ctx;
};

struct vtd_pt {
    struct vtd_pt_ops ops;
    uint64_t pml4;          /* physical */
    unsigned max_leaf;      /* 1: 4 KiB only, 2: 2 MiB, 3: 1 GiB (CAP.SLLPS) */
    size_t pages;           /* table pages allocated, PML4 included */
};

int vtd_pt_init(struct vtd_pt *pt, const struct vtd_pt_ops *ops, unsigned max_leaf);
/*
 * Identity-map [base, base + size) with perms (VTD_SL_R and/or VTD_SL_W), or
 * unmap it with perms 0.  Page-aligned; large leaves are used where allowed
 * and split where a range starts or ends inside one.
 */
int vtd_pt_set(struct vtd_pt *pt, uint64_t base, uint64_t size, uint64_t perms);
/* The walk for addr: false when not mapped; else the R/W bits and the leaf level. */
bool vtd_pt_lookup(const struct vtd_pt *pt, uint64_t addr, uint64_t *perms, unsigned *level);
/* The 3-level root: the table PML4E 0 points to, 0 when there is none yet. */
uint64_t vtd_pt_root3(const struct vtd_pt *pt);
/* Call fn on every table page (for CLFLUSH on units without coherent walks). */
void vtd_pt_each_table(const struct vtd_pt *pt, void (*fn)(void *ctx, void *table), void *ctx);

#endif
