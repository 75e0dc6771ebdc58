// SOURCES: kernel/firmware/hpet.c kernel/firmware/acpi.c kernel/lib/format.c
/*
 * libFuzzer harness for the HPET (kernel/firmware/hpet.c).  The input is parsed
 * as an HPET table as it is, then again with its signature, length and checksum
 * fixed up; both copies are exactly the input's size, so ASan reports any read
 * past the table.  A parsed base is in memory space, nonzero and 1 KiB aligned.
 * Then the first 13 bytes are a write (offset, size, value) judged against a
 * register page made of the rest: a write the judge passes leaves every timer's
 * route address an interrupt address or its FSB enable bit clear, if it was so before.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/firmware/hpet.h"

static uint8_t page[4096];

static uint32_t rd(void *ctx, uint32_t off)
{
    (void)ctx;
    if (off & 3 || off + 4 > sizeof page)
        __builtin_trap();
    uint32_t v;
    memcpy(&v, page + off, 4);
    return v;
}

static bool safe(void)
{
    for (unsigned n = 0; n < HPET_MAX_TIMERS; n++)
        if ((rd(0, HPET_TN_CFG(n)) & HPET_TN_FSB_EN) && !hpet_interrupt_address(rd(0, HPET_TN_ROUTE(n) + 4)))
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct acpi_hpet h;
    uint8_t *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    if (hpet_table_parse(buf, size, &h) == HPET_TABLE_OK && (!h.base || (h.base & 0x3ff)))
        __builtin_trap();
    if (size >= HPET_TABLE_LEN && size <= 4096) {
        uint32_t len = (uint32_t)size;
        memcpy(buf, "HPET", 4);
        memcpy(buf + 4, &len, 4);
        buf[9] = 0;
        uint8_t s = 0;
        for (size_t i = 0; i < size; i++)
            s = (uint8_t)(s + buf[i]);
        buf[9] = (uint8_t)-s;
        enum hpet_table_error e = hpet_table_parse(buf, size, &h);
        if (e == HPET_TABLE_OK && (buf[40] != 0 || !h.base || (h.base & 0x3ff)))
            __builtin_trap();
        if (e == HPET_TABLE_OK && hpet_table_parse(buf, size - 1, &h) == HPET_TABLE_OK)
            __builtin_trap();
    }
    free(buf);

    if (size < 13)
        return 0;
    uint32_t off;
    uint64_t value;
    memcpy(&off, data, 4);
    off &= 0xfff;
    unsigned sz = 1u << (data[4] & 3);
    memcpy(&value, data + 5, 8);
    if (off + sz > sizeof page)
        return 0;
    memset(page, 0, sizeof page);
    memcpy(page, data + 13, size - 13 < sizeof page ? size - 13 : sizeof page);
    bool before = safe();
    unsigned timer;
    uint32_t addr;
    if (hpet_judge_write(off, sz, value, rd, 0, &timer, &addr) == HPET_WRITE_OK) {
        memcpy(page + off, &value, sz);
        if (before && !safe())
            __builtin_trap();
    } else if (timer >= HPET_MAX_TIMERS || hpet_interrupt_address(addr)) {
        __builtin_trap();
    }
    return 0;
}
