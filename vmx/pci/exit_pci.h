/*
 * The guest's PCI configuration mechanism #1 (ports 0xCF8-0xCFF): its
 * CONFIG_ADDRESS is Skiff's to keep, reads pass through, writes go through
 * vmx/policy/pci_policy.c (vmx/exit/exit_io.c routes the ports here).
 */
#ifndef SKIFF_VMX_EXIT_PCI_H
#define SKIFF_VMX_EXIT_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/pci/pci.h"
#include "vmx/vcpu/vcpu_ops.h"

/* Any byte of [port, port + size) in 0xCF8-0xCFF. */
static inline bool pci_io_port(uint16_t port, unsigned size)
{
    return (uint32_t)port + size > 0xcf8 && port <= 0xcff;
}

uint32_t pci_io_in(uint16_t port, unsigned size);
/* EXIT_RESUME, or the guest's stop when the policy refuses the write. */
enum exit_action pci_io_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val);

/*
 * A guest write to configuration space by either mechanism (vmx/pci/ecam_write.c too):
 * true with *value (what to write) and *pm_block (pass it to pci_after_write), or false
 * when the write must not happen: refused and named, the guest runs on (*act EXIT_RESUME;
 * the access completes without it), or the policy stopped the guest (*act).
 */
struct pci_rule;
bool pci_judge_write(struct vcpu *v, struct pci_addr a, unsigned size, uint32_t *value,
                     const struct pci_rule **pm_block, enum exit_action *act);
void pci_after_write(struct pci_addr a, const struct pci_rule *pm_block);

#endif
