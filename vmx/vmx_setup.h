/* Bitmaps that decide which guest I/O and MSR accesses exit. */
#ifndef SKIFF_VMX_VMX_SETUP_H
#define SKIFF_VMX_VMX_SETUP_H

#include <stdint.h>

/* vmx/exit_io.c: bitmap A covers ports 0-0x7fff, B 0x8000-0xffff (SDM 25.6.4). */
void io_bitmap_init(uint8_t *a, uint8_t *b);
/* vmx/exit_msr.c: read-low, read-high, write-low, write-high quarters (SDM 25.6.9). */
void msr_bitmap_init(uint8_t *bitmap);
/* Several vCPUs: writes to the x2APIC ICR exit too (vmx/smp_guest.c sees INIT and SIPI). */
void msr_bitmap_trap_x2apic_icr(uint8_t *bitmap);

#endif
