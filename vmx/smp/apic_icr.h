/*
 * The local APIC's interrupt command register as Skiff reads a guest's write
 * to it (SDM Vol. 3A 11.6.1, Figure 11-12: vector 7:0, delivery mode 10:8,
 * destination mode 11, level 14, trigger mode 15, shorthand 19:18).
 */
#ifndef SKIFF_VMX_APIC_ICR_H
#define SKIFF_VMX_APIC_ICR_H

#include <stdbool.h>
#include <stdint.h>

enum icr_kind {
    ICR_OTHER,           /* fixed, NMI, ...: not Skiff's business */
    ICR_INIT,            /* INIT (level assert, or edge) */
    ICR_INIT_DEASSERT,   /* INIT level de-assert: no effect on current CPUs */
    ICR_SIPI,            /* start-up IPI */
};

enum icr_target {
    ICR_TARGET_PHYSICAL, /* the APIC id in the destination field */
    ICR_TARGET_ALL_BUT_SELF,
    ICR_TARGET_OTHER,    /* logical destination, self, all including self */
};

struct icr_ipi {
    enum icr_kind kind;
    enum icr_target target;
    uint8_t vector;
};

static inline struct icr_ipi icr_decode(uint32_t icr)
{
    struct icr_ipi r = { ICR_OTHER, ICR_TARGET_OTHER, (uint8_t)icr };
    unsigned mode = (icr >> 8) & 7, shorthand = (icr >> 18) & 3;
    bool level_trigger = icr & (1u << 15), assert = icr & (1u << 14);
    if (mode == 5)
        r.kind = level_trigger && !assert ? ICR_INIT_DEASSERT : ICR_INIT;
    else if (mode == 6)
        r.kind = ICR_SIPI;
    if (shorthand == 0 && !(icr & (1u << 11)))
        r.target = ICR_TARGET_PHYSICAL;
    else if (shorthand == 3)
        r.target = ICR_TARGET_ALL_BUT_SELF;
    return r;
}

#endif
