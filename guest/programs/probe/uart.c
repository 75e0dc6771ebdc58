/*
 * The console UART's (COM1, 0x3f8) transmit speed as the guest sees it: the
 * probe programs divisor 1 (115200 baud) and then 12 (9600 baud), reads the
 * divisor latch back, and times one line sent at each speed (RDTSC from an
 * empty transmitter to an empty transmitter, polling LSR THRE before each
 * byte).  It prints the divisor read back and how many times longer a byte
 * takes at divisor 12, rounded.  Bochs paces its UART by the divisor, so
 * natively that is about 12; under Skiff the UART keeps Skiff's divisor
 * (README "What a guest sees": console UART speed) and it is about 1.
 * The original divisor is restored at the end.
 */
#include "guest/programs/probe/probe.h"

#define COM1      0x3f8
#define LCR_DLAB  0x80
#define LSR_THRE  0x20
#define LSR_TEMT  0x40

static uint8_t inb(uint16_t p)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p));
    return v;
}
static void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(p)); }

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void wait_lsr(uint8_t bit)
{
    for (uint32_t i = 0; i < 100000000u && !(inb(COM1 + 5) & bit); i++)
        ;
}

static uint16_t divisor_get(void)
{
    uint8_t lcr = inb(COM1 + 3);
    outb(COM1 + 3, lcr | LCR_DLAB);
    uint16_t d = (uint16_t)(inb(COM1) | (inb(COM1 + 1) << 8));
    outb(COM1 + 3, lcr);
    return d;
}

static void divisor_set(uint16_t d)
{
    uint8_t lcr = inb(COM1 + 3);
    wait_lsr(LSR_TEMT);                      /* a byte on the wire keeps its speed */
    outb(COM1 + 3, lcr | LCR_DLAB);
    outb(COM1, (uint8_t)d);
    outb(COM1 + 1, (uint8_t)(d >> 8));
    outb(COM1 + 3, lcr);
}

/* One line at the current speed: the TSC ticks from an empty transmitter to an empty one. */
static uint64_t timed_line(const char *s)
{
    wait_lsr(LSR_TEMT);
    uint64_t t0 = rdtsc();
    for (; *s; s++) {
        wait_lsr(LSR_THRE);
        outb(COM1, (uint8_t)*s);
    }
    wait_lsr(LSR_TEMT);
    return rdtsc() - t0;
}

void probe_uart(void)
{
    uint16_t orig = divisor_get();
    divisor_set(1);
    uint16_t back1 = divisor_get();
    uint64_t t1 = timed_line("probe: uart line sent at divisor 1 (115200 baud)\r\n");
    divisor_set(12);
    uint16_t back12 = divisor_get();
    uint64_t t12 = timed_line("probe: uart line sent at divisor 12 (9600 baud)\r\n");
    divisor_set(orig);
    probe_printf("probe: uart divisor written 0x0001 reads 0x%04x, written 0x000c reads 0x%04x\n", back1, back12);
    /* In 32 bits (no 64-bit division here): both spans stay far below 2^32 ticks. */
    uint32_t a = (uint32_t)t12, b = (uint32_t)t1;
    uint32_t ratio = b ? (a + b / 2) / b : 0;
    probe_printf("probe: uart transmit time at divisor 12 / at divisor 1: %u\n", ratio);
}
