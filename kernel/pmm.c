#include "pmm.h"

static void rs_delete(struct rangeset *s, size_t i)
{
    for (; i + 1 < s->n; i++)
        s->r[i] = s->r[i + 1];
    s->n--;
}

static int rs_insert(struct rangeset *s, size_t i, uint64_t base, uint64_t end)
{
    if (s->n == RANGESET_MAX)
        return -1;
    for (size_t j = s->n; j > i; j--)
        s->r[j] = s->r[j - 1];
    s->r[i] = (struct range){ base, end };
    s->n++;
    return 0;
}

int rangeset_add(struct rangeset *s, uint64_t base, uint64_t end)
{
    if (base >= end)
        return 0;
    size_t i = 0;
    while (i < s->n && s->r[i].end < base)
        i++;
    /* r[i] is the first range that touches or follows [base, end). */
    if (i == s->n || s->r[i].base > end)
        return rs_insert(s, i, base, end);
    if (base < s->r[i].base)
        s->r[i].base = base;
    if (end > s->r[i].end)
        s->r[i].end = end;
    while (i + 1 < s->n && s->r[i + 1].base <= s->r[i].end) {
        if (s->r[i + 1].end > s->r[i].end)
            s->r[i].end = s->r[i + 1].end;
        rs_delete(s, i + 1);
    }
    return 0;
}

int rangeset_remove(struct rangeset *s, uint64_t base, uint64_t end)
{
    if (base >= end)
        return 0;
    for (size_t i = 0; i < s->n;) {
        struct range *r = &s->r[i];
        if (r->end <= base || r->base >= end) {
            i++;
        } else if (r->base >= base && r->end <= end) {
            rs_delete(s, i);
        } else if (r->base < base && r->end > end) {
            uint64_t old_end = r->end;
            if (rs_insert(s, i + 1, end, old_end))
                return -1;
            s->r[i].end = base;
            return 0;
        } else if (r->base < base) {
            r->end = base;
            i++;
        } else {
            r->base = end;
            i++;
        }
    }
    return 0;
}

bool rangeset_overlaps(const struct rangeset *s, uint64_t base, uint64_t end)
{
    if (base >= end)
        return false; /* an empty range overlaps nothing */
    for (size_t i = 0; i < s->n; i++)
        if (s->r[i].base < end && base < s->r[i].end)
            return true;
    return false;
}

bool rangeset_contains(const struct rangeset *s, uint64_t base, uint64_t end)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->r[i].base <= base && end <= s->r[i].end)
            return true;
    return false;
}

uint64_t rangeset_bytes(const struct rangeset *s)
{
    uint64_t total = 0;
    for (size_t i = 0; i < s->n; i++)
        total += s->r[i].end - s->r[i].base;
    return total;
}

void pmm_init(struct pmm *p)
{
    p->free.n = 0;
    p->owned.n = 0;
    p->free_pages = 0;
}

static void pmm_recount(struct pmm *p)
{
    p->free_pages = rangeset_bytes(&p->free) / PAGE_SIZE;
}

int pmm_add_usable(struct pmm *p, uint64_t base, uint64_t end)
{
    if (base > PAGE_MASK) /* rounding up would wrap to 0 */
        return 0;
    base = (base + PAGE_SIZE - 1) & PAGE_MASK;
    end &= PAGE_MASK;
    int r = rangeset_add(&p->free, base, end);
    pmm_recount(p);
    return r;
}

/* Round end up to a page; the last page [PAGE_MASK, 2^64) cannot be a range end. */
static uint64_t round_end_up(uint64_t end)
{
    return end > PAGE_MASK ? PAGE_MASK : (end + PAGE_SIZE - 1) & PAGE_MASK;
}

int pmm_reserve(struct pmm *p, uint64_t base, uint64_t end)
{
    base &= PAGE_MASK;
    end = round_end_up(end);
    int r = rangeset_remove(&p->free, base, end);
    pmm_recount(p);
    return r;
}

int pmm_claim(struct pmm *p, uint64_t base, uint64_t end)
{
    base &= PAGE_MASK;
    end = round_end_up(end);
    if (pmm_reserve(p, base, end))
        return -1;
    return rangeset_add(&p->owned, base, end);
}

uint64_t pmm_alloc(struct pmm *p, size_t pages, uint64_t limit)
{
    uint64_t bytes = (uint64_t)pages * PAGE_SIZE;

    if (pages == 0 || pages > UINT64_MAX / PAGE_SIZE)
        return 0;
    limit &= PAGE_MASK; /* whole pages only */
    for (size_t i = p->free.n; i-- > 0;) {
        uint64_t top = p->free.r[i].end < limit ? p->free.r[i].end : limit;
        if (top < p->free.r[i].base || top - p->free.r[i].base < bytes)
            continue;
        uint64_t base = top - bytes;
        if (base == 0) /* physical 0 doubles as the failure value */
            continue;
        if (rangeset_add(&p->owned, base, top))
            return 0;
        if (rangeset_remove(&p->free, base, top)) {
            rangeset_remove(&p->owned, base, top);
            return 0;
        }
        p->free_pages -= pages;
        return base;
    }
    return 0;
}

void pmm_free(struct pmm *p, uint64_t base, size_t pages)
{
    uint64_t end = base + (uint64_t)pages * PAGE_SIZE;
    rangeset_remove(&p->owned, base, end);
    rangeset_add(&p->free, base, end);
    pmm_recount(p);
}
