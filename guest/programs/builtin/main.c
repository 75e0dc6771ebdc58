/*
 * Skiff's built-in guest.  It runs in 64-bit mode on the identity page
 * tables Skiff built for it, prints `guest:` lines on COM1 (its own port I/O,
 * which Skiff passes through), exercises every exit Skiff handles, checks
 * what it observes, and ends with the exit hypercall.  It also counts the
 * exits it causes so the test can compare them with Skiff's counters.
 *
 * guest_test= on Skiff's command line selects a misbehaving variant instead.
 */
#include <stdbool.h>
#include <stdint.h>

#include "guest/loader/builtin_abi.h"
#include "guest/programs/builtin/guest.h"
#include "vmx/core/hypercall.h"

#define COM1 0x3f8

struct trap_frame {
    uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
    uint64_t vector, error_code, rip, cs, rflags, rsp, ss;
};

static struct {
    unsigned cpuid, vmcall, msr, io, hlt, cr, vmx, xsetbv;
} exits;

volatile uint64_t fixup_rip;             /* where to resume after an expected fault */
volatile int last_vector = -1;
volatile uint64_t last_error, last_rip, last_cr2;   /* the error code, RIP and CR2 of the last caught fault */
static volatile int timer_ticks;
static int failures;
void (*volatile guest_nmi_hook)(void);
void (*volatile guest_ap_hook)(uint64_t n);
const struct builtin_info *info;

/* ---- port I/O on COM1: each LSR read exits (Skiff answers once THR is empty), THR does not ---- */

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void putc_com1(char c)
{
    do
        exits.io++;
    while (!(inb(COM1 + 5) & 0x20));
    outb(COM1, (uint8_t)c);
}

static void puts_com1(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            putc_com1('\r');
        putc_com1(*s);
    }
}

static char *fmt_hex(char *p, uint64_t v)
{
    char tmp[16];
    int n = 0;
    *p++ = '0';
    *p++ = 'x';
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *fmt_dec(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *fmt_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

/* A tiny formatter: %s, %x (0x-prefixed hex of a uint64_t), %u (uint64_t). */
static void vformat(char *out, const char *fmt, __builtin_va_list ap)
{
    char *p = out;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            *p++ = *fmt;
            continue;
        }
        fmt++;
        if (*fmt == 's')
            p = fmt_str(p, __builtin_va_arg(ap, const char *));
        else if (*fmt == 'x')
            p = fmt_hex(p, __builtin_va_arg(ap, uint64_t));
        else if (*fmt == 'u')
            p = fmt_dec(p, __builtin_va_arg(ap, uint64_t));
    }
    *p = '\0';
}

unsigned guest_vformat(char *out, unsigned cap, const char *fmt, __builtin_va_list ap)
{
    char tmp[256];
    unsigned n = 0;
    vformat(tmp, fmt, ap);
    for (; tmp[n] && n + 1 < cap; n++)
        out[n] = tmp[n];
    out[n] = '\0';
    return n;
}

void say_raw(const char *s) { puts_com1(s); }

void say(const char *fmt, ...)
{
    char line[200];
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    vformat(line, fmt, ap);
    __builtin_va_end(ap);
    puts_com1("guest: ");
    puts_com1(line);
    puts_com1("\n");
}

void check(bool ok, const char *what)
{
    say("%s: %s", ok ? "ok" : "FAILED", what);
    if (!ok)
        failures++;
}

/* ---- hypercalls ---- */

uint64_t vmcall(uint64_t nr, uint64_t a, uint64_t b)
{
    uint64_t ret;
    exits.vmcall++;
    __asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(a), "c"(b) : "rdx", "memory");
    return ret;
}

__attribute__((noreturn)) void guest_exit(uint64_t status)
{
    vmcall(HC_EXIT, status, 0);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* ---- traps ---- */

void guest_trap(struct trap_frame *f);
void guest_trap(struct trap_frame *f)
{
    if (f->vector == 2 && guest_nmi_hook) {      /* NMI: attack.c counts them */
        guest_nmi_hook();
        return;
    }
    if (f->vector == 32) {                       /* PIT via the PIC */
        timer_ticks++;
        outb(0x20, 0x20);                        /* EOI */
        return;
    }
    if (fixup_rip) {
        last_vector = (int)f->vector;
        last_error = f->error_code;
        last_rip = f->rip;
        __asm__ volatile("mov %%cr2, %0" : "=r"(last_cr2));
        f->rip = fixup_rip;
        fixup_rip = 0;
        return;
    }
    say("unexpected exception %u (error code %x) at RIP %x", f->vector, f->error_code, f->rip);
    guest_exit(1);
}

extern const uint64_t trap_table[33];

struct __attribute__((packed)) idt_gate {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, reserved;
};

static struct idt_gate idt[33] __attribute__((aligned(16)));
static struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr;

static void setup_idt(void)
{
    for (int v = 0; v < 33; v++) {
        uint64_t a = trap_table[v];
        idt[v] = (struct idt_gate){ (uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16),
                                    (uint32_t)(a >> 32), 0 };
    }
    idtr.limit = sizeof(idt) - 1;
    idtr.base = (uint64_t)idt;
    __asm__ volatile("lidt %0" ::"m"(idtr));
}

/* ---- the checks ---- */

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    exits.cpuid++;
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* noinline: a gdb breakpoint target (tests/boot/cases.sh, case_gdb_session). */
__attribute__((noinline)) static void test_cpuid(void)
{
    uint32_t a, b, c, d;
    cpuid(0, &a, &b, &c, &d);
    char vendor[13] = { 0 };
    __builtin_memcpy(vendor, &b, 4);
    __builtin_memcpy(vendor + 4, &d, 4);
    __builtin_memcpy(vendor + 8, &c, 4);
    say("cpuid: vendor %s, max leaf %x", vendor, (uint64_t)a);
    cpuid(1, &a, &b, &c, &d);
    check(!(c & (1u << 5)), "cpuid: VMX hidden (leaf 1 ECX bit 5 clear)");
    check(c & (1u << 31), "cpuid: hypervisor bit set (leaf 1 ECX bit 31)");
    cpuid(SKIFF_CPUID_SIGNATURE_LEAF, &a, &b, &c, &d);
    char sig[13] = { 0 };
    __builtin_memcpy(sig, &b, 4);
    __builtin_memcpy(sig + 4, &c, 4);
    __builtin_memcpy(sig + 8, &d, 4);
    check(a >= SKIFF_CPUID_INFO_LEAF && b == SKIFF_CPUID_SIG_EBX && c == SKIFF_CPUID_SIG_ECX,
          "cpuid: leaf 0x40000000 identifies Skiff");
    say("cpuid: hypervisor signature '%s'", sig);
}

static uint64_t rdmsr_counted(uint32_t msr)
{
    uint32_t lo, hi;
    exits.msr++;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static void test_msr(void)
{
    uint64_t fc = rdmsr_counted(0x3a);
    check((fc & 1) && !(fc & 6), "rdmsr: IA32_FEATURE_CONTROL reads locked with VMX off");
    exits.msr++;
    int vec = GUEST_FAULT("rdmsr", "c"(0x480));
    check(vec == 13, "rdmsr: IA32_VMX_BASIC raises #GP");
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1b)); /* passes through: no exit */
    say("rdmsr: IA32_APIC_BASE=%x (passed through)", ((uint64_t)hi << 32) | lo);
}

static void test_vmcall(void)
{
    check(vmcall(HC_NOP, 0, 0) == 0, "vmcall: HC_NOP returns 0");
    uint64_t t1 = vmcall(HC_TSC, 0, 0), t2 = vmcall(HC_TSC, 0, 0);
    check(t2 > t1, "vmcall: HC_TSC advances");
    check(vmcall(0x1234, 0, 0) == HC_ENOSYS, "vmcall: unknown number returns HC_ENOSYS");
    check(vmcall(HC_PRINT, 0xfffffffff000ull, 16) == HC_EFAULT, "vmcall: bad pointer returns HC_EFAULT");
}

static void test_cr(void)
{
    uint64_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    say("cr: CR0=%x CR4=%x", cr0, cr4);
    check(!(cr4 & (1u << 13)), "cr: CR4.VMXE reads as 0");
    exits.cr++;
    uint64_t with_vmxe = cr4 | (1u << 13);
    int vec = GUEST_FAULT("mov %[v], %%cr4", [v] "r"(with_vmxe));
    check(vec == 13, "cr: setting CR4.VMXE raises #GP");
}

static void test_vmx_hidden(void)
{
    uint64_t region = 0x300000;
    exits.vmx++;
    int vec = GUEST_FAULT("vmxon %[r]", [r] "m"(region));
    check(vec == 6, "vmx: VMXON raises #UD");
}

static void test_xsetbv(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    if (!(c & (1u << 26))) {
        say("xsetbv: CPU has no XSAVE, skipped");
        return;
    }
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | (1u << 18)));    /* OSXSAVE: not intercepted */
    cpuid(1, &a, &b, &c, &d);
    check(c & (1u << 27), "cpuid: OSXSAVE follows the guest's CR4");
    exits.xsetbv++;
    __asm__ volatile("xsetbv" ::"c"(0), "a"(3), "d"(0));
    exits.xsetbv++;
    int vec = GUEST_FAULT("xsetbv", "c"(0), "a"(2), "d"(0));   /* x87 bit clear */
    check(vec == 13, "xsetbv: XCR0 without x87 raises #GP");
}

static void test_string_io(void)
{
    /* THR does not exit (DLAB is clear): no exit for the whole REP OUTSB, so it is as fast as on the
     * bare machine, and as there it may send no more than the FIFO holds (16 bytes, PC16550D) at once. */
    static const char msg[] = "guest: outsb\r\n";
    _Static_assert(sizeof(msg) - 1 <= 16, "one FIFO's worth");
    do                                           /* transmitter empty: the FIFO is free */
        exits.io++;
    while (!(inb(COM1 + 5) & 0x40));
    __asm__ volatile("rep outsb" ::"S"(msg), "c"(sizeof(msg) - 1), "d"(COM1) : "memory");
}

static void test_hlt(void)
{
    /* PIC: IRQ0 -> vector 32, only IRQ0 unmasked; PIT channel 0, mode 0, ~1 ms. */
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, 0xfe); outb(0xa1, 0xff);
    outb(0x43, 0x30);
    outb(0x40, 0xa9); outb(0x40, 0x04);
    __asm__ volatile("sti; hlt; cli" ::: "memory");     /* no exit: HLT stays in the guest (hlt=pass) */
    outb(0x21, 0xff);
    check(timer_ticks == 1, "hlt: woken by the timer interrupt");
}

/* ---- the other CPUs: started as an OS starts them (guest/programs/builtin/ap.S) ---- */

extern const uint8_t ap_tramp[], ap_tramp_end[];
static volatile uint32_t aps_up;

void guest_ap_main(uint64_t n);
void guest_ap_main(uint64_t n)
{
    __asm__ volatile("lidt %0" ::"m"(idtr));
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    char line[96], *p = line;
    const char *parts[] = { "guest: cpu ", 0, " (APIC id ", 0, ") is up in 64-bit mode under Skiff\n" };
    char num[24], id[24];
    *fmt_dec(num, n) = '\0';
    *fmt_dec(id, b >> 24) = '\0';
    parts[1] = num;
    parts[3] = id;
    for (unsigned i = 0; i < 5; i++)
        p = fmt_str(p, parts[i]);
    vmcall(HC_PRINT, (uint64_t)line, (uint64_t)(p - line));   /* one exit: the line stays whole */
    __atomic_fetch_add(&aps_up, 1, __ATOMIC_SEQ_CST);
    if (guest_ap_hook)
        guest_ap_hook(n);                /* attack.c: the AP's part of a test */
    for (;;)
        __asm__ volatile("cli; hlt");    /* an AP's vCPU halted with interrupts off just waits */
}

static void spin(unsigned n)
{
    for (volatile unsigned i = 0; i < n; i++)
        __asm__ volatile("pause");
}

static uint64_t aps_wanted(void)
{
    return info->ncpus - 1 > BUILTIN_MAX_APS ? BUILTIN_MAX_APS : info->ncpus - 1;
}

/* An IPI to all but myself (ICR shorthand 11b) in the mode IA32_APIC_BASE names: the ICR is MSR 0x830 in
 * x2APIC mode (SDM Vol. 3A 11.12.9), the xAPIC page's offset 0x300 otherwise (a firmware may leave either). */
static void ipi_all_but_self(bool x2apic, uint32_t low)
{
    if (x2apic)
        __asm__ volatile("wrmsr" ::"c"(0x830), "a"(low), "d"(0) : "memory");
    else
        ((volatile uint32_t *)0xfee00000ull)[0x300 / 4] = low;   /* identity mapped */
}

uint64_t guest_start_aps(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1b));   /* IA32_APIC_BASE */
    bool x2apic = lo & (1u << 10);
    uint64_t want = aps_wanted();
    uint32_t before = aps_up;                      /* a second start counts again */
    uint8_t *t = (uint8_t *)BUILTIN_AP_TRAMP;
    for (const uint8_t *s = ap_tramp; s < ap_tramp_end; s++)
        *t++ = *s;
    if (x2apic)
        say("smp: the APIC is in x2APIC mode (IA32_APIC_BASE=%x): INIT and SIPI through the ICR MSR 0x830",
            ((uint64_t)hi << 32) | lo);
    say("smp: %u vCPU(s): INIT-SIPI-SIPI to all but myself, start-up code at %x",
        info->ncpus, (uint64_t)BUILTIN_AP_TRAMP);
    ipi_all_but_self(x2apic, 0x000c4500);          /* INIT, assert, all excluding self */
    spin(10000);
    for (int i = 0; i < 2; i++) {
        ipi_all_but_self(x2apic, 0x000c4600 | (BUILTIN_AP_TRAMP >> 12));   /* SIPI */
        spin(2000);
    }
    for (unsigned w = 0; w < 20000000 && aps_up - before < want; w++)
        __asm__ volatile("pause");
    say("smp: %u of %u AP(s) up", (uint64_t)(aps_up - before), want);
    return aps_up - before;
}

static void test_smp(void)
{
    check(guest_start_aps() == aps_wanted(), "smp: every AP runs the guest's code in 64-bit mode");
}

/* ---- misbehaving variants (guest_test=) ---- */

/*
 * The guest's own clock until the watchdog stops it (issue 21, item 6): the ACPI PM timer (24 bits,
 * 3.579545 MHz, ACPI 6.4 4.8.3.3) of the PIIX4 PM block, which Bochs' BIOS places at 0xb000
 * (PM_TMR at +8), summed across its wraps, a line every 50 ms (each line costs Skiff one I/O exit
 * per byte, time the watchdog does not count: the VMX-preemption timer stops in root operation).  The last line before Skiff's
 * watchdog verdict says how long the guest ran by the machine's clock, not by Skiff's.
 */
#define PM_TMR_PORT    0xb008
#define PM_TMR_HZ      3579545u
#define PM_TMR_STEP    (PM_TMR_HZ / 20)

static void pm_clock(void)
{
    uint32_t last = in_w(PM_TMR_PORT, 4) & 0xffffff;
    uint64_t ticks = 0, next = 0;
    for (;;) {
        uint32_t now = in_w(PM_TMR_PORT, 4) & 0xffffff;
        ticks += (now - last) & 0xffffff;
        last = now;
        if (ticks >= next) {
            say("pm clock: %u ms", ticks * 1000 / PM_TMR_HZ);
            next += PM_TMR_STEP;
        }
    }
}

static bool streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void run_test_variant(const char *t)
{
    volatile uint64_t *skiff = (volatile uint64_t *)info->skiff_start;
    say("test %s: Skiff is resident at %x-%x", t, info->skiff_start, info->skiff_end - 1);
    attack_run(t);                       /* guest/programs/builtin/attack.c: returns only for other names */
    platfuzz_run(t);                     /* guest/programs/builtin/platfuzz.c: the same */
    if (streq(t, "write_skiff")) {
        *skiff = 0xbad;
    } else if (streq(t, "read_skiff")) {
        say("read %x", *skiff);
    } else if (streq(t, "exec_skiff")) {
        ((void (*)(void))info->skiff_start)();
    } else if (streq(t, "hlt_cli")) {
        __asm__ volatile("cli; hlt");
    } else if (streq(t, "triple_fault")) {
        struct __attribute__((packed)) { uint16_t limit; uint64_t base; } none = { 0, 0 };
        __asm__ volatile("lidt %0; int3" ::"m"(none));
    } else if (streq(t, "loop")) {
        __asm__ volatile("cli; 1: jmp 1b");
    } else if (streq(t, "pm_clock")) {
        pm_clock();
    }
    say("test %s: still running, this should not happen", t);
    guest_exit(3);
}

void guest_main(const struct builtin_info *bi);
void guest_main(const struct builtin_info *bi)
{
    info = bi;
    setup_idt();
    say("hello from Skiff's built-in guest (64-bit mode)");
    if (bi->magic != BUILTIN_INFO_MAGIC) {
        say("bad info block");
        guest_exit(2);
    }
    if (bi->test[0])
        run_test_variant(bi->test);

    test_cpuid();
    test_msr();
    test_vmcall();
    test_cr();
    test_vmx_hidden();
    test_xsetbv();
    test_string_io();
    test_hlt();
    if (info->ncpus > 1)
        test_smp();

    say("done, %u check(s) failed", (uint64_t)failures);

    /* The summary goes out by hypercall, so it adds no I/O exits. */
    char line[200];
    exits.vmcall += 2;                             /* this print and the exit */
    const char *fmt = "guest: exits expected: CPUID=%u VMCALL=%u MSR_READ=%u IO_INSTRUCTION=%u "
                      "HLT=%u CR_ACCESS=%u VMXON=%u XSETBV=%u\n";
    {
        uint64_t args[] = { exits.cpuid, exits.vmcall, exits.msr, exits.io, exits.hlt,
                            exits.cr, exits.vmx, exits.xsetbv };
        char *p = line;
        unsigned ai = 0;
        for (const char *f = fmt; *f; f++) {
            if (f[0] == '%' && f[1] == 'u') {
                p = fmt_dec(p, args[ai++]);
                f++;
            } else {
                *p++ = *f;
            }
        }
        *p = '\0';
    }
    exits.vmcall -= 2;
    uint64_t len = 0;
    while (line[len])
        len++;
    vmcall(HC_PRINT, (uint64_t)line, len);
    guest_exit(failures ? 1 : 0);
}
