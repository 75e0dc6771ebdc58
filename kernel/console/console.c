#include "kernel/console/console.h"

#include <stdarg.h>

#include "kernel/console/fbcon.h"
#include "kernel/console/serial.h"
#include "kernel/console/vgacon.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/percpu.h"
#include "kernel/lib/format.h"
#include "kernel/lib/lib.h"

enum screen_kind { SCREEN_NONE, SCREEN_FB, SCREEN_VGA };
static struct fbcon fbc;
static struct vgacon vgc;

static struct {
    bool ready;
    bool none;
    uint16_t port;
    uint32_t baud;
    enum log_level level;
    uint32_t early_len;
    enum screen_kind screen;
    bool screen_pending;    /* the screen may be attached later: keep what is said until then */
    bool screen_explicit;   /* console=...screen... */
    uint32_t backlog_len;
} con = { .level = LOG_DEBUG };

/*
 * One CPU writes at a time.  The holder may print again while it holds the
 * lock (a panic inside a print); a CPU that waited too long for a holder
 * that is gone (a panic elsewhere) writes anyway rather than hang.
 */
static struct spinlock con_lock_word;
static volatile int32_t con_owner = -1;
static unsigned con_depth;
static bool cpu_tags;       /* while several CPUs run the guest: `skiff: cpuN: ` */

static void con_lock(void)
{
    int32_t me = (int32_t)this_cpu()->cpu;
    if (con_owner == me) {
        con_depth++;
        return;
    }
    for (uint64_t spin = 0; !spin_trylock(&con_lock_word); spin++)
        if (spin > (1ull << 28))
            break;
    con_owner = me;
    con_depth = 1;
}

/* The CPU that ends the run takes the console from a CPU it parked (kernel/end/runend.c). */
void console_take_over(void)
{
    int32_t me = (int32_t)this_cpu()->cpu;
    if (con_owner == me)
        return;
    con_owner = -1;
    con_depth = 0;
    spin_unlock(&con_lock_word);
}

static void con_unlock(void)
{
    if (--con_depth)
        return;
    con_owner = -1;
    spin_unlock(&con_lock_word);
}

/* Buffers kept apart from `con` so that they land in .bss, not in the loadable image. */
static char con_early[8192];
static char con_backlog[16384];

/* The VGA hardware cursor follows the text (CRTC registers 0x0e/0x0f). */
static void vga_cursor(void)
{
    uint16_t crtc = (inb(0x3cc) & 1) ? 0x3d4 : 0x3b4;
    uint32_t pos = vgacon_cursor(&vgc);
    outb(crtc, 0x0f);
    outb((uint16_t)(crtc + 1), (uint8_t)pos);
    outb(crtc, 0x0e);
    outb((uint16_t)(crtc + 1), (uint8_t)(pos >> 8));
}

static void screen_put(char c)
{
    switch (con.screen) {
    case SCREEN_FB:
        fbcon_putc(&fbc, c);
        break;
    case SCREEN_VGA:
        vgacon_putc(&vgc, c);
        if (c == '\n')
            vga_cursor();
        break;
    default:
        if (con.screen_pending && con.backlog_len < sizeof(con_backlog))
            con_backlog[con.backlog_len++] = c;
        break;
    }
}

static bool serial_only;     /* the run's id: never on a screen, which the guest can read */
static uint64_t run_id;
static bool run_id_set;

static void con_put(void *ctx, char c)
{
    (void)ctx;
    if (!con.ready) {
        if (con.early_len < sizeof(con_early))
            con_early[con.early_len++] = c;
        return;
    }
    if (!serial_only)
        screen_put(c);
    if (con.none)
        return;
    if (c == '\n')
        serial_putc(con.port, '\r');
    serial_putc(con.port, c);
}

void console_init(const struct skiff_config *cfg)
{
    con.none = cfg->console_none;
    con.port = cfg->serial_port;
    con.baud = cfg->baud;
    con.level = cfg->loglevel;
    con.screen_pending = cfg->console_screen != CONSOLE_SCREEN_OFF;
    con.screen_explicit = cfg->console_screen == CONSOLE_SCREEN_ON;
    if (!con.none)
        serial_init(con.port, cfg->baud);
    con.ready = true;
    for (uint32_t i = 0; i < con.early_len; i++)
        con_put(0, con_early[i]);
    con.early_len = 0;
}

void console_screen_init(const struct mb2_info *mb)
{
    const char *why = "the boot loader left no framebuffer or text screen";
    const struct mb2_framebuffer *fb = &mb->fb;

    if (!con.screen_pending)
        return;
    if (mb->has_fb) {
        void *base = (void *)(uintptr_t)fb->addr;   /* identity mapped (paging_init) */
        if (fb->type == 2 && !(why = vgacon_init(&vgc, base, fb))) {
            vgacon_clear(&vgc);
            con.screen = SCREEN_VGA;
        } else if (fb->type == 1 && !(why = fbcon_init(&fbc, base, fb))) {
            fbcon_clear(&fbc);
            con.screen = SCREEN_FB;
        } else if (fb->type == 0) {
            why = "indexed-color framebuffer";
        }
    }
    con.screen_pending = false;
    for (uint32_t i = 0; i < con.backlog_len; i++)
        screen_put(con_backlog[i]);
    con.backlog_len = 0;
    if (con.screen == SCREEN_VGA) {
        vga_cursor();
        pr_info("skiff: console: screen: EGA text %ux%u at 0x%llx\n", fb->width, fb->height,
                (unsigned long long)fb->addr);
    } else if (con.screen == SCREEN_FB) {
        pr_info("skiff: console: screen: framebuffer %ux%ux%u at 0x%llx (%ux%u characters)\n",
                fb->width, fb->height, fb->bpp, (unsigned long long)fb->addr, fbc.cols, fbc.rows);
    } else if (con.screen_explicit) {
        pr_warn("skiff: warning: console=screen: %s\n", why);
    } else {
        pr_info("skiff: console: no screen: %s\n", why);
    }
}

void console_set_level(enum log_level level) { con.level = level; }

bool console_enabled(enum log_level level) { return level <= con.level; }

void console_flush(void)
{
    if (con.ready && !con.none)
        serial_flush(con.port);
}

void console_set_cpu_tags(bool on) { cpu_tags = on; }

void console_check_uart(void)
{
    if (!con.ready || con.none)
        return;
    struct serial_state st;
    serial_read_state(con.port, &st);
    bool ok = serial_state_ok(&st, con.baud);
    if (!ok)
        serial_init(con.port, con.baud);
    klog(ok ? LOG_INFO : LOG_WARN, "skiff: console: UART 0x%x %s: divisor %u (%u baud wanted), LCR 0x%02x, "
         "MCR 0x%02x, FIFO %s%s\n", con.port, ok ? "is Skiff's at the run end" : "was reprogrammed behind Skiff",
         st.divisor, con.baud, st.lcr, st.mcr, (st.iir & 0xc0) == 0xc0 ? "on" : "off", ok ? "" : ": restored");
}

volatile bool console_guest_wrote;

void console_wait_idle(void)
{
    int32_t me = (int32_t)this_cpu()->cpu;
    for (uint64_t spin = 0; spin < (1ull << 28); spin++) {
        int32_t owner = __atomic_load_n(&con_owner, __ATOMIC_ACQUIRE);
        if (owner < 0 || owner == me)
            return;
        cpu_pause();
    }
}

/* Skiff's lines start at the beginning of a line, even when the guest may have left one
 * unfinished (console.h); the screen shows only Skiff's lines, so it needs no break. */
static void line_start(void)
{
    if (!console_guest_wrote)
        return;
    console_guest_wrote = false;
    if (con.ready && !con.none) {
        serial_putc(con.port, '\r');
        serial_putc(con.port, '\n');
    }
}

void console_write(const char *s, size_t n)
{
    con_lock();
    for (size_t i = 0; i < n; i++)
        con_put(0, s[i]);
    con_unlock();
}

/* Nothing would show the text: no serial console, no screen now or later (console=none). */
static bool con_silent(void) { return con.ready && con.none && con.screen == SCREEN_NONE && !con.screen_pending; }

static void con_printf(const char *fmt, va_list ap)
{
    static const char tag[] = "skiff: ";
    if (con_silent())
        return;                          /* not even formatted: part of the boot figure of make bench */
    con_lock();
    line_start();
    if (cpu_tags && !strncmp(fmt, tag, sizeof(tag) - 1)) {
        char pre[24];
        int n = snprintf(pre, sizeof(pre), "skiff: cpu%u: ", this_cpu()->cpu);
        for (int i = 0; i < n; i++)
            con_put(0, pre[i]);
        fmt += sizeof(tag) - 1;
    }
    format(con_put, 0, fmt, ap);
    con_unlock();
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    con_printf(fmt, ap);
    va_end(ap);
}

void klog(enum log_level level, const char *fmt, ...)
{
    if (level > con.level)
        return;
    va_list ap;
    va_start(ap, fmt);
    con_printf(fmt, ap);
    va_end(ap);
}

bool console_run_id_init(void)
{
    uint64_t v = 0;
    bool random = false;
    if (cpuid(1, 0).ecx & (1u << 30))                    /* CPUID.1:ECX.RDRAND */
        for (unsigned i = 0; i < 10 && !(random = rdrand64(&v)); i++)
            ;
    if (!random)
        v = rdtsc() * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)&v;
    run_id = v;
    run_id_set = true;
    return random;
}

void console_line_run_id(const char *text)
{
    if (con_silent())
        return;
    con_lock();
    line_start();
    for (const char *p = text; *p; p++)
        con_put(0, *p);
    if (run_id_set && con.ready) {
        char id[32];
        int n = snprintf(id, sizeof(id), " run=%016llx", (unsigned long long)run_id);
        serial_only = true;
        for (int i = 0; i < n; i++)
            con_put(0, id[i]);
        serial_only = false;
    }
    con_put(0, '\n');
    con_unlock();
}
