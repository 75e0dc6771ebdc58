/*
 * Skiff's workload guest: a Multiboot (v1) kernel that runs the same way on
 * the bare machine (GRUB's `multiboot`) and under Skiff (a `guest=multiboot`
 * module), for tests/bench/bench.sh to time by wall clock.
 *
 * `perf=NAME[,NAME...]` picks phases (default: com1,idle,timer, in that
 * order).  Each phase is bracketed by `perf: mark <phase>_start` and
 * `perf: mark <phase>_end`; between them the guest reads the TSC and, under
 * Skiff (CPUID leaf 0x40000000), Skiff's exit count (HC_EXIT_COUNT).
 *
 *   com1   102400 bytes to COM1, LSR bit 5 polled before each byte
 *   idle   the APIC timer periodic at vector 0x40, `sti; hlt` until 100 ticks
 *   timer  20000 one-shot timers (TSC-deadline if CPUID says so), each waited
 *          for with `sti; hlt`
 *
 * 32-bit protected mode, flat segments, paging off (the APIC page is reached
 * at its physical address); the 8259 is remapped to 0x20-0x2f and masked.
 * The run ends with Bochs' "Shutdown" port.
 */
#include <stdbool.h>
#include <stdint.h>

#include "guest/programs/common/cmdline.h"
#include "guest/programs/common/com1.h"
#include "vmx/core/hypercall.h"

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

#define APIC_TPR    0x80
#define APIC_EOI    0xb0
#define APIC_SVR    0xf0
#define APIC_LVTT   0x320
#define APIC_TMICT  0x380
#define APIC_TDCR   0x3e0

#define TIMER_VECTOR    0x40
#define SPURIOUS_VECTOR 0xff
#define LVT_MASKED      (1u << 16)
#define LVT_PERIODIC    (1u << 17)
#define LVT_TSC_DEADLINE (2u << 17)
#define MSR_APIC_BASE    0x1b
#define MSR_TSC_DEADLINE 0x6e0

#define COM1_BYTES   102400
#define IDLE_TICKS   100
/* Fixed, not calibrated: Bochs' APIC timer counts at its instruction rate (ips=50000000),
 * so 500000 at divide by 1 is 100 interrupts a second of guest TSC time there. */
#define IDLE_COUNT   500000
#define TIMER_N      20000
#define TIMER_DELTA  20000

volatile uint32_t perf_ticks;          /* entry.S: the timer handler counts */
uint32_t perf_apic_eoi;                /* entry.S: the EOI register's address */
extern const uint32_t perf_exc_table[32];
void perf_timer_isr(void);
void perf_ignore_isr(void);

static uint32_t apic_base;
static bool under_skiff;

static struct __attribute__((packed)) {
    uint16_t lo, sel;
    uint8_t zero, type;
    uint16_t hi;
} idt[256];

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline void apic_write(uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(apic_base + reg) = v;
}

/* Skiff's exit count so far, this VMCALL's own exit included. */
static uint64_t exit_count(void)
{
    uint64_t n;
    __asm__ volatile("vmcall" : "=A"(n) : "a"(HC_EXIT_COUNT) : "memory");
    return n;
}

/* --- output ------------------------------------------------------------------- */

/* EDX:EAX / 10 with DIVL, high half first: no 64-bit division helper needed. */
static void put_u64(uint64_t v)
{
    char b[21];
    int n = 0;
    do {
        uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v, r;
        uint32_t qhi = hi / 10, qlo;
        __asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(hi % 10), "r"(10u));
        b[n++] = (char)('0' + r);
        v = ((uint64_t)qhi << 32) | qlo;
    } while (v);
    while (n)
        putc(b[--n]);
}

static void line(const char *a, const char *b)
{
    puts("perf: ");
    puts(a);
    puts(b);
    puts("\n");
}

static __attribute__((noreturn)) void perf_end(void) { com1_drain_and_shutdown(); }

void perf_exception(uint32_t vector);
void perf_exception(uint32_t vector)
{
    puts("perf: FAILED: exception vector ");
    putu(vector);
    puts("\n");
    perf_end();
}

static __attribute__((noreturn)) void perf_fail(const char *what)
{
    line("FAILED: ", what);
    perf_end();
}

/* --- set-up ------------------------------------------------------------------- */

static void gate(unsigned v, uint32_t handler, uint16_t cs)
{
    idt[v].lo = (uint16_t)handler;
    idt[v].hi = (uint16_t)(handler >> 16);
    idt[v].sel = cs;
    idt[v].type = 0x8e;                      /* present, DPL 0, 32-bit interrupt gate */
}

static void idt_init(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    for (unsigned i = 0; i < 32; i++)
        gate(i, perf_exc_table[i], cs);
    for (unsigned i = 0x20; i < 0x30; i++)
        gate(i, (uint32_t)perf_ignore_isr, cs);
    gate(TIMER_VECTOR, (uint32_t)perf_timer_isr, cs);
    gate(SPURIOUS_VECTOR, (uint32_t)perf_ignore_isr, cs);
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr = { sizeof(idt) - 1, (uint32_t)idt };
    __asm__ volatile("lidt %0" ::"m"(idtr));
}

/* The 8259 pair off vectors 8-15 (the firmware's) onto 0x20-0x2f, every line masked. */
static void pic_off(void)
{
    static const uint8_t icw[2][4] = { { 0x11, 0x20, 0x04, 0x01 }, { 0x11, 0x28, 0x02, 0x01 } };
    for (unsigned i = 0; i < 4; i++) {
        outb(0x20 + (i ? 1 : 0), icw[0][i]);
        outb(0xa0 + (i ? 1 : 0), icw[1][i]);
    }
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

static bool detect_skiff(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    if (!(c & (1u << 31)))                   /* no hypervisor present */
        return false;
    cpuid(SKIFF_CPUID_SIGNATURE_LEAF, &a, &b, &c, &d);
    return b == SKIFF_CPUID_SIG_EBX && c == SKIFF_CPUID_SIG_ECX && d == SKIFF_CPUID_SIG_EDX;
}

/* --- phases ------------------------------------------------------------------- */

/* Exactly COM1_BYTES: lines of 64 characters and CR LF, the last one shorter. */
static void phase_com1(void)
{
    static const char set[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-+";
    uint32_t sent = 0;
    for (uint32_t row = 0; sent < COM1_BYTES; row++) {
        uint32_t room = COM1_BYTES - sent - 2, len = room < 64 ? room : 64;
        for (uint32_t i = 0; i < len; i++)
            putc(set[(row + i) & 63]);
        putc('\r');
        putc('\n');
        sent += len + 2;
    }
}

static void wait_tick(uint32_t before)
{
    while (perf_ticks == before)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
}

static void phase_idle(void)
{
    apic_write(APIC_TDCR, 0xb);              /* divide by 1 */
    apic_write(APIC_LVTT, LVT_PERIODIC | TIMER_VECTOR);
    perf_ticks = 0;
    apic_write(APIC_TMICT, IDLE_COUNT);
    while (perf_ticks < IDLE_TICKS)
        wait_tick(perf_ticks);
    apic_write(APIC_LVTT, LVT_MASKED | TIMER_VECTOR);
    apic_write(APIC_TMICT, 0);
}

static bool tsc_deadline;

static void phase_timer(void)
{
    apic_write(APIC_TDCR, 0xb);
    apic_write(APIC_LVTT, (tsc_deadline ? LVT_TSC_DEADLINE : 0) | TIMER_VECTOR);
    for (uint32_t i = 0; i < TIMER_N; i++) {
        uint32_t before = perf_ticks;
        if (tsc_deadline)
            wrmsr(MSR_TSC_DEADLINE, rdtsc() + TIMER_DELTA);
        else
            apic_write(APIC_TMICT, TIMER_DELTA);
        wait_tick(before);
    }
    if (tsc_deadline)
        wrmsr(MSR_TSC_DEADLINE, 0);
    apic_write(APIC_LVTT, LVT_MASKED | TIMER_VECTOR);
}

struct phase {
    const char *name;
    void (*run)(void);
};

static const struct phase phases[] = {
    { "com1", phase_com1 },
    { "idle", phase_idle },
    { "timer", phase_timer },
};

/* One phase between its marks: the TSC and (under Skiff) the exits it took. */
static void run_phase(const struct phase *p)
{
    puts("perf: mark ");
    puts(p->name);
    puts("_start\n");
    uint64_t e0 = under_skiff ? exit_count() : 0;
    uint64_t t0 = rdtsc();
    p->run();
    uint64_t t1 = rdtsc();
    uint64_t e1 = under_skiff ? exit_count() : 0;
    puts("perf: mark ");
    puts(p->name);
    puts("_end\n");

    puts("perf: ");
    puts(p->name);
    if (p->run == phase_com1) {
        puts(" bytes=");
        putu(COM1_BYTES);
    } else if (p->run == phase_idle) {
        puts(" ticks=");
        putu(perf_ticks);
    } else {
        puts(" wakeups=");
        putu(TIMER_N);
        puts(tsc_deadline ? " mode=tsc-deadline" : " mode=oneshot");
    }
    puts(" tsc=");
    put_u64(t1 - t0);
    puts("\n");
    puts("perf: ");
    puts(p->name);
    puts(" exits=");
    if (under_skiff)
        put_u64(e1 - e0 - 1);                /* e1 counts its own VMCALL; e0's came before */
    else
        puts("native");
    puts("\n");
}

void perf_main(uint32_t magic, const struct mb_info *mbi);
void perf_main(uint32_t magic, const struct mb_info *mbi)
{
    idt_init();
    pic_off();
    puts("perf: start\n");
    if (magic != 0x2BADB002)
        perf_fail("EAX is not the Multiboot magic 0x2BADB002");
    under_skiff = detect_skiff();
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    tsc_deadline = c & (1u << 24);
    uint64_t base = rdmsr(MSR_APIC_BASE);
    if (!(base & (1u << 11)))
        perf_fail("the local APIC is disabled in IA32_APIC_BASE");
    apic_base = (uint32_t)base & ~0xfffu;
    perf_apic_eoi = apic_base + APIC_EOI;
    apic_write(APIC_TPR, 0);
    apic_write(APIC_LVTT, LVT_MASKED | TIMER_VECTOR);
    apic_write(APIC_SVR, 0x100 | SPURIOUS_VECTOR);       /* APIC software-enabled */
    puts(under_skiff ? "perf: host=skiff\n" : "perf: host=native\n");

    const char *cmdline = (mbi->flags & (1u << 2)) ? (const char *)mbi->cmdline : "";
    const char *list_end = 0, *list = cmdline_value(cmdline, "perf=", &list_end);
    for (unsigned i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
        if (cmdline_selected(list, list_end, phases[i].name))
            run_phase(&phases[i]);
    puts("perf: end\n");
    perf_end();
}
