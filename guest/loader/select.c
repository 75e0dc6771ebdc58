#include "guest/loader/select.h"

#include <stdbool.h>

#include "kernel/config/cmdline.h"
#include "kernel/lib/format.h"

static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static size_t word_len(const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != ' ' && s[n] != '\t')
        n++;
    return n;
}

static bool word_is(const char *w, size_t len, const char *lit)
{
    size_t i = 0;
    for (; i < len && lit[i]; i++)
        if (w[i] != lit[i])
            return false;
    return i == len && !lit[i];
}

/* addr=, entry=, mode= for guest=flat. */
static int parse_flat(const char *p, struct guest_selection *sel, char *err, size_t errlen)
{
    bool have_addr = false, have_entry = false, have_mode = false;

    for (p = skip_spaces(p); *p; p = skip_spaces(p)) {
        size_t n = word_len(p), k = 0;
        while (k < n && p[k] != '=')
            k++;
        const char *v = p + k + 1;
        size_t vlen = k < n ? n - k - 1 : 0;
        uint64_t val;
        if (k == n || !cmdline_parse_u64(v, vlen, &val)) {
            snprintf(err, errlen, "guest=flat: bad word '%.*s' (want addr=, entry=, mode=)", (int)n, p);
            return -1;
        }
        if (word_is(p, k, "addr")) {
            sel->flat_addr = val;
            have_addr = true;
        } else if (word_is(p, k, "entry")) {
            sel->flat_entry = val;
            have_entry = true;
        } else if (word_is(p, k, "mode") && (val == 16 || val == 32 || val == 64)) {
            sel->flat_mode = (unsigned)val;
            have_mode = true;
        } else {
            snprintf(err, errlen, "guest=flat: bad word '%.*s' (want addr=, entry=, mode=16|32|64)",
                     (int)n, p);
            return -1;
        }
        p += n;
    }
    if (!have_addr || !have_entry || !have_mode) {
        snprintf(err, errlen, "guest=flat needs addr=, entry= and mode=");
        return -1;
    }
    return 0;
}

int guest_select(const struct mb2_module *mods, size_t nmods, struct guest_selection *sel,
                 char *err, size_t errlen)
{
    *sel = (struct guest_selection){ .kind = GUEST_BUILTIN, .image = -1, .cmdline = "", .initrd = -1 };

    for (size_t i = 0; i < nmods; i++) {
        const char *s = skip_spaces(mods[i].string ? mods[i].string : "");
        if (*s == '/') {                     /* a loader that passes the file name first */
            s += word_len(s);
            s = skip_spaces(s);
        }
        size_t n = word_len(s);
        const char *rest = skip_spaces(s + n);

        if (n > 6 && word_is(s, 6, "guest=")) {
            if (sel->image >= 0) {
                snprintf(err, errlen, "module %zu: a second guest image ('%.*s'); only one guest runs",
                         i, (int)n, s);
                return -1;
            }
            if (word_is(s + 6, n - 6, "linux"))
                sel->kind = GUEST_LINUX;
            else if (word_is(s + 6, n - 6, "multiboot"))
                sel->kind = GUEST_MULTIBOOT;
            else if (word_is(s + 6, n - 6, "elf"))
                sel->kind = GUEST_ELF;
            else if (word_is(s + 6, n - 6, "flat"))
                sel->kind = GUEST_FLAT;
            else if (word_is(s + 6, n - 6, "chain")) {
                snprintf(err, errlen, "module %zu: guest=chain goes on Skiff's own command line (the "
                         "multiboot2 line), not on a module", i);
                return -1;
            } else {
                snprintf(err, errlen, "module %zu: unknown guest kind '%.*s' (linux, multiboot, elf, flat)",
                         i, (int)(n - 6), s + 6);
                return -1;
            }
            sel->image = (int)i;
            sel->cmdline = rest;
            if (sel->kind == GUEST_FLAT && parse_flat(rest, sel, err, errlen))
                return -1;
        } else if (word_is(s, n, "initrd")) {
            if (sel->initrd >= 0) {
                snprintf(err, errlen, "module %zu: a second initrd", i);
                return -1;
            }
            sel->initrd = (int)i;
        } else if (word_is(s, n, "module")) {
            if (sel->nmods == MB2_MAX_MODULES) {
                snprintf(err, errlen, "module %zu: more than %d modules", i, MB2_MAX_MODULES);
                return -1;
            }
            sel->mod_strings[sel->nmods] = rest;
            sel->mods[sel->nmods++] = (int)i;
        } else {
            snprintf(err, errlen, "module %zu: command line '%.40s' does not start with guest=KIND, "
                     "initrd or module", i, s);
            return -1;
        }
    }
    if (sel->initrd >= 0 && sel->kind != GUEST_LINUX) {
        snprintf(err, errlen, "an initrd module needs a guest=linux module");
        return -1;
    }
    if (sel->nmods && sel->kind != GUEST_MULTIBOOT) {
        snprintf(err, errlen, "'module' modules need a guest=multiboot module");
        return -1;
    }
    return 0;
}

const char *guest_kind_name(enum guest_kind k)
{
    static const char *const names[] = { "built-in", "linux", "multiboot", "elf", "flat", "chain" };
    return (unsigned)k < 6 ? names[k] : "?";
}
