/* The guest's memory map: the firmware's, minus what Skiff keeps. */
#ifndef SKIFF_KERNEL_MEMMAP_H
#define SKIFF_KERNEL_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/firmware/mb2.h"
#include "kernel/mem/pmm.h"

/* e820 types (ACPI 6.x Table 15-374 "Address Range Types"). */
#define E820_RAM      1
#define E820_RESERVED 2
#define E820_ACPI     3
#define E820_NVS      4
#define E820_UNUSABLE 5

#define GUEST_MAP_MAX 128

/* The guest-physical memory map the guest is given, sorted by base, non-overlapping.
 * Skiff's own pages are never E820_RAM here (they are E820_RESERVED holes). */
struct guest_memmap {
    size_t n;
    struct {
        uint64_t base, len;
        uint32_t type;
    } e[GUEST_MAP_MAX];
};

/*
 * Build the guest's e820 map from the firmware map.  RAM that overlaps
 * `owned` (Skiff's pages) becomes E820_RESERVED; so does RAM beyond the first
 * `guest_mem` bytes of guest RAM (0 = no limit).  `withheld` receives every
 * RAM range the guest does not get (owned and cut), for the EPT to leave out.
 * Returns 0, or -1 when the map does not fit GUEST_MAP_MAX entries.
 */
int guest_memmap_build(const struct mb2_mmap_entry *fw, size_t nfw, const struct rangeset *owned,
                       uint64_t guest_mem, struct guest_memmap *out, struct rangeset *withheld);

/* Bytes of E820_RAM in the map. */
uint64_t guest_memmap_ram(const struct guest_memmap *m);

const char *e820_type_name(uint32_t type);

#endif
