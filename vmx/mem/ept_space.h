/*
 * The guest-physical space beyond RAM: every address below MAXPHYADDR that
 * is not Skiff's behaves as on the bare machine, identity-mapped with the
 * memory type the MTRRs give it (SDM Vol. 3C 29.3 EPT, 29.3.7 memory
 * typing; Vol. 3A 12.11 MTRRs).  64-bit PCI BARs live up there.
 *
 * How the space above [0, 4 GiB) and RAM is covered depends on the EPT
 * leaves the CPU has (ept_space_policies[] in ept_space.c):
 *   1 GiB leaves: mapped up front, to 2^MAXPHYADDR (one PDPT per 512 GiB);
 *   none:         mapped on demand from the EPT-violation handler, one
 *                 2 MiB block at a time (4 KiB where the block holds
 *                 pages the guest must not see), with table pages from a
 *                 fixed pool of EPT_SPACE_POOL_PAGES that Skiff allocates
 *                 (and withholds) before the EPT is built.
 * At the pool's bound, with one vCPU, every on-demand mapping is dropped
 * and the pool starts over (the caller invalidates with INVEPT, 29.4.3.3);
 * with several vCPUs the access is refused and the guest stopped.
 *
 * Addresses at or above 2^48 stay unmapped: a 4-level EPT walk translates
 * bits 47:0 (29.3.2); a 5-level walk is not used.
 *
 * Pure code over the EPT builder, the MTRR snapshot and range sets.
 */
#ifndef SKIFF_VMX_EPT_SPACE_H
#define SKIFF_VMX_EPT_SPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/mem/pmm.h"
#include "vmx/mem/ept.h"
#include "vmx/mem/mtrr.h"

#define EPT_SPACE_POOL_PAGES 64   /* on-demand table pages: 256 KiB */
#define EPT_SPACE_ATTACH_MAX 128  /* on-demand subtrees hung into the up-front tables */

enum ept_space_mode { EPT_SPACE_UP_FRONT, EPT_SPACE_ON_DEMAND };

struct ept_space_policy {
    bool ept_1g, ept_2m;          /* the EPT leaves this row is for */
    enum ept_space_mode mode;
    const char *name;             /* for the `skiff: ept:` line */
};

struct ept_space {
    struct ept *ept;
    const struct ept_space_policy *policy;
    const struct mtrr_state *mtrrs;          /* NULL: the CPU has no MTRRs (everything here UC) */
    uint64_t top;                            /* 2^min(MAXPHYADDR, 48) */
    const struct rangeset *absent[2];        /* never mapped: Skiff's pages, RAM the guest does not get */
    struct ept_ops table_ops;                /* the builder's own allocator */
    uint64_t pool_phys;                      /* pool_pages contiguous pages, Skiff's */
    unsigned pool_pages, pool_used, pool_peak;
    uint64_t *attach[EPT_SPACE_ATTACH_MAX];  /* entries of up-front tables the fills made present */
    unsigned nattach;
    bool may_recycle;                        /* the caller can invalidate every cached translation */
    uint64_t fills, recycles;
};

/* What ept_space_fill did for one EPT violation. */
enum ept_fill {
    EPT_FILL_MAPPED,                         /* mapped into not-present entries: resume, no INVEPT */
    EPT_FILL_RECYCLED,                       /* mapped after emptying the pool: INVEPT, then resume */
    EPT_FILL_PRESENT,                        /* already mapped (another vCPU's fill, or a permission) */
    EPT_FILL_ABSENT,                         /* a page the guest must not see */
    EPT_FILL_BEYOND,                         /* at or above 2^MAXPHYADDR (or 2^48) */
    EPT_FILL_FULL,                           /* the pool is exhausted and may not be recycled */
};

/* The policy row for a CPU's EPT leaves. */
const struct ept_space_policy *ept_space_policy(bool ept_1g, bool ept_2m);

/* 2^min(MAXPHYADDR, 48); maxphyaddr 0 means 36 (CPUID 0x80000008 absent). */
uint64_t ept_space_top(unsigned maxphyaddr);

/*
 * Map [base, base + len) identity, RWX, with the memory types the MTRRs give
 * (12.11.4.1, one run of uniform type at a time); `fallback` without MTRRs.
 */
int ept_map_mtrr(struct ept *ept, const struct mtrr_state *mtrrs, uint64_t base, uint64_t len,
                 unsigned fallback);

/*
 * absent_skiff, absent_ram: the pages never to map.  pool_phys/pool_pages:
 * zeroed pages for on-demand tables (0/0 under the up-front policy); they
 * are reached through the builder's phys_to_virt.
 */
void ept_space_init(struct ept_space *s, struct ept *ept, const struct mtrr_state *mtrrs, unsigned maxphyaddr,
                    const struct rangeset *absent_skiff, const struct rangeset *absent_ram,
                    uint64_t pool_phys, unsigned pool_pages, bool may_recycle);

/* The end of what the up-front build maps identity: 2^MAXPHYADDR up front, else 4 GiB. */
uint64_t ept_space_up_front_end(const struct ept_space *s);

/* Map what an EPT violation at gpa needs (on demand), or say why not. */
enum ept_fill ept_space_fill(struct ept_space *s, uint64_t gpa);

/* The verdict for a refused fill: "not guest memory", "beyond MAXPHYADDR", ... */
const char *ept_fill_verdict(enum ept_fill f);

#endif
