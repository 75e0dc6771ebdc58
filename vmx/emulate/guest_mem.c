/*
 * Guest memory as Skiff sees it.  Guest-physical equals host-physical
 * (identity EPT) wherever the EPT maps it; Skiff's own pages are not mapped,
 * so checking the EPT is the one test that keeps Skiff out of reach.
 * Guest paging walks follow SDM Vol. 3A 4.3 (32-bit), 4.4 (PAE), 4.5 (4-level).
 */
#include "vmx/emulate/guest_mem.h"

#include "kernel/cpu/cpu.h"
#include "kernel/cpu/percpu.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_insn.h"

struct ept guest_ept;
struct ept_space guest_space;
static struct spinlock guest_space_lock;

enum ept_fill guest_phys_fill(struct vcpu *v, uint64_t gpa, uint64_t qual)
{
    spin_lock(&guest_space_lock);
    enum ept_fill f = ept_space_fill(&guest_space, gpa);
    /* Present entries became not present: drop this EPTP's cached translations (SDM 29.4.3.3).
     * The pool recycles only with one vCPU, so this CPU is the only one that cached them. */
    if (f == EPT_FILL_RECYCLED)
        vmx_invept(INVEPT_SINGLE_CONTEXT, v->eptp);
    spin_unlock(&guest_space_lock);
    unsigned perms;
    /* Exit qualification bits 2:0: the access was a read, a write, a fetch (SDM 28.2.1 Table 28-7). */
    if (f == EPT_FILL_PRESENT && ept_translate(&guest_ept, gpa, 0, &perms, 0, 0) &&
        !(qual & EPT_RWX & ~perms))
        return EPT_FILL_MAPPED;
    return f;
}

bool guest_phys_ok(uint64_t gpa, uint64_t len)
{
    if (len == 0 || gpa + len < gpa)
        return false;
    for (uint64_t page = gpa & PAGE_MASK; page < gpa + len; page += PAGE_SIZE) {
        uint64_t hpa;
        unsigned perms, mt, level;
        if (!ept_translate(&guest_ept, page, &hpa, &perms, &mt, &level) || hpa != page)
            return false;
    }
    return true;
}

static bool read_entry(uint64_t gpa, unsigned size, uint64_t *out)
{
    if (!guest_phys_ok(gpa, size))
        return false;
    *out = size == 8 ? *(volatile uint64_t *)phys_to_virt(gpa)
                     : *(volatile uint32_t *)phys_to_virt(gpa);
    return true;
}

bool guest_linear_to_phys(uint64_t gla, bool write, uint64_t *gpa)
{
    uint64_t cr0 = vmcs_read(GUEST_CR0), cr3 = vmcs_read(GUEST_CR3), cr4 = vmcs_read(GUEST_CR4);
    uint64_t efer = vmcs_read(GUEST_IA32_EFER);
    uint64_t e;

    if (!(cr0 & CR0_PG)) {
        *gpa = gla & 0xffffffffull;
        return true;
    }
    bool wp = cr0 & CR0_WP;
    if (!(cr4 & CR4_PAE)) {
        /* 32-bit paging: 10/10/12, 4 MiB pages with PSE. */
        if (!read_entry((cr3 & 0xfffff000) + ((gla >> 22) & 0x3ff) * 4, 4, &e) || !(e & 1))
            return false;
        if (write && wp && !(e & 2))
            return false;
        if ((e & 0x80) && (cr4 & (1u << 4))) {
            *gpa = (e & 0xffc00000) | (gla & 0x3fffff);
            return true;
        }
        if (!read_entry((e & 0xfffff000) + ((gla >> 12) & 0x3ff) * 4, 4, &e) || !(e & 1))
            return false;
        if (write && wp && !(e & 2))
            return false;
        *gpa = (e & 0xfffff000) | (gla & 0xfff);
        return true;
    }

    const uint64_t addr_mask = 0x000ffffffffff000ull;
    int level;
    uint64_t table;
    if (efer & EFER_LMA) {
        /* 4-level paging translates only canonical addresses (bits 63:47 equal, SDM Vol. 3A 4.5):
         * the walk below looks at bits 47:0 and would alias 0x8000000000000000 to 0. */
        if ((uint64_t)((int64_t)(gla << 16) >> 16) != gla)
            return false;
        level = 4;
        table = cr3 & addr_mask;
    } else {
        /* PAE: the PDPTE comes from a 32-byte aligned table. */
        if (!read_entry((cr3 & 0xffffffe0) + ((gla >> 30) & 3) * 8, 8, &e) || !(e & 1))
            return false;
        level = 2;
        table = e & addr_mask;
    }
    for (; level >= 1; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        if (!read_entry(table + ((gla >> shift) & 511) * 8, 8, &e) || !(e & 1))
            return false;
        if (write && wp && !(e & 2))
            return false;
        if (level == 1 || ((e & 0x80) && level <= 3)) {
            uint64_t mask = (1ull << shift) - 1;
            *gpa = ((e & addr_mask) & ~mask) | (gla & mask);
            return true;
        }
        table = e & addr_mask;
    }
    return false;
}

static bool guest_copy(uint64_t gla, void *buf, size_t len, bool write)
{
    uint8_t *p = buf;
    while (len) {
        uint64_t gpa;
        size_t chunk = PAGE_SIZE - (gla & (PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        if (!guest_linear_to_phys(gla, write, &gpa) || !guest_phys_ok(gpa, chunk))
            return false;
        if (write)
            memcpy(phys_to_virt(gpa), p, chunk);
        else
            memcpy(p, phys_to_virt(gpa), chunk);
        gla += chunk;
        p += chunk;
        len -= chunk;
    }
    return true;
}

bool guest_read(uint64_t gla, void *dst, size_t len) { return guest_copy(gla, dst, len, false); }

bool guest_write(uint64_t gla, const void *src, size_t len)
{
    return guest_copy(gla, (void *)src, len, true);
}
