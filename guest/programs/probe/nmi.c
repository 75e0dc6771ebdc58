/*
 * NMIs the guest sends itself through its local APIC's ICR (delivery mode
 * NMI, physical destination: its own APIC id), counted by the NMI handler:
 *
 *   one at a time: each sent once the handler counted the one before, all
 *       are handled;
 *   inside the handler: the first NMI's handler sends NMI_BURST more while
 *       NMIs are blocked (until its IRET, SDM Vol. 3A 6.7.1): the CPU holds
 *       one of them pending and drops the rest ("Handling Multiple NMIs"),
 *       so the handler runs twice in all, never nested.
 *
 * NMI blocking ends at the handler's IRET (probe_isr_common in entry.S).
 */
#include "guest/programs/probe/probe.h"

#define APIC         0xfee00000u
#define APIC_ID      0x20
#define APIC_ICR_LO  0x300
#define APIC_ICR_HI  0x310
#define ICR_NMI      0x4400u        /* delivery mode NMI, level assert, physical destination */
#define ICR_BUSY     (1u << 12)     /* delivery status: send pending */
#define NMI_BURST    5
#define SEQUENTIAL   20

static volatile uint32_t *apic_reg(unsigned off) { return (volatile uint32_t *)(APIC + off); }

static volatile uint32_t handled, depth, nested, burst_left;

static void pause_a_while(void)
{
    for (volatile uint32_t i = 0; i < 20000; i++)
        ;
}

static void send_self_nmi(void)
{
    uint32_t id = *apic_reg(APIC_ID) >> 24;
    *apic_reg(APIC_ICR_HI) = id << 24;
    *apic_reg(APIC_ICR_LO) = ICR_NMI;
    for (uint32_t i = 0; i < 100000 && (*apic_reg(APIC_ICR_LO) & ICR_BUSY); i++)
        ;
    pause_a_while();                 /* time for it to arrive (and to be held pending) */
}

static void on_nmi(void)
{
    if (depth++)
        nested++;
    handled++;
    while (burst_left) {
        burst_left--;
        send_self_nmi();
    }
    depth--;
}

/* Wait until the count stops moving. */
static uint32_t settle(void)
{
    uint32_t last;
    do {
        last = handled;
        for (int k = 0; k < 10; k++)
            pause_a_while();
    } while (handled != last);
    return last;
}

void probe_nmi(void)
{
    probe_nmi_hook = on_nmi;
    uint32_t sent = 0;
    for (; sent < SEQUENTIAL; sent++) {
        uint32_t before = handled;
        send_self_nmi();
        uint32_t i = 0;
        while (handled == before && i++ < 1000)
            pause_a_while();
        if (handled == before)
            break;
    }
    probe_printf("probe: nmi one at a time: sent %u, handled %u\n", sent, settle());

    handled = 0;
    burst_left = NMI_BURST;
    send_self_nmi();
    probe_printf("probe: nmi %u sent inside the handler: handler ran %u times, nested %u\n", NMI_BURST, settle(),
                 nested);
    probe_nmi_hook = 0;
}
