/*
 * The workload guest's Multiboot (v1) header, 32-bit entry and interrupt
 * stubs: the APIC timer (vector 0x40) counts a tick and writes EOI; the
 * APIC's spurious vector and the remapped 8259 vectors return at once;
 * an exception reports its vector and ends the run.
 */
#include "guest/programs/common/multiboot1.h"
    MB1_HEADER

    .text
    .globl perf_entry
perf_entry:
    movl $perf_stack_top, %esp
    pushl $0
    popfl                            /* EFLAGS = 2: interrupts off */
    pushl %ebx                       /* Multiboot information */
    pushl %eax                       /* magic: 0x2BADB002 */
    call perf_main
1:  cli
    hlt
    jmp 1b

    .globl perf_timer_isr
perf_timer_isr:
    pushl %eax
    incl perf_ticks
    movl perf_apic_eoi, %eax
    movl $0, (%eax)                  /* EOI: a 32-bit store, as Bochs requires */
    popl %eax
    iretl

    .globl perf_ignore_isr
perf_ignore_isr:
    iretl

.macro STUB n
perf_exc_\n:
    pushl $\n
    call perf_exception              /* does not return */
.endm

.altmacro
.macro STUBS from, to
    STUB \from
    .if \to - \from
    STUBS %(\from + 1), \to
    .endif
.endm
    STUBS 0, 31

.macro ADDR n
    .long perf_exc_\n
.endm
.macro ADDRS from, to
    ADDR \from
    .if \to - \from
    ADDRS %(\from + 1), \to
    .endif
.endm
    .section .rodata
    .balign 4
    .globl perf_exc_table
perf_exc_table:
    ADDRS 0, 31

    .bss
    .balign 16
    .skip 16384
    .globl perf_stack_top
perf_stack_top:

    .section .note.GNU-stack, "", @progbits
