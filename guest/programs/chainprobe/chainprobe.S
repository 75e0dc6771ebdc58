/*
 * chainprobe: a BIOS boot sector (real mode) that reports what the firmware's
 * memory calls answer, for the native-vs-Skiff comparison of guest=chain
 * (tests/boot/chain_cases.sh).  Loaded by the BIOS (or GRUB's chainloader, or
 * Skiff's chain stub) to 0:7C00 with DL = its drive; it reads its own
 * sectors 2..CP_SECTORS+1 with INT 13h AH=02h, then prints on COM1 (plain
 * port writes, no BIOS):
 *
 *   chainprobe: dl=0xNN
 *   chainprobe: int12 ax=N                                 (KiB of base memory)
 *   chainprobe: bda413=N                                   (the BDA's word at 0x413)
 *   chainprobe: e820 size=24 cont=C base=B len=L type=T attr=A ecx=N next=C'   (every entry)
 *   chainprobe: e820 size=20 ...                           (the same map asked with 20-byte entries)
 *   chainprobe: e820 entries=N
 *   chainprobe: e801 cf=F ax=.. bx=.. cx=.. dx=..
 *   chainprobe: 88 cf=F ax=..
 *   chainprobe: memtest pages=N bad=N first_bad=0x...     (every usable page above 1 MiB below 4 GiB)
 *   chainprobe: end
 *
 * and powers off through the Bochs shutdown port (0x8900).  The memory test
 * runs in 32-bit protected mode (flat segments, paging off, interrupts off)
 * and writes, then reads back, the first and last dword of every 4 KiB page
 * the E820 map (20-byte pass) calls usable at or above 1 MiB and below 4 GiB,
 * with values made from the page's address: a page that aliases another, is
 * missing, or traps (an EPT violation under Skiff) shows.  It enables A20
 * (port 0x92) first: GRUB's chainloader enters a boot sector with A20 off.
 */
#define CP_SECTORS 8                 /* sectors after the boot sector (4 KiB) */
#define E820_TABLE 0x600             /* 24-byte entries, at most E820_MAX */
#define E820_MAX   40
#define COM1       0x3f8

    .code16
    .section .text
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x7c00, %esp
    sti
    ljmp $0, $1f
1:  mov %dl, drive
    mov $0x0200 + CP_SECTORS, %ax    /* AH=02h read, AL = count */
    mov $0x0002, %cx                 /* cylinder 0, sector 2 */
    xor %dh, %dh                     /* head 0 */
    mov $0x7e00, %bx
    int $0x13
    jc load_failed
    jmp main

load_failed:
    mov $msg_load, %si
    call puts
    jmp halt

/* puts: print the NUL-terminated string at DS:SI. */
puts:
    lodsb
    test %al, %al
    jz 1f
    call putc
    jmp puts
1:  ret

/* putc: AL to COM1 once its transmit holding register is empty. */
putc:
    push %dx
    push %ax
    mov $COM1 + 5, %dx
1:  in %dx, %al
    test $0x20, %al
    jz 1b
    pop %ax
    mov $COM1, %dx
    out %al, %dx
    pop %dx
    ret

halt:
    cli
    hlt
    jmp halt

msg_load: .asciz "chainprobe: error: INT 13h could not read its own sectors\r\n"
drive: .byte 0

    .org 510
    .word 0xaa55

/* ---- sectors 2.. ---------------------------------------------------------- */

/* hex32: EAX as 0x%08x. */
hex32:
    push %eax
    mov $'0', %al
    call putc
    mov $'x', %al
    call putc
    pop %eax
    jmp digits8

/* hex64: EDX:EAX as 0x%016x. */
hex64:
    push %eax
    mov %edx, %eax
    call hex32
    pop %eax
    /* fall through: the low eight digits */

/* digits8: EAX as eight hex digits. */
digits8:
    push %cx
    push %eax
    mov $8, %cx
1:  rol $4, %eax
    push %eax
    and $0xf, %al
    add $'0', %al
    cmp $'9', %al
    jbe 2f
    add $'a' - '9' - 1, %al
2:  call putc
    pop %eax
    loop 1b
    pop %eax
    pop %cx
    ret

/* say: print the string at SI, then EAX in hex. */
say:
    push %eax
    call puts
    pop %eax
    jmp hex32

nl:
    push %si
    mov $s_nl, %si
    call puts
    pop %si
    ret

main:
    mov $s_dl, %si
    movzbl drive, %eax
    call say
    call nl

    int $0x12
    movzwl %ax, %eax
    mov $s_int12, %si
    call say
    call nl
    movzwl 0x413, %eax
    mov $s_bda, %si
    call say
    call nl

    movl $24, esize
    call e820_pass
    movl $20, esize
    call e820_pass
    mov $s_count, %si
    movzwl nent, %eax
    call say
    call nl

    /* E801h: AX/CX = KiB 1-16 MiB, BX/DX = 64 KiB blocks above 16 MiB. */
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    mov $0xe801, %eax
    clc
    int $0x15
    pushf
    push %dx
    push %cx
    push %bx
    push %ax
    mov $s_e801, %si
    call puts
    mov %sp, %bp
    mov 8(%bp), %ax
    and $1, %eax
    add $'0', %al
    call putc
    mov $s_ax, %si
    pop %ax
    movzwl %ax, %eax
    call say
    mov $s_bx, %si
    pop %ax
    movzwl %ax, %eax
    call say
    mov $s_cx, %si
    pop %ax
    movzwl %ax, %eax
    call say
    mov $s_dx, %si
    pop %ax
    movzwl %ax, %eax
    call say
    popf
    call nl

    /* 88h: KiB above 1 MiB. */
    mov $0x8800, %ax
    clc
    int $0x15
    pushf
    push %ax
    mov $s_88, %si
    call puts
    mov %sp, %bp
    mov 2(%bp), %ax
    and $1, %eax
    add $'0', %al
    call putc
    mov $s_ax, %si
    pop %ax
    movzwl %ax, %eax
    call say
    popf
    call nl

    call memtest
    mov $s_mem, %si
    mov pages, %eax
    call say
    mov $s_bad, %si
    mov bad, %eax
    call say
    mov $s_first, %si
    mov first_bad, %eax
    call say
    mov $s_last, %si
    mov last_bad, %eax
    call say
    mov $s_val, %si
    mov bad_first, %eax
    call say
    mov $s_val, %si
    mov bad_last, %eax
    call say
    call nl

    mov $s_end, %si
    call puts
    /* a short pause so the last characters leave the UART, then the Bochs shutdown port */
    mov $0x2000, %cx
1:  loop 1b
    mov $0x8900, %dx
    mov $s_shutdown, %si
2:  lodsb
    test %al, %al
    jz halt
    out %al, %dx
    jmp 2b

/* One E820 walk with entries of `esize` bytes; fills E820_TABLE (nent) and prints each entry. */
e820_pass:
    xor %ebx, %ebx
    movw $0, nent
    mov $E820_TABLE, %di
1:  cmpw $E820_MAX, nent
    jae 9f
    mov %ebx, cont
    movl $1, %es:20(%di)             /* ACPI 3.0 extended attributes: "enabled" unless told */
    mov $0xe820, %eax
    mov $0x534d4150, %edx            /* 'SMAP' */
    mov esize, %ecx
    int $0x15
    jc 8f
    cmp $0x534d4150, %eax
    jne 8f
    mov %ebx, next
    mov %ecx, retsize
    mov $s_e820, %si
    mov esize, %eax
    call say
    mov $s_cont, %si
    mov cont, %eax
    call say
    mov $s_base, %si
    call puts
    mov (%di), %eax
    mov 4(%di), %edx
    call hex64
    mov $s_len, %si
    call puts
    mov 8(%di), %eax
    mov 12(%di), %edx
    call hex64
    mov $s_type, %si
    mov 16(%di), %eax
    call say
    mov $s_attr, %si
    mov 20(%di), %eax
    cmpl $24, retsize
    jae 2f
    mov $0xffffffff, %eax            /* a 20-byte answer has no attributes */
2:  call say
    mov $s_ecx, %si
    mov retsize, %eax
    call say
    mov $s_next, %si
    mov next, %eax
    call say
    call nl
    add $24, %di
    incw nent
    mov next, %ebx
    test %ebx, %ebx
    jnz 1b
9:  ret
8:  mov $s_e820cf, %si                /* CF or no 'SMAP': the end of the list */
    mov cont, %eax
    call say
    call nl
    ret

/* The memory test in 32-bit protected mode, back to real mode after.  A boot sector gets
 * the A20 gate as the BIOS (or GRUB's chainloader: off) left it: on through port 0x92 first. */
memtest:
    in $0x92, %al
    or $0x02, %al
    and $0xfe, %al                   /* bit 0 would reset the machine */
    out %al, $0x92
    cli
    lgdt gdtr
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmp $0x08, $pm32
    .code32
pm32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ebp, %ebp                   /* pass 0: write, pass 1: check */
pass:
    mov $E820_TABLE, %esi
    movzwl nent, %ecx
entry:
    test %ecx, %ecx
    jz pass_done
    cmpl $1, 16(%esi)
    jne next_entry
    cmpl $0, 4(%esi)                 /* at or above 4 GiB: out of reach */
    jne next_entry
    mov (%esi), %ebx                 /* start: page-aligned up, at least 1 MiB */
    add $0xfff, %ebx
    and $~0xfff, %ebx
    cmp $0x100000, %ebx
    jae 1f
    mov $0x100000, %ebx
1:  mov (%esi), %edx                 /* end: base + len, at most 4 GiB, page-aligned down */
    mov 8(%esi), %eax
    add %eax, %edx
    jc 2f
    cmpl $0, 12(%esi)
    je 3f
2:  mov $0xfffff000, %edx
3:  and $~0xfff, %edx
page:
    cmp %edx, %ebx
    jae next_entry
    mov %ebx, %eax
    xor $0x5a5aa5a5, %eax
    mov %ebx, %edi
    not %edi
    test %ebp, %ebp
    jnz check
    mov %eax, (%ebx)
    mov %edi, 0xffc(%ebx)
    incl pages
    jmp 4f
check:
    cmp %eax, (%ebx)
    jne wrong
    cmp %edi, 0xffc(%ebx)
    je 4f
wrong:
    cmpl $0, bad
    jne 5f
    mov %ebx, first_bad
    mov (%ebx), %eax
    mov %eax, bad_first
    mov 0xffc(%ebx), %eax
    mov %eax, bad_last
5:  incl bad
    mov %ebx, last_bad
4:  add $0x1000, %ebx
    jnc page
next_entry:
    add $24, %esi
    dec %ecx
    jmp entry
pass_done:
    inc %ebp
    cmp $2, %ebp
    jb pass
    ljmp $0x18, $pm16
    .code16
pm16:
    mov $0x20, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %cr0, %eax
    and $~1, %eax
    mov %eax, %cr0
    ljmp $0, $rm16
rm16:
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    sti
    ret

    .p2align 3
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff         /* 0x08: flat 32-bit code */
    .quad 0x00cf92000000ffff         /* 0x10: flat data */
    .quad 0x00009a000000ffff         /* 0x18: 16-bit code, base 0, 64 KiB */
    .quad 0x000092000000ffff         /* 0x20: 16-bit data, base 0, 64 KiB */
gdt_end:
gdtr:
    .word gdt_end - gdt - 1
    .long gdt

esize:     .long 0
retsize:   .long 0
cont:      .long 0
next:      .long 0
nent:      .word 0
pages:     .long 0
bad:       .long 0
first_bad: .long 0
last_bad:  .long 0
bad_first: .long 0
bad_last:  .long 0

s_nl:     .asciz "\r\n"
s_dl:     .asciz "chainprobe: dl="
s_int12:  .asciz "chainprobe: int12 ax="
s_bda:    .asciz "chainprobe: bda413="
s_e820:   .asciz "chainprobe: e820 size="
s_cont:   .asciz " cont="
s_base:   .asciz " base="
s_len:    .asciz " len="
s_type:   .asciz " type="
s_attr:   .asciz " attr="
s_ecx:    .asciz " ecx="
s_next:   .asciz " next="
s_e820cf: .asciz "chainprobe: e820 cf cont="
s_count:  .asciz "chainprobe: e820 entries="
s_e801:   .asciz "chainprobe: e801 cf="
s_88:     .asciz "chainprobe: 88 cf="
s_ax:     .asciz " ax="
s_bx:     .asciz " bx="
s_cx:     .asciz " cx="
s_dx:     .asciz " dx="
s_mem:    .asciz "chainprobe: memtest pages="
s_bad:    .asciz " bad="
s_first:  .asciz " first_bad="
s_last:   .asciz " last_bad="
s_val:    .asciz " read="
s_end:    .asciz "chainprobe: end\r\n"
s_shutdown: .asciz "Shutdown"

    .org 512 + CP_SECTORS * 512 - 1
    .byte 0
