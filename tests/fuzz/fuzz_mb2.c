// SOURCES: kernel/firmware/mb2.c
/*
 * libFuzzer harness for the Multiboot2 parser (kernel/firmware/mb2.c).
 *
 * Each input is parsed twice from an exactly-sized heap copy (malloc gives
 * 16-byte alignment, which mb2_parse requires), with readable = size: once
 * as it is, and once with total_size forced to the input size so that
 * random headers do not stop every input at MB2_ERR_TOTAL_SIZE.  ASan
 * reports any read past the input; the checks below trap on results that
 * point outside the block.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/firmware/mb2.h"

#define CHECK(c)                \
    do {                        \
        if (!(c))               \
            __builtin_trap();   \
    } while (0)

static void check_string(const uint8_t *base, uint32_t total, const char *s)
{
    if (!s)
        return;
    CHECK((const uint8_t *)s >= base + 8 && (const uint8_t *)s < base + total);
    /* terminated inside the block: strnlen stays below the remaining bytes */
    CHECK(strnlen(s, (size_t)(base + total - (const uint8_t *)s)) <
          (size_t)(base + total - (const uint8_t *)s));
}

static void parse_and_check(const uint8_t *buf, size_t size)
{
    struct mb2_info info;
    struct mb2_result r = mb2_parse(buf, size, &info);

    (void)mb2_strerror(r.err);
    (void)mb2_tag_name(r.tag_type);
    if (r.err != MB2_OK) {
        CHECK(r.err <= MB2_ERR_DUPLICATE);
        CHECK(r.offset <= size);
        return;
    }
    CHECK(r.offset == 0 && r.tag_type == 0);
    CHECK(info.total_size >= 16 && info.total_size <= size);
    check_string(buf, info.total_size, info.cmdline);
    check_string(buf, info.total_size, info.loader_name);
    CHECK(info.nmods <= MB2_MAX_MODULES);
    for (size_t i = 0; i < info.nmods; i++) {
        CHECK(info.mods[i].start <= info.mods[i].end);
        check_string(buf, info.total_size, info.mods[i].string);
    }
    CHECK(info.nmmap <= MB2_MAX_MMAP);
    for (size_t i = 0; i < info.nmmap; i++)
        (void)mb2_mem_type_name(info.mmap[i].type);
    if (info.rsdp) {
        const uint8_t *p = info.rsdp;
        CHECK(info.rsdp_version == 1 || info.rsdp_version == 2);
        CHECK(info.rsdp_len >= (info.rsdp_version == 2 ? 36u : 20u));
        CHECK(p >= buf + 16 && p + info.rsdp_len <= buf + info.total_size);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    parse_and_check(buf, size);
    if (size >= 4) {
        uint32_t total = (uint32_t)size;
        memcpy(buf, &total, 4);
        parse_and_check(buf, size);
    }
    free(buf);
    return 0;
}
