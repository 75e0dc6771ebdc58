// SOURCES: kernel/lib/format.c
/* Skiff's printf engine (kernel/lib/format.c) against hand-computed strings. */
#include "tests/unit/unit.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "kernel/lib/format.h"

static char out[256];
static int ret;

/* Format into `out` (pre-filled with '~' so stray writes show) and keep the return value. */
__attribute__((format(printf, 1, 2))) static const char *F(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    memset(out, '~', sizeof out);
    ret = vsnprintf(out, sizeof out, fmt, ap);
    va_end(ap);
    return out;
}

/* Same, for formats the compiler's format checker would reject on purpose. */
static const char *F_raw(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    memset(out, '~', sizeof out);
    ret = vsnprintf(out, sizeof out, fmt, ap);
    va_end(ap);
    return out;
}

TEST(plain_text_and_percent)
{
    CHECK_STR(F("hello"), "hello");
    CHECK_EQ(ret, 5);
    CHECK_STR(F_raw(""), "");
    CHECK_EQ(ret, 0);
    CHECK_STR(F("100%%"), "100%");
    CHECK_EQ(ret, 4);
    CHECK_STR(F("%%%%"), "%%");
    CHECK_EQ(ret, 2);
}

TEST(signed_decimal)
{
    CHECK_STR(F("%d", 0), "0");
    CHECK_STR(F("%d", 42), "42");
    CHECK_STR(F("%d", -42), "-42");
    CHECK_STR(F("%i", 123), "123");
    CHECK_STR(F("%i", -7), "-7");
    CHECK_STR(F("%d", INT_MAX), "2147483647");
    CHECK_STR(F("%d", INT_MIN), "-2147483648");
    CHECK_EQ(ret, 11);
    CHECK_STR(F("%ld", LONG_MAX), "9223372036854775807");
    CHECK_STR(F("%ld", -1L), "-1");
    CHECK_STR(F("%lld", (long long)INT64_MIN), "-9223372036854775808");
    CHECK_EQ(ret, 20);
    CHECK_STR(F("%lli", (long long)INT64_MAX), "9223372036854775807");
}

TEST(unsigned_and_hex)
{
    CHECK_STR(F("%u", 0u), "0");
    CHECK_STR(F("%u", 4294967295u), "4294967295");
    CHECK_STR(F("%u", (unsigned)-1), "4294967295");
    CHECK_STR(F("%x", 0u), "0");
    CHECK_STR(F("%x", 0xdeadbeefu), "deadbeef");
    CHECK_STR(F("%X", 0xdeadbeefu), "DEADBEEF");
    CHECK_STR(F("%x", 255u), "ff");
    CHECK_STR(F("%lx", 0xffffffffffffffffUL), "ffffffffffffffff");
    CHECK_STR(F("%lx", 0x123456789abUL), "123456789ab");
    CHECK_STR(F("%llx", 0xfedcba9876543210ULL), "fedcba9876543210");
    CHECK_STR(F("%llX", 0xfedcba9876543210ULL), "FEDCBA9876543210");
    CHECK_STR(F("%llu", (unsigned long long)UINT64_MAX), "18446744073709551615");
    CHECK_STR(F("%lu", 1000000000000UL), "1000000000000");
    CHECK_STR(F("%zu", (size_t)123456789012ULL), "123456789012");
    CHECK_STR(F("%zx", (size_t)0x1000), "1000");
    /* %x of an int-sized argument must not pick up upper garbage. */
    CHECK_STR(F("%x %x", 0x80000000u, 1u), "80000000 1");
}

TEST(pointer)
{
    CHECK_STR(F("%p", (void *)0x1234), "0x1234");
    CHECK_STR(F("%p", (void *)0xffff800000001000ULL), "0xffff800000001000");
    CHECK_STR(F("%p", (void *)0), "0x0");
    CHECK_STR(F("%10p|", (void *)0xabc), "     0xabc|");
    CHECK_STR(F("%-10p|", (void *)0xabc), "0xabc     |");
    /* zero-pad does not apply to %p: the "0x" must stay in front */
    CHECK_STR(F_raw("%010p|", (void *)0xabc), "     0xabc|");
}

TEST(string_and_char)
{
    CHECK_STR(F("%s", "abc"), "abc");
    CHECK_STR(F("[%s]", ""), "[]");
    CHECK_STR(F("%s-%s", "a", "bc"), "a-bc");
    CHECK_STR(F("%c", 'x'), "x");
    CHECK_STR(F("%c%c%c", 'a', 'b', 'c'), "abc");
    CHECK_STR(F("%3c|", 'x'), "  x|");
    CHECK_STR(F("%-3c|", 'x'), "x  |");
    const char *volatile nul = NULL;
    CHECK_STR(F("%s", nul), "(null)");
    CHECK_EQ(ret, 6);
    CHECK_STR(F("%.3s", nul), "(nu");
    CHECK_STR(F("%8s|", nul), "  (null)|");
}

TEST(width_and_flags)
{
    CHECK_STR(F("%5d|", 42), "   42|");
    CHECK_STR(F("%-5d|", 42), "42   |");
    CHECK_STR(F("%05d|", 42), "00042|");
    CHECK_STR(F("%5d|", -42), "  -42|");
    CHECK_STR(F("%-5d|", -42), "-42  |");
    CHECK_STR(F("%2d|", 12345), "12345|"); /* width never truncates */
    CHECK_STR(F("%1d|", 0), "0|");
    CHECK_STR(F("%08x", 0xbeefu), "0000beef");
    CHECK_STR(F("%016llx", 0x1234ULL), "0000000000001234");
    CHECK_STR(F("%016lx", 0xffffffff80000000UL), "ffffffff80000000");
    CHECK_STR(F("%4X", 0xabu), "  AB");
    CHECK_STR(F("%-6u|", 17u), "17    |");
    CHECK_STR(F("%5s|", "ab"), "   ab|");
    CHECK_STR(F("%-5s|", "ab"), "ab   |");
    CHECK_STR(F("%*d|", 6, 7), "     7|");
    CHECK_STR(F("%*d|", -4, 7), "7   |"); /* negative '*' width = left-align */
    CHECK_STR(F("%-*s|", 4, "x"), "x   |");
    CHECK_STR(F("%*s|", 0, "abc"), "abc|");
    /* '-' wins over '0', in either order; zero-padding a string pads with spaces */
    CHECK_STR(F_raw("%-05d|", 42), "42   |");
    CHECK_STR(F_raw("%0-5d|", 42), "42   |");
    CHECK_STR(F_raw("%05s|", "ab"), "   ab|");
    CHECK_EQ(ret, 6);
}

TEST(negative_zero_pad)
{
    CHECK_STR(F("%05d", -42), "-0042");
    CHECK_STR(F("%06i", -1), "-00001");
    CHECK_STR(F("%03d", -123), "-123"); /* already wider than the width */
    CHECK_STR(F("%04d", -123), "-123");
    CHECK_STR(F("%05d", -123), "-0123");
    CHECK_STR(F("%022lld", (long long)INT64_MIN), "-009223372036854775808");
    CHECK_EQ(ret, 22);
    CHECK_STR(F("%-22lld|", (long long)INT64_MIN), "-9223372036854775808  |");
    CHECK_STR(F("%021lld", (long long)INT64_MIN), "-09223372036854775808");
    CHECK_STR(F("%0*d", 5, -9), "-0009");
}

TEST(string_precision)
{
    CHECK_STR(F("%.3s", "abcdef"), "abc");
    CHECK_EQ(ret, 3);
    CHECK_STR(F("%.0s|", "abc"), "|");
    CHECK_STR(F("%.10s", "abc"), "abc");
    CHECK_STR(F("%.*s", 2, "xyz"), "xy");
    CHECK_STR(F("%.*s|", 0, "xyz"), "|");
    CHECK_STR(F("%.*s", -1, "xyz"), "xyz"); /* negative precision = none */
    CHECK_STR(F("%6.2s|", "abcdef"), "    ab|");
    CHECK_STR(F("%-6.2s|", "abcdef"), "ab    |");
    CHECK_STR(F("%*.*s|", 5, 3, "abcdef"), "  abc|");
    /* cmdline.c's use: a word inside a longer line */
    const char *line = "frobnicate=1 loglevel=3";
    CHECK_STR(F("unknown option '%.*s'", 12, line), "unknown option 'frobnicate=1'");
}

TEST(string_precision_unterminated)
{
    /* With a precision, %s must read no more than that many bytes
     * (C11 7.21.6.1p8): an exactly-sized, unterminated array is legal. */
    char *p = malloc(3);
    REQUIRE(p);
    memcpy(p, "abc", 3);
    CHECK_STR(F("%.3s|", p), "abc|");
    CHECK_STR(F("%.*s|", 3, p), "abc|");
    CHECK_STR(F("%.2s|", p), "ab|");
    free(p);
}

TEST(length_modifier_consumes_right_size)
{
    /* If a modifier pulled the wrong size, the following arguments would be off. */
    CHECK_STR(F("%lld %d %zu %s", -5LL, 6, (size_t)7, "x"), "-5 6 7 x");
    CHECK_STR(F("%c%ld%c", '<', -1L, '>'), "<-1>");
    CHECK_STR(F("[%s:%d] %c %x%% %p", "f.c", 12, 'E', 0x1fu, (void *)0x10),
              "[f.c:12] E 1f% 0x10");
}

TEST(unknown_and_trailing_percent)
{
    CHECK_STR(F_raw("a%qb"), "a%qb");
    CHECK_EQ(ret, 4);
    CHECK_STR(F_raw("abc%"), "abc");
    CHECK_EQ(ret, 3);
    CHECK_STR(F_raw("%5"), "");
    CHECK_EQ(ret, 0);
}

TEST(truncation)
{
    char buf[16];

    memset(buf, 'Z', sizeof buf);
    CHECK_EQ(snprintf(buf, 8, "hello world"), 11);
    CHECK_STR(buf, "hello w");
    CHECK_EQ(buf[8], 'Z'); /* nothing written past size */
    CHECK_EQ(buf[15], 'Z');

    memset(buf, 'Z', sizeof buf);
    CHECK_EQ(snprintf(buf, 12, "hello world"), 11); /* fits exactly with its NUL */
    CHECK_STR(buf, "hello world");
    CHECK_EQ(buf[12], 'Z');

    memset(buf, 'Z', sizeof buf);
    CHECK_EQ(snprintf(buf, 11, "hello world"), 11); /* one short: last char dropped */
    CHECK_STR(buf, "hello worl");
    CHECK_EQ(buf[11], 'Z');

    memset(buf, 'Z', sizeof buf);
    CHECK_EQ(snprintf(buf, 1, "abc"), 3);
    CHECK_EQ(buf[0], '\0');
    CHECK_EQ(buf[1], 'Z');

    memset(buf, 'Z', sizeof buf);
    CHECK_EQ(snprintf(buf, 4, "%10d", 5), 10); /* truncated inside the padding */
    CHECK_STR(buf, "   ");

    memset(buf, 'Z', sizeof buf);
    CHECK_EQ(snprintf(buf, 5, "%d", -123456), 7);
    CHECK_STR(buf, "-123");

    memset(buf, 'Z', sizeof buf);
    CHECK_EQ(snprintf(buf, 3, "%s", ""), 0);
    CHECK_STR(buf, "");
}

TEST(size_zero)
{
    char buf[4] = { 'Z', 'Z', 'Z', 'Z' };
    CHECK_EQ(snprintf(buf, 0, "hello %d", 42), 8);
    CHECK_EQ(buf[0], 'Z'); /* untouched, not even a NUL */
    CHECK_EQ(snprintf(NULL, 0, "%lld", (long long)INT64_MIN), 20);
}

TEST(exact_size_heap_buffer)
{
    /* ASan: a buffer of exactly `size` bytes is never overrun. */
    for (size_t size = 1; size <= 24; size++) {
        char *b = malloc(size);
        REQUIRE(b);
        int n = snprintf(b, size, "%s=%08x!", "value", 0xc0ffeeu);
        CHECK_EQ(n, 15);
        CHECK_EQ(strlen(b), size - 1 < 15 ? size - 1 : 15);
        CHECK(strncmp(b, "value=00c0ffee!", strlen(b)) == 0);
        free(b);
    }
}

struct counter {
    char text[64];
    size_t n;
};

static void count_put(void *ctx, char c)
{
    struct counter *k = ctx;
    if (k->n < sizeof k->text - 1)
        k->text[k->n] = c;
    k->n++;
}

static size_t call_format(struct counter *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t r = format(count_put, k, fmt, ap);
    va_end(ap);
    return r;
}

TEST(format_callback)
{
    struct counter k = { { 0 }, 0 };
    size_t r = call_format(&k, "%s %05d %x", "id", 7, 0xabu);
    CHECK_EQ(r, 11);
    CHECK_EQ(k.n, 11);
    CHECK_STR(k.text, "id 00007 ab");
}

UNIT_MAIN(T(plain_text_and_percent), T(signed_decimal), T(unsigned_and_hex), T(pointer),
          T(string_and_char), T(width_and_flags), T(negative_zero_pad), T(string_precision),
          T(string_precision_unterminated), T(length_modifier_consumes_right_size),
          T(unknown_and_trailing_percent), T(truncation), T(size_zero), T(exact_size_heap_buffer),
          T(format_callback))
