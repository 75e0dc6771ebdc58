/*
 * VM entry and the VM-exit stub (SDM Vol. 3C 27.5 "Loading Host State":
 * on every exit the CPU loads RSP = HOST_RSP and RIP = HOST_RIP).
 *
 * HOST_RSP is the address just above vcpu->regs, so the 15 pushes of the
 * stub store the guest GPRs straight into vcpu->regs; the exit stack below
 * them serves the C dispatcher.  A zero return from the dispatcher means the
 * guest has been stopped: the stub then unwinds to vmx_enter's caller.
 */
#include "vmx/vcpu.h"

    .text

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
    testl %esi, %esi
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
    popq %r15                           /* pops leave the flags alone */
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

/* HOST_RIP: RSP = &vcpu->regs + sizeof(vcpu->regs). */
    .globl vmx_exit_stub
    .balign 16
vmx_exit_stub:
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
    movq %rsp, %rdi
    call vmx_exit_dispatch
    testl %eax, %eax
    jz guest_stopped
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
