/* Placeholder until the VMX core lands: report the CPU's VMX capability. */
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/runend.h"
#include "kernel/skiff.h"

int skiff_run(const struct skiff_config *cfg, const struct mb2_info *mb, uint64_t tsc_entry)
{
    (void)cfg;
    (void)mb;
    (void)tsc_entry;
    if (!(cpuid(1, 0).ecx & (1u << 5))) {
        kprintf("skiff: error: VMX not available on this CPU (CPUID.1:ECX.VMX[bit 5] = 0)\n");
        return SKIFF_UNSUPPORTED;
    }
    kprintf("skiff: vmx: VMX available\n");
    return SKIFF_OK;
}
