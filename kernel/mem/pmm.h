/*
 * Physical memory: sorted sets of [base, end) ranges and the page allocator
 * built on them.  Pure code, unit-tested on the host.
 *
 * The allocator hands out pages top-down below a limit, so everything Skiff
 * allocates clusters next to its image near the top of RAM.  Every page it
 * hands out is also recorded in `owned`: the set of pages the guest must
 * never see (absent from its EPT and from the memory map it is given).
 */
#ifndef SKIFF_KERNEL_PMM_H
#define SKIFF_KERNEL_PMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE  4096ull
#define PAGE_MASK  (~(PAGE_SIZE - 1))
#define RANGESET_MAX 96

struct range {
    uint64_t base, end;          /* [base, end) */
};

struct rangeset {
    size_t n;
    struct range r[RANGESET_MAX]; /* sorted, disjoint, not adjacent */
};

int rangeset_add(struct rangeset *s, uint64_t base, uint64_t end);    /* 0, -1 when full */
int rangeset_remove(struct rangeset *s, uint64_t base, uint64_t end); /* 0, -1 when full */
bool rangeset_overlaps(const struct rangeset *s, uint64_t base, uint64_t end);
bool rangeset_contains(const struct rangeset *s, uint64_t base, uint64_t end);
uint64_t rangeset_bytes(const struct rangeset *s);

/*
 * What a range of owned pages holds, for the owned map (`skiff: owned: ...`):
 * sorted, disjoint; adjacent ranges with the same name are one.  Names are
 * static strings.  Pages without a tag are still owned, only unnamed.
 */
#define PMM_TAGS_MAX 128

struct pmm_tag {
    struct range r;              /* first: kernel/mem/pmm.c edits tags and ranges alike */
    const char *what;
};

struct pmm {
    struct rangeset free;        /* pages that may be handed out */
    struct rangeset owned;       /* pages Skiff uses: image and everything allocated */
    uint64_t free_pages;
    size_t ntags;
    struct pmm_tag tags[PMM_TAGS_MAX];
};

void pmm_init(struct pmm *p);
/* Usable RAM [base, end), shrunk inwards to whole pages. */
int pmm_add_usable(struct pmm *p, uint64_t base, uint64_t end);
/* Never hand out [base, end) (grown outwards to whole pages). */
int pmm_reserve(struct pmm *p, uint64_t base, uint64_t end);
/* Mark [base, end) as Skiff's own (its image): reserved and owned. */
int pmm_claim(struct pmm *p, uint64_t base, uint64_t end);
/* Highest run of `pages` free pages ending at or below `limit`; 0 when none. */
uint64_t pmm_alloc(struct pmm *p, size_t pages, uint64_t limit);
void pmm_free(struct pmm *p, uint64_t base, size_t pages);
/* Name [base, end) (grown outwards to whole pages) `what`, replacing older names
 * there; what == NULL removes them.  0, -1 when the table is full (left unnamed). */
int pmm_tag(struct pmm *p, uint64_t base, uint64_t end, const char *what);

#endif
