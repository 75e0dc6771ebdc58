/* Fatal host errors: one marker, the machine state, the run-end status. */
#ifndef SKIFF_KERNEL_PANIC_H
#define SKIFF_KERNEL_PANIC_H

#include <stdint.h>

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* Hook for extra state on a panic (the VMX layer dumps the current VMCS). */
void panic_set_hook(void (*hook)(void));

/* An NMI in VMX root operation belongs to the guest: the layer that owns it
 * registers its handler (vmx/vcpu/nmi.c, set by the run's composition root
 * before anything else).  Without one, an NMI in the host is ignored. */
void panic_set_nmi_handler(void (*handler)(void));

/* Return addresses from the frame-pointer chain starting at rbp. */
void print_stack_trace(uint64_t rip, uint64_t rbp);

#endif
