/* Host memory: the page allocator over the firmware map, and Skiff's own page tables. */
#ifndef SKIFF_KERNEL_MEMORY_H
#define SKIFF_KERNEL_MEMORY_H

#include <stdint.h>

#include "mb2.h"
#include "pmm.h"

extern struct pmm host_pmm;

/* Physical range of Skiff's loaded image. */
uint64_t image_phys_start(void);
uint64_t image_phys_end(void);

/* Build the allocator from the memory map; returns false (and says why) on bad input. */
bool memory_init(const struct mb2_info *mb, uint64_t info_phys, uint64_t load_base);
/* Replace the early page tables with Skiff's own; returns the new CR3. */
uint64_t paging_init(const struct mb2_info *mb);

/* Zeroed pages below 4 GiB, owned by Skiff (withheld from the guest); panics when out of memory. */
uint64_t alloc_pages(unsigned count);
static inline uint64_t alloc_page(void) { return alloc_pages(1); }

static inline void *phys_to_virt(uint64_t pa) { return (void *)pa; }   /* identity map */

#endif
