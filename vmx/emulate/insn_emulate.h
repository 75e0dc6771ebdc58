/*
 * Emulating one element of a decoded memory-writing instruction
 * (vmx/emulate/insn_decode.h): the value it stores, its register and RFLAGS
 * results.  The arithmetic runs as the same instruction on the host CPU
 * with the guest's arithmetic flags, so every flag (the SDM's "undefined"
 * ones too) is the one the CPU computes.  Pure: no VMCS, no memory access
 * (the caller reads and writes the operand); tests/unit/vmx/emulate/test_insn.c checks
 * it against the host running the guest's own encodings.
 */
#ifndef SKIFF_VMX_INSN_EMULATE_H
#define SKIFF_VMX_INSN_EMULATE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/emulate/insn_decode.h"

/* The arithmetic flags (CF PF AF ZF SF OF) and DF (SDM Vol. 1 3.4.3). */
#define INSN_RFLAGS_ARITH 0x8d5ull
#define INSN_RFLAGS_DF    0x400ull

/* The guest state an instruction reads and changes: GPRs (gpr[4] = RSP) and RFLAGS. */
struct insn_regs {
    uint64_t gpr[16];
    uint64_t rflags;
};

struct insn_result {
    uint64_t value;      /* to store at the destination (opsize bytes) */
    bool write;          /* false: a REP with a zero count stores nothing */
    bool done;           /* false: a REP with elements left (RIP stays on the instruction) */
};

/*
 * One element: `old` is the destination's value before (read when
 * insn_ops[op].reads_dest), `src_mem` MOVS's source element.  Updates r:
 * XCHG's register, rSI/rDI/rCX of string instructions, RFLAGS.
 */
struct insn_result insn_emulate(const struct insn *d, struct insn_regs *r, uint64_t old, uint64_t src_mem);

#endif
