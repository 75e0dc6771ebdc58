/* VM-exit handling: the dispatcher's table and what handlers share. */
#ifndef SKIFF_VMX_EXIT_H
#define SKIFF_VMX_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/core/vcpu.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/vcpu/vcpu_ops.h"

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
enum exit_action handle_vmx_insn(struct vcpu *v);
enum exit_action handle_monitor_mwait(struct vcpu *v);
enum exit_action handle_ept_violation(struct vcpu *v);
enum exit_action handle_ept_misconfig(struct vcpu *v);
enum exit_action handle_triple_fault(struct vcpu *v);
enum exit_action handle_exception_nmi(struct vcpu *v);
enum exit_action handle_preemption_timer(struct vcpu *v);
enum exit_action handle_nmi_window(struct vcpu *v);

/* Set while tracing or gdb need the dispatcher to look at every exit. */
extern bool exit_hooks_enabled;

#endif
