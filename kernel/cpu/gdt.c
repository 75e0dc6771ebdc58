/*
 * GDT and 64-bit TSS (SDM Vol. 3A 3.4.5, 8.7 "Task Management in 64-bit
 * Mode").  VMX needs a usable, non-null TR for the host state (SDM 27.2.3),
 * and the IST stacks keep #DF, NMI and #MC handlers on known-good stacks.
 */
#include "kernel/cpu/desc.h"

#include "kernel/cpu/cpu.h"
#include "kernel/lib/lib.h"

static uint64_t gdt[5] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
uint8_t gdt_ist_stacks[3][8192] __attribute__((aligned(4096)));   /* named in the owned map */

uint64_t gdt_base(void) { return (uint64_t)gdt; }
uint64_t tss_base(void) { return (uint64_t)&tss; }

void gdt_init(void)
{
    uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;

    for (int i = 0; i < 3; i++)
        tss.ist[i] = (uint64_t)gdt_ist_stacks[i] + sizeof(gdt_ist_stacks[i]);
    tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */

    gdt[0] = 0;
    gdt[1] = 0x00af9b000000ffffull;  /* 0x08: 64-bit code, DPL 0, accessed */
    gdt[2] = 0x00cf93000000ffffull;  /* 0x10: data, DPL 0, accessed */
    gdt_tss_descriptor(&gdt[3], base, limit);   /* 0x18 */
    gdt_load((uint64_t)gdt, sizeof(gdt) - 1);
}

void gdt_tss_descriptor(uint64_t *slot, uint64_t base, uint64_t limit)
{
    /* Available 64-bit TSS (type 9), 16 bytes (SDM Vol. 3A 8.2.3). */
    slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
              ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    slot[1] = base >> 32;
}

void gdt_load(uint64_t base, uint16_t limit)
{
    struct desc_ptr p = { limit, base };
    lgdt(&p);
    __asm__ volatile("pushq %[cs]\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl %[ds], %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs"
                     :
                     : [cs] "i"(SEL_CODE64), [ds] "i"(SEL_DATA)
                     : "rax", "memory");
    ltr(SEL_TSS);
}
