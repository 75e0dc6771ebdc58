/*
 * The probe guest (guest/programs/probe/): a Multiboot (v1) kernel that runs the same
 * way on the bare machine (GRUB's `multiboot` command) and under Skiff (a
 * `guest=multiboot` module), and prints what it observes as `probe: ` lines.
 * tests/boot/native.sh boots it both ways and compares the lines: every
 * difference must be one the README documents.
 *
 * It runs in 32-bit protected mode, flat segments, paging off, interrupts
 * off, with its own IDT: an exception inside PROBE_TRY resumes after the
 * guarded instruction and is recorded in probe_fault; any other exception
 * is reported and ends the run.  The run ends with Bochs' "Shutdown" port
 * (natively Bochs powers off; under Skiff the guest's power-off is Skiff's).
 */
#ifndef SKIFF_GUEST_PROBE_H
#define SKIFF_GUEST_PROBE_H

#include <stdbool.h>
#include <stdint.h>

/* What an exception stub leaves on the stack (entry.S). */
struct probe_frame {
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;      /* PUSHA */
    uint32_t has_err, vector, error;
    uint32_t eip, cs, eflags;                             /* pushed by the CPU */
};

/* The last exception taken inside PROBE_TRY; vector = -1 when none. */
struct probe_fault {
    uint32_t vector, has_err, error, eip, cs, eflags;
};
extern volatile struct probe_fault probe_fault;
extern volatile uint32_t probe_resume;                    /* where a fault resumes, 0 outside a try */
/* Called for an NMI (vector 2) when set; otherwise an NMI is an unexpected exception. */
extern void (*volatile probe_nmi_hook)(void);
/* Called for a #DB (vector 1) when set, with the frame the IRET returns through. */
extern void (*volatile probe_db_hook)(struct probe_frame *f);

/*
 * PROBE_TRY(insns): asm text run so that an exception in it resumes right
 * after it; use as asm volatile(PROBE_TRY("wrmsr") :: "c"(msr), ...).
 * Call probe_try_reset() first; afterwards probe_fault says what happened.
 */
#define PROBE_TRY(insns) \
    "movl $.Lprobe_resume%=, probe_resume\n\t" insns "\n.Lprobe_resume%=:\n\tmovl $0, probe_resume\n\t"
void probe_try_reset(void);

/* Output (COM1, polled, the same natively and under Skiff). */
void probe_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* `probe: FAILED: ...` and the end of the run. */
__attribute__((noreturn)) void probe_fail(const char *what);
/* Prints the fault as one line: `probe: <name>: <vector/frame or "no exception">`. */
void probe_report_fault(const char *name);

/* One probe: a name for the command line and the function that prints its lines. */
struct probe {
    const char *name;
    void (*run)(void);
};

/* The probes (one file each). */
void probe_exceptions(void);                              /* exc.c */
void probe_cpuid(void);                                   /* cpuid.c */
void probe_mem(void);                                     /* mem.c */
void probe_apic(void);                                    /* apic.c */
void probe_cr4_bits(void);                                /* feat.c */
void probe_misc_enable(void);                             /* feat.c */
void probe_xss(void);                                     /* feat.c */
void probe_pae(void);                                     /* pae.c */
void probe_nmi(void);                                     /* nmi.c */
void probe_uart(void);                                    /* uart.c */
void probe_step(void);                                    /* step.c */

#endif
