/*
 * The platform fuzzer (issue 20): guest_test=platfuzz and platfuzz_end.
 *
 * Every CPU of the guest (CPU 0 and, with cpus= > 1, each AP with a seed of
 * its own, so that changes race) drives the resources Skiff mediates, picked
 * by a seeded PRNG from a table of resources, each access in a random form:
 *
 *   cf8     0xCF8-0xCFF: IN/OUT of width 1, 2, 4 at every offset, aligned and not, INS/OUTS
 *           and REP forms, CONFIG_ADDRESS with the enable bit on and off, in any order
 *   pm      the ACPI PM block (the FADT's PM1a_EVT_BLK: PM1 status/enable/control, PM timer,
 *           GPE) in the same forms, and in platfuzz_end its PCI base register moved
 *   reset   0xCF9, 0x92, 0x60/0x64 and accesses that start below them
 *   uart    the console UART 0x3F8-0x3FF: DLAB and loopback toggles, FIFO, IER, scratch
 *   ecam    the MCFG's ECAM page of bus 0 (when the ACPI tables name one)
 *   hpet    the HPET's page from the ACPI HPET table: config, counter, comparators, FSB routes
 *   apic    the xAPIC ICR by MMIO: fixed, NMI (and in platfuzz_end INIT, SIPI, SMI, ExtINT)
 *   x2apic  IA32_APIC_BASE into x2APIC mode (and in platfuzz_end off), RDMSR/WRMSR of the
 *           x2APIC registers and the ICR (0x830) in either mode
 *   msr     RDMSR/WRMSR of one index per row of Skiff's MSR policy (and beside them),
 *           written with bit flips and restored
 *
 * platfuzz leaves out exactly the writes that end a run (a reset, sleep or power-off value
 * at a port of Skiff's power policy, the debug-exit ports, INIT to itself, an HPET route
 * Skiff refuses, a PCI write Skiff judges fatal): such a write becomes a read of the same
 * port in the same form, and is counted.  So the run reaches its own end, and the test
 * asserts it does, with every tripwire intact.  platfuzz_end leaves nothing out (it withholds
 * 7 in 8 of the run-ending port writes and HPET routes, so that a run goes on a while first):
 * the run ends with a named Skiff verdict or its own end.  Output goes by HC_PRINT only (one exit
 * per line, so the CPUs' lines never mix); the first line is the replay line.
 */
#include <stdbool.h>
#include <stdint.h>

#include "guest/programs/builtin/guest.h"
#include "vmx/core/hypercall.h"

#define COM1 0x3f8
#define LAPIC_BASE 0xfee00000ull
#define PF_CPUS 2                        /* CPU 0 and one AP fuzz; further APs only wait */

enum pf_res { PF_CF8, PF_PM, PF_RESET, PF_UART, PF_ECAM, PF_HPET, PF_APIC, PF_X2APIC, PF_MSR, PF_RES };

struct pf_resource {
    const char *name;
    unsigned weight;
    void (*run)(unsigned cpu);
};

struct pf_cpu {
    uint64_t rng;
    uint64_t ops[PF_RES];
    uint64_t faults, withheld;           /* accesses that faulted; run-ending writes turned into reads */
    bool kbc_d1;                         /* this CPU's last 8042 command was 0xd1 (write output port) */
    enum { APIC_X, APIC_X2, APIC_OFF } apic;   /* this CPU's APIC mode now */
};

static struct pf_cpu pf[PF_CPUS];
static bool pf_end;                      /* platfuzz_end: the run-ending writes too */
static uint16_t pm_base, pm_base0;       /* the PM block (FADT PM1a_EVT_BLK), its first base */
static unsigned pm_dev = 32, pm_fn;      /* the PCI function whose 0x40 holds the PM base */
static uint64_t hpet_base, ecam_base;    /* 0 = none in the ACPI tables */
static uint32_t present[32];             /* bus 0: bit f of present[d] = function d.f answers */
static uint32_t apic_ids[PF_CPUS];
static volatile uint32_t fault_lock, nmis, ap_done, ap_go;

/* ---- the PRNG and output ---- */

static uint64_t rnd(unsigned cpu)
{
    uint64_t *s = &pf[cpu].rng;
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static uint64_t pick(unsigned cpu, uint64_t n) { return rnd(cpu) % n; }

/* A line by HC_PRINT: one exit, so lines of two CPUs never interleave. */
static void line(const char *fmt, ...)
{
    char out[240];
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    unsigned n = guest_vformat(out, sizeof(out) - 1, fmt, ap);
    __builtin_va_end(ap);
    out[n++] = '\n';
    vmcall(HC_PRINT, (uint64_t)out, n);
}

/* ---- faulting instructions: the trap handler's fixup is one for all CPUs, so one at a time ---- */

static void fault_enter(void)
{
    while (__atomic_exchange_n(&fault_lock, 1, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
}

static void fault_leave(unsigned cpu)
{
    if (last_vector >= 0)
        pf[cpu].faults++;
    __atomic_store_n(&fault_lock, 0, __ATOMIC_RELEASE);
}

static int rdmsr_f(unsigned cpu, uint32_t msr, uint64_t *val)
{
    fault_enter();
    int v = try_rdmsr(msr, val);
    fault_leave(cpu);
    return v;
}

static int wrmsr_f(unsigned cpu, uint32_t msr, uint64_t val)
{
    fault_enter();
    int v = GUEST_FAULT("wrmsr", "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
    fault_leave(cpu);
    return v;
}

/* ---- port I/O in every form ---- */

/* INS/OUTS of n elements (REP when rep), backwards when down (DF=1). */
static void string_n(uint16_t port, unsigned w, bool in, void *buf, uint64_t n, bool rep, bool down)
{
    uint8_t *p = buf;
    if (down)
        p += (n - 1) * w;
    uint64_t c = rep ? n : 1;
    if (down)
        __asm__ volatile("std" ::: "cc");
#define PF_STR(insn)                                                                              \
    do {                                                                                          \
        if (in)                                                                                   \
            __asm__ volatile("rep ins" insn : "+D"(p), "+c"(c) : "d"(port) : "memory");          \
        else                                                                                      \
            __asm__ volatile("rep outs" insn : "+S"(p), "+c"(c) : "d"(port) : "memory");         \
    } while (0)
    if (w == 1)
        PF_STR("b");
    else if (w == 2)
        PF_STR("w");
    else
        PF_STR("l");
#undef PF_STR
    __asm__ volatile("cld" ::: "cc");
}

/* bus 0 d.f answers */
static bool fn_present(unsigned d, unsigned f) { return present[d & 31] >> (f & 7) & 1; }

/* A configuration register whose write harms nothing: an absent function's, or the read-only
 * IDs and class, or the interrupt line (a note for software). */
static bool cfg_harmless(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    if (bus != 0 || !fn_present(dev, fn))
        return bus != 0 ? bus >= 0x80 : true;
    reg &= ~3u;
    return reg == 0x00 || reg == 0x08 || reg == 0x3c;
}

/* Does an OUT of v, w bytes at port, end the run under Skiff's power policy (vmx/policy/io_policy.c)? */
static bool out_ends_run(uint16_t port, unsigned w, uint32_t v)
{
    if (port == 0xcf8 && w == 4) {
        /* CONFIG_ADDRESS: the data writes that may follow must be harmless. */
        return (v >> 31) && !cfg_harmless(v >> 16 & 0xff, v >> 11 & 31, v >> 8 & 7, v & 0xfc);
    }
    for (unsigned i = 0; i < w; i++) {
        uint32_t p = (uint32_t)port + i;
        uint8_t b = (uint8_t)(v >> (8 * i));
        if ((p == 0xcf9 && (b & 4)) || (p == 0x92 && (b & 1)) || p == 0x64 || p == 0xf4 || p == 0x8900)
            return true;
        /* SLP_EN (bit 13: the high byte's bit 5) of PM1a_CNT, where it is now and where it was. */
        if ((p == pm_base + 5u || p == pm_base0 + 5u || p == 0xb005 || p == 0x605) && (b & 0x20))
            return true;
        /* CONFIG_DATA while CONFIG_ADDRESS names a register that is not harmless: it never does
         * in platfuzz (every CONFIG_ADDRESS written passes the test above). */
    }
    return false;
}

/* The console UART's data register gets printable bytes only: the log stays text.  The 8042's
 * data port never gets 0xfe: as a keyboard command (no 0xd1 before it) it stops Bochs. */
static uint32_t out_value(uint16_t port, unsigned w, uint32_t v)
{
    for (unsigned i = 0; i < w; i++) {
        uint32_t b = v >> (8 * i) & 0xff;
        if (port + i == COM1)
            b = '.';
        else if (port + i == 0x60 && b == 0xfe)
            b = 0xfc;                              /* as an output port: the same reset line low */
        v = (v & ~(0xffu << (8 * i))) | b << (8 * i);
    }
    return v;
}

/* One access to port in a random form: IN, OUT, INS, OUTS, REP INS/OUTS (forward or back),
 * of width w.  gen makes each value written. */
static void port_access(unsigned cpu, uint16_t port, unsigned w, uint32_t (*gen)(unsigned cpu, uint16_t port, unsigned w))
{
    static uint32_t bufs[PF_CPUS][8];
    uint32_t *buf = bufs[cpu];
    unsigned form = (unsigned)pick(cpu, 8);
    bool out = pick(cpu, 2);
    uint64_t n = form < 4 ? 1 : 1 + pick(cpu, 8);
    bool ok = true;
    /* The 8042's data port takes a write only as the output port after command 0xd1: a stream of
     * keyboard commands fills Bochs' keyboard buffer, which stops Bochs. */
    if (out && port <= 0x60 && port + w > 0x60 && !pf[cpu].kbc_d1)
        ok = false;
    if (out) {
        for (uint64_t i = 0; i < n; i++) {
            uint32_t v = out_value(port, w, gen(cpu, port, w));
            /* platfuzz_end lets one in 8 through, so that a run goes on a while before its verdict,
             * and every CONFIG_ADDRESS */
            if (out_ends_run(port, w, v) && (!pf_end || (!(port == 0xcf8 && w == 4) && pick(cpu, 8))))
                ok = false;
            if (port <= 0x64 && port + w > 0x64)
                pf[cpu].kbc_d1 = (v >> (8 * (0x64 - port)) & 0xff) == 0xd1;
            if (w == 1)
                ((uint8_t *)buf)[i] = (uint8_t)v;
            else if (w == 2)
                ((uint16_t *)buf)[i] = (uint16_t)v;
            else
                buf[i] = v;
        }
        if (!ok) {
            pf[cpu].withheld++;
            out = false;                 /* the same port in the same form, read */
        }
    }
    if (form < 4) {
        if (out)
            out_w(port, w, w == 1 ? ((uint8_t *)buf)[0] : w == 2 ? ((uint16_t *)buf)[0] : buf[0]);
        else
            (void)in_w(port, w);
    } else {
        string_n(port, w, !out, buf, n, form >= 5, form == 7);
    }
}

static unsigned width(unsigned cpu) { return 1u << pick(cpu, 3); }

/* ---- cf8: PCI configuration mechanism #1 ---- */

static uint32_t cfg_addr_gen(unsigned cpu)
{
    uint32_t en = pick(cpu, 4) ? 0x80000000u : 0;
    unsigned dev, fn, bus = 0, reg = (unsigned)pick(cpu, 256) & 0xfc;
    switch (pick(cpu, 4)) {
    case 0: dev = pm_dev < 32 ? pm_dev : 1, fn = pm_fn; break;     /* the PM function */
    case 1: dev = (unsigned)pick(cpu, 32), fn = (unsigned)pick(cpu, 8); break;
    case 2: dev = 31, fn = 7; break;                                /* nobody in Bochs */
    default: return (uint32_t)rnd(cpu);                            /* reserved bits too */
    }
    if (pick(cpu, 3) == 0)
        reg = pick(cpu, 2) ? 0x3c : 0x40;
    uint32_t a = en | bus << 16 | dev << 11 | fn << 8 | reg;
    if (!pf_end && out_ends_run(0xcf8, 4, a))
        a = pick(cpu, 2) ? a & ~0x80000000u : (a & ~0xfcu) | 0x3c;
    return a;
}

static uint32_t cf8_gen(unsigned cpu, uint16_t port, unsigned w)
{
    if (port == 0xcf8 && w == 4)
        return cfg_addr_gen(cpu);
    return (uint32_t)rnd(cpu);
}

static void run_cf8(unsigned cpu)
{
    if (pick(cpu, 3) == 0) {                        /* an address, then data: the ordinary order */
        out_w(0xcf8, 4, cfg_addr_gen(cpu));
        uint16_t p = (uint16_t)(0xcfc + pick(cpu, 4));
        port_access(cpu, p, width(cpu), cf8_gen);
        return;
    }
    port_access(cpu, (uint16_t)(0xcf8 + pick(cpu, 8)), width(cpu), cf8_gen);
}

/* ---- pm: the ACPI PM block, and its base register (platfuzz_end) ---- */

static uint32_t pm_gen(unsigned cpu, uint16_t port, unsigned w)
{
    (void)port, (void)w;
    uint32_t v = (uint32_t)rnd(cpu);
    if (pf_end && pick(cpu, 16) == 0)
        v = ((uint32_t)pick(cpu, 8) << 10 | 1u << 13) * 0x10001u;   /* SLP_TYP n with SLP_EN */
    return v;
}

static uint32_t pci_cfg_read(unsigned dev, unsigned fn, unsigned reg)
{
    out_w(0xcf8, 4, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xfc));
    return in_w(0xcfc, 4);
}

static void run_pm(unsigned cpu)
{
    if (pf_end && cpu == 0 && pm_dev < 32 && pick(cpu, 16) == 0) {
        static const uint16_t bases[] = { 0xb000, 0xc000, 0xe000, 0x0000 };
        uint16_t b = bases[pick(cpu, 4)];
        out_w(0xcf8, 4, 0x80000000u | pm_dev << 11 | pm_fn << 8 | 0x40);
        out_w(0xcfc, 4, b | 1u);                   /* PMBA (PIIX4) / PMBASE (ICH9) */
        pm_base = (uint16_t)(pci_cfg_read(pm_dev, pm_fn, 0x40) & 0xffc0);
        return;
    }
    uint16_t base = pm_base ? pm_base : 0xb000;
    port_access(cpu, (uint16_t)(base + pick(cpu, 0x40)), width(cpu), pm_gen);
}

/* ---- reset: the reset control register, port 0x92, the 8042 ---- */

static uint32_t reset_gen(unsigned cpu, uint16_t port, unsigned w)
{
    (void)port, (void)w;
    static const uint8_t kbc[] = { 0x20, 0xaa, 0xad, 0xae, 0xd1, 0xfe, 0xf0, 0x60 };
    uint32_t v = (uint32_t)rnd(cpu);
    if (pick(cpu, 2))
        v = (v & ~0xffu) | kbc[pick(cpu, sizeof(kbc))];
    return v;
}

static void run_reset(unsigned cpu)
{
    static const uint16_t ports[] = { 0xcf9, 0x92, 0x64, 0x60 };
    uint16_t p = ports[pick(cpu, 4)];
    unsigned w = width(cpu);
    port_access(cpu, (uint16_t)(p - pick(cpu, w)), w, reset_gen);
}

/* ---- uart: the console UART ---- */

static uint32_t uart_gen(unsigned cpu, uint16_t port, unsigned w)
{
    (void)port, (void)w;
    static const uint8_t lcr_mcr[] = { 0x03, 0x83, 0x13, 0x1b, 0x0b, 0x43, 0x80, 0x00 };
    uint32_t v = (uint32_t)rnd(cpu);
    if (pick(cpu, 2))
        v = lcr_mcr[pick(cpu, sizeof(lcr_mcr))] * 0x01010101u;   /* DLAB, loopback, break toggles */
    return v;
}

static void run_uart(unsigned cpu)
{
    unsigned w = width(cpu);
    uint16_t p = (uint16_t)(COM1 + pick(cpu, 8));
    if (p + w > COM1 + 8u)
        p = (uint16_t)(COM1 + 8 - w);              /* aligned or not, but only the UART's ports: the
                                                    * floppy controller below and Bochs' BIOS panic
                                                    * ports above stop Bochs on a bad access */
    port_access(cpu, p, w, uart_gen);
}

static void uart_restore(void)
{
    out_w(COM1 + 3, 1, 0x03);                      /* 8N1, DLAB clear */
    out_w(COM1 + 4, 1, 0x0b);                      /* DTR, RTS, OUT2; no loopback */
    out_w(COM1 + 1, 1, 0x00);
    out_w(COM1 + 2, 1, 0x07);
}

/* ---- MMIO stores and loads of width 1, 2, 4, 8 ---- */

static uint64_t mmio_rd(uint64_t a, unsigned w)
{
    if (w == 1)
        return *(volatile uint8_t *)a;
    if (w == 2)
        return *(volatile uint16_t *)a;
    if (w == 4)
        return *(volatile uint32_t *)a;
    return *(volatile uint64_t *)a;
}

/* A plain MOV to (reg): the store form every decoder takes. */
static void mmio_wr(uint64_t a, unsigned w, uint64_t v)
{
    if (w == 1)
        __asm__ volatile("movb %b0, (%1)" ::"r"(v), "r"(a) : "memory");
    else if (w == 2)
        __asm__ volatile("movw %w0, (%1)" ::"r"(v), "r"(a) : "memory");
    else if (w == 4)
        __asm__ volatile("movl %k0, (%1)" ::"r"(v), "r"(a) : "memory");
    else
        __asm__ volatile("movq %0, (%1)" ::"r"(v), "r"(a) : "memory");
}

static unsigned mmio_width(unsigned cpu, unsigned off)
{
    unsigned w = 1u << pick(cpu, 4);
    while (off & (w - 1))                          /* natural alignment, as devices want it */
        w >>= 1;
    return w;
}

/* ---- ecam: bus 0's configuration pages ---- */

static void run_ecam(unsigned cpu)
{
    if (!ecam_base)
        return;
    unsigned dev = (unsigned)pick(cpu, 32), fn = (unsigned)pick(cpu, 8), reg = (unsigned)pick(cpu, 0x1000);
    if (pick(cpu, 2)) {
        dev = pm_dev < 32 ? pm_dev : dev, fn = pm_dev < 32 ? pm_fn : fn;
    }
    if (pick(cpu, 3) == 0)
        reg = 0x3c + (unsigned)pick(cpu, 4);
    unsigned w = mmio_width(cpu, reg);
    uint64_t a = ecam_base + ((uint64_t)dev << 15 | fn << 12 | reg);
    if (pick(cpu, 2) || (!pf_end && !cfg_harmless(0, dev, fn, reg)))
        (void)mmio_rd(a, w);
    else
        mmio_wr(a, w, rnd(cpu));
}

/* ---- hpet: the HPET's register page ---- */

static bool hpet_route_ok(uint64_t v) { return (v >> 52 & 0xfff) == 0xfee; }

static void run_hpet(unsigned cpu)
{
    if (!hpet_base)
        return;
    unsigned ntimers = (unsigned)(mmio_rd(hpet_base, 4) >> 8 & 31) + 1;
    unsigned t = (unsigned)pick(cpu, ntimers);
    static const unsigned regs[] = { 0x000, 0x010, 0x020, 0x0f0, 0x100, 0x108, 0x110 };
    unsigned r = regs[pick(cpu, sizeof(regs) / sizeof(regs[0]))];
    /* 32- and 64-bit accesses only (IA-PC HPET 1.0a, 2.3.1; Bochs stops on any other). */
    unsigned off = (r >= 0x100 ? r + 0x20 * t : r) + (unsigned)pick(cpu, 2) * 4;
    unsigned w = (off & 4) || pick(cpu, 2) ? 4 : 8;
    uint64_t a = hpet_base + off;
    if (pick(cpu, 2)) {
        (void)mmio_rd(a, w);
        return;
    }
    uint64_t v = rnd(cpu);
    unsigned lo = r >= 0x100 ? off - (r + 0x20 * t) : 0;   /* the byte of the register written first */
    if (r == 0x010)
        v &= 3;                                    /* ENABLE_CNF, LEG_RT_CNF */
    if (r == 0x0f0 || r == 0x108)
        v &= 0xffff;                               /* near: the timers fire during the run */
    if (r == 0x110 && (!pf_end || pick(cpu, 8))) {
        /* A route: data (fixed delivery, a vector >= 0x20) and an interrupt address. */
        uint64_t route = (uint64_t)(0xfee00000u | (uint32_t)(apic_ids[pick(cpu, PF_CPUS)] << 12)) << 32 |
                         (0x20 + pick(cpu, 0xe0));
        v = route >> (8 * lo);                     /* the bytes at off and after */
    }
    if (!pf_end && r == 0x110) {
        /* The route's address dword keeps 0xFEE in bits 31:20 whatever bytes are written. */
        uint64_t now = mmio_rd(hpet_base + 0x110 + 0x20 * t, 8);
        uint64_t mask = (w == 8 ? ~0ull : ((1ull << (8 * w)) - 1)) << (8 * lo);
        uint64_t merged = (now & ~mask) | ((v << (8 * lo)) & mask);
        if (!hpet_route_ok(merged)) {
            pf[cpu].withheld++;
            (void)mmio_rd(a, w);
            return;
        }
    }
    mmio_wr(a, w, v);
}

/* Every timer's route at an interrupt address, before FSB delivery is ever enabled (platfuzz). */
static void hpet_prepare(void)
{
    if (!hpet_base)
        return;
    unsigned ntimers = (unsigned)(mmio_rd(hpet_base, 4) >> 8 & 31) + 1;
    for (unsigned t = 0; t < ntimers; t++)
        mmio_wr(hpet_base + 0x110 + 0x20 * t, 8, 0xfee00000ull << 32 | 0x30);
}

static void run_x2apic(unsigned cpu);

/* ---- apic: the xAPIC ICR ---- */

static uint32_t icr_gen(unsigned cpu, uint32_t *dest)
{
    static const uint32_t modes_safe[] = { 0x000, 0x100, 0x400 };        /* fixed, lowest priority, NMI */
    static const uint32_t modes_end[] = { 0x000, 0x100, 0x200, 0x400, 0x500, 0x600, 0x700 };
    uint32_t mode = pf_end ? modes_end[pick(cpu, 7)] : modes_safe[pick(cpu, 3)];
    uint32_t sh = (uint32_t)pick(cpu, 4) << 18;    /* none, self, all, all but self */
    uint32_t vec = 0x20 + (uint32_t)pick(cpu, 0xe0);
    if (mode == 0x600)
        vec = (uint32_t)pick(cpu, 0x100);            /* a SIPI page */
    uint32_t icr = mode | vec | sh | (uint32_t)pick(cpu, 2) << 14 | (uint32_t)pick(cpu, 2) << 15 |
                   (uint32_t)pick(cpu, 2) << 11;
    if (mode == 0x500 && !(icr & (1u << 14)))
        icr |= 1u << 15;                              /* INIT de-assert is level-triggered */
    *dest = pick(cpu, 4) ? apic_ids[pick(cpu, PF_CPUS)] : (uint32_t)pick(cpu, 256);
    if (pf_end && pick(cpu, 8) == 0)
        icr = (uint32_t)rnd(cpu);
    return icr;
}

static void run_apic(unsigned cpu)
{
    if (pf[cpu].apic != APIC_X) {
        run_x2apic(cpu);                           /* its ICR is an MSR now */
        return;
    }
    volatile uint32_t *apic = (volatile uint32_t *)LAPIC_BASE;
    if (pick(cpu, 3) == 0) {
        (void)apic[(pick(cpu, 0x40) << 4) / 4];      /* any register */
        return;
    }
    uint32_t dest, icr = icr_gen(cpu, &dest);
    mmio_wr(LAPIC_BASE + 0x310, 4, (uint64_t)dest << 24);
    mmio_wr(LAPIC_BASE + 0x300, 4, icr);
}

/* ---- x2apic: the mode switch and the x2APIC ICR ---- */

static void run_x2apic(unsigned cpu)
{
    uint64_t base;
    if (pf[cpu].apic == APIC_OFF || rdmsr_f(cpu, 0x1b, &base) >= 0)
        return;
    switch (pick(cpu, 64)) {
    case 0:
        /* xAPIC -> x2APIC, for good: the way back disables the APIC, and Bochs does not enable
         * an APIC again once it was disabled (SDM Vol. 3A 11.4.3 allows it that on P6-family CPUs). */
        if (pf[cpu].apic == APIC_X && wrmsr_f(cpu, 0x1b, base | 0xc00) < 0)
            pf[cpu].apic = APIC_X2;
        return;
    case 1:                                            /* platfuzz_end: off for good */
        if (pf_end && wrmsr_f(cpu, 0x1b, base & ~0xc00ull) < 0)
            pf[cpu].apic = APIC_OFF;
        return;
    default:
        break;
    }
    if (pick(cpu, 3) == 0) {                           /* a read of an x2APIC register */
        uint64_t v;
        rdmsr_f(cpu, 0x800 + (uint32_t)pick(cpu, 0x40), &v);
        return;
    }
    uint32_t dest, icr = icr_gen(cpu, &dest);           /* the x2APIC ICR, in either mode */
    wrmsr_f(cpu, 0x830, (uint64_t)dest << 32 | icr);
}

/* ---- msr: the rows of Skiff's MSR policy (vmx/policy/msr_policy.c), one index each and beside ---- */

static const uint32_t pf_msrs[] = {
    0x0, 0x6, 0x10, 0x17, 0x1b, 0x2a, 0x33, 0x34, 0x3a, 0x3b, 0x48, 0x49, 0x4e, 0x79, 0x8b, 0x9b, 0x9e,
    0xc1, 0xce, 0xe1, 0xe7, 0xfe, 0x10a, 0x10b, 0x122, 0x140, 0x150, 0x174, 0x176, 0x179, 0x17a, 0x186,
    0x198, 0x199, 0x1a0, 0x1a2, 0x1a4, 0x1a6, 0x1aa, 0x1ad, 0x1b0, 0x1c8, 0x1d9, 0x1db, 0x1e0, 0x1f2,
    0x1fc, 0x200, 0x201, 0x21f, 0x250, 0x258, 0x268, 0x277, 0x280, 0x2ff, 0x309, 0x345, 0x38d, 0x38e,
    0x38f, 0x390, 0x392, 0x3f1, 0x3f8, 0x400, 0x47f, 0x480, 0x493, 0x4c1, 0x4d0, 0x560, 0x570, 0x580,
    0x600, 0x606, 0x680, 0x6a0, 0x6c0, 0x6e0, 0x6e1, 0x770, 0x800, 0x830, 0x831, 0x981, 0x982, 0xc80,
    0xc8d, 0xd90, 0xd93, 0xda0, 0x1200, 0x14ce, 0x1500, 0x1fff, 0x2000, 0xc0000080, 0xc0000081,
    0xc0000084, 0xc0000100, 0xc0000102, 0xc0000103, 0xc0001fff, 0xc0010000, 0x40000000, 0x4b564d00,
};

static void run_msr(unsigned cpu)
{
    uint32_t msr = pf_msrs[pick(cpu, sizeof(pf_msrs) / sizeof(pf_msrs[0]))];
    if (pick(cpu, 4) == 0)
        msr += (uint32_t)pick(cpu, 3) - 1;             /* beside a row's edge */
    if (msr == 0x1b || (msr >= 0x800 && msr <= 0x8ff)) {
        run_x2apic(cpu);                               /* the APIC's MSRs have their own resource */
        return;
    }
    uint64_t v;
    int r = rdmsr_f(cpu, msr, &v);
    if (pick(cpu, 2))
        return;
    if (r >= 0) {                                      /* not readable: a write of a random value */
        wrmsr_f(cpu, msr, pick(cpu, 2) ? rnd(cpu) : 0);
        return;
    }
    /* A bit flip, then the value back (the guest keeps running on what it had). */
    unsigned bit = (unsigned)(pick(cpu, 2) ? pick(cpu, 16) : pick(cpu, 64));
    if (msr == 0x10 && bit > 20)
        bit = 20;                                     /* the TSC: a step, not a leap */
    if (wrmsr_f(cpu, msr, v ^ (1ull << bit)) < 0)
        wrmsr_f(cpu, msr, v);
}

/* ---- the table and the loop ---- */

static const struct pf_resource resources[PF_RES] = {
    [PF_CF8] = { "cf8", 6, run_cf8 },       [PF_PM] = { "pm", 4, run_pm },
    [PF_RESET] = { "reset", 2, run_reset }, [PF_UART] = { "uart", 3, run_uart },
    [PF_ECAM] = { "ecam", 2, run_ecam },    [PF_HPET] = { "hpet", 3, run_hpet },
    [PF_APIC] = { "apic", 2, run_apic },    [PF_X2APIC] = { "x2apic", 2, run_x2apic },
    [PF_MSR] = { "msr", 4, run_msr },
};

static void fuzz_loop(unsigned cpu, uint64_t count)
{
    unsigned wsum = 0;
    for (unsigned k = 0; k < PF_RES; k++)
        wsum += resources[k].weight;
    for (uint64_t i = 0; i < count; i++) {
        unsigned w = (unsigned)pick(cpu, wsum), k = 0;
        while (w >= resources[k].weight)
            w -= resources[k++].weight;
        pf[cpu].ops[k]++;
        resources[k].run(cpu);
        if ((i + 1) % 1000 == 0)
            line("\nguest: platfuzz: cpu %u: %u operations", (uint64_t)cpu, i + 1);
    }
}

static void report(unsigned cpu)
{
    const struct pf_cpu *c = &pf[cpu];
    line("guest: platfuzz: cpu %u: cf8=%u pm=%u reset=%u uart=%u ecam=%u hpet=%u apic=%u x2apic=%u msr=%u "
         "faulted=%u withheld=%u", (uint64_t)cpu, c->ops[PF_CF8], c->ops[PF_PM], c->ops[PF_RESET],
         c->ops[PF_UART], c->ops[PF_ECAM], c->ops[PF_HPET], c->ops[PF_APIC], c->ops[PF_X2APIC],
         c->ops[PF_MSR], c->faults, c->withheld);
}

static uint64_t seed_of(unsigned cpu)
{
    uint64_t s = (info->seed + cpu * 0x1000193ull) * 0x9e3779b97f4a7c15ull + 0x6a09e667f3bcc909ull;
    return s ? s : 1;
}

static void nmi_seen(void) { __atomic_fetch_add(&nmis, 1, __ATOMIC_SEQ_CST); }

static void ap_fuzz(uint64_t n)
{
    if (n >= PF_CPUS)
        return;                                        /* only one AP fuzzes */
    unsigned cpu = (unsigned)n;
    apic_ids[cpu] = *(volatile uint32_t *)(LAPIC_BASE + 0x20) >> 24;
    __atomic_store_n(&ap_go, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&ap_go, __ATOMIC_SEQ_CST) != 2)
        __asm__ volatile("pause");
    fuzz_loop(cpu, info->count ? info->count : 2000);
    __atomic_store_n(&ap_done, 1, __ATOMIC_SEQ_CST);     /* CPU 0 reports for it */
}

/* ---- the platform as the ACPI tables and bus 0 describe it ---- */

static bool same(const void *a, const char *b, unsigned n)
{
    const char *p = a;
    for (unsigned i = 0; i < n; i++)
        if (p[i] != b[i])
            return false;
    return true;
}

static bool streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static const uint8_t *find_table(const char sig[4])
{
    const uint8_t *rsdp = 0;
    for (uint64_t a = 0xe0000; a < 0x100000 && !rsdp; a += 16)
        if (same((const void *)a, "RSD PTR ", 8))
            rsdp = (const uint8_t *)a;
    if (!rsdp)
        return 0;
    bool x = rsdp[15] >= 2 && *(const uint64_t *)(rsdp + 24);
    const uint8_t *sdt = x ? (const uint8_t *)*(const uint64_t *)(rsdp + 24)
                           : (const uint8_t *)(uint64_t)*(const uint32_t *)(rsdp + 16);
    uint32_t len = *(const uint32_t *)(sdt + 4), esz = x ? 8 : 4;
    for (uint32_t o = 36; o + esz <= len; o += esz) {
        uint64_t t = x ? *(const uint64_t *)(sdt + o) : *(const uint32_t *)(sdt + o);
        if (t && t < (1ull << 32) && same((const void *)t, sig, 4))
            return (const uint8_t *)t;
    }
    return 0;
}

static void discover(void)
{
    const uint8_t *fadt = find_table("FACP"), *hpet = find_table("HPET"), *mcfg = find_table("MCFG");
    pm_base = fadt ? (uint16_t)*(const uint32_t *)(fadt + 56) : 0;        /* PM1a_EVT_BLK */
    pm_base0 = pm_base;
    hpet_base = hpet ? *(const uint64_t *)(hpet + 44) : 0;
    ecam_base = mcfg && *(const uint32_t *)(mcfg + 4) >= 60 ? *(const uint64_t *)(mcfg + 44) : 0;
    if (hpet_base >= (1ull << 32))
        hpet_base = 0;
    if (ecam_base >= (1ull << 32))
        ecam_base = 0;
    for (unsigned d = 0; d < 32; d++)
        for (unsigned f = 0; f < 8; f++) {
            uint32_t id = pci_cfg_read(d, f, 0);
            if ((id & 0xffff) == 0xffff)
                continue;
            present[d] |= 1u << f;
            if (id == 0x71138086u || id == 0x29188086u)              /* PIIX4 PM, ICH9 LPC */
                pm_dev = d, pm_fn = f;
        }
    out_w(0xcf8, 4, 0x80000000u | 31u << 11 | 7u << 8);             /* a harmless CONFIG_ADDRESS */
}

void platfuzz_run(const char *t)
{
    bool end = streq(t, "platfuzz_end");
    if (!end && !streq(t, "platfuzz"))
        return;
    pf_end = end;
    uint64_t count = info->count ? info->count : 2000;
    unsigned cpus = info->ncpus > 1 ? PF_CPUS : 1;
    line("guest: platfuzz: seed=%u count=%u mode=%s cpus=%u (replay: guest_test=%s guest_seed=%u guest_count=%u)",
         info->seed, count, end ? "end" : "safe", (uint64_t)cpus, t, info->seed, count);
    for (unsigned c = 0; c < PF_CPUS; c++)
        pf[c].rng = seed_of(c);
    discover();
    apic_ids[0] = *(volatile uint32_t *)(LAPIC_BASE + 0x20) >> 24;
    apic_ids[1] = apic_ids[0];
    line("guest: platfuzz: PM block at %x (PCI 00:%u.%u), HPET at %x, ECAM at %x", (uint64_t)pm_base,
         (uint64_t)pm_dev, (uint64_t)pm_fn, hpet_base, ecam_base);
    hpet_prepare();
    guest_nmi_hook = nmi_seen;
    /* PIC: everything masked; the guest runs with interrupts off throughout. */
    out_w(0x21, 1, 0xff);
    out_w(0xa1, 1, 0xff);
    if (cpus > 1) {
        guest_ap_hook = ap_fuzz;
        guest_start_aps();
        for (unsigned i = 0; i < 100000000u && !__atomic_load_n(&ap_go, __ATOMIC_SEQ_CST); i++)
            __asm__ volatile("pause");
        __atomic_store_n(&ap_go, 2, __ATOMIC_SEQ_CST);
    }
    fuzz_loop(0, count);
    if (cpus > 1)
        for (unsigned i = 0; i < 400000000u && !__atomic_load_n(&ap_done, __ATOMIC_SEQ_CST); i++)
            __asm__ volatile("pause");
    /* Every CPU has stopped writing the UART's data register (its '.' bytes): the reports
     * start on a line of their own. */
    uart_restore();
    say_raw("\n");
    report(0);
    if (cpus > 1) {
        if (ap_done)
            report(1);
        else
            line("guest: platfuzz: cpu 1 did not finish (an INIT sent it back to wait for a SIPI?)");
    }
    line("guest: platfuzz: done: seed=%u mode=%s cpus=%u, %u NMI(s) taken", info->seed, end ? "end" : "safe",
         (uint64_t)cpus, (uint64_t)nmis);
    guest_exit(0);
}
