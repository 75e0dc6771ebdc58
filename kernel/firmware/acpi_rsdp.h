/*
 * Where the firmware keeps the RSDP.  GRUB's Multiboot2 information carries a
 * copy of it (tags 14 and 15), not its address; a guest told where the RSDP is
 * (Linux: boot_params.acpi_rsdp_addr) needs the firmware's own, in memory the
 * guest sees.  Pure code over a bounded map callback, like kernel/firmware/acpi.c.
 */
#ifndef SKIFF_KERNEL_ACPI_RSDP_H
#define SKIFF_KERNEL_ACPI_RSDP_H

#include <stdint.h>

#include "kernel/firmware/acpi.h"
#include "kernel/firmware/mb2.h"

enum acpi_rsdp_where {
    ACPI_RSDP_NONE = 0,      /* no copy in the information, or the firmware's RSDP was not found */
    ACPI_RSDP_EFI,           /* the EFI configuration table (ACPI 2.0, else ACPI 1.0 GUID) */
    ACPI_RSDP_EBDA,          /* the first KiB of the Extended BIOS Data Area */
    ACPI_RSDP_BIOS,          /* the BIOS area 0xe0000-0xfffff */
};

/*
 * The physical address of an RSDP identical to the copy in mb (the bytes its
 * revision covers), looked up where the ACPI specification (6.4, 5.2.5.1 and
 * 5.2.5.2) says an OS finds it: the EFI system table's configuration table
 * when mb has one (tags 11, 12), else the EBDA and the BIOS area on 16-byte
 * boundaries.  0 when there is none; *where says which.
 */
uint64_t acpi_rsdp_locate(const struct mb2_info *mb, acpi_map_fn map, void *ctx,
                          enum acpi_rsdp_where *where);

const char *acpi_rsdp_where_name(enum acpi_rsdp_where w);

#endif
