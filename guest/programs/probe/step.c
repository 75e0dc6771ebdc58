/*
 * Single-stepping over the instructions Skiff emulates (issue 21 item 10): with
 * EFLAGS.TF set the CPU raises a #DB after every instruction (SDM Vol. 3B
 * 18.3.1.4), after the ones a hypervisor emulates as well; MOV SS holds the step
 * of itself back until the end of the next instruction (Vol. 3A 6.8.3).  Each
 * case sets TF with POPF, runs NOP, the instruction, NOP, and the #DB handler
 * records every #DB: where it points (the offset from the first NOP) and
 * DR6.BS; it clears TF at the end.  One line a case:
 * `probe: step NAME: N #DB: +OFF BS ...`.
 *   cpuid leaf 0  CPUID that Skiff's assembly fast path answers
 *   cpuid leaf 1  CPUID that Skiff's C path answers
 *   mov ss cpuid  MOV SS; CPUID: the exit comes under MOV-SS blocking
 *   in scr        IN from COM1's scratch register (exits: vmx/exit/exit_io.c)
 *   apic store    MOV to the APIC's timer initial count (trapped while several
 *                 vCPUs run: vmx/smp/apic_write.c, emulated by vmx/emulate/)
 */
#include "guest/programs/probe/probe.h"

#define STEP_MAX 16
#define EFLAGS_TF 0x100u
#define DR6_BS    (1u << 14)

static volatile uint32_t step_n, step_end, step_eip[STEP_MAX], step_dr6[STEP_MAX];

static void step_on_db(struct probe_frame *f)
{
    uint32_t dr6;
    __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
    __asm__ volatile("mov %0, %%dr6" ::"r"(0xffff0ff0u));   /* DR6 keeps its bits: clear them */
    if (step_n < STEP_MAX) {
        step_eip[step_n] = f->eip;
        step_dr6[step_n] = dr6;
    }
    if (++step_n >= STEP_MAX || f->eip == step_end)
        f->eflags &= ~EFLAGS_TF;
}

/*
 * SETUP, then TF on, NOP at `base`, INSN, NOP, and `end`, where the handler clears TF.
 * Only EAX-EDX, ESI and EDI are used (CPUID writes all four of the first).
 */
#define STEP_CASE(name, setup, insn)                                                             \
    do {                                                                                         \
        uint32_t base;                                                                           \
        step_n = 0;                                                                              \
        __asm__ volatile("movl $3f, step_end\n\t"                                                \
                         "movl $1f, %0\n\t" setup "\n\t"                                         \
                         "pushfl\n\torl $0x100, (%%esp)\n\tpopfl\n"                              \
                         "1:\tnop\n\t" insn "\n\tnop\n3:\n"                                      \
                         : "=m"(base)                                                            \
                         :                                                                       \
                         : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");            \
        step_report(name, base);                                                                 \
    } while (0)

static void step_report(const char *name, uint32_t base)
{
    probe_printf("probe: step %s: %u #DB:", name, step_n);
    for (uint32_t i = 0; i < step_n && i < STEP_MAX; i++)
        probe_printf(" +%u%s", step_eip[i] - base, (step_dr6[i] & DR6_BS) ? " BS" : "");
    probe_printf("\n");
}

void probe_step(void)
{
    probe_db_hook = step_on_db;
    STEP_CASE("cpuid leaf 0", "xorl %%eax, %%eax\n\txorl %%ecx, %%ecx", "cpuid");
    STEP_CASE("cpuid leaf 1", "movl $1, %%eax\n\txorl %%ecx, %%ecx", "cpuid");
    STEP_CASE("mov ss cpuid", "xorl %%eax, %%eax\n\txorl %%ecx, %%ecx\n\tmovl %%ss, %%esi",
              "movl %%esi, %%ss\n\tcpuid");
    STEP_CASE("in scr", "movl $0x3ff, %%edx", "inb %%dx, %%al");
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1b));
    if ((lo & ~0xfffu) == 0xfee00000u && (lo & (1u << 11)))
        STEP_CASE("apic store", "movl $0xfee00380, %%ebx\n\txorl %%eax, %%eax", "movl %%eax, (%%ebx)");
    else
        probe_printf("probe: step apic store: APIC not enabled at 0xfee00000, skipped\n");
    probe_db_hook = 0;
}
