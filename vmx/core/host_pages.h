/*
 * Where Skiff's own pages are, for the built-in guest's attack cases
 * (guest/programs/builtin/attack.c): every one of them is withheld from the EPT, and
 * the guest is told their addresses so it can try to reach them.
 */
#ifndef SKIFF_VMX_HOST_PAGES_H
#define SKIFF_VMX_HOST_PAGES_H

#include <stdint.h>

struct host_pages {
    uint64_t vmcs, vmxon, ept_pml4, io_bitmap_a, io_bitmap_b, msr_bitmap;
    uint64_t exit_stack, host_stack, host_cr3;   /* physical addresses */
};

extern struct host_pages host_pages;

/* Record them (guest/run/run.c, once everything is allocated, before the guest is loaded). */
void host_pages_note(uint64_t vmcs, uint64_t ept_pml4, uint64_t io_a, uint64_t io_b, uint64_t msr,
                     const void *exit_stack_top);

/* VMXON region (vmx/core/vmx_on.c). */
uint64_t vmx_vmxon_phys(void);

#endif
