#include "vmx/insn_store.h"

bool insn_decode_store32(const uint8_t *b, size_t n, bool long_mode, struct insn_store *out)
{
    size_t i = 0;
    unsigned rex = 0;

    if (n > 15)
        n = 15;
    if (i < n && long_mode && (b[i] & 0xf0) == 0x40)
        rex = b[i++];
    if (rex & 0x08)                      /* REX.W: a 64-bit store */
        return false;
    if (i + 2 > n)
        return false;
    uint8_t op = b[i++], modrm = b[i++];
    unsigned mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
    if (mod == 3)                        /* a register operand: not a store */
        return false;
    if (op == 0xc7 && reg != 0)
        return false;
    if (op != 0x89 && op != 0xc7)
        return false;
    size_t disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (rm == 4) {                       /* SIB follows */
        if (i >= n)
            return false;
        uint8_t sib = b[i++];
        if (mod == 0 && (sib & 7) == 5)
            disp = 4;                    /* no base: disp32 */
    } else if (mod == 0 && rm == 5) {
        disp = 4;                        /* RIP-relative (64-bit) or disp32 (32-bit) */
    }
    i += disp;
    out->is_imm = op == 0xc7;
    out->reg = reg | (rex & 0x04 ? 8 : 0);
    out->imm = 0;
    if (out->is_imm) {
        if (i + 4 > n)
            return false;
        out->imm = (uint32_t)b[i] | (uint32_t)b[i + 1] << 8 | (uint32_t)b[i + 2] << 16 |
                   (uint32_t)b[i + 3] << 24;
        i += 4;
    }
    if (i > n)
        return false;
    out->len = (unsigned)i;
    return true;
}
