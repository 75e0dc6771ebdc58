/* Host descriptor tables: GDT with a 64-bit TSS, and the IDT. */
#ifndef SKIFF_KERNEL_DESC_H
#define SKIFF_KERNEL_DESC_H

#include <stdint.h>

#define SEL_CODE64 0x08
#define SEL_DATA   0x10
#define SEL_TSS    0x18

/* IST slots (1-based in the IDT gate) for the exceptions that need a known-good stack. */
#define IST_DF  1
#define IST_NMI 2
#define IST_MC  3

void gdt_init(void);
/* The BSP's IST stacks (#DF, NMI, #MC), in .bss. */
extern uint8_t gdt_ist_stacks[3][8192];
/* Write a 64-bit TSS descriptor into two GDT slots. */
/* The 64-bit TSS (SDM Vol. 3A 8.7, Figure 8-11). */
struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

void gdt_tss_descriptor(uint64_t *slot, uint64_t base, uint64_t limit);
/* LGDT, reload CS/DS/ES/SS (FS, GS null) and LTR with Skiff's selectors. */
void gdt_load(uint64_t base, uint16_t limit);
void idt_init(void);

uint64_t gdt_base(void);
uint64_t idt_base(void);
uint64_t tss_base(void);

/* The saved state an exception stub hands to C (kernel/cpu/isr.S builds it). */
struct exc_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
};

#endif
