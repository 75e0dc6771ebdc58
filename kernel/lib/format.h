/* Skiff's own printf engine: pure code, shared by the kernel and host tests. */
#ifndef SKIFF_KERNEL_FORMAT_H
#define SKIFF_KERNEL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_put_fn)(void *ctx, char c);

/*
 * Conversions: %d %i %u %x %X %p %s %c %%, with the flags '-' (left-align)
 * and '0' (zero-pad), a width (digits or '*'), a precision for %s ('.N' or
 * '.*'), and the length modifiers l, ll and z.  Returns the characters emitted.
 */
size_t format(format_put_fn put, void *ctx, const char *fmt, va_list ap);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
