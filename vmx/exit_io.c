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
#include "kernel/serial.h"
#include "kernel/skiff.h"
#include "vmx/exit.h"
#include "vmx/guest_mem.h"
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
 *
 * The line settings are Skiff's: the guest sees its own copy of them and the
 * real UART keeps the ones serial_init gave it (PC16550D register map), so no
 * guest can silence or garble Skiff's lines:
 *
 *   register            guest reads            reaches the UART
 *   DLL/DLM (DLAB=1)    what it wrote          never (Skiff's divisor stays)
 *   LCR                 what it wrote          never (8N1, no break, DLAB off)
 *   FCR / IIR           IIR, FIFO bits its own FIFO reset and trigger; FIFO stays on
 *   MCR                 what it wrote          OUT1/OUT2; DTR and RTS on, loopback off
 *   MSR                 loopback emulated      read through
 *   IER, SCR, THR, RBR  the UART's             passed through
 *
 * IER is the guest's: the UART's interrupt line goes to the guest's PIC or
 * IOAPIC (Skiff polls and takes no interrupts), so its receive and THRE
 * interrupts work as on hardware; Skiff's own bytes may raise THRE too.
 * Wider accesses that touch the UART are split into bytes (an 8-bit device).
 *
 * Not mediated here: the chipset decode of the UART's ports, e.g. the LPC
 * bridge's I/O decode registers (Intel PCH LPC 0:31.0, 0x80 LPC_IOD and 0x82
 * LPC_EN bit 0 COMA_LPC_EN), which PCI configuration space reaches; that is
 * for the PCI configuration mediation (README, "The console").  Bochs' PIIX
 * and QEMU decode COM1 unconditionally.
 */
enum {
    UART_DATA = 0, UART_IER = 1, UART_FCR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6,
};
#define UART_LCR_DLAB 0x80
#define UART_MCR_LOOP 0x10

static struct {
    uint8_t lcr, mcr, fcr, dll, dlm;
} guest_uart = { .lcr = 0x03, .mcr = 0x03, .fcr = 0x01 };

/* Does [port, port + size) touch the console UART? */
static bool console_access(uint16_t port, unsigned size)
{
    return !skiff_cfg.console_none && port < skiff_cfg.serial_port + 8u && port + size > skiff_cfg.serial_port;
}

static uint8_t uart_in(unsigned reg)
{
    uint16_t p = (uint16_t)(skiff_cfg.serial_port + reg);
    bool dlab = guest_uart.lcr & UART_LCR_DLAB;
    uint8_t m = guest_uart.mcr;
    switch (reg) {
    case UART_DATA: return dlab ? guest_uart.dll : inb(p);
    case UART_IER:  return dlab ? guest_uart.dlm : inb(p);
    case UART_FCR:  return (uint8_t)((inb(p) & 0x0f) | ((guest_uart.fcr & 1) ? 0xc0 : 0));   /* IIR */
    case UART_LCR:  return guest_uart.lcr;
    case UART_MCR:  return m;
    case UART_LSR:  return inb(p) | 0x60;                /* THR empty, transmitter idle */
    case UART_MSR:
        if (!(m & UART_MCR_LOOP))
            return inb(p);
        /* Loopback as the guest sees it: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2 (8250/16550). */
        return (uint8_t)(((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4));
    default:        return inb(p);
    }
}

static void uart_out(unsigned reg, uint8_t v)
{
    uint16_t p = (uint16_t)(skiff_cfg.serial_port + reg);
    bool dlab = guest_uart.lcr & UART_LCR_DLAB;
    switch (reg) {
    case UART_DATA:
        if (dlab)
            guest_uart.dll = v;
        else
            console_guest_byte(p, (char)v);              /* waits for THR empty */
        return;
    case UART_IER:
        if (dlab)
            guest_uart.dlm = v;
        else
            outb(p, v);
        return;
    case UART_FCR:
        guest_uart.fcr = v;
        /* A FIFO reset waits until what Skiff has sent is out, so nothing of it is dropped. */
        for (unsigned spin = 0; (v & 0x06) && spin < 1000000 && !(inb(skiff_cfg.serial_port + UART_LSR) & 0x40);
             spin++)
            cpu_pause();
        outb(p, (uint8_t)((v & 0xce) | 0x01));
        return;
    case UART_LCR:
        guest_uart.lcr = v;
        return;
    case UART_MCR:
        guest_uart.mcr = v;
        outb(p, (uint8_t)((v & 0x0c) | 0x03));
        return;
    default:
        outb(p, v);
        return;
    }
}

static uint32_t port_in(uint16_t port, unsigned size)
{
    if (console_access(port, size)) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            uint16_t q = (uint16_t)(port + i);
            uint8_t b = console_access(q, 1) ? uart_in(q - skiff_cfg.serial_port) : inb(q);
            v |= (uint32_t)b << (8 * i);
        }
        return v;
    }
    return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

static void port_out(uint16_t port, unsigned size, uint32_t val)
{
    if (console_access(port, size)) {
        for (unsigned i = 0; i < size; i++) {
            uint16_t q = (uint16_t)(port + i);
            uint8_t b = (uint8_t)(val >> (8 * i));
            if (console_access(q, 1))
                uart_out(q - skiff_cfg.serial_port, b);
            else
                outb(q, b);
        }
        return;
    }
    if (size == 1)
        outb(port, (uint8_t)val);
    else if (size == 2)
        outw(port, (uint16_t)val);
    else
        outl(port, val);
}

/* What an intercepted OUT means; IN is always passed through. */
enum io_effect { IO_PASS, IO_POWER_OFF, IO_RESET, IO_DEBUG_EXIT, IO_SLEEP };

/* A sleep request other than S5: the state (-1 unknown) and SLP_TYP, for the verdict. */
static int sleep_state;
static unsigned sleep_typ;

/* SLP_EN in a PM1 control value: S5 is a power-off, every other SLP_TYP a sleep request. */
static enum io_effect pm1_effect(bool pm1b, uint32_t v16)
{
    if (!(v16 & ACPI_PM1_SLP_EN))
        return IO_PASS;
    sleep_typ = (v16 >> ACPI_PM1_SLP_TYP_SHIFT) & 7;
    sleep_state = acpi_sleep_state(&acpi_host, pm1b, sleep_typ);
    return sleep_state == 5 ? IO_POWER_OFF : IO_SLEEP;
}

static enum io_effect out_effect(uint16_t port, unsigned size, uint32_t val)
{
    static unsigned shutdown_match;
    static const char shutdown[] = "Shutdown";
    static bool kbc_write_output;                /* the 8042's last command was 0xd1 */

    /* The FADT's PM1a/PM1b_CNT (kernel/acpi.c); 0x604 and 0xb004 below stay as fallbacks. */
    if (acpi_is_pm1_cnt_port(port)) {
        bool pm1b = acpi_host.pm1b_cnt && (port == acpi_host.pm1b_cnt || port == acpi_host.pm1b_cnt + 1);
        bool low = port == acpi_host.pm1a_cnt || (acpi_host.pm1b_cnt && port == acpi_host.pm1b_cnt);
        uint32_t v16 = low ? (size >= 2 ? val : 0) : val << 8;   /* a byte write to the high half */
        return pm1_effect(pm1b, v16);
    }
    switch (port) {
    case 0xf4:                                   /* QEMU isa-debug-exit */
        return IO_DEBUG_EXIT;
    case 0x64:                                   /* 8042 command */
        kbc_write_output = (val & 0xff) == 0xd1;
        /* 0xf0-0xff pulse the output lines whose bits are 0; bit 0 is the reset line. */
        return size == 1 && (val & 0xf1) == 0xf0 ? IO_RESET : IO_PASS;
    case 0x60:                                   /* 8042 data: after 0xd1, the output port */
        if (!kbc_write_output)
            return IO_PASS;
        kbc_write_output = false;
        return size == 1 && !(val & 1) ? IO_RESET : IO_PASS;
    case 0x92:                                   /* system control port A: bit 0 fast reset */
        return size == 1 && (val & 1) ? IO_RESET : IO_PASS;
    case 0xcf9:                                  /* reset control register */
        return size == 1 && (val & 0x04) ? IO_RESET : IO_PASS;
    case 0x8900:                                 /* Bochs "Shutdown" port */
        shutdown_match = (char)val == shutdown[shutdown_match] ? shutdown_match + 1
                         : (char)val == 'S'                    ? 1 : 0;
        if (shutdown_match == sizeof(shutdown) - 1) {
            shutdown_match = 0;
            return IO_POWER_OFF;
        }
        return IO_PASS;
    case 0x604:                                  /* ACPI PM1a_CNT (QEMU q35) */
    case 0xb004:                                 /* ACPI PM1a_CNT (PIIX4: Bochs, QEMU pc) */
        return size >= 2 ? pm1_effect(false, val) : IO_PASS;
    default:
        return IO_PASS;
    }
}

static enum exit_action io_effect_stop(struct vcpu *v, enum io_effect e, uint16_t port, uint32_t val)
{
    vcpu_skip_insn(v);
    switch (e) {
    case IO_POWER_OFF:
        return vcpu_stop(v, GUEST_POWERED_OFF, 0, "powered off (port 0x%x)", port);
    case IO_RESET:
        return vcpu_stop(v, GUEST_RESET, 0, "reset the machine (port 0x%x)", port);
    case IO_SLEEP:
        if (sleep_state >= 0)
            return vcpu_stop(v, GUEST_STOPPED, 1, "requested sleep state S%d (SLP_TYP %u with SLP_EN, port 0x%x): "
                             "Skiff does not implement suspend and resume", sleep_state, sleep_typ, port);
        return vcpu_stop(v, GUEST_STOPPED, 1, "requested a sleep state (SLP_TYP %u with SLP_EN, port 0x%x) that "
                         "the DSDT does not name: Skiff does not implement suspend and resume", sleep_typ, port);
    default:
        return vcpu_stop(v, GUEST_EXITED, val, "exited with status %u (debug-exit port 0x%x)", val, port);
    }
}

void io_bitmap_init(uint8_t *a, uint8_t *b)
{
    uint16_t ports[] = { 0xf4, 0x60, 0x64, 0x92, 0xcf9, 0x8900, 0x604, 0x605, 0xb004, 0xb005 };

    memset(a, 0, PAGE_SIZE);
    memset(b, 0, PAGE_SIZE);
    for (unsigned i = 0; i < ARRAY_SIZE(ports); i++) {
        uint8_t *bm = ports[i] < 0x8000 ? a : b;
        uint16_t p = ports[i] & 0x7fff;
        bm[p / 8] |= 1u << (p % 8);
    }
    if (acpi_host_ok) {                          /* the FADT's PM1 control blocks, both bytes */
        uint16_t pm1[] = { acpi_host.pm1a_cnt, acpi_host.pm1b_cnt };
        for (unsigned i = 0; i < ARRAY_SIZE(pm1); i++)
            for (uint32_t p = pm1[i]; pm1[i] && p <= (uint32_t)pm1[i] + 1 && p <= 0xffff; p++) {
                uint8_t *bm = p < 0x8000 ? a : b;
                bm[(p & 0x7fff) / 8] |= 1u << (p % 8);
            }
    }
    uint16_t divisor = (uint16_t)(115200 / (skiff_cfg.baud ? skiff_cfg.baud : 115200));
    guest_uart.dll = (uint8_t)divisor;                   /* the guest starts with Skiff's settings */
    guest_uart.dlm = (uint8_t)(divisor >> 8);
    if (!skiff_cfg.console_none)
        for (uint16_t p = skiff_cfg.serial_port; p < skiff_cfg.serial_port + 8; p++) {
            uint8_t *bm = p < 0x8000 ? a : b;
            bm[(p & 0x7fff) / 8] |= 1u << (p % 8);
        }
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
            enum io_effect e = out_effect(io->port, io->size, val);
            if (e != IO_PASS)
                return io_effect_stop(v, e, io->port, val);
            port_out(io->port, io->size, val);
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
        enum io_effect e = out_effect(io.port, io.size, val);
        if (e != IO_PASS)
            return io_effect_stop(v, e, io.port, val);
        port_out(io.port, io.size, val);
    }
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}
