/* Host memory: the page allocator over the firmware map, and Skiff's own page tables. */
#ifndef SKIFF_KERNEL_MEMORY_H
#define SKIFF_KERNEL_MEMORY_H

#include <stdint.h>

#include "kernel/firmware/mb2.h"
#include "kernel/mem/pmm.h"

extern struct pmm host_pmm;

/* Physical range of Skiff's loaded image. */
uint64_t image_phys_start(void);
uint64_t image_phys_end(void);

/* Build the allocator from the memory map; returns false (and says why) on bad input. */
bool memory_init(const struct mb2_info *mb, uint64_t info_phys, uint64_t load_base);
/* Replace the early page tables with Skiff's own; returns the new CR3. */
uint64_t paging_init(const struct mb2_info *mb);

/*
 * Zeroed pages below 4 GiB, owned by Skiff (withheld from the guest) and named
 * `what` (a static string) in the owned map; panics when out of memory.
 */
uint64_t alloc_pages(unsigned count, const char *what);
static inline uint64_t alloc_page(const char *what) { return alloc_pages(1, what); }
/* Name the whole owned pages in [base, end) that Skiff did not allocate (image objects, the SMP page). */
void memory_tag(uint64_t base, uint64_t end, const char *what);
/* loglevel=debug: `skiff: owned: 0xSTART-0xEND <what>` for every range of owned pages. */
void memory_print_owned(void);
/* The physical address of an object in Skiff's image. */
uint64_t image_phys_of(const void *p);

static inline void *phys_to_virt(uint64_t pa) { return (void *)pa; }   /* identity map */

#endif
