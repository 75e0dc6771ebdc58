/*
 * Control-register accesses (SDM Vol. 3C 26.1.3, qualification Table 28-3).
 *
 * CR0 and CR4 bits that VMX fixes are owned by Skiff through the guest/host
 * masks; the guest reads its own values from the read shadows.  A write that
 * touches an owned bit exits here and is emulated with the architectural
 * checks (SDM Vol. 3A 2.5, 10.8.5), so e.g. CR4.VMXE stays invisible and
 * setting it raises #GP exactly as on a CPU without VMX.
 *
 * PAE paging outside IA-32e mode keeps the four PDPTEs in registers (SDM
 * Vol. 3A 4.4.1); with EPT a VM entry loads them from the VMCS's guest
 * PDPTE fields (SDM Vol. 3C 27.3.2.4), not from CR3.  A MOV to CR0, CR4 or
 * CR3 that Skiff emulates and that leaves PAE paging in use therefore loads
 * them from the guest's CR3 into those fields, as the CPU would; a present
 * PDPTE with a reserved bit makes the MOV raise #GP and changes nothing.
 * Which CR0 and CR4 writes load them: every CR0 write Skiff emulates with
 * PG set after it (as Bochs' MOV to CR0 does; the SDM promises a load when
 * CD, NW or PG change), and a CR4 write that changes PAE, PGE, PSE, SMEP
 * (SDM 4.4.1) or any bit at all (as Bochs' MOV to CR4 does).
 */
#include "kernel/cpu/cpu.h"
#include "kernel/mem/memory.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_caps.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/core/vmx_on.h"
#include "vmx/emulate/guest_mem.h"
#include "vmx/exit/exit.h"

#define CR0_TS (1ull << 3)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)

static void flush_guest_tlb(struct vcpu *v)
{
    vcpu_flush_linear(v);
}

/* PAE paging after the write: CR0.PG, CR4.PAE, not IA-32e mode (SDM Vol. 3A 4.1.1). */
static bool pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LMA);
}

/*
 * The four PDPTEs at cr3 (bits 31:5, a 32-byte table), checked as MOV to
 * CR0/CR3/CR4 checks them (SDM Vol. 3A 4.4.1): a present entry with bits
 * 2:1, 8:5 or MAXPHYADDR..63 set is reserved -> false (#GP).  A table
 * outside the guest's memory reads as all ones (no memory answers), which
 * is present with reserved bits set: false too.
 */
static bool pdptes_read(uint64_t cr3, uint64_t pdpte[4])
{
    static unsigned maxphy;
    if (!maxphy) {
        unsigned max_ext = cpuid(0x80000000, 0).eax;
        maxphy = max_ext >= 0x80000008 ? (cpuid(0x80000008, 0).eax & 0xff) : 36;
    }
    uint64_t reserved = 0x1e6ull | ~((1ull << maxphy) - 1);
    uint64_t table = cr3 & 0xffffffe0ull;
    if (!guest_phys_ok(table, 32))
        return false;
    for (unsigned i = 0; i < 4; i++) {
        pdpte[i] = ((volatile uint64_t *)phys_to_virt(table))[i];
        if ((pdpte[i] & 1) && (pdpte[i] & reserved))
            return false;
    }
    return true;
}

static void pdptes_load(const uint64_t pdpte[4])
{
    for (unsigned i = 0; i < 4; i++)
        vmcs_set(GUEST_PDPTR0 + 2 * i, pdpte[i]);
}

/* Returns false when the write must raise #GP. */
static bool guest_write_cr0(struct vcpu *v, uint64_t val)
{
    uint64_t efer = vmcs_read(GUEST_IA32_EFER);
    uint64_t old = vcpu_guest_cr0(v);
    uint64_t fixed0 = vmx_guest_cr0_fixed0(&vmx_caps, vmx_features.unrestricted_guest);

    if (val >> 32)
        return false;
    if ((val & CR0_PG) && !(val & CR0_PE))
        return false;
    if ((val & CR0_NW) && !(val & CR0_CD))
        return false;
    /* Clearing PG in 64-bit mode, or with CR4.PCIDE set, raises #GP (SDM Vol. 2B MOV to CR0):
     * IA-32e mode is left only from compatibility mode. */
    if (!(val & CR0_PG) && (old & CR0_PG) &&
        (((efer & EFER_LMA) && (vmcs_read(GUEST_CS_AR_BYTES) & (1u << 13))) ||
         (vcpu_guest_cr4(v) & (1ull << 17))))
        return false;
    if ((val & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME)) {
        if (!(vcpu_guest_cr4(v) & CR4_PAE))
            return false;
        efer |= EFER_LMA;                        /* entering IA-32e mode */
    } else if (!(val & CR0_PG) && (old & CR0_PG) && (efer & EFER_LMA)) {
        efer &= ~EFER_LMA;                       /* leaving IA-32e mode */
    }
    uint64_t pdpte[4];
    bool load = pae_paging(val, vcpu_guest_cr4(v), efer);
    if (load && !pdptes_read(vmcs_read(GUEST_CR3), pdpte))
        return false;
    if (efer != vmcs_read(GUEST_IA32_EFER)) {
        uint64_t entry = vmcs_read(VM_ENTRY_CONTROLS);
        entry = (efer & EFER_LMA) ? entry | VM_ENTRY_IA32E_MODE : entry & ~VM_ENTRY_IA32E_MODE;
        vmcs_set(VM_ENTRY_CONTROLS, entry);
        vmcs_set(GUEST_IA32_EFER, efer);
    }
    vmcs_set(CR0_READ_SHADOW, val);
    vmcs_set(GUEST_CR0, vmx_fixed_cr(val, fixed0, vmx_caps.cr0_fixed1));
    if (load)
        pdptes_load(pdpte);
    if ((val ^ old) & CR0_PG)
        flush_guest_tlb(v);
    return true;
}

static bool guest_write_cr4(struct vcpu *v, uint64_t val)
{
    uint64_t old = vcpu_guest_cr4(v);

    /* Bits the CPU cannot set, and VMXE (hidden: a CPU without VMX has no such bit). */
    if ((val & ~vmx_caps.cr4_fixed1) || (val & CR4_VMXE))
        return false;
    uint64_t efer = vmcs_read(GUEST_IA32_EFER);
    if ((efer & EFER_LMA) && !(val & CR4_PAE))
        return false;
    uint64_t pdpte[4];
    bool load = val != old && pae_paging(vcpu_guest_cr0(v), val, efer);
    if (load && !pdptes_read(vmcs_read(GUEST_CR3), pdpte))
        return false;
    vmcs_set(CR4_READ_SHADOW, val);
    vmcs_set(GUEST_CR4, vmx_fixed_cr(val, vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1));
    if (load)
        pdptes_load(pdpte);
    if (val != old)
        flush_guest_tlb(v);
    return true;
}

/* MOV to CR3 (only with CR3-load exiting, which Skiff clears where the CPU allows). */
static bool guest_write_cr3(struct vcpu *v, uint64_t val)
{
    uint64_t pdpte[4], efer = vmcs_read(GUEST_IA32_EFER);
    if (!(efer & EFER_LMA))
        val &= 0xffffffffull;            /* outside IA-32e mode the source is 32 bits */
    bool load = pae_paging(vcpu_guest_cr0(v), vcpu_guest_cr4(v), efer);
    if (load && !pdptes_read(val, pdpte))
        return false;
    vmcs_set(GUEST_CR3, val & ~(1ull << 63));
    if (load)
        pdptes_load(pdpte);
    if (!(val >> 63))
        flush_guest_tlb(v);
    return true;
}

enum exit_action handle_cr_access(struct vcpu *v)
{
    struct cr_access a;
    vmx_decode_cr_access(vcpu_qual(v), &a);
    uint64_t *gpr = vcpu_gpr(v, a.gpr);
    bool ok = true;

    switch (a.type) {
    case CR_ACCESS_MOV_TO_CR:
        if (a.cr == 0)
            ok = guest_write_cr0(v, *gpr);
        else if (a.cr == 4)
            ok = guest_write_cr4(v, *gpr);
        else if (a.cr == 3)
            ok = guest_write_cr3(v, *gpr);
        else if (a.cr == 8)
            __asm__ volatile("mov %0, %%cr8" ::"r"(*gpr & 0xf));
        break;
    case CR_ACCESS_MOV_FROM_CR:
        if (a.cr == 3)
            *gpr = vmcs_read(GUEST_CR3);
        else if (a.cr == 8)
            __asm__ volatile("mov %%cr8, %0" : "=r"(*gpr));
        if (a.gpr == 4)
            vmcs_set(GUEST_RSP, *gpr);
        break;
    case CR_ACCESS_CLTS:
        ok = guest_write_cr0(v, vcpu_guest_cr0(v) & ~CR0_TS);
        break;
    case CR_ACCESS_LMSW: {
        /* LMSW loads CR0 bits 3:0 but cannot clear PE (SDM Vol. 2A LMSW). */
        uint64_t cr0 = vcpu_guest_cr0(v);
        uint64_t bits = a.lmsw_data & 0xf;
        ok = guest_write_cr0(v, (cr0 & ~0xeull) | bits | (cr0 & CR0_PE));
        break;
    }
    }
    if (!ok) {
        vcpu_inject_exception(v, X86_TRAP_GP, true, 0);
        return EXIT_RESUME;
    }
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}
