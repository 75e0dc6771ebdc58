/*
 * 32-bit entry from GRUB (Multiboot2 spec 3.3: EAX = magic, EBX = physical
 * address of the boot information, protected mode, paging off, ESP undefined).
 *
 * GRUB may have placed the image anywhere (relocatable-image tag), so this
 * code is position independent: it finds its load base in the information's
 * load-base-address tag (type 21), builds early page tables that identity map
 * the first 4 GiB and map SKIFF_VMA to the load base, enables long mode
 * (SDM Vol. 3A 10.8.5 "Initializing IA-32e Mode") and jumps to 64-bit code in
 * the higher half.  Failures are reported on COM1 before halting.
 */
#include "boot/layout.h"

/* Physical address of a symbol, with the load base in %ebp. */
#define PA(sym) ((sym) - SKIFF_VMA)(%ebp)

#define COM1 0x3f8

    .section .boot.text, "ax"
    .code32
    .globl skiff_entry32
skiff_entry32:
    cli
    cld
    movl %eax, %edi                     /* magic */
    movl %ebx, %esi                     /* boot information */

    /* No stack yet: the first thing is to find where we live. */
    movl $SKIFF_LINK_PHYS, %ebp         /* fallback: not relocated */
    cmpl $MB2_BOOTLOADER_MAGIC, %edi
    jne 3f
    leal 8(%esi), %ecx                  /* first tag */
    movl (%esi), %edx
    addl %esi, %edx                     /* end of the information */
1:  leal 8(%ecx), %eax
    cmpl %edx, %eax
    ja 3f
    movl (%ecx), %eax                   /* tag type */
    testl %eax, %eax
    jz 3f                               /* end tag */
    cmpl $21, %eax
    je 2f
    movl 4(%ecx), %eax                  /* tag size */
    cmpl $8, %eax
    jb 3f
    addl $7, %eax
    andl $~7, %eax
    addl %eax, %ecx
    jmp 1b
2:  movl 8(%ecx), %ebp                  /* load_base_addr */
3:  movl %edi, PA(boot_magic)
    movl %esi, PA(boot_info)
    movl %ebp, PA(boot_load_base)
    /* Stack and timestamp of the very first Skiff instruction. */
    leal PA(boot_stack_top), %esp
    rdtsc
    movl %eax, PA(boot_tsc_entry)
    movl %edx, PA(boot_tsc_entry + 4)

    cmpl $MB2_BOOTLOADER_MAGIC, %edi
    je 4f
    leal PA(msg_magic), %eax
    jmp early_fail
4:
    /* Long mode needs CPUID leaf 0x80000001 with EDX.LM (bit 29). */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb no_long_mode
    movl $0x80000001, %eax
    cpuid
    btl $29, %edx
    jnc no_long_mode
    movl %edx, %ebx                     /* keep EDX.NX (bit 20) */

    /* Zero .bss (the early page tables and stack live there). */
    leal PA(_bss_start), %edi
    leal PA(_bss_end), %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl

    /* Identity map 0..4 GiB with 2 MiB pages: PML4[0] -> PDPT -> 4 PDs. */
    leal PA(early_pd_low), %eax
    xorl %ecx, %ecx
5:  movl %ecx, %edx
    shll $21, %edx
    orl $0x83, %edx                     /* present, writable, 2 MiB page */
    movl %edx, (%eax, %ecx, 8)
    movl %ecx, %edx
    shrl $11, %edx                      /* bits 32+ of the address */
    movl %edx, 4(%eax, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jb 5b
    leal PA(early_pdpt_low), %edx
    xorl %ecx, %ecx
6:  leal 3(%eax), %esi
    movl %esi, (%edx, %ecx, 8)
    addl $4096, %eax
    incl %ecx
    cmpl $4, %ecx
    jb 6b

    /* SKIFF_VMA (PML4[511], PDPT[510]) -> load base, SKIFF_EARLY_MAP 2 MiB pages. */
    leal PA(early_pd_high), %eax
    xorl %ecx, %ecx
7:  movl %ecx, %edx
    shll $21, %edx
    addl %ebp, %edx
    orl $0x83, %edx
    movl %edx, (%eax, %ecx, 8)
    incl %ecx
    cmpl $SKIFF_EARLY_MAP, %ecx
    jb 7b
    leal PA(early_pdpt_high), %edx
    leal 3(%eax), %eax
    movl %eax, 510*8(%edx)
    leal PA(early_pml4), %eax
    leal 3(%edx), %edx
    movl %edx, 511*8(%eax)
    leal PA(early_pdpt_low), %edx
    leal 3(%edx), %edx
    movl %edx, (%eax)

    /* CR4.PAE, CR3, EFER.LME (+NXE when offered), CR0.PG|WP|NE|PE, caches on. */
    movl %cr4, %edx
    orl $(1 << 5), %edx
    movl %edx, %cr4
    movl %eax, %cr3
    movl $0xC0000080, %ecx
    rdmsr
    orl $(1 << 8), %eax
    btl $20, %ebx
    jnc 8f
    orl $(1 << 11), %eax
8:  wrmsr
    /* Caches on (firmware may leave CD/NW set): VM entry never changes them
     * (SDM Vol. 3C 27.3.2.1), so the guest inherits Skiff's setting. */
    movl %cr0, %eax
    andl $~0x60000000, %eax
    orl $0x80010021, %eax
    movl %eax, %cr0

    /* 64-bit GDT at its physical address, then a far jump to 64-bit code. */
    leal PA(early_gdt), %eax
    movl %eax, PA(early_gdtr + 2)
    lgdt PA(early_gdtr)
    leal PA(entry64_low), %eax
    movl %eax, PA(early_farptr)
    ljmp *PA(early_farptr)

no_long_mode:
    leal PA(msg_nolm), %eax
    /* fall through */

/* Print the NUL-terminated string at %eax on COM1 and halt forever. */
early_fail:
    movl %eax, %esi
1:  movb (%esi), %al
    testb %al, %al
    jz 3f
    movb %al, %bl
    movw $COM1 + 5, %dx
2:  inb %dx, %al
    testb $0x20, %al
    jz 2b
    movw $COM1, %dx
    movb %bl, %al
    outb %al, %dx
    incl %esi
    jmp 1b
3:  cli
    hlt
    jmp 3b

    .code64
entry64_low:
    /* Running at the identity-mapped physical address: go high. */
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs
    movabsq $entry64_high, %rax
    jmpq *%rax

entry64_high:
    movabsq $boot_stack_top, %rsp
    xorl %ebp, %ebp
    movl boot_magic(%rip), %edi              /* kmain(magic, info, load_base) */
    movl boot_info(%rip), %esi
    movl boot_load_base(%rip), %edx
    call kmain
1:  cli
    hlt
    jmp 1b

    .section .rodata
msg_magic:
    .asciz "skiff: error: not started by a Multiboot2 loader (bad magic in EAX); halting\r\n"
msg_nolm:
    .asciz "skiff: error: this CPU has no long mode (64-bit); Skiff needs an x86-64 CPU with Intel VT-x; halting\r\n"

    .data
    .balign 16
early_gdt:
    .quad 0
    .quad 0x00af9a000000ffff            /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff            /* 0x10: data */
early_gdt_end:
early_gdtr:
    .short early_gdt_end - early_gdt - 1
    .long 0
early_farptr:
    .long 0
    .short 0x08

    .globl boot_tsc_entry, boot_load_base
    .balign 8
boot_tsc_entry:  .quad 0
boot_magic:      .long 0
boot_info:       .long 0
boot_load_base:  .quad 0

    .section .bss.pages, "aw", @nobits
    .balign 4096
early_pml4:      .skip 4096
early_pdpt_low:  .skip 4096
early_pd_low:    .skip 4 * 4096
early_pdpt_high: .skip 4096
    .globl early_pd_high
early_pd_high:   .skip 4096
    .globl boot_stack, boot_stack_top
boot_stack:      .skip BOOT_STACK_SIZE
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
