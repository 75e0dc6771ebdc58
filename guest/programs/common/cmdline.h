/* Command-line words for the small 32-bit test guests (guest/programs/probe, guest/programs/perf): `key=a,b,c`. */
#ifndef SKIFF_GUEST_COMMON_CMDLINE_H
#define SKIFF_GUEST_COMMON_CMDLINE_H

#include <stdbool.h>

/* [a, a_end) is exactly the string b. */
static inline bool cmdline_word_eq(const char *a, const char *a_end, const char *b)
{
    while (a < a_end && *b && *a == *b)
        a++, b++;
    return a == a_end && !*b;
}

/* The value of the word starting with key (`probe=`, say) up to the next space, or NULL. */
static inline const char *cmdline_value(const char *cmdline, const char *key, const char **end)
{
    for (const char *p = cmdline; *p; p++) {
        if (p != cmdline && p[-1] != ' ')
            continue;
        const char *k = key, *v = p;
        while (*k && *v == *k)
            k++, v++;
        if (*k)
            continue;
        const char *e = v;
        while (*e && *e != ' ')
            e++;
        *end = e;
        return v;
    }
    return 0;
}

/* name is one of the comma-separated words of [list, list_end); no list selects everything. */
static inline bool cmdline_selected(const char *list, const char *list_end, const char *name)
{
    if (!list)
        return true;
    for (const char *w = list; w < list_end;) {
        const char *e = w;
        while (e < list_end && *e != ',')
            e++;
        if (cmdline_word_eq(w, e, name))
            return true;
        w = e + 1;
    }
    return false;
}

#endif
