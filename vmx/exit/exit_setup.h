/* What the exit handlers set up once, before the guest runs (the MSR bitmap, captured host values). */
#ifndef SKIFF_VMX_EXIT_SETUP_H
#define SKIFF_VMX_EXIT_SETUP_H

#include <stdbool.h>
#include <stdint.h>

/* vmx/exit/exit_io.c: the guest's view of the console UART starts with Skiff's divisor. */
void io_exit_init(void);
/* vmx/exit/exit_msr.c: read-low, read-high, write-low, write-high quarters (SDM 25.6.9), from the
 * MSR policy table (vmx/policy/msr_policy.c). */
void msr_bitmap_init(uint8_t *bitmap);
/* What the MSR rules need from CPUID and the MSRs, read once by the BSP before the guest runs. */
void msr_policy_init(void);
/* After the run: the host's MTRRs still hold the boot values (*count: how many MSRs compared). */
bool msr_host_mtrrs_unchanged(unsigned *count);
/* vmx/exit/exit_misc.c: XCR0's supported bits, read once at boot (CPUID.(EAX=0DH,ECX=0)). */
void xsetbv_capture(void);

#endif
