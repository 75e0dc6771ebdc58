/* VT-d second-level identity page tables; see kernel/iommu/iommu_pt.h. */
#include "kernel/iommu/iommu_pt.h"

#include "kernel/iommu/iommu_regs.h"

#define SPAN(level) (1ull << (3 + 9 * (level)))              /* level 1: 4 KiB ... 4: 512 GiB */
#define SLOT(addr, level) ((unsigned)((addr) >> (3 + 9 * (level))) & 511)

static uint64_t *tab(const struct vtd_pt *pt, uint64_t e)
{
    return pt->ops.phys_to_virt(pt->ops.ctx, e & VTD_ADDR_MASK);
}

static bool is_table(uint64_t e, int level)
{
    return (e & VTD_SL_RW) && level > 1 && !(e & VTD_SL_PS);
}

/*
 * A table for the entry *e at level: a new empty one, or one whose 512
 * entries repeat the large leaf *e was (a split keeps the rest mapped).
 */
static uint64_t *make_table(struct vtd_pt *pt, uint64_t *e, int level)
{
    uint64_t page = pt->ops.alloc_page(pt->ops.ctx);
    if (!page)
        return NULL;
    pt->pages++;
    uint64_t *t = pt->ops.phys_to_virt(pt->ops.ctx, page);
    if (*e & VTD_SL_RW) {
        uint64_t perms = *e & VTD_SL_RW, base = *e & VTD_ADDR_MASK;
        for (unsigned i = 0; i < 512; i++)
            t[i] = (base + i * SPAN(level - 1)) | perms | (level - 1 > 1 ? VTD_SL_PS : 0);
    }
    *e = page | VTD_SL_RW;     /* non-leaf entries allow all: the leaves decide (3.7.1) */
    return t;
}

static int set_level(struct vtd_pt *pt, uint64_t *t, int level, uint64_t at, uint64_t end, uint64_t perms)
{
    while (at < end) {
        uint64_t slot_end = (at & ~(SPAN(level) - 1)) + SPAN(level);
        uint64_t stop = end < slot_end ? end : slot_end;
        uint64_t *e = &t[SLOT(at, level)];
        bool whole = stop - at == SPAN(level);

        if (whole && !is_table(*e, level) && (level <= (int)pt->max_leaf || !perms)) {
            *e = perms ? at | perms | (level > 1 ? VTD_SL_PS : 0) : 0;
        } else if (is_table(*e, level) || perms || (*e & VTD_SL_RW)) {
            uint64_t *sub = is_table(*e, level) ? tab(pt, *e) : make_table(pt, e, level);
            if (!sub)
                return VTD_PT_NOMEM;
            int r = set_level(pt, sub, level - 1, at, stop, perms);
            if (r)
                return r;
        }
        at = stop;
    }
    return VTD_PT_OK;
}

int vtd_pt_init(struct vtd_pt *pt, const struct vtd_pt_ops *ops, unsigned max_leaf)
{
    *pt = (struct vtd_pt){ .ops = *ops, .max_leaf = max_leaf < 1 ? 1 : max_leaf > 3 ? 3 : max_leaf };
    pt->pml4 = ops->alloc_page(ops->ctx);
    if (!pt->pml4)
        return VTD_PT_NOMEM;
    pt->pages = 1;
    return VTD_PT_OK;
}

int vtd_pt_set(struct vtd_pt *pt, uint64_t base, uint64_t size, uint64_t perms)
{
    if ((base | size) & 0xfff || (perms & ~VTD_SL_RW))
        return VTD_PT_INVAL;
    if (size > VTD_PT_LIMIT || base > VTD_PT_LIMIT - size)
        return VTD_PT_INVAL;
    return set_level(pt, tab(pt, pt->pml4), 4, base, base + size, perms);
}

bool vtd_pt_lookup(const struct vtd_pt *pt, uint64_t addr, uint64_t *perms, unsigned *level)
{
    if (addr >= VTD_PT_LIMIT)
        return false;
    uint64_t *t = tab(pt, pt->pml4);
    for (int l = 4; l >= 1; l--) {
        uint64_t e = t[SLOT(addr, l)];
        if (!(e & VTD_SL_RW))
            return false;
        if (!is_table(e, l)) {
            if (perms)
                *perms = e & VTD_SL_RW;
            if (level)
                *level = (unsigned)l;
            return true;
        }
        t = tab(pt, e);
    }
    return false;
}

uint64_t vtd_pt_root3(const struct vtd_pt *pt)
{
    uint64_t e = tab(pt, pt->pml4)[0];
    return (e & VTD_SL_RW) ? e & VTD_ADDR_MASK : 0;
}

static void each(const struct vtd_pt *pt, uint64_t *t, int level, void (*fn)(void *, void *), void *ctx)
{
    fn(ctx, t);
    for (unsigned i = 0; level > 1 && i < 512; i++)
        if (is_table(t[i], level))
            each(pt, tab(pt, t[i]), level - 1, fn, ctx);
}

void vtd_pt_each_table(const struct vtd_pt *pt, void (*fn)(void *ctx, void *table), void *ctx)
{
    each(pt, tab(pt, pt->pml4), 4, fn, ctx);
}
