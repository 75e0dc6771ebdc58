/*
 * 16550 UART: register offsets from the PC16550D data sheet.  Polled I/O
 * only; Skiff never takes interrupts on the host side.
 */
#include "serial.h"

#include "cpu.h"

enum {
    UART_DATA = 0, /* RBR/THR, DLL when DLAB=1 */
    UART_IER = 1,  /* DLM when DLAB=1 */
    UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_SCR = 7,
};

#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20
#define LSR_TX_IDLE    0x40
#define SPIN_LIMIT     1000000   /* a missing or stuck UART must never hang Skiff */

bool serial_init(uint16_t port, uint32_t baud)
{
    /* The scratch register tells whether anything is there at all. */
    outb(port + UART_SCR, 0x5a);
    if (inb(port + UART_SCR) != 0x5a)
        return false;
    uint16_t divisor = (uint16_t)(115200 / baud);
    outb(port + UART_IER, 0x00);
    outb(port + UART_LCR, 0x80);
    outb(port + UART_DATA, divisor & 0xff);
    outb(port + UART_IER, divisor >> 8);
    outb(port + UART_LCR, 0x03);  /* 8N1 */
    outb(port + UART_FCR, 0x07);  /* FIFO on, both cleared */
    outb(port + UART_MCR, 0x03);  /* DTR, RTS */
    return true;
}

void serial_putc(uint16_t port, char c)
{
    for (unsigned i = 0; i < SPIN_LIMIT && !(inb(port + UART_LSR) & LSR_THR_EMPTY); i++)
        cpu_pause();
    outb(port + UART_DATA, (uint8_t)c);
}

void serial_flush(uint16_t port)
{
    for (unsigned i = 0; i < SPIN_LIMIT && !(inb(port + UART_LSR) & LSR_TX_IDLE); i++)
        cpu_pause();
}

int serial_getc(uint16_t port)
{
    if (!(inb(port + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(port + UART_DATA);
}
