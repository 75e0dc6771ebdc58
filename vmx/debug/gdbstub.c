/*
 * gdb remote-serial-protocol stub for the guest, on a UART of its own, polled.
 *
 * Protocol (gdb manual, "Remote Protocol"): a packet is `$data#cs`, cs the
 * sum of the data bytes modulo 256 as two hex digits; the receiver answers
 * `+` (good) or `-` (resend).  A 0x03 byte outside a packet asks a running
 * target to stop ("Interrupts").  Without a target description gdb uses its
 * amd64 layout: rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rip (8 bytes each),
 * eflags cs ss ds es fs gs (4 bytes each), little endian, numbered 0..23; a
 * shorter `g` reply leaves the rest (x87, SSE, ...) unavailable.
 *
 * VMX mechanics:
 * - Single step: the monitor-trap-flag control (SDM Vol. 3C 25.6.2, Table
 *   25-6 bit 27; 26.5.2): the guest executes one instruction after VM entry,
 *   then an MTF VM exit happens.  When that instruction itself exits and
 *   Skiff emulates it, the MTF exit would only come after the *next* one, so
 *   the stub injects a pending MTF VM exit (interruption type 7 "other
 *   event", vector 0, SDM 25.8.3), which happens before the guest executes
 *   anything more.  An injected exception also ends the step before its
 *   handler's first instruction (26.5.2).
 * - Breakpoints: INT3 (0xCC) in guest memory; bit 3 of the exception bitmap
 *   (SDM 25.6.3) makes #BP exit.  The exit is a software exception
 *   (interruption type 6, 28.2.2) that was not delivered: RIP still holds
 *   the INT3's address.  To resume from a breakpoint the original byte goes
 *   back for one MTF step, then the INT3 is re-inserted.
 * - Guest memory goes through the guest's page tables and the EPT
 *   (vmx/emulate/guest_mem.h): Skiff's own pages are absent from the EPT, so gdb
 *   cannot reach them (E01).
 */
#include "vmx/debug/gdbstub.h"
#include "vmx/vcpu/vcpu_ops.h"

#include "kernel/console/console.h"
#include "kernel/console/serial.h"
#include "kernel/cpu/cpu.h"
#include "kernel/lib/format.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "vmx/core/exit_reasons.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_caps.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/core/vmx_on.h"
#include "vmx/emulate/guest_mem.h"
#include "vmx/policy/io_bitmap.h"

#define PACKET_MAX    1024       /* data bytes per packet; qSupported PacketSize */
#define BREAKPOINTS   32
#define NREGS         24         /* rax..gs */
#define X86_TRAP_BP   3
#define GDB_SIGINT    2
#define GDB_SIGTRAP   5

bool gdb_enabled;

static struct {
    uint16_t port;
    bool have_mtf;
    bool mtf;                    /* the MTF control is set for the next entry */
    bool step;                   /* gdb waits for the end of a single step */
    bool running;                /* gdb waits for a stop reply */
    int lifted;                  /* breakpoint whose byte is out for one MTF step, -1 none */
    int last_sig;
    uint8_t stop_on[(EXIT_REASON_MAX + 7) / 8];
    struct { uint64_t addr; uint8_t orig; bool used; } bp[BREAKPOINTS];
    char in[PACKET_MAX + 1], out[PACKET_MAX + 1];
} gdb = { .lifted = -1 };

static const char hexdig[] = "0123456789abcdef";

/* ---- packets ---- */

static int getc_wait(void)
{
    int c;
    while ((c = serial_getc(gdb.port)) < 0)
        cpu_pause();
    return c;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The next well-formed packet's data (acked), NUL-terminated. */
static char *get_packet(void)
{
    int c = getc_wait();
    for (;;) {
        while (c != '$')
            c = getc_wait();
        size_t n = 0;
        uint8_t sum = 0;
        while ((c = getc_wait()) != '#' && c != '$') {
            if (n < PACKET_MAX)
                gdb.in[n] = (char)c;
            n++;
            sum += (uint8_t)c;
        }
        if (c == '$')                            /* a new start: gdb gave up on that one */
            continue;
        int hi = hexval(getc_wait()), lo = hexval(getc_wait());
        if (hi < 0 || lo < 0 || (uint8_t)(hi << 4 | lo) != sum || n > PACKET_MAX) {
            serial_putc(gdb.port, '-');
            c = getc_wait();
            continue;
        }
        serial_putc(gdb.port, '+');
        gdb.in[n] = '\0';
        return gdb.in;
    }
}

static void send_raw(const char *data)
{
    uint8_t sum = 0;
    serial_putc(gdb.port, '$');
    for (const char *p = data; *p; p++) {
        serial_putc(gdb.port, *p);
        sum += (uint8_t)*p;
    }
    serial_putc(gdb.port, '#');
    serial_putc(gdb.port, hexdig[sum >> 4]);
    serial_putc(gdb.port, hexdig[sum & 15]);
}

/* Send and wait for gdb's `+`, resending on `-`. */
static void put_packet(const char *data)
{
    for (;;) {
        send_raw(data);
        int c;
        do
            c = getc_wait();
        while (c != '+' && c != '-');
        if (c == '+')
            return;
    }
}

static char *put_hex(char *p, const void *src, size_t n)
{
    const uint8_t *s = src;
    for (size_t i = 0; i < n; i++) {
        *p++ = hexdig[s[i] >> 4];
        *p++ = hexdig[s[i] & 15];
    }
    *p = '\0';
    return p;
}

/* n bytes of hex pairs from *s into dst; false on a bad digit. */
static bool get_hex_bytes(const char **s, void *dst, size_t n)
{
    uint8_t *d = dst;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval((*s)[0]), lo = hi < 0 ? -1 : hexval((*s)[1]);
        if (lo < 0)
            return false;
        d[i] = (uint8_t)(hi << 4 | lo);
        *s += 2;
    }
    return true;
}

/* A big-endian hex number (addresses, lengths, register numbers). */
static uint64_t get_num(const char **s)
{
    uint64_t v = 0;
    int d;
    while ((d = hexval(**s)) >= 0) {
        v = v << 4 | (uint64_t)d;
        (*s)++;
    }
    return v;
}

/* `O` console output to gdb (allowed while gdb waits for a stop reply or a qRcmd answer). */
static void gdb_print(const char *text)
{
    size_t n = strlen(text);
    if (n > (PACKET_MAX - 1) / 2)
        n = (PACKET_MAX - 1) / 2;
    gdb.out[0] = 'O';
    put_hex(gdb.out + 1, text, n);
    put_packet(gdb.out);
}

/* ---- registers ---- */

static const uint32_t seg_field[6] = { GUEST_CS_SELECTOR, GUEST_SS_SELECTOR, GUEST_DS_SELECTOR,
                                       GUEST_ES_SELECTOR, GUEST_FS_SELECTOR, GUEST_GS_SELECTOR };

static uint64_t *gpr(struct vcpu *v, unsigned n)
{
    struct guest_regs *r = &v->regs;
    uint64_t *const map[16] = { &r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi, &r->rbp, NULL,
                                &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
    return map[n];
}

static unsigned reg_size(unsigned n) { return n <= 16 ? 8 : 4; }

static uint64_t reg_get(struct vcpu *v, unsigned n)
{
    switch (n) {
    case 7: return vmcs_read(GUEST_RSP);
    case 16: return vmcs_read(GUEST_RIP);
    case 17: return vmcs_read(GUEST_RFLAGS);
    default: return n >= 18 ? vmcs_read(seg_field[n - 18]) : *gpr(v, n);
    }
}

/* Selectors are not writable: a new selector needs a new base and access rights too. */
static bool reg_set(struct vcpu *v, unsigned n, uint64_t val)
{
    switch (n) {
    case 7: return vmcs_set(GUEST_RSP, val);
    case 16: return vmcs_set(GUEST_RIP, val);
    case 17: return vmcs_set(GUEST_RFLAGS, (val & 0x3f7fd7) | 2);   /* reserved bits 0, bit 1 set */
    default:
        if (n >= 18)
            return val == reg_get(v, n);
        *gpr(v, n) = val;
        return true;
    }
}

/* ---- guest memory and breakpoints ---- */

/*
 * Copy between the stub and guest-linear memory; returns the bytes done.
 * Writes need only read access in the guest's page tables: a debugger
 * patches code the guest maps read-only.
 */
static size_t mem_copy(uint64_t gla, uint8_t *buf, size_t len, bool write)
{
    size_t done = 0;
    while (done < len) {
        uint64_t gpa;
        size_t chunk = PAGE_SIZE - (gla & (PAGE_SIZE - 1));
        if (chunk > len - done)
            chunk = len - done;
        uint64_t bad;
        /* Only guest RAM, and writes only where the EPT lets the guest write (vmx/emulate/guest_mem.h):
         * a breakpoint in a page whose writes Skiff mediates is refused, not written behind it. */
        if (!guest_linear_to_phys(gla, GW_DEBUG, &gpa) || guest_phys_check(gpa, chunk, write, &bad) != GUEST_MEM_OK)
            break;
        if (write)
            memcpy(phys_to_virt(gpa), buf + done, chunk);
        else
            memcpy(buf + done, phys_to_virt(gpa), chunk);
        gla += chunk;
        done += chunk;
    }
    return done;
}

static int bp_find(uint64_t addr)
{
    for (int i = 0; i < BREAKPOINTS; i++)
        if (gdb.bp[i].used && gdb.bp[i].addr == addr)
            return i;
    return -1;
}

static bool bp_insert(uint64_t addr)
{
    uint8_t orig, cc = 0xcc;
    if (bp_find(addr) >= 0)
        return true;
    for (int i = 0; i < BREAKPOINTS; i++) {
        if (gdb.bp[i].used)
            continue;
        if (mem_copy(addr, &orig, 1, false) != 1 || mem_copy(addr, &cc, 1, true) != 1)
            return false;
        gdb.bp[i].addr = addr;
        gdb.bp[i].orig = orig;
        gdb.bp[i].used = true;
        return true;
    }
    return false;
}

static void bp_remove(int i)
{
    if (i < 0)
        return;
    if (gdb.lifted == i)
        gdb.lifted = -1;                         /* the original byte is already back */
    else
        mem_copy(gdb.bp[i].addr, &gdb.bp[i].orig, 1, true);
    gdb.bp[i].used = false;
}

/* gdb sees and writes the original bytes under inserted breakpoints. */
static void bp_shadow(uint64_t addr, uint8_t *buf, size_t len, bool write)
{
    for (int i = 0; i < BREAKPOINTS; i++) {
        uint64_t off = gdb.bp[i].addr - addr;
        if (!gdb.bp[i].used || off >= len)
            continue;
        if (write) {
            gdb.bp[i].orig = buf[off];
            if (gdb.lifted != i)
                buf[off] = 0xcc;
        } else {
            buf[off] = gdb.bp[i].orig;
        }
    }
}

/* ---- running and stopping ---- */

static void set_mtf(bool on)
{
    uint64_t proc = vmcs_read(CPU_BASED_VM_EXEC_CONTROL);
    vmcs_set(CPU_BASED_VM_EXEC_CONTROL,
             on ? proc | CPU_BASED_MONITOR_TRAP_FLAG : proc & ~(uint64_t)CPU_BASED_MONITOR_TRAP_FLAG);
    gdb.mtf = on;
}

/* Set up the next VM entry for `c` or `s`: a breakpoint under RIP is lifted for one MTF step. */
static void resume(bool step)
{
    int i = bp_find(vmcs_read(GUEST_RIP));
    if (i >= 0 && gdb.lifted < 0 && gdb.have_mtf) {
        mem_copy(gdb.bp[i].addr, &gdb.bp[i].orig, 1, true);
        gdb.lifted = i;
    }
    gdb.step = step;
    set_mtf(step || gdb.lifted >= 0);
    gdb.running = true;
}

static void monitor(const char *hex)
{
    char cmd[128], msg[PACKET_MAX / 2 - 1];
    size_t n = strlen(hex) / 2;
    if (n >= sizeof(cmd) || !get_hex_bytes(&hex, cmd, n)) {
        gdb_print("monitor: command too long\n");
        return;
    }
    cmd[n] = '\0';
    if (strncmp(cmd, "stop-on", 7) || (cmd[7] && cmd[7] != ' ')) {
        gdb_print("Skiff monitor commands:\n"
                  "  monitor stop-on                 list the exit reasons that stop the guest\n"
                  "  monitor stop-on ID[,ID...]      stop (SIGTRAP) before handling these exits, e.g. CPUID,HLT (HLT: with hlt=exit)\n"
                  "  monitor stop-on none            stop on no exit reason\n");
        return;
    }
    const char *p = cmd + 7;
    while (*p == ' ')
        p++;
    if (*p && strcmp(p, "none")) {
        uint8_t set[sizeof(gdb.stop_on)] = { 0 };
        while (*p) {
            size_t len = 0;
            while (p[len] && p[len] != ',' && p[len] != ' ')
                len++;
            unsigned r = 0;
            for (; r < EXIT_REASON_MAX; r++) {
                const char *id = vmx_exit_reason_id(r);
                if (strcmp(id, "UNKNOWN") && strlen(id) == len && !strncmp(id, p, len))
                    break;
            }
            if (r == EXIT_REASON_MAX) {
                snprintf(msg, sizeof(msg), "monitor: unknown exit reason '%.*s' (names as in Skiff's "
                         "'exits:' line, e.g. CPUID, IO_INSTRUCTION)\n", (int)len, p);
                gdb_print(msg);
                return;
            }
            set[r / 8] |= (uint8_t)(1u << (r % 8));
            p += len;
            while (*p == ',' || *p == ' ')
                p++;
        }
        memcpy(gdb.stop_on, set, sizeof(set));
    } else if (*p) {
        memset(gdb.stop_on, 0, sizeof(gdb.stop_on));
    }
    size_t m = (size_t)snprintf(msg, sizeof(msg), "stop-on:");
    for (unsigned r = 0; r < EXIT_REASON_MAX && m < sizeof(msg); r++)
        if (gdb.stop_on[r / 8] & (1u << (r % 8)))
            m += (size_t)snprintf(msg + m, sizeof(msg) - m, " %s", vmx_exit_reason_id(r));
    if (m < sizeof(msg))
        snprintf(msg + m, sizeof(msg) - m, "%s\n", m == 8 ? " none" : "");
    gdb_print(msg);
}

/* Answer one query (`q...`) into gdb.out. */
static void query(const char *q)
{
    char *o = gdb.out;
    if (!strncmp(q, "Supported", 9))
        snprintf(o, PACKET_MAX, "PacketSize=%x", PACKET_MAX);
    else if (!strcmp(q, "Attached"))
        o[0] = '1', o[1] = '\0';                 /* an existing process: quitting gdb detaches */
    else if (!strcmp(q, "C"))
        snprintf(o, PACKET_MAX, "QC1");
    else if (!strcmp(q, "fThreadInfo"))
        snprintf(o, PACKET_MAX, "m1");
    else if (!strcmp(q, "sThreadInfo"))
        snprintf(o, PACKET_MAX, "l");
    else if (!strncmp(q, "Rcmd,", 5)) {
        monitor(q + 5);
        snprintf(o, PACKET_MAX, "OK");
    }
}

/*
 * The guest is stopped: report `sig` if gdb waits for it, then serve gdb
 * until it resumes the guest (true) or kills it (false).
 */
static bool serve(struct vcpu *v, int sig)
{
    if (gdb.running) {
        snprintf(gdb.out, PACKET_MAX, "T%02xthread:1;", sig);
        put_packet(gdb.out);
    }
    gdb.running = false;
    gdb.last_sig = sig;
    for (;;) {
        const char *p = get_packet();
        char *o = gdb.out;
        uint64_t addr, len, val;
        uint8_t bytes[PACKET_MAX / 2];
        o[0] = '\0';
        switch (*p++) {
        case '?':
            snprintf(o, PACKET_MAX, "T%02xthread:1;", gdb.last_sig);
            break;
        case 'g':
            for (unsigned n = 0; n < NREGS; n++) {
                val = reg_get(v, n);
                o = put_hex(o, &val, reg_size(n));
            }
            break;
        case 'G':
            snprintf(o, PACKET_MAX, "OK");
            for (unsigned n = 0; n < NREGS && *p; n++) {
                val = 0;
                if (!get_hex_bytes(&p, &val, reg_size(n))) {
                    snprintf(o, PACKET_MAX, "E01");
                    break;
                }
                if (n < 18)                      /* selectors stay as they are */
                    reg_set(v, n, val);
            }
            break;
        case 'p':
            addr = get_num(&p);
            if (addr < NREGS) {
                val = reg_get(v, (unsigned)addr);
                put_hex(o, &val, reg_size((unsigned)addr));
            }                                    /* others: empty = unavailable */
            break;
        case 'P':
            addr = get_num(&p);
            val = 0;
            snprintf(o, PACKET_MAX, "E01");
            if (addr < NREGS && *p++ == '=' && get_hex_bytes(&p, &val, reg_size((unsigned)addr)) &&
                reg_set(v, (unsigned)addr, val))
                snprintf(o, PACKET_MAX, "OK");
            break;
        case 'm':
            addr = get_num(&p);
            len = *p == ',' ? (p++, get_num(&p)) : 0;
            if (len > sizeof(bytes))
                len = sizeof(bytes);
            len = mem_copy(addr, bytes, len, false);
            bp_shadow(addr, bytes, len, false);
            if (len)
                put_hex(o, bytes, len);
            else
                snprintf(o, PACKET_MAX, "E01");
            break;
        case 'M':
            addr = get_num(&p);
            len = *p == ',' ? (p++, get_num(&p)) : 0;
            snprintf(o, PACKET_MAX, "E01");
            if (len <= sizeof(bytes) && *p++ == ':' && get_hex_bytes(&p, bytes, len)) {
                bp_shadow(addr, bytes, len, true);
                if (mem_copy(addr, bytes, len, true) == len)
                    snprintf(o, PACKET_MAX, "OK");
            }
            break;
        case 'Z':
        case 'z':
            if (p[0] != '0' || p[1] != ',')
                break;                           /* software breakpoints only */
            p += 2;
            addr = get_num(&p);
            if (gdb.in[0] == 'Z')
                snprintf(o, PACKET_MAX, bp_insert(addr) ? "OK" : "E01");
            else
                bp_remove(bp_find(addr)), snprintf(o, PACKET_MAX, "OK");
            break;
        case 'c':
        case 's':
            if (*p) {
                addr = get_num(&p);
                vmcs_set(GUEST_RIP, addr);
            }
            if (gdb.in[0] == 's' && !gdb.have_mtf) {
                snprintf(o, PACKET_MAX, "E01");  /* no monitor trap flag: no single step */
                break;
            }
            resume(gdb.in[0] == 's');
            return true;
        case 'D':
            for (int i = 0; i < BREAKPOINTS; i++)
                if (gdb.bp[i].used)
                    bp_remove(i);
            memset(gdb.stop_on, 0, sizeof(gdb.stop_on));
            set_mtf(false);
            gdb.step = false;
            put_packet("OK");
            kprintf("skiff: gdb: detached, the guest runs on\n");
            return true;                         /* gdb.running stays false */
        case 'k':
            return false;
        case 'H':
        case 'T':
            snprintf(o, PACKET_MAX, "OK");
            break;
        case 'q':
            query(p);
            break;
        default:                                 /* vCont?, X, ...: unsupported, empty reply */
            break;
        }
        put_packet(gdb.out);
    }
}

static enum exit_action killed(struct vcpu *v)
{
    for (int i = 0; i < BREAKPOINTS; i++)
        if (gdb.bp[i].used)
            bp_remove(i);
    set_mtf(false);
    gdb.running = false;
    return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: killed by gdb");
}

bool gdb_init(struct vcpu *v, uint16_t port)
{
    if (!serial_init(port, 115200)) {
        pr_warn("skiff: warning: gdb=0x%x: no UART answers there, no gdb stub\n", port);
        return true;
    }
    gdb.port = port;
    gdb.have_mtf = vmx_allowed1(vmx_caps.proc_ctls) & CPU_BASED_MONITOR_TRAP_FLAG;
    /* The guest never touches the stub's UART: its ports exit (I/O bitmaps, SDM 25.6.4). */
    io_bitmap_stub_uart(port);
    vmcs_set(EXCEPTION_BITMAP, vmcs_read(EXCEPTION_BITMAP) | 1u << X86_TRAP_BP);
    gdb_enabled = true;
    gdb.last_sig = GDB_SIGTRAP;
    if (!gdb.have_mtf)
        pr_warn("skiff: warning: gdb: no monitor trap flag on this CPU: no single step\n");
    kprintf("skiff: gdb: waiting for gdb on UART 0x%x (115200 8N1), guest stopped at RIP=0x%llx\n",
            port, (unsigned long long)vmcs_read(GUEST_RIP));
    if (!serve(v, GDB_SIGTRAP)) {
        killed(v);
        return false;
    }
    return true;
}

bool gdb_on_exit(struct vcpu *v, uint32_t basic, enum exit_action *action)
{
    *action = EXIT_RESUME;
    if (basic == EXIT_REASON_MTF) {
        if (!gdb.mtf)
            return false;                        /* not ours: the unexpected-exit path */
        if (gdb.lifted >= 0) {
            if (!gdb.step && v->guest_rip == gdb.bp[gdb.lifted].addr)
                return true;                     /* nothing retired yet: step again */
            uint8_t cc = 0xcc;
            mem_copy(gdb.bp[gdb.lifted].addr, &cc, 1, true);
            gdb.lifted = -1;
        }
        set_mtf(false);
        if (!gdb.step)
            return true;                         /* stepped over a breakpoint: continue */
        gdb.step = false;
        if (!serve(v, GDB_SIGTRAP))
            *action = killed(v);
        return true;
    }
    if (basic == EXIT_REASON_EXCEPTION_NMI) {
        uint32_t info = (uint32_t)vmcs_read(VM_EXIT_INTR_INFO);
        if ((info & 0x7ff) == (INTR_TYPE_SW_EXCEPTION | X86_TRAP_BP)) {
            if (bp_find(v->guest_rip) >= 0) {
                if (!serve(v, GDB_SIGTRAP))
                    *action = killed(v);
                return true;
            }
            /* The guest's own INT3: deliver it as the CPU would have; the entry
             * instruction length moves RIP past it (SDM 25.8.3, 27.6.1.1). */
            vmcs_set(VM_ENTRY_INTR_INFO_FIELD, INTR_VALID | INTR_TYPE_SW_EXCEPTION | X86_TRAP_BP);
            vmcs_set(VM_ENTRY_INSTRUCTION_LEN, v->insn_len);
            return true;
        }
    }
    if (basic == EXIT_REASON_IO_INSTRUCTION) {
        /* Exit qualification (Table 28-5): size-1 in bits 2:0, IN in bit 3, port in 31:16. */
        uint32_t port = (uint32_t)(vcpu_qual(v) >> 16) & 0xffff, size = (vcpu_qual(v) & 7) + 1;
        if (port + size > gdb.port && port < (uint32_t)gdb.port + 8u) {
            if (vcpu_qual(v) & 8)                /* no UART here, as far as the guest can tell */
                v->regs.rax |= size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1;
            vcpu_skip_insn(v);
            return true;
        }
    }
    int sig = 0;
    if (gdb.running && serial_getc(gdb.port) == 0x03)
        sig = GDB_SIGINT;
    else if (basic < EXIT_REASON_MAX && (gdb.stop_on[basic / 8] & (1u << (basic % 8)))) {
        char msg[96];
        snprintf(msg, sizeof(msg), "skiff: stop-on: exit %s at RIP=0x%llx, not handled yet\n",
                 vmx_exit_reason_id(basic), (unsigned long long)v->guest_rip);
        if (gdb.running)
            gdb_print(msg);
        sig = GDB_SIGTRAP;
    }
    if (sig && !serve(v, sig)) {
        *action = killed(v);
        return true;
    }
    /* Mid-step, the handler emulates the instruction: end the step right after it. */
    if (gdb.mtf && !(vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_VALID))
        vmcs_set(VM_ENTRY_INTR_INFO_FIELD, INTR_VALID | INTR_TYPE_OTHER);
    return false;
}

void gdb_end(struct vcpu *v)
{
    char pkt[8];
    if (!gdb_enabled || !gdb.running)
        return;
    if (v->end == GUEST_EXITED || v->end == GUEST_POWERED_OFF)
        snprintf(pkt, sizeof(pkt), "W%02x", (unsigned)(v->guest_status & 0xff));
    else
        snprintf(pkt, sizeof(pkt), "X09");      /* ended otherwise: as if by SIGKILL */
    send_raw(pkt);                               /* no ack wait: gdb may be gone */
    serial_flush(gdb.port);
    gdb.running = false;
}
