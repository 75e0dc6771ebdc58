#include "kernel/mem/memmap.h"

static uint32_t e820_type(uint32_t mb2_type)
{
    switch (mb2_type) {
    case MB2_MEM_AVAILABLE:        return E820_RAM;
    case MB2_MEM_ACPI_RECLAIMABLE: return E820_ACPI;
    case MB2_MEM_NVS:              return E820_NVS;
    case MB2_MEM_BADRAM:           return E820_UNUSABLE;
    default:                       return E820_RESERVED;
    }
}

/* Append [base, end) of `type`, merging with an adjacent entry of the same type. */
static int emit(struct guest_memmap *m, uint64_t base, uint64_t end, uint32_t type)
{
    if (base >= end)
        return 0;
    if (m->n && m->e[m->n - 1].type == type && m->e[m->n - 1].base + m->e[m->n - 1].len == base) {
        m->e[m->n - 1].len += end - base;
        return 0;
    }
    if (m->n == GUEST_MAP_MAX)
        return -1;
    m->e[m->n].base = base;
    m->e[m->n].len = end - base;
    m->e[m->n].type = type;
    m->n++;
    return 0;
}

int guest_memmap_build(const struct mb2_mmap_entry *fw, size_t nfw, const struct rangeset *owned,
                       uint64_t guest_mem, struct guest_memmap *out, struct rangeset *withheld)
{
    /* Firmware maps are usually sorted; sort a copy of the order to be sure. */
    size_t order[MB2_MAX_MMAP];
    size_t n = nfw < MB2_MAX_MMAP ? nfw : MB2_MAX_MMAP;
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && fw[order[j - 1]].base > fw[i].base) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }

    out->n = 0;
    withheld->n = 0;
    /* The budget in whole pages: the EPT maps and withholds only whole pages. */
    uint64_t budget = guest_mem & PAGE_MASK;
    uint64_t given = 0, prev_end = 0;
    for (size_t k = 0; k < n; k++) {
        const struct mb2_mmap_entry *e = &fw[order[k]];
        uint64_t base = e->base, end = e->base + e->len;
        if (end < base)
            end = UINT64_MAX;                 /* clamp a wrapping entry */
        if (base < prev_end)
            base = prev_end;                  /* overlaps the previous entry: drop the overlap */
        if (base >= end)
            continue;
        prev_end = end;
        uint32_t type = e820_type(e->type);
        if (type != E820_RAM) {
            if (emit(out, base, end, type))
                return -1;
            continue;
        }
        /* RAM: whole pages only; walk it page range by page range against `owned`. */
        uint64_t a = (base + PAGE_SIZE - 1) & PAGE_MASK, z = end & PAGE_MASK;
        bool has_page = a < z;
        if (emit(out, base, has_page ? a : end, E820_RESERVED))
            return -1;
        while (a < z) {
            /* Next owned range that starts at or after a, or overlaps it. */
            uint64_t cut = z, skip_to = z;
            for (size_t i = 0; i < owned->n; i++) {
                const struct range *r = &owned->r[i];
                if (r->end <= a || r->base >= z)
                    continue;
                if (r->base <= a) {
                    cut = a;
                    skip_to = r->end < z ? r->end : z;
                    break;
                }
                if (r->base < cut) {
                    cut = r->base;
                    skip_to = r->end < z ? r->end : z;
                }
            }
            /* [a, cut) is RAM for the guest, up to the guest_mem budget. */
            uint64_t give_end = cut;
            if (guest_mem && given + (cut - a) > budget)
                give_end = a + (budget > given ? budget - given : 0);
            if (emit(out, a, give_end, E820_RAM) || emit(out, give_end, cut, E820_RESERVED) ||
                rangeset_add(withheld, give_end, cut))
                return -1;
            given += give_end - a;
            if (emit(out, cut, skip_to, E820_RESERVED) || rangeset_add(withheld, cut, skip_to))
                return -1;
            a = skip_to;
        }
        /* The unaligned tail (without a whole page, all of it was emitted above). */
        if (has_page && z < end && emit(out, z, end, E820_RESERVED))
            return -1;
    }
    return 0;
}

uint64_t guest_memmap_ram(const struct guest_memmap *m)
{
    uint64_t total = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->e[i].type == E820_RAM)
            total += m->e[i].len;
    return total;
}

const char *e820_type_name(uint32_t type)
{
    switch (type) {
    case E820_RAM:      return "usable";
    case E820_RESERVED: return "reserved";
    case E820_ACPI:     return "ACPI data";
    case E820_NVS:      return "ACPI NVS";
    case E820_UNUSABLE: return "unusable";
    default:            return "unknown";
    }
}
