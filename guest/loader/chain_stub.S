/*
 * guest=chain: the real-mode code of the hook page (layout and mechanism in
 * vmx/exit/bios_hook.h), copied by guest/loader/chain.c into one of Skiff's
 * pages below 640 KiB.  CS = the page's address >> 4, so every offset below is
 * the IP; no absolute addresses.
 *
 * BOOT does what a BIOS does after POST for a hard disk (the BIOS Boot
 * Specification's INT 19h path, with the BIOS's own INT 13h): the drive must
 * answer INT 13h AH=08h, sector 1 of cylinder 0, head 0 (LBA 0) is read to
 * 0:7C00 (AH=02h, three tries with a reset between), it must end in 55h AAh,
 * and it is entered at 0:7C00 with DL = the drive, interrupts on, SS:SP =
 * 0:7C00.
 */
#include "vmx/exit/bios_hook.h"

    .section .rodata
    .code16
    .globl chain_stub_start, chain_stub_end
chain_stub_start:
    .org BIOS_HOOK_HOOK15
    vmcall
    iret
    ljmp *%cs:BIOS_HOOK_ORIG15

    .org BIOS_HOOK_HOOK12
    vmcall
    iret
    ljmp *%cs:BIOS_HOOK_ORIG12

    .org BIOS_HOOK_BOOT
    cli
    xor %ax, %ax
    mov %ax, %ss
    mov $0x7c00, %sp
    mov %ax, %ds
    mov %ax, %es
    sti
    mov %cs:BIOS_HOOK_DRIVE, %dl
    mov $0x08, %ah                 /* get drive parameters: fails for a drive that is not there */
    xor %di, %di
    int $0x13
    jc no_drive
    xor %ax, %ax
    mov %ax, %es
    mov $3, %si
1:  mov %cs:BIOS_HOOK_DRIVE, %dl
    mov $0x0201, %ax               /* read one sector */
    mov $0x7c00, %bx
    mov $0x0001, %cx               /* cylinder 0, sector 1 */
    xor %dh, %dh                   /* head 0 */
    int $0x13
    jnc 2f
    dec %si
    jz read_failed
    push %ax
    xor %ah, %ah                   /* reset the drive, then try again */
    int $0x13
    pop %ax
    jmp 1b
2:  cmpw $0xaa55, 0x7dfe
    jne no_sig
    jmp loaded

    .org BIOS_HOOK_LOADED
loaded:
    vmcall
    mov %cs:BIOS_HOOK_DRIVE, %dl
    ljmp $0, $0x7c00

    .org BIOS_HOOK_NO_DRIVE
no_drive:
    vmcall
    jmp halt

    .org BIOS_HOOK_READ_FAILED
read_failed:
    vmcall
    jmp halt

    .org BIOS_HOOK_NO_SIG
no_sig:
    vmcall
halt:
    cli
    hlt
    jmp halt

    .org BIOS_HOOK_ORIG15
    .long 0
    .long 0
    .byte 0x80
    .org BIOS_HOOK_CODE_END
chain_stub_end:
    .code64
    .section .note.GNU-stack, "", @progbits
