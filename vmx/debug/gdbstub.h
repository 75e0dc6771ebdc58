/*
 * A gdb remote-serial-protocol stub for the guest, on its own polled UART
 * (command line gdb=ttyS1).  See vmx/debug/gdbstub.c and README "Debugging the
 * guest with gdb".
 */
#ifndef SKIFF_VMX_GDBSTUB_H
#define SKIFF_VMX_GDBSTUB_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/core/vcpu.h"
#include "vmx/vcpu/vcpu_ops.h"

/* True once gdb_init ran: the dispatcher's only test when gdb is off. */
extern bool gdb_enabled;

/*
 * After vmcs_setup, before the first VM entry: take the UART at `port`,
 * intercept it and #BP, and serve gdb until it resumes the guest.  False
 * when gdb killed the guest before its first instruction (v->end is set).
 */
bool gdb_init(struct vcpu *v, uint16_t port);

/*
 * vmx_exit_dispatch's hook, before the handler table.  True when the stub
 * consumed the exit (MTF, its own #BP, the stub's UART); *action says what
 * to do.  False: dispatch normally (after a stop gdb chose to resume from).
 */
bool gdb_on_exit(struct vcpu *v, uint32_t basic, enum exit_action *action);

/* After the run: tell a waiting gdb how the guest ended (W or X packet). */
void gdb_end(struct vcpu *v);

#endif
