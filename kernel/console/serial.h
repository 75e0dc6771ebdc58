/* 16550 UART driver (polled). */
#ifndef SKIFF_KERNEL_SERIAL_H
#define SKIFF_KERNEL_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

/* Program the UART at `port` for `baud` 8N1, FIFOs on.  False when no UART answers. */
bool serial_init(uint16_t port, uint32_t baud);
void serial_putc(uint16_t port, char c);
/* Wait until the transmitter is empty (before power-off or reset). */
void serial_flush(uint16_t port);
/* The UART's settings as read back (divisor through DLAB, LCR, MCR, IIR's FIFO bits). */
struct serial_state {
    uint16_t divisor;
    uint8_t lcr, mcr, iir;
};
void serial_read_state(uint16_t port, struct serial_state *st);
/* Still what serial_init(port, baud) set: the divisor, 8N1 without break or DLAB, DTR and RTS
 * without loopback, FIFOs on. */
bool serial_state_ok(const struct serial_state *st, uint32_t baud);
/* Non-blocking read: -1 when nothing is waiting. */
int serial_getc(uint16_t port);

#endif
