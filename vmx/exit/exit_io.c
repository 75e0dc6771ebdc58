/*
 * I/O instructions (SDM Vol. 3C 26.1.3, exit qualification Table 28-5).
 *
 * The guest owns the machine's ports: the I/O bitmaps make only these exit:
 * Skiff's console UART (the guest's output is passed through, so Skiff sees
 * it), PCI configuration mechanism #1 (vmx/pci/exit_pci.c), and every byte of
 * the registers through which a guest powers off, sleeps or resets the
 * machine (the rows of vmx/policy/io_policy.c), which Skiff must see to report.
 */
#include "kernel/acpi/acpi_power.h"
#include "kernel/config/skiff.h"
#include "kernel/console/console.h"
#include "kernel/console/serial.h"
#include "kernel/cpu/cpu.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "kernel/pci/pci.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_caps.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/core/vmx_on.h"
#include "vmx/emulate/guest_mem.h"
#include "vmx/exit/exit.h"
#include "vmx/exit/exit_setup.h"
#include "vmx/pci/exit_pci.h"
#include "vmx/policy/io_bitmap.h"
#include "vmx/policy/io_policy.h"

#define REP_CHUNK 4096   /* iterations per exit before re-executing, so a long REP stays preemptible */

/*
 * Skiff's console UART is shared with the guest, and the guest's output runs
 * at the bare machine's speed: the registers a driver touches per byte go to
 * the UART directly, and only those through which a guest could silence or
 * garble Skiff's lines exit (PC16550D register map):
 *
 *   register            exits                  the guest reads / reaches the UART
 *   THR/RBR, IER        only while DLAB=1      the UART's (DLAB=1: DLL/DLM below)
 *   DLL/DLM (DLAB=1)    yes                    what it wrote / never (Skiff's divisor stays)
 *   FCR / IIR           yes                    IIR, FIFO bits its own / FIFO reset and trigger; FIFO stays on
 *   LCR                 yes                    what it wrote / never (8N1, no break, DLAB off)
 *   MCR                 yes                    what it wrote / OUT1/OUT2; DTR and RTS on, loopback off
 *   LSR                 yes                    the UART's, once THR is empty (Skiff waits for it)
 *   SCR                 yes                    the UART's (no driver polls it: an exit to count, for tests)
 *   MSR                 only in loopback       the UART's (loopback: emulated)
 *
 * The real UART's DLAB is never set, so the guest's DLAB is Skiff's to keep:
 * while it is set, offsets 0 and 1 exit and are the guest's divisor latch;
 * while the guest's MCR asks for loopback, its MSR reads exit and reflect MCR
 * (vmx/policy/io_bitmap.c keeps the bitmaps in step, on the LCR or MCR exit).
 *
 * A guest sends a byte as on the bare machine: it reads LSR until THR is
 * empty, then writes THR.  The LSR read exits, and Skiff answers it once the
 * UART's THR is empty (or after a bounded wait, as serial_putc), so a polling
 * guest costs one exit per byte and its polling runs in VMX root operation;
 * the THR write goes to the UART.  Its bytes are never lost (it writes after
 * seeing THR empty, and Skiff, which also waits for THR empty before each
 * byte of its own, keeps the FIFO on).  Skiff's
 * lines start at the beginning of a line (kernel/console/console.c: a line break
 * first when the guest ran since Skiff's last line), and the LSR answer
 * waits while another CPU is in the middle of a Skiff line; with several
 * vCPUs, a guest byte whose LSR read came just before Skiff's line began can
 * still land inside it (one byte a line at most, from a guest that polls).
 *
 * IER is the guest's: the UART's interrupt line goes to the guest's PIC or
 * IOAPIC (Skiff polls and takes no interrupts), so its receive and THRE
 * interrupts work as on hardware; Skiff's own bytes may raise THRE too.
 * Wider accesses that touch an exiting register are split into bytes.
 *
 * Not mediated here: the chipset decode of the UART's ports, e.g. the LPC
 * bridge's I/O decode registers (Intel PCH LPC 0:31.0, 0x80 LPC_IOD and 0x82
 * LPC_EN bit 0 COMA_LPC_EN), which PCI configuration space reaches; that is
 * for the PCI configuration mediation (README, "The console").  Bochs' PIIX
 * and QEMU decode COM1 unconditionally.
 */
enum {
    UART_DATA = 0, UART_IER = 1, UART_FCR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};
#define UART_LCR_DLAB 0x80
#define UART_MCR_LOOP 0x10

static struct {
    uint8_t lcr, mcr, fcr, dll, dlm;
} guest_uart = { .lcr = 0x03, .mcr = 0x03, .fcr = 0x01 };

/* Does [port, port + size) touch the console UART? */
static inline __attribute__((always_inline)) bool console_access(uint16_t port, unsigned size)
{
    return !skiff_cfg.console_none && port < skiff_cfg.serial_port + 8u && port + size > skiff_cfg.serial_port;
}

/* LSR once THR is empty (bounded: a stuck UART must not hang Skiff); the error bits 1-4, which a
 * read clears (PC16550D), are those of every read taken. */
static uint8_t uart_lsr_when_thr_empty(uint16_t lsr)
{
    console_wait_idle();                 /* not while another CPU prints a Skiff line */
    uint8_t v = inb(lsr), errors = v & 0x1e;
    for (unsigned spin = 0; !(v & 0x20) && spin < 1000000; spin++) {
        cpu_pause();
        v = inb(lsr);
        errors |= v & 0x1e;
    }
    return v | errors;
}

/* The console UART's rows of the I/O bitmaps follow the guest's DLAB and loopback bits. */
static void uart_bitmap_sync(void)
{
    io_bitmap_uart(guest_uart.lcr & UART_LCR_DLAB, guest_uart.mcr & UART_MCR_LOOP);
}

/* Bit port & 63 set: a port of PCI configuration mechanism #1 or of the console UART has that slot, so a
 * one-byte OUT there takes the PCI and UART checks; any other byte goes to its port at once. */
static uint64_t io_mediated_slots;

void io_exit_init(void)
{
    for (unsigned p = 0xcf8; p <= 0xcff; p++)
        io_mediated_slots |= 1ull << (p & 63);
    if (!skiff_cfg.console_none)
        for (unsigned p = skiff_cfg.serial_port; p < skiff_cfg.serial_port + 8u; p++)
            io_mediated_slots |= 1ull << (p & 63);
    uint16_t divisor = (uint16_t)(115200 / (skiff_cfg.baud ? skiff_cfg.baud : 115200));
    guest_uart.dll = (uint8_t)divisor;                   /* the guest starts with Skiff's settings */
    guest_uart.dlm = (uint8_t)(divisor >> 8);
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
    case UART_LSR:  return uart_lsr_when_thr_empty(p);
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
            outb(p, v);                                  /* a wide access that reached THR */
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
        if ((guest_uart.lcr ^ v) & UART_LCR_DLAB) {
            guest_uart.lcr = v;
            uart_bitmap_sync();                          /* offsets 0 and 1 exit while DLAB is set */
        }
        guest_uart.lcr = v;
        return;
    case UART_MCR:
        if ((guest_uart.mcr ^ v) & UART_MCR_LOOP) {
            guest_uart.mcr = v;
            uart_bitmap_sync();                          /* MSR exits while loopback is on */
        }
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
    if (pci_io_port(port, size))
        return pci_io_in(port, size);
    if (console_access(port, size)) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            uint16_t q = (uint16_t)(port + i);
            uint8_t b = console_access(q, 1) ? uart_in(q - skiff_cfg.serial_port) : inb(q);
            v |= (uint32_t)b << (8 * i);
        }
        return v;
    }
    return in_sized(port, size);
}

/* The console UART's bytes of an OUT, one register at a time (out of line: the I/O exit's frame stays small). */
static __attribute__((noinline)) void console_out(uint16_t port, unsigned size, uint32_t val)
{
    for (unsigned i = 0; i < size; i++) {
        uint16_t q = (uint16_t)(port + i);
        uint8_t b = (uint8_t)(val >> (8 * i));
        if (console_access(q, 1))
            uart_out(q - skiff_cfg.serial_port, b);
        else
            outb(q, b);
    }
}

static inline __attribute__((always_inline)) void port_out(uint16_t port, unsigned size, uint32_t val)
{
    if (console_access(port, size))
        console_out(port, size, val);
    else
        out_sized(port, size, val);
}

static __attribute__((cold, noinline)) enum exit_action io_effect_stop(struct vcpu *v, enum io_effect e,
                                                                       const struct io_hit *hit)
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
static inline __attribute__((always_inline)) enum exit_action out_one(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    struct io_hit hit;
    enum io_effect e = io_policy_out(&io_policy, port, size, val, &hit);
    if (__builtin_expect(e != IO_PASS, 0))
        return io_effect_stop(v, e, &hit);
    val = hit.write;                                   /* the A20 gate kept on */
    if (pci_io_port(port, size))
        return pci_io_out(v, port, size, val);
    port_out(port, size, val);
    return EXIT_RESUME;
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

/*
 * The refusal of a string I/O operand Skiff may not reach, by name.  Skiff performs the memory
 * side of an intercepted INS or OUTS (SDM Vol. 3C 26.1.3: the VM exit comes before any of it), so
 * the operand gets every check the guest's own access would (vmx/emulate/guest_mem.h); string
 * I/O into a page whose writes Skiff mediates (read-only in the EPT) is refused rather than
 * mediated: no device register is the target of a REP INS in any driver Skiff knows of.
 */
static enum exit_action string_io_refuse(struct vcpu *v, const struct io_access *io, const struct guest_fault *f)
{
    const char *insn = io->in ? "INS" : "OUTS";
    unsigned long long gla = (unsigned long long)f->gla, gpa = (unsigned long long)f->gpa;
    switch (f->status) {
    case GUEST_MEM_READ_ONLY:
        return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: %s to port 0x%x at linear 0x%llx writes GPA 0x%llx, which "
                         "the EPT maps read-only (Skiff mediates writes there): string I/O into it is refused",
                         insn, io->port, gla, gpa);
    case GUEST_MEM_NOT_RAM:
        return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: %s to port 0x%x at linear 0x%llx reaches GPA 0x%llx, which "
                         "is not guest RAM: string I/O to or from it is refused", insn, io->port, gla, gpa);
    case GUEST_MEM_TABLE:
        return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: %s to port 0x%x at linear 0x%llx: the guest's page walk "
                         "reads GPA 0x%llx, which is not guest RAM", insn, io->port, gla, gpa);
    default:
        /* The guest pointed a string instruction at memory outside the guest. */
        return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: %s to port 0x%x at linear 0x%llx reaches memory outside "
                         "the guest", insn, io->port, gla);
    }
}

/* INS/OUTS (rare: no driver Skiff knows of uses them on an exiting port in its hot path): out of
 * line, so the plain IN/OUT below keeps a small frame. */
static __attribute__((noinline)) enum exit_action string_io(struct vcpu *v, const struct io_access *io)
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
    struct guest_fault f = { .status = GUEST_MEM_OK };
    struct guest_paging paging;
    guest_paging_now(&paging);

    for (; done < count && done < REP_CHUNK; done++) {
        uint64_t gla = base + (*pidx & amask);
        uint32_t val = 0;
        if (io->in) {
            /* The destination is checked before the port is read, so a fault consumes no input. */
            if (guest_access(&paging, gla, 0, io->size, GUEST_CHECK_WRITE, &f) != GUEST_MEM_OK)
                break;
            val = port_in(io->port, io->size);
            if (guest_access(&paging, gla, &val, io->size, GUEST_COPY_TO, &f) != GUEST_MEM_OK)
                break;
        } else {
            if (guest_access(&paging, gla, &val, io->size, GUEST_COPY_FROM, &f) != GUEST_MEM_OK)
                break;
            if (out_one(v, io->port, io->size, val) == EXIT_STOP)
                return EXIT_STOP;
        }
        *pidx = (*pidx & ~amask) | ((*pidx + step) & amask);
    }
    /* The iterations done stay done, also before a fault (SDM Vol. 2B REP: a fault leaves RCX and the
     * index registers where that iteration found them, RIP at the instruction). */
    if (io->rep)
        v->regs.rcx = (v->regs.rcx & ~amask) | ((v->regs.rcx - done) & amask);
    if (f.status != GUEST_MEM_OK) {
        if (guest_fault_inject(v, &f, seg == 2))
            return EXIT_RESUME;             /* #PF or #GP for the guest, as on the bare machine */
        return string_io_refuse(v, io, &f);
    }
    if (!io->rep || done == count)
        vcpu_skip_insn(v);                    /* else: re-execute for the rest */
    return EXIT_RESUME;
}

static __attribute__((noinline)) enum exit_action string_io_exit(struct vcpu *v, uint64_t qual)
{
    struct io_access io;
    vmx_decode_io(qual, &io);
    return string_io(v, &io);
}

/* Everything but a one-byte OUT: IN, wider OUTs (string I/O went out of line before). */
static __attribute__((noinline)) enum exit_action io_exit_other(struct vcpu *v, uint64_t qual)
{
    unsigned size = (unsigned)(qual & 7) + 1;
    uint16_t port = (uint16_t)(qual >> 16);
    uint64_t *rax = &v->regs.rax;
    if (qual & (1u << 3)) {
        uint32_t val = port_in(port, size);
        if (size == 4)
            *rax = val;                                /* 32-bit results zero-extend */
        else
            *rax = (*rax & ~((1ull << (size * 8)) - 1)) | val;
    } else {
        uint32_t val = (uint32_t)(*rax & (size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1));
        if (out_one(v, port, size, val) == EXIT_STOP)
            return EXIT_STOP;
    }
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}

/* A one-byte OUT: out_one with the size known (a function of its own, so the frame is only its). */
static __attribute__((noinline, hot, optimize("omit-frame-pointer"))) enum exit_action out_byte(struct vcpu *v,
                                                                                              uint32_t port)
{
    struct io_hit hit;
    enum io_effect e = io_policy_out_byte(&io_policy, (uint16_t)port, (uint8_t)v->regs.rax, &hit);
    if (__builtin_expect(e != IO_PASS, 0))
        return io_effect_stop(v, e, &hit);
    if (!((io_mediated_slots >> (port & 63)) & 1)) {
        outb((uint16_t)port, (uint8_t)hit.write);
    } else if (port - 0xcf8 < 8) {                      /* pci_io_port for one byte */
        if (pci_io_out(v, (uint16_t)port, 1, hit.write) == EXIT_STOP)
            return EXIT_STOP;
    } else if (port - skiff_cfg.serial_port < 8u && !skiff_cfg.console_none) {   /* console_access, one byte */
        console_out((uint16_t)port, 1, hit.write);
    } else {
        outb((uint16_t)port, (uint8_t)hit.write);
    }
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}

/*
 * The I/O exit, the most frequent one (a guest's console bytes).  Its budget is counted by make
 * bench ("OUT to an intercepted port round trip"): the qualification decoded in place (SDM Vol. 3C
 * Table 28-5: size - 1 in bits 2:0, IN in bit 3, string in bit 4, port in bits 31:16); a one-byte
 * OUT is out_one with the size known, everything else and every verdict out of line.
 */
enum exit_action handle_io(struct vcpu *v)
{
    uint64_t qual = vcpu_qual(v);
    if (__builtin_expect(qual & 0x1f, 0))              /* string I/O, IN, or an OUT of 2 or 4 bytes */
        return qual & (1u << 4) ? string_io_exit(v, qual) : io_exit_other(v, qual);
    return out_byte(v, (uint32_t)qual >> 16);
}
