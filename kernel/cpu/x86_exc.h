/*
 * The architectural exceptions, one row per vector (SDM Vol. 3A 6.15,
 * Table 6-1 "Protected-Mode Exceptions and Interrupts"): name, class and
 * whether delivery pushes an error code.  The host's panic report names
 * vectors from it; VMX event injection takes the class (RF, 6.12.1 and
 * 18.3.1.1) and the error code from it.
 */
#ifndef SKIFF_KERNEL_X86_EXC_H
#define SKIFF_KERNEL_X86_EXC_H

#include <stdbool.h>

/* Vectors the hypervisor names in code (Table 6-1). */
#define X86_TRAP_UD 6
#define X86_TRAP_GP 13
#define X86_TRAP_MC 18

enum x86_exc_class {
    X86_EXC_FAULT,           /* the saved RIP is the faulting instruction's; RF is set in the image */
    X86_EXC_TRAP,            /* the saved RIP follows the instruction */
    X86_EXC_FAULT_OR_TRAP,   /* #DB: which one depends on the condition (DR6) */
    X86_EXC_ABORT,           /* #DF, #MC */
    X86_EXC_INTERRUPT,       /* NMI */
    X86_EXC_RESERVED,
};

struct x86_exc {
    const char *name;        /* "#GP general protection" */
    enum x86_exc_class cls;
    bool error_code;         /* delivery pushes an error code (in protected and IA-32e mode) */
};

extern const struct x86_exc x86_exceptions[32];

static inline const struct x86_exc *x86_exc(unsigned vector) { return &x86_exceptions[vector & 31]; }

#endif
