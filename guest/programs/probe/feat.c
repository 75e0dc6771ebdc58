/*
 * CPUID bits that follow the guest's own state, and the MSRs that change
 * CPUID, as the guest sees them:
 *
 *   cr4:  CPUID.01H:ECX[27] (OSXSAVE) and CPUID.(07H,0):ECX[4] (OSPKE) with
 *         CR4.OSXSAVE and CR4.PKE clear and set (SDM Vol. 2A CPUID: each
 *         "reflects the setting of" the CR4 bit).
 *   misc: IA32_MISC_ENABLE (0x1a0, SDM Vol. 4 Table 2-2): its value, and for
 *         bits 18 (ENABLE_MONITOR_FSM), 22 (LIMIT_CPUID), 23 (xTPR disable)
 *         and 34 (XD disable) the write, the value read back and the CPUID
 *         leaves they change (leaf 0 EAX, 80000001H EDX[20] NX, 01H ECX[3]);
 *         then a reserved bit.
 *   xss:  IA32_XSS (0xda0, SDM Vol. 1 13.3): CPUID.(0DH,1), the MSR, and a
 *         write of each supervisor state component bit.
 */
#include "guest/programs/probe/probe.h"

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static uint32_t read_cr4(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

/* RDMSR: true when it did not fault. */
static bool rdmsr(uint32_t msr, uint64_t *v)
{
    uint32_t lo = 0, hi = 0;
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("rdmsr") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
    *v = ((uint64_t)hi << 32) | lo;
    return probe_fault.vector == 0xffffffffu;
}

static void wrmsr_report(const char *name, uint32_t msr, uint64_t v)
{
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("wrmsr") ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
    probe_report_fault(name);
}

static void cr4_line(const char *when)
{
    uint32_t l1[4], l7[4] = { 0, 0, 0, 0 }, l0[4];
    cpuid(0, 0, l0);
    cpuid(1, 0, l1);
    if (l0[0] >= 7)
        cpuid(7, 0, l7);
    probe_printf("probe: cr4 %s: cr4 0x%08x osxsave %u ospke %u\n", when, read_cr4(), (l1[2] >> 27) & 1,
                 (l7[2] >> 4) & 1);
}

static void cr4_set(uint32_t v)
{
    __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

void probe_cr4_bits(void)
{
    uint32_t l0[4], l1[4], l7[4] = { 0, 0, 0, 0 };
    cpuid(0, 0, l0);
    cpuid(1, 0, l1);
    if (l0[0] >= 7)
        cpuid(7, 0, l7);
    bool xsave = l1[2] & (1u << 26), pku = l7[2] & (1u << 3);
    uint32_t cr4 = read_cr4();
    probe_printf("probe: cr4: xsave %u pku %u\n", xsave, pku);
    cr4_set(cr4 & ~((1u << 18) | (1u << 22)));
    cr4_line("both clear");
    if (xsave) {
        cr4_set(read_cr4() | (1u << 18));
        cr4_line("OSXSAVE set");
    }
    if (pku) {
        cr4_set(read_cr4() | (1u << 22));
        cr4_line("PKE set");
        cr4_set(read_cr4() & ~(1u << 18));
        cr4_line("OSXSAVE clear, PKE set");
        cr4_set(read_cr4() & ~(1u << 22));
        cr4_line("PKE clear again");
    }
    cr4_set(cr4);
}

/* The CPUID answers IA32_MISC_ENABLE changes. */
static void misc_cpuid_line(const char *when)
{
    uint32_t l0[4], l1[4], e1[4], e0[4];
    cpuid(0, 0, l0);
    cpuid(1, 0, l1);
    cpuid(0x80000000u, 0, e0);
    e1[3] = 0;
    if (e0[0] >= 0x80000001u)
        cpuid(0x80000001u, 0, e1);
    probe_printf("probe: misc %s: cpuid max leaf 0x%x nx %u\n", when, l0[0], (e1[3] >> 20) & 1);
}

void probe_misc_enable(void)
{
    static const struct { uint8_t bit; const char *name; } bits[] = {
        { 18, "ENABLE_MONITOR_FSM" }, { 22, "LIMIT_CPUID" }, { 23, "xTPR disable" }, { 34, "XD disable" },
    };
    uint64_t v, back;
    if (!rdmsr(0x1a0, &v)) {
        probe_report_fault("misc rdmsr IA32_MISC_ENABLE");
        return;
    }
    probe_printf("probe: misc: IA32_MISC_ENABLE 0x%llx\n", v);
    misc_cpuid_line("as found");
    for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        uint64_t m = 1ull << bits[i].bit;
        char name[64] = "misc toggle ";
        unsigned n = 12;
        for (const char *s = bits[i].name; *s && n < sizeof(name) - 1; s++)
            name[n++] = *s;
        name[n] = 0;
        wrmsr_report(name, 0x1a0, v ^ m);
        rdmsr(0x1a0, &back);
        probe_printf("probe: misc bit %u %s: reads 0x%llx\n", bits[i].bit, (v ^ m) & m ? "set" : "clear", back);
        misc_cpuid_line(bits[i].name);
        wrmsr_report("misc restore", 0x1a0, v);
    }
    /* Reserved bits (Table 2-2): bit 1, bit 63. */
    wrmsr_report("misc set reserved bit 1", 0x1a0, v | (1ull << 1));
    wrmsr_report("misc set reserved bit 63", 0x1a0, v | (1ull << 63));
    rdmsr(0x1a0, &back);
    probe_printf("probe: misc: IA32_MISC_ENABLE 0x%llx at the end\n", back);
    misc_cpuid_line("at the end");
}

void probe_xss(void)
{
    uint32_t l0[4], l1[4], d1[4] = { 0, 0, 0, 0 };
    uint64_t v;
    cpuid(0, 0, l0);
    cpuid(1, 0, l1);
    if (l0[0] >= 0xd)
        cpuid(0xd, 1, d1);
    probe_printf("probe: xss: cpuid 0000000d.1: eax 0x%08x ecx 0x%08x edx 0x%08x (XSAVES %u)\n", d1[0], d1[2],
                 d1[3], (d1[0] >> 3) & 1);
    if (!(l1[2] & (1u << 26)))
        return;
    uint32_t cr4 = read_cr4();
    cr4_set(cr4 | (1u << 18));
    if (rdmsr(0xda0, &v))
        probe_printf("probe: xss: IA32_XSS 0x%llx\n", v);
    else
        probe_report_fault("xss rdmsr IA32_XSS");
    static const uint8_t comps[] = { 8, 10, 11, 12, 13, 14, 15, 16 };
    for (unsigned i = 0; i < sizeof(comps) / sizeof(comps[0]); i++) {
        char name[] = "xss wrmsr bit NN";
        name[14] = (char)('0' + comps[i] / 10);
        name[15] = (char)('0' + comps[i] % 10);
        wrmsr_report(name, 0xda0, 1ull << comps[i]);
        wrmsr_report("xss restore", 0xda0, 0);
    }
    cr4_set(cr4);
}
