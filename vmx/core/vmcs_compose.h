/*
 * The values Skiff writes into a VMCS, as pure code (SDM Vol. 3C 25.4-25.8): the
 * VM-execution, VM-exit and VM-entry control fields and the guest-state area, decided from
 * the capability MSRs (struct vmx_caps) and the chosen controls (struct vmx_features), written
 * through a setter.  vmx/core/vmcs.c passes VMWRITE; the unit tests pass a snapshot
 * (vmx/check/vmcheck.h) and check the VMCS Skiff would build on every capability profile in
 * tests/profiles/.
 */
#ifndef SKIFF_VMX_VMCS_COMPOSE_H
#define SKIFF_VMX_VMCS_COMPOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/core/vmx_controls.h"

enum guest_mode { GUEST_MODE_64, GUEST_MODE_32, GUEST_MODE_REAL };

/* Where and how the guest starts. */
struct guest_start {
    enum guest_mode mode;
    uint64_t rip, rsp, rflags;
    uint64_t cr0, cr3, cr4, efer;       /* as the guest sees them */
    uint64_t gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;
    uint16_t cs, ds;                    /* selectors (protected and long mode) */
    uint64_t real_cs_base;              /* real mode: CS base (selector = base >> 4) */
    uint64_t rax, rbx, rsi, rdi;        /* initial GPRs a boot protocol asks for */
};

/* One VMCS write: VMWRITE on the CPU, a snapshot store in the unit tests. */
typedef void (*vmcs_setter)(uint32_t field, uint64_t value);

/* The per-vCPU inputs of the control fields (addresses and numbers Skiff allocated). */
struct vmcs_control_inputs {
    uint64_t io_bitmap_a, io_bitmap_b, msr_bitmap, eptp;
    uint16_t vpid;
    uint64_t timer_value;               /* VMX-preemption timer value, with the timer control */
    uint64_t guest_perf_global_ctrl;    /* with "load IA32_PERF_GLOBAL_CTRL" */
    uint64_t xss_exit_bitmap;           /* where "enable XSAVES/XRSTORS" may be 1 */
};

/* The control fields (without the MSR lists: vmx/core/spec_ctrl.c, nor VM_ENTRY_CONTROLS:
 * vmcs_compose_guest, which depends on the guest's mode). */
void vmcs_compose_controls(const struct vmx_caps *c, const struct vmx_features *f,
                           const struct vmcs_control_inputs *in, vmcs_setter set);

/* The CR0/CR4 guest/host masks Skiff owns for a guest on these capabilities (25.6.6). */
uint64_t vmcs_cr0_mask(const struct vmx_caps *c, const struct vmx_features *f);
uint64_t vmcs_cr4_mask(const struct vmx_caps *c);

/* The guest-state area for `gs` (activity state active, no blocking, no pending debug
 * exceptions) and the VM-entry controls with IA-32e mode guest as gs->mode asks. */
void vmcs_compose_guest(const struct vmx_caps *c, const struct vmx_features *f, const struct guest_start *gs,
                        vmcs_setter set);

/* The state INIT leaves a logical processor in (SDM Vol. 3A 10.1.1 Table 10-1): real mode at
 * FFFF0H, what an AP's vCPU waits for its SIPI in. */
struct guest_start vmcs_init_state(void);

#endif
