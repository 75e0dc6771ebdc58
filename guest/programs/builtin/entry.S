/*
 * Built-in guest entry (64-bit mode, CS=0x08, paging on, RDI = builtin_info)
 * and its interrupt stubs: each pushes the vector (and a 0 error code where
 * the CPU pushes none) and calls guest_trap(frame).
 */
    .section .text.entry, "ax"
    .globl guest_start
guest_start:
    movq $0x400000, %rsp
    call guest_main
    /* guest_main never returns; stop hard if it does. */
1:  cli
    hlt
    jmp 1b

    .text
.macro STUB vec
    .balign 16
trap_\vec:
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp trap_common
.endm

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32
    STUB \v
.endr

trap_common:
    pushq %rax
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    movq %rsp, %rdi
    call guest_trap
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rax
    addq $16, %rsp
    iretq

    .section .rodata
    .globl trap_table
trap_table:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32
    .quad trap_\v
.endr

    .section .note.GNU-stack, "", @progbits
