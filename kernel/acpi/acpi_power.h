/* The host's ACPI tables (parsed once by acpi_init) and ACPI power-off and reset. */
#ifndef SKIFF_KERNEL_ACPI_POWER_H
#define SKIFF_KERNEL_ACPI_POWER_H

#include "kernel/firmware/acpi.h"
#include "kernel/firmware/acpi_rsdp.h"
#include "kernel/firmware/mb2.h"

extern struct acpi_info acpi_host;
extern bool acpi_host_ok;
/* Where the firmware keeps the RSDP GRUB copied (kernel/firmware/acpi_rsdp.h), 0 if not found. */
extern uint64_t acpi_rsdp_pa;
extern enum acpi_rsdp_where acpi_rsdp_found;

/* The acpi_map_fn for the host's tables: below 4 GiB, or in a range of the memory map. */
const void *acpi_host_map(void *ctx, uint64_t pa, uint64_t len);
/* Parse the tables behind the Multiboot2 RSDP copy and print one summary line; find the RSDP itself
 * and say where it is. */
void acpi_init(const struct mb2_info *mb);
/* S5 through PM1a/PM1b_CNT (SLP_TYP | SLP_EN); returns if the machine is still on. */
void acpi_poweroff(void);
/* Write RESET_VALUE to the FADT's reset register; returns if the machine is still on. */
void acpi_reset(void);

#endif
