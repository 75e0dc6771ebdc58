/* What guest/programs/builtin/main.c shares with the attack, fuzz and soak variants (attack.c). */
#ifndef SKIFF_GUEST_BUILTIN_GUEST_H
#define SKIFF_GUEST_BUILTIN_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/loader/builtin_abi.h"

extern const struct builtin_info *info;
extern volatile uint64_t fixup_rip;      /* the trap handler resumes here (once) when set */
extern volatile int last_vector;         /* the vector it saw */
extern volatile uint64_t last_error, last_rip, last_cr2;   /* its error code, RIP and CR2 then */

void say(const char *fmt, ...);          /* "guest: ..." line on COM1: %s, %x, %u (uint64_t) */
/* say()'s formatting into out (at most cap - 1 characters and a NUL): the length. */
unsigned guest_vformat(char *out, unsigned cap, const char *fmt, __builtin_va_list ap);
/* The bytes as they are, to COM1: no "guest: " in front. */
void say_raw(const char *s);
void check(bool ok, const char *what);   /* "guest: ok: ..." / "guest: FAILED: ..." */
uint64_t vmcall(uint64_t nr, uint64_t a, uint64_t b);
__attribute__((noreturn)) void guest_exit(uint64_t status);

/* NMI handler of a test (vector 2), and an AP's part of a test (after it reported in). */
extern void (*volatile guest_nmi_hook)(void);
extern void (*volatile guest_ap_hook)(uint64_t n);
/* Start every AP as test_smp does (INIT-SIPI-SIPI); the number of APs up. */
uint64_t guest_start_aps(void);

/* Run guest_test=NAME when it is one of attack.c's; returns only for other names. */
void attack_run(const char *name);
/* guest_test=platfuzz / platfuzz_end (platfuzz.c); returns only for other names. */
void platfuzz_run(const char *name);

/* Port I/O of width w (1, 2, 4). */
static inline void out_w(uint16_t port, unsigned w, uint32_t v)
{
    if (w == 1)
        __asm__ volatile("outb %0, %1" ::"a"((uint8_t)v), "Nd"(port));
    else if (w == 2)
        __asm__ volatile("outw %0, %1" ::"a"((uint16_t)v), "Nd"(port));
    else
        __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint32_t in_w(uint16_t port, unsigned w)
{
    uint32_t v = 0;
    if (w == 1)
        __asm__ volatile("inb %1, %b0" : "+a"(v) : "Nd"(port));
    else if (w == 2)
        __asm__ volatile("inw %1, %w0" : "+a"(v) : "Nd"(port));
    else
        __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/*
 * Run one instruction that may fault and return the vector it raised (-1
 * when it did not fault).  A faulting instruction writes no register, so the
 * inputs stay intact; the trap handler resumes at the label after it.
 */
#define GUEST_FAULT(insn, ...)                                                     \
    ({                                                                             \
        last_vector = -1;                                                          \
        __asm__ volatile("leaq 1f(%%rip), %%r11\n\t"                               \
                         "movq %%r11, %[fix]\n\t" insn "\n1:"                      \
                         : [fix] "=m"(fixup_rip)                                   \
                         : __VA_ARGS__                                             \
                         : "r11", "memory");                                       \
        fixup_rip = 0;                                                             \
        last_vector;                                                               \
    })

/* RDMSR that may fault: the vector, or -1 with *val set. */
static inline int try_rdmsr(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;
    last_vector = -1;
    __asm__ volatile("leaq 1f(%%rip), %%r11\n\tmovq %%r11, %[fix]\n\trdmsr\n1:"
                     : [fix] "=m"(fixup_rip), "+a"(lo), "+d"(hi)
                     : "c"(msr)
                     : "r11", "memory");
    fixup_rip = 0;
    *val = ((uint64_t)hi << 32) | lo;
    return last_vector;
}

#endif
