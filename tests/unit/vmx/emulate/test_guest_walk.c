// SOURCES: vmx/emulate/guest_walk.c
/*
 * The guest page walk's access rights and #PF error codes (vmx/emulate/guest_walk.c,
 * SDM Vol. 3A 4.6 and 4.7) over a fake guest-physical memory of 64 pages at GPA 0.
 */
#include "tests/unit/unit.h"

#include <stdint.h>

#include "vmx/emulate/guest_walk.h"

#define PAGES 64
static uint8_t mem[PAGES * 4096] __attribute__((aligned(4096)));
static uint64_t refuse_from = PAGES * 4096;   /* the reader refuses GPAs at and above this */

static bool rd(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
    (void)ctx;
    if (gpa + size > refuse_from)
        return false;
    *val = 0;
    memcpy(val, mem + gpa, size);
    return true;
}

static uint64_t *ent(uint64_t page, unsigned i) { return (uint64_t *)(mem + page * 4096) + i; }

#define P 1ull
#define RW 2ull
#define US 4ull
#define PS 0x80ull

/* 4-level: PML4 page 1, PDPT 2, PD 3, PT 4; linear 0x1000 + i*0x1000 -> page 16 + i via PT entry 1 + i. */
static struct guest_paging lm(uint64_t upper_flags)
{
    memset(mem, 0, sizeof(mem));
    refuse_from = PAGES * 4096;
    *ent(1, 0) = 0x2000 | P | upper_flags;
    *ent(2, 0) = 0x3000 | P | upper_flags;
    *ent(3, 0) = 0x4000 | P | upper_flags;
    return (struct guest_paging){ .cr0 = GW_CR0_PG | 1, .cr3 = 0x1000, .cr4 = GW_CR4_PAE, .efer = GW_EFER_LMA,
                                  .maxphyaddr = 39 };
}

static enum guest_walk_result walk(const struct guest_paging *p, uint64_t gla, unsigned acc, uint64_t *gpa,
                                   uint32_t *err)
{
    uint64_t table = 0;
    return guest_walk(p, gla, acc, rd, 0, gpa, err, &table);
}

TEST(no_paging_is_identity_32bit)
{
    struct guest_paging p = { .cr0 = 1 };
    uint64_t gpa;
    uint32_t err;
    CHECK_EQ(walk(&p, 0x123456789ull, GW_WRITE, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(gpa, 0x23456789);
}

TEST(not_present_error_codes)
{
    struct guest_paging p = lm(RW);
    uint64_t gpa;
    uint32_t err;
    CHECK_EQ(walk(&p, 0x1000, 0, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, 0);
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_W);
    p.cpl = 3;
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_W | PF_ERR_U);
    *ent(1, 0) = 0;                                           /* not present at the PML4E */
    CHECK_EQ(walk(&p, 0x1000, 0, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_U);
}

TEST(present_translates_with_offset)
{
    struct guest_paging p = lm(RW);
    uint64_t gpa;
    uint32_t err;
    *ent(4, 1) = 0x10000 | P | RW;
    CHECK_EQ(walk(&p, 0x1abc, GW_WRITE, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(gpa, 0x10abc);
}

TEST(read_only_write_needs_wp_for_supervisor)
{
    struct guest_paging p = lm(RW);
    uint64_t gpa;
    uint32_t err;
    *ent(4, 1) = 0x10000 | P;                                 /* read-only leaf */
    CHECK_EQ(walk(&p, 0x1000, 0, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_OK);   /* CR0.WP = 0 */
    p.cr0 |= GW_CR0_WP;
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_W);
    /* R/W clear in an upper level counts too (4.6.1: every paging-structure entry). */
    *ent(4, 1) = 0x10000 | P | RW;
    *ent(2, 0) &= ~RW;
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_W);
    /* A debugger's access ignores the rights. */
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE | GW_DEBUG, &gpa, &err), GUEST_WALK_OK);
}

TEST(user_access_to_supervisor_page)
{
    struct guest_paging p = lm(RW | US);
    uint64_t gpa;
    uint32_t err;
    *ent(4, 1) = 0x10000 | P | RW;                            /* supervisor leaf */
    *ent(4, 2) = 0x11000 | P | US;                            /* user, read-only */
    p.cpl = 3;
    CHECK_EQ(walk(&p, 0x1000, 0, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_U);
    CHECK_EQ(walk(&p, 0x2000, 0, &gpa, &err), GUEST_WALK_OK);
    /* A user write to a read-only page faults whatever CR0.WP says. */
    CHECK_EQ(walk(&p, 0x2000, GW_WRITE, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_W | PF_ERR_U);
    p.cpl = 0;
    CHECK_EQ(walk(&p, 0x2000, GW_WRITE, &gpa, &err), GUEST_WALK_OK);
}

TEST(smap)
{
    struct guest_paging p = lm(RW | US);
    uint64_t gpa;
    uint32_t err;
    *ent(4, 1) = 0x10000 | P | RW | US;
    *ent(4, 2) = 0x11000 | P | RW;
    p.cr4 |= GW_CR4_SMAP;
    CHECK_EQ(walk(&p, 0x1000, 0, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P);
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_W);
    CHECK_EQ(walk(&p, 0x2000, GW_WRITE, &gpa, &err), GUEST_WALK_OK);   /* a supervisor page */
    p.rflags |= GW_RFLAGS_AC;
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_OK);
    p.rflags = 0;
    p.cpl = 3;                                                /* SMAP does not apply to user accesses */
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_OK);
}

TEST(protection_keys)
{
    struct guest_paging p = lm(RW | US);
    uint64_t gpa;
    uint32_t err;
    *ent(4, 1) = 0x10000 | P | RW | US | (5ull << 59);       /* key 5 */
    p.cr4 |= GW_CR4_PKE;
    p.pkru = 1u << 10;                                        /* AD5 */
    CHECK_EQ(walk(&p, 0x1000, 0, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_PK);
    p.pkru = 1u << 11;                                        /* WD5 */
    CHECK_EQ(walk(&p, 0x1000, 0, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_OK);   /* supervisor, CR0.WP = 0 */
    p.cr0 |= GW_CR0_WP;
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_W | PF_ERR_PK);
    p.cpl = 3;
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_W | PF_ERR_U | PF_ERR_PK);
    p.pkru = 3u << 8;                                         /* another key: no effect */
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_OK);
    /* Keys apply to user-mode addresses only. */
    *ent(4, 1) &= ~US;
    p.cpl = 0;
    p.pkru = ~0u;
    CHECK_EQ(walk(&p, 0x1000, GW_WRITE, &gpa, &err), GUEST_WALK_OK);
}

TEST(reserved_bits_and_large_pages)
{
    struct guest_paging p = lm(RW);
    uint64_t gpa;
    uint32_t err;
    *ent(3, 1) = 0x200000 | P | RW | PS;                      /* a 2 MiB page at linear 2 MiB */
    CHECK_EQ(walk(&p, 0x212345, GW_WRITE, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(gpa, 0x212345);
    *ent(3, 1) |= 1ull << 13;                                 /* reserved in a 2 MiB PDE */
    CHECK_EQ(walk(&p, 0x212345, GW_WRITE, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_W | PF_ERR_RSVD);
    *ent(3, 1) = (1ull << 40) | P | RW | PS;                  /* above MAXPHYADDR 39 */
    CHECK_EQ(walk(&p, 0x200000, 0, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_RSVD);
    *ent(3, 1) = 0x200000 | P | (1ull << 63);                 /* XD without EFER.NXE */
    CHECK_EQ(walk(&p, 0x200000, 0, &gpa, &err), GUEST_WALK_PF);
    p.efer |= GW_EFER_NXE;
    *ent(3, 1) |= PS;
    CHECK_EQ(walk(&p, 0x200000, 0, &gpa, &err), GUEST_WALK_OK);
}

TEST(noncanonical_and_unreadable_tables)
{
    struct guest_paging p = lm(RW);
    uint64_t gpa, table = 0;
    uint32_t err;
    CHECK_EQ(walk(&p, 0x8000000000000000ull, 0, &gpa, &err), GUEST_WALK_NONCANONICAL);
    *ent(3, 2) = (PAGES * 4096ull) | P | RW;                  /* a page table outside what the reader allows */
    CHECK_EQ(guest_walk(&p, 0x400000, 0, rd, 0, &gpa, &err, &table), GUEST_WALK_TABLE);
    CHECK_EQ(table, PAGES * 4096ull);
}

TEST(pae_uses_the_pdpte_registers)
{
    memset(mem, 0, sizeof(mem));
    struct guest_paging p = { .cr0 = GW_CR0_PG | GW_CR0_WP | 1, .cr3 = 0x1000, .cr4 = GW_CR4_PAE, .maxphyaddr = 36 };
    uint64_t gpa;
    uint32_t err;
    *ent(1, 0) = 0x3000 | P;                                  /* in memory, ignored: the registers count */
    p.pdpte[0] = 0;
    CHECK_EQ(walk(&p, 0x1000, 0, &gpa, &err), GUEST_WALK_PF);
    p.pdpte[0] = 0x3000 | P;
    *ent(3, 0) = 0x4000 | P | RW;
    *ent(4, 1) = 0x10000 | P;
    CHECK_EQ(walk(&p, 0x1234, 0, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(gpa, 0x10234);
    CHECK_EQ(walk(&p, 0x1234, GW_WRITE, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_W);
}

TEST(paging_32bit_4m_and_4k)
{
    memset(mem, 0, sizeof(mem));
    struct guest_paging p = { .cr0 = GW_CR0_PG | GW_CR0_WP | 1, .cr3 = 0x1000, .cr4 = GW_CR4_PSE, .cpl = 3 };
    uint64_t gpa;
    uint32_t err;
    uint32_t *pd = (uint32_t *)(mem + 0x1000), *pt = (uint32_t *)(mem + 0x2000);
    pd[1] = 0x400000 | 0x80 | P | RW | US | (1u << 13);       /* 4 MiB page, PSE-36 bit 32 */
    CHECK_EQ(walk(&p, 0x401234, GW_WRITE, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(gpa, 0x100401234ull);
    pd[0] = 0x2000 | P | RW | US;
    pt[3] = 0x10000 | P | RW;                                 /* supervisor */
    CHECK_EQ(walk(&p, 0x3000, 0, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_U);
}

TEST(instruction_fetch)
{
    struct guest_paging p = lm(RW | US);
    uint64_t gpa;
    uint32_t err;
    *ent(4, 1) = 0x10000 | P | US | (1ull << 63);             /* user page, XD */
    *ent(4, 2) = 0x11000 | P;                                 /* supervisor page */
    p.cr4 |= GW_CR4_SMAP | GW_CR4_PKE;
    p.pkru = ~0u;
    /* XD without NXE is a reserved bit. */
    CHECK_EQ(walk(&p, 0x1000, GW_FETCH, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_RSVD);
    p.efer |= GW_EFER_NXE;
    CHECK_EQ(walk(&p, 0x1000, GW_FETCH, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_I);
    *ent(4, 1) &= ~(1ull << 63);
    /* SMAP and protection keys are for data: a supervisor fetch from a user page works without SMEP. */
    CHECK_EQ(walk(&p, 0x1000, GW_FETCH, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(walk(&p, 0x1000, 0, &gpa, &err), GUEST_WALK_PF);
    p.cr4 |= GW_CR4_SMEP;
    CHECK_EQ(walk(&p, 0x1000, GW_FETCH, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_I);
    p.cpl = 3;
    CHECK_EQ(walk(&p, 0x1000, GW_FETCH, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(walk(&p, 0x2000, GW_FETCH, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_U | PF_ERR_I);
    *ent(4, 3) = 0;
    CHECK_EQ(walk(&p, 0x3000, GW_FETCH, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_U | PF_ERR_I);
}

/* 5-level paging (CR4.LA57 with IA-32e mode, SDM Vol. 3A 4.5): the PML5 table (page 5) from CR3,
 * bits 56:48 index it; linear addresses are canonical over 57 bits. */
static struct guest_paging la57(uint64_t upper_flags)
{
    struct guest_paging p = lm(upper_flags);
    p.cr3 = 0x5000;
    p.cr4 |= GW_CR4_LA57;
    *ent(5, 3) = 0x1000 | P | upper_flags;                   /* bits 56:48 = 3 */
    *ent(5, 256) = 0x1000 | P | upper_flags;                 /* bits 56:48 = 0x100: the upper half */
    *ent(4, 1) = 0x10000 | P | RW | US;
    return p;
}

TEST(la57_walks_five_levels)
{
    struct guest_paging p = la57(RW);
    uint64_t gpa, table = 0;
    uint32_t err;
    CHECK_EQ(walk(&p, (3ull << 48) | 0x1abc, GW_WRITE, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(gpa, 0x10abc);
    CHECK_EQ(walk(&p, 0xff00000000001abcull, 0, &gpa, &err), GUEST_WALK_OK);   /* PML5E 256 */
    CHECK_EQ(gpa, 0x10abc);
    /* Without LA57 the same CR3 is a PML4, and the address is not canonical over 48 bits. */
    p.cr4 &= ~GW_CR4_LA57;
    CHECK_EQ(walk(&p, (3ull << 48) | 0x1abc, 0, &gpa, &err), GUEST_WALK_NONCANONICAL);
    p.cr4 |= GW_CR4_LA57;
    /* PML5E 0 is not present: a #PF, not an alias of PML5E 3. */
    CHECK_EQ(walk(&p, 0x1abc, GW_WRITE, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_W);
    *ent(5, 0) = 0x1000 | P | RW;
    CHECK_EQ(walk(&p, 0x1abc, 0, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(gpa, 0x10abc);
    /* The PML5E is read where CR3 says; a refused read names it. */
    refuse_from = 0x5000;
    CHECK_EQ(guest_walk(&p, (3ull << 48) | 0x1abc, 0, rd, 0, &gpa, &err, &table), GUEST_WALK_TABLE);
    CHECK_EQ(table, 0x5000 + 3 * 8);
}

TEST(la57_canonical_is_57_bits)
{
    struct guest_paging p = la57(RW);
    uint64_t gpa;
    uint32_t err;
    static const struct { uint64_t gla; bool canonical; } cases[] = {
        { 0x00ffffffffffffffull, true },  { 0x0100000000000000ull, false }, { 0xff00000000000000ull, true },
        { 0xfeffffffffffffffull, false }, { 0x0000800000000000ull, true },  { 0x8000000000000000ull, false },
        { 0xffff800000000000ull, true },  { 0x7f00000000000000ull, false },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum guest_walk_result r = walk(&p, cases[i].gla, 0, &gpa, &err);
        CHECK_EQ(r == GUEST_WALK_NONCANONICAL, !cases[i].canonical);
    }
}

TEST(la57_pml5e_rights_and_reserved_bits)
{
    struct guest_paging p = la57(RW | US);
    uint64_t gpa, gla = (3ull << 48) | 0x1abc;
    uint32_t err;
    p.cpl = 3;
    CHECK_EQ(walk(&p, gla, GW_WRITE, &gpa, &err), GUEST_WALK_OK);
    *ent(5, 3) &= ~US;                                       /* a supervisor PML5E: every page below is */
    CHECK_EQ(walk(&p, gla, 0, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_U);
    *ent(5, 3) = (*ent(5, 3) | US) & ~RW;                    /* read-only from the PML5E */
    CHECK_EQ(walk(&p, gla, GW_WRITE, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_W | PF_ERR_U);
    p.cpl = 0;
    *ent(5, 3) = 0x1000 | P | RW | US | PS;                  /* PS is reserved in a PML5E */
    CHECK_EQ(walk(&p, gla, 0, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_RSVD);
    *ent(5, 3) = (1ull << 40) | 0x1000 | P | RW;             /* an address bit above MAXPHYADDR (39) */
    CHECK_EQ(walk(&p, gla, 0, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_RSVD);
    *ent(5, 3) = (1ull << 63) | 0x1000 | P | RW;             /* XD without IA32_EFER.NXE */
    CHECK_EQ(walk(&p, gla, 0, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_RSVD);
    p.efer |= GW_EFER_NXE;                                   /* with NXE: XD in the PML5E forbids fetches */
    CHECK_EQ(walk(&p, gla, 0, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(walk(&p, gla, GW_FETCH, &gpa, &err), GUEST_WALK_PF);
    CHECK_EQ(err, PF_ERR_P | PF_ERR_I);
}

TEST(la57_needs_ia32e_mode)
{
    /* PAE paging with CR4.LA57 set: the PDPTE registers as before (LA57 only changes IA-32e paging). */
    memset(mem, 0, sizeof(mem));
    struct guest_paging p = { .cr0 = GW_CR0_PG | 1, .cr3 = 0x1000, .cr4 = GW_CR4_PAE | GW_CR4_LA57,
                              .maxphyaddr = 36 };
    uint64_t gpa;
    uint32_t err;
    p.pdpte[0] = 0x3000 | P;
    *ent(3, 0) = 0x4000 | P | RW;
    *ent(4, 1) = 0x10000 | P;
    CHECK_EQ(walk(&p, 0x1234, 0, &gpa, &err), GUEST_WALK_OK);
    CHECK_EQ(gpa, 0x10234);
}

UNIT_MAIN(T(no_paging_is_identity_32bit), T(not_present_error_codes), T(present_translates_with_offset),
          T(read_only_write_needs_wp_for_supervisor), T(user_access_to_supervisor_page), T(smap),
          T(protection_keys), T(reserved_bits_and_large_pages), T(noncanonical_and_unreadable_tables),
          T(pae_uses_the_pdpte_registers), T(paging_32bit_4m_and_4k), T(instruction_fetch),
          T(la57_walks_five_levels), T(la57_canonical_is_57_bits), T(la57_pml5e_rights_and_reserved_bits),
          T(la57_needs_ia32e_mode))
