/*
 * Guest memory as Skiff sees it.  Guest-physical equals host-physical
 * (identity EPT) wherever the EPT maps it; Skiff's own pages are not mapped,
 * so checking the EPT keeps Skiff's pages out of reach.
 *
 * Every access Skiff performs for the guest (string I/O, hypercall buffers,
 * the MMIO emulators' operands, the gdb stub) is checked as the guest's own
 * would be, in the CPU's order:
 *   1. the guest's paging, with the access rights of its CPL (U/S, R/W with
 *      CR0.WP, SMAP, protection keys; vmx/emulate/guest_walk.c, SDM Vol. 3A
 *      4.6): a refusal is the guest's #PF, which the caller injects;
 *   2. the EPT's permission for the page (SDM Vol. 3C 29.3.3): a write needs
 *      W in the leaf.  Pages the EPT maps read-only (the APIC page during SMP
 *      bring-up, the ECAM windows) are those whose writes Skiff mediates;
 *      Skiff never writes them behind that mediation;
 *   3. guest RAM: Skiff dereferences only the RAM of the guest's memory map.
 *      Its own page tables map RAM and [0, 4 GiB) (kernel/mem/memory.c) but the
 *      EPT maps everything below MAXPHYADDR (vmx/mem/ept_space.h): a GPA above
 *      RAM and 4 GiB would be a host #PF in VMX root, and one in the PCI hole
 *      a device access Skiff made for the guest.  Neither is done.
 */
#include "vmx/emulate/guest_mem.h"

#include "kernel/cpu/cpu.h"
#include "kernel/cpu/percpu.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/vcpu/vcpu_ops.h"

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

/* ---- guest RAM ---- */

static struct { uint64_t base, end; } guest_ram[GUEST_RAM_MAX];
static unsigned guest_ram_n;

void guest_ram_clear(void) { guest_ram_n = 0; }

void guest_ram_add(uint64_t base, uint64_t len)
{
    if (guest_ram_n < GUEST_RAM_MAX && len && base + len > base)
        guest_ram[guest_ram_n++] = (typeof(guest_ram[0])){ base, base + len };
}

/* The end of the guest RAM range that holds gpa, or 0. */
static uint64_t guest_ram_end(uint64_t gpa)
{
    for (unsigned i = 0; i < guest_ram_n; i++)
        if (gpa >= guest_ram[i].base && gpa < guest_ram[i].end)
            return guest_ram[i].end;
    return 0;
}

enum guest_mem_status guest_phys_check(uint64_t gpa, uint64_t len, bool write, uint64_t *bad)
{
    *bad = gpa;
    if (len == 0 || gpa + len < gpa)
        return GUEST_MEM_OUTSIDE;
    for (uint64_t page = gpa & PAGE_MASK; page < gpa + len; page += PAGE_SIZE) {
        uint64_t hpa, at = page < gpa ? gpa : page;
        unsigned perms, mt, level;
        *bad = at;
        if (!ept_translate(&guest_ept, page, &hpa, &perms, &mt, &level) || hpa != page || !(perms & EPT_R)) {
            /* Not mapped (yet): the on-demand space beyond RAM (vmx/mem/ept_space.h) is the guest's
             * but not RAM; Skiff's pages and the RAM it withholds are outside the guest. */
            for (unsigned i = 0; i < 2; i++)
                if (guest_space.absent[i] && rangeset_overlaps(guest_space.absent[i], page, page + PAGE_SIZE))
                    return GUEST_MEM_OUTSIDE;
            return page < guest_space.top && !guest_ram_end(at) ? GUEST_MEM_NOT_RAM : GUEST_MEM_OUTSIDE;
        }
        if (write && !(perms & EPT_W))
            return GUEST_MEM_READ_ONLY;
        if (guest_ram_end(at) < (gpa + len < page + PAGE_SIZE ? gpa + len : page + PAGE_SIZE))
            return GUEST_MEM_NOT_RAM;
    }
    return GUEST_MEM_OK;
}

bool guest_phys_ok(uint64_t gpa, uint64_t len)
{
    uint64_t bad;
    return guest_phys_check(gpa, len, false, &bad) == GUEST_MEM_OK;
}

/* ---- the guest's paging ---- */

/* A paging-structure entry: guest RAM only (a walk through MMIO is refused, not performed). */
static bool read_entry(void *ctx, uint64_t gpa, unsigned size, uint64_t *out)
{
    (void)ctx;
    if (!guest_phys_ok(gpa, size))
        return false;
    *out = size == 8 ? *(volatile uint64_t *)phys_to_virt(gpa)
                     : *(volatile uint32_t *)phys_to_virt(gpa);
    return true;
}

#define CR4_PKE (1ull << 22)

/* PKRU is not switched by VM entries and exits: the guest's is the CPU's in VMX root.  RDPKRU
 * needs CR4.PKE, which the guest having it set shows the CPU supports (SDM Vol. 3A 2.7). */
static uint32_t guest_pkru(void)
{
    uint64_t cr4 = read_cr4();
    uint32_t eax, edx;
    write_cr4(cr4 | CR4_PKE);
    __asm__ volatile("rdpkru" : "=a"(eax), "=d"(edx) : "c"(0));
    write_cr4(cr4);
    return eax;
}

void guest_paging_now(struct guest_paging *p)
{
    static unsigned maxphyaddr;
    if (!maxphyaddr)
        maxphyaddr = cpuid(0x80000000, 0).eax >= 0x80000008 ? cpuid(0x80000008, 0).eax & 0xff : 36;
    p->cr0 = vmcs_read(GUEST_CR0);
    p->cr3 = vmcs_read(GUEST_CR3);
    p->cr4 = vmcs_read(GUEST_CR4);
    p->efer = vmcs_read(GUEST_IA32_EFER);
    p->rflags = vmcs_read(GUEST_RFLAGS);
    p->cpl = (vmcs_read(GUEST_SS_AR_BYTES) >> 5) & 3;      /* CPL = SS.DPL (SDM Vol. 3A 5.5) */
    p->maxphyaddr = maxphyaddr;
    p->pkru = 0;
    /* PAE paging with EPT: the PDPTEs are the VMCS's (SDM Vol. 3C 25.4.2, 28.3.4). */
    bool pae = (p->cr0 & CR0_PG) && (p->cr4 & CR4_PAE) && !(p->efer & EFER_LMA);
    for (unsigned i = 0; i < 4; i++)
        p->pdpte[i] = pae ? vmcs_read(GUEST_PDPTR0 + 2 * i) : 0;
    if ((p->cr0 & CR0_PG) && (p->cr4 & CR4_PKE) && (p->efer & EFER_LMA))
        p->pkru = guest_pkru();
}

bool guest_linear_to_phys(uint64_t gla, unsigned access, uint64_t *gpa)
{
    struct guest_paging p;
    uint32_t err;
    uint64_t table;
    guest_paging_now(&p);
    return guest_walk(&p, gla, access, read_entry, 0, gpa, &err, &table) == GUEST_WALK_OK;
}

/* ---- copies ---- */

static enum guest_mem_status set_fault(struct guest_fault *f, enum guest_mem_status st, uint64_t gla,
                                       uint64_t gpa, uint32_t err)
{
    if (f)
        *f = (struct guest_fault){ st, gla, gpa, err };
    return st;
}

/* One chunk within a page: its GPA after the guest's paging, the EPT and the RAM check. */
static enum guest_mem_status chunk_check(const struct guest_paging *p, uint64_t gla, size_t chunk,
                                         unsigned access, uint64_t *gpa, struct guest_fault *f)
{
    uint32_t err;
    uint64_t table, bad;
    switch (guest_walk(p, gla, access, read_entry, 0, gpa, &err, &table)) {
    case GUEST_WALK_OK:
        break;
    case GUEST_WALK_PF:
        return set_fault(f, GUEST_MEM_PF, gla, 0, err);
    case GUEST_WALK_NONCANONICAL:
        return set_fault(f, GUEST_MEM_GP, gla, 0, 0);
    default:
        return set_fault(f, GUEST_MEM_TABLE, gla, table, 0);
    }
    enum guest_mem_status st = guest_phys_check(*gpa, chunk, access & GW_WRITE, &bad);
    return st == GUEST_MEM_OK ? st : set_fault(f, st, gla, bad, 0);
}

enum guest_mem_status guest_access(const struct guest_paging *p, uint64_t gla, void *buf, size_t len,
                                   enum guest_access_op op, struct guest_fault *f)
{
    unsigned access = op == GUEST_CHECK_WRITE || op == GUEST_COPY_TO ? GW_WRITE : op == GUEST_FETCH ? GW_FETCH : 0;
    bool copy = op == GUEST_COPY_FROM || op == GUEST_COPY_TO || op == GUEST_FETCH;
    uint64_t gpas[2];                   /* the first pass's translations, for the usual 1 or 2 pages */
    if (len == 0)
        return GUEST_MEM_OK;
    /* Every page is checked before any byte is copied: a refused access copies nothing. */
    for (int pass = 0; pass < (copy ? 2 : 1); pass++) {
        uint64_t at = gla;
        uint8_t *q = buf;
        size_t left = len;
        for (unsigned n = 0; left; n++) {
            uint64_t gpa;
            size_t chunk = PAGE_SIZE - (at & (PAGE_SIZE - 1));
            if (chunk > left)
                chunk = left;
            if (pass == 1 && n < 2) {
                gpa = gpas[n];
            } else {
                enum guest_mem_status st = chunk_check(p, at, chunk, access, &gpa, f);
                if (st != GUEST_MEM_OK)
                    return st;
                if (n < 2)
                    gpas[n] = gpa;
            }
            if (pass == 1 && op != GUEST_COPY_TO)
                memcpy(q, phys_to_virt(gpa), chunk);
            else if (pass == 1)
                memcpy(phys_to_virt(gpa), q, chunk);
            at += chunk;
            q += chunk;
            left -= chunk;
        }
    }
    return GUEST_MEM_OK;
}

bool guest_read(uint64_t gla, void *dst, size_t len)
{
    struct guest_paging p;
    guest_paging_now(&p);
    return guest_access(&p, gla, dst, len, GUEST_COPY_FROM, 0) == GUEST_MEM_OK;
}

bool guest_fetch(uint64_t gla, void *dst, size_t len)
{
    struct guest_paging p;
    guest_paging_now(&p);
    return guest_access(&p, gla, dst, len, GUEST_FETCH, 0) == GUEST_MEM_OK;
}

bool guest_write(uint64_t gla, const void *src, size_t len)
{
    struct guest_paging p;
    guest_paging_now(&p);
    return guest_access(&p, gla, (void *)src, len, GUEST_COPY_TO, 0) == GUEST_MEM_OK;
}

bool guest_fault_inject(struct vcpu *v, const struct guest_fault *f, bool ss)
{
    if (f->status == GUEST_MEM_PF) {
        /* CR2 is no part of the VMCS (SDM Vol. 3C 25.4.1) and VM entries and exits leave it alone:
         * the guest's CR2 is the CPU's.  Skiff takes no page fault of its own before the entry. */
        write_cr2(f->gla);
        vcpu_inject_exception(v, 14, true, f->pf_error);
        return true;
    }
    if (f->status == GUEST_MEM_GP) {
        vcpu_inject_exception(v, ss ? 12 : 13, true, 0);
        return true;
    }
    return false;
}
