/* Multiboot (v1) header and 32-bit entry (Multiboot 0.6.96, 3.1 and 3.2). */
#include "guest/programs/common/multiboot1.h"
    MB1_HEADER

    .text
    .globl mb_entry
mb_entry:
    movl $stack_top, %esp
    pushl %ebx                       /* Multiboot information */
    pushl %eax                       /* magic: 0x2BADB002 */
    call mb_main
1:  cli
    hlt
    jmp 1b

    .bss
    .balign 16
    .skip 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
