/*
 * A guest store to a page the EPT maps read-only, performed by Skiff
 * (vmx/emulate/mmio_write.c): decode the instruction at the guest's RIP
 * (vmx/emulate/insn_decode.c), compute what it stores and its register and RFLAGS
 * results (vmx/emulate/insn_emulate.c), check that the access is the one that
 * exited, let the page's owner perform it, write the results back.  The
 * users: the local APIC while several vCPUs run (vmx/smp/apic_write.c) and PCI
 * configuration space through ECAM (vmx/pci/ecam_write.c).
 */
#ifndef SKIFF_VMX_MMIO_WRITE_H
#define SKIFF_VMX_MMIO_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/vcpu/vcpu_ops.h"

struct mmio_write_ops {
    const char *what;                         /* "the local APIC (offset 0x%llx)"-style name, no format */
    /* Read size bytes at pa of the page (for read-modify-write forms and MOVS from it). */
    uint64_t (*load)(uint64_t pa, unsigned size);
    /*
     * Perform the store; return NULL when done, or why it is refused (the guest is
     * stopped with that reason and the instruction's bytes).  May instead end the guest
     * itself: then it sets *act and *stopped.
     */
    const char *(*store)(struct vcpu *v, uint64_t pa, unsigned size, uint64_t value, bool *stopped,
                         enum exit_action *act);
};

/* A load or store of size bytes (1, 2, 4, 8) at an identity-mapped physical address. */
static inline uint64_t mmio_load(uint64_t pa, unsigned size)
{
    switch (size) {
    case 1: return *(volatile uint8_t *)pa;
    case 2: return *(volatile uint16_t *)pa;
    case 4: return *(volatile uint32_t *)pa;
    default: return *(volatile uint64_t *)pa;
    }
}

static inline void mmio_store(uint64_t pa, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: *(volatile uint8_t *)pa = (uint8_t)v; break;
    case 2: *(volatile uint16_t *)pa = (uint16_t)v; break;
    case 4: *(volatile uint32_t *)pa = (uint32_t)v; break;
    default: *(volatile uint64_t *)pa = v; break;
    }
}

/* The EPT violation at gpa (a write) on the page at page: emulate it; always sets *act. */
void mmio_write_emulate(struct vcpu *v, uint64_t gpa, uint64_t page, const struct mmio_write_ops *ops,
                        enum exit_action *act);

#endif
