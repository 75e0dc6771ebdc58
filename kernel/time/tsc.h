/*
 * Skiff's clock: the TSC, its frequency decided once at boot (tsc_calibrate, issue 21 item 6)
 * from CPUID and a measurement against the ACPI PM timer or the PIT channel 2
 * (kernel/time/tsc_calib.h), and the delays and budgets built on it: udelay, the watchdog, the
 * run-end tick, the waits for other CPUs.
 */
#ifndef SKIFF_KERNEL_TSC_H
#define SKIFF_KERNEL_TSC_H

#include <stdbool.h>
#include <stdint.h>

extern uint64_t tsc_hz;                  /* 0 until tsc_calibrate */

/* Decide tsc_hz (after acpi_init: the PM timer's port is in the FADT) and print
 * `skiff: tsc: N MHz, calibrated against SOURCE`; pm_timer false (tsc_ref=pit) measures
 * against the PIT even where there is a PM timer. */
void tsc_calibrate(bool pm_timer);

/* TSC ticks in `ms` milliseconds (at 1 GHz before tsc_calibrate). */
uint64_t tsc_ms(uint64_t ms);

/* Busy-wait `us` microseconds by the TSC (before tsc_calibrate: reads of the POST port,
 * about a microsecond each on real hardware). */
void udelay(unsigned us);

#endif
