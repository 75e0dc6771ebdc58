/*
 * The I/O bitmaps (SDM Vol. 3C 25.6.4): every byte of every policy row, PCI
 * configuration mechanism #1 and the console UART's line settings exit
 * (vmx/exit/exit_io.c says why each UART register does).
 */
#include "vmx/policy/io_bitmap.h"

#include "kernel/acpi/acpi_power.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "kernel/pci/pci.h"
#include "kernel/config/skiff.h"

/* PC16550D register offsets of the rows that exit. */
enum { UART_DATA = 0, UART_FCR = 2, UART_MSR = 6, UART_SCR = 7 };

struct io_policy io_policy;

static uint8_t *io_bitmap_a, *io_bitmap_b;
static bool uart_dlab, uart_loopback;

/* Mark [port, port + n) in the I/O bitmaps (A: 0-0x7fff, B: 0x8000-0xffff; SDM 25.6.4). */
static void io_bitmap_set(uint8_t *a, uint8_t *b, uint32_t port, uint32_t n)
{
    for (uint32_t p = port; p < port + n && p <= 0xffff; p++) {
        uint8_t *bm = p < 0x8000 ? a : b;
        bm[(p & 0x7fff) / 8] |= 1u << (p % 8);
    }
}

/*
 * The bitmaps are shared by every vCPU and read by the CPU at each I/O
 * instruction (SDM Vol. 3C 25.6.4); the UART's rows change with the guest's
 * DLAB and loopback bits, which are one device's state whichever vCPU set them.
 */
static void io_bitmap_build(void)
{
    memset(io_bitmap_a, 0, PAGE_SIZE);
    memset(io_bitmap_b, 0, PAGE_SIZE);
    for (unsigned i = 0; i < io_policy.n; i++)
        io_bitmap_set(io_bitmap_a, io_bitmap_b, io_policy.regs[i].port, io_policy.regs[i].width);
    io_bitmap_set(io_bitmap_a, io_bitmap_b, PCI_CONFIG_ADDRESS, 8);
    if (skiff_cfg.console_none)
        return;
    uint16_t u = skiff_cfg.serial_port;
    io_bitmap_set(io_bitmap_a, io_bitmap_b, u + UART_FCR, 4);           /* FCR/IIR, LCR, MCR, LSR */
    io_bitmap_set(io_bitmap_a, io_bitmap_b, u + UART_SCR, 1);
    if (uart_dlab)
        io_bitmap_set(io_bitmap_a, io_bitmap_b, u + UART_DATA, 2);      /* DLL, DLM */
    if (uart_loopback)
        io_bitmap_set(io_bitmap_a, io_bitmap_b, u + UART_MSR, 1);
}

void io_bitmap_init(uint8_t *a, uint8_t *b)
{
    io_bitmap_a = a;
    io_bitmap_b = b;
    io_policy_init(&io_policy, acpi_host_ok ? &acpi_host : NULL);
    io_bitmap_build();
}

void io_bitmap_uart(bool dlab, bool loopback)
{
    uart_dlab = dlab;
    uart_loopback = loopback;
    io_bitmap_build();
}

void io_follow_pm1a(uint16_t port)
{
    io_policy_move_pm1a(&io_policy, port);
    io_bitmap_build();
}
