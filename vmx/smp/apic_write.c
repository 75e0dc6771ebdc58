/*
 * The guest's writes to the local APIC while Skiff must see its INIT and
 * SIPI IPIs: while several vCPUs run and an AP's vCPU waits in VMX root
 * operation for its first SIPI (vmx/smp/smp_guest.c).
 *
 * The APIC page stays the real one (reads go straight to it), but the EPT
 * maps it read-only, so each write exits as an EPT violation and Skiff does
 * it for the guest (vmx/emulate/mmio_write.c: any MOV, XCHG, STOS, MOVS,
 * read-modify-write ALU, NOT/NEG, INC/DEC, BTS/BTR/BTC form, in 16-, 32- and
 * 64-bit code, one element of a REP string instruction per exit).  This
 * file performs the store on the real APIC; INIT and SIPI IPIs for the
 * guest's vCPUs are Skiff's to deliver (vmx/smp/smp_guest.c).  In x2APIC mode
 * the ICR's WRMSR exits instead (vmx/exit/exit_msr.c).
 *
 * apic_trap_release ends it once every AP runs, where the CPU has the
 * wait-for-SIPI activity state for a later INIT/SIPI: the leaf becomes
 * writable and the ICR's bit in the MSR bitmap is cleared, so EOIs, timer
 * and ICR writes go to the APIC without an exit.  A CPU that still holds the
 * read-only translation takes one more exit, which Skiff completes and
 * follows with an INVEPT of its own (SDM Vol. 3C 29.4.3.1).
 */
#include "vmx/smp/apic_write.h"

#include "vmx/core/nested_cost.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/emulate/mmio_write.h"
#include "vmx/mem/ept.h"

uint64_t apic_write_page;                /* the APIC page's address, 0 = writes never trapped */
volatile bool apic_trap_on;              /* writes exit now (apic_trap_init .. apic_trap_release) */
static uint64_t *apic_leaf;              /* the page's EPT leaf entry */
static uint8_t *msr_bitmap_page;         /* where the x2APIC ICR's write-exit bit is */
#define X2APIC_ICR_MSR 0x830
uint64_t apic_writes_trapped, apic_icr_writes_trapped;   /* the run's counts (all vCPUs) */

#define APIC_ICR_LOW  0x300
#define APIC_ICR_HIGH 0x310
#define APIC_ICR_END  0x320

/* The access at the guest's own width, on the real APIC (identity mapped, UC). */
/* Who takes an ICR write during bring-up (vmx/smp/smp_guest.c: INIT and SIPI to the guest's APs). */
static bool (*icr_consumer)(uint32_t icr_low, uint32_t dest_apic_id);

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
    if (architectural && off == APIC_ICR_LOW && apic_trap_on &&
        icr_consumer((uint32_t)value, apic[APIC_ICR_HIGH / 4] >> 24))
        return NULL;
    mmio_store(pa, size, value);
    return NULL;
}

static const struct mmio_write_ops apic_ops = { "the local APIC", mmio_load, apic_store };

bool apic_write_exit(struct vcpu *v, uint64_t gpa, enum exit_action *act)
{
    if (!apic_write_page || (gpa & ~0xfffull) != apic_write_page || !(vcpu_qual(v) & 2))
        return false;
    nested_cost_reslot(NESTED_SLOT_EPT_APIC);
    mmio_write_emulate(v, gpa, apic_write_page, &apic_ops, act);
    if (!apic_trap_on)                   /* a stale read-only translation on this CPU */
        vmx_invept(INVEPT_SINGLE_CONTEXT, v->eptp);
    return true;
}

void apic_trap_init(struct ept *ept, uint8_t *msr_bitmap, bool (*icr_write)(uint32_t icr_low, uint32_t dest_apic_id))
{
    icr_consumer = icr_write;
    apic_leaf = ept_leaf_4k(ept, apic_write_page);
    msr_bitmap_page = msr_bitmap;
    apic_trap_on = apic_leaf != NULL;
}

void apic_trap_release(struct vcpu *v)
{
    if (!apic_trap_on)
        return;
    __atomic_store_n(&apic_trap_on, false, __ATOMIC_SEQ_CST);
    __atomic_or_fetch(apic_leaf, EPT_W, __ATOMIC_SEQ_CST);
    /* The MSR bitmap's write bits for MSRs 0-0x1fff start at byte 2048 (SDM Vol. 3C 25.6.9). */
    __atomic_and_fetch(&msr_bitmap_page[2048 + X2APIC_ICR_MSR / 8], (uint8_t)~(1u << (X2APIC_ICR_MSR % 8)),
                       __ATOMIC_SEQ_CST);
    vmx_invept(INVEPT_SINGLE_CONTEXT, v->eptp);
}
