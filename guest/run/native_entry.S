/*
 * vmx=off: from Skiff's higher-half code into a guest's 64-bit entry, outside
 * VMX (guest/run/native.c fills struct native_state, guest/run/native.h).
 *
 * The guest's page tables (the loader's identity map of 0-4 GiB) do not map
 * Skiff's higher half, and Skiff's identity map is not executable (NX), so
 * the switch goes through a bridge PML4: the guest's PML4[0] (identity, no
 * NX) and Skiff's PML4[511] (this code).  From the bridge the code jumps to
 * its own physical address, loads the guest's CR3, reloads CS with a far
 * return (SDM Vol. 3A 3.4.3; 64-bit mode has no far jump to an immediate),
 * the data segments, then CR4 (PGE clear flushes Skiff's global
 * translations, SDM Vol. 3A 4.10.4.1), EFER and CR0, and jumps to the entry.
 * Interrupts stay off (Linux's 64-bit boot protocol asks for that).
 */
    .text
    .globl native_enter, native_enter_low
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
    movq 0x58(%rdi), %rax
    movq 0x50(%rdi), %rbp
    movq %rbp, %cr3                 /* the bridge: this page and Skiff's stack stay mapped */
    pushq %rax                      /* a return, not an indirect JMP (tools/check_indirect.sh) */
    ret
native_enter_low:                   /* at its physical address from here on */
    movq %r13, %cr3
    movq %r9, %rsp
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

    .section .note.GNU-stack, "", @progbits
