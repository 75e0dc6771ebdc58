/*
 * Control-register accesses (SDM Vol. 3C 26.1.3, qualification Table 28-3).
 *
 * CR0 and CR4 bits that VMX fixes are owned by Skiff through the guest/host
 * masks; the guest reads its own values from the read shadows.  A write that
 * touches an owned bit exits here and is emulated with the architectural
 * checks (SDM Vol. 3A 2.5, 10.8.5), so e.g. CR4.VMXE stays invisible and
 * setting it raises #GP exactly as on a CPU without VMX.
 */
#include "kernel/cpu/cpu.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_caps.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/core/vmx_on.h"
#include "vmx/exit/exit.h"

#define CR0_TS (1ull << 3)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)

static void flush_guest_tlb(struct vcpu *v)
{
    vmx_invvpid(INVVPID_SINGLE_CONTEXT, v->vpid, 0);
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
    if (efer != vmcs_read(GUEST_IA32_EFER)) {
        uint64_t entry = vmcs_read(VM_ENTRY_CONTROLS);
        entry = (efer & EFER_LMA) ? entry | VM_ENTRY_IA32E_MODE : entry & ~VM_ENTRY_IA32E_MODE;
        vmcs_set(VM_ENTRY_CONTROLS, entry);
        vmcs_set(GUEST_IA32_EFER, efer);
    }
    vmcs_set(CR0_READ_SHADOW, val);
    vmcs_set(GUEST_CR0, vmx_fixed_cr(val, fixed0, vmx_caps.cr0_fixed1));
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
    if ((vmcs_read(GUEST_IA32_EFER) & EFER_LMA) && !(val & CR4_PAE))
        return false;
    vmcs_set(CR4_READ_SHADOW, val);
    vmcs_set(GUEST_CR4, vmx_fixed_cr(val, vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1));
    if (val != old)
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
        else if (a.cr == 3) {
            vmcs_set(GUEST_CR3, *gpr & ~(1ull << 63));
            if (!(*gpr >> 63))
                flush_guest_tlb(v);
        } else if (a.cr == 8) {
            __asm__ volatile("mov %0, %%cr8" ::"r"(*gpr & 0xf));
        }
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
