/* 4-level EPT builder, SDM Vol. 3C 29.3. */
#include "vmx/mem/ept.h"

/* Bytes one entry of a level-n table maps: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
static uint64_t level_span(int level) { return 1ull << (12 + 9 * (level - 1)); }
static unsigned level_index(uint64_t gpa, int level) { return (gpa >> (12 + 9 * (level - 1))) & 511; }

/* 29.3.2: an entry is present when any of bits 2:0 is set. */
static bool ept_present(uint64_t e) { return e & EPT_RWX; }
static bool ept_is_leaf(uint64_t e, int level)
{
    return level == 1 || ((level == 2 || level == 3) && (e & EPT_LARGE));
}

static uint64_t *table_va(const struct ept *ept, uint64_t phys)
{
    return ept->ops.phys_to_virt(ept->ops.ctx, phys & EPT_ADDR_MASK);
}

static uint64_t new_table(struct ept *ept)
{
    uint64_t phys = ept->ops.alloc_page(ept->ops.ctx);
    if (phys)
        ept->table_pages++;
    return phys;
}

/*
 * Replaces the large leaf *entry at level (3 or 2) by a table of 512 leaves
 * one level down that map the same range with the same attributes.
 */
static int split_leaf(struct ept *ept, uint64_t *entry, int level)
{
    uint64_t phys = new_table(ept);
    if (!phys)
        return EPT_ERR_NOMEM;
    uint64_t *t = table_va(ept, phys);
    uint64_t span = level_span(level), child = level_span(level - 1);
    uint64_t base = *entry & EPT_ADDR_MASK & ~(span - 1);
    uint64_t attrs = *entry & ~(EPT_ADDR_MASK | EPT_LARGE);
    uint64_t large = level - 1 > 1 ? EPT_LARGE : 0;

    for (unsigned i = 0; i < 512; i++)
        t[i] = (base + i * child) | attrs | large;
    *entry = phys | EPT_RWX; /* non-leaf: permissions are decided by the leaves */
    return EPT_OK;
}

/* The table *entry (level > 1) points to, created or split out as needed. */
static uint64_t *child_table(struct ept *ept, uint64_t *entry, int level, int *rc)
{
    *rc = EPT_OK;
    if (!ept_present(*entry)) {
        uint64_t phys = new_table(ept);
        if (!phys) {
            *rc = EPT_ERR_NOMEM;
            return NULL;
        }
        *entry = phys | EPT_RWX;
    } else if (ept_is_leaf(*entry, level)) {
        *rc = split_leaf(ept, entry, level);
        if (*rc)
            return NULL;
    }
    return table_va(ept, *entry);
}

static bool leaf_allowed(const struct ept *ept, int level)
{
    return level == 1 || (level == 2 && ept->allow_2m) || (level == 3 && ept->allow_1g);
}

static int map_range(struct ept *ept, uint64_t *table, int level, uint64_t gpa,
                     uint64_t hpa, uint64_t size, uint64_t leaf_bits)
{
    uint64_t span = level_span(level);

    while (size) {
        uint64_t chunk = span - (gpa & (span - 1));
        if (chunk > size)
            chunk = size;
        uint64_t *e = &table[level_index(gpa, level)];
        bool is_table = ept_present(*e) && !ept_is_leaf(*e, level);

        if (leaf_allowed(ept, level) && chunk == span && !(hpa & (span - 1)) && !is_table) {
            *e = hpa | leaf_bits | (level > 1 ? EPT_LARGE : 0);
        } else {
            int rc;
            uint64_t *sub = child_table(ept, e, level, &rc);
            if (!sub)
                return rc;
            rc = map_range(ept, sub, level - 1, gpa, hpa, chunk, leaf_bits);
            if (rc)
                return rc;
        }
        gpa += chunk;
        hpa += chunk;
        size -= chunk;
    }
    return EPT_OK;
}

static int unmap_range(struct ept *ept, uint64_t *table, int level, uint64_t gpa, uint64_t size)
{
    uint64_t span = level_span(level);

    while (size) {
        uint64_t chunk = span - (gpa & (span - 1));
        if (chunk > size)
            chunk = size;
        uint64_t *e = &table[level_index(gpa, level)];

        if (ept_present(*e)) {
            if (ept_is_leaf(*e, level) && chunk == span) {
                *e = 0;
            } else {
                int rc;
                uint64_t *sub = child_table(ept, e, level, &rc);
                if (!sub)
                    return rc;
                rc = unmap_range(ept, sub, level - 1, gpa, chunk);
                if (rc)
                    return rc;
            }
        }
        gpa += chunk;
        size -= chunk;
    }
    return EPT_OK;
}

static int check_range(uint64_t gpa, uint64_t size)
{
    if ((gpa | size) & (EPT_PAGE_4K - 1))
        return EPT_ERR_ALIGN;
    if (size > EPT_GPA_LIMIT || gpa > EPT_GPA_LIMIT - size)
        return EPT_ERR_INVAL;
    return EPT_OK;
}

int ept_init(struct ept *ept, const struct ept_ops *ops, bool allow_1g, bool allow_2m)
{
    *ept = (struct ept){ 0 };
    if (!ops || !ops->alloc_page || !ops->phys_to_virt)
        return EPT_ERR_INVAL;
    ept->ops = *ops;
    ept->allow_1g = allow_1g;
    ept->allow_2m = allow_2m;
    ept->pml4_phys = new_table(ept);
    return ept->pml4_phys ? EPT_OK : EPT_ERR_NOMEM;
}

int ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size,
            unsigned perms, unsigned memtype)
{
    int rc = check_range(gpa, size);
    if (rc)
        return rc;
    if (hpa & (EPT_PAGE_4K - 1))
        return EPT_ERR_ALIGN;
    if (hpa > EPT_HPA_LIMIT - size)
        return EPT_ERR_INVAL;
    /* 29.3.3.1: write without read is a misconfiguration */
    if (!perms || (perms & ~EPT_RWX) || ((perms & EPT_W) && !(perms & EPT_R)))
        return EPT_ERR_INVAL;
    if (memtype != EPT_MT_UC && memtype != EPT_MT_WC && memtype != EPT_MT_WT &&
        memtype != EPT_MT_WP && memtype != EPT_MT_WB)
        return EPT_ERR_INVAL;

    uint64_t leaf_bits = perms | ((uint64_t)memtype << EPT_MT_SHIFT); /* ignore PAT = 0 */
    return map_range(ept, table_va(ept, ept->pml4_phys), 4, gpa, hpa, size, leaf_bits);
}

int ept_unmap(struct ept *ept, uint64_t gpa, uint64_t size)
{
    int rc = check_range(gpa, size);
    if (rc)
        return rc;
    return unmap_range(ept, table_va(ept, ept->pml4_phys), 4, gpa, size);
}

bool ept_translate(const struct ept *ept, uint64_t gpa, uint64_t *hpa,
                   unsigned *perms, unsigned *memtype, unsigned *level)
{
    if (gpa >= EPT_GPA_LIMIT)
        return false;
    uint64_t *table = table_va(ept, ept->pml4_phys);
    unsigned p = EPT_RWX;

    for (int l = 4; l >= 1; l--) {
        uint64_t e = table[level_index(gpa, l)];
        if (!ept_present(e))
            return false;
        p &= e & EPT_RWX;
        if (ept_is_leaf(e, l)) {
            uint64_t span = level_span(l);
            if (hpa)
                *hpa = (e & EPT_ADDR_MASK & ~(span - 1)) | (gpa & (span - 1));
            if (perms)
                *perms = p;
            if (memtype)
                *memtype = (e & EPT_MT_MASK) >> EPT_MT_SHIFT;
            if (level)
                *level = l;
            return true;
        }
        table = table_va(ept, e);
    }
    return false; /* not reached: level 1 entries are leaves */
}

uint64_t *ept_leaf_4k(struct ept *ept, uint64_t gpa)
{
    if (gpa >= EPT_GPA_LIMIT)
        return NULL;
    uint64_t *table = table_va(ept, ept->pml4_phys);
    for (int l = 4; l >= 1; l--) {
        uint64_t *e = &table[level_index(gpa, l)];
        if (!ept_present(*e))
            return NULL;
        if (ept_is_leaf(*e, l))
            return l == 1 ? e : NULL;
        table = table_va(ept, *e);
    }
    return NULL;
}

int ept_absent_entry(struct ept *ept, uint64_t gpa, uint64_t **entry)
{
    if (gpa >= EPT_GPA_LIMIT)
        return 0;
    uint64_t *table = table_va(ept, ept->pml4_phys);
    for (int l = 4; l >= 1; l--) {
        uint64_t *e = &table[level_index(gpa, l)];
        if (!ept_present(*e)) {
            *entry = e;
            return l;
        }
        if (ept_is_leaf(*e, l))
            return 0;
        table = table_va(ept, *e);
    }
    return 0;
}

uint64_t ept_make_eptp(uint64_t pml4_phys, bool enable_ad)
{
    return (pml4_phys & EPT_ADDR_MASK) | EPTP_MT_WB | EPTP_WALK_4 | (enable_ad ? EPTP_AD_ENABLE : 0);
}

size_t ept_table_pages(const struct ept *ept)
{
    return ept->table_pages;
}
