/*
 * PCI configuration space through ECAM (the MCFG's windows, PCI Express
 * Base 4.0, 7.2.2): the EPT maps each window below 4 GiB read-only, so
 * reads run at native speed and every write exits; Skiff performs the write
 * after the same policy as configuration mechanism #1 (vmx/pci/exit_pci.c).
 */
#ifndef SKIFF_VMX_ECAM_WRITE_H
#define SKIFF_VMX_ECAM_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/mem/ept.h"
#include "vmx/vcpu/vcpu_ops.h"

/* Map the host's ECAM windows read-only into ept (after RAM); prints one line each. */
int ecam_protect(struct ept *ept);
/* An EPT violation at gpa: true when it was a write to an ECAM window, with the action. */
bool ecam_write_exit(struct vcpu *v, uint64_t gpa, enum exit_action *act);

#endif
