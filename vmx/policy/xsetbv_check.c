/* XSETBV's rules for XCR0 (vmx/policy/xsetbv_check.h; SDM Vol. 1 13.3, Vol. 2D XSETBV). */
#include "vmx/policy/xsetbv_check.h"

static int all_or_none(uint64_t value, uint64_t bits)
{
    return (value & bits) == 0 || (value & bits) == bits;
}

enum xcr0_verdict xcr0_check(uint64_t supported, uint32_t index, uint64_t value)
{
    if (index != 0)
        return XCR0_BAD_INDEX;                   /* Vol. 2D: "an invalid XCR is specified in ECX" */
    if (!(value & XCR0_X87))
        return XCR0_NO_X87;                      /* 13.3: "XCR0[0] is always 1" */
    if (value & XCR0_SUPERVISOR)
        return XCR0_SUPERVISOR_BIT;              /* 13.3: supervisor components are IA32_XSS's */
    if (value & ~supported)
        return XCR0_UNSUPPORTED;                 /* "setting any bit ... reserved" (13.3) */
    if ((value & XCR0_AVX) && !(value & XCR0_SSE))
        return XCR0_AVX_WITHOUT_SSE;             /* "XCR0[2:1] = 10b" */
    if (!all_or_none(value, XCR0_MPX))
        return XCR0_MPX_PARTIAL;                 /* "XCR0[3] != XCR0[4]" */
    if (!all_or_none(value, XCR0_AVX512))
        return XCR0_AVX512_PARTIAL;              /* "XCR0[7:5] is neither 000b nor 111b" */
    if ((value & XCR0_AVX512) && !(value & XCR0_AVX))
        return XCR0_AVX512_WITHOUT_AVX;          /* "XCR0[7:5] != 000b and XCR0[2] = 0" */
    if (!all_or_none(value, XCR0_AMX))
        return XCR0_AMX_PARTIAL;                 /* "XCR0[17] != XCR0[18]" */
    return XCR0_OK;
}

const char *xcr0_verdict_name(enum xcr0_verdict v)
{
    static const char *const names[XCR0_VERDICTS] = {
        [XCR0_OK] = "ok",
        [XCR0_BAD_INDEX] = "ECX is not 0 (only XCR0 is writable)",
        [XCR0_NO_X87] = "x87 state (bit 0) clear",
        [XCR0_SUPERVISOR_BIT] = "a supervisor state component (IA32_XSS only)",
        [XCR0_UNSUPPORTED] = "a state component the CPU does not support",
        [XCR0_AVX_WITHOUT_SSE] = "AVX (bit 2) without SSE (bit 1)",
        [XCR0_MPX_PARTIAL] = "BNDREGS and BNDCSR (bits 3, 4) differ",
        [XCR0_AVX512_PARTIAL] = "AVX-512 state (bits 7:5) partly set",
        [XCR0_AVX512_WITHOUT_AVX] = "AVX-512 state without AVX (bit 2)",
        [XCR0_AMX_PARTIAL] = "XTILECFG and XTILEDATA (bits 17, 18) differ",
    };
    return (unsigned)v < XCR0_VERDICTS ? names[v] : "?";
}
