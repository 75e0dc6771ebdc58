/* Host tests: decoding the guest's 32-bit stores (local APIC writes). */
// SOURCES: vmx/insn_store.c
#include "tests/unit/unit.h"
#include "vmx/insn_store.h"

static struct insn_store d;

static bool dec(const uint8_t *b, size_t n, bool lm) { return insn_decode_store32(b, n, lm, &d); }

TEST(store_mov_reg)
{
    /* mov %eax,0x300(%rdx) */
    static const uint8_t a[] = { 0x89, 0x82, 0x00, 0x03, 0x00, 0x00, 0x90 };
    CHECK(dec(a, sizeof(a), true));
    CHECK_EQ(d.len, 6);
    CHECK(!d.is_imm);
    CHECK_EQ(d.reg, 0);
    /* mov %r12d,(%r8): REX.R and REX.B */
    static const uint8_t b[] = { 0x45, 0x89, 0x20 };
    CHECK(dec(b, sizeof(b), true));
    CHECK_EQ(d.len, 3);
    CHECK_EQ(d.reg, 12);
    /* mov %esi,0xffffffffff5fc0b0 (SIB, no base, disp32) */
    static const uint8_t c[] = { 0x89, 0x34, 0x25, 0xb0, 0xc0, 0x5f, 0xff };
    CHECK(dec(c, sizeof(c), true));
    CHECK_EQ(d.len, 7);
    CHECK_EQ(d.reg, 6);
    /* mov %ecx,0x10(%rax,%rbx,4): SIB and disp8 */
    static const uint8_t e[] = { 0x89, 0x4c, 0x98, 0x10 };
    CHECK(dec(e, sizeof(e), true));
    CHECK_EQ(d.len, 4);
    CHECK_EQ(d.reg, 1);
    /* mov %edi,0x1234(%rip) */
    static const uint8_t f[] = { 0x89, 0x3d, 0x34, 0x12, 0x00, 0x00 };
    CHECK(dec(f, sizeof(f), true));
    CHECK_EQ(d.len, 6);
    CHECK_EQ(d.reg, 7);
    /* 32-bit code: 0x4x is INC/DEC, not REX */
    static const uint8_t g[] = { 0x41, 0x89, 0x20 };
    CHECK(!dec(g, sizeof(g), false));
}

TEST(store_mov_imm)
{
    /* movl $0x0,0xb0(%rax) */
    static const uint8_t a[] = { 0xc7, 0x80, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
    CHECK(dec(a, sizeof(a), true));
    CHECK_EQ(d.len, 10);
    CHECK(d.is_imm);
    CHECK_EQ(d.imm, 0);
    /* movl $0x4500,0xfee00300 (32-bit code, disp32) */
    static const uint8_t b[] = { 0xc7, 0x05, 0x00, 0x03, 0xe0, 0xfe, 0x00, 0x45, 0x00, 0x00 };
    CHECK(dec(b, sizeof(b), false));
    CHECK_EQ(d.len, 10);
    CHECK_EQ(d.imm, 0x4500);
}

TEST(store_rejects)
{
    static const uint8_t w[] = { 0x48, 0x89, 0x02 };         /* mov %rax,(%rdx): 64-bit */
    CHECK(!dec(w, sizeof(w), true));
    static const uint8_t r[] = { 0x89, 0xc2 };               /* mov %eax,%edx: no memory */
    CHECK(!dec(r, sizeof(r), true));
    static const uint8_t l[] = { 0x8b, 0x02 };               /* a load */
    CHECK(!dec(l, sizeof(l), true));
    static const uint8_t c1[] = { 0xc7, 0x48, 0x10, 0, 0, 0, 0 }; /* C7 /1 */
    CHECK(!dec(c1, sizeof(c1), true));
    static const uint8_t t[] = { 0xc7, 0x80, 0xb0, 0x00, 0x00, 0x00, 0x00 };  /* truncated imm */
    CHECK(!dec(t, sizeof(t), true));
    static const uint8_t x[] = { 0x89 };
    CHECK(!dec(x, sizeof(x), true));
    for (size_t n = 0; n < 7; n++) {                         /* every truncation of a valid one */
        static const uint8_t c[] = { 0x89, 0x34, 0x25, 0xb0, 0xc0, 0x5f, 0xff };
        CHECK(!dec(c, n, true));
    }
}
UNIT_MAIN(T(store_mov_reg), T(store_mov_imm), T(store_rejects))
