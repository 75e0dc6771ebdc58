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
/* Non-blocking read: -1 when nothing is waiting. */
int serial_getc(uint16_t port);

#endif
