/*
 * IDT: the 32 architectural exception vectors (SDM Vol. 3A 6.3.1, Table 6-1)
 * all go to one C handler that dumps the machine state and ends the run.
 */
#include "kernel/cpu/desc.h"

#include "kernel/cpu/cpu.h"

struct __attribute__((packed)) idt_gate {
    uint16_t off_lo;
    uint16_t sel;
    uint8_t ist;
    uint8_t type;       /* P, DPL, 0, type 0xE = 64-bit interrupt gate */
    uint16_t off_mid;
    uint32_t off_hi;
    uint32_t reserved;
};

_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes");

extern const uint64_t isr_stub_table[32];   /* kernel/cpu/isr.S */

static struct idt_gate idt[32] __attribute__((aligned(16)));

uint64_t idt_base(void) { return (uint64_t)idt; }

void idt_init(void)
{
    for (int v = 0; v < 32; v++) {
        uint64_t a = isr_stub_table[v];
        idt[v] = (struct idt_gate){
            .off_lo = (uint16_t)a,
            .sel = SEL_CODE64,
            .ist = v == 8 ? IST_DF : v == 2 ? IST_NMI : v == 18 ? IST_MC : 0,
            .type = 0x8e,
            .off_mid = (uint16_t)(a >> 16),
            .off_hi = (uint32_t)(a >> 32),
        };
    }
    struct desc_ptr p = { sizeof(idt) - 1, (uint64_t)idt };
    lidt(&p);
}
