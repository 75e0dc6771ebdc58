/*
 * Decoding the guest instructions Skiff emulates: the ones that write
 * memory, as a guest writes a local APIC register (vmx/smp/apic_write.c) -
 * MOV, XCHG, STOS, MOVS, the read-modify-write ALU forms, NOT/NEG, INC/DEC
 * and BTS/BTR/BTC, with every prefix, operand size, address size and code
 * mode.  Pure: bytes in, a description out (tests/unit/vmx/emulate/test_insn.c).
 * SDM Vol. 2A 2.1 (instruction format), 2.1.1 (prefixes), 2.2.1 (REX),
 * Tables 2-1/2-2 (16-/32-bit ModR/M), 2-3 (SIB), 2.2.1.6 (RIP-relative),
 * 3.3.7 (address and operand size attributes); opcode map Vol. 2D A.3.
 */
#ifndef SKIFF_VMX_INSN_DECODE_H
#define SKIFF_VMX_INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The code segment's default sizes: CS.L (64-bit), else CS.D (32-bit), else 16-bit. */
enum insn_mode { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };

enum insn_op {
    INSN_MOV, INSN_XCHG, INSN_STOS, INSN_MOVS,
    INSN_ADD, INSN_OR, INSN_ADC, INSN_SBB, INSN_AND, INSN_SUB, INSN_XOR,
    INSN_NOT, INSN_NEG, INSN_INC, INSN_DEC,
    INSN_BTS, INSN_BTR, INSN_BTC,
    INSN_OP_COUNT
};

/* What an operation does with its destination (insn_ops[], vmx/emulate/insn_decode.c). */
struct insn_op_info {
    const char *name;
    bool reads_dest;     /* read-modify-write (and XCHG): the old value is an input */
    bool lockable;       /* LOCK allowed (SDM Vol. 2A LOCK); else #UD */
};
extern const struct insn_op_info insn_ops[INSN_OP_COUNT];

enum insn_src {
    INSN_SRC_NONE,       /* NOT, NEG, INC, DEC */
    INSN_SRC_REG,        /* `reg` (STOS: rAX) */
    INSN_SRC_IMM,        /* `imm` */
    INSN_SRC_MEM,        /* MOVS: the element at seg:rSI */
};

/* Segment registers in the Sreg encoding (SDM Vol. 2A 3.1.1.3). */
enum insn_seg { INSN_ES, INSN_CS, INSN_SS, INSN_DS, INSN_FS, INSN_GS };

#define INSN_NO_REG 0xff
#define INSN_RSP 4
#define INSN_RCX 1
#define INSN_RSI 6
#define INSN_RDI 7

struct insn {
    uint8_t len;         /* bytes, prefixes included */
    uint8_t op;          /* enum insn_op */
    uint8_t opsize;      /* operand size in bytes: 1 2 4 8 */
    uint8_t addrsize;    /* address size in bytes: 2 4 8 */
    uint8_t src;         /* enum insn_src */
    uint8_t reg;         /* INSN_SRC_REG and XCHG: 0 RAX ... 15 R15 */
    bool reg_high8;      /* ... or AH CH DH BH (reg 4-7 of a byte operand without REX) */
    bool lock, rep;      /* F0; F3 or F2 on STOS/MOVS */
    bool string;         /* STOS/MOVS: the destination is ES:rDI */
    uint8_t seg;         /* the memory operand's segment (STOS: ES; MOVS: its source's, its destination is ES) */
    /* The memory operand: base + index * scale + disp, or RIP-relative, or a moffs (disp alone). */
    uint8_t base, index, scale;
    bool rip_rel;
    uint64_t disp;       /* sign-extended */
    uint64_t imm;        /* the immediate at the operand size (sign-extended as the instruction does) */
};

/* Decode the instruction at bytes[0..n) (at most 15 are looked at).  False for any
 * instruction that is not one of these memory writes, or truncated. */
bool insn_decode(const uint8_t *bytes, size_t n, enum insn_mode mode, struct insn *out);

/* All ones in the low `size` bytes. */
static inline uint64_t insn_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* The destination's offset in its segment (ES for STOS/MOVS), from the GPRs and the
 * instruction's own address: the effective address (SDM Vol. 1 3.7.5) truncated to the
 * address size; BTS/BTR/BTC with a register bit offset add its signed element index
 * (SDM Vol. 2A BT: "bit base" and "bit offset"). */
uint64_t insn_dest_offset(const struct insn *d, const uint64_t gpr[16], uint64_t rip);

/* MOVS: the source's offset (rSI) in segment d->seg. */
uint64_t insn_src_offset(const struct insn *d, const uint64_t gpr[16]);

#endif
