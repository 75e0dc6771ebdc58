#include "kernel/mem/pmm.h"

#include "kernel/lib/lib.h"

/*
 * Sorted arrays of disjoint ranges, each element starting with its struct
 * range (a rangeset's ranges, a pmm's owner names): the edits both share.
 */
struct range_array {
    void *a;
    size_t *n, max, size;             /* elements, their count, capacity, element size */
};

static struct range *ra_at(const struct range_array *ra, size_t i) { return (struct range *)((char *)ra->a + i * ra->size); }

static void ra_delete(const struct range_array *ra, size_t i)
{
    memmove(ra_at(ra, i), ra_at(ra, i + 1), (*ra->n - i - 1) * ra->size);
    (*ra->n)--;
}

/* Insert a copy of element `from` (it may be one of the array's) at i with range [base, end). */
static int ra_insert(const struct range_array *ra, size_t i, const struct range *from, uint64_t base, uint64_t end)
{
    if (*ra->n == ra->max)
        return -1;
    char elem[sizeof(struct pmm_tag)];   /* the largest element */
    if (ra->size > sizeof(elem))
        return -1;
    memcpy(elem, from, ra->size);
    memmove(ra_at(ra, i + 1), ra_at(ra, i), (*ra->n - i) * ra->size);
    memcpy(ra_at(ra, i), elem, ra->size);
    *ra_at(ra, i) = (struct range){ base, end };
    (*ra->n)++;
    return 0;
}

/* Cut [base, end) out of every element, splitting the one that spans it. */
static int ra_cut(const struct range_array *ra, uint64_t base, uint64_t end)
{
    if (base >= end)
        return 0;
    for (size_t i = 0; i < *ra->n;) {
        struct range *r = ra_at(ra, i);
        if (r->end <= base || r->base >= end) {
            i++;
        } else if (r->base >= base && r->end <= end) {
            ra_delete(ra, i);
        } else if (r->base < base && r->end > end) {
            if (ra_insert(ra, i + 1, r, end, r->end))
                return -1;
            ra_at(ra, i)->end = base;
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

static struct range_array rs_array(struct rangeset *s)
{
    return (struct range_array){ s->r, &s->n, RANGESET_MAX, sizeof(s->r[0]) };
}

static void rs_delete(struct rangeset *s, size_t i)
{
    struct range_array ra = rs_array(s);
    ra_delete(&ra, i);
}

static int rs_insert(struct rangeset *s, size_t i, uint64_t base, uint64_t end)
{
    struct range_array ra = rs_array(s);
    struct range r = { base, end };
    return ra_insert(&ra, i, &r, base, end);
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
    struct range_array ra = rs_array(s);
    return ra_cut(&ra, base, end);
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
    p->ntags = 0;
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
    pmm_tag(p, base, end, 0);
    pmm_recount(p);
}

/* ---- owner names ---------------------------------------------------------- */

static bool name_eq(const char *a, const char *b) { return a && b ? !strcmp(a, b) : a == b; }

int pmm_tag(struct pmm *p, uint64_t base, uint64_t end, const char *what)
{
    struct range_array ra = { p->tags, &p->ntags, PMM_TAGS_MAX, sizeof(p->tags[0]) };
    base &= PAGE_MASK;
    end = round_end_up(end);
    if (base >= end)
        return 0;
    if (ra_cut(&ra, base, end))          /* older names there go first */
        return -1;
    if (!what)
        return 0;
    size_t i = 0;
    while (i < p->ntags && p->tags[i].r.base < base)
        i++;
    bool prev = i > 0 && p->tags[i - 1].r.end == base && name_eq(p->tags[i - 1].what, what);
    bool next = i < p->ntags && p->tags[i].r.base == end && name_eq(p->tags[i].what, what);
    if (prev && next) {
        p->tags[i - 1].r.end = p->tags[i].r.end;
        ra_delete(&ra, i);
    } else if (prev) {
        p->tags[i - 1].r.end = end;
    } else if (next) {
        p->tags[i].r.base = base;
    } else {
        struct pmm_tag t = { { base, end }, what };
        return ra_insert(&ra, i, &t.r, base, end);
    }
    return 0;
}
