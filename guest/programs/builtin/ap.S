/*
 * The built-in guest's AP start-up, as an OS does it: test_smp (main.c)
 * copies ap_tramp..ap_tramp_end to BUILTIN_AP_TRAMP and sends INIT-SIPI-SIPI;
 * each AP starts there in real mode (CS = page >> 4, IP = 0), turns on PAE,
 * the guest's page tables and EFER.LME, then PE and PG together (straight
 * into IA-32e mode, SDM Vol. 3A 9.8.5), and jumps to the 64-bit code segment
 * of the guest's GDT, at ap_entry64 in the image.
 */
#include "guest/loader/builtin_abi.h"

#define T(sym) ((sym) - ap_tramp)

    .section .rodata
    .globl ap_tramp, ap_tramp_end
    .code16
ap_tramp:
    cli
    movw %cs, %ax
    movw %ax, %ds
    lgdtl T(ap_gdtr)
    movl $0x20, %eax                    /* CR4.PAE */
    movl %eax, %cr4
    movl $BUILTIN_PML4_ADDR, %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx              /* IA32_EFER.LME */
    rdmsr
    orl $0x100, %eax
    wrmsr
    /*
     * CR0 in two steps, as Linux's AP trampoline does: WP NE ET MP PE first (NE differs from
     * the INIT read shadow, so Skiff emulates this write), then PG alone, which no CR0
     * guest/host mask bit covers with unrestricted guest: the CPU activates IA-32e mode by
     * itself and records it in the "IA-32e mode guest" VM-entry control at the next VM exit
     * (SDM Vol. 3C 27.2), a change Skiff sees only by reading the VMCS.
     */
    movl $0x00010033, %eax
    movl %eax, %cr0
    movl $0x80010033, %eax              /* PG WP NE ET MP PE: as the BSP's */
    movl %eax, %cr0
    ljmpl $0x08, $ap_entry64
    .balign 8
ap_gdtr:
    .short 3 * 8 - 1
    .long BUILTIN_GDT_ADDR
ap_tramp_end:

    .text
    .code64
    .globl ap_entry64
ap_entry64:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl $1, %eax
    lock xaddl %eax, ap_next(%rip)      /* this AP's number, from 1 */
    movl %eax, %edi
    shlq $12, %rax
    leaq ap_stacks(%rip), %rsp
    addq %rax, %rsp                     /* the top of stack N-1 is ap_stacks + N * 4096 */
    call guest_ap_main
1:  cli
    hlt
    jmp 1b

    .data
    .balign 4
ap_next:
    .long 1

    .bss
    .balign 4096
    .globl ap_stacks
ap_stacks:
    .space 4096 * BUILTIN_MAX_APS

    .section .note.GNU-stack, "", @progbits
