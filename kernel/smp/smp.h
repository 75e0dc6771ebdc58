/*
 * Application processors (kernel/smp/smp.c): start every enabled CPU of the MADT
 * with INIT-SIPI-SIPI, bring it to 64-bit mode on Skiff's page tables with its
 * own GDT, TSS and stacks, turn VMX on there (VMX root operation blocks INIT,
 * so a guest cannot take the CPU over natively) and wait there until
 * vmx/smp/smp_guest.c gives it a vCPU to run.
 */
#ifndef SKIFF_KERNEL_SMP_H
#define SKIFF_KERNEL_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/firmware/mb2.h"

/*
 * Start the APs (up to max_cpus CPUs, the BSP included) and hold each in VMX
 * root; call after acpi_init, before the guest's memory is built.  -1 when a
 * CPU could not be put under VMX (each is named): the guest must not start.
 */
int smp_init(const struct mb2_info *mb, uint64_t info_phys, unsigned max_cpus);

/* How an AP enters VMX root operation (VMXON region, the BSP's CR4): true when it did.
 * Registered by the run's composition root (vmx/core/vmx_on.c) before smp_init;
 * without one every AP is parked as a CPU without VMX. */
void smp_set_ap_vmx_enable(bool (*enable)(uint64_t vmxon_phys, uint64_t cr4));

/* CPUs running Skiff code (1 + the APs that came up). */
unsigned smp_cpus_online(void);
/* CPU numbers 0 (the BSP) .. smp_cpu_count() - 1; some may not have come up. */
unsigned smp_cpu_count(void);
bool smp_cpu_has_vmx(unsigned cpu);      /* up, in VMX root operation */
uint32_t smp_cpu_apic_id(unsigned cpu);
/* Every AP in VMX root operation calls work(its CPU number) once; nothing is run before. */
void smp_release(void (*work)(unsigned cpu));
/* Wake CPU `cpu` if it sleeps in idle_wait (kernel/cpu/idle.h), after setting what it waits for. */
void smp_wake(unsigned cpu);
/* `skiff: cpuN idle: W wake-ups` for every AP that came up: how often its idle waits woke. */
void smp_print_idle(void);
/* Make CPU `cpu` leave the guest (INIT, then a SIPI for the wait-for-SIPI state). */
void smp_kick(unsigned cpu);
/* The same to every CPU but this one, by the ICR's shorthand: whatever APIC ids the guest gave them.
 * False when this CPU's local APIC could not send (the guest disabled it for good). */
bool smp_kick_others(void);
/* Stop every other CPU before the final line (registered with kernel/end/runend.c by smp_init). */
void smp_stop_others(void);

#endif
