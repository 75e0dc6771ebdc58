/* The ports that exit and live updates of the shared I/O bitmaps (vmx/policy/io_exits.h). */
#include "vmx/policy/io_exits.h"

#include "kernel/pci/pci.h"

/* PC16550D register offsets whose rows always exit (vmx/exit/exit_io.c says why). */
enum { UART_DATA = 0, UART_IER = 1, UART_FCR = 2, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7 };

void (*io_exits_store_hook)(const struct io_exits *x);

static uint8_t *byte_of(const struct io_exits *x, uint16_t port)
{
    return &(port < 0x8000 ? x->a : x->b)[(port & 0x7fff) / 8];
}

bool io_exits_wanted(const struct io_exits *x, uint16_t port)
{
    if (io_policy_covers(x->policy, port, 1))
        return true;
    if (port >= PCI_CONFIG_ADDRESS && port <= PCI_CONFIG_DATA + 3)
        return true;
    if (x->stub && port >= x->stub && port <= x->stub + 7u)
        return true;
    if (!x->uart_on || port < x->uart || port > x->uart + 7u)
        return false;
    unsigned reg = port - x->uart;
    if (reg >= UART_FCR && reg <= UART_LSR)       /* FCR/IIR, LCR, MCR, LSR */
        return true;
    if (reg == UART_SCR)
        return true;
    if (reg == UART_DATA || reg == UART_IER)      /* DLL, DLM */
        return x->dlab;
    return reg == UART_MSR && x->loopback;
}

bool io_exits_bit(const struct io_exits *x, uint16_t port)
{
    return (__atomic_load_n(byte_of(x, port), __ATOMIC_SEQ_CST) >> (port % 8)) & 1;
}

static void fill_range(const struct io_exits *x, uint32_t port, uint32_t n)
{
    for (uint32_t p = port; p < port + n && p <= 0xffff; p++)
        if (io_exits_wanted(x, (uint16_t)p))
            *byte_of(x, (uint16_t)p) |= (uint8_t)(1u << (p % 8));
}

/* The wanted ports are those of the rows, so only the rows are looked at (a scan of every
 * port would cost an emulator's boot millions of instructions). */
void io_exits_fill(const struct io_exits *x)
{
    for (unsigned i = 0; i < 4096; i++)
        x->a[i] = x->b[i] = 0;
    for (unsigned i = 0; i < x->policy->n; i++)
        fill_range(x, x->policy->regs[i].port, x->policy->regs[i].width);
    fill_range(x, PCI_CONFIG_ADDRESS, 8);
    if (x->uart_on)
        fill_range(x, x->uart, 8);
    if (x->stub)
        fill_range(x, x->stub, 8);
}

/* One port's bit, by one atomic byte operation (the hook runs only when the byte changed). */
static void set_bit(const struct io_exits *x, uint16_t port)
{
    uint8_t m = (uint8_t)(1u << (port % 8));
    if (__atomic_fetch_or(byte_of(x, port), m, __ATOMIC_SEQ_CST) & m)
        return;
    if (io_exits_store_hook)
        io_exits_store_hook(x);
}

static void clear_bit(const struct io_exits *x, uint16_t port)
{
    uint8_t m = (uint8_t)(1u << (port % 8));
    if (!(__atomic_fetch_and(byte_of(x, port), (uint8_t)~m, __ATOMIC_SEQ_CST) & m))
        return;
    if (io_exits_store_hook)
        io_exits_store_hook(x);
}

void io_exits_update(const struct io_exits *x, uint16_t port, unsigned n)
{
    for (uint32_t p = port; p < (uint32_t)port + n && p <= 0xffff; p++)
        if (io_exits_wanted(x, (uint16_t)p))
            set_bit(x, (uint16_t)p);
    for (uint32_t p = port; p < (uint32_t)port + n && p <= 0xffff; p++)
        if (!io_exits_wanted(x, (uint16_t)p))
            clear_bit(x, (uint16_t)p);
}
