// SOURCES: kernel/firmware/acpi.c kernel/lib/format.c
/*
 * libFuzzer harness for the ACPI parser (kernel/firmware/acpi.c).  The input is a
 * fake physical memory starting at 0xe0000 whose first 36 bytes are the
 * RSDP (its checksums are fixed up so the root table is reached); the map
 * callback hands out only ranges inside the input, so ASan reports any read
 * past what the parser was given.  The AML _S5_ scan also runs on the raw input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/firmware/acpi.h"

#define BASE 0xe0000u

struct mem { const uint8_t *p; size_t n; };

static const void *map(void *ctx, uint64_t pa, uint64_t len)
{
    const struct mem *m = ctx;
    if (pa < BASE || len > m->n || pa - BASE > m->n - len)
        return NULL;
    return m->p + (pa - BASE);
}

static void fix(uint8_t *p, size_t len, size_t at)
{
    uint8_t s = 0;
    p[at] = 0;
    for (size_t i = 0; i < len; i++)
        s = (uint8_t)(s + p[i]);
    p[at] = (uint8_t)-s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    uint8_t a, b;
    if (acpi_find_s5(buf, size, &a, &b) && (a > 7 || b > 7))
        __builtin_trap();
    if (size >= 36) {
        memcpy(buf, "RSD PTR ", 8);
        fix(buf, 20, 8);
        if (buf[15] >= 2) {
            uint32_t l = 36;
            memcpy(buf + 20, &l, 4);
            fix(buf, 36, 32);
        }
    }
    struct mem m = { buf, size };
    struct acpi_info ai;
    char line[256];
    if (acpi_parse(buf, size < 36 ? size : 36, map, &m, &ai) == ACPI_OK) {
        acpi_summary(&ai, line, sizeof line);
        if (strlen(line) >= sizeof line || (ai.has_s5 && (ai.slp_typa > 7 || ai.slp_typb > 7)))
            __builtin_trap();
    }
    free(buf);
    return 0;
}
