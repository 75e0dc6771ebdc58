/* The guest's page walk with its access rights (vmx/emulate/guest_walk.h). */
#include "vmx/emulate/guest_walk.h"

#define ADDR_MASK 0x000ffffffffff000ull

/* Reserved bits of a PAE, 4-level or 5-level entry at `level` (SDM Vol. 3A 4.4.2, 4.5.4, Tables 4-14..4-20). */
static uint64_t reserved_bits(const struct guest_paging *p, unsigned level, bool leaf_large)
{
    unsigned m = p->maxphyaddr && p->maxphyaddr < 52 ? p->maxphyaddr : 52;
    uint64_t r = ((1ull << 52) - 1) & ~((1ull << m) - 1);          /* address bits 51:MAXPHYADDR */
    if (!(p->efer & GW_EFER_NXE))
        r |= 1ull << 63;                                          /* XD without IA32_EFER.NXE */
    if (level >= 4 && (p->efer & GW_EFER_LMA))
        r |= 1ull << 7;                                           /* PS in a PML4E or PML5E */
    if (leaf_large)
        r |= ((1ull << (12 + 9 * (level - 1))) - 1) & ~0x1fffull; /* below the page, above PAT (bit 12) */
    return r;
}

enum guest_walk_result guest_walk(const struct guest_paging *p, uint64_t gla, unsigned access,
                                  guest_walk_read_fn read, void *ctx, uint64_t *gpa, uint32_t *pf_error,
                                  uint64_t *table)
{
    bool fetch = access & GW_FETCH, write = !fetch && (access & GW_WRITE), debug = access & GW_DEBUG;
    bool user = !debug && p->cpl == 3;
    /* I/D: fetches, when XD or SMEP is on (4.7). */
    bool id = fetch && ((p->efer & GW_EFER_NXE) || (p->cr4 & GW_CR4_SMEP));
    uint32_t err = (write ? PF_ERR_W : 0) | (user ? PF_ERR_U : 0) | (id ? PF_ERR_I : 0);
    bool rw_all = true, us_all = true;   /* R/W and U/S set in every entry used (4.6.1) */
    bool xd_any = false;                 /* XD set in some entry (IA32_EFER.NXE; PAE and 4-level) */
    uint64_t e, leaf, out;
    *pf_error = 0;

    if (!(p->cr0 & GW_CR0_PG)) {
        *gpa = gla & 0xffffffffull;
        return GUEST_WALK_OK;
    }
    if (!(p->cr4 & GW_CR4_PAE)) {
        /* 32-bit paging: 10/10/12; a 4 MiB page with CR4.PSE and PDE.PS, bits 39:32 from PDE 20:13 (4.3). */
        uint64_t at = (p->cr3 & 0xfffff000ull) + ((gla >> 22) & 0x3ff) * 4;
        gla &= 0xffffffffull;
        if (!read(ctx, at, 4, &e)) {
            *table = at;
            return GUEST_WALK_TABLE;
        }
        if (!(e & 1))
            goto not_present;
        rw_all &= (e >> 1) & 1;
        us_all &= (e >> 2) & 1;
        if ((e & 0x80) && (p->cr4 & GW_CR4_PSE)) {
            leaf = e;
            out = (e & 0xffc00000ull) | (((e >> 13) & 0xff) << 32) | (gla & 0x3fffff);
        } else {
            at = (e & 0xfffff000ull) + ((gla >> 12) & 0x3ff) * 4;
            if (!read(ctx, at, 4, &e)) {
                *table = at;
                return GUEST_WALK_TABLE;
            }
            if (!(e & 1))
                goto not_present;
            rw_all &= (e >> 1) & 1;
            us_all &= (e >> 2) & 1;
            leaf = e;
            out = (e & 0xfffff000ull) | (gla & 0xfff);
        }
    } else {
        int level;
        uint64_t next;
        if (p->efer & GW_EFER_LMA) {
            /* 4-level paging translates only canonical addresses (bits 63:47 equal, 4.5): the walk
             * looks at bits 47:0 and would alias 0x8000000000000000 to 0.  5-level paging (CR4.LA57
             * with IA-32e mode): the PML5 table from CR3, bits 56:48 index it, bits 63:56 equal. */
            unsigned bits = (p->cr4 & GW_CR4_LA57) ? 57 : 48;
            if ((uint64_t)((int64_t)(gla << (64 - bits)) >> (64 - bits)) != gla)
                return GUEST_WALK_NONCANONICAL;
            level = (p->cr4 & GW_CR4_LA57) ? 5 : 4;
            next = p->cr3 & ADDR_MASK;
        } else {
            /* PAE: the PDPTE registers, loaded with CR3 (4.4.1); they carry no R/W or U/S. */
            gla &= 0xffffffffull;
            e = p->pdpte[(gla >> 30) & 3];
            if (!(e & 1))
                goto not_present;
            level = 2;
            next = e & ADDR_MASK;
        }
        for (;; level--) {
            unsigned shift = 12 + 9 * (level - 1);
            uint64_t at = next + ((gla >> shift) & 511) * 8;
            if (!read(ctx, at, 8, &e)) {
                *table = at;
                return GUEST_WALK_TABLE;
            }
            if (!(e & 1))
                goto not_present;
            bool large = level > 1 && level <= 3 && (e & 0x80);
            if (e & reserved_bits(p, level, large)) {
                *pf_error = err | PF_ERR_P | PF_ERR_RSVD;
                return GUEST_WALK_PF;
            }
            rw_all &= (e >> 1) & 1;
            us_all &= (e >> 2) & 1;
            xd_any |= (p->efer & GW_EFER_NXE) && (e >> 63);
            if (level == 1 || large) {
                uint64_t mask = (1ull << shift) - 1;
                leaf = e;
                out = ((e & ADDR_MASK) & ~mask) | (gla & mask);
                break;
            }
            next = e & ADDR_MASK;
        }
    }

    if (!debug) {
        /* Access rights (4.6.1): a user-mode address has U/S set at every level. */
        bool wp = p->cr0 & GW_CR0_WP;
        if (fetch) {
            /* Fetches: XD anywhere, a user fetch from a supervisor page, SMEP (4.6.1). */
            if (xd_any || (user && !us_all) || (!user && us_all && (p->cr4 & GW_CR4_SMEP)))
                goto protection;
            *gpa = out;
            return GUEST_WALK_OK;
        }
        if (user) {
            if (!us_all || (write && !rw_all))
                goto protection;
        } else {
            /* SMAP: supervisor data accesses to user-mode addresses with AC clear (4.6.1). */
            if (us_all && (p->cr4 & GW_CR4_SMAP) && !(p->rflags & GW_RFLAGS_AC))
                goto protection;
            if (write && !rw_all && wp)
                goto protection;
        }
        /* Protection keys: 4- and 5-level paging, user-mode addresses, key in bits 62:59 (4.6.2). */
        if ((p->cr4 & GW_CR4_PKE) && (p->efer & GW_EFER_LMA) && us_all) {
            unsigned key = (unsigned)((leaf >> 59) & 15);
            bool ad = (p->pkru >> (2 * key)) & 1, wd = (p->pkru >> (2 * key + 1)) & 1;
            if (ad || (write && wd && (user || wp))) {
                *pf_error = err | PF_ERR_P | PF_ERR_PK;
                return GUEST_WALK_PF;
            }
        }
    }
    *gpa = out;
    return GUEST_WALK_OK;

not_present:
    *pf_error = err;
    return GUEST_WALK_PF;
protection:
    *pf_error = err | PF_ERR_P;
    return GUEST_WALK_PF;
}
