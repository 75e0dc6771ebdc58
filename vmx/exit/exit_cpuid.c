/*
 * CPUID (SDM Vol. 3C 26.1.2: CPUID always exits).  Pass the host's answer
 * through, hide VMX (leaf 1 ECX bit 5) and MONITOR/MWAIT (bit 3: a guest's idle
 * CPUs then halt and are woken by IPIs, which every CPU and emulator delivers
 * to a halted vCPU, where an MWAIT wake-up by a memory write from another CPU
 * is not delivered by Bochs 2.7), hide the debug store (leaf 1 EDX bit 21
 * and ECX bit 4: BTS and PEBS write records to a guest-chosen address, in
 * VMX root too, so IA32_DS_AREA is denied), set the hypervisor-present bit (leaf 1
 * ECX bit 31), report OSXSAVE (leaf 1 ECX bit 27) and OSPKE (leaf 7 ECX bit 4) from
 * the guest's own CR4, not Skiff's, report in leaf 0DH only the supervisor state
 * components the guest may enable in IA32_XSS (vmx/policy/xss_policy.c), hide the leaf 1
 * and 6 bits whose MSR this CPU lacks (vmx/policy/cpuid_msr.h), apply the guest's
 * IA32_MISC_ENABLE (LIMIT_CPUID to leaf 0, XD disable to NX: vmx/policy/misc_enable.h), and answer the
 * 0x40000000 leaves with Skiff's identity.
 */
#include "kernel/cpu/cpu.h"
#include "vmx/core/hypercall.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_caps.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/exit/exit.h"
#include "vmx/policy/cpuid_msr.h"
#include "vmx/policy/misc_enable.h"
#include "vmx/policy/xss_policy.h"

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
        r = cpuid(leaf, sub);
        if (leaf == 1) {
            r.ecx &= ~(1u << 5);                      /* VMX */
            r.ecx &= ~(1u << 3);                      /* MONITOR/MWAIT: idle with HLT instead */
            r.ecx |= 1u << 31;                        /* hypervisor present */
            r.edx &= ~(1u << 21);                     /* DS (BTS, PEBS): IA32_DS_AREA is denied */
            r.ecx &= ~(1u << 4);                      /* DS-CPL goes with it (vmx/policy/msr_policy.c) */
            r.ecx &= ~(1u << 27);                     /* OSXSAVE follows the guest's CR4 */
            if (vcpu_guest_cr4(v) & CR4_OSXSAVE)
                r.ecx |= 1u << 27;
        } else if (leaf == 7 && sub == 0) {
            /* OSPKE "reflects the setting of CR4.PKE" (Vol. 2A CPUID, leaf 07H ECX[4]): the guest's
             * CR4, which the CPU's CPUID in VMX root never sees. */
            r.ecx &= ~(1u << 4);
            if (vcpu_guest_cr4(v) & CR4_PKE)
                r.ecx |= 1u << 4;
        } else if (leaf == 0xd && sub == 1) {
            /* IA32_XSS bits supported (Vol. 1 13.2): only the components the guest may enable. */
            uint64_t m = xss_guest_mask();
            r.ecx &= (uint32_t)m;
            r.edx &= (uint32_t)(m >> 32);
        } else if (leaf == 0xd && sub >= 2 && sub < 64 && (r.ecx & 1) && !(xss_guest_mask() & (1ull << sub))) {
            /* A supervisor component (ECX[0], Vol. 2A CPUID leaf 0DH) the guest may not enable:
             * an invalid sub-leaf, all zeros, as on a CPU without it. */
            r = (struct cpuid_regs){ 0, 0, 0, 0 };
        } else if (leaf == 0x80000001 && !(vmcs_read(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE)) {
            /* SYSCALL/SYSRET "available in 64-bit mode" (Vol. 2A CPUID, leaf 80000001H EDX[11]):
             * Intel CPUs report it only while IA32_EFER.LMA = 1, which the exit saved in the
             * "IA-32e mode guest" entry control (SDM Vol. 3C "Recording VM-Exit Information and
             * Updating VM-Entry Control Fields"); Skiff's own CPUID runs in 64-bit mode. */
            r.edx &= ~(1u << 11);
        }
        cpuid_msr_hide(&cpuid_hidden, leaf, &r);
        misc_enable_cpuid(msr_misc_enable_guest(v), leaf, &r);   /* LIMIT_CPUID, XD disable */
    }
    v->regs.rax = r.eax;
    v->regs.rbx = r.ebx;
    v->regs.rcx = r.ecx;
    v->regs.rdx = r.edx;
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}
