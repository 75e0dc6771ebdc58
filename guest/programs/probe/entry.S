/*
 * The probe guest's Multiboot (v1) header, 32-bit entry and exception stubs.
 * Each stub builds a struct probe_frame (probe.h) on the stack: the GPRs
 * (PUSHA), whether the CPU pushed an error code, the vector, the error code
 * (0 when none was pushed), then what the CPU pushed: EIP, CS, EFLAGS.
 * SDM Vol. 3A 6.12.1: the frame of an exception without a privilege change.
 */
#include "guest/programs/common/multiboot1.h"
    MB1_HEADER

    .text
    .globl probe_entry
probe_entry:
    movl $probe_stack_top, %esp
    pushl $0
    popfl                            /* EFLAGS = 2: the same start natively and under Skiff */
    pushl %ebx                       /* Multiboot information */
    pushl %eax                       /* magic: 0x2BADB002 */
    call probe_main
1:  cli
    hlt
    jmp 1b

/* Vectors whose exceptions push an error code: 8, 10-14, 17, 21, 29, 30 (Table 6-1). */
.macro STUB n
probe_isr_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    pushl $\n
    pushl $1
    .else
    pushl $0                         /* no error code: a zero in its place */
    pushl $\n
    pushl $0
    .endif
    jmp probe_isr_common
.endm

.altmacro
.macro STUBS from, to
    STUB \from
    .if \to - \from
    STUBS %(\from + 1), \to
    .endif
.endm
    STUBS 0, 31

probe_isr_common:
    pushal
    pushl %esp
    call probe_exception
    addl $4, %esp
    popal
    addl $12, %esp                   /* has_err, vector, error code */
    iretl

.macro ADDR n
    .long probe_isr_\n
.endm
.macro ADDRS from, to
    ADDR \from
    .if \to - \from
    ADDRS %(\from + 1), \to
    .endif
.endm
    .section .rodata
    .balign 4
    .globl probe_isr_table
probe_isr_table:
    ADDRS 0, 31

    .bss
    .balign 16
    .skip 16384
    .globl probe_stack_top
probe_stack_top:

    .section .note.GNU-stack, "", @progbits
