/*
 * vmx=off: from Skiff's higher-half code into a guest's entry, outside VMX
 * (guest/run/native.c fills struct native_state, guest/run/native.h).
 *
 * Skiff's identity map is not executable (NX) and the guest's page tables (if
 * any) do not map Skiff's higher half, so the switch goes through bridge
 * tables: an executable identity map of 0-4 GiB beside Skiff's PML4[511]
 * (this code).  From the bridge the code jumps to its own physical address and
 * loads the guest's GDT selectors with a far return (SDM Vol. 3A 3.4.3; 64-bit
 * mode has no far jump to an immediate).
 *  - 64-bit entry: the guest's CR3, the data segments, then CR4 (PGE clear
 *    flushes Skiff's global translations, SDM Vol. 3A 4.10.4.1), EFER, CR0.
 *  - 32-bit entry: the far return lands in compatibility mode (the guest's
 *    32-bit code segment); clearing CR0.PG leaves IA-32e mode, then EFER.LME,
 *    CR4 and CR0 take the guest's values (SDM Vol. 3A 10.8.5.4).  Compatibility
 *    mode cannot reach R8-R15: the values it needs wait on the guest's stack.
 * Interrupts stay off (both boot protocols ask for that); IDTR is the guest's.
 */
    .text
    .globl native_enter, native_enter_low
    .code64
native_enter:
    cli
    cld
    lgdt 0x66(%rdi)                 /* the guest's GDT: used from the far return on */
    lidt 0x76(%rdi)                 /* the guest's IDT (the loaders give none: limit 0) */
    movq 0x00(%rdi), %r8            /* RIP */
    movq 0x08(%rdi), %r9            /* RSP */
    movq 0x10(%rdi), %rsi
    movq 0x18(%rdi), %r10           /* RDI */
    movq 0x20(%rdi), %r11           /* RAX */
    movq 0x28(%rdi), %rbx
    movq 0x30(%rdi), %r12           /* CR0 */
    movq 0x38(%rdi), %r13           /* CR3 */
    movq 0x40(%rdi), %r14           /* CR4 */
    movq 0x48(%rdi), %r15           /* EFER */
    movq 0x80(%rdi), %rcx           /* CS */
    movq 0x88(%rdi), %rdx           /* DS, ES, SS, FS, GS */
    movq 0x90(%rdi), %rbp           /* 1: a 64-bit entry, 0: 32-bit */
    movq 0x58(%rdi), %rax
    movq 0x50(%rdi), %rdi
    movq %rdi, %cr3                 /* the bridge: this page and Skiff's stack stay mapped */
    pushq %rax                      /* a return, not an indirect JMP (tools/check_indirect.sh) */
    ret
native_enter_low:                   /* at its physical address from here on */
    movq %r9, %rsp
    testq %rbp, %rbp
    jz 3f
    movq %r13, %cr3
    pushq %rcx
    leaq 1f(%rip), %rax
    pushq %rax
    lretq
1:  movl %edx, %ds
    movl %edx, %es
    movl %edx, %ss
    movl %edx, %fs
    movl %edx, %gs
    movq %r14, %cr4
    movl $0xc0000080, %ecx          /* IA32_EFER */
    movq %r15, %rax
    movq %r15, %rdx
    shrq $32, %rdx
    wrmsr
    movq %r12, %cr0
    pushq %r8                       /* popped by the ret: RSP is the guest's again */
    movq %r11, %rax
    movq %r10, %rdi
    xorl %ecx, %ecx
    xorl %edx, %edx
    xorl %ebp, %ebp
    xorl %r8d, %r8d
    xorl %r9d, %r9d
    xorl %r10d, %r10d
    xorl %r11d, %r11d
    xorl %r12d, %r12d
    xorl %r13d, %r13d
    xorl %r14d, %r14d
    xorl %r15d, %r15d
    ret

3:  subq $24, %rsp                  /* 32-bit entry: below the guest's stack top */
    movl %r12d, 0(%rsp)             /* CR0 */
    movl %r14d, 4(%rsp)             /* CR4 */
    movl %r15d, 8(%rsp)             /* EFER (low half; LME clear) */
    movl %r8d, 12(%rsp)             /* EIP */
    movl %r11d, 16(%rsp)            /* EAX */
    movl %r10d, 20(%rsp)            /* EDI */
    pushq %rcx
    leaq 4f(%rip), %rax
    pushq %rax
    lretq
    .code32
4:  movl %edx, %ds                  /* compatibility mode, still paged */
    movl %edx, %es
    movl %edx, %ss
    movl %edx, %fs
    movl %edx, %gs
    movl %cr0, %eax
    andl $0x7fffffff, %eax
    movl %eax, %cr0                 /* PG clear: IA-32e mode off (LMA = 0) */
    movl $0xc0000080, %ecx
    movl 8(%esp), %eax
    xorl %edx, %edx
    wrmsr                           /* EFER: LME (and NXE) clear */
    movl 4(%esp), %eax
    movl %eax, %cr4
    movl 0(%esp), %eax
    movl %eax, %cr0
    movl 12(%esp), %ecx
    movl 16(%esp), %eax
    movl 20(%esp), %edi
    addl $24, %esp                  /* ESP is the guest's again once the ret pops the entry */
    xorl %edx, %edx
    xorl %ebp, %ebp
    xorl %esi, %esi
    pushl %ecx
    xorl %ecx, %ecx
    ret
    .code64

    .section .note.GNU-stack, "", @progbits
