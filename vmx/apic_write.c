/*
 * The guest's writes to the local APIC while several vCPUs run.
 *
 * The APIC page stays the real one (reads go straight to it), but the EPT
 * maps it read-only, so each write exits as an EPT violation and Skiff does
 * it for the guest (vmx/mmio_write.c: any MOV, XCHG, STOS, MOVS,
 * read-modify-write ALU, NOT/NEG, INC/DEC, BTS/BTR/BTC form, in 16-, 32- and
 * 64-bit code, one element of a REP string instruction per exit).  This
 * file performs the store on the real APIC; INIT and SIPI IPIs for the
 * guest's vCPUs are Skiff's to deliver (vmx/smp_guest.c).
 */
#include "vmx/apic_write.h"

#include "vmx/mmio_write.h"
#include "vmx/smp_guest.h"

uint64_t apic_write_page;                /* the APIC page's address, 0 = writes not trapped */
uint64_t apic_writes_trapped, apic_icr_writes_trapped;   /* the run's counts (all vCPUs) */

#define APIC_ICR_LOW  0x300
#define APIC_ICR_HIGH 0x310
#define APIC_ICR_END  0x320

/* The access at the guest's own width, on the real APIC (identity mapped, UC). */
static const char *apic_store(struct vcpu *v, uint64_t pa, unsigned size, uint64_t value, bool *stopped,
                              enum exit_action *act)
{
    (void)v;
    (void)stopped;
    (void)act;
    unsigned off = (unsigned)(pa & 0xfff);
    /*
     * SDM Vol. 3A 11.4.1: APIC registers are accessed with 32-bit loads and stores at 16-byte
     * boundaries; anything else is model-specific or undefined.  Skiff repeats such an access
     * on the real APIC at the guest's width, so the guest gets what the CPU does (Bochs 2.7
     * ends the simulation on any other write), except in the ICR: every IPI passes Skiff whole.
     */
    bool architectural = size == 4 && !(off & 0xf);
    __atomic_fetch_add(&apic_writes_trapped, 1, __ATOMIC_RELAXED);
    if (off < APIC_ICR_END && off + size > APIC_ICR_LOW)
        __atomic_fetch_add(&apic_icr_writes_trapped, 1, __ATOMIC_RELAXED);
    if (!architectural && off < APIC_ICR_END && off + size > APIC_ICR_LOW)
        return "to the ICR other than a 32-bit aligned store";
    volatile uint32_t *apic = (volatile uint32_t *)apic_write_page;   /* identity mapped */
    if (architectural && off == APIC_ICR_LOW && smp_guest_icr_write((uint32_t)value, apic[APIC_ICR_HIGH / 4] >> 24))
        return NULL;
    mmio_store(pa, size, value);
    return NULL;
}

static const struct mmio_write_ops apic_ops = { "the local APIC", mmio_load, apic_store };

bool apic_write_exit(struct vcpu *v, uint64_t gpa, enum exit_action *act)
{
    if (!apic_write_page || (gpa & ~0xfffull) != apic_write_page || !(vcpu_qual(v) & 2))
        return false;
    mmio_write_emulate(v, gpa, apic_write_page, &apic_ops, act);
    return true;
}
