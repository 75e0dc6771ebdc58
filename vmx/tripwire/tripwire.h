/*
 * Tripwires (issue 20): the state Skiff protects, recorded before the guest starts and checked
 * at the run end, and after every exit with tripwire=always (a debug option, the fuzzer's).  One
 * table, a row per item (vmx/tripwire/tripwire.c lists them and what is not covered yet).  A
 * change is a named verdict: `skiff: tripwire: <item> changed: <detail>`, and the run fails.
 */
#ifndef SKIFF_VMX_TRIPWIRE_H
#define SKIFF_VMX_TRIPWIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/config/cmdline.h"

/* tripwire=always: vmx/exit/exit_dispatch.c checks after every exit. */
extern bool tripwire_every_exit;

/* Before the guest starts, once the bitmaps are final: record every row.  The bitmaps are
 * Skiff's (virtual addresses): MSR bitmap, I/O bitmaps A and B. */
void tripwire_arm(enum tripwire_mode mode, uint8_t *msr_bitmap, uint8_t *io_a, uint8_t *io_b);
/* The run-end check (kernel/end/runend.h): prints one line, fails a passing run on a change. */
int tripwire_runend_check(int status);
/* After an exit (tripwire=always): false on a change (printed; the caller ends the run). */
bool tripwire_check_exit(uint64_t exit_number, uint32_t reason);
/* selftest=tripwire: Skiff itself flips one bit of the MSR bitmap, so the run end must name it; with
 * tripwire=always, call it before the launch: the bit is flipped at CPU 0's 100th exit, whose check
 * must name it. */
void tripwire_selftest(void);

#endif
