/*
 * Every CPU under Skiff runs one guest vCPU (vmx/smp/smp_guest.c): vCPU N on
 * CPU N, an AP's vCPU starting when the guest sends it a SIPI.
 */
#ifndef SKIFF_VMX_SMP_GUEST_H
#define SKIFF_VMX_SMP_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/config/cmdline.h"
#include "vmx/core/vcpu.h"
#include "vmx/vcpu/vcpu_ops.h"

/* Before the guest's memory is built (everything allocated here is withheld):
 * a vCPU and a VMCS for every AP in VMX root operation.  Returns the vCPU count. */
unsigned smp_guest_alloc(const struct skiff_config *cfg, struct vcpu *bsp);

/* More than one vCPU (known once smp_guest_alloc has run). */
bool smp_guest_multi(void);
unsigned smp_guest_vcpus(void);

/* A guest ICR write (low half, destination APIC id from the high half): true when
 * Skiff took it (an INIT or SIPI for a vCPU), false when it goes to the APIC. */
bool smp_guest_icr_write(uint32_t icr_low, uint32_t dest_apic_id);

/* Just before the BSP's VMLAUNCH: every AP sets up its VMCS and waits for the guest's SIPI. */
void smp_guest_start(uint64_t io_bitmap_a, uint64_t io_bitmap_b, uint64_t msr_bitmap);

/* Non-zero once the run ends: every exit of every vCPU looks (vmx/exit/exit_dispatch.c). */
extern uint32_t smp_guest_ending;
/* Stop v because the run ended on another vCPU (`guest vCPU N stopped: the run ended on CPU M`). */
enum exit_action smp_guest_stop_ended(struct vcpu *v);

/* run_end on any CPU (kernel/end/runend.c's notify hook): the run is ending for every vCPU. */
void smp_guest_run_ending(void);

/* A vCPU's run ended (any CPU): the first one to end stops all the others. */
void smp_guest_end(struct vcpu *v);

/* BSP, after its own run: wait for every vCPU to stop and return the vCPU
 * whose end decides the run's status. */
struct vcpu *smp_guest_finish(struct vcpu *bsp);

/* `skiff: exits: cpuN total=...` per vCPU (with several), then the sum over all. */
void smp_guest_print_exits(void);

/* INIT signal and SIPI exits (SDM Vol. 3C 26.2 "Other Causes of VM Exits"), for the dispatcher's table. */
enum exit_action handle_init(struct vcpu *v);
enum exit_action handle_sipi(struct vcpu *v);

#endif
