/* COM1 output for the small 32-bit test guests (guest/programs/mbtest, guest/programs/bench). */
#ifndef SKIFF_GUEST_COMMON_COM1_H
#define SKIFF_GUEST_COMMON_COM1_H

#include <stdint.h>

#define COM1 0x3f8

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void putc(char c)
{
    while (!(inb(COM1 + 5) & 0x20))
        ;
    outb(COM1, (uint8_t)c);
}

static inline void puts(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            putc('\r');
        putc(*s);
    }
}

static inline void putu(uint32_t v)
{
    char b[11];
    int n = 0;
    do
        b[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        putc(b[--n]);
}

/* The end of a native-and-Skiff run: once the UART has sent everything, the string "Shutdown" to
 * Bochs' shutdown port 0x8900 (natively Bochs ends; under Skiff a power-off verdict). */
static inline __attribute__((noreturn)) void com1_drain_and_shutdown(void)
{
    while (!(inb(COM1 + 5) & 0x40))
        ;
    for (const char *s = "Shutdown"; *s; s++)
        outb(0x8900, (uint8_t)*s);
    for (;;)
        __asm__ volatile("cli; hlt");
}

#endif
