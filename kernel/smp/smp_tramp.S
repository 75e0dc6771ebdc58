/*
 * Application-processor start-up (SDM Vol. 3A 9.4.4.1 and 10.6.1: INIT-SIPI-SIPI).
 * smp_tramp_start..smp_tramp_end is copied by kernel/smp/smp.c to a page below
 * 1 MiB; the SIPI vector is that page's number, so the AP starts in real
 * mode with CS = page << 8, IP = 0.  It loads its own GDT, enters protected
 * mode, then long mode on temporary page tables (low 2 MiB identity, no NX,
 * plus Skiff's higher-half mapping), and jumps to smp_ap_entry64 in Skiff's
 * image, which switches to Skiff's page tables and its own stack.
 * kernel/smp/smp.c fills in the fields marked (patched) before each start.
 */
#define OFF(sym) ((sym) - smp_tramp_start)

    .section .rodata
    .balign 16
    .globl smp_tramp_start, smp_tramp_end
    .code16
smp_tramp_start:
    cli
    cld
    xorl %ebx, %ebx
    movw %cs, %bx
    shll $4, %ebx                       /* %ebx = the page's physical address */
    movw %cs, %ax
    movw %ax, %ds
    lgdtl OFF(tr_gdtr)
    movl %cr0, %eax
    orl $1, %eax                        /* PE */
    movl %eax, %cr0
    ljmpl *OFF(tr_far32)

    .code32
tr_pm32:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %cr4, %eax
    orl $(1 << 5), %eax                 /* PAE */
    movl %eax, %cr4
    movl OFF(tr_cr3)(%ebx), %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx              /* EFER: LME, and NXE as the BSP has it */
    rdmsr
    orl OFF(tr_efer)(%ebx), %eax
    wrmsr
    movl %cr0, %eax
    andl $~0x60000000, %eax             /* caches on */
    orl $0x80010021, %eax               /* PG, WP, NE, PE */
    movl %eax, %cr0
    ljmp *OFF(tr_far64)(%ebx)

    .code64
tr_lm64:
    movl %ebx, %ebx                     /* upper halves are undefined after the mode switch */
    movq OFF(tr_entry)(%rbx), %rax
    jmpq *%rax

    .balign 8
tr_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff            /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff            /* 0x10: data */
    .quad 0x00af9a000000ffff            /* 0x18: 64-bit code */
tr_gdt_end:
    .globl smp_tr_gdtr, smp_tr_far32, smp_tr_far64, smp_tr_cr3, smp_tr_efer, smp_tr_entry
    .globl smp_tr_stack, smp_tr_cpu, smp_tr_pm32, smp_tr_lm64, smp_tr_gdt
    .set smp_tr_pm32, tr_pm32
    .set smp_tr_lm64, tr_lm64
    .set smp_tr_gdt, tr_gdt
tr_gdtr:
smp_tr_gdtr:
    .short tr_gdt_end - tr_gdt - 1
    .long 0                             /* (patched) physical address of tr_gdt */
    .balign 4
tr_far32:
smp_tr_far32:
    .long 0                             /* (patched) physical address of tr_pm32 */
    .short 0x08
    .balign 4
tr_far64:
smp_tr_far64:
    .long 0                             /* (patched) physical address of tr_lm64 */
    .short 0x18
    .balign 8
tr_cr3:
smp_tr_cr3:    .quad 0                  /* (patched) temporary PML4, below 4 GiB */
tr_efer:
smp_tr_efer:   .quad 0                  /* (patched) EFER bits to set */
tr_entry:
smp_tr_entry:  .quad 0                  /* (patched) smp_ap_entry64 */
tr_stack:
smp_tr_stack:  .quad 0                  /* (patched) this AP's stack top */
tr_cpu:
smp_tr_cpu:    .quad 0                  /* (patched) this AP's index */
smp_tramp_end:

/* 64-bit, in Skiff's image: Skiff's page tables, the AP's stack, smp_ap_main(index). */
    .text
    .globl smp_ap_entry64
smp_ap_entry64:
    movq smp_host_cr3(%rip), %rax
    movq %rax, %cr3
    movq OFF(tr_stack)(%rbx), %rsp
    movq OFF(tr_cpu)(%rbx), %rdi
    xorl %ebp, %ebp
    call smp_ap_main
1:  cli
    hlt
    jmp 1b

    .section .note.GNU-stack, "", @progbits
