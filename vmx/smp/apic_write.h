/* The guest's local APIC writes, emulated while several vCPUs run (vmx/smp/apic_write.c). */
#ifndef SKIFF_VMX_APIC_WRITE_H
#define SKIFF_VMX_APIC_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/vcpu/vcpu_ops.h"

/* Set before the EPT is built, which then maps this page read-only. */
extern uint64_t apic_write_page;
/* The guest's APIC writes that exited (MMIO writes to the page, x2APIC ICR WRMSRs), all vCPUs;
 * of them, writes to the ICR.  Printed at the run end with several vCPUs. */
extern uint64_t apic_writes_trapped, apic_icr_writes_trapped;

/* An EPT violation at gpa: true when it was a write to the APIC page, with the action. */
bool apic_write_exit(struct vcpu *v, uint64_t gpa, enum exit_action *act);

/* Writes exit from the guest's start (the EPT built with the page read-only) until released;
 * an ICR write that sends INIT or SIPI goes to icr_write (smp_guest_icr_write), which takes
 * it when it returns true. */
extern volatile bool apic_trap_on;
struct ept;
void apic_trap_init(struct ept *ept, uint8_t *msr_bitmap, bool (*icr_write)(uint32_t icr_low, uint32_t dest_apic_id));
/* Every AP runs, and a later INIT/SIPI exits by itself: the guest's APIC writes stop exiting. */
void apic_trap_release(struct vcpu *v);

#endif
