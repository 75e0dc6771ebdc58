/*
 * Exception entry stubs: make every vector look the same (vector number and
 * an error code, 0 where the CPU pushes none: SDM Vol. 3A Table 6-1), save
 * the GPRs in the order of struct exc_frame and call exception_handler().
 * It returns for an NMI (recorded for the guest, kernel/end/panic.c) and for a
 * fault the exception table fixes up (kernel/cpu/extable.h): the GPRs come back and IRETQ resumes.
 */
    .text

.macro ISR vec
    .balign 16
isr_\vec:
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp isr_common
.endm

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ISR \v
.endr

isr_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi
    movq %rsp, %rbx             /* callee-saved: the frame, for the way back */
    andq $~15, %rsp
    cld
    call exception_handler
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp              /* vector and error code */
    iretq

    .section .rodata
    .balign 8
    .globl isr_stub_table
isr_stub_table:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad isr_\v
.endr

    .section .note.GNU-stack, "", @progbits
