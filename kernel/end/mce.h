/*
 * Machine checks (SDM Vol. 3B chapter 15 "Machine-Check Architecture"):
 * CR4.MCE on every CPU, so that a machine check raises #MC (vector 18)
 * instead of shutting the CPU down, and one report of IA32_MCG_STATUS and
 * every bank that holds an error, for a #MC taken in VMX root operation
 * (kernel/end/panic.c) and one that the guest's VM exit or VM entry reports
 * (vmx/exit/exit_misc.c, vmx/exit/exit_dispatch.c).  The run then ends with status 4.
 */
#ifndef SKIFF_KERNEL_MCE_H
#define SKIFF_KERNEL_MCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSR_IA32_MCG_CAP    0x179
#define MSR_IA32_MCG_STATUS 0x17a
#define MSR_IA32_MC_STATUS(i) (0x401u + 4u * (i))   /* SDM 15.3.2: CTL, STATUS, ADDR, MISC */
#define MSR_IA32_MC_ADDR(i)   (0x402u + 4u * (i))
#define MSR_IA32_MC_MISC(i)   (0x403u + 4u * (i))

#define MCG_CAP_COUNT_MASK  0xffu                   /* SDM 15.3.1.1 */
#define MCG_STATUS_RIPV     (1ull << 0)             /* SDM 15.3.1.2 */
#define MCG_STATUS_EIPV     (1ull << 1)
#define MCG_STATUS_MCIP     (1ull << 2)
#define MCI_STATUS_VAL      (1ull << 63)            /* SDM 15.3.2.2 */
#define MCI_STATUS_OVER     (1ull << 62)
#define MCI_STATUS_UC       (1ull << 61)
#define MCI_STATUS_EN       (1ull << 60)
#define MCI_STATUS_MISCV    (1ull << 59)
#define MCI_STATUS_ADDRV    (1ull << 58)
#define MCI_STATUS_PCC      (1ull << 57)

/* Set CR4.MCE on this CPU when it has the machine-check exception (CPUID.1:EDX.MCE[7]). */
void mce_init(void);

/* Report this CPU's machine-check state (`where` it was taken) and end the run (status 4). */
__attribute__((noreturn)) void mce_fatal(const char *where);

/* ---- the report's lines (kernel/end/mce_fmt.c; host unit-tested) ---- */

struct mce_bank {
    uint64_t status, addr, misc;
    bool addr_ok, misc_ok;         /* read (ADDRV / MISCV set and the MSR readable) */
};

/* `skiff: cpuN: MACHINE CHECK <where>: IA32_MCG_STATUS=... (...), N bank(s)`. */
int mce_format_summary(char *buf, size_t n, unsigned cpu, const char *where, bool have_status,
                       uint64_t mcg_status, unsigned nbanks);
/* `skiff: cpuN: MACHINE CHECK bank I: IA32_MCI_STATUS=... (...)[ IA32_MCI_ADDR=...][ IA32_MCI_MISC=...]`. */
int mce_format_bank(char *buf, size_t n, unsigned cpu, unsigned bank, const struct mce_bank *b);

#endif
