/*
 * The guest's IA32_MISC_ENABLE (MSR 0x1a0, SDM Vol. 4 Table 2-2), as pure
 * logic: which bits a guest may change, the value it starts with, and the
 * CPUID answers its bits change.  Skiff keeps a copy per vCPU
 * (vmx/exit/exit_msr.c): the bits that would change Skiff's own CPU (LIMIT_CPUID,
 * XD disable, the MONITOR FSM, xTPR) live only in the copy, and their visible
 * effects are emulated in the guest's CPUID (vmx/exit/exit_cpuid.c) and EFER.
 * Unit-tested (tests/unit/vmx/policy/test_misc_enable.c).
 */
#ifndef SKIFF_VMX_MISC_ENABLE_H
#define SKIFF_VMX_MISC_ENABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/cpu/cpu.h"

#define MISC_ENABLE_FAST_STRINGS     (1ull << 0)    /* R/W */
#define MISC_ENABLE_TCC              (1ull << 3)    /* automatic thermal control, R/W */
#define MISC_ENABLE_PMON_AVAILABLE   (1ull << 7)    /* R/O */
#define MISC_ENABLE_BTS_UNAVAILABLE  (1ull << 11)   /* R/O */
#define MISC_ENABLE_PEBS_UNAVAILABLE (1ull << 12)   /* R/O */
#define MISC_ENABLE_EIST             (1ull << 16)   /* Enhanced SpeedStep, R/W */
#define MISC_ENABLE_MONITOR          (1ull << 18)   /* ENABLE_MONITOR_FSM, R/W */
#define MISC_ENABLE_LIMIT_CPUID      (1ull << 22)   /* R/W */
#define MISC_ENABLE_XTPR_DISABLE     (1ull << 23)   /* R/W */
#define MISC_ENABLE_XD_DISABLE       (1ull << 34)   /* R/W */

/* Bits a guest WRMSR may change; any other bit that differs from the guest's value is #GP,
 * as the CPU raises for reserved bits. */
#define MISC_ENABLE_GUEST_WRITABLE (MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_TCC | MISC_ENABLE_EIST | \
                                    MISC_ENABLE_MONITOR | MISC_ENABLE_LIMIT_CPUID | MISC_ENABLE_XTPR_DISABLE | \
                                    MISC_ENABLE_XD_DISABLE)
/* Of those, the bits that also reach the CPU (they reconfigure nothing Skiff relies on). */
#define MISC_ENABLE_WRITE_THROUGH (MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_TCC | MISC_ENABLE_EIST)

/*
 * The guest's value at its start: the CPU's (cpu_has: RDMSR of it works), else (an emulator
 * without the MSR: Bochs 2.7) fast strings enabled and PMON_AVAILABLE as CPUID.0AH says; BTS and
 * PEBS are unavailable either way (Skiff hides the debug store, CPUID.01H:EDX[21]).
 */
uint64_t misc_enable_guest_start(bool cpu_has, uint64_t cpu_value, bool pmu);
/* A guest WRMSR from cur to val: true when it changes only guest-writable bits. */
bool misc_enable_write_ok(uint64_t cur, uint64_t val);
/*
 * The CPUID answer for the guest's IA32_MISC_ENABLE `guest`: LIMIT_CPUID makes CPUID.00H:EAX
 * at most 2; XD disable clears CPUID.80000001H:EDX[20] (NX); a clear ENABLE_MONITOR_FSM
 * clears CPUID.01H:ECX[3] (MONITOR/MWAIT, which Skiff hides anyway).
 */
void misc_enable_cpuid(uint64_t guest, uint32_t leaf, struct cpuid_regs *r);

#endif
