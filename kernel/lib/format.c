#include "kernel/lib/format.h"

#include <stdbool.h>
#include <stdint.h>

struct fmt_spec {
    bool left;
    bool zero;
    int width;
    int precision; /* -1: none */
};

static size_t emit_padded(format_put_fn put, void *ctx, const char *s, size_t len,
                          const struct fmt_spec *sp, bool numeric_zero)
{
    size_t n = 0;
    size_t pad = sp->width > 0 && (size_t)sp->width > len ? (size_t)sp->width - len : 0;
    char padc = (numeric_zero && sp->zero && !sp->left) ? '0' : ' ';

    /* A sign stays in front of zero padding. */
    if (padc == '0' && len > 0 && s[0] == '-') {
        put(ctx, '-');
        n++;
        s++;
        len--;
    }
    if (!sp->left)
        for (; pad; pad--, n++)
            put(ctx, padc);
    for (size_t i = 0; i < len; i++, n++)
        put(ctx, s[i]);
    for (; pad; pad--, n++)
        put(ctx, ' ');
    return n;
}

static size_t utoa(char *out, uint64_t v, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    size_t n = 0;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

size_t format(format_put_fn put, void *ctx, const char *fmt, va_list ap)
{
    size_t n = 0;

    while (*fmt) {
        if (*fmt != '%') {
            put(ctx, *fmt++);
            n++;
            continue;
        }
        fmt++;

        struct fmt_spec sp = { .precision = -1 };
        for (;; fmt++) {
            if (*fmt == '-')
                sp.left = true;
            else if (*fmt == '0')
                sp.zero = true;
            else
                break;
        }
        if (*fmt == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = -sp.width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                sp.width = sp.width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            sp.precision = 0;
            if (*fmt == '*') {
                sp.precision = va_arg(ap, int);
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    sp.precision = sp.precision * 10 + (*fmt++ - '0');
            }
        }

        int lng = 0; /* 0: int, 1: long, 2: long long, 3: size_t */
        if (*fmt == 'l') {
            lng = 1;
            fmt++;
            if (*fmt == 'l') {
                lng = 2;
                fmt++;
            }
        } else if (*fmt == 'z') {
            lng = 3;
            fmt++;
        }

        char buf[32];
        size_t len = 0;
        char conv = *fmt ? *fmt++ : '\0';

        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v = lng == 0 ? va_arg(ap, int)
                      : lng == 1 ? va_arg(ap, long)
                      : lng == 2 ? va_arg(ap, long long)
                                 : (int64_t)va_arg(ap, size_t);
            uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            if (v < 0)
                buf[len++] = '-';
            len += utoa(buf + len, mag, 10, false);
            n += emit_padded(put, ctx, buf, len, &sp, true);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = lng == 0 ? va_arg(ap, unsigned int)
                       : lng == 1 ? va_arg(ap, unsigned long)
                       : lng == 2 ? va_arg(ap, unsigned long long)
                                  : va_arg(ap, size_t);
            len = utoa(buf, v, conv == 'u' ? 10 : 16, conv == 'X');
            n += emit_padded(put, ctx, buf, len, &sp, true);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            buf[0] = '0';
            buf[1] = 'x';
            len = 2 + utoa(buf + 2, v, 16, false);
            n += emit_padded(put, ctx, buf, len, &sp, false);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t slen = 0;
            /* Check the precision first: s need not be terminated past it. */
            while ((sp.precision < 0 || slen < (size_t)sp.precision) && s[slen])
                slen++;
            n += emit_padded(put, ctx, s, slen, &sp, false);
            break;
        }
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            n += emit_padded(put, ctx, buf, 1, &sp, false);
            break;
        case '%':
            put(ctx, '%');
            n++;
            break;
        case '\0':
            break;
        default: /* unknown conversion: print it verbatim */
            put(ctx, '%');
            put(ctx, conv);
            n += 2;
            break;
        }
    }
    return n;
}

struct sn_ctx {
    char *buf;
    size_t size;
    size_t pos;
};

static void sn_put(void *p, char c)
{
    struct sn_ctx *ctx = p;
    if (ctx->pos + 1 < ctx->size)
        ctx->buf[ctx->pos] = c;
    ctx->pos++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sn_ctx ctx = { buf, size, 0 };
    format(sn_put, &ctx, fmt, ap);
    if (size)
        buf[ctx.pos < size ? ctx.pos : size - 1] = '\0';
    return (int)ctx.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return r;
}
