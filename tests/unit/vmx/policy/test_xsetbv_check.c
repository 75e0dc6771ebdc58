// SOURCES: vmx/policy/xsetbv_check.c
/* XSETBV's XCR0 rules, one test per SDM rule (vmx/policy/xsetbv_check.c). */
#include "tests/unit/unit.h"

#include "vmx/policy/xsetbv_check.h"

#define ALL (~0ull & ~XCR0_SUPERVISOR)            /* a CPU supporting every user component */
#define SKX 0x2ffull                              /* x87 SSE AVX MPX AVX-512 PKRU (Skylake-SP) */

TEST(valid_values)
{
    CHECK_EQ(xcr0_check(SKX, 0, 1), XCR0_OK);
    CHECK_EQ(xcr0_check(SKX, 0, 3), XCR0_OK);
    CHECK_EQ(xcr0_check(SKX, 0, 7), XCR0_OK);
    CHECK_EQ(xcr0_check(SKX, 0, 0x1f), XCR0_OK);
    CHECK_EQ(xcr0_check(SKX, 0, 0xe7), XCR0_OK);
    CHECK_EQ(xcr0_check(SKX, 0, SKX), XCR0_OK);
    CHECK_EQ(xcr0_check(ALL, 0, 0x602e7), XCR0_OK);   /* with PKRU and AMX */
    CHECK_EQ(xcr0_check(SKX, 0, 1 | XCR0_PKRU), XCR0_OK);
}

TEST(index_must_be_0)
{
    CHECK_EQ(xcr0_check(SKX, 1, 3), XCR0_BAD_INDEX);    /* XCR1 (XINUSE) is XGETBV's only */
    CHECK_EQ(xcr0_check(SKX, 2, 3), XCR0_BAD_INDEX);
    CHECK_EQ(xcr0_check(SKX, 0xffffffff, 3), XCR0_BAD_INDEX);
}

TEST(x87_always_set)
{
    CHECK_EQ(xcr0_check(SKX, 0, 0), XCR0_NO_X87);
    CHECK_EQ(xcr0_check(SKX, 0, 2), XCR0_NO_X87);
    CHECK_EQ(xcr0_check(SKX, 0, 6), XCR0_NO_X87);
}

TEST(supervisor_components_never_in_xcr0)
{
    for (unsigned b = 8; b <= 16; b++) {
        if (b == 9)
            continue;                                    /* PKRU is user state */
        CHECK_EQ(xcr0_check(~0ull, 0, 3 | 1ull << b), XCR0_SUPERVISOR_BIT);
    }
}

TEST(unsupported_bits)
{
    CHECK_EQ(xcr0_check(SKX, 0, 3 | XCR0_XTILECFG | XCR0_XTILEDATA), XCR0_UNSUPPORTED);
    CHECK_EQ(xcr0_check(3, 0, 7), XCR0_UNSUPPORTED);
    CHECK_EQ(xcr0_check(SKX, 0, 3 | 1ull << 63), XCR0_UNSUPPORTED);
    CHECK_EQ(xcr0_check(SKX, 0, ~SKX | 3), XCR0_SUPERVISOR_BIT);   /* the supervisor rule first */
    CHECK_EQ(xcr0_check(SKX, 0, (~SKX & ~XCR0_SUPERVISOR) | 3), XCR0_UNSUPPORTED);
}

TEST(avx_needs_sse)
{
    CHECK_EQ(xcr0_check(SKX, 0, 5), XCR0_AVX_WITHOUT_SSE);
    CHECK_EQ(xcr0_check(SKX, 0, 0xe5), XCR0_AVX_WITHOUT_SSE);
}

TEST(mpx_pair)
{
    CHECK_EQ(xcr0_check(SKX, 0, 3 | XCR0_BNDREGS), XCR0_MPX_PARTIAL);
    CHECK_EQ(xcr0_check(SKX, 0, 3 | XCR0_BNDCSR), XCR0_MPX_PARTIAL);
    CHECK_EQ(xcr0_check(SKX, 0, 3 | XCR0_MPX), XCR0_OK);
}

TEST(avx512_all_or_none)
{
    CHECK_EQ(xcr0_check(SKX, 0, 7 | XCR0_OPMASK), XCR0_AVX512_PARTIAL);
    CHECK_EQ(xcr0_check(SKX, 0, 7 | XCR0_ZMM_HI256), XCR0_AVX512_PARTIAL);
    CHECK_EQ(xcr0_check(SKX, 0, 7 | XCR0_HI16_ZMM), XCR0_AVX512_PARTIAL);
    CHECK_EQ(xcr0_check(SKX, 0, 7 | XCR0_OPMASK | XCR0_HI16_ZMM), XCR0_AVX512_PARTIAL);
}

TEST(avx512_needs_avx)
{
    CHECK_EQ(xcr0_check(SKX, 0, 3 | XCR0_AVX512), XCR0_AVX512_WITHOUT_AVX);
}

TEST(amx_pair)
{
    CHECK_EQ(xcr0_check(ALL, 0, 3 | XCR0_XTILECFG), XCR0_AMX_PARTIAL);
    CHECK_EQ(xcr0_check(ALL, 0, 3 | XCR0_XTILEDATA), XCR0_AMX_PARTIAL);
    CHECK_EQ(xcr0_check(ALL, 0, 3 | XCR0_AMX), XCR0_OK);
}

TEST(every_verdict_named)
{
    for (int v = 0; v < XCR0_VERDICTS; v++)
        CHECK(xcr0_verdict_name((enum xcr0_verdict)v)[0] != '?');
    CHECK_STR(xcr0_verdict_name(XCR0_VERDICTS), "?");
}

UNIT_MAIN(T(valid_values), T(index_must_be_0), T(x87_always_set), T(supervisor_components_never_in_xcr0),
          T(unsupported_bits), T(avx_needs_sse), T(mpx_pair), T(avx512_all_or_none), T(avx512_needs_avx),
          T(amx_pair), T(every_verdict_named))
