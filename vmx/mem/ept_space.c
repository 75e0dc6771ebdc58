/* The guest-physical space beyond RAM (vmx/mem/ept_space.h), SDM Vol. 3C 29.3, Vol. 3A 12.11. */
#include "vmx/mem/ept_space.h"

#define GIB4 (1ull << 32)

/* By the EPT leaves the CPU has (IA32_VMX_EPT_VPID_CAP bits 16, 17; SDM Vol. 3C A.10). */
static const struct ept_space_policy ept_space_policies[] = {
    { true,  true,  EPT_SPACE_UP_FRONT,  "up front with 1 GiB leaves" },
    { true,  false, EPT_SPACE_UP_FRONT,  "up front with 1 GiB leaves" },
    { false, true,  EPT_SPACE_ON_DEMAND, "on demand, 2 MiB leaves" },
    { false, false, EPT_SPACE_ON_DEMAND, "on demand, 2 MiB blocks of 4 KiB leaves" },
};

/* The verdict for each refused fill, as `skiff: EPT violation: ...: VERDICT`. */
static const char *const ept_fill_verdicts[] = {
    [EPT_FILL_MAPPED] = "mapped on demand",
    [EPT_FILL_RECYCLED] = "mapped on demand",
    [EPT_FILL_PRESENT] = "the access is not allowed there",
    [EPT_FILL_ABSENT] = "not guest memory",
    [EPT_FILL_BEYOND] = "not guest memory (at or above 2^MAXPHYADDR)",
    [EPT_FILL_FULL] = "not mapped: the on-demand EPT table pool is full",
};

const struct ept_space_policy *ept_space_policy(bool ept_1g, bool ept_2m)
{
    for (unsigned i = 0; i < sizeof(ept_space_policies) / sizeof(ept_space_policies[0]); i++)
        if (ept_space_policies[i].ept_1g == ept_1g && ept_space_policies[i].ept_2m == ept_2m)
            return &ept_space_policies[i];
    return &ept_space_policies[3];            /* not reached: the table covers all four */
}

uint64_t ept_space_top(unsigned maxphyaddr)
{
    unsigned m = maxphyaddr ? maxphyaddr : 36;
    return m >= 48 ? EPT_GPA_LIMIT : 1ull << m;
}

const char *ept_fill_verdict(enum ept_fill f)
{
    return (unsigned)f < sizeof(ept_fill_verdicts) / sizeof(ept_fill_verdicts[0]) ? ept_fill_verdicts[f]
                                                                                   : "not guest memory";
}

int ept_map_mtrr(struct ept *ept, const struct mtrr_state *mtrrs, uint64_t base, uint64_t len, unsigned fallback)
{
    if (!mtrrs)
        return ept_map(ept, base, base, len, EPT_RWX, fallback);
    while (len) {
        uint64_t run;
        unsigned type = mtrr_range_type(mtrrs, base, len, &run);
        if (run == 0 || run > len)
            run = len;
        int r = ept_map(ept, base, base, run, EPT_RWX, type);
        if (r)
            return r;
        base += run;
        len -= run;
    }
    return EPT_OK;
}

void ept_space_init(struct ept_space *s, struct ept *ept, const struct mtrr_state *mtrrs, unsigned maxphyaddr,
                    const struct rangeset *absent_skiff, const struct rangeset *absent_ram,
                    uint64_t pool_phys, unsigned pool_pages, bool may_recycle)
{
    *s = (struct ept_space){ 0 };
    s->ept = ept;
    s->policy = ept_space_policy(ept->allow_1g, ept->allow_2m);
    s->mtrrs = mtrrs;
    s->top = ept_space_top(maxphyaddr);
    s->absent[0] = absent_skiff;
    s->absent[1] = absent_ram;
    s->table_ops = ept->ops;
    s->pool_phys = pool_phys;
    s->pool_pages = pool_phys ? pool_pages : 0;
    s->may_recycle = may_recycle;
}

uint64_t ept_space_up_front_end(const struct ept_space *s)
{
    return s->policy->mode == EPT_SPACE_UP_FRONT ? s->top : GIB4;
}

static bool absent_overlaps(const struct ept_space *s, uint64_t base, uint64_t end)
{
    for (unsigned i = 0; i < 2; i++)
        if (s->absent[i] && rangeset_overlaps(s->absent[i], base, end))
            return true;
    return false;
}

/* The builder's allocator during a fill: the next pool page, zeroed. */
static uint64_t pool_alloc(void *ctx)
{
    struct ept_space *s = ctx;
    if (s->pool_used >= s->pool_pages)
        return 0;
    uint64_t phys = s->pool_phys + (uint64_t)s->pool_used++ * EPT_PAGE_4K;
    uint64_t *t = s->table_ops.phys_to_virt(s->table_ops.ctx, phys);
    for (unsigned i = 0; i < 512; i++)
        t[i] = 0;
    if (s->pool_used > s->pool_peak)
        s->pool_peak = s->pool_used;
    return phys;
}

static void *pool_virt(void *ctx, uint64_t phys)
{
    struct ept_space *s = ctx;
    return s->table_ops.phys_to_virt(s->table_ops.ctx, phys);
}

/* Is the entry at `e` inside a pool table (a fill's own, dropped with its subtree)? */
static bool in_pool(const struct ept_space *s, const uint64_t *e)
{
    for (unsigned i = 0; i < s->pool_used; i++) {
        const uint64_t *t = s->table_ops.phys_to_virt(s->table_ops.ctx, s->pool_phys + (uint64_t)i * EPT_PAGE_4K);
        if (e >= t && e < t + 512)
            return true;
    }
    return false;
}

/* Drops every on-demand mapping: present -> not present, so the caller must INVEPT (29.4.3.3). */
static void recycle(struct ept_space *s)
{
    for (unsigned i = 0; i < s->nattach; i++)
        *s->attach[i] = 0;
    s->nattach = 0;
    s->pool_used = 0;
    s->recycles++;
}

/*
 * A walk that stops at a not-present entry of `level` needs at most
 * level - 1 new tables for one 2 MiB block (PDPT, PD, and a PT where the
 * MTRR types or absent pages split the block into 4 KiB leaves).
 */
enum ept_fill ept_space_fill(struct ept_space *s, uint64_t gpa)
{
    uint64_t page = gpa & ~(EPT_PAGE_4K - 1);
    if (gpa >= s->top)
        return EPT_FILL_BEYOND;
    if (absent_overlaps(s, page, page + EPT_PAGE_4K))
        return EPT_FILL_ABSENT;
    uint64_t *entry;
    int level = ept_absent_entry(s->ept, gpa, &entry);
    if (!level)
        return EPT_FILL_PRESENT;
    if (s->policy->mode != EPT_SPACE_ON_DEMAND)
        return EPT_FILL_ABSENT;                  /* up front: an absent page is one withheld */

    enum ept_fill done = EPT_FILL_MAPPED;
    bool attach = !in_pool(s, entry);
    if (s->pool_used + (unsigned)(level - 1) > s->pool_pages || (attach && s->nattach == EPT_SPACE_ATTACH_MAX)) {
        if (!s->may_recycle)
            return EPT_FILL_FULL;
        recycle(s);
        done = EPT_FILL_RECYCLED;
        level = ept_absent_entry(s->ept, gpa, &entry);
        attach = true;
        if (level - 1 > (int)s->pool_pages)
            return EPT_FILL_FULL;
    }
    if (attach)
        s->attach[s->nattach++] = entry;

    uint64_t base = page, len = EPT_PAGE_4K, block = gpa & ~(EPT_PAGE_2M - 1);
    if (level >= 2 && !absent_overlaps(s, block, block + EPT_PAGE_2M)) {
        base = block;
        len = EPT_PAGE_2M;
    }
    struct ept_ops own = s->ept->ops;
    s->ept->ops = (struct ept_ops){ pool_alloc, pool_virt, s };
    int r = ept_map_mtrr(s->ept, s->mtrrs, base, len, EPT_MT_UC);
    s->ept->ops = own;
    if (r)
        return EPT_FILL_FULL;                    /* not reached: the budget above covers the block */
    s->fills++;
    return done;
}
