/* Exit trace: the last N exits in a ring (trace=N), or one line per exit (trace=stream). */
#ifndef SKIFF_VMX_TRACE_H
#define SKIFF_VMX_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/core/vcpu.h"

extern bool trace_enabled;        /* checked on every exit: one load and branch when off */

/* Before the guest's EPT is built: the ring's pages are Skiff's. */
#define TRACE_MAX_CPUS 64
void trace_init(uint32_t ring_entries, bool stream, unsigned vcpus);
void trace_record(const struct vcpu *v);
/* Print the ring, oldest first (on a guest stop or a host panic). */
void trace_dump(void);

#endif
