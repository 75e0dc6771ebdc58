/* The host's configuration and boot information, parsed once by kernel_init. */
#ifndef SKIFF_KERNEL_SKIFF_H
#define SKIFF_KERNEL_SKIFF_H

#include <stdint.h>

#include "kernel/config/cmdline.h"
#include "kernel/firmware/mb2.h"

extern struct skiff_config skiff_cfg;
extern struct mb2_info boot_info;

/*
 * The host, from the 64-bit entry until VMX can start: descriptor tables, boot
 * information, command line, console, memory, ACPI, the other CPUs (held in VMX
 * root operation through the hook smp_set_ap_vmx_enable), the IOMMU.  Returns
 * only when all of it is ready; every failure ends the run with a named verdict.
 */
void kernel_init(uint32_t magic, uint32_t info_phys, uint64_t load_base);

#endif
