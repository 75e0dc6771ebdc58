#include "console.h"

#include <stdarg.h>

#include "format.h"
#include "serial.h"

static struct {
    bool ready;
    bool none;
    uint16_t port;
    enum log_level level;
    char early[8192];
    uint32_t early_len;
    bool guest_midline;     /* the guest's output left a line unfinished */
} con = { .level = LOG_DEBUG };

static void con_put(void *ctx, char c)
{
    (void)ctx;
    if (!con.ready) {
        if (con.early_len < sizeof(con.early))
            con.early[con.early_len++] = c;
        return;
    }
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
    con.level = cfg->loglevel;
    if (!con.none)
        serial_init(con.port, cfg->baud);
    con.ready = true;
    for (uint32_t i = 0; i < con.early_len; i++)
        con_put(0, con.early[i]);
    con.early_len = 0;
}

void console_set_level(enum log_level level) { con.level = level; }

bool console_enabled(enum log_level level) { return level <= con.level; }

void console_flush(void)
{
    if (con.ready && !con.none)
        serial_flush(con.port);
}

void console_note_guest_byte(char c) { con.guest_midline = c != '\n'; }

/* Skiff's lines start at the beginning of a line, even when the guest left one unfinished. */
static void line_start(void)
{
    if (con.guest_midline) {
        con.guest_midline = false;
        con_put(0, '\n');
    }
}

void console_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        con_put(0, s[i]);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    line_start();
    va_start(ap, fmt);
    format(con_put, 0, fmt, ap);
    va_end(ap);
}

void klog(enum log_level level, const char *fmt, ...)
{
    if (level > con.level)
        return;
    va_list ap;
    line_start();
    va_start(ap, fmt);
    format(con_put, 0, fmt, ap);
    va_end(ap);
}
