// SOURCES: kernel/config/cmdline.c kernel/lib/format.c
/*
 * libFuzzer harness for Skiff's command-line parser (kernel/config/cmdline.c).
 *
 * The input is copied into an exactly-sized, NUL-terminated heap string and
 * parsed over the defaults, with a roomy and with a tiny error buffer.  The
 * raw bytes (no NUL) also go through cmdline_parse_u64/cmdline_parse_size,
 * checked against a 128-bit reference.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/config/cmdline.h"

#define CHECK(c)                \
    do {                        \
        if (!(c))               \
            __builtin_trap();   \
    } while (0)

/* Reference: the value of a decimal or 0x-hex number, or -1 when invalid / > 2^64-1. */
static __int128 ref_u64(const uint8_t *s, size_t len)
{
    unsigned base = 10;
    unsigned __int128 v = 0;
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        len -= 2;
    }
    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned d;
        if (s[i] >= '0' && s[i] <= '9')
            d = s[i] - '0';
        else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
            d = s[i] - 'a' + 10;
        else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
            d = s[i] - 'A' + 10;
        else
            return -1;
        v = v * base + d;
        if (v > UINT64_MAX)
            return -1;
    }
    return (__int128)v;
}

static void check_config(const struct skiff_config *c)
{
    CHECK(memchr(c->guest_test, '\0', sizeof c->guest_test) != NULL);
    CHECK(c->guest_mem == 0 || c->guest_mem >= (2u << 20));
    CHECK(c->watchdog_ms <= 3600000);
    CHECK(c->baud >= 50 && c->baud <= 115200 && 115200 % c->baud == 0);
    CHECK(c->serial_port != 0 && c->serial_port <= 0xfff8);
    CHECK((unsigned)c->loglevel <= LOG_DEBUG);
    CHECK(c->onexit == ONEXIT_HALT || c->onexit == ONEXIT_REBOOT || c->onexit == ONEXIT_POWEROFF);
    CHECK((unsigned)c->selftest <= SELFTEST_LAST);
    CHECK(c->tripwire == TRIPWIRE_END || c->tripwire == TRIPWIRE_ALWAYS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;

    /* numbers, straight from the unterminated bytes */
    uint8_t *raw = malloc(size ? size : 1);
    if (!raw)
        return 0;
    if (size)
        memcpy(raw, data, size);
    uint64_t v = 0x5a5a;
    __int128 want = ref_u64(raw, size);
    bool ok = cmdline_parse_u64((const char *)raw, size, &v);
    CHECK(ok == (want >= 0));
    CHECK(ok ? v == (uint64_t)want : v == 0x5a5a);
    (void)cmdline_parse_size((const char *)raw, size, &v);
    free(raw);

    char *line = malloc(size + 1);
    if (!line)
        return 0;
    if (size)
        memcpy(line, data, size);
    line[size] = '\0';

    struct skiff_config cfg;
    char err[96];
    cmdline_defaults(&cfg);
    memset(err, 0x7f, sizeof err);
    int r = cmdline_parse(line, &cfg, err, sizeof err);
    CHECK(r == 0 || r == -1);
    if (r == 0)
        check_config(&cfg);
    else
        CHECK(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0');

    /* a tiny error buffer is truncated, never overrun */
    char *small = malloc(5);
    if (small) {
        struct skiff_config cfg2;
        cmdline_defaults(&cfg2);
        int r2 = cmdline_parse(line, &cfg2, small, 5);
        CHECK(r2 == r);
        if (r2)
            CHECK(memchr(small, '\0', 5) != NULL);
        free(small);
    }
    free(line);
    return 0;
}
