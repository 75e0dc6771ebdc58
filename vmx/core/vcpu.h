/*
 * The virtual CPU: the guest registers the exit stub saves, the exit stack
 * below them, the VMCS and its launch state, and the per-exit basics.
 */
#ifndef SKIFF_VMX_VCPU_H
#define SKIFF_VMX_VCPU_H

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/core/exit_reasons.h"
#include "vmx/mem/mtrr.h"
#endif

/* Layout constants shared with vmx/core/exit_stub.S (checked below). */
#define GUEST_REGS_SIZE      (15 * 8)
#define VCPU_EXIT_STACK_SIZE 16384
#define VCPU_REGS_OFF        VCPU_EXIT_STACK_SIZE
#define VCPU_HOST_RSP_OFF    (VCPU_REGS_OFF + GUEST_REGS_SIZE)
#define VCPU_EXIT_REASON_OFF (VCPU_HOST_RSP_OFF + 8)
#define VCPU_EXITS_OFF       (VCPU_HOST_RSP_OFF + 16)
#define VCPU_EXIT_COUNTS_OFF (VCPU_EXITS_OFF + 8)
#define VCPU_CPUID_VALID_OFF (VCPU_EXIT_COUNTS_OFF + 8 * 86)   /* 86 = EXIT_REASON_MAX */
#define VCPU_CPUID_CACHE_OFF (VCPU_CPUID_VALID_OFF + 8)
#define VCPU_CPUID_ENTRIES   32
#define VCPU_NMI_OFF         (VCPU_CPUID_CACHE_OFF + 24 * VCPU_CPUID_ENTRIES)   /* nmi_pending, nmi_window */

#ifndef __ASSEMBLER__

/*
 * Guest GPRs in the order the exit stub pushes them (r15 first, so rax ends
 * at the lowest address).  RSP and RIP live in the VMCS.
 */
struct guest_regs {
    uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

enum vmcs_launch_state { VMCS_STATE_CLEAR, VMCS_STATE_LAUNCHED };

enum guest_end {
    GUEST_RUNNING = 0,
    GUEST_EXITED,        /* exit hypercall */
    GUEST_HALTED,        /* HLT with interrupts disabled */
    GUEST_STOPPED,       /* Skiff stopped it (violation, unexpected exit, ...) */
    GUEST_POWERED_OFF,
    GUEST_RESET,
    GUEST_ENDED_ELSEWHERE, /* another vCPU ended the run (vmx/smp/smp_guest.c) */
    GUEST_WAIT_SIPI,       /* an AP's vCPU took an INIT: it waits for a SIPI */
};

enum vcpu_smp_state { VCPU_IDLE = 0, VCPU_RUNNING, VCPU_DONE };

/* An entry of a VM-exit/VM-entry MSR list (SDM Vol. 3C 25.7.2, 25.8.2): 16-byte aligned arrays. */
struct vmx_msr_entry {
    uint32_t index;
    uint32_t reserved;
    uint64_t value;
};

struct vcpu {
    /* The exit stack: HOST_RSP points just above `regs`. */
    uint8_t exit_stack[VCPU_EXIT_STACK_SIZE] __attribute__((aligned(16)));
    struct guest_regs regs;
    uint64_t host_rsp;             /* vmx_enter's stack pointer while the guest runs */
    uint32_t exit_reason;          /* VM_EXIT_REASON, read by the exit stub */
    uint32_t pad0;
    uint64_t exits;                /* counters: the CPUID fast path updates them too */
    uint64_t exit_counts[EXIT_REASON_MAX];
    /* The CPUID fast path's answers (vmx/core/exit_stub.S): the host's CPUID of each (leaf, subleaf)
     * the fast path passes through, asked once per vCPU (vCPU N runs on CPU N only, so the x2APIC id
     * leaves hold).  Under nested KVM every CPUID Skiff executes is one more exit to L0. */
    uint32_t cpuid_valid;          /* bit i: cpuid_cache[i] holds an answer */
    uint32_t pad1;
    struct { uint32_t leaf, subleaf, eax, ebx, ecx, edx; } cpuid_cache[VCPU_CPUID_ENTRIES];
    /* NMIs (vmx/vcpu/nmi.c): the host's NMI handler updates these; the stub looks at both (one
     * quadword) before it resumes the guest from the C path. */
    volatile uint32_t nmi_pending; /* the guest's NMI latch: 1 = an NMI waits for injection */
    volatile uint32_t nmi_window;  /* "NMI-window exiting" is set in the VMCS */

    uint64_t vmcs_phys;
    enum vmcs_launch_state launch_state;
    unsigned cpu;                  /* the CPU number it runs on (0 = the BSP) */
    volatile uint32_t smp_state;   /* enum vcpu_smp_state, read by other CPUs */
    int run_status;                /* vcpu_run's result: VMLAUNCH/VMRESUME status */
    bool wait_sipi;                /* an AP waiting in VMX root for the guest's SIPI */
    bool in_guest;                 /* between VM entry and the end of its run */
    uint32_t sipi_mailbox;         /* 0x100 | vector: the guest sent it a SIPI */
    bool ever_started;             /* an AP's vCPU had its first SIPI (vmx/smp/smp_guest.c) */
    uint64_t sipi_exits_seen;      /* its exits other than INIT when its last SIPI started it */
    uint64_t sipi_inits_seen;      /* its INIT exits then */
    uint16_t vpid;
    uint64_t eptp;

    /* Exit basics, read once per exit (the reason by the stub, these by the dispatcher;
     * the qualification by the handlers that use it, vcpu_qual()). */
    uint64_t guest_rip;
    uint32_t insn_len;
    uint64_t rsp_slot;             /* vcpu_gpr(v, 4): RSP lives in the VMCS */

    /* Guest CR0/CR4 as the guest believes them to be (read shadows). */
    uint64_t cr0_mask, cr4_mask;

    enum guest_end end;
    uint64_t guest_status;
    uint64_t watchdog_ticks;       /* preemption-timer budget, 0 = off */
    uint64_t tick_value;           /* the run-end tick's timer value now (vmx_tick_ticks or x100 halted) */
    bool run_end_tick;             /* the 1 ms run-end tick, else the idle check (vmx/core/vmcs.h) */
    bool timer_parked;             /* waiting for a SIPI with the preemption timer off (vcpu_park_timer) */
    bool quiet;                    /* self-tests: no VMCS dump on a failed entry */
    /* MSRs Skiff keeps for the guest (vmx/exit/exit_msr.c: the MSR policy's VIRT rows). */
    struct mtrr_state mtrr;        /* the guest's MTRRs, from the boot values on first use */
    bool mtrr_loaded;
    uint64_t perf_global_ctrl;     /* IA32_PERF_GLOBAL_CTRL when the VMCS cannot switch it */
    uint64_t misc_enable;          /* the guest's IA32_MISC_ENABLE (vmx/policy/misc_enable.h) */
    bool misc_enable_loaded;

    /* NMIs (vmx/vcpu/nmi.c; nmi_pending and nmi_window are above, where the stub finds them). */
    volatile bool nmi_live;        /* the VMCS is current here: the NMI handler may request the window */
    uint64_t nmi_host;             /* taken in VMX root operation on the guest's behalf */
    uint64_t nmi_exits;            /* NMI VM exits */
    uint64_t nmi_injected;
    uint64_t nmi_dropped;          /* arrived while the vCPU waited for a SIPI */
    uint64_t nmi_merged;           /* arrived while one was pending: lost, as on a CPU */

    /* Transient-execution MSR lists (vmx/core/spec_ctrl.c): [0] the guest's IA32_SPEC_CTRL (VM-exit
     * store, VM-entry load), [1] IA32_FLUSH_CMD (VM-entry load); Skiff's IA32_SPEC_CTRL (VM-exit load). */
    struct vmx_msr_entry spec_guest_msrs[2] __attribute__((aligned(16)));
    struct vmx_msr_entry spec_host_msrs[1] __attribute__((aligned(16)));
};

_Static_assert(offsetof(struct guest_regs, rax) == 0, "rax is pushed last");
_Static_assert(offsetof(struct guest_regs, r15) == 14 * 8, "r15 is pushed first");
_Static_assert(sizeof(struct guest_regs) == GUEST_REGS_SIZE, "exit_stub.S pushes 15 GPRs");
_Static_assert(offsetof(struct vcpu, regs) == VCPU_REGS_OFF, "exit_stub.S: regs offset");
_Static_assert(offsetof(struct vcpu, host_rsp) == VCPU_HOST_RSP_OFF, "exit_stub.S: host_rsp offset");
_Static_assert(offsetof(struct vcpu, exit_reason) == VCPU_EXIT_REASON_OFF, "exit_stub.S: exit_reason offset");
_Static_assert(offsetof(struct vcpu, exits) == VCPU_EXITS_OFF, "exit_stub.S: exits offset");
_Static_assert(offsetof(struct vcpu, exit_counts) == VCPU_EXIT_COUNTS_OFF, "exit_stub.S: exit_counts offset");
_Static_assert(offsetof(struct vcpu, cpuid_valid) == VCPU_CPUID_VALID_OFF, "exit_stub.S: cpuid_valid offset");
_Static_assert(offsetof(struct vcpu, cpuid_cache) == VCPU_CPUID_CACHE_OFF, "exit_stub.S: cpuid_cache offset");
_Static_assert(offsetof(struct vcpu, nmi_pending) == VCPU_NMI_OFF && offsetof(struct vcpu, nmi_window) == VCPU_NMI_OFF + 4,
               "exit_stub.S: nmi_pending and nmi_window, one quadword");
_Static_assert(sizeof(((struct vcpu *)0)->cpuid_cache[0]) == 24, "exit_stub.S: 24-byte CPUID cache entries");
_Static_assert(EXIT_REASON_CPUID == 10, "exit_stub.S: the CPUID fast path");
_Static_assert(VCPU_REGS_OFF % 16 == 0, "regs are 16-byte aligned: calls from the stub keep the ABI alignment");

/*
 * vmx/core/exit_stub.S: load the guest GPRs from v->regs and VMLAUNCH (resume = 0)
 * or VMRESUME.  Returns 0 when the guest has been stopped by the dispatcher,
 * or the failed instruction's status (1 VMfailValid, 2 VMfailInvalid).
 */
int vmx_enter(struct vcpu *v, int resume);

/* HOST_RIP. */
void vmx_exit_stub(void);

/* Cleared while tracing, gdb or vmcheck=always must see every exit (vmx/core/exit_stub_data.c). */
extern bool vmx_fast_cpuid;
/* Some vCPU's IA32_MISC_ENABLE has had LIMIT_CPUID: leaf 0 takes the C path. */
extern bool vmx_cpuid_limited;
extern const uint64_t vmx_light_exits;
extern uint64_t vmx_light_now;
/* The stub's CPUID fast path and light path on or off (vmx_fast_cpuid, vmx_light_now). */
void vmx_fast_paths(bool on);

/* Called by the stub with the saved registers; non-zero means VMRESUME. */
int vmx_exit_dispatch(struct guest_regs *regs);

/* Called by the stub before VMRESUME when vmcheck_dirty is set; 0 means stop. */
int vmx_exit_recheck(struct guest_regs *regs);

/* Called by the stub when VMRESUME itself fails (status 1 or 2). */
__attribute__((noreturn)) void vmx_resume_failed(struct guest_regs *regs, int status);

static inline struct vcpu *vcpu_of(struct guest_regs *r)
{
    return (struct vcpu *)((char *)r - offsetof(struct vcpu, regs));
}

/* GPR by the 4-bit number used in exit qualifications (0 RAX ... 15 R15); 4 = RSP. */
uint64_t *vcpu_gpr(struct vcpu *v, unsigned n);

#endif
#endif
