/* The switches vmx/core/exit_stub.S reads on every exit (declared in vmx/core/vcpu.h). */
#include "vmx/core/exit_reasons.h"
#include "vmx/core/vcpu.h"

/* The stub answers plain CPUIDs itself while nothing needs to see every exit. */
bool vmx_fast_cpuid;
/* Some vCPU's IA32_MISC_ENABLE has had LIMIT_CPUID: leaf 0 takes the C path. */
bool vmx_cpuid_limited;

/* Exits whose handlers touch only RAX, RCX, RDX, RBX, RSI, RDI: the stub's light path. */
const uint64_t vmx_light_exits = 1ull << EXIT_REASON_CPUID | 1ull << EXIT_REASON_VMCALL |
                                 1ull << EXIT_REASON_IO_INSTRUCTION | 1ull << EXIT_REASON_MSR_READ |
                                 1ull << EXIT_REASON_MSR_WRITE | 1ull << EXIT_REASON_XSETBV;
/* vmx_light_exits while the fast paths are on, else 0: the stub's light-path test is one bit test. */
uint64_t vmx_light_now;

void vmx_fast_paths(bool on)
{
    vmx_fast_cpuid = on;
    vmx_light_now = on ? vmx_light_exits : 0;
}
