/* Decoding the guest's memory-writing instructions (vmx/emulate/insn_decode.h). */
#include "vmx/emulate/insn_decode.h"

const struct insn_op_info insn_ops[INSN_OP_COUNT] = {
    [INSN_MOV]  = { "mov",  false, false },
    [INSN_XCHG] = { "xchg", true,  true },
    [INSN_STOS] = { "stos", false, false },
    [INSN_MOVS] = { "movs", false, false },
    [INSN_ADD]  = { "add",  true,  true },
    [INSN_OR]   = { "or",   true,  true },
    [INSN_ADC]  = { "adc",  true,  true },
    [INSN_SBB]  = { "sbb",  true,  true },
    [INSN_AND]  = { "and",  true,  true },
    [INSN_SUB]  = { "sub",  true,  true },
    [INSN_XOR]  = { "xor",  true,  true },
    [INSN_NOT]  = { "not",  true,  true },
    [INSN_NEG]  = { "neg",  true,  true },
    [INSN_INC]  = { "inc",  true,  true },
    [INSN_DEC]  = { "dec",  true,  true },
    [INSN_BTS]  = { "bts",  true,  true },
    [INSN_BTR]  = { "btr",  true,  true },
    [INSN_BTC]  = { "btc",  true,  true },
};

/* How a form addresses memory and where its source comes from. */
enum insn_kind { FORM_MODRM, FORM_MOFFS, FORM_STRING };
enum insn_form_src { FSRC_REG, FSRC_RAX, FSRC_IMM8, FSRC_IMM8S, FSRC_IMMZ, FSRC_NONE, FSRC_MEM };

struct insn_form {
    uint8_t map;         /* 1: one-byte opcode, 2: 0F xx */
    uint8_t opcode;
    int8_t ext;          /* ModR/M.reg of a group opcode (the /digit), -1: a register operand */
    uint8_t op;          /* enum insn_op */
    uint8_t kind;        /* enum insn_kind */
    uint8_t src;         /* enum insn_form_src */
    bool byte;           /* 8-bit operand */
    bool no64;           /* invalid in 64-bit mode */
};

/* The ALU pair `op r/m8, r8` and `op r/m, r` (opcodes x0 and x1, SDM Vol. 2D Table A-2). */
#define ALU_RM_R(opc, o)                                   \
    { 1, opc, -1, o, FORM_MODRM, FSRC_REG, true, false },  \
    { 1, opc + 1, -1, o, FORM_MODRM, FSRC_REG, false, false }
/* Immediate group 1 (80-83 /digit, SDM Vol. 2D Table A-6). */
#define GRP1(ext, o)                                         \
    { 1, 0x80, ext, o, FORM_MODRM, FSRC_IMM8, true, false }, \
    { 1, 0x81, ext, o, FORM_MODRM, FSRC_IMMZ, false, false }, \
    { 1, 0x82, ext, o, FORM_MODRM, FSRC_IMM8, true, true },  \
    { 1, 0x83, ext, o, FORM_MODRM, FSRC_IMM8S, false, false }

/* Every form Skiff emulates; an opcode's ModR/M forms are consecutive. */
static const struct insn_form insn_forms[] = {
    { 1, 0x88, -1, INSN_MOV, FORM_MODRM, FSRC_REG, true, false },
    { 1, 0x89, -1, INSN_MOV, FORM_MODRM, FSRC_REG, false, false },
    { 1, 0xc6, 0, INSN_MOV, FORM_MODRM, FSRC_IMM8, true, false },
    { 1, 0xc7, 0, INSN_MOV, FORM_MODRM, FSRC_IMMZ, false, false },
    { 1, 0xa2, -1, INSN_MOV, FORM_MOFFS, FSRC_RAX, true, false },
    { 1, 0xa3, -1, INSN_MOV, FORM_MOFFS, FSRC_RAX, false, false },
    { 1, 0x86, -1, INSN_XCHG, FORM_MODRM, FSRC_REG, true, false },
    { 1, 0x87, -1, INSN_XCHG, FORM_MODRM, FSRC_REG, false, false },
    { 1, 0xaa, -1, INSN_STOS, FORM_STRING, FSRC_RAX, true, false },
    { 1, 0xab, -1, INSN_STOS, FORM_STRING, FSRC_RAX, false, false },
    { 1, 0xa4, -1, INSN_MOVS, FORM_STRING, FSRC_MEM, true, false },
    { 1, 0xa5, -1, INSN_MOVS, FORM_STRING, FSRC_MEM, false, false },
    ALU_RM_R(0x00, INSN_ADD), ALU_RM_R(0x08, INSN_OR), ALU_RM_R(0x10, INSN_ADC), ALU_RM_R(0x18, INSN_SBB),
    ALU_RM_R(0x20, INSN_AND), ALU_RM_R(0x28, INSN_SUB), ALU_RM_R(0x30, INSN_XOR),
    GRP1(0, INSN_ADD), GRP1(1, INSN_OR), GRP1(2, INSN_ADC), GRP1(3, INSN_SBB),
    GRP1(4, INSN_AND), GRP1(5, INSN_SUB), GRP1(6, INSN_XOR),
    { 1, 0xf6, 2, INSN_NOT, FORM_MODRM, FSRC_NONE, true, false },      /* unary group 3 */
    { 1, 0xf6, 3, INSN_NEG, FORM_MODRM, FSRC_NONE, true, false },
    { 1, 0xf7, 2, INSN_NOT, FORM_MODRM, FSRC_NONE, false, false },
    { 1, 0xf7, 3, INSN_NEG, FORM_MODRM, FSRC_NONE, false, false },
    { 1, 0xfe, 0, INSN_INC, FORM_MODRM, FSRC_NONE, true, false },      /* groups 4 and 5 */
    { 1, 0xfe, 1, INSN_DEC, FORM_MODRM, FSRC_NONE, true, false },
    { 1, 0xff, 0, INSN_INC, FORM_MODRM, FSRC_NONE, false, false },
    { 1, 0xff, 1, INSN_DEC, FORM_MODRM, FSRC_NONE, false, false },
    { 2, 0xab, -1, INSN_BTS, FORM_MODRM, FSRC_REG, false, false },
    { 2, 0xb3, -1, INSN_BTR, FORM_MODRM, FSRC_REG, false, false },
    { 2, 0xbb, -1, INSN_BTC, FORM_MODRM, FSRC_REG, false, false },
    { 2, 0xba, 5, INSN_BTS, FORM_MODRM, FSRC_IMM8, false, false },     /* group 8 */
    { 2, 0xba, 6, INSN_BTR, FORM_MODRM, FSRC_IMM8, false, false },
    { 2, 0xba, 7, INSN_BTC, FORM_MODRM, FSRC_IMM8, false, false },
};

/* 16-bit ModR/M memory operands by r/m (SDM Vol. 2A Table 2-1): base, index. */
static const uint8_t insn_modrm16[8][2] = {
    { 3, 6 }, { 3, 7 }, { 5, 6 }, { 5, 7 },          /* [BX+SI] [BX+DI] [BP+SI] [BP+DI] */
    { 6, INSN_NO_REG }, { 7, INSN_NO_REG }, { 5, INSN_NO_REG }, { 3, INSN_NO_REG },   /* [SI] [DI] [BP] [BX] */
};

/* Legacy prefixes (SDM Vol. 2A 2.1.1): the segment a prefix selects, -1 for none. */
static int insn_prefix_seg(uint8_t p)
{
    switch (p) {
    case 0x26: return INSN_ES;
    case 0x2e: return INSN_CS;
    case 0x36: return INSN_SS;
    case 0x3e: return INSN_DS;
    case 0x64: return INSN_FS;
    case 0x65: return INSN_GS;
    default: return -1;
    }
}

/* Little-endian value of `size` bytes at b[*i], advancing *i; false past n. */
static bool insn_fetch(const uint8_t *b, size_t n, size_t *i, unsigned size, uint64_t *v)
{
    if (*i + size > n)
        return false;
    *v = 0;
    for (unsigned k = 0; k < size; k++)
        *v |= (uint64_t)b[*i + k] << (8 * k);
    *i += size;
    return true;
}

static uint64_t insn_sext(uint64_t v, unsigned size)
{
    unsigned sh = 64 - 8 * size;
    return size >= 8 ? v : (uint64_t)((int64_t)(v << sh) >> sh);
}

/* The ModR/M memory operand at b[*i] (the ModR/M byte already read): SIB, displacement. */
static bool insn_decode_modrm_mem(const uint8_t *b, size_t n, size_t *i, uint8_t modrm, unsigned rex,
                                  enum insn_mode mode, struct insn *d)
{
    unsigned mod = modrm >> 6, rm = modrm & 7, disp_size = mod == 1 ? 1 : mod == 2 ? d->addrsize : 0;
    uint64_t disp = 0, sib = 0;
    d->base = d->index = INSN_NO_REG;
    d->scale = 1;
    if (d->addrsize == 2) {
        if (mod == 2)
            disp_size = 2;
        if (mod == 0 && rm == 6)
            disp_size = 2;                                    /* disp16 alone */
        else
            d->base = insn_modrm16[rm][0], d->index = insn_modrm16[rm][1];
    } else {
        if (mod == 2)
            disp_size = 4;
        if (rm == 4) {                                        /* SIB follows (Table 2-3) */
            if (!insn_fetch(b, n, i, 1, &sib))
                return false;
            unsigned index = ((sib >> 3) & 7) | (rex & 2 ? 8 : 0);
            d->scale = (uint8_t)(1u << (sib >> 6));
            d->index = index == 4 ? INSN_NO_REG : (uint8_t)index;
            if ((sib & 7) == 5 && mod == 0)
                disp_size = 4;                                /* no base: disp32 */
            else
                d->base = (uint8_t)((sib & 7) | (rex & 1 ? 8 : 0));
        } else if (mod == 0 && rm == 5) {
            disp_size = 4;                                    /* disp32, RIP-relative in 64-bit mode */
            d->rip_rel = mode == INSN_MODE_64;
        } else {
            d->base = (uint8_t)(rm | (rex & 1 ? 8 : 0));
        }
    }
    if (disp_size && !insn_fetch(b, n, i, disp_size, &disp))
        return false;
    d->disp = insn_sext(disp, disp_size ? disp_size : 8);
    return true;
}

static const struct insn_form *insn_find_form(unsigned map, uint8_t opcode, int ext)
{
    for (size_t k = 0; k < sizeof(insn_forms) / sizeof(insn_forms[0]); k++) {
        const struct insn_form *f = &insn_forms[k];
        if (f->map == map && f->opcode == opcode && (ext < 0 || f->ext < 0 || f->ext == ext))
            return f;
    }
    return 0;
}

bool insn_decode(const uint8_t *b, size_t n, enum insn_mode mode, struct insn *d)
{
    size_t i = 0;
    bool opsz = false, adsz = false, has_rex = false;
    unsigned rex = 0;
    *d = (struct insn){ .seg = INSN_DS, .base = INSN_NO_REG, .index = INSN_NO_REG, .scale = 1 };
    int seg = -1;
    if (n > 15)
        n = 15;                                 /* longer: #GP, never a write (SDM 2.3.11) */
    for (;; i++) {                              /* prefixes, then REX last (SDM 2.2.1) */
        if (i >= n)
            return false;
        uint8_t p = b[i];
        if (insn_prefix_seg(p) >= 0)
            seg = insn_prefix_seg(p);
        else if (p == 0x66)
            opsz = true;
        else if (p == 0x67)
            adsz = true;
        else if (p == 0xf0)
            d->lock = true;
        else if (p == 0xf2 || p == 0xf3)
            d->rep = true;
        else if (mode == INSN_MODE_64 && (p & 0xf0) == 0x40) {
            rex = p, has_rex = true;
            continue;
        } else
            break;
        rex = 0, has_rex = false;               /* a REX not right before the opcode is ignored */
    }
    unsigned map = 1;
    uint64_t v;
    if (b[i] == 0x0f) {
        map = 2;
        i++;
    }
    if (!insn_fetch(b, n, &i, 1, &v))
        return false;
    uint8_t opcode = (uint8_t)v;
    const struct insn_form *f = insn_find_form(map, opcode, -1);
    if (!f)
        return false;
    uint8_t modrm = 0;
    if (f->kind == FORM_MODRM) {
        if (!insn_fetch(b, n, &i, 1, &v))
            return false;
        modrm = (uint8_t)v;
        if ((modrm >> 6) == 3)                  /* a register operand: not a memory write */
            return false;
        f = insn_find_form(map, opcode, (modrm >> 3) & 7);
        if (!f)
            return false;
    }
    if (f->no64 && mode == INSN_MODE_64)
        return false;
    d->op = f->op;
    if (d->lock && !insn_ops[f->op].lockable)
        return false;                           /* #UD, not a write */
    d->rep = d->rep && f->kind == FORM_STRING;
    d->string = f->kind == FORM_STRING;
    /* Operand and address size (SDM Vol. 1 3.6, Vol. 2A 2.2.1.2 and Table 2-4). */
    bool wide = mode != INSN_MODE_16;
    d->opsize = f->byte ? 1 : (rex & 8) ? 8 : (wide != opsz) ? 4 : 2;
    d->addrsize = mode == INSN_MODE_64 ? (adsz ? 4 : 8) : (wide != adsz) ? 4 : 2;
    if (f->op == INSN_STOS)
        seg = INSN_ES;                          /* ES:rDI, no override (SDM Vol. 2B STOS) */
    if (f->kind == FORM_MODRM) {
        if (!insn_decode_modrm_mem(b, n, &i, modrm, rex, mode, d))
            return false;
        if (d->base == 5 || d->base == INSN_RSP)
            d->seg = INSN_SS;                   /* rBP/rSP-based: SS (SDM Vol. 1 3.7.4) */
    } else if (f->kind == FORM_MOFFS) {
        if (!insn_fetch(b, n, &i, d->addrsize, &d->disp))
            return false;                       /* moffs: an offset of the address size */
    }
    if (seg >= 0)
        d->seg = (uint8_t)seg;
    switch (f->src) {
    case FSRC_REG:
        d->src = INSN_SRC_REG;
        d->reg = (uint8_t)(((modrm >> 3) & 7) | (rex & 4 ? 8 : 0));
        d->reg_high8 = f->byte && !has_rex && d->reg >= 4;
        if (d->reg_high8)
            d->reg -= 4;                        /* AH CH DH BH: bits 8-15 of RAX RCX RDX RBX */
        break;
    case FSRC_RAX: d->src = INSN_SRC_REG; d->reg = 0; break;
    case FSRC_MEM: d->src = INSN_SRC_MEM; break;
    case FSRC_NONE: d->src = INSN_SRC_NONE; break;
    default: {
        unsigned size = f->src == FSRC_IMMZ ? (d->opsize == 2 ? 2 : 4) : 1;
        if (!insn_fetch(b, n, &i, size, &d->imm))
            return false;
        d->src = INSN_SRC_IMM;
        if (f->src != FSRC_IMM8)                /* imm8 (83) and imm32 (REX.W) are sign-extended */
            d->imm = insn_sext(d->imm, size) & insn_mask(d->opsize);
        break;
    }
    }
    d->len = (uint8_t)i;
    return true;
}

uint64_t insn_dest_offset(const struct insn *d, const uint64_t gpr[16], uint64_t rip)
{
    uint64_t m = insn_mask(d->addrsize);
    if (d->string)
        return gpr[INSN_RDI] & m;
    uint64_t ea = d->disp;
    if (d->rip_rel)
        ea += rip + d->len;
    if (d->base != INSN_NO_REG)
        ea += gpr[d->base];
    if (d->index != INSN_NO_REG)
        ea += gpr[d->index] * d->scale;
    if ((d->op == INSN_BTS || d->op == INSN_BTR || d->op == INSN_BTC) && d->src == INSN_SRC_REG) {
        /* The bit offset is signed: the element it lands in is offset DIV width (floor). */
        int64_t off = (int64_t)insn_sext(gpr[d->reg] & insn_mask(d->opsize), d->opsize);
        unsigned shift = d->opsize == 2 ? 4 : d->opsize == 4 ? 5 : 6;
        ea += (uint64_t)((off >> shift) * d->opsize);
    }
    return ea & m;
}

uint64_t insn_src_offset(const struct insn *d, const uint64_t gpr[16])
{
    return gpr[INSN_RSI] & insn_mask(d->addrsize);
}
