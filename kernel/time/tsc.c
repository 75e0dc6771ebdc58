#include "kernel/time/tsc.h"

#include <stdbool.h>

#include "kernel/acpi/acpi_power.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/lib/format.h"
#include "kernel/time/tsc_calib.h"

uint64_t tsc_hz;

#define MEASURE_MS      10                /* the measurement: 35,795 PM-timer ticks (0.003% each), 11,932 PIT ticks (0.008%); a boot waits 10 ms for it */
#define SPIN_LIMIT      200000000u        /* reads before a timer that does not count is given up */
#define PIT_CH2         0x42
#define PIT_MODE        0x43
#define PIT_GATE_PORT   0x61              /* bit 0: channel 2's gate, bit 1: the speaker, bit 5: OUT2 */

/* Against the ACPI PM timer: wait for a tick edge, then count MEASURE_MS of its ticks. */
static uint64_t measure_pm_timer(uint16_t port, bool ext32)
{
    uint32_t mask = ext32 ? 0xffffffffu : 0x00ffffffu, a = inl(port) & mask, b = a;
    for (unsigned n = 0; b == a && n < SPIN_LIMIT; n++)
        b = inl(port) & mask;
    if (b == a)
        return 0;
    uint32_t want = TSC_PM_TIMER_HZ / 1000 * MEASURE_MS, e = 0;
    uint64_t t0 = rdtsc();
    for (unsigned n = 0; e < want && n < SPIN_LIMIT; n++)
        e = tsc_pm_elapsed(b, inl(port) & mask, ext32);
    uint64_t t1 = rdtsc();
    return e < want ? 0 : tsc_hz_measured(t1 - t0, e, TSC_PM_TIMER_HZ);
}

/* Against the PIT's channel 2 in mode 0 (interrupt on terminal count): OUT2 rises after the count. */
static uint64_t measure_pit(void)
{
    uint8_t gate = inb(PIT_GATE_PORT);
    uint16_t latch = (uint16_t)(TSC_PIT_HZ / 1000 * MEASURE_MS);
    outb(PIT_GATE_PORT, (uint8_t)((gate & ~0x02u) | 0x01u));   /* gate high, speaker off */
    outb(PIT_MODE, 0xb0);                                      /* channel 2, low then high byte, mode 0 */
    outb(PIT_CH2, (uint8_t)latch);
    outb(PIT_CH2, (uint8_t)(latch >> 8));
    uint64_t t0 = rdtsc();
    unsigned n = 0;
    while (!(inb(PIT_GATE_PORT) & 0x20) && ++n < SPIN_LIMIT)
        ;
    uint64_t t1 = rdtsc();
    outb(PIT_GATE_PORT, gate);
    return n >= SPIN_LIMIT ? 0 : tsc_hz_measured(t1 - t0, latch, TSC_PIT_HZ);
}

void tsc_calibrate(bool pm_timer)
{
    struct tsc_cpuid c = { .max_leaf = cpuid(0, 0).eax };
    if (c.max_leaf >= 1)
        c.signature = cpuid(1, 0).eax;
    if (c.max_leaf >= 0x15) {
        struct cpuid_regs r = cpuid(0x15, 0);
        c.l15_eax = r.eax;
        c.l15_ebx = r.ebx;
        c.l15_ecx = r.ecx;
    }
    if (c.max_leaf >= 0x16)
        c.l16_eax = cpuid(0x16, 0).eax;
    struct tsc_cpuid_freq f = tsc_cpuid_decode(&c);

    char timer[64] = "";
    uint64_t measured = 0;
    if (pm_timer && acpi_host_ok && acpi_host.pm_tmr && (measured = measure_pm_timer(acpi_host.pm_tmr, acpi_host.pm_tmr_32)))
        snprintf(timer, sizeof(timer), "the ACPI PM timer (port 0x%x, %u-bit)", acpi_host.pm_tmr,
                 acpi_host.pm_tmr_32 ? 32 : 24);
    else if ((measured = measure_pit()))
        snprintf(timer, sizeof(timer), "the PIT channel 2");

    bool cpuid_used;
    tsc_hz = tsc_choose(f.hz, measured, &cpuid_used);
    char cpuid_text[96];
    if (f.crystal_hz)
        snprintf(cpuid_text, sizeof(cpuid_text), "%s (crystal %u.%u MHz)", tsc_cpuid_basis_name(f.basis),
                 f.crystal_hz / 1000000, f.crystal_hz / 100000 % 10);
    else
        snprintf(cpuid_text, sizeof(cpuid_text), "%s", tsc_cpuid_basis_name(f.basis));
    if (!tsc_hz) {
        tsc_hz = 1000000000ull;
        pr_warn("skiff: tsc: 1000 MHz, calibrated against nothing: assumed (no ACPI PM timer, the PIT did not "
                "count, CPUID does not tell)\n");
    } else if (cpuid_used) {
        pr_info("skiff: tsc: %llu MHz, calibrated against %s%s%s\n", (unsigned long long)(tsc_hz + 500000) / 1000000,
                cpuid_text, measured ? "; agrees with " : "", timer);
    } else if (f.hz) {
        pr_info("skiff: tsc: %llu MHz, calibrated against %s (%s says %llu MHz: the TSC does not run at it)\n",
                (unsigned long long)(tsc_hz + 500000) / 1000000, timer, cpuid_text,
                (unsigned long long)(f.hz + 500000) / 1000000);
    } else {
        pr_info("skiff: tsc: %llu MHz, calibrated against %s\n", (unsigned long long)(tsc_hz + 500000) / 1000000,
                timer);
    }
}

uint64_t tsc_ms(uint64_t ms)
{
    return tsc_ms_ticks(tsc_hz ? tsc_hz : 1000000000ull, ms);
}

void udelay(unsigned us)
{
    if (!tsc_hz) {
        while (us--)
            (void)inb(0x80);
        return;
    }
    uint64_t t0 = rdtsc(), ticks = tsc_ms_ticks(tsc_hz, us) / 1000;
    while (rdtsc() - t0 < ticks)
        cpu_pause();
}
