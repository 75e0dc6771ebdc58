/*
 * Application processors (kernel/smp.c): start every enabled CPU of the MADT
 * with INIT-SIPI-SIPI, bring it to 64-bit mode on Skiff's page tables with its
 * own GDT, TSS and stacks, turn VMX on there (VMX root operation blocks INIT,
 * so a guest cannot take the CPU over natively) and park it.
 */
#ifndef SKIFF_KERNEL_SMP_H
#define SKIFF_KERNEL_SMP_H

#include "mb2.h"

/* Start the APs; call after acpi_init, before the guest's memory is built. */
void smp_init(const struct mb2_info *mb, uint64_t info_phys);

/* CPUs running Skiff code (1 + the APs that came up). */
unsigned smp_cpus_online(void);

#endif
