/* Reaching guest memory from Skiff: guest-physical checks and guest page-table walks. */
#ifndef SKIFF_VMX_GUEST_MEM_H
#define SKIFF_VMX_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/core/vcpu.h"
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

/* True when every byte of [gpa, gpa + len) is mapped in the guest's EPT. */
bool guest_phys_ok(uint64_t gpa, uint64_t len);

/*
 * Translate a guest-linear address through the guest's own paging (none,
 * 32-bit, PAE or 4-level, from GUEST_CR0/CR4/EFER).  False when not mapped,
 * not writable for a write, or when a paging structure is outside guest memory.
 */
bool guest_linear_to_phys(uint64_t gla, bool write, uint64_t *gpa);

/* Copy between Skiff and guest-linear memory; false when any byte is unreachable. */
bool guest_read(uint64_t gla, void *dst, size_t len);
bool guest_write(uint64_t gla, const void *src, size_t len);

#endif
