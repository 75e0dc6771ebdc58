/* What kmain hands over to once the host is set up. */
#ifndef SKIFF_KERNEL_SKIFF_H
#define SKIFF_KERNEL_SKIFF_H

#include <stdint.h>

#include "cmdline.h"
#include "mb2.h"

extern struct skiff_config skiff_cfg;
extern struct mb2_info boot_info;

/* Bring up VMX and run the guest; returns Skiff's exit status. */
int skiff_run(const struct skiff_config *cfg, const struct mb2_info *mb, uint64_t tsc_entry);

#endif
