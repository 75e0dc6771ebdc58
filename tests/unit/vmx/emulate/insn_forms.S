/*
 * The instruction forms tests/unit/vmx/emulate/test_insn.c checks, assembled here (the
 * bytes are the assembler's, not typed by hand).  F lists one instruction:
 *   F mode, native, op, opsize, addrsize, src, seg, ea, instruction
 * mode 16/32/64; native 1: 64-bit forms the test also runs on the host (each
 * is followed by RET; the test copies this section to its fixed mapping at
 * INSN_FORMS_BASE, so RIP-relative targets move with it); op, opsize,
 * addrsize, seg: what the decoder must say; src: "rN" register N ("rNh":
 * AH..BH), "iX" immediate X (hex, as the decoder extends it), "m" MOVS's
 * source, "-" none; ea: the destination's offset with test_insn.c's
 * decode_regs (-1: not checked here).  R lists an instruction the decoder must
 * refuse.  Each entry of insn_form_table: text, start, end (offsets in the
 * section), mode, native, then the expectations as strings.
 */
    .section .insn_forms, "a"
    .globl insn_forms_start, insn_forms_end
insn_forms_start:

.macro ENTRY mode, native, op, osz, asz, src, seg, ea, insn:vararg
    .section .insn_forms, "a"
.Lf\@:
    \insn
.Le\@:
    ret
    .section .rodata.str1.1, "aMS", @progbits, 1
.Lt\@: .asciz "\insn"
.Lo\@: .asciz "\op"
.Ls\@: .asciz "\src"
.Lg\@: .asciz "\seg"
    .section .data.rel.ro, "aw"
    .quad .Lt\@, .Lo\@, .Ls\@, .Lg\@
    .long .Lf\@ - insn_forms_start, .Le\@ - insn_forms_start, \mode, \native, \osz, \asz
    .quad \ea
.endm

.macro F mode, native, op, osz, asz, src, seg, ea, insn:vararg
    .if \mode == 16
    .code16
    .elseif \mode == 32
    .code32
    .else
    .code64
    .endif
    ENTRY \mode, \native, \op, \osz, \asz, \src, \seg, \ea, \insn
    .code64
.endm
.macro R mode, insn:vararg
    F \mode, 0, -, 0, 0, -, -, -1, \insn
.endm

    .section .data.rel.ro, "aw"
    .globl insn_form_table
    .balign 8
insn_form_table:

/* ---- 64-bit, run on the host: NB = 0x10009000 (test_insn.c native_regs) ---- */
/* MOV: 89, 88, C7, C6, A3, A2, every size, ModR/M, SIB, disp, RIP-relative, prefixes */
F 64, 1, mov, 4, 8, r0, ds, -1, mov %eax, 0x10(%rbx)
F 64, 1, mov, 1, 8, r0, ds, -1, mov %al, 0x11(%rbx)
F 64, 1, mov, 1, 8, r0h, ds, -1, mov %ah, 0x12(%rbx)
F 64, 1, mov, 1, 8, r2h, ds, -1, mov %dh, 0x13(%rbx)
F 64, 1, mov, 1, 8, r6, ds, -1, mov %sil, 0x13(%rbx)
F 64, 1, mov, 1, 8, r9, ds, -1, mov %r9b, 0x14(%rbx)
F 64, 1, mov, 2, 8, r0, ds, -1, mov %ax, 0x14(%rbx)
F 64, 1, mov, 8, 8, r0, ds, -1, mov %rax, 0x18(%rbx)
F 64, 1, mov, 4, 8, r9, ds, -1, mov %r9d, (%r12)
F 64, 1, mov, 8, 8, r9, ds, -1, mov %r9, 0x20(%r13,%r15,8)
F 64, 1, mov, 4, 8, r2, ss, -1, mov %edx, -0x40(%rbp)
F 64, 1, mov, 4, 8, r2, ds, -1, mov %edx, 0x10(%rsi,%r15,4)
F 64, 1, mov, 4, 8, r2, ds, -1, mov %edx, 0x7f(%r8,%r15,2)
F 64, 1, mov, 4, 8, r0, ds, -1, mov %eax, (%r13)
F 64, 1, mov, 4, 8, r0, ds, -1, mov %eax, 0x10009020
F 64, 1, mov, 4, 8, r0, ds, -1, mov %eax, 0x10009020(,%r15,4)
F 64, 1, mov, 4, 8, r0, ds, -1, movabs %eax, 0x10009024
F 64, 1, mov, 1, 8, r0, ds, -1, movabs %al, 0x10009025
F 64, 1, mov, 2, 8, r0, ds, -1, movabs %ax, 0x1000902a
F 64, 1, mov, 8, 8, r0, ds, -1, movabs %rax, 0x10009030
F 64, 1, mov, 4, 4, r0, ds, -1, addr32 movabs %eax, 0x10009038
F 64, 1, mov, 4, 8, r0, ds, -1, mov %eax, insn_forms_start+0x9040(%rip)
F 64, 1, mov, 8, 8, r9, ds, -1, mov %r9, insn_forms_start+0x8f00(%rip)
F 64, 1, mov, 4, 4, r0, ds, -1, addr32 mov %eax, insn_forms_start+0x9048(%eip)
F 64, 1, mov, 4, 4, r0, ds, -1, addr32 mov %eax, 0x10(%ebx)
F 64, 1, mov, 4, 4, r2, ds, -1, addr32 mov %edx, -0x10(%ebx,%r15d,4)
F 64, 1, mov, 4, 8, i12345678, ds, -1, movl $0x12345678, 0x50(%rbx)
F 64, 1, mov, 1, 8, i9a, ds, -1, movb $0x9a, 0x51(%rbx)
F 64, 1, mov, 2, 8, ibeef, ds, -1, movw $0xbeef, 0x52(%rbx)
F 64, 1, mov, 8, 8, ifffffffffffffffe, ds, -1, movq $-2, 0x58(%rbx)
F 64, 1, mov, 4, 8, i1, ds, -1, movl $1, insn_forms_start+0x9060(%rip)
F 64, 1, mov, 4, 8, r0, ds, -1, ds mov %eax, 0x60(%rbx)
F 64, 1, mov, 4, 8, r0, cs, -1, cs mov %eax, 0x64(%rbx)
F 64, 1, mov, 4, 8, r0, ss, -1, mov %eax, %ss:0x68(%rbx)
F 64, 1, mov, 4, 8, r0, ds, -1, xrelease movl %eax, 0x70(%rbx)
F 64, 1, mov, 4, 4, r9, ds, -1, addr32 ds mov %r9d, 0x74(%ebx)
/* XCHG 87, 86 (LOCK implied and allowed) */
F 64, 1, xchg, 4, 8, r0, ds, -1, xchg %eax, 0x80(%rbx)
F 64, 1, xchg, 1, 8, r0, ds, -1, xchg %al, 0x84(%rbx)
F 64, 1, xchg, 1, 8, r0h, ds, -1, xchg %ah, 0x85(%rbx)
F 64, 1, xchg, 2, 8, r2, ds, -1, xchg %dx, 0x86(%rbx)
F 64, 1, xchg, 8, 8, r9, ds, -1, xchg %r9, 0x88(%rbx)
F 64, 1, xchg, 4, 8, r2, ds, -1, lock xchg %edx, (%r14)
/* STOS, MOVS, with REP (rcx elements), REPNE, 67 */
F 64, 1, stos, 4, 8, r0, es, -1, stosl
F 64, 1, stos, 1, 8, r0, es, -1, stosb
F 64, 1, stos, 2, 8, r0, es, -1, stosw
F 64, 1, stos, 8, 8, r0, es, -1, stosq
F 64, 1, stos, 4, 8, r0, es, -1, rep stosl
F 64, 1, stos, 1, 8, r0, es, -1, rep stosb
F 64, 1, stos, 8, 8, r0, es, -1, rep stosq
F 64, 1, stos, 4, 8, r0, es, -1, repne stosl
F 64, 1, stos, 4, 4, r0, es, -1, addr32 rep stosl
F 64, 1, movs, 4, 8, m, ds, -1, movsl
F 64, 1, movs, 1, 8, m, ds, -1, movsb
F 64, 1, movs, 2, 8, m, ds, -1, movsw
F 64, 1, movs, 8, 8, m, ds, -1, movsq
F 64, 1, movs, 4, 8, m, ds, -1, rep movsl
F 64, 1, movs, 8, 8, m, ds, -1, rep movsq
F 64, 1, movs, 1, 4, m, ds, -1, addr32 rep movsb
F 64, 1, movs, 4, 8, m, cs, -1, movsl %cs:(%rsi), %es:(%rdi)
/* The ALU forms 01 09 11 19 21 29 31 (and their 8-bit 00 08 ...), every size, LOCK */
F 64, 1, add, 4, 8, r0, ds, -1, add %eax, 0x90(%rbx)
F 64, 1, or, 4, 8, r2, ds, -1, or %edx, 0x90(%rbx)
F 64, 1, adc, 4, 8, r0, ds, -1, adc %eax, 0x90(%rbx)
F 64, 1, sbb, 4, 8, r2, ds, -1, sbb %edx, 0x90(%rbx)
F 64, 1, and, 4, 8, r0, ds, -1, and %eax, 0x90(%rbx)
F 64, 1, sub, 4, 8, r9, ds, -1, sub %r9d, 0x90(%rbx)
F 64, 1, xor, 4, 8, r2, ds, -1, xor %edx, 0x90(%rbx)
F 64, 1, add, 1, 8, r0, ds, -1, add %al, 0x91(%rbx)
F 64, 1, or, 1, 8, r0h, ds, -1, or %ah, 0x91(%rbx)
F 64, 1, adc, 1, 8, r2, ds, -1, adc %dl, 0x91(%rbx)
F 64, 1, sbb, 1, 8, r0h, ds, -1, sbb %ah, 0x91(%rbx)
F 64, 1, and, 1, 8, r9, ds, -1, and %r9b, 0x91(%rbx)
F 64, 1, sub, 1, 8, r0, ds, -1, sub %al, 0x91(%rbx)
F 64, 1, xor, 1, 8, r2, ds, -1, xor %dl, 0x91(%rbx)
F 64, 1, add, 2, 8, r2, ds, -1, add %dx, 0x92(%rbx)
F 64, 1, adc, 2, 8, r0, ds, -1, adc %ax, 0x92(%rbx)
F 64, 1, sbb, 2, 8, r9, ds, -1, sbb %r9w, 0x92(%rbx)
F 64, 1, sub, 2, 8, r0, ds, -1, sub %ax, 0x92(%rbx)
F 64, 1, add, 8, 8, r9, ds, -1, add %r9, 0x98(%rbx)
F 64, 1, adc, 8, 8, r0, ds, -1, adc %rax, 0x98(%rbx)
F 64, 1, sbb, 8, 8, r2, ds, -1, sbb %rdx, 0x98(%rbx)
F 64, 1, sub, 8, 8, r9, ds, -1, sub %r9, 0x98(%rbx)
F 64, 1, xor, 8, 8, r0, ds, -1, xor %rax, 0x98(%rbx)
F 64, 1, add, 4, 8, r0, ds, -1, lock add %eax, 0x90(%rbx)
F 64, 1, or, 1, 8, r2, ds, -1, lock or %dl, 0x91(%rbx)
F 64, 1, sub, 8, 4, r0, ds, -1, lock addr32 sub %rax, 0x98(%ebx)
/* 81, 83, 80 with an immediate */
F 64, 1, add, 4, 8, i12345678, ds, -1, addl $0x12345678, 0xa0(%rbx)
F 64, 1, or, 2, 8, i1234, ds, -1, orw $0x1234, 0xa0(%rbx)
F 64, 1, adc, 8, 8, iffffffffffff0000, ds, -1, adcq $-0x10000, 0xa0(%rbx)
F 64, 1, sbb, 4, 8, i80000000, ds, -1, sbbl $0x80000000, 0xa0(%rbx)
F 64, 1, and, 4, 8, iffff00ff, ds, -1, andl $0xffff00ff, 0xa0(%rbx)
F 64, 1, sub, 8, 8, i7fffffff, ds, -1, subq $0x7fffffff, 0xa0(%rbx)
F 64, 1, xor, 2, 8, i8001, ds, -1, xorw $0x8001, 0xa0(%rbx)
F 64, 1, add, 4, 8, i5, ds, -1, addl $5, 0xa0(%rbx)
F 64, 1, or, 8, 8, ifffffffffffffffd, ds, -1, orq $-3, 0xa0(%rbx)
F 64, 1, adc, 2, 8, ifff0, ds, -1, adcw $-16, 0xa0(%rbx)
F 64, 1, sbb, 4, 8, i7f, ds, -1, sbbl $0x7f, 0xa0(%rbx)
F 64, 1, and, 8, 8, ifffffffffffffff8, ds, -1, andq $-8, 0xa0(%rbx)
F 64, 1, sub, 4, 8, ifffffff9, ds, -1, subl $-7, 0xa0(%rbx)
F 64, 1, xor, 4, 8, i1, ds, -1, lock xorl $1, 0xa0(%rbx)
F 64, 1, add, 1, 8, i7f, ds, -1, addb $0x7f, 0xa1(%rbx)
F 64, 1, sbb, 1, 8, i80, ds, -1, sbbb $0x80, 0xa1(%rbx)
F 64, 1, sub, 1, 8, iff, ds, -1, subb $0xff, 0xa1(%rbx)
F 64, 1, adc, 1, 8, i1, ds, -1, lock adcb $1, 0xa1(%rbx)
/* NOT, NEG (F6/F7 /2 /3), INC, DEC (FE/FF /0 /1) */
F 64, 1, not, 4, 8, -, ds, -1, notl 0xb0(%rbx)
F 64, 1, not, 1, 8, -, ds, -1, notb 0xb1(%rbx)
F 64, 1, not, 2, 8, -, ds, -1, notw 0xb2(%rbx)
F 64, 1, not, 8, 8, -, ds, -1, lock notq 0xb8(%rbx)
F 64, 1, neg, 4, 8, -, ds, -1, negl 0xb0(%rbx)
F 64, 1, neg, 1, 8, -, ds, -1, negb 0xb1(%rbx)
F 64, 1, neg, 2, 8, -, ds, -1, negw 0xb2(%rbx)
F 64, 1, neg, 8, 8, -, ds, -1, negq 0xb8(%rbx)
F 64, 1, inc, 4, 8, -, ds, -1, incl 0xb0(%rbx)
F 64, 1, inc, 1, 8, -, ds, -1, incb 0xb1(%rbx)
F 64, 1, inc, 2, 8, -, ds, -1, incw 0xb2(%rbx)
F 64, 1, inc, 8, 8, -, ds, -1, lock incq 0xb8(%rbx)
F 64, 1, dec, 4, 8, -, ds, -1, decl 0xb0(%rbx)
F 64, 1, dec, 1, 8, -, ds, -1, decb 0xb1(%rbx)
F 64, 1, dec, 2, 8, -, ds, -1, decw 0xb2(%rbx)
F 64, 1, dec, 8, 8, -, ds, -1, decq 0xb8(%rbx)
/* BTS, BTR, BTC: 0F AB/B3/BB with a signed register bit offset (r10), 0F BA /5-/7 */
F 64, 1, bts, 4, 8, r10, ds, -1, bts %r10d, 0xc0(%rbx)
F 64, 1, btr, 4, 8, r10, ds, -1, btr %r10d, 0xc0(%rbx)
F 64, 1, btc, 4, 8, r10, ds, -1, btc %r10d, 0xc0(%rbx)
F 64, 1, bts, 2, 8, r10, ds, -1, bts %r10w, 0xc0(%rbx)
F 64, 1, btr, 2, 8, r10, ds, -1, btr %r10w, 0xc0(%rbx)
F 64, 1, btc, 8, 8, r10, ds, -1, btc %r10, 0xc0(%rbx)
F 64, 1, bts, 8, 8, r10, ds, -1, lock bts %r10, 0xc0(%rbx)
F 64, 1, bts, 4, 8, i5, ds, -1, btsl $5, 0xc0(%rbx)
F 64, 1, btr, 2, 8, i11, ds, -1, btrw $17, 0xc0(%rbx)
F 64, 1, btc, 8, 8, i3f, ds, -1, btcq $63, 0xc0(%rbx)
F 64, 1, bts, 4, 8, i23, ds, -1, lock btsl $35, 0xc0(%rbx)
F 64, 1, btr, 4, 8, if, ds, -1, btrl $15, insn_forms_start+0x9070(%rip)

/* ---- 64-bit, decode only (decode_regs: gpr[i] = 0x5a5a000000000000 | (i + 1) << 8) ---- */
F 64, 0, mov, 4, 8, r0, gs, 0x5a5a000000000410, mov %eax, %gs:0x10(%rbx)
F 64, 0, mov, 4, 8, r0, fs, 0x5a5a000000000500, mov %eax, %fs:(%rsp)
F 64, 0, mov, 4, 8, r4, ss, 0x5a5a000000000508, mov %esp, 0x8(%rsp)
F 64, 0, mov, 4, 8, r12, ds, 0x5a5a000000000d00, mov %r12d, (%r12)
F 64, 0, mov, 4, 8, r13, ds, 0x5a5a000000000e00, mov %r13d, (%r13)
F 64, 0, mov, 4, 8, r0, ds, 0xc3c2000000002100, mov %eax, (%rax,%rdi,4)
F 64, 0, mov, 4, 8, r0, ds, 0xc3c2000000003d00, mov %eax, (%r8,%r12,4)
F 64, 0, mov, 4, 8, r0, ds, 0xfffffffffee00310, mov %eax, 0xfffffffffee00310
F 64, 0, mov, 4, 4, r0, ds, 0xfee00310, addr32 mov %eax, 0xfee00310
F 64, 0, mov, 4, 8, r0, ds, 0xfee00310, movabs %eax, 0xfee00310
F 64, 0, xchg, 4, 8, r4, ds, 0x5a5a000000000400, xchg %esp, (%rbx)
F 64, 0, stos, 4, 8, r0, es, 0x5a5a000000000800, gs rep stosl
F 64, 0, movs, 2, 4, m, fs, 0x800, fs addr32 movsw
F 64, 0, bts, 4, 8, r1, ds, 0x5a5a000000000440, bts %ecx, (%rbx)
F 64, 0, btc, 8, 8, r0, ds, 0x65a5400000000420, btc %rax, (%rbx)
F 64, 0, btr, 2, 4, r0, ds, 0x420, addr32 btr %ax, (%ebx)

/* ---- 32-bit code (CS.D = 1): decode only ---- */
F 32, 0, mov, 4, 4, r0, ds, 0x410, mov %eax, 0x10(%ebx)
F 32, 0, mov, 4, 4, r0, ds, 0xfee00310, mov %eax, 0xfee00310
F 32, 0, mov, 4, 4, r2, ds, 0xfee00310, mov %edx, 0xfee00310
F 32, 0, mov, 1, 4, r0, ds, 0xfee00080, mov %al, 0xfee00080
F 32, 0, mov, 1, 4, r3h, ds, 0xfee00080, mov %bh, 0xfee00080
F 32, 0, mov, 2, 4, r0, ds, 0xfee00080, mov %ax, 0xfee00080
F 32, 0, mov, 4, 2, r0, ds, 0x1234, addr16 mov %eax, 0x1234
F 32, 0, mov, 4, 4, r2, ds, 0x2010, mov %edx, 0x10(%ebx,%esi,4)
F 32, 0, mov, 4, 4, r1, ss, 0x500, mov %ecx, (%esp)
F 32, 0, mov, 4, 4, r0, ss, 0x5f8, mov %eax, -0x8(%ebp)
F 32, 0, mov, 4, 4, r0, fs, 0x410, mov %eax, %fs:0x10(%ebx)
F 32, 0, mov, 4, 4, r0, es, 0x410, mov %eax, %es:0x10(%ebx)
F 32, 0, mov, 4, 4, i4500, ds, 0xfee00300, movl $0x4500, 0xfee00300
F 32, 0, mov, 2, 4, i4500, ds, 0xfee00300, movw $0x4500, 0xfee00300
F 32, 0, mov, 4, 2, r0, ds, 0xb10, addr16 mov %eax, 0x10(%bx,%si)
F 32, 0, mov, 4, 2, r0, ss, 0xe00, addr16 mov %eax, (%bp,%di)
F 32, 0, mov, 2, 4, r0, ds, 0x800, mov %ax, (%edi)
F 32, 0, stos, 4, 4, r0, es, 0x800, stosl
F 32, 0, stos, 2, 2, r0, es, 0x800, addr16 rep stosw
F 32, 0, movs, 1, 4, m, ds, 0x800, rep movsb
F 32, 0, movs, 4, 4, m, gs, 0x800, movsl %gs:(%esi), %es:(%edi)
F 32, 0, xchg, 4, 4, r1, ds, 0x480, xchg %ecx, 0x80(%ebx)
F 32, 0, add, 4, 4, r0, ds, 0x480, add %eax, 0x80(%ebx)
F 32, 0, or, 4, 4, i10000, ds, 0x480, orl $0x10000, 0x80(%ebx)
F 32, 0, and, 4, 4, ifffeffff, ds, 0x480, lock andl $0xfffeffff, 0x80(%ebx)
F 32, 0, bts, 4, 4, i5, ds, 0x480, btsl $5, 0x80(%ebx)
F 32, 0, bts, 4, 4, r1, ds, 0x4c0, bts %ecx, 0x80(%ebx)
F 32, 0, inc, 4, 4, -, ds, 0x480, lock incl 0x80(%ebx)
F 32, 0, not, 4, 4, -, ds, 0x480, notl 0x80(%ebx)
F 32, 0, neg, 2, 4, -, ds, 0x480, negw 0x80(%ebx)
F 32, 0, dec, 1, 4, -, ds, 0x480, decb 0x80(%ebx)
F 32, 0, add, 1, 4, i80, ds, 0x380, .byte 0x82, 0x43, 0x80, 0x80   /* 82 /0: 80's alias, outside 64-bit mode (gas never emits it) */

/* ---- 16-bit code (CS.D = 0, real or protected mode): decode only ---- */
F 16, 0, mov, 2, 2, r0, ds, 0xb10, mov %ax, 0x10(%bx,%si)
F 16, 0, mov, 4, 2, r0, ds, 0x400, mov %eax, (%bx)
F 16, 0, mov, 2, 2, r0, ss, 0x610, mov %ax, 0x10(%bp)
F 16, 0, mov, 2, 2, r0, ss, 0x600, mov %ax, (%bp)
F 16, 0, mov, 2, 2, r0, ds, 0xfc00, mov %ax, -0x800(%bx)
F 16, 0, mov, 2, 2, r0, ds, 0x1234, mov %ax, 0x1234
F 16, 0, mov, 4, 2, r0, ds, 0x1234, mov %eax, 0x1234
F 16, 0, mov, 4, 4, r0, ds, 0xfee00310, addr32 mov %eax, 0xfee00310
F 16, 0, mov, 2, 4, r0, ds, 0x2010, addr32 mov %ax, 0x10(%ebx,%esi,4)
F 16, 0, mov, 2, 2, i1234, ds, 0x800, movw $0x1234, (%di)
F 16, 0, mov, 4, 2, i12345678, ds, 0x704, movl $0x12345678, 0x4(%si)
F 16, 0, mov, 4, 2, r0, es, 0x704, mov %eax, %es:0x4(%si)
F 16, 0, stos, 2, 2, r0, es, 0x800, stosw
F 16, 0, stos, 4, 2, r0, es, 0x800, rep stosl
F 16, 0, stos, 1, 4, r0, es, 0x800, addr32 stosb
F 16, 0, movs, 2, 2, m, es, 0x800, movsw %es:(%si), %es:(%di)
F 16, 0, xchg, 2, 2, r0, ds, 0x400, xchg %ax, (%bx)
F 16, 0, add, 2, 2, r0, ds, 0x400, addw %ax, (%bx)
F 16, 0, or, 4, 2, i12345678, ds, 0x400, orl $0x12345678, (%bx)
F 16, 0, inc, 2, 2, -, ds, 0x400, incw (%bx)
F 16, 0, not, 2, 2, -, ds, 0x400, notw (%bx)
F 16, 0, bts, 2, 2, i3, ds, 0x400, btsw $3, (%bx)
F 16, 0, bts, 2, 2, r1, ds, 0x440, bts %cx, (%bx)
F 16, 0, btc, 4, 2, r1, ds, 0x440, btc %ecx, (%bx)

/* ---- refused: loads, compares, register operands, other opcodes ---- */
R 64, mov (%rbx), %eax
R 64, movabs 0x10009000, %eax
R 64, cmpl $1, (%rbx)
R 64, testl $1, (%rbx)
R 64, mov %eax, %edx
R 64, add (%rbx), %eax
R 64, bt %eax, (%rbx)
R 64, btl $3, (%rbx)
R 64, pushq (%rbx)
R 64, incl %eax
R 64, lodsl
R 64, cmpsl
R 64, xadd %eax, (%rbx)
R 64, shll $1, (%rbx)
R 64, .byte 0x82, 0x03, 0x01                  /* 82 is invalid in 64-bit mode */
R 64, .byte 0xf0, 0x89, 0x03                  /* LOCK MOV: #UD */
R 64, .byte 0xf0, 0xab                        /* LOCK STOS: #UD */
R 32, .byte 0x41, 0x89, 0x20                  /* INC ECX, then a MOV: not one instruction */
R 32, .byte 0xc7, 0x48, 0x10, 0, 0, 0, 0      /* C7 /1 */
R 16, mov (%bx), %ax
    .quad 0
insn_forms_end:
    .section .insn_forms, "a"
    .globl insn_forms_code_end
insn_forms_code_end:

/* void insn_native_run(uint64_t code, struct insn_regs *r): r's GPRs (not RSP) and
 * RFLAGS into the CPU, call the form at `code`, the GPRs and RFLAGS back into r. */
    .text
    .globl insn_native_run
insn_native_run:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rdi, native_target(%rip)
    mov %rsi, native_regs(%rip)
    mov %rsp, native_rsp(%rip)
    pushq 128(%rsi)
    popfq
    mov 0(%rsi), %rax
    mov 8(%rsi), %rcx
    mov 16(%rsi), %rdx
    mov 24(%rsi), %rbx
    mov 40(%rsi), %rbp
    mov 56(%rsi), %rdi
    mov 64(%rsi), %r8
    mov 72(%rsi), %r9
    mov 80(%rsi), %r10
    mov 88(%rsi), %r11
    mov 96(%rsi), %r12
    mov 104(%rsi), %r13
    mov 112(%rsi), %r14
    mov 120(%rsi), %r15
    mov 48(%rsi), %rsi
    call *native_target(%rip)
    pushfq
    push %rax
    mov native_regs(%rip), %rax
    mov %rcx, 8(%rax)
    mov %rdx, 16(%rax)
    mov %rbx, 24(%rax)
    mov %rbp, 40(%rax)
    mov %rsi, 48(%rax)
    mov %rdi, 56(%rax)
    mov %r8, 64(%rax)
    mov %r9, 72(%rax)
    mov %r10, 80(%rax)
    mov %r11, 88(%rax)
    mov %r12, 96(%rax)
    mov %r13, 104(%rax)
    mov %r14, 112(%rax)
    mov %r15, 120(%rax)
    pop %rcx
    mov %rcx, 0(%rax)
    pop %rcx
    mov %rcx, 128(%rax)
    mov native_rsp(%rip), %rsp
    cld
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

    .data
native_target: .quad 0
native_regs:   .quad 0
native_rsp:    .quad 0
    .section .note.GNU-stack, "", @progbits
