/*
 * 16550 UART: register offsets from the PC16550D data sheet.  Polled I/O
 * only; Skiff never takes interrupts on the host side.
 */
#include "kernel/console/serial.h"

#include "kernel/cpu/cpu.h"

enum {
    UART_DATA = 0, /* RBR/THR, DLL when DLAB=1 */
    UART_IER = 1,  /* DLM when DLAB=1 */
    UART_FCR = 2,  /* IIR when read */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_SCR = 7,
};

#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20
#define LSR_TX_IDLE    0x40
#define SPIN_LIMIT     1000000   /* a missing or stuck UART must never hang Skiff */

#define LCR_DLAB       0x80
#define LCR_8N1        0x03
#define MCR_SKIFF      0x03      /* DTR, RTS; loopback (bit 4) off */
#define IIR_FIFO_ON    0xc0      /* both bits set: FIFOs enabled (PC16550D, IIR bits 6-7) */

static uint16_t serial_divisor(uint32_t baud) { return (uint16_t)(115200 / baud); }

bool serial_init(uint16_t port, uint32_t baud)
{
    /* The scratch register tells whether anything is there at all. */
    outb(port + UART_SCR, 0x5a);
    if (inb(port + UART_SCR) != 0x5a)
        return false;
    uint16_t divisor = serial_divisor(baud);
    outb(port + UART_IER, 0x00);
    outb(port + UART_LCR, LCR_DLAB);
    outb(port + UART_DATA, divisor & 0xff);
    outb(port + UART_IER, divisor >> 8);
    outb(port + UART_LCR, LCR_8N1);
    outb(port + UART_FCR, 0x07);  /* FIFO on, both cleared */
    outb(port + UART_MCR, MCR_SKIFF);
    return true;
}

void serial_read_state(uint16_t port, struct serial_state *st)
{
    st->lcr = inb(port + UART_LCR);
    st->mcr = inb(port + UART_MCR);
    st->iir = inb(port + UART_FCR);
    outb(port + UART_LCR, st->lcr | LCR_DLAB);
    st->divisor = (uint16_t)(inb(port + UART_DATA) | inb(port + UART_IER) << 8);
    outb(port + UART_LCR, st->lcr);
}

bool serial_state_ok(const struct serial_state *st, uint32_t baud)
{
    return st->divisor == serial_divisor(baud) && st->lcr == LCR_8N1 && (st->mcr & 0x13) == MCR_SKIFF &&
           (st->iir & IIR_FIFO_ON) == IIR_FIFO_ON;
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
