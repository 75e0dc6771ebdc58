/*
 * VM entry and the VM-exit stub (SDM Vol. 3C 27.5 "Loading Host State":
 * on every exit the CPU loads RSP = HOST_RSP and RIP = HOST_RIP).
 *
 * HOST_RSP is the address just above vcpu->regs, so the 15 pushes of the
 * stub store the guest GPRs straight into vcpu->regs; the exit stack below
 * them serves the C dispatcher.  A zero return from the dispatcher means the
 * guest has been stopped: the stub then unwinds to vmx_enter's caller.
 */
#include "kernel/cpu/percpu.h"
#include "vmx/core/vcpu.h"

    .text

/* The 15 GPRs in struct guest_regs order (the last push is RAX, at the lowest address). */
.macro PUSH_GPRS
    pushq %r15
    pushq %r14
    pushq %r13
    pushq %r12
    pushq %r11
    pushq %r10
    pushq %r9
    pushq %r8
    pushq %rdi
    pushq %rsi
    pushq %rbp
    pushq %rbx
    pushq %rdx
    pushq %rcx
    pushq %rax
.endm

/* The reverse: RAX first (it is at the lowest address). */
.macro POP_GPRS
    popq %rax
    popq %rcx
    popq %rdx
    popq %rbx
    popq %rbp
    popq %rsi
    popq %rdi
    popq %r8
    popq %r9
    popq %r10
    popq %r11
    popq %r12
    popq %r13
    popq %r14
    popq %r15
.endm

/*
 * VERW just before the guest runs, where the CPU clears its buffers with it (MDS, TAA, MMIO stale
 * data, RFDS: vmx/policy/spec_policy.c).  Changes ZF only: never between a flag test and its jump.
 */
.macro SPEC_VERW
    cmpb $0, spec_verw_on_entry(%rip)
    je 7f
    verw spec_verw_sel(%rip)
7:
.endm

/*
 * After a C handler, before the guest resumes (RSP = &vcpu->regs): an NMI pending or the NMI window
 * wanted goes to nmi_before_entry (vmx/vcpu/nmi.c), and the console learns the guest runs again
 * (console_guest_resumes, kernel/console/console.h).  Before the VMCS re-check, which sees what
 * nmi_before_entry changed.  Registers: the C convention's (the callers saved the guest's).
 */
.macro RESUME_WORK
    cmpq $0, (VCPU_NMI_OFF - VCPU_REGS_OFF)(%rsp)
    je 8f
    leaq -VCPU_REGS_OFF(%rsp), %rdi
    call nmi_before_entry
8:  cmpb $0, console_guest_wrote(%rip)
    jne 9f
    movb $1, console_guest_wrote(%rip)
9:
.endm

/* int vmx_enter(struct vcpu *v, int resume) */
    .globl vmx_enter
vmx_enter:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, VCPU_HOST_RSP_OFF(%rdi)
    leaq VCPU_REGS_OFF(%rdi), %rsp      /* pop the guest GPRs from vcpu->regs */
    SPEC_VERW
    testl %esi, %esi
    POP_GPRS                            /* pops leave the flags alone */
    jnz 1f
    vmlaunch
    jmp 2f
1:  vmresume
2:  /* VMfail: RSP is just above vcpu->regs again. */
    movl $2, %eax                       /* CF: VMfailInvalid */
    jc 3f
    movl $1, %eax                       /* ZF: VMfailValid */
3:  movq (VCPU_HOST_RSP_OFF - VCPU_REGS_OFF - GUEST_REGS_SIZE)(%rsp), %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

/* Register slots relative to RSP at the exit (RSP = &vcpu->regs + 120). */
#define SLOT_RDX (8 * 2 - GUEST_REGS_SIZE)
#define SLOT_RSI (8 * 5 - GUEST_REGS_SIZE)
#define SLOT_RDI (8 * 6 - GUEST_REGS_SIZE)
#define SLOT_RAX (8 * 0 - GUEST_REGS_SIZE)
#define SLOT_RCX (8 * 1 - GUEST_REGS_SIZE)
#define SLOT_RBX (8 * 3 - GUEST_REGS_SIZE)
#define SLOT_R8  (8 * 7 - GUEST_REGS_SIZE)
#define SLOT_R9  (8 * 8 - GUEST_REGS_SIZE)
#define SLOT_R10 (8 * 9 - GUEST_REGS_SIZE)
#define SLOT_R11 (8 * 10 - GUEST_REGS_SIZE)
#define RSP_REASON (VCPU_EXIT_REASON_OFF - VCPU_HOST_RSP_OFF)
#define RSP_EXITS (VCPU_EXITS_OFF - VCPU_HOST_RSP_OFF)
#define RSP_CPUID_COUNT (VCPU_EXIT_COUNTS_OFF - VCPU_HOST_RSP_OFF + 8 * 10)
#define RSP_CPUID_VALID (VCPU_CPUID_VALID_OFF - VCPU_HOST_RSP_OFF)
#define RSP_CPUID_CACHE (VCPU_CPUID_CACHE_OFF - VCPU_HOST_RSP_OFF)

/* VMCS field encodings the fast path uses (SDM Vol. 3D Appendix B). */
#define F_VM_EXIT_REASON          0x4402
#define F_VM_EXIT_INSTRUCTION_LEN 0x440c
#define F_GUEST_RIP               0x681e
#define F_GUEST_RFLAGS            0x6820
#define F_GUEST_INTERRUPTIBILITY  0x4824

/*
 * HOST_RIP: RSP = &vcpu->regs + sizeof(vcpu->regs).
 *
 * Fast path: a CPUID that needs no policy (not leaves 1-7, 0DH, 12H, 14H or 0x80000001-7, not
 * leaf 0 once a guest set LIMIT_CPUID, not Skiff's 0x400000xx leaves) is answered here with the host's CPUID, touching only
 * RAX-RDX (CPUID's own outputs), RSI and RDI: 5 VMREADs and 1 VMWRITE, no
 * call (RFLAGS and the interruptibility state: a CPUID under TF or STI/MOV-SS blocking
 * takes the C path, whose skip retires it architecturally, vmx/vcpu/insn_skip.c).  The host's
 * answer comes from the vCPU's CPUID cache (struct vcpu), filled by the first
 * CPUID of each (leaf, subleaf): under nested KVM a CPUID in VMX root is an exit to L0, and the
 * six fields are in KVM's shadow VMCS (vmx/core/vmcs_shadow.c), so a cached answer costs L0 nothing.  vmx_fast_cpuid is cleared when tracing, gdb or vmcheck=always need
 * to see every exit.  Everything else takes the full path below.
 */
    .globl vmx_exit_stub
    .balign 16
vmx_exit_stub:
    movq %rdx, SLOT_RDX(%rsp)
    /*
     * The RSB before any RET (vmx/policy/spec_policy.c, "RSB on exit"): without eIBRS its 32
     * entries are overwritten with harmless ones (CALLs whose return address is an INT3); with eIBRS
     * one CALL whose RET is never taken (post-barrier RSB predictions, PBRSB); nothing with PBRSB_NO.
     * The return addresses go below vcpu->regs (the exit stack), never into the guest's slots; no
     * register is used.
     */
    cmpb $1, spec_rsb_on_exit(%rip)     /* 0: none, 1: one CALL, 2: 32 (vmx/core/spec_ctrl.h) */
    jb .Lrsb_done
    ja .Lrsb_full                       /* the full fill falls through to the exit path */
    subq $GUEST_REGS_SIZE, %rsp
    call 1f
    int3
1:  addq $(8 + GUEST_REGS_SIZE), %rsp
    lfence
    jmp .Lrsb_done
.Lrsb_full:
    subq $GUEST_REGS_SIZE, %rsp
    .rept 32
    call 1f
    int3
1:
    .endr
    addq $(32 * 8 + GUEST_REGS_SIZE), %rsp
    lfence
.Lrsb_done:
    movl $F_VM_EXIT_REASON, %edx
    vmread %rdx, %rdx
    cmpl $10, %edx                      /* EXIT_REASON_CPUID */
    jne .Lnot_fast
    cmpb $0, vmx_fast_cpuid(%rip)
    je .Lfull
    leal -1(%rax), %edx                 /* leaves 1-7 and 0x80000001-7: the bits the CPUID */
    andl $0x7fffffff, %edx              /* backing table hides (vmx/core/cpuid_backing.c), hypervisor */
    cmpl $6, %edx                       /* bit, OSXSAVE, OSPKE, SYSCALL outside 64-bit mode */
    jbe .Lcpuid_c
    cmpl $0xd, %eax                     /* leaf 0DH: the XSS components (vmx/policy/xss_policy.h), XSAVES, XFD */
    je .Lcpuid_c
    cmpl $0x12, %eax                    /* leaves 12H (SGX) and 14H (Intel PT): 0 while */
    je .Lcpuid_c                        /* their feature is hidden (vmx/core/cpuid_view.c) */
    cmpl $0x14, %eax
    je .Lcpuid_c
    testl %eax, %eax                    /* leaf 0 once a guest's IA32_MISC_ENABLE has had */
    jnz .Lcpuid_fast                    /* LIMIT_CPUID (vmx/policy/misc_enable.h) */
    cmpb $0, vmx_cpuid_limited(%rip)
    jne .Lcpuid_c
.Lcpuid_fast:
    subl $0x3fffffff, %edx              /* Skiff's own leaves 0x400000xx (and 0xc00000xx, */
    cmpl $0xff, %edx                    /* passed through in C) */
    jbe .Lcpuid_c
    movl $F_GUEST_RFLAGS, %edx          /* a CPUID under TF or STI/MOV-SS blocking: the C path */
    vmread %rdx, %rdx                   /* retires it (vmx/vcpu/insn_skip.c: the single step */
    testl $0x100, %edx                  /* after it, the blocking it ends) */
    jnz .Lcpuid_c
    movl $F_GUEST_INTERRUPTIBILITY, %edx
    vmread %rdx, %rdx
    testl $3, %edx
    jnz .Lcpuid_c
    movq %rsi, SLOT_RSI(%rsp)
    movq %rdi, SLOT_RDI(%rsp)
    /* The vCPU's answer to (leaf, subleaf) if it has one: entry (leaf ^ leaf >> 26) + 8 * subleaf, mod 32. */
    movl %eax, %edx
    shrl $26, %edx
    xorl %eax, %edx
    leal (%rdx,%rcx,8), %edx
    andl $(VCPU_CPUID_ENTRIES - 1), %edx
    imull $24, %edx, %esi
    leaq RSP_CPUID_CACHE(%rsp,%rsi), %rsi
    btl %edx, RSP_CPUID_VALID(%rsp)
    jnc .Lcpuid_miss
    cmpl (%rsi), %eax
    jne .Lcpuid_miss
    cmpl 4(%rsi), %ecx
    jne .Lcpuid_miss
    movl 8(%rsi), %eax
    movl 12(%rsi), %ebx
    movl 16(%rsi), %ecx
    movl 20(%rsi), %edx
#ifdef SKIFF_NESTED_COST
    incq %gs:(PERCPU_NESTED_FAST_OFF + 8)   /* the counting build: an exit, no round trip */
#endif
    jmp .Lcpuid_answered
.Lcpuid_miss:                           /* ask the CPU once, keep the answer */
    movl %edx, %edi
    movl %eax, (%rsi)
    movl %ecx, 4(%rsi)
    cpuid
#ifdef SKIFF_NESTED_COST
    incq %gs:PERCPU_NESTED_FAST_OFF         /* the counting build: one L0 round trip (kernel/cpu/nested_cost.h) */
    incq %gs:(PERCPU_NESTED_FAST_OFF + 8)
#endif
    movl %eax, 8(%rsi)
    movl %ebx, 12(%rsi)
    movl %ecx, 16(%rsi)
    movl %edx, 20(%rsi)
    btsl %edi, RSP_CPUID_VALID(%rsp)
.Lcpuid_answered:
    movl $F_GUEST_RIP, %esi
    vmread %rsi, %rdi
    movl $F_VM_EXIT_INSTRUCTION_LEN, %esi
    vmread %rsi, %rsi
    addq %rsi, %rdi
    movl $F_GUEST_RIP, %esi
    vmwrite %rdi, %rsi
    incq RSP_EXITS(%rsp)
    incq RSP_CPUID_COUNT(%rsp)
    movq SLOT_RSI(%rsp), %rsi
    movq SLOT_RDI(%rsp), %rdi
    SPEC_VERW
    vmresume
    PUSH_GPRS                           /* VMRESUME failed: flags survive the pushes */
.Lresume_failed_pushed:
    movl $2, %esi
    jc 2f
    movl $1, %esi
2:  movq %rsp, %rdi
    call vmx_resume_failed
    ud2

.Lcpuid_c:                              /* a CPUID with policy: the light path in C */
    movl $10, %edx
    jmp .Lnot_fast

.Lnot_fast:
    /*
     * Light path, for exits whose handlers use only RAX, RCX, RDX, RBX, RSI
     * and RDI (vmx_light_exits: VMCALL, RDMSR, WRMSR, I/O, XSETBV, CPUID):
     * save those and the registers C may clobber (R8-R11); RBP and R12-R15
     * stay in the CPU, where the C calling convention preserves them.
     */
    cmpl $63, %edx
    ja .Lfull
    btq %rdx, vmx_light_now(%rip)       /* 0 while the fast paths are off (vmx_fast_paths) */
    jnc .Lfull
    movl %edx, RSP_REASON(%rsp)
    movq %rax, SLOT_RAX(%rsp)
    movq %rcx, SLOT_RCX(%rsp)
    movq %rbx, SLOT_RBX(%rsp)
    movq %rsi, SLOT_RSI(%rsp)
    movq %rdi, SLOT_RDI(%rsp)
    movq %r8, SLOT_R8(%rsp)
    movq %r9, SLOT_R9(%rsp)
    movq %r10, SLOT_R10(%rsp)
    movq %r11, SLOT_R11(%rsp)
    subq $GUEST_REGS_SIZE, %rsp
    movq %rsp, %rdi
    call vmx_exit_dispatch
    testl %eax, %eax
    jz guest_stopped
    RESUME_WORK
    cmpb $0, %gs:PERCPU_VMCHECK_DIRTY_OFF
    jne .Llight_recheck
.Llight_resume:
    addq $GUEST_REGS_SIZE, %rsp
    movq SLOT_RAX(%rsp), %rax
    movq SLOT_RCX(%rsp), %rcx
    movq SLOT_RDX(%rsp), %rdx
    movq SLOT_RBX(%rsp), %rbx
    movq SLOT_RSI(%rsp), %rsi
    movq SLOT_RDI(%rsp), %rdi
    movq SLOT_R8(%rsp), %r8
    movq SLOT_R9(%rsp), %r9
    movq SLOT_R10(%rsp), %r10
    movq SLOT_R11(%rsp), %r11
    SPEC_VERW
    vmresume
    PUSH_GPRS                           /* VMRESUME failed */
    jmp .Lresume_failed_pushed

.Llight_recheck:
    movq %rsp, %rdi
    call vmx_exit_recheck
    testl %eax, %eax
    jz guest_stopped
    jmp .Llight_resume

    /* Full path: every GPR saved, for any handler. */
.Lfull:
    movl %edx, RSP_REASON(%rsp)
    movq SLOT_RDX(%rsp), %rdx
    PUSH_GPRS
    movq %rsp, %rdi
    call vmx_exit_dispatch
    testl %eax, %eax
    jz guest_stopped
    RESUME_WORK
    cmpb $0, %gs:PERCPU_VMCHECK_DIRTY_OFF
    je .Lfull_resume
    movq %rsp, %rdi
    call vmx_exit_recheck
    testl %eax, %eax
    jz guest_stopped
.Lfull_resume:
    POP_GPRS
    SPEC_VERW
    vmresume
    /* VMRESUME failed: never returns. */
    movl $2, %esi
    jc 1f
    movl $1, %esi
1:  leaq -GUEST_REGS_SIZE(%rsp), %rdi
    movq %rdi, %rsp
    call vmx_resume_failed
    ud2

guest_stopped:
    /* RSP = &vcpu->regs: back to vmx_enter's frame, return 0. */
    movq (VCPU_HOST_RSP_OFF - VCPU_REGS_OFF)(%rsp), %rsp
    xorl %eax, %eax
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

    .section .note.GNU-stack, "", @progbits
