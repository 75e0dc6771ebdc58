/*
 * Skiff's benchmark guest: a Multiboot (v1) kernel.  Its very first
 * instruction reads the TSC, so Skiff's boot cost (entry to first guest
 * instruction) can be computed from Skiff's own entry TSC.
 */
#include "guest/programs/common/multiboot1.h"
    MB1_HEADER

    .text
    .globl bench_entry
bench_entry:
    rdtsc
    movl %eax, first_tsc
    movl %edx, first_tsc + 4
    movl $stack_top, %esp
    pushl %ebx
    call bench_main
1:  cli
    hlt
    jmp 1b

    .globl first_tsc
    .data
    .balign 8
first_tsc: .quad 0

    .bss
    .balign 16
    .skip 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
