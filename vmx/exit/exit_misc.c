/*
 * The remaining exits: HLT, XSETBV, INVD/WBINVD, VMX instructions executed
 * by the guest, EPT violations and misconfigurations, triple fault,
 * exceptions and the preemption-timer watchdog (INIT and SIPI: vmx/smp/smp_guest.c).
 */
#include "kernel/config/skiff.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/idle.h"
#include "kernel/end/mce.h"
#include "kernel/mem/memory.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/emulate/guest_mem.h"
#include "vmx/exit/exit.h"
#include "vmx/pci/ecam_write.h"
#include "vmx/pci/hpet_write.h"
#include "vmx/policy/xsetbv_check.h"
#include "vmx/smp/apic_write.h"
#include "vmx/vcpu/nmi.h"

#define RFLAGS_IF (1ull << 9)
#define ACTIVITY_HLT 1
#define EPT_QUAL_NMI_UNBLOCKING (1u << 12)   /* SDM Vol. 3C 28.2.1 Table 28-7 */

/* CPU 0's guest halted with interrupts off (RIP: the HLT, or the instruction after it). */
static enum exit_action halted_for_good(struct vcpu *v, uint64_t rip)
{
    return vcpu_stop(v, GUEST_HALTED, 1, "halted with interrupts disabled at RIP=0x%llx: it can never run again",
                     (unsigned long long)rip);
}

/*
 * HLT exits only with hlt=exit: by default the guest halts in VMX
 * non-root operation as on the bare machine, and only the watchdog tells a
 * guest that halted for good (handle_preemption_timer).
 */
enum exit_action handle_hlt(struct vcpu *v)
{
    /* An AP's vCPU halted with interrupts off is how a guest stops its other CPUs
     * (before a power-off, say): only INIT, SIPI or NMI wake it, as on hardware. */
    if (!(vmcs_read(GUEST_RFLAGS) & RFLAGS_IF) && v->cpu == 0) {
        vcpu_skip_insn(v);
        return halted_for_good(v, v->guest_rip);
    }
    /* Wait for the next interrupt as the CPU would: HLT activity state (SDM 25.4.2).
     * The HLT retires, so STI/MOV-SS blocking ends with it. */
    vcpu_skip_insn(v);
    vmcs_set(GUEST_INTERRUPTIBILITY_INFO, vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & ~3ull);
    vmcs_set(GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
    return EXIT_RESUME;
}

/* CPUID.(EAX=0DH,ECX=0):EDX:EAX, read once by the BSP at boot: a guest can change what CPUID
 * answers later (IA32_MISC_ENABLE.LIMIT_CPUID, say), the CPU's XCR0 rules cannot change. */
uint64_t xsetbv_supported;

void xsetbv_capture(void)
{
    if (!(cpuid(1, 0).ecx & (1u << 26)) || cpuid(0, 0).eax < 0xd)
        return;                                  /* no XSAVE: every XSETBV gets #GP */
    struct cpuid_regs d = cpuid(0xd, 0);
    xsetbv_supported = ((uint64_t)d.edx << 32) | d.eax;
}

enum exit_action handle_xsetbv(struct vcpu *v)
{
    uint32_t index = (uint32_t)v->regs.rcx;
    uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;

    /* CR4.OSXSAVE = 0 is #UD and CPL > 0 is #GP before any VM exit (SDM Vol. 2D XSETBV,
     * Vol. 3C 26.1.1); checked again here, Skiff executes the instruction in VMX root. */
    if (!(vmcs_read(GUEST_CR4) & CR4_OSXSAVE) || !xsetbv_supported) {
        vcpu_inject_exception(v, X86_TRAP_UD, false, 0);
        return EXIT_RESUME;
    }
    if (((vmcs_read(GUEST_SS_AR_BYTES) >> 5) & 3) != 0 || xcr0_check(xsetbv_supported, index, val) != XCR0_OK) {
        vcpu_inject_exception(v, X86_TRAP_GP, true, 0);
        return EXIT_RESUME;
    }
    xsetbv(0, val);
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}

enum exit_action handle_invd(struct vcpu *v)
{
    /* INVD would drop dirty lines that may be Skiff's: write them back instead. */
    __asm__ volatile("wbinvd" ::: "memory");
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}

enum exit_action handle_wbinvd(struct vcpu *v)
{
    __asm__ volatile("wbinvd" ::: "memory");
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}

/*
 * XSAVES/XRSTORS exit when EDX:EAX, IA32_XSS and the XSS-exiting bitmap share a bit (SDM
 * Vol. 3C 26.1.3; the bitmap holds every component the guest may not have, vmx/core/vmcs.c).
 * Skiff never lets such a bit into IA32_XSS (vmx/exit/exit_msr.c h_xss), so this exit means
 * IA32_XSS held one anyway: the guest gets #GP, as for a component IA32_XSS does not enable
 * (SDM Vol. 1 13.11, 13.12), and nothing is saved or loaded.
 */
enum exit_action handle_xsaves(struct vcpu *v)
{
    pr_info("skiff: xss: %s with a component Skiff denies (EDX:EAX 0x%llx): #GP\n",
            v->exit_reason == EXIT_REASON_XRSTORS ? "XRSTORS" : "XSAVES",
            (unsigned long long)((v->regs.rdx << 32) | (uint32_t)v->regs.rax));
    vcpu_inject_exception(v, X86_TRAP_GP, true, 0);
    return EXIT_RESUME;
}

enum exit_action handle_vmx_insn(struct vcpu *v)
{
    /* VMX is hidden: the guest sees #UD, as on a CPU without VMX. */
    vcpu_inject_exception(v, X86_TRAP_UD, false, 0);
    return EXIT_RESUME;
}

/*
 * An EPT violation: the APIC page's writes (vmx/smp/apic_write.c); Skiff's own
 * pages, which the guest never reaches; otherwise an address beyond RAM
 * that the EPT maps on demand (vmx/mem/ept_space.h), after which the guest
 * resumes as if nothing happened: the event whose delivery it interrupted
 * is delivered again (SDM Vol. 3C 28.2.4), and an IRET that had unblocked
 * NMIs gets blocking by NMI back before it runs again (28.2.3).
 */
enum exit_action handle_ept_violation(struct vcpu *v)
{
    uint64_t gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
    enum exit_action act;
    if (apic_write_exit(v, gpa, &act) || ecam_write_exit(v, gpa, &act) || hpet_write_exit(v, gpa, &act))
        return act;
    bool skiff = rangeset_overlaps(&host_pmm.owned, gpa & PAGE_MASK, (gpa & PAGE_MASK) + PAGE_SIZE);
    enum ept_fill f = skiff ? EPT_FILL_ABSENT : guest_phys_fill(v, gpa, vcpu_qual(v));

    if (f == EPT_FILL_MAPPED || f == EPT_FILL_RECYCLED) {
        if (!vcpu_reinject_event(v) && (vcpu_qual(v) & EPT_QUAL_NMI_UNBLOCKING))
            vmcs_set(GUEST_INTERRUPTIBILITY_INFO, vmcs_read(GUEST_INTERRUPTIBILITY_INFO) | GUEST_INTR_STATE_NMI);
        return EXIT_RESUME;
    }
    kprintf("skiff: EPT violation: %s of GPA 0x%llx at guest RIP 0x%llx (qualification 0x%llx%s): %s\n",
            vmx_ept_access_name(vcpu_qual(v)), (unsigned long long)gpa,
            (unsigned long long)v->guest_rip, (unsigned long long)vcpu_qual(v),
            "", skiff ? "the page belongs to Skiff" : ept_fill_verdict(f));
    if (vcpu_qual(v) & (1u << 7))
        kprintf("skiff: EPT violation: guest-linear address 0x%llx\n",
                (unsigned long long)vmcs_read(GUEST_LINEAR_ADDRESS));
    vcpu_dump(v);
    return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: EPT violation at GPA 0x%llx", (unsigned long long)gpa);
}

enum exit_action handle_ept_misconfig(struct vcpu *v)
{
    uint64_t gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
    kprintf("skiff: error: EPT misconfiguration at GPA 0x%llx (a Skiff bug)\n", (unsigned long long)gpa);
    vcpu_dump(v);
    return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: EPT misconfiguration");
}

enum exit_action handle_triple_fault(struct vcpu *v)
{
    vcpu_dump(v);
    return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: triple fault at RIP=0x%llx", (unsigned long long)v->guest_rip);
}

enum exit_action handle_exception_nmi(struct vcpu *v)
{
    uint32_t info = (uint32_t)vmcs_read(VM_EXIT_INTR_INFO);
    uint32_t type = info & INTR_TYPE_MASK, vector = info & 0xff;
    if (type == INTR_TYPE_NMI) {
        /* An NMI exit (NMI exiting, SDM 25.3): NMIs stay blocked until an IRET, which
         * Skiff does at once; an event whose delivery the NMI interrupted goes again
         * (IDT-vectoring information, 28.2.4), the NMI is pending (vmx/vcpu/nmi.c). */
        iret_to_self();
        if (idle_nmi_exit()) {               /* a late wake-up (kernel/cpu/idle.h): not the guest's */
            vcpu_reinject_event(v);
            return EXIT_RESUME;
        }
        v->nmi_exits++;
        vcpu_reinject_event(v);
        nmi_pend(v);
        return EXIT_RESUME;
    }
    /* A machine check in the guest (exception bitmap bit 18): the host's hardware failed. */
    if (type == INTR_TYPE_HW_EXCEPTION && vector == X86_TRAP_MC)
        mce_fatal("in the guest (VM exit: exception 18)");
    /* Skiff intercepts no other exception; reflect whatever arrives (SDM 28.2.2). */
    vcpu_inject_exception(v, vector, info & INTR_DELIVER_ERR, (uint32_t)vmcs_read(VM_EXIT_INTR_ERROR_CODE));
    return EXIT_RESUME;
}

/* The guest stopped blocking NMIs (NMI-window exiting, SDM 26.7.6): vmx/vcpu/nmi.c injects at entry. */
enum exit_action handle_nmi_window(struct vcpu *v)
{
    (void)v;
    return EXIT_RESUME;
}

/*
 * MONITOR and MWAIT (SDM 25.1.3: they exit with the controls Skiff sets, vmx/core/vmcs.c): CPUID
 * says the CPU has neither (CPUID.1:ECX.MONITOR = 0), so #UD, as on such a CPU (SDM Vol. 2B
 * MONITOR, MWAIT).  The first of each is named; a guest that meant to sleep for good in MWAIT
 * with interrupts off then meets its own #UD handler, and a HLT there the idle check.
 */
enum exit_action handle_monitor_mwait(struct vcpu *v)
{
    static uint32_t named[2];
    bool mwait = v->exit_reason == EXIT_REASON_MWAIT;
    if (!__atomic_exchange_n(&named[mwait], 1, __ATOMIC_RELAXED))
        kprintf("skiff: guest %s at RIP=0x%llx: #UD (CPUID.1:ECX.MONITOR=0: MONITOR/MWAIT are hidden)\n",
                mwait ? "MWAIT" : "MONITOR", (unsigned long long)v->guest_rip);
    vcpu_inject_exception(v, X86_TRAP_UD, false, 0);
    return EXIT_RESUME;
}

enum exit_action handle_preemption_timer(struct vcpu *v)
{
    /* The run-end tick (vmx_tick_ticks) or the idle check (vmx_idle_ticks): the dispatcher has
     * already looked for the end of the run.  CPU 0 found halted with interrupts off can never run
     * again (only an NMI, INIT or SMI wakes it) and is named, as hlt=exit names it at the HLT:
     * with the default hlt=pass, no watchdog and no HLT exit, this is what keeps such a guest
     * from silencing Skiff.  A halted vCPU's run-end tick ticks 100 times slower. */
    if (!v->watchdog_ticks) {
        bool halted = vmcs_read(GUEST_ACTIVITY_STATE) == ACTIVITY_HLT;
        if (v->cpu == 0 && halted && !(vmcs_read(GUEST_RFLAGS) & RFLAGS_IF)) {
            kprintf("skiff: idle check: the guest is halted with interrupts off (no exit for %s)\n",
                    v->run_end_tick ? "1 ms" : "1 s");
            return halted_for_good(v, v->guest_rip - 1);   /* RIP follows the HLT (one byte, 0xf4) */
        }
        if (!v->run_end_tick)
            return EXIT_RESUME;                      /* the idle check re-arms at every entry */
        uint64_t want = vmx_tick_ticks * (halted ? 100 : 1);
        if (want > 0xffffffffull)
            want = 0xffffffffull;
        if (want != v->tick_value) {
            v->tick_value = want;
            vmcs_set(VMX_PREEMPTION_TIMER_VALUE, want);
        }
        return EXIT_RESUME;
    }
    /* The watchdog found CPU 0's guest in the HLT activity state with interrupts off: only an NMI,
     * INIT or SMI could wake it, and HLT did not exit (hlt=pass), so say what it did. */
    if (v->cpu == 0 && vmcs_read(GUEST_ACTIVITY_STATE) == ACTIVITY_HLT && !(vmcs_read(GUEST_RFLAGS) & RFLAGS_IF)) {
        kprintf("skiff: watchdog: expired after %u ms with the guest halted\n", skiff_cfg.watchdog_ms);
        return halted_for_good(v, v->guest_rip - 1);   /* RIP follows the HLT (one byte, 0xf4) */
    }
    return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: watchdog expired after %u ms at RIP=0x%llx",
                     skiff_cfg.watchdog_ms, (unsigned long long)v->guest_rip);
}
