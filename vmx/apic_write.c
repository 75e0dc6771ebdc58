/*
 * The guest's writes to the local APIC while several vCPUs run.
 *
 * The APIC page stays the real one (reads go straight to it), but the EPT
 * maps it read-only, so each write exits as an EPT violation and Skiff does
 * it for the guest: vmx/insn_decode.c decodes the instruction (any MOV,
 * XCHG, STOS, MOVS, read-modify-write ALU, NOT/NEG, INC/DEC, BTS/BTR/BTC
 * form, in 16-, 32- and 64-bit code), vmx/insn_emulate.c computes what it
 * stores and its register and RFLAGS results, and this file reads the
 * guest state, checks the access is the one that exited, performs it on the
 * real APIC and writes the results back.  A REP string instruction does one
 * element per exit: RIP stays on it until rCX reaches 0 and the CPU runs it
 * again.  INIT and SIPI IPIs for the guest's vCPUs are Skiff's to deliver
 * (vmx/smp_guest.c).
 */
#include "vmx/apic_write.h"

#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/format.h"
#include "vmx/exit.h"
#include "vmx/guest_mem.h"
#include "vmx/insn_decode.h"
#include "vmx/insn_emulate.h"
#include "vmx/smp_guest.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_caps.h"

uint64_t apic_write_page;                /* the APIC page's address, 0 = writes not trapped */

#define APIC_ICR_LOW  0x300
#define APIC_ICR_HIGH 0x310
#define APIC_ICR_END  0x320

/* The segment-base fields in the Sreg order of enum insn_seg. */
static const uint32_t apic_seg_base[] = {
    [INSN_ES] = GUEST_ES_BASE, [INSN_CS] = GUEST_CS_BASE, [INSN_SS] = GUEST_SS_BASE,
    [INSN_DS] = GUEST_DS_BASE, [INSN_FS] = GUEST_FS_BASE, [INSN_GS] = GUEST_GS_BASE,
};

/* Offset -> linear address: in 64-bit mode only FS and GS have a base (SDM Vol. 3A 3.2.4);
 * otherwise base + offset wraps at 4 GiB.  The CPU already did the limit checks. */
static uint64_t apic_linear(enum insn_mode mode, unsigned seg, uint64_t off)
{
    if (mode == INSN_MODE_64)
        return seg >= INSN_FS ? vmcs_read(apic_seg_base[seg]) + off : off;
    return (vmcs_read(apic_seg_base[seg]) + off) & 0xffffffffull;
}

/* The code mode: CS.L in IA-32e mode, else CS.D (SDM Vol. 3A 5.2.1). */
static enum insn_mode apic_code_mode(void)
{
    uint64_t ar = vmcs_read(GUEST_CS_AR_BYTES);
    if ((ar & (1u << 13)) && (vmcs_read(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE))
        return INSN_MODE_64;
    return (ar & (1u << 14)) ? INSN_MODE_32 : INSN_MODE_16;
}

/* The access at the guest's own width, on the real APIC (identity mapped, UC). */
static uint64_t apic_load(uint64_t pa, unsigned size)
{
    switch (size) {
    case 1: return *(volatile uint8_t *)pa;
    case 2: return *(volatile uint16_t *)pa;
    case 4: return *(volatile uint32_t *)pa;
    default: return *(volatile uint64_t *)pa;
    }
}

static void apic_store(uint64_t pa, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: *(volatile uint8_t *)pa = (uint8_t)v; break;
    case 2: *(volatile uint16_t *)pa = (uint16_t)v; break;
    case 4: *(volatile uint32_t *)pa = (uint32_t)v; break;
    default: *(volatile uint64_t *)pa = v; break;
    }
}

/* Stop the guest on a write Skiff cannot perform, naming the instruction's bytes. */
static bool apic_write_refuse(struct vcpu *v, uint64_t gpa, const uint8_t *bytes, size_t n, const char *why,
                              enum exit_action *act)
{
    char hex[3 * 15 + 1] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%s%02x", i ? " " : "", bytes[i]);
    kprintf("skiff: error: guest write to the local APIC (offset 0x%llx) %s: %s at RIP 0x%llx\n",
            (unsigned long long)(gpa & 0xfff), why, hex, (unsigned long long)v->guest_rip);
    vcpu_dump(v);
    *act = vcpu_stop(v, GUEST_STOPPED, 1, "stopped: unsupported local APIC write");
    return true;
}

/* MOVS: the source element, through the guest's paging (from the APIC page too). */
static bool apic_read_source(const struct insn *d, enum insn_mode mode, const uint64_t gpr[16], uint64_t *val)
{
    uint64_t la = apic_linear(mode, d->seg, insn_src_offset(d, gpr)), pa;
    *val = 0;
    if (!guest_linear_to_phys(la, false, &pa))
        return false;
    if ((pa & ~0xfffull) == apic_write_page) {
        if ((pa & 0xfff) + d->opsize > 0x1000)
            return false;
        *val = apic_load(pa, d->opsize);
        return true;
    }
    return guest_read(la, val, d->opsize);
}

bool apic_write_exit(struct vcpu *v, uint64_t gpa, enum exit_action *act)
{
    if (!apic_write_page || (gpa & ~0xfffull) != apic_write_page || !(vcpu_qual(v) & 2))
        return false;
    uint8_t bytes[15] = { 0 };
    size_t n = 0;
    enum insn_mode mode = apic_code_mode();
    while (n < sizeof(bytes) && guest_read(apic_linear(mode, INSN_CS, v->guest_rip + n), &bytes[n], 1))
        n++;
    struct insn d;
    if (!insn_decode(bytes, n, mode, &d))
        return apic_write_refuse(v, gpa, bytes, n, "by an instruction Skiff does not emulate", act);

    struct insn_regs r, before;
    for (unsigned i = 0; i < 16; i++)
        r.gpr[i] = *vcpu_gpr(v, i);
    r.rflags = vmcs_read(GUEST_RFLAGS);
    before = r;
    /* The access Skiff would perform must be the one that exited (the bytes could have
     * changed since, or a write could straddle the page). */
    uint64_t la = apic_linear(mode, d.string ? INSN_ES : d.seg, insn_dest_offset(&d, r.gpr, v->guest_rip)), pa;
    unsigned off = (unsigned)(gpa & 0xfff);
    if (!guest_linear_to_phys(la, false, &pa) || pa != gpa || off + d.opsize > 0x1000)
        return apic_write_refuse(v, gpa, bytes, d.len, "not at the address its instruction names", act);
    /*
     * SDM Vol. 3A 11.4.1: APIC registers are accessed with 32-bit loads and stores at 16-byte
     * boundaries; anything else is model-specific or undefined.  Skiff repeats such an access
     * on the real APIC at the guest's width, so the guest gets what the CPU does (Bochs 2.7
     * ends the simulation on any other write), except in the ICR: every IPI passes Skiff whole.
     */
    bool architectural = d.opsize == 4 && !(off & 0xf);
    if (!architectural && off < APIC_ICR_END && off + d.opsize > APIC_ICR_LOW)
        return apic_write_refuse(v, gpa, bytes, d.len, "to the ICR other than a 32-bit aligned store", act);
    uint64_t old = insn_ops[d.op].reads_dest ? apic_load(gpa, d.opsize) : 0, src = 0;
    if (d.src == INSN_SRC_MEM && !apic_read_source(&d, mode, r.gpr, &src))
        return apic_write_refuse(v, gpa, bytes, d.len, "from a source Skiff cannot read", act);

    struct insn_result res = insn_emulate(&d, &r, old, src);
    volatile uint32_t *apic = (volatile uint32_t *)apic_write_page;   /* identity mapped */
    if (res.write &&
        !(architectural && off == APIC_ICR_LOW && smp_guest_icr_write((uint32_t)res.value, apic[APIC_ICR_HIGH / 4] >> 24)))
        apic_store(gpa, d.opsize, res.value);
    for (unsigned i = 0; i < 16; i++)
        if (r.gpr[i] != before.gpr[i]) {
            if (i == INSN_RSP)
                vmcs_write(GUEST_RSP, r.gpr[i]);
            else
                *vcpu_gpr(v, i) = r.gpr[i];
        }
    if (r.rflags != before.rflags)
        vmcs_write(GUEST_RFLAGS, r.rflags);
    if (res.done)
        vcpu_skip_insn_len(v, d.len);
    *act = EXIT_RESUME;
    return true;
}
