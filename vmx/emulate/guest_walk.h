/*
 * The guest's own page walk as the CPU does it for a data access, with its
 * permission checks: present, R/W (with CR0.WP for supervisor writes), U/S,
 * SMAP (CR4.SMAP, RFLAGS.AC) and protection keys (CR4.PKE, PKRU), and the
 * page-fault error code a CPU would deliver (SDM Vol. 3A 4.3 32-bit paging,
 * 4.4 PAE, 4.5 4-level and 5-level (CR4.LA57), 4.6 access rights, 4.6.2 protection keys, 4.7
 * page-fault exceptions).
 *
 * Pure: paging structures are read through the caller's callback, which
 * decides what guest-physical memory may be read at all, so the same code
 * runs in Skiff (vmx/emulate/guest_mem.c) and in host tests.
 *
 * Not done: accessed and dirty flags are not set (a CPU sets them in the
 * paging structures it used, 4.8).
 */
#ifndef SKIFF_VMX_GUEST_WALK_H
#define SKIFF_VMX_GUEST_WALK_H

#include <stdbool.h>
#include <stdint.h>

/* Page-fault error code (SDM Vol. 3A 4.7, Figure 4-12). */
#define PF_ERR_P    (1u << 0)   /* a protection violation (0: not present) */
#define PF_ERR_W    (1u << 1)   /* a write */
#define PF_ERR_U    (1u << 2)   /* a user-mode access (CPL 3) */
#define PF_ERR_RSVD (1u << 3)   /* a reserved bit set in a paging-structure entry */
#define PF_ERR_I    (1u << 4)   /* an instruction fetch (with IA32_EFER.NXE or CR4.SMEP) */
#define PF_ERR_PK   (1u << 5)   /* a protection-key violation */

#define GW_CR0_PG   (1ull << 31)
#define GW_CR0_WP   (1ull << 16)
#define GW_CR4_PSE  (1ull << 4)
#define GW_CR4_PAE  (1ull << 5)
#define GW_CR4_LA57 (1ull << 12)
#define GW_CR4_SMEP (1ull << 20)
#define GW_CR4_SMAP (1ull << 21)
#define GW_CR4_PKE  (1ull << 22)
#define GW_EFER_LMA (1ull << 10)
#define GW_EFER_NXE (1ull << 11)
#define GW_RFLAGS_AC (1ull << 18)

/* The guest's paging state for one access. */
struct guest_paging {
    uint64_t cr0, cr3, cr4, efer, rflags;
    uint64_t pdpte[4];          /* PAE paging: the PDPTE registers (with EPT, the VMCS's GUEST_PDPTRn) */
    unsigned cpl;               /* SS.DPL (SDM Vol. 3A 5.5) */
    unsigned maxphyaddr;        /* address bits at and above it in an entry are reserved; 0: 52 */
    uint32_t pkru;              /* read when CR4.PKE with 4- or 5-level paging */
};

/* What an access is. */
#define GW_WRITE 1u             /* a write (else a read) */
#define GW_DEBUG 2u             /* a debugger's: only presence counts, not the access rights */
#define GW_FETCH 4u             /* an instruction fetch: XD and SMEP, not SMAP or protection keys */

enum guest_walk_result {
    GUEST_WALK_OK,
    GUEST_WALK_PF,              /* the CPU would raise #PF with *pf_error and CR2 = the address */
    GUEST_WALK_NONCANONICAL,    /* 4-level paging: bits 63:47 differ, 5-level: 63:56 (#GP or #SS, not #PF) */
    GUEST_WALK_TABLE,           /* the reader refused a paging structure at *table */
};

/* Read `size` (4 or 8) bytes of a paging structure at gpa; false: not readable for Skiff. */
typedef bool (*guest_walk_read_fn)(void *ctx, uint64_t gpa, unsigned size, uint64_t *val);

/*
 * Translate gla for an access of kind `access` (GW_*).  On GUEST_WALK_OK
 * stores the guest-physical address; on GUEST_WALK_PF the error code; on
 * GUEST_WALK_TABLE the address of the paging structure entry it could not read.
 */
enum guest_walk_result guest_walk(const struct guest_paging *p, uint64_t gla, unsigned access,
                                  guest_walk_read_fn read, void *ctx, uint64_t *gpa, uint32_t *pf_error,
                                  uint64_t *table);

#endif
