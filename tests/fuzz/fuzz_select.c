// SOURCES: guest/loader/select.c kernel/config/cmdline.c kernel/lib/format.c
/*
 * libFuzzer harness for the module command-line parser (guest/loader/select.c,
 * guest_select): which guest runs, from the GRUB modules' strings.
 *
 * Input: module strings separated by '\n' (at most MB2_MAX_MODULES, as the
 * Multiboot2 parser guarantees); a module whose string is exactly "\x01"
 * gets a NULL string.  Each string is an exactly-sized, NUL-terminated heap
 * copy, so ASan catches a read past it.  Checks (trap on failure): the result
 * is 0 or -1; an error is a non-empty, NUL-terminated line, also with a tiny
 * buffer; a selection is consistent (kind and image agree, indexes in range,
 * pointers inside their module's string, initrd only for linux, modules only
 * for multiboot, flat mode 16/32/64).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/loader/select.h"

#define CHECK(c)                \
    do {                        \
        if (!(c))               \
            __builtin_trap();   \
    } while (0)

static bool inside(const char *p, const char *s)
{
    return s && p >= s && p <= s + strlen(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    struct mb2_module mods[MB2_MAX_MODULES];
    char *strs[MB2_MAX_MODULES];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size && n < MB2_MAX_MODULES; i++) {
        if (i < size && data[i] != '\n')
            continue;
        size_t len = i - start;
        if (len == 1 && data[start] == 1) {
            strs[n] = NULL;
        } else {
            strs[n] = malloc(len + 1);
            if (!strs[n])
                abort();
            memcpy(strs[n], data + start, len);
            strs[n][len] = '\0';
        }
        mods[n] = (struct mb2_module){ 0x100000 + (uint32_t)n * 0x1000, 0x100000 + (uint32_t)n * 0x1000 + 16,
                                       strs[n] };
        n++;
        start = i + 1;
    }

    struct guest_selection sel;
    char err[160];
    memset(err, 0x7f, sizeof err);
    int r = guest_select(mods, n, &sel, err, sizeof err);
    CHECK(r == 0 || r == -1);
    if (r) {
        CHECK(memchr(err, '\0', sizeof err) && err[0]);
    } else {
        CHECK((unsigned)sel.kind <= GUEST_FLAT);
        CHECK((sel.kind == GUEST_BUILTIN) == (sel.image < 0));
        CHECK(sel.image < (int)n && sel.initrd < (int)n);
        CHECK(sel.cmdline != NULL);
        if (sel.image >= 0)
            CHECK(inside(sel.cmdline, strs[sel.image]));
        CHECK(sel.initrd < 0 || sel.kind == GUEST_LINUX);
        CHECK(sel.initrd < 0 || sel.initrd != sel.image);
        CHECK(sel.nmods <= n && (sel.nmods == 0 || sel.kind == GUEST_MULTIBOOT));
        for (size_t i = 0; i < sel.nmods; i++) {
            CHECK(sel.mods[i] >= 0 && sel.mods[i] < (int)n && sel.mods[i] != sel.image);
            CHECK(inside(sel.mod_strings[i], strs[sel.mods[i]]));
        }
        if (sel.kind == GUEST_FLAT)
            CHECK(sel.flat_mode == 16 || sel.flat_mode == 32 || sel.flat_mode == 64);
        CHECK(guest_kind_name(sel.kind)[0] != '?');
    }
    char small[5];
    struct guest_selection sel2;
    int r2 = guest_select(mods, n, &sel2, small, sizeof small);
    CHECK(r2 == r);
    if (r2)
        CHECK(memchr(small, '\0', sizeof small) != NULL);
    for (size_t i = 0; i < n; i++)
        free(strs[i]);
    return 0;
}
