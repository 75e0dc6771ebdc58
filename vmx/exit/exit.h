/* VM-exit handling: the dispatcher's table and what handlers share. */
#ifndef SKIFF_VMX_EXIT_H
#define SKIFF_VMX_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/core/vcpu.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_insn.h"

/* A handler returns RESUME to re-enter the guest or STOP to end it. */
enum exit_action { EXIT_STOP = 0, EXIT_RESUME = 1 };
typedef enum exit_action (*exit_handler_fn)(struct vcpu *v);

/* Handlers (vmx/exit_*.c). */
enum exit_action handle_cpuid(struct vcpu *v);
enum exit_action handle_hlt(struct vcpu *v);
enum exit_action handle_io(struct vcpu *v);
enum exit_action handle_vmcall(struct vcpu *v);
enum exit_action handle_rdmsr(struct vcpu *v);
enum exit_action handle_wrmsr(struct vcpu *v);
enum exit_action handle_cr_access(struct vcpu *v);
enum exit_action handle_xsetbv(struct vcpu *v);
enum exit_action handle_invd(struct vcpu *v);
enum exit_action handle_wbinvd(struct vcpu *v);
enum exit_action handle_xsaves(struct vcpu *v);
/* The guest's IA32_MISC_ENABLE (vmx/exit/exit_msr.c; vmx/policy/misc_enable.h). */
uint64_t msr_misc_enable_guest(struct vcpu *v);
/* Some vCPU's IA32_MISC_ENABLE has had LIMIT_CPUID: leaf 0 takes the C path (vmx/core/exit_stub.S). */
extern bool vmx_cpuid_limited;
enum exit_action handle_vmx_insn(struct vcpu *v);
enum exit_action handle_ept_violation(struct vcpu *v);
enum exit_action handle_ept_misconfig(struct vcpu *v);
enum exit_action handle_triple_fault(struct vcpu *v);
enum exit_action handle_exception_nmi(struct vcpu *v);
enum exit_action handle_init(struct vcpu *v);
enum exit_action handle_sipi(struct vcpu *v);
enum exit_action handle_preemption_timer(struct vcpu *v);
enum exit_action handle_nmi_window(struct vcpu *v);

/* Cleared while tracing, gdb or vmcheck=always must see every exit. */
extern bool vmx_fast_cpuid;
extern const uint64_t vmx_light_exits;
/* Set while tracing or gdb need the dispatcher to look at every exit. */
extern bool exit_hooks_enabled;

/* Shared helpers (vmx/exit/exit_dispatch.c). */

/* The exit qualification: read only by the exits that have one worth reading. */
static inline uint64_t vcpu_qual(const struct vcpu *v)
{
    (void)v;
    return vmcs_read_fast(EXIT_QUALIFICATION);
}

/* Advance the guest past the exiting instruction. */
static inline void vcpu_skip_insn(struct vcpu *v)
{
    vmcs_write_fast(GUEST_RIP, v->guest_rip + v->insn_len);
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

/* Advance past an instruction whose length Skiff decoded (the exit gave none). */
static inline void vcpu_skip_insn_len(struct vcpu *v, unsigned len)
{
    vmcs_write_fast(GUEST_RIP, v->guest_rip + len);
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

#define X86_TRAP_UD 6
#define X86_TRAP_GP 13
#define X86_TRAP_MC 18

#endif
