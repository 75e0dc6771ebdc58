/*
 * Writes to the local APIC with every instruction form a 32-bit guest can
 * use: MOV (89, C7, A3 moffs, SIB, absolute disp32, segment overrides), XCHG,
 * STOS and MOVS (with REP, DF, a source in the APIC page), the ALU forms
 * with a register and an immediate (01 09 11 19 21 29 31, 81, 83), NOT,
 * NEG, INC, DEC, BTS/BTR/BTC (register and immediate bit offset), LOCK.
 * While several vCPUs run, Skiff traps each one (vmx/smp/apic_write.c); the
 * registers, EFLAGS and the value read back must be the bare machine's.
 * Every store is 32 bits at a 16-byte boundary: Bochs 2.7 ends the
 * simulation on any other APIC write (SDM Vol. 3A 11.4.1 leaves them
 * model-specific), so other widths are the unit tests' (tests/unit/vmx/emulate/test_insn.c).
 * The registers: the timer initial count (0x380, 32 bits, LVT timer masked)
 * and the TPR (0x80, 8 bits); both end at 0.  One line a form:
 * `probe: apic NAME: value V eflags F eax ecx edx esi edi`.
 */
#include "guest/programs/probe/probe.h"

#define APIC        0xfee00000u
#define APIC_TPR    0x80
#define APIC_LVTT   0x320
#define APIC_TMICT  0x380

#define APIC_REG(off) (*(volatile uint32_t *)(APIC + (off)))

uint32_t probe_apic_eflags;                      /* named in the asm below */
static uint32_t apic_src[2] = { 0x5a5aa5a5, 0xc3c33c3c };

struct apic_regs {
    uint32_t eax, ecx, edx, ebx, esi, edi;
};

static void apic_report(const char *name, unsigned reg, const struct apic_regs *r)
{
    probe_printf("probe: apic %s: value 0x%08x eflags 0x%03x eax 0x%08x ecx 0x%08x edx 0x%08x esi 0x%08x "
                 "edi 0x%08x\n", name, APIC_REG(reg), probe_apic_eflags & 0xcd5, r->eax, r->ecx, r->edx,
                 r->esi, r->edi);
}

/*
 * One form: REG set to INIT (a MOV, itself trapped), EFLAGS = FL (arithmetic flags and DF),
 * EAX 0x12345678, ECX as given, EDX 0x80000001, EBX the APIC base, ESI as given, EDI the
 * APIC's REG; then the instruction, then the line.
 */
#define APIC_FORM(name, reg, init, fl, ecx_, esi_, insn)                                         \
    do {                                                                                         \
        struct apic_regs r = { 0x12345678, ecx_, 0x80000001, APIC, esi_, APIC + (reg) };         \
        APIC_REG(reg) = (init);                                                                  \
        probe_apic_eflags = 0x2 | (fl);                                                          \
        __asm__ volatile("pushl probe_apic_eflags\n\tpopfl\n\t" insn                              \
                         "\n\tpushfl\n\tpopl probe_apic_eflags\n\tcld"                           \
                         : "+a"(r.eax), "+c"(r.ecx), "+d"(r.edx), "+b"(r.ebx), "+S"(r.esi), "+D"(r.edi) \
                         :                                                                       \
                         : "memory", "cc");                                                      \
        apic_report(name, reg, &r);                                                              \
    } while (0)

#define SRC ((uint32_t)apic_src)
#define T APIC_TMICT

void probe_apic(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1b));
    if ((lo & ~0xfffu) != APIC || !(lo & (1u << 11))) {
        probe_printf("probe: apic: IA32_APIC_BASE 0x%08x: not enabled at 0x%08x, skipped\n", lo, APIC);
        return;
    }
    APIC_REG(APIC_LVTT) = 0x10040;                          /* masked, one-shot, vector 0x40 */
    probe_printf("probe: apic: LVT timer 0x%08x\n", APIC_REG(APIC_LVTT));
    /* MOV */
    APIC_FORM("mov 89", T, 0, 0, 0, 0, "mov %%eax, 0x380(%%ebx)");
    APIC_FORM("mov 89 sib", T, 0, 0, 0x40, 0, "mov %%edx, 0x300(%%ebx,%%ecx,2)");
    APIC_FORM("mov 89 disp32", T, 0, 0, 0, 0, "mov %%edx, 0xfee00380");
    APIC_FORM("mov 89 [edi]", T, 0, 0, 0, 0, "mov %%eax, (%%edi)");
    APIC_FORM("mov c7", T, 0, 0, 0, 0, "movl $0x0badf00d, 0x380(%%ebx)");
    APIC_FORM("mov c7 disp32", T, 0, 0, 0, 0, "movl $0xfeedface, 0xfee00380");
    APIC_FORM("mov a3 moffs", T, 0, 0, 0, 0, "mov %%eax, 0xfee00380");
    APIC_FORM("mov es override", T, 0, 0, 0, 0, "mov %%eax, %%es:0x380(%%ebx)");
    APIC_FORM("mov fs override", T, 0, 0, 0, 0, "mov %%edx, %%fs:0x380(%%ebx)");
    APIC_FORM("mov gs override a3", T, 0, 0, 0, 0, "mov %%eax, %%gs:0xfee00380");
    APIC_FORM("mov ss override", T, 0, 0, 0, 0, "mov %%eax, %%ss:0x380(%%ebx)");
    APIC_FORM("mov tpr", APIC_TPR, 0, 0, 0, 0, "mov %%eax, 0x80(%%ebx)");
    /* XCHG */
    APIC_FORM("xchg 87", T, 0x11112222, 0, 0, 0, "xchg %%eax, 0x380(%%ebx)");
    APIC_FORM("lock xchg 87", T, 0x33334444, 0, 0, 0, "lock xchg %%edx, 0x380(%%ebx)");
    APIC_FORM("xchg tpr", APIC_TPR, 0x12, 0, 0, 0, "xchg %%eax, 0x80(%%ebx)");
    /* STOS, MOVS */
    APIC_FORM("stos", T, 0, 0, 7, 0, "stosl");
    APIC_FORM("stos df", T, 0, 0x400, 7, 0, "stosl");
    APIC_FORM("rep stos", T, 0, 0, 1, 0, "rep stosl");
    APIC_FORM("rep stos ecx 0", T, 0x55, 0, 0, 0, "rep stosl");
    APIC_FORM("repne stos", T, 0, 0x400, 1, 0, "repne stosl");
    APIC_FORM("movs", T, 0, 0, 7, SRC, "movsl");
    APIC_FORM("movs df", T, 0, 0x400, 7, SRC + 4, "movsl");
    APIC_FORM("rep movs", T, 0, 0, 1, SRC + 4, "rep movsl");
    APIC_FORM("movs fs override", T, 0, 0, 0, SRC, "movsl %%fs:(%%esi), %%es:(%%edi)");
    APIC_FORM("movs from apic", T, 0, 0, 0, APIC + APIC_TPR, "movsl");
    /* ALU, register source */
    APIC_FORM("add 01", T, 0xf0000001, 0, 0, 0, "add %%edx, 0x380(%%ebx)");
    APIC_FORM("or 09", T, 0x0f0f0f0f, 0x8d5, 0, 0, "or %%eax, 0x380(%%ebx)");
    APIC_FORM("adc 11", T, 0x7fffffff, 0x1, 0, 0, "adc %%edx, 0x380(%%ebx)");
    APIC_FORM("sbb 19", T, 0x12345678, 0x1, 0, 0, "sbb %%eax, 0x380(%%ebx)");
    APIC_FORM("and 21", T, 0xffff0000, 0, 0, 0, "and %%eax, 0x380(%%ebx)");
    APIC_FORM("sub 29", T, 0x80000000, 0, 0, 0, "sub %%edx, 0x380(%%ebx)");
    APIC_FORM("xor 31", T, 0x12345678, 0x8d5, 0, 0, "xor %%eax, 0x380(%%ebx)");
    APIC_FORM("lock add 01", T, 0xffffffff, 0, 0, 0, "lock add %%edx, 0x380(%%ebx)");
    APIC_FORM("add tpr", APIC_TPR, 0xf0, 0, 0, 0, "add %%eax, 0x80(%%ebx)");
    /* ALU, immediate */
    APIC_FORM("add 81", T, 0x80000000, 0, 0, 0, "addl $0x80000000, 0x380(%%ebx)");
    APIC_FORM("or 81", T, 0, 0, 0, 0, "orl $0x01010101, 0x380(%%ebx)");
    APIC_FORM("adc 81", T, 0xfffffffe, 0x1, 0, 0, "adcl $0x1, 0x380(%%ebx)");
    APIC_FORM("sbb 81", T, 0, 0x1, 0, 0, "sbbl $0x10000000, 0x380(%%ebx)");
    APIC_FORM("and 81", T, 0x12345678, 0, 0, 0, "andl $0x0000ff00, 0x380(%%ebx)");
    APIC_FORM("sub 81", T, 0x12345678, 0, 0, 0, "subl $0x12345678, 0x380(%%ebx)");
    APIC_FORM("xor 81", T, 0x12345678, 0, 0, 0, "xorl $0xffffffff, 0x380(%%ebx)");
    APIC_FORM("add 83", T, 0x10, 0, 0, 0, "addl $-1, 0x380(%%ebx)");
    APIC_FORM("sub 83", T, 0, 0, 0, 0, "subl $1, 0x380(%%ebx)");
    APIC_FORM("lock or 83", T, 0x100, 0, 0, 0, "lock orl $0x7f, 0x380(%%ebx)");
    /* NOT, NEG, INC, DEC */
    APIC_FORM("not f7", T, 0x0000ffff, 0x8d5, 0, 0, "notl 0x380(%%ebx)");
    APIC_FORM("neg f7", T, 0x80000000, 0, 0, 0, "negl 0x380(%%ebx)");
    APIC_FORM("neg f7 zero", T, 0, 0x8d5, 0, 0, "negl 0x380(%%ebx)");
    APIC_FORM("inc ff", T, 0x7fffffff, 0x1, 0, 0, "incl 0x380(%%ebx)");
    APIC_FORM("dec ff", T, 0, 0, 0, 0, "decl 0x380(%%ebx)");
    APIC_FORM("lock inc ff", T, 0xffffffff, 0, 0, 0, "lock incl 0x380(%%ebx)");
    /* BTS, BTR, BTC */
    APIC_FORM("bts 0f ab", T, 0, 0, 31, 0, "bts %%ecx, 0x380(%%ebx)");
    APIC_FORM("btr 0f b3", T, 0xffffffff, 0, 4, 0, "btr %%ecx, 0x380(%%ebx)");
    APIC_FORM("btc 0f bb", T, 0x10, 0x8d5, 4, 0, "btc %%ecx, 0x380(%%ebx)");
    APIC_FORM("bts 0f ba", T, 0x1, 0, 0, 0, "btsl $0, 0x380(%%ebx)");
    APIC_FORM("btr 0f ba", T, 0x100, 0, 0, 0, "btrl $8, 0x380(%%ebx)");
    APIC_FORM("btc 0f ba", T, 0, 0, 0, 0, "btcl $63, 0x380(%%ebx)");
    APIC_FORM("lock bts 0f ab", T, 0, 0, 17, 0, "lock bts %%ecx, 0x380(%%ebx)");
    APIC_REG(APIC_TMICT) = 0;
    APIC_REG(APIC_TPR) = 0;
    probe_printf("probe: apic: timer count 0x%08x tpr 0x%08x\n", APIC_REG(APIC_TMICT), APIC_REG(APIC_TPR));
}
