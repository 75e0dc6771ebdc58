/* vmx=off: the loaders' guest entered natively, without VMX (guest/run/native.c). UNSAFE: a diagnostic. */
#ifndef SKIFF_GUEST_RUN_NATIVE_H
#define SKIFF_GUEST_RUN_NATIVE_H

#include <stdint.h>

#include "guest/loader/select.h"
#include "kernel/config/cmdline.h"
#include "kernel/firmware/mb2.h"

/*
 * Build the guest's memory map, run the selected guest's loader and jump to
 * its entry in the state the loader prepared.  Returns (a SKIFF_* status)
 * only when that fails; otherwise the guest owns the machine.
 */
int native_run(const struct skiff_config *cfg, const struct mb2_info *mb, const struct guest_selection *sel);

/* The register and control state of the jump (guest/run/native_entry.S reads it at fixed offsets). */
struct native_state {
    uint64_t rip, rsp, rsi, rdi, rax, rbx;          /* 0x00 .. 0x28 */
    uint64_t cr0, cr3, cr4, efer;                   /* 0x30 .. 0x48: the guest's */
    uint64_t bridge_cr3;                            /* 0x50: an executable identity map + Skiff's higher half */
    uint64_t low_entry;                             /* 0x58: native_enter_low's physical address */
    uint16_t gdt_pad[3], gdt_limit;                 /* 0x60: the GDTR pseudo-descriptor at 0x66 */
    uint64_t gdt_base;                              /* 0x68 */
    uint16_t idt_pad[3], idt_limit;                 /* 0x70: the IDTR pseudo-descriptor at 0x76 */
    uint64_t idt_base;                              /* 0x78 */
    uint64_t cs, ds;                                /* 0x80, 0x88 */
    uint64_t long_mode;                             /* 0x90: 1 = 64-bit entry, 0 = 32-bit */
};

/* guest/run/native_entry.S: never returns. */
__attribute__((noreturn)) void native_enter(const struct native_state *s);
extern const char native_enter_low[];

#endif
