/*
 * The checks KVM makes, beyond the SDM's, before it runs an L2 for a nested L1 hypervisor
 * (Linux arch/x86/kvm/vmx/nested.c: nested_vmx_check_controls, nested_check_vm_entry_controls,
 * nested_vmx_check_eptp, nested_vmx_check_guest_state, and vmx.c's vmx_is_valid_debugctl),
 * modelled as plain C over a VMCS snapshot: the VMCS Skiff builds on a KVM L1 profile must
 * pass them, or the L1's VMLAUNCH fails (VMfailValid 7) or exits with reason 33 where bare
 * metal would have entered.  Pure code, like vmcheck.
 */
#ifndef SKIFF_VMX_VMCHECK_KVM_H
#define SKIFF_VMX_VMCHECK_KVM_H

#include <stddef.h>
#include <stdint.h>

#include "vmx/check/vmcheck.h"

/* What KVM knows of its L1: the VMX MSRs it emulates, the L1's CPUID and PERF_CAPABILITIES. */
struct vmcheck_kvm_env {
    const struct vmx_caps *caps;
    uint32_t cpuid7_ebx, cpuid7_ecx;   /* CPUID.(7,0) the L1 sees */
    uint64_t perf_capabilities;        /* IA32_PERF_CAPABILITIES (0x345) the L1 sees, 0 if none */
};

/* Each rule: X(id, where in KVM, text). */
#define VMCHECK_KVM_RULES(X)                                                                          \
    X(PIN, "nested_vmx_check_controls", "pin-based controls outside the L1's allowed-0/1 settings")   \
    X(PROC, "nested_vmx_check_controls", "processor-based controls outside the L1's allowed-0/1 settings") \
    X(PROC2, "nested_vmx_check_controls", "secondary controls outside the L1's allowed-0/1 settings") \
    X(EXIT, "nested_check_vm_exit_controls", "VM-exit controls outside the L1's allowed-0/1 settings") \
    X(ENTRY, "nested_check_vm_entry_controls", "VM-entry controls outside the L1's allowed-0/1 settings") \
    X(EPTP_MT, "nested_vmx_check_eptp", "EPTP memory type not WB (KVM offers an L1 WB only)")        \
    X(EPTP_WALK, "nested_vmx_check_eptp", "EPTP page-walk length the L1 is not offered")             \
    X(EPTP_AD, "nested_vmx_check_eptp", "EPTP accessed/dirty flags the L1 is not offered")           \
    X(INJ_LEN0, "nested_check_vm_entry_controls", "zero-length injection of a software interrupt or exception (IA32_VMX_MISC bit 30 clear)") \
    X(INJ_LEN, "nested_check_vm_entry_controls", "injected instruction length above 15")             \
    X(ACTIVITY, "nested_vmx_check_guest_state", "guest activity state the L1's IA32_VMX_MISC does not offer (shutdown never)") \
    X(DEBUGCTL, "vmx_is_valid_debugctl", "guest IA32_DEBUGCTL has a bit KVM does not support for this L1") \
    X(DR7, "nested_vmx_check_guest_state", "guest DR7 bits 63:32 set")

#define VMCHECK_KVM_ENUM_(id, where, text) VK_##id,
enum vmcheck_kvm_rule { VMCHECK_KVM_RULES(VMCHECK_KVM_ENUM_) VK_COUNT };
#undef VMCHECK_KVM_ENUM_

/* The IA32_DEBUGCTL bits KVM accepts from this L1 (vmx_get_supported_debugctl), plus BTF and LBR,
 * which vmx_is_valid_debugctl lets through (it drops them with "unimplemented wrmsr"). */
uint64_t vmcheck_kvm_debugctl_ok(const struct vmcheck_kvm_env *env);

/* Check s against every rule; violations as vmcheck's (section = the KVM function), up to max;
 * returns how many were found. */
size_t vmcheck_kvm_run(const struct vmcs_snapshot *s, const struct vmcheck_kvm_env *env,
                       struct vmcheck_violation *out, size_t max);

#endif
