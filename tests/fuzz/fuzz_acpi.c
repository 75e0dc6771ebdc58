// SOURCES: kernel/firmware/acpi.c kernel/firmware/acpi_rsdp.c kernel/lib/format.c
/*
 * libFuzzer harness for the ACPI parser (kernel/firmware/acpi.c).  The input is a
 * fake physical memory starting at 0xe0000 whose first 36 bytes are the
 * RSDP (its checksums are fixed up so the root table is reached); the map
 * callback hands out only ranges inside the input, so ASan reports any read
 * past what the parser was given.  The AML _S5_ scan also runs on the raw input,
 * and the RSDP's locator (kernel/firmware/acpi_rsdp.c) on the same memory, with an
 * EFI system table at an offset the input chooses (bytes 36-40) or the BIOS scan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/firmware/acpi.h"
#include "kernel/firmware/acpi_rsdp.h"

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
    struct mb2_info mb = { 0 };
    mb.rsdp = buf;
    mb.rsdp_len = (uint32_t)(size < 36 ? size : 36);
    if (size > 41 && (buf[36] & 1)) {
        uint32_t off;
        memcpy(&off, buf + 37, 4);
        mb.has_efi64 = buf[36] & 2;
        mb.has_efi32 = !mb.has_efi64;
        mb.efi_systab = BASE + off % size;
    }
    enum acpi_rsdp_where w;
    uint64_t pa = acpi_rsdp_locate(&mb, map, &m, &w);
    if ((pa == 0) != (w == ACPI_RSDP_NONE))
        __builtin_trap();
    free(buf);
    return 0;
}
