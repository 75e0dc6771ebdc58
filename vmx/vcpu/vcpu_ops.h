/* What every part of Skiff that acts for a vCPU shares (vmx/vcpu/vcpu_ops.c). */
#ifndef SKIFF_VMX_VCPU_OPS_H
#define SKIFF_VMX_VCPU_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/cpu/x86_exc.h"
#include "vmx/core/vcpu.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/vcpu/insn_skip.h"

/* An exit handler returns RESUME to re-enter the guest or STOP to end it. */
enum exit_action { EXIT_STOP = 0, EXIT_RESUME = 1 };


/* The exit qualification: read only by the exits that have one worth reading. */
static inline uint64_t vcpu_qual(const struct vcpu *v)
{
    (void)v;
    return vmcs_read_fast(EXIT_QUALIFICATION);
}

/* CR0/CR4 as the guest sees them: the bits Skiff owns from the read shadows, the others
 * (which the guest changes without an exit: CR0.PE/PG under unrestricted guest, CR4.PAE)
 * from the guest-state fields (SDM 25.6.6). */
static inline uint64_t vcpu_guest_cr0(const struct vcpu *v)
{
    return (vmcs_read(GUEST_CR0) & ~v->cr0_mask) | (vmcs_read(CR0_READ_SHADOW) & v->cr0_mask);
}

static inline uint64_t vcpu_guest_cr4(const struct vcpu *v)
{
    return (vmcs_read(GUEST_CR4) & ~v->cr4_mask) | (vmcs_read(CR4_READ_SHADOW) & v->cr4_mask);
}

/* The rest of the skip when the instruction ended STI/MOV-SS blocking or owes a single step (cold). */
void vcpu_skip_arch(void);

/*
 * Advance past an instruction whose length Skiff decoded (the exit gave none), and retire it
 * as the CPU would (vmx/vcpu/insn_skip.c): two VMREADs of fields KVM shadows for a nested L1
 * (GUEST_RFLAGS, GUEST_INTERRUPTIBILITY_INFO), so no L0 round trip; the rest only when needed.
 */
static inline __attribute__((always_inline)) void vcpu_skip_insn_len(struct vcpu *v, unsigned len)
{
    vmcs_write_fast(GUEST_RIP, v->guest_rip + len);
    uint64_t rflags = vmcs_read_fast(GUEST_RFLAGS);
    uint32_t intr = (uint32_t)vmcs_read_fast(GUEST_INTERRUPTIBILITY_INFO);
    if (__builtin_expect(insn_skip_needs_work(rflags, intr), 0))
        vcpu_skip_arch();
}

/* Advance the guest past the exiting instruction (the exit's instruction length). */
static inline __attribute__((always_inline)) void vcpu_skip_insn(struct vcpu *v)
{
    vcpu_skip_insn_len(v, v->insn_len);
}
/* Inject a hardware exception as the CPU would raise it (RF for faults, no error code in real mode). */
void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);
/* Deliver again an event whose delivery the exit interrupted (IDT-vectoring information). */
bool vcpu_reinject_event(struct vcpu *v);
/* Stop the guest: record how it ended and print `skiff: guest ...: <why>`. */
enum exit_action vcpu_stop(struct vcpu *v, enum guest_end how, uint64_t status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Print the guest's registers and the exit basics. */
void vcpu_dump(struct vcpu *v);
/* `skiff: exits: [who ]total=N REASON=n ...`, one line. */
void vcpu_print_exit_counts(const char *who, uint64_t total, const uint64_t *counts);

#endif
