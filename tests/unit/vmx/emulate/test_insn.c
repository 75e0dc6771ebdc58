/*
 * Host tests: decoding and emulating the guest's memory writes
 * (vmx/emulate/insn_decode.c, vmx/emulate/insn_emulate.c) on the assembler's own encodings
 * (tests/unit/vmx/emulate/insn_forms.S).  Each 64-bit form also runs on the host CPU on
 * a memory operand; the emulation (one element at a time, as Skiff does it
 * per exit) must leave the same memory, registers and RFLAGS.
 */
// SOURCES: vmx/emulate/insn_decode.c vmx/emulate/insn_emulate.c tests/unit/vmx/emulate/insn_forms.S
#include <stdlib.h>
#include <sys/mman.h>

#include "tests/unit/unit.h"
#include "vmx/emulate/insn_decode.h"
#include "vmx/emulate/insn_emulate.h"

/* One entry of insn_form_table (insn_forms.S). */
struct form {
    const char *text, *op, *src, *seg;
    uint32_t start, end, mode, native, opsize, addrsize;
    uint64_t ea;
};
extern const struct form insn_form_table[];
extern const uint8_t insn_forms_start[], insn_forms_code_end[];
void insn_native_run(uint64_t code, struct insn_regs *r);

/* The forms' section runs at a fixed address: moffs and absolute operands name it. */
#define FORMS_BASE 0x10000000ull
#define FORMS_MAP  0x10000ull
#define DATA_LO    (FORMS_BASE + 0x8000)
#define DATA_HI    (FORMS_BASE + 0xa000)
#define NB         (FORMS_BASE + 0x9000)

static enum insn_mode mode_of(const struct form *f)
{
    return f->mode == 16 ? INSN_MODE_16 : f->mode == 32 ? INSN_MODE_32 : INSN_MODE_64;
}

static const char *const seg_names[] = { "es", "cs", "ss", "ds", "fs", "gs" };

/* decode_regs: gpr[i] = 0x5a5a000000000000 | (i + 1) << 8 (insn_forms.S's ea column). */
static void decode_regs(uint64_t gpr[16])
{
    for (unsigned i = 0; i < 16; i++)
        gpr[i] = 0x5a5a000000000000ull | (uint64_t)(i + 1) << 8;
}

/* The src column: "rN", "rNh", "iX", "m", "-". */
static bool src_matches(const struct insn *d, const char *s)
{
    switch (s[0]) {
    case 'r': {
        char *end;
        unsigned long n = strtoul(s + 1, &end, 10);
        return d->src == INSN_SRC_REG && d->reg == n && d->reg_high8 == (*end == 'h');
    }
    case 'i': return d->src == INSN_SRC_IMM && d->imm == strtoull(s + 1, 0, 16);
    case 'm': return d->src == INSN_SRC_MEM;
    default: return d->src == INSN_SRC_NONE;
    }
}

static unsigned n_forms, n_valid, n_native_runs;

/* Every form decodes to its table row; every refused one is refused. */
TEST(insn_decode_forms)
{
    uint64_t gpr[16];
    decode_regs(gpr);
    for (const struct form *f = insn_form_table; f->text; f++) {
        const uint8_t *b = insn_forms_start + f->start;
        unsigned len = f->end - f->start;
        struct insn d;
        bool ok = insn_decode(b, 15, mode_of(f), &d);
        n_forms++;
        if (!strcmp(f->op, "-")) {
            if (ok)
                UNIT_FAIL_("%u-bit '%s': decoded, want refused", f->mode, f->text);
            continue;
        }
        n_valid++;
        if (!ok) {
            UNIT_FAIL_("%u-bit '%s': refused", f->mode, f->text);
            continue;
        }
        if (d.len != len || strcmp(insn_ops[d.op].name, f->op) || d.opsize != f->opsize ||
            d.addrsize != f->addrsize || !src_matches(&d, f->src) || strcmp(seg_names[d.seg], f->seg))
            UNIT_FAIL_("%u-bit '%s': len %u op %s opsize %u addrsize %u src %u/%u/%d imm 0x%llx seg %s; want "
                       "len %u %s %u %u %s %s", f->mode, f->text, d.len, insn_ops[d.op].name, d.opsize,
                       d.addrsize, d.src, d.reg, d.reg_high8, (unsigned long long)d.imm, seg_names[d.seg], len,
                       f->op, f->opsize, f->addrsize, f->src, f->seg);
        uint64_t ea = insn_dest_offset(&d, gpr, FORMS_BASE + f->start);
        if (f->ea != ~0ull && ea != f->ea)
            UNIT_FAIL_("%u-bit '%s': destination offset 0x%llx, want 0x%llx", f->mode, f->text,
                       (unsigned long long)ea, (unsigned long long)f->ea);
    }
    CHECK(n_valid >= 200);
    printf("    %u forms, %u emulated, %u refused\n", n_forms, n_valid, n_forms - n_valid);
}

/* Every truncation of every encoding is refused, reading no byte past its end (ASan). */
TEST(insn_decode_truncated)
{
    for (const struct form *f = insn_form_table; f->text; f++) {
        unsigned len = f->end - f->start;
        for (unsigned n = 0; n <= len; n++) {
            uint8_t *b = malloc(n ? n : 1);
            memcpy(b, insn_forms_start + f->start, n);
            struct insn d;
            bool ok = insn_decode(b, n, mode_of(f), &d);
            bool want = n == len && strcmp(f->op, "-");
            if (ok != want)
                UNIT_FAIL_("%u-bit '%s' cut to %u of %u bytes: %s", f->mode, f->text, n, len,
                           ok ? "decoded" : "refused");
            if (ok && d.len != len)
                UNIT_FAIL_("%u-bit '%s': length %u of %u", f->mode, f->text, d.len, len);
            free(b);
        }
    }
}

/* Fifteen prefixes and an opcode: 16 bytes, longer than any instruction (#GP). */
TEST(insn_decode_too_long)
{
    uint8_t b[17];
    memset(b, 0x66, sizeof(b));
    b[14] = 0x89, b[15] = 0x03;
    struct insn d;
    CHECK(!insn_decode(b, sizeof(b), INSN_MODE_64, &d));
    CHECK(insn_decode(b + 1, 15, INSN_MODE_64, &d));
    CHECK_EQ(d.len, 15);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t mem_get(uint64_t a, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, (void *)a, size);
    return v;
}

#define SEEDS 24

/* The register file for seed s: pointers into the data area, a small index (r15),
 * REP counts (rcx), signed bit offsets (r10), edge and random values. */
static void native_regs(unsigned s, struct insn_regs *r)
{
    static const uint64_t edge[] = { 0, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 0x80000000ull,
                                     0x7fffffff, 0xff, 0x8080808080808080ull, 1 };
    static const int64_t bitoff[] = { 37, -45, 130, -1, 0, 15, -17, 63, 31, -64, 16, 7 };
    memset(r, 0, sizeof(*r));
    for (unsigned i = 0; i < 16; i++)
        r->gpr[i] = rng();
    unsigned ne = sizeof(edge) / sizeof(edge[0]);
    if (s < ne) {
        r->gpr[0] = edge[s];
        r->gpr[2] = edge[(s + 1) % ne];
        r->gpr[9] = edge[(s + 2) % ne];
    }
    r->gpr[1] = (uint64_t[]){ 3, 1, 0, 2 }[s % 4];
    r->gpr[3] = NB;
    r->gpr[5] = NB + 0x40;
    r->gpr[6] = NB + 0x200;
    r->gpr[7] = NB - 0x200;
    r->gpr[8] = NB + 0x80;
    r->gpr[10] = (uint64_t)bitoff[s % (sizeof(bitoff) / sizeof(bitoff[0]))];
    r->gpr[11] = NB - 0x80;
    r->gpr[12] = NB + 0x100;
    r->gpr[13] = NB - 0x100;
    r->gpr[14] = NB + 0x300;
    r->gpr[15] = 3;
    r->rflags = 0x202 | (rng() & INSN_RFLAGS_ARITH) | (s & 1 ? INSN_RFLAGS_DF : 0);
    if (s == 2)
        r->rflags = 0x202;
    if (s == 3)
        r->rflags = 0x202 | INSN_RFLAGS_ARITH;
}

/* Skiff's way: one element per "exit" until the instruction is done. */
static bool emulate(const struct form *f, struct insn_regs *r)
{
    const uint8_t *code = (const uint8_t *)(FORMS_BASE + f->start);
    struct insn d;
    if (!insn_decode(code, 15, INSN_MODE_64, &d))
        return false;
    for (unsigned step = 0; step < 8; step++) {
        uint64_t a = insn_dest_offset(&d, r->gpr, (uint64_t)code);
        if (a < DATA_LO || a + d.opsize > DATA_HI) {
            UNIT_FAIL_("'%s': destination 0x%llx outside the data area", f->text, (unsigned long long)a);
            return false;
        }
        uint64_t old = insn_ops[d.op].reads_dest ? mem_get(a, d.opsize) : 0, src = 0;
        if (d.src == INSN_SRC_MEM)
            src = mem_get(insn_src_offset(&d, r->gpr), d.opsize);
        struct insn_result res = insn_emulate(&d, r, old, src);
        if (res.write)
            memcpy((void *)a, &res.value, d.opsize);
        if (res.done)
            return true;
    }
    UNIT_FAIL_("'%s': not done after 8 elements", f->text);
    return false;
}

TEST(insn_emulate_vs_host)
{
    void *m = mmap((void *)FORMS_BASE, FORMS_MAP, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    REQUIRE(m == (void *)FORMS_BASE);
    REQUIRE(insn_forms_code_end - insn_forms_start < 0x8000);
    memcpy(m, insn_forms_start, (size_t)(insn_forms_code_end - insn_forms_start));
    static uint8_t init[DATA_HI - DATA_LO], native[DATA_HI - DATA_LO];
    uint8_t *data = (uint8_t *)DATA_LO;
    unsigned forms = 0;
    for (const struct form *f = insn_form_table; f->text; f++) {
        if (!f->native)
            continue;
        forms++;
        for (unsigned s = 0; s < SEEDS; s++) {
            for (size_t i = 0; i < sizeof(init); i += 8) {
                uint64_t v = rng();
                memcpy(init + i, &v, 8);
            }
            struct insn_regs in, hw, em;
            native_regs(s, &in);
            hw = em = in;
            memcpy(data, init, sizeof(init));
            insn_native_run(FORMS_BASE + f->start, &hw);
            memcpy(native, data, sizeof(native));
            memcpy(data, init, sizeof(init));
            n_native_runs++;
            if (!emulate(f, &em))
                break;
            for (unsigned i = 0; i < 16; i++)
                if (i != INSN_RSP && em.gpr[i] != hw.gpr[i])
                    UNIT_FAIL_("'%s' seed %u: gpr %u 0x%llx, the CPU 0x%llx", f->text, s, i,
                               (unsigned long long)em.gpr[i], (unsigned long long)hw.gpr[i]);
            if (em.rflags != hw.rflags)
                UNIT_FAIL_("'%s' seed %u: rflags 0x%llx, the CPU 0x%llx (in 0x%llx)", f->text, s,
                           (unsigned long long)em.rflags, (unsigned long long)hw.rflags,
                           (unsigned long long)in.rflags);
            for (size_t i = 0; i < sizeof(native); i++)
                if (data[i] != native[i]) {
                    UNIT_FAIL_("'%s' seed %u: byte at 0x%llx is 0x%02x, the CPU wrote 0x%02x", f->text, s,
                               (unsigned long long)(DATA_LO + i), data[i], native[i]);
                    break;
                }
        }
    }
    munmap(m, FORMS_MAP);
    CHECK(forms >= 130);
    printf("    %u forms x %u register files run on the host and emulated\n", forms, SEEDS);
}

UNIT_MAIN(T(insn_decode_forms), T(insn_decode_truncated), T(insn_decode_too_long), T(insn_emulate_vs_host))
