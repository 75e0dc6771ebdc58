/*
 * Skiff's benchmark guest.  With no TSC offsetting the guest reads Skiff's
 * TSC; in Bochs the TSC advances exactly one per retired instruction and VM
 * exits and entries add nothing, so (loop with an exiting instruction) minus
 * (the same loop with a non-exiting one) counts the host instructions Skiff
 * spends per exit, identically on every run.  On real VT-x the same numbers
 * are cycles.
 *
 * Prints:  bench: <name> exit=<cost per round trip> (N=<iterations>)
 */
#include <stdint.h>

#include "guest/programs/common/com1.h"
#include "vmx/core/hypercall.h"

#define N 1000

extern uint64_t first_tsc;

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void putx64(uint64_t v)
{
    puts("0x");
    for (int i = 60; i >= 0; i -= 4)
        putc("0123456789abcdef"[(v >> i) & 15]);
}

/*
 * Each loop body is one instruction between identical loop overhead; the
 * baseline body is a register move, which never exits.
 */
#define LOOP(stmt)                                                              \
    ({                                                                          \
        uint64_t t0 = rdtsc();                                                  \
        for (uint32_t i = 0; i < N; i++)                                        \
            stmt;                                                               \
        rdtsc() - t0;                                                           \
    })

static void report(const char *name, uint64_t t, uint64_t base)
{
    puts("bench: ");
    puts(name);
    puts(" exit=");
    putu(t > base ? ((uint32_t)(t - base) + N / 2) / N : 0);
    puts(" (N=");
    putu(N);
    puts(")\n");
}

void bench_main(void);
void bench_main(void)
{
    uint64_t entry;   /* EDX:EAX (32-bit callers get the high half in EDX) */
    __asm__ volatile("vmcall" : "=A"(entry) : "a"(HC_ENTRY_TSC));
    puts("bench: first_tsc=");
    putx64(first_tsc);
    puts(" skiff_entry_tsc=");
    putx64(entry);
    puts(" boot=");
    putu((uint32_t)(first_tsc - entry));
    puts("\n");

    uint32_t a, b, c, d;
    uint64_t base_cpuid = LOOP(__asm__ volatile("mov %%eax, %%eax" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0)));
    uint64_t cpuid0 = LOOP(__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0)));
    uint64_t cpuids = LOOP(__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
                                            : "a"(SKIFF_CPUID_SIGNATURE_LEAF), "c"(0)));
    uint64_t base = LOOP(__asm__ volatile("mov %%eax, %%eax" : "=a"(a) : "a"(HC_NOP)));
    uint64_t vmcall = LOOP(__asm__ volatile("vmcall" : "=a"(a) : "a"(HC_NOP)));
    uint64_t base_msr = LOOP(__asm__ volatile("mov %%eax, %%eax" : "=a"(a), "=d"(d) : "c"(0x3a)));
    uint64_t rdmsr = LOOP(__asm__ volatile("rdmsr" : "=a"(a), "=d"(d) : "c"(0x3a)));
    uint64_t base_out = LOOP(__asm__ volatile("mov %%eax, %%eax" :: "a"(0), "d"(0x8900)));
    uint64_t outp = LOOP(__asm__ volatile("outb %%al, %%dx" :: "a"(0), "d"(0x8900)));
    report("cpuid_leaf0", cpuid0, base_cpuid);
    report("cpuid_skiff", cpuids, base_cpuid);
    report("vmcall_nop", vmcall, base);
    report("rdmsr_feature_control", rdmsr, base_msr);
    report("out_intercepted_port", outp, base_out);
    puts("bench: done\n");
    __asm__ volatile("vmcall" ::"a"(HC_EXIT), "b"(0) : "memory");
    for (;;)
        __asm__ volatile("cli; hlt");
}
