/* Reaching guest memory from Skiff: guest-physical checks and guest page-table walks. */
#ifndef SKIFF_VMX_GUEST_MEM_H
#define SKIFF_VMX_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/core/vcpu.h"
#include "vmx/emulate/guest_walk.h"
#include "vmx/mem/ept.h"
#include "vmx/mem/ept_space.h"

extern struct ept guest_ept;
extern struct ept_space guest_space;      /* the space beyond RAM (vmx/mem/ept_space.h) */

/*
 * An EPT violation at gpa that is not Skiff's page: map it on demand (under a
 * lock shared by the vCPUs; INVEPT when the pool was recycled).  `qual` is the
 * exit qualification: an address another vCPU mapped meanwhile whose mapping
 * allows the access counts as mapped.
 */
enum ept_fill guest_phys_fill(struct vcpu *v, uint64_t gpa, uint64_t qual);

/*
 * The guest's RAM (the RAM, ACPI and NVS ranges of its memory map): the only
 * guest-physical memory Skiff dereferences for the guest.  Set once by
 * guest/run/run.c before the guest runs; at most GUEST_RAM_MAX ranges.
 */
#define GUEST_RAM_MAX 128
void guest_ram_clear(void);
void guest_ram_add(uint64_t base, uint64_t len);

/* Why an access Skiff performs for the guest cannot be done. */
enum guest_mem_status {
    GUEST_MEM_OK,
    GUEST_MEM_PF,          /* the guest's own paging refuses it: #PF (error, CR2) for the guest */
    GUEST_MEM_GP,          /* a non-canonical address: #GP(0) (#SS(0) through SS) for the guest */
    GUEST_MEM_OUTSIDE,     /* not in the guest's EPT: Skiff's page, RAM it withholds */
    GUEST_MEM_READ_ONLY,   /* a write to a page the EPT maps read-only: Skiff mediates the guest's writes there */
    GUEST_MEM_NOT_RAM,     /* mapped in the EPT but not guest RAM: MMIO, the PCI hole, above RAM */
    GUEST_MEM_TABLE,       /* a paging structure of the guest's walk is not in guest RAM */
};

/* Where it failed: the guest-linear and guest-physical address, and the #PF error code. */
struct guest_fault {
    enum guest_mem_status status;
    uint64_t gla, gpa;
    uint32_t pf_error;
};

/*
 * Guest-physical [gpa, gpa + len): GUEST_MEM_OK when every byte is guest RAM
 * that the EPT maps identity, with W when `write` (SDM Vol. 3C 29.3.3: the
 * guest's own write there would be an EPT violation).  *bad: the first
 * address that is not.
 */
enum guest_mem_status guest_phys_check(uint64_t gpa, uint64_t len, bool write, uint64_t *bad);

/* True when every byte of [gpa, gpa + len) is guest RAM mapped (readable) in the guest's EPT. */
bool guest_phys_ok(uint64_t gpa, uint64_t len);

/* The guest's paging state now (GUEST_CR0/CR3/CR4/EFER/RFLAGS, SS.DPL, the PDPTEs, PKRU). */
void guest_paging_now(struct guest_paging *p);

/*
 * Translate a guest-linear address through the guest's own paging (none,
 * 32-bit, PAE or 4-level) for an access of kind `access` (GW_WRITE,
 * GW_DEBUG; vmx/emulate/guest_walk.h), with the access rights of the guest's
 * CPL.  False when the guest's paging refuses it or a paging structure is
 * not guest RAM.
 */
bool guest_linear_to_phys(uint64_t gla, unsigned access, uint64_t *gpa);

/*
 * Check, then copy between Skiff and guest-linear memory, as the guest's own
 * access would be checked by the CPU with paging state `p` (guest_paging_now;
 * one read serves every iteration of a REP string instruction): its paging
 * (#PF), then the EPT and guest RAM.  Every page is checked before a byte is
 * copied.  On failure, *f says what and where (f may be NULL).
 */
enum guest_access_op { GUEST_CHECK_READ, GUEST_CHECK_WRITE, GUEST_COPY_FROM, GUEST_COPY_TO, GUEST_FETCH };
enum guest_mem_status guest_access(const struct guest_paging *p, uint64_t gla, void *buf, size_t len,
                                   enum guest_access_op op, struct guest_fault *f);

/* The same with the paging state now; true when it worked. */
bool guest_read(uint64_t gla, void *dst, size_t len);
/* Instruction bytes: a fetch's rights (XD, SMEP), not a data read's (SMAP, protection keys). */
bool guest_fetch(uint64_t gla, void *dst, size_t len);
bool guest_write(uint64_t gla, const void *src, size_t len);

/*
 * A failed access that is the guest's fault as on the bare machine (#PF,
 * #GP): inject it (CR2 first for #PF) and return true.  `ss`: the operand's
 * segment is SS (#SS(0) instead of #GP(0), SDM Vol. 3A 6.15).
 */
bool guest_fault_inject(struct vcpu *v, const struct guest_fault *f, bool ss);

#endif
