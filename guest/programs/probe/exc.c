/*
 * Exceptions: the frame each fault pushes (vector, error code, EIP, CS,
 * EFLAGS), for instructions Skiff intercepts (it injects the exception) and,
 * as a reference, for instructions it does not (the CPU raises it).  The CPU
 * sets RF in the EFLAGS image of every fault-class exception (SDM Vol. 3A
 * 6.12.1, 18.3.1.1); traps (INT3, INTO, INT n) push the EIP after the
 * instruction and leave RF as it was.
 */
#include "guest/programs/probe/probe.h"

static uint32_t read_cr0(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

static uint32_t read_cr4(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

/* MOV to CR0 (cr = 0) or CR4 (cr = 4), restored afterwards. */
static void try_write_cr(const char *name, int cr, uint32_t v)
{
    uint32_t old = cr ? read_cr4() : read_cr0();
    probe_try_reset();
    if (cr)
        __asm__ volatile(PROBE_TRY("mov %0, %%cr4") ::"r"(v) : "memory");
    else
        __asm__ volatile(PROBE_TRY("mov %0, %%cr0") ::"r"(v) : "memory");
    probe_report_fault(name);
    if (cr)
        __asm__ volatile("mov %0, %%cr4" ::"r"(old));
    else
        __asm__ volatile("mov %0, %%cr0" ::"r"(old));
}

static void try_rdmsr(const char *name, uint32_t msr)
{
    uint32_t lo = 0, hi = 0;
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("rdmsr") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
    probe_report_fault(name);
}

static void try_wrmsr(const char *name, uint32_t msr, uint64_t v)
{
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("wrmsr") ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
    probe_report_fault(name);
}

static void try_xsetbv(const char *name, uint32_t index, uint64_t v)
{
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("xsetbv") ::"c"(index), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
    probe_report_fault(name);
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

void probe_exceptions(void)
{
    /* The reference: faults and traps the CPU raises without Skiff. */
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("ud2") ::: "memory");
    probe_report_fault("exc ud2");
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("int3") ::: "memory");
    probe_report_fault("exc int3");
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("movb $127, %%al; addb $1, %%al; into") ::: "eax", "memory");
    probe_report_fault("exc into");
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("int $5") ::: "memory");
    probe_report_fault("exc int 5 (software interrupt to an exception vector)");
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("xorl %%edx, %%edx; movl $1, %%eax; xorl %%ecx, %%ecx; divl %%ecx")
                     ::: "eax", "ecx", "edx", "memory");
    probe_report_fault("exc divide by zero");

    /* Control registers: Skiff sees the writes that touch bits it owns. */
    try_write_cr("exc mov cr4, 0xffffffff", 4, 0xffffffffu);
    try_write_cr("exc mov cr4, reserved bit 31", 4, read_cr4() | (1u << 31));
    try_write_cr("exc mov cr4, PCIDE outside IA-32e mode", 4, read_cr4() | (1u << 17));
    try_write_cr("exc mov cr0, PG without PE", 0, (read_cr0() & ~1u) | (1u << 31));
    try_write_cr("exc mov cr0, NW without CD", 0, (read_cr0() & ~(1u << 30)) | (1u << 29));

    /* MSRs that do not exist, inside and outside the MSR bitmap's ranges. */
    try_rdmsr("exc rdmsr 0x2ff0 (none)", 0x2ff0);
    try_rdmsr("exc rdmsr 0x12345678 (none)", 0x12345678);
    try_wrmsr("exc wrmsr 0x12345678 (none)", 0x12345678, 0);
    /* IA32_FEATURE_CONTROL is locked by the firmware: writing it faults. */
    try_wrmsr("exc wrmsr IA32_FEATURE_CONTROL (locked)", 0x3a, 0x5);
    /* A non-canonical FS base. */
    try_wrmsr("exc wrmsr IA32_FS_BASE non-canonical", 0xc0000100, 0x8000000000000000ull);

    /* VMX instructions outside VMX operation. */
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("vmxoff") ::: "memory");
    probe_report_fault("exc vmxoff");
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("vmread %%eax, %%ebx") ::"a"(0) : "ebx", "memory");
    probe_report_fault("exc vmread");

    /* XSETBV, with CR4.OSXSAVE set where the CPU has XSAVE. */
    uint32_t r[4];
    cpuid(1, 0, r);
    if (r[2] & (1u << 26)) {
        uint32_t old = read_cr4();
        __asm__ volatile("mov %0, %%cr4" ::"r"(old | (1u << 18)));
        try_xsetbv("exc xsetbv XCR0 = 0 (no x87)", 0, 0);
        try_xsetbv("exc xsetbv XCR0 = x87|AVX (no SSE)", 0, 0x5);
        try_xsetbv("exc xsetbv XCR0 bit 63", 0, 0x8000000000000003ull);
        try_xsetbv("exc xsetbv XCR 5", 5, 1);
        try_xsetbv("exc xsetbv XCR0 = x87|SSE", 0, 0x3);
        __asm__ volatile("mov %0, %%cr4" ::"r"(old));
    }
}
