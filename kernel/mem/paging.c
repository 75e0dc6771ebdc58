#include "kernel/mem/paging.h"

static uint64_t *table(const struct pt_ops *ops, uint64_t pa)
{
    return ops->phys_to_virt(ops->ctx, pa & PTE_ADDR);
}

static unsigned index_at(uint64_t va, int level) /* level 4 = PML4 ... 1 = PT */
{
    return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}

int pt_map(const struct pt_ops *ops, uint64_t pml4, uint64_t va, uint64_t pa, uint64_t size,
           uint64_t flags, enum pt_leaf largest)
{
    if ((va | pa | size) & 0xfff)
        return PT_ERR_ALIGN;
    flags |= PTE_P;
    while (size) {
        /* Largest leaf that fits at this address. */
        int level = largest;
        while (level > 1) {
            uint64_t bytes = 1ull << (12 + 9 * (level - 1));
            if (!((va | pa) & (bytes - 1)) && size >= bytes)
                break;
            level--;
        }
        uint64_t bytes = 1ull << (12 + 9 * (level - 1));

        uint64_t *t = table(ops, pml4);
        for (int l = 4; l > level; l--) {
            uint64_t *e = &t[index_at(va, l)];
            if (!(*e & PTE_P)) {
                uint64_t page = ops->alloc_page(ops->ctx);
                if (!page)
                    return PT_ERR_NOMEM;
                /* Intermediate entries allow everything; the leaf decides. */
                *e = page | PTE_P | PTE_W;
            } else if (*e & PTE_PS) {
                return PT_ERR_OVERLAP;
            }
            t = table(ops, *e);
        }
        uint64_t *leaf = &t[index_at(va, level)];
        if (*leaf & PTE_P)
            return PT_ERR_OVERLAP;
        *leaf = pa | flags | (level > 1 ? PTE_PS : 0);

        va += bytes;
        pa += bytes;
        size -= bytes;
    }
    return PT_OK;
}

bool pt_translate(const struct pt_ops *ops, uint64_t pml4, uint64_t va, uint64_t *pa,
                  uint64_t *flags)
{
    uint64_t *t = table(ops, pml4);
    for (int l = 4; l >= 1; l--) {
        uint64_t e = t[index_at(va, l)];
        if (!(e & PTE_P))
            return false;
        if (l == 1 || (e & PTE_PS)) {
            uint64_t mask = (1ull << (12 + 9 * (l - 1))) - 1;
            *pa = ((e & PTE_ADDR) & ~mask) | (va & mask);
            *flags = e & ~PTE_ADDR;
            return true;
        }
        t = table(ops, e);
    }
    return false;
}
