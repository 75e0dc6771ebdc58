/*
 * CPUID (SDM Vol. 3C 26.1.2: CPUID always exits).  The host's answer through
 * the guest's view (vmx/core/cpuid_view.c: every bit shown is backed by a
 * control or the MSR policy, vmx/core/cpuid_backing.c), and the 0x40000000
 * leaves with Skiff's identity.  Leaves the view does not change are answered
 * by the exit stub's fast path (vmx/core/exit_stub.S).
 */
#include "kernel/cpu/cpu.h"
#include "vmx/core/cpuid_view.h"
#include "vmx/core/hypercall.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_caps.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/exit/exit.h"

#ifndef SKIFF_VERSION_NUM
#define SKIFF_VERSION_NUM 0x000100   /* 0.1.0 */
#endif

enum exit_action handle_cpuid(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->regs.rax, sub = (uint32_t)v->regs.rcx;
    struct cpuid_regs r;

    if (leaf >= 0x40000000 && leaf <= 0x400000ff) {
        r = (struct cpuid_regs){ 0, 0, 0, 0 };
        if (leaf == SKIFF_CPUID_SIGNATURE_LEAF)
            r = (struct cpuid_regs){ SKIFF_CPUID_MAX_LEAF, SKIFF_CPUID_SIG_EBX,
                                     SKIFF_CPUID_SIG_ECX, SKIFF_CPUID_SIG_EDX };
        else if (leaf == SKIFF_CPUID_INFO_LEAF)
            r = (struct cpuid_regs){ SKIFF_VERSION_NUM, 1 /* hypercall ABI */, 0, 0 };
    } else {
        uint64_t cr4 = vcpu_guest_cr4(v);
        struct cpuid_guest g = { .osxsave = cr4 & CR4_OSXSAVE, .ospke = cr4 & CR4_PKE,
                                 /* one VMREAD, for the only leaf that needs it */
                                 .ia32e = leaf != 0x80000001 || (vmcs_read(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE),
                                 .misc_enable = msr_misc_enable_guest(v) };
        r = cpuid_view_apply(&cpuid_view, leaf, sub, cpuid(leaf, sub), &g);
    }
    v->regs.rax = r.eax;
    v->regs.rbx = r.ebx;
    v->regs.rcx = r.ecx;
    v->regs.rdx = r.edx;
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}
