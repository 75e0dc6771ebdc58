/* The one way a Skiff run ends. */
#ifndef SKIFF_KERNEL_RUNEND_H
#define SKIFF_KERNEL_RUNEND_H

#include <stdbool.h>

#include "kernel/config/cmdline.h"

/* Exit statuses printed as `skiff: exit status=N` (README lists them). */
enum skiff_status {
    SKIFF_OK = 0,            /* the guest ran and ended with status 0 */
    SKIFF_GUEST_FAILED = 1,  /* the guest ended with a failure, or was stopped */
    SKIFF_BAD_INPUT = 2,     /* malformed command line, boot information or module */
    SKIFF_UNSUPPORTED = 3,   /* the CPU or firmware lacks something Skiff needs */
    SKIFF_HOST_FAULT = 4,    /* a host exception or panic */
    SKIFF_VMX_FAILED = 5,    /* a VMX instruction or VM entry failed */
};

void runend_configure(enum onexit_action action);

/* A check run_end makes before its last line: it returns the status to print, and says why
 * when it fails a run that was going to pass (kernel/iommu/iommu.c: a device reached for Skiff's pages;
 * vmx/tripwire/tripwire.c: protected state changed).  Up to four, run in the order registered. */
void runend_set_check(int (*check)(int status));

/*
 * Stopping the other CPUs (issue 20, item 11).  The first CPU in run_end owns the end; before
 * its final line it calls the stop hook (kernel/smp/smp.c: NMI, then INIT and SIPI, to all but
 * itself) after the notify hook (vmx/smp/smp_guest.c, registered by guest/run/main.c: the run is
 * ending for every vCPU), and every other CPU parks: interrupts off, halted in VMX root operation.
 */
void runend_set_stop(void (*stop_others)(void));
void runend_set_notify(void (*notify)(void));
/* True on a CPU that must park: another CPU is ending the run. */
bool run_end_elsewhere(void);
/* Park this CPU for good (counted); a CPU that sees run_end_elsewhere() calls it. */
__attribute__((noreturn)) void run_end_park(void);
unsigned run_end_parked(void);

/*
 * Print `skiff: exit status=N`, flush the console, then end the run:
 * QEMU isa-debug-exit (port 0xf4), Bochs' magic breakpoint on success or
 * its shutdown port otherwise, then halt, or with onexit=reboot: the FADT
 * reset register, the keyboard controller, a triple fault; with
 * onexit=poweroff: ACPI S5 (FADT PM1a/PM1b_CNT), QEMU's and Bochs' PM1a_CNT.
 */
__attribute__((noreturn)) void run_end(int status);

#endif
