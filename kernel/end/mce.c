/* Machine checks on the host (kernel/end/mce.h). */
#include "kernel/end/mce.h"

#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/extable.h"
#include "kernel/cpu/percpu.h"
#include "kernel/end/runend.h"
#include "kernel/lib/format.h"

#define CPUID_1_EDX_MCE (1u << 7)
#define CPUID_1_EDX_MCA (1u << 14)

void mce_init(void)
{
    /* SDM 15.8 "Machine-Check Initialization": CR4.MCE enables the #MC exception;
     * without it a machine check shuts the processor down (SDM 15.10.1). */
    if (cpuid(1, 0).edx & CPUID_1_EDX_MCE)
        write_cr4(read_cr4() | CR4_MCE);
}

/* One line, untagged: it names its CPU itself. */
static void mce_line(const char *line) { kprintf("%s\n", line); }

__attribute__((noreturn)) void mce_fatal(const char *where)
{
    static volatile uint32_t reporting;
    char line[256];
    unsigned cpu = this_cpu()->cpu;
    uint64_t cap = 0, st = 0;
    bool mca = cpuid(1, 0).edx & CPUID_1_EDX_MCA;
    bool have_cap = mca && rdmsr_safe(MSR_IA32_MCG_CAP, &cap);
    bool have_status = mca && rdmsr_safe(MSR_IA32_MCG_STATUS, &st);
    unsigned nbanks = have_cap ? (unsigned)(cap & MCG_CAP_COUNT_MASK) : 0;

    /* A machine check is often broadcast to every CPU (SDM 15.10.4.1): one report at a time. */
    while (__atomic_exchange_n(&reporting, 1, __ATOMIC_ACQUIRE))
        cpu_pause();
    mce_format_summary(line, sizeof(line), cpu, where, have_status, st, nbanks);
    mce_line(line);
    unsigned shown = 0;
    for (unsigned i = 0; i < nbanks; i++) {
        struct mce_bank b = { 0 };
        if (!rdmsr_safe(MSR_IA32_MC_STATUS(i), &b.status) || !(b.status & MCI_STATUS_VAL))
            continue;
        b.addr_ok = (b.status & MCI_STATUS_ADDRV) && rdmsr_safe(MSR_IA32_MC_ADDR(i), &b.addr);
        b.misc_ok = (b.status & MCI_STATUS_MISCV) && rdmsr_safe(MSR_IA32_MC_MISC(i), &b.misc);
        mce_format_bank(line, sizeof(line), cpu, i, &b);
        mce_line(line);
        shown++;
    }
    if (!shown) {
        snprintf(line, sizeof(line), "skiff: cpu%u: MACHINE CHECK: no bank holds a valid error%s", cpu,
                 mca ? "" : " (the CPU has no machine-check architecture)");
        mce_line(line);
    }
    run_end(SKIFF_HOST_FAULT);
}
