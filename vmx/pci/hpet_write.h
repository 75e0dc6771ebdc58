/*
 * The HPET's register page (the ACPI "HPET" table's base, kernel/firmware/hpet.h):
 * the EPT maps it read-only, so reads run at native speed and every write
 * exits; Skiff performs the write unless it aims a timer's FSB interrupt
 * message at something other than an interrupt address, or enables FSB
 * delivery while the route holds such an address.  Those stop the guest with a
 * named verdict.  The HPET is otherwise the guest's.
 */
#ifndef SKIFF_VMX_HPET_WRITE_H
#define SKIFF_VMX_HPET_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/mem/ept.h"
#include "vmx/vcpu/vcpu_ops.h"

/* Find the HPET in the host's ACPI tables and map its page read-only into ept; prints one line. */
int hpet_protect(struct ept *ept);
/* An EPT violation at gpa: true when it was a write to the HPET's page, with the action. */
bool hpet_write_exit(struct vcpu *v, uint64_t gpa, enum exit_action *act);

#endif
