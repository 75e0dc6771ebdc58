#include "kernel/cpu/idle.h"

#include <stdint.h>

#include "kernel/cpu/cpu.h"

/* void idle_halt(const uint32_t *posted, uint32_t seen): HLT unless *posted moved from seen.
 * [idle_halt_check, idle_halt_done) is the window idle_nmi moves an interrupted RIP out of. */
void idle_halt(const volatile uint32_t *posted, uint32_t seen);
extern const char idle_halt_check[], idle_halt_done[];
__asm__(".text\n"
        ".globl idle_halt, idle_halt_check, idle_halt_done\n"
        "idle_halt:\n"
        "idle_halt_check:\n"
        "    cmpl %esi, (%rdi)\n"
        "    jne idle_halt_done\n"
        "    hlt\n"
        "idle_halt_done:\n"
        "    ret\n");

void idle_wait(bool (*ready)(void *arg), void *arg)
{
    struct percpu *pc = this_cpu();
    for (;;) {
        __atomic_store_n(&pc->idle, true, __ATOMIC_SEQ_CST);
        uint32_t seen = __atomic_load_n(&pc->wake_posted, __ATOMIC_SEQ_CST);
        if (ready(arg))
            break;
        idle_halt(&pc->wake_posted, seen);
        pc->idle_wakeups++;
    }
    __atomic_store_n(&pc->idle, false, __ATOMIC_SEQ_CST);
}

bool idle_wake(struct percpu *target)
{
    if (!__atomic_load_n(&target->idle, __ATOMIC_SEQ_CST))
        return false;
    __atomic_add_fetch(&target->wake_posted, 1, __ATOMIC_SEQ_CST);
    return true;
}

/* A wake-up NMI not yet taken: count it as this one.  (Two NMIs that meet while one is pending
 * are one, SDM Vol. 3A 6.7.1: a guest's NMI that meets a wake-up is lost, as on any CPU.) */
bool idle_nmi_exit(void)
{
    if (!rdmsr(MSR_GS_BASE))
        return false;                    /* an AP's first instructions: no per-CPU block yet */
    struct percpu *pc = this_cpu();
    if (pc->wake_nmis == __atomic_load_n(&pc->wake_posted, __ATOMIC_SEQ_CST))
        return false;
    pc->wake_nmis++;
    return true;
}

bool idle_nmi(struct exc_frame *f)
{
    if (f->rip >= (uint64_t)idle_halt_check && f->rip < (uint64_t)idle_halt_done)
        f->rip = (uint64_t)idle_halt_done;
    return idle_nmi_exit();
}
