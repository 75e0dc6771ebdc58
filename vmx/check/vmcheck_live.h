/* Running the VMCS checker (vmx/check/vmcheck.c) on the live, current VMCS. */
#ifndef SKIFF_VMX_VMCHECK_LIVE_H
#define SKIFF_VMX_VMCHECK_LIVE_H

#include <stdbool.h>

#include "kernel/cmdline.h"
#include "kernel/percpu.h"

extern enum vmcheck_mode vmcheck_mode;
/* Set by vmcs_set() (every VMWRITE off the hot path): re-check this CPU's current VMCS
 * before its next entry.  Per CPU (kernel/percpu.h), read by vmx/core/exit_stub.S. */
#define vmcheck_dirty (this_cpu()->vmcheck_dirty)

/* Check the current VMCS, print one `vmcheck:` line per violation; returns the count. */
unsigned vmcheck_current(const char *when);

/*
 * Before an entry: check when the mode and the dirty flag ask for it.
 * True when the entry may go ahead (no violation, or vmcheck=warn).
 */
bool vmcheck_before_entry(const char *when);

#endif
