/* The architectural exceptions (SDM Vol. 3A Table 6-1; 6.15 for each vector's class). */
#include "kernel/cpu/x86_exc.h"

#define FAULT(n, e)   { n, X86_EXC_FAULT, e }
#define TRAP(n)       { n, X86_EXC_TRAP, false }
#define RESERVED(n)   { "reserved (" #n ")", X86_EXC_RESERVED, false }

const struct x86_exc x86_exceptions[32] = {
    [0]  = FAULT("#DE divide error", false),
    [1]  = { "#DB debug", X86_EXC_FAULT_OR_TRAP, false },
    [2]  = { "NMI", X86_EXC_INTERRUPT, false },
    [3]  = TRAP("#BP breakpoint"),
    [4]  = TRAP("#OF overflow"),
    [5]  = FAULT("#BR BOUND range exceeded", false),
    [6]  = FAULT("#UD invalid opcode", false),
    [7]  = FAULT("#NM device not available", false),
    [8]  = { "#DF double fault", X86_EXC_ABORT, true },
    [9]  = FAULT("coprocessor segment overrun", false),
    [10] = FAULT("#TS invalid TSS", true),
    [11] = FAULT("#NP segment not present", true),
    [12] = FAULT("#SS stack-segment fault", true),
    [13] = FAULT("#GP general protection", true),
    [14] = FAULT("#PF page fault", true),
    [15] = RESERVED(15),
    [16] = FAULT("#MF x87 floating-point error", false),
    [17] = FAULT("#AC alignment check", true),
    [18] = { "#MC machine check", X86_EXC_ABORT, false },
    [19] = FAULT("#XM SIMD floating-point", false),
    [20] = FAULT("#VE virtualization exception", false),
    [21] = FAULT("#CP control protection", true),
    [22] = RESERVED(22), [23] = RESERVED(23), [24] = RESERVED(24), [25] = RESERVED(25),
    [26] = RESERVED(26), [27] = RESERVED(27),
    [28] = FAULT("#HV hypervisor injection", false),
    [29] = FAULT("#VC VMM communication", true),
    [30] = FAULT("#SX security exception", true),
    [31] = RESERVED(31),
};
