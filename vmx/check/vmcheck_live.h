/* Running the VMCS checker (vmx/check/vmcheck.c) on the live, current VMCS. */
#ifndef SKIFF_VMX_VMCHECK_LIVE_H
#define SKIFF_VMX_VMCHECK_LIVE_H

#include <stdbool.h>

#include "kernel/config/cmdline.h"
#include "kernel/cpu/percpu.h"
#include "vmx/core/vmcs.h"

extern enum vmcheck_mode vmcheck_mode;

/*
 * Before the launch (Skiff's pages are allocated then): one snapshot per CPU
 * for CPUs 0..ncpu-1, so a re-check reads again only what may have changed.
 * Without it every check reads every field.
 */
void vmcheck_cache_init(unsigned ncpu);

/* Check the current VMCS, print one `vmcheck:` line per violation; returns the count. */
unsigned vmcheck_current(const char *when);

/*
 * Before an entry: check when the mode and the dirty flag ask for it.
 * True when the entry may go ahead (no violation, or vmcheck=warn).
 */
bool vmcheck_before_entry(const char *when);

#endif
