/*
 * I/O instructions (SDM Vol. 3C 26.1.3, exit qualification Table 28-5).
 *
 * The guest owns the machine's ports: the I/O bitmaps make only the ports in
 * io_intercepts[] exit.  Those are Skiff's console UART (the guest's output is
 * passed through, so Skiff sees it), and the ports through which a guest
 * powers off or resets the machine, which Skiff must see to report them.
 */
#include "kernel/acpi_power.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/lib.h"
#include "kernel/memory.h"
#include "kernel/pci.h"
#include "kernel/serial.h"
#include "kernel/skiff.h"
#include "vmx/exit.h"
#include "vmx/guest_mem.h"
#include "vmx/exit_pci.h"
#include "vmx/io_policy.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_insn.h"
#include "vmx/vmx_on.h"
#include "vmx/vmx_setup.h"

#define REP_CHUNK 4096   /* iterations per exit before re-executing, so a long REP stays preemptible */

/*
 * Skiff's console UART is shared with the guest.  Skiff makes it look
 * infinitely fast: the line-status register always reports the transmitter
 * empty, and a byte written to the transmit register waits until the real
 * UART can take it.  Guest output is never lost, and a guest that polls the
 * UART before each byte does not exit over and over.
 */
static uint8_t guest_lcr = 0x03;
static uint8_t guest_mcr;                        /* with loopback, which stays off the real UART */

static bool console_port(uint16_t port, uint16_t reg)
{
    return !skiff_cfg.console_none && port == skiff_cfg.serial_port + reg;
}

static uint32_t port_in(uint16_t port, unsigned size)
{
    if (pci_io_port(port, size))
        return pci_io_in(port, size);
    if (size == 1 && console_port(port, 5))
        return inb(port) | 0x60;                 /* THR empty, transmitter idle */
    if (size == 1 && console_port(port, 3))
        return guest_lcr;                        /* what the guest wrote (see port_out) */
    if (size == 1 && console_port(port, 4))
        return guest_mcr;
    if (size == 1 && console_port(port, 6) && (guest_mcr & 0x10))
        /* Loopback as the guest sees it: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2 (8250/16550). */
        return (uint32_t)(((guest_mcr & 0x02) << 3) | ((guest_mcr & 0x01) << 5) |
                          ((guest_mcr & 0x04) << 4) | ((guest_mcr & 0x08) << 4));
    return in_sized(port, size);
}

static void port_out(uint16_t port, unsigned size, uint32_t val)
{
    if (size == 1 && console_port(port, 0) && !(guest_lcr & 0x80)) {
        console_guest_byte(port, (char)val);     /* waits for THR empty */
        return;
    }
    if (console_port(port, 1) || console_port(port, 2) || console_port(port, 3) || console_port(port, 4) ||
        (console_port(port, 0) && (guest_lcr & 0x80))) {
        /* Reprogramming the UART (divisor, FIFO reset, line, modem control) waits until what
         * Skiff has sent is out: a FIFO reset or a new divisor would drop or garble it. */
        for (unsigned spin = 0; spin < 1000000 && !(inb(skiff_cfg.serial_port + 5) & 0x40); spin++)
            cpu_pause();
    }
    if (size == 1 && console_port(port, 3)) {
        /* The guest may reach the divisor (DLAB), but the line stays 8N1 without break:
         * 5-bit words or a break would garble or silence Skiff's own lines. */
        guest_lcr = (uint8_t)val;
        val = (val & 0x80) | 0x03;
    }
    if (size == 1 && console_port(port, 4)) {
        guest_mcr = (uint8_t)val;
        val &= ~0x10u;                           /* loopback would silence Skiff's console */
    }
    out_sized(port, size, val);
}

/* The power, sleep and reset registers (vmx/io_policy.c), built once from the FADT. */
static struct io_policy io_policy;

static enum exit_action io_effect_stop(struct vcpu *v, enum io_effect e, const struct io_hit *hit)
{
    vcpu_skip_insn(v);
    switch (e) {
    case IO_POWER_OFF:
        return vcpu_stop(v, GUEST_POWERED_OFF, 0, "powered off (port 0x%x)", hit->reg->port);
    case IO_RESET:
        return vcpu_stop(v, GUEST_RESET, 0, "reset the machine (port 0x%x)", hit->reg->port);
    case IO_SLEEP:
        if (hit->sleep_state >= 0)
            return vcpu_stop(v, GUEST_STOPPED, 1, "requested sleep state S%d (SLP_TYP %u with SLP_EN, port 0x%x): "
                             "Skiff does not implement suspend and resume", hit->sleep_state, hit->slp_typ,
                             hit->reg->port);
        return vcpu_stop(v, GUEST_STOPPED, 1, "requested a sleep state (SLP_TYP %u with SLP_EN, port 0x%x) that "
                         "the DSDT does not name: Skiff does not implement suspend and resume", hit->slp_typ,
                         hit->reg->port);
    default:
        return vcpu_stop(v, GUEST_EXITED, hit->value, "exited with status %u (debug-exit port 0x%x)", hit->value,
                         hit->reg->port);
    }
}

/* One OUT: the power/sleep/reset policy, then PCI configuration, then the port itself. */
static enum exit_action out_one(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    struct io_hit hit;
    enum io_effect e = io_policy_out(&io_policy, port, size, val, &hit);
    if (e != IO_PASS)
        return io_effect_stop(v, e, &hit);
    if (pci_io_port(port, size))
        return pci_io_out(v, port, size, val);
    port_out(port, size, val);
    return EXIT_RESUME;
}

/* Mark [port, port + n) in the I/O bitmaps (A: 0-0x7fff, B: 0x8000-0xffff; SDM 25.6.4). */
static void io_bitmap_set(uint8_t *a, uint8_t *b, uint32_t port, uint32_t n)
{
    for (uint32_t p = port; p < port + n && p <= 0xffff; p++) {
        uint8_t *bm = p < 0x8000 ? a : b;
        bm[(p & 0x7fff) / 8] |= 1u << (p % 8);
    }
}

static uint8_t *io_bitmap_a, *io_bitmap_b;

/* Every byte of every policy row, PCI configuration mechanism #1 and the console UART exit. */
static void io_bitmap_build(void)
{
    memset(io_bitmap_a, 0, PAGE_SIZE);
    memset(io_bitmap_b, 0, PAGE_SIZE);
    for (unsigned i = 0; i < io_policy.n; i++)
        io_bitmap_set(io_bitmap_a, io_bitmap_b, io_policy.regs[i].port, io_policy.regs[i].width);
    io_bitmap_set(io_bitmap_a, io_bitmap_b, PCI_CONFIG_ADDRESS, 8);
    if (!skiff_cfg.console_none)
        io_bitmap_set(io_bitmap_a, io_bitmap_b, skiff_cfg.serial_port, 8);
}

void io_bitmap_init(uint8_t *a, uint8_t *b)
{
    io_bitmap_a = a;
    io_bitmap_b = b;
    io_policy_init(&io_policy, acpi_host_ok ? &acpi_host : NULL);
    io_bitmap_build();
}

/* The guest moved the chipset's PM block (vmx/exit_pci.c): PM1a_CNT's row goes with it.  The
 * bitmaps are shared by every vCPU and read by the CPU at each I/O instruction (SDM 25.6.4). */
void io_follow_pm1a(uint16_t port)
{
    io_policy_move_pm1a(&io_policy, port);
    io_bitmap_build();
}

/* Segment base for a string operand (64-bit mode: only FS and GS have one). */
static uint64_t seg_base(unsigned seg, bool long_mode)
{
    static const uint32_t base_field[6] = { GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE,
                                            GUEST_DS_BASE, GUEST_FS_BASE, GUEST_GS_BASE };
    if (seg > 5 || (long_mode && seg < 4))
        return 0;
    return vmcs_read(base_field[seg]);
}

static enum exit_action string_io(struct vcpu *v, const struct io_access *io)
{
    uint64_t cs_ar = vmcs_read(GUEST_CS_AR_BYTES);
    bool long_mode = cs_ar & (1u << 13);
    unsigned addr_size = long_mode ? 8 : (cs_ar & (1u << 14)) ? 4 : 2;
    unsigned seg = io->in ? 0 /* ES */ : 3 /* DS */;

    /* INS/OUTS information (SDM 28.2.5), when IA32_VMX_BASIC bit 54 says it is there. */
    if (vmx_caps.basic & VMX_BASIC_INOUT) {
        uint32_t info = (uint32_t)vmcs_read(VMX_INSTRUCTION_INFO);
        addr_size = 2u << ((info >> 7) & 7);
        if (!io->in)
            seg = (info >> 15) & 7;
    }
    uint64_t amask = addr_size == 8 ? ~0ull : (1ull << (addr_size * 8)) - 1;
    uint64_t *pidx = io->in ? &v->regs.rdi : &v->regs.rsi;
    uint64_t count = io->rep ? v->regs.rcx & amask : 1;
    int step = (vmcs_read(GUEST_RFLAGS) & (1u << 10)) ? -(int)io->size : (int)io->size;
    uint64_t base = seg_base(seg, long_mode);
    uint64_t done = 0;

    for (; done < count && done < REP_CHUNK; done++) {
        uint64_t gla = base + (*pidx & amask);
        uint32_t val = 0;
        if (io->in) {
            val = port_in(io->port, io->size);
            if (!guest_write(gla, &val, io->size))
                goto fault;
        } else {
            if (!guest_read(gla, &val, io->size))
                goto fault;
            if (out_one(v, io->port, io->size, val) == EXIT_STOP)
                return EXIT_STOP;
        }
        *pidx = (*pidx & ~amask) | ((*pidx + step) & amask);
    }
    if (io->rep)
        v->regs.rcx = (v->regs.rcx & ~amask) | ((v->regs.rcx - done) & amask);
    if (!io->rep || done == count)
        vcpu_skip_insn(v);                    /* else: re-execute for the rest */
    return EXIT_RESUME;
fault:
    /* The guest pointed a string instruction at memory outside the guest. */
    return vcpu_stop(v, GUEST_STOPPED, 1,
                     "stopped: %s to port 0x%x at linear 0x%llx reaches memory outside the guest",
                     io->in ? "INS" : "OUTS", io->port,
                     (unsigned long long)(base + (*pidx & amask)));
}

enum exit_action handle_io(struct vcpu *v)
{
    struct io_access io;
    vmx_decode_io(vcpu_qual(v), &io);

    if (io.string)
        return string_io(v, &io);
    uint64_t *rax = &v->regs.rax;
    if (io.in) {
        uint32_t val = port_in(io.port, io.size);
        if (io.size == 4)
            *rax = val;                                /* 32-bit results zero-extend */
        else
            *rax = (*rax & ~((1ull << (io.size * 8)) - 1)) | val;
    } else {
        uint32_t val = (uint32_t)(*rax & (io.size == 4 ? 0xffffffffu : (1u << (io.size * 8)) - 1));
        if (out_one(v, io.port, io.size, val) == EXIT_STOP)
            return EXIT_STOP;
    }
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}
