/*
 * The I/O bitmaps (SDM Vol. 3C 25.6.4): every byte of every policy row, PCI
 * configuration mechanism #1 and the console UART's line settings exit
 * (vmx/exit/exit_io.c says why each UART register does).  Shared by every
 * vCPU and changed while they run: bit by bit, never cleared wholesale
 * (vmx/policy/io_exits.h has the table).
 */
#include "vmx/policy/io_bitmap.h"

#include "kernel/acpi/acpi_power.h"
#include "kernel/config/skiff.h"
#include "kernel/cpu/percpu.h"
#include "vmx/policy/io_exits.h"

struct io_policy io_policy;

/* The one set of bitmaps every vCPU's VMCS points at, and the state it follows. */
static struct io_exits io_exits;
/* Updates come from any vCPU's exit: one at a time (the CPU's reads need no lock, vmx/policy/io_exits.h). */
static struct spinlock io_exits_lock;

const struct io_exits *io_bitmap_exits(void) { return &io_exits; }

void io_bitmap_init(uint8_t *a, uint8_t *b)
{
    io_policy_init(&io_policy, acpi_host_ok ? &acpi_host : NULL);
    io_exits = (struct io_exits){ .a = a, .b = b, .policy = &io_policy, .uart_on = !skiff_cfg.console_none,
                                  .uart = skiff_cfg.serial_port };
    io_exits_fill(&io_exits);                    /* before any vCPU runs */
}

/*
 * The UART's conditional rows follow the guest's DLAB and loopback bits, which
 * are one device's state whichever vCPU set them: single bits change, the others
 * (every policy row) are never touched (vmx/policy/io_exits.h).
 */
void io_bitmap_uart(bool dlab, bool loopback)
{
    spin_lock(&io_exits_lock);
    io_exits.dlab = dlab;
    io_exits.loopback = loopback;
    if (io_exits.uart_on) {
        io_exits_update(&io_exits, io_exits.uart, 2);        /* DLL, DLM */
        io_exits_update(&io_exits, (uint16_t)(io_exits.uart + 6), 1);   /* MSR */
    }
    spin_unlock(&io_exits_lock);
}

void io_bitmap_stub_uart(uint16_t port)
{
    spin_lock(&io_exits_lock);
    io_exits.stub = port;
    io_exits_update(&io_exits, port, 8);
    spin_unlock(&io_exits_lock);
}

/* PM1a_CNT moves with the guest's PM block: the new row exits before the old one stops exiting. */
void io_follow_pm1a(uint16_t port)
{
    spin_lock(&io_exits_lock);
    uint16_t old = io_policy.pm1a_row >= 0 ? io_policy.regs[io_policy.pm1a_row].port : 0;
    io_policy_move_pm1a(&io_policy, port);
    uint16_t now = io_policy.pm1a_row >= 0 ? io_policy.regs[io_policy.pm1a_row].port : 0;
    if (now != old) {
        io_exits_update(&io_exits, now, 2);
        if (old)
            io_exits_update(&io_exits, old, 2);           /* cleared only where no row wants it */
    }
    spin_unlock(&io_exits_lock);
}
