/* A run: VMX on, the guest's memory and EPT, the VMCS, the guest loaded and run (guest/run/run.c). */
#ifndef SKIFF_GUEST_RUN_H
#define SKIFF_GUEST_RUN_H

#include <stdint.h>

#include "kernel/config/cmdline.h"
#include "kernel/firmware/mb2.h"
#include "kernel/mem/memmap.h"

/* Bring up VMX and run the guest; returns Skiff's exit status (kernel/end/runend.h). */
int skiff_run(const struct skiff_config *cfg, const struct mb2_info *mb, uint64_t tsc_entry);

/* The guest's memory map, one line per e820 entry (a VMX run and vmx=off print it alike). */
void run_print_guest_map(const struct guest_memmap *map);

#endif
