/*
 * Which ports exit, and how the shared I/O bitmaps change while vCPUs run
 * (SDM Vol. 3C 25.6.4: the CPU reads the bitmap bit of every port an I/O
 * instruction touches, at each instruction; nothing synchronises it with a
 * writer on another CPU).  So a bitmap in use is never cleared or rebuilt:
 *
 *   rows                                      bits
 *   power, sleep, reset (io_policy rows)      set once, stay set (a moved PM1a_CNT: below)
 *   PCI mechanism #1, 0xCF8-0xCFF             set once, stay set
 *   UART FCR/IIR, LCR, MCR, LSR, SCR          set once, stay set
 *   UART DLL/DLM (offsets 0-1), MSR (6)       set while the guest's DLAB / loopback is on,
 *                                             single bits, atomically
 *   PM1a_CNT moved by the guest               the new row set before the old one is cleared
 *
 * An update sets the bits that must now exit before it clears those that no
 * longer must, one atomic byte operation at a time, and never clears a bit
 * that any row wants: at every moment every policy port exits.
 *
 * Pure (no VMCS, no ports): unit-tested in tests/unit/vmx/policy/test_io_exits.c, which
 * looks at the bitmaps after every byte an update writes.
 */
#ifndef SKIFF_VMX_IO_EXITS_H
#define SKIFF_VMX_IO_EXITS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/policy/io_policy.h"

struct io_exits {
    uint8_t *a, *b;                   /* bitmap A: ports 0-0x7fff, B: 0x8000-0xffff (4 KiB each) */
    const struct io_policy *policy;
    bool uart_on;                     /* Skiff has a console UART at uart */
    uint16_t uart;
    bool dlab, loopback;              /* the guest's UART state the conditional rows follow */
    uint16_t stub;                    /* the gdb stub's UART (0: none): all 8 ports exit */
};

/* Called after every byte an update writes, when set (tests only; NULL in Skiff). */
extern void (*io_exits_store_hook)(const struct io_exits *x);

/* Must port exit now? */
bool io_exits_wanted(const struct io_exits *x, uint16_t port);
/* Is its bit set? */
bool io_exits_bit(const struct io_exits *x, uint16_t port);
/* Before any vCPU runs: zero both bitmaps and set every wanted bit. */
void io_exits_fill(const struct io_exits *x);
/* After x's state changed: bring [port, port + n) in line, setting before clearing. */
void io_exits_update(const struct io_exits *x, uint16_t port, unsigned n);

#endif
