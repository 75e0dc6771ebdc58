/* Emulating one element of a decoded memory write (vmx/emulate/insn_emulate.h). */
#include "vmx/emulate/insn_emulate.h"

/*
 * `mn s, d` (or `mn d`) on the host: the host's RFLAGS with the guest's
 * arithmetic flags put in, the instruction, the flags it leaves.  Only the
 * arithmetic flags change, so the host's IF, TF, DF, AC stay its own.  RSP
 * steps over the 128-byte red zone first (the host unit tests run in user
 * space); LEA leaves the flags alone.
 */
#define HOST_FLAGS_IN  "lea -128(%%rsp), %%rsp\n\tpushfq\n\tandq $~0x8d5, (%%rsp)\n\torq %[f], (%%rsp)\n\tpopfq\n\t"
#define HOST_FLAGS_OUT "\n\tpushfq\n\tpopq %[f]\n\tlea 128(%%rsp), %%rsp"
#define HOST_OP2(mn, sfx, m) \
    __asm__(HOST_FLAGS_IN mn sfx " %" m "[s], %" m "[d]" HOST_FLAGS_OUT : [d] "+r"(d), [f] "+r"(f) : [s] "r"(s) : "cc")
#define HOST_OP1(mn, sfx, m) \
    __asm__(HOST_FLAGS_IN mn sfx " %" m "[d]" HOST_FLAGS_OUT : [d] "+r"(d), [f] "+r"(f) : : "cc")
/* Every operand size (BT has no 8-bit form). */
#define HOST_SIZES(HOST, mn)                          \
    switch (size) {                                   \
    case 1: HOST(mn, "b", "b"); break;                \
    case 2: HOST(mn, "w", "w"); break;                \
    case 4: HOST(mn, "l", "k"); break;                \
    default: HOST(mn, "q", "q"); break;               \
    }
#define HOST_SIZES_BT(mn)                             \
    switch (size) {                                   \
    case 2: HOST_OP2(mn, "w", "w"); break;            \
    case 4: HOST_OP2(mn, "l", "k"); break;            \
    default: HOST_OP2(mn, "q", "q"); break;           \
    }

/* d op= s at `size` bytes, with the guest's flags in and out of *rflags. */
static uint64_t insn_host_alu(unsigned op, unsigned size, uint64_t d, uint64_t s, uint64_t *rflags)
{
    uint64_t f = *rflags & INSN_RFLAGS_ARITH;
    switch (op) {
    case INSN_ADD: HOST_SIZES(HOST_OP2, "add"); break;
    case INSN_OR:  HOST_SIZES(HOST_OP2, "or"); break;
    case INSN_ADC: HOST_SIZES(HOST_OP2, "adc"); break;
    case INSN_SBB: HOST_SIZES(HOST_OP2, "sbb"); break;
    case INSN_AND: HOST_SIZES(HOST_OP2, "and"); break;
    case INSN_SUB: HOST_SIZES(HOST_OP2, "sub"); break;
    case INSN_XOR: HOST_SIZES(HOST_OP2, "xor"); break;
    case INSN_NOT: HOST_SIZES(HOST_OP1, "not"); break;
    case INSN_NEG: HOST_SIZES(HOST_OP1, "neg"); break;
    case INSN_INC: HOST_SIZES(HOST_OP1, "inc"); break;
    case INSN_DEC: HOST_SIZES(HOST_OP1, "dec"); break;
    case INSN_BTS: HOST_SIZES_BT("bts"); break;
    case INSN_BTR: HOST_SIZES_BT("btr"); break;
    case INSN_BTC: HOST_SIZES_BT("btc"); break;
    default: break;
    }
    *rflags = (*rflags & ~INSN_RFLAGS_ARITH) | (f & INSN_RFLAGS_ARITH);
    return d & insn_mask(size);
}

static uint64_t insn_reg_get(const struct insn_regs *r, unsigned reg, bool high8, unsigned size)
{
    return high8 ? (r->gpr[reg] >> 8) & 0xff : r->gpr[reg] & insn_mask(size);
}

/* A register write of `size` bytes: 8- and 16-bit writes keep the rest, 32-bit ones
 * zero-extend to 64 bits (SDM Vol. 1 3.4.1.1). */
static void insn_reg_set(struct insn_regs *r, unsigned reg, bool high8, unsigned size, uint64_t v)
{
    uint64_t *g = &r->gpr[reg];
    if (high8)
        *g = (*g & ~0xff00ull) | (v & 0xff) << 8;
    else if (size >= 4)
        *g = v & insn_mask(size);
    else
        *g = (*g & ~insn_mask(size)) | (v & insn_mask(size));
}

/* STOS/MOVS: one element, then rSI/rDI step by the element size (down when DF = 1) and a
 * REP counts rCX down, all at the address size (SDM Vol. 2B STOS, MOVS, REP). */
static struct insn_result insn_string(const struct insn *d, struct insn_regs *r, uint64_t src_mem)
{
    struct insn_result res = { .write = true, .done = true };
    unsigned as = d->addrsize;
    if (d->rep && !(r->gpr[INSN_RCX] & insn_mask(as)))
        return (struct insn_result){ .write = false, .done = true };
    res.value = (d->op == INSN_STOS ? r->gpr[0] : src_mem) & insn_mask(d->opsize);
    uint64_t step = (r->rflags & INSN_RFLAGS_DF) ? (uint64_t)0 - d->opsize : d->opsize;
    insn_reg_set(r, INSN_RDI, false, as, r->gpr[INSN_RDI] + step);
    if (d->op == INSN_MOVS)
        insn_reg_set(r, INSN_RSI, false, as, r->gpr[INSN_RSI] + step);
    if (d->rep) {
        insn_reg_set(r, INSN_RCX, false, as, r->gpr[INSN_RCX] - 1);
        res.done = !(r->gpr[INSN_RCX] & insn_mask(as));
    }
    return res;
}

struct insn_result insn_emulate(const struct insn *d, struct insn_regs *r, uint64_t old, uint64_t src_mem)
{
    if (d->string)
        return insn_string(d, r, src_mem);
    struct insn_result res = { .write = true, .done = true };
    uint64_t src = d->src == INSN_SRC_IMM ? d->imm
                 : d->src == INSN_SRC_REG ? insn_reg_get(r, d->reg, d->reg_high8, d->opsize) : 0;
    old &= insn_mask(d->opsize);
    if (d->op == INSN_MOV) {
        res.value = src & insn_mask(d->opsize);
    } else if (d->op == INSN_XCHG) {
        res.value = src;
        insn_reg_set(r, d->reg, d->reg_high8, d->opsize, old);
    } else {
        res.value = insn_host_alu(d->op, d->opsize, old, src, &r->rflags);
    }
    return res;
}
