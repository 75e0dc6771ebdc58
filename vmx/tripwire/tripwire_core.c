#include "vmx/tripwire/tripwire_core.h"

unsigned tripwire_arm_table(struct tripwire_table *t)
{
    unsigned n = 0;
    for (unsigned i = 0; i < t->n && i < sizeof(t->armed); i++) {
        t->armed[i] = t->rows[i].snap();
        n += t->armed[i];
    }
    return n;
}

int tripwire_check_table(const struct tripwire_table *t, bool with_heavy, char *detail, size_t len,
                         unsigned *checked)
{
    *checked = 0;
    for (unsigned i = 0; i < t->n && i < sizeof(t->armed); i++) {
        if (!t->armed[i] || (t->rows[i].heavy && !with_heavy))
            continue;
        ++*checked;
        if (len)
            detail[0] = '\0';
        if (!t->rows[i].check(detail, len))
            return (int)i;
    }
    return -1;
}

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

uint64_t tripwire_fnv1a64(const void *p, size_t len)
{
    const uint8_t *s = p;
    uint64_t h = FNV_OFFSET;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        __builtin_memcpy(&w, s + i, 8);
        h = (h ^ w) * FNV_PRIME;
    }
    for (; i < len; i++)
        h = (h ^ s[i]) * FNV_PRIME;
    return h;
}

long tripwire_bitmap_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x, y;
        __builtin_memcpy(&x, a + i, 8);
        __builtin_memcpy(&y, b + i, 8);
        if (x != y)
            break;
    }
    for (; i < len; i++)
        if (a[i] != b[i])
            return (long)(i * 8 + (unsigned)__builtin_ctz((unsigned)(a[i] ^ b[i])));
    return -1;
}

void tripwire_msr_bit(long bit, uint32_t *msr, bool *write)
{
    unsigned quarter = (unsigned)(bit / 8192);        /* 1 KiB = 8192 bits each */
    uint32_t low = (uint32_t)(bit % 8192);
    *write = quarter >= 2;
    *msr = (quarter & 1) ? 0xc0000000u + low : low;
}

long tripwire_io_mismatch(const struct io_exits *x)
{
    for (uint32_t p = 0; p <= 0xffff; p++) {
        bool bit = io_exits_bit(x, (uint16_t)p), want = io_exits_wanted(x, (uint16_t)p);
        if (bit == want)
            continue;
        bool conditional = x->uart_on && p >= x->uart && p <= x->uart + 7u &&
                           (p - x->uart == 0 || p - x->uart == 1 || p - x->uart == 6);
        if (conditional && bit)
            continue;
        return (long)p;
    }
    return -1;
}
