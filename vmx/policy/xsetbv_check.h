/*
 * XSETBV's rules for a new XCR0 (SDM Vol. 1 13.3 "Enabling the XSAVE Feature
 * Set and XSAVE-Enabled Features", Vol. 2D XSETBV "Protected Mode
 * Exceptions"), as a pure function: Skiff performs the guest's XSETBV in VMX
 * root operation, where a value the CPU refuses would be a host #GP.
 */
#ifndef SKIFF_VMX_XSETBV_CHECK_H
#define SKIFF_VMX_XSETBV_CHECK_H

#include <stdint.h>

/* XCR0 state-component bits (SDM Vol. 1 13.1, Table 13-1). */
#define XCR0_X87        (1ull << 0)
#define XCR0_SSE        (1ull << 1)
#define XCR0_AVX        (1ull << 2)
#define XCR0_BNDREGS    (1ull << 3)
#define XCR0_BNDCSR     (1ull << 4)
#define XCR0_OPMASK     (1ull << 5)
#define XCR0_ZMM_HI256  (1ull << 6)
#define XCR0_HI16_ZMM   (1ull << 7)
#define XCR0_PKRU       (1ull << 9)
#define XCR0_XTILECFG   (1ull << 17)
#define XCR0_XTILEDATA  (1ull << 18)
#define XCR0_MPX        (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AVX512     (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_AMX        (XCR0_XTILECFG | XCR0_XTILEDATA)
/* Supervisor state components (PT 8, PASID 10, CET_U 11, CET_S 12, HDC 13, UINTR 14, LBR 15,
 * HWP 16): managed through IA32_XSS only, never XCR0 (13.2, 13.3). */
#define XCR0_SUPERVISOR (0x1ull << 8 | 0x7full << 10)

/* Each SDM reason for #GP(0), in the order xcr0_check tests them. */
enum xcr0_verdict {
    XCR0_OK,
    XCR0_BAD_INDEX,            /* ECX != 0: only XCR0 is writable (XCR1, XINUSE, is read-only) */
    XCR0_NO_X87,               /* bit 0 clear */
    XCR0_SUPERVISOR_BIT,       /* a supervisor state component (IA32_XSS only) */
    XCR0_UNSUPPORTED,          /* a bit CPUID.(EAX=0DH,ECX=0):EDX:EAX does not report */
    XCR0_AVX_WITHOUT_SSE,      /* bit 2 without bit 1 */
    XCR0_MPX_PARTIAL,          /* bits 3 and 4 differ */
    XCR0_AVX512_PARTIAL,       /* bits 7:5 neither all set nor all clear */
    XCR0_AVX512_WITHOUT_AVX,   /* bits 7:5 set without bit 2 */
    XCR0_AMX_PARTIAL,          /* bits 17 and 18 differ */
    XCR0_VERDICTS
};

/* supported: CPUID.(EAX=0DH,ECX=0):EDX:EAX, read once at boot (xsetbv_supported_at_boot). */
enum xcr0_verdict xcr0_check(uint64_t supported, uint32_t index, uint64_t value);
const char *xcr0_verdict_name(enum xcr0_verdict v);

#endif
