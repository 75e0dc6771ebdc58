/*
 * The I/O policy as the CPU applies it: the one instance of the power, sleep
 * and reset rows (vmx/policy/io_policy.c) and the I/O bitmaps built from it,
 * PCI configuration mechanism #1 and the console UART's mediated registers.
 */
#ifndef SKIFF_VMX_IO_BITMAP_H
#define SKIFF_VMX_IO_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/policy/io_policy.h"

/* The power, sleep and reset registers, built once from the FADT by io_bitmap_init. */
extern struct io_policy io_policy;

struct io_exits;
/* The bitmaps and the state they follow, for the tripwires (vmx/tripwire/tripwire.c): read only. */
const struct io_exits *io_bitmap_exits(void);
/* Bitmap A covers ports 0-0x7fff, B 0x8000-0xffff (SDM Vol. 3C 25.6.4). */
void io_bitmap_init(uint8_t *a, uint8_t *b);
/* The console UART's DLL/DLM rows exit while the guest's DLAB is set, MSR while loopback is on. */
void io_bitmap_uart(bool dlab, bool loopback);
/* The gdb stub's UART at port (vmx/debug/gdbstub.c): its 8 ports exit from now on. */
void io_bitmap_stub_uart(uint16_t port);
/* The guest moved the chipset's PM block (vmx/pci/exit_pci.c): PM1a_CNT's row goes with it. */
void io_follow_pm1a(uint16_t port);

#endif
