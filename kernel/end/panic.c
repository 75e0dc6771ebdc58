#include "kernel/end/panic.h"

#include <stdarg.h>

#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/desc.h"
#include "kernel/cpu/extable.h"
#include "kernel/cpu/idle.h"
#include "kernel/cpu/percpu.h"
#include "kernel/cpu/x86_exc.h"
#include "kernel/end/mce.h"
#include "kernel/end/runend.h"
#include "kernel/lib/format.h"

extern char _image_start[], _image_end[];

static void (*panic_hook)(void);

void panic_set_hook(void (*hook)(void)) { panic_hook = hook; }


static int in_image(uint64_t a)
{
    return a >= (uint64_t)_image_start && a + 16 <= (uint64_t)_image_end && !(a & 7);
}

void print_stack_trace(uint64_t rip, uint64_t rbp)
{
    kprintf("skiff: stack trace:\n");
    kprintf("skiff:   #0 0x%016llx\n", (unsigned long long)rip);
    for (int depth = 1; depth < 16 && in_image(rbp); depth++) {
        uint64_t ret = ((uint64_t *)rbp)[1];
        uint64_t next = ((uint64_t *)rbp)[0];
        if (!ret)
            break;
        kprintf("skiff:   #%d 0x%016llx\n", depth, (unsigned long long)ret);
        if (next <= rbp)
            break;
        rbp = next;
    }
}

static void print_control_regs(void)
{
    kprintf("skiff: CR0=%016llx CR2=%016llx CR3=%016llx CR4=%016llx\n",
            (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
            (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
}

void exception_handler(struct exc_frame *f);

/*
 * Every host exception (kernel/cpu/isr.S).  Two kinds return, and IRETQ resumes:
 * an NMI (vector 2), which is the guest's (vmx/vcpu/nmi.c), and a fault at an
 * instruction of the exception table (kernel/cpu/extable.h: an MSR access made
 * for the guest), which resumes at its fixup.  A machine check (vector 18) is
 * reported and ends the run; anything else is a Skiff bug: dump, status 4.
 */
static void (*nmi_handler)(void);

void panic_set_nmi_handler(void (*handler)(void)) { nmi_handler = handler; }

void exception_handler(struct exc_frame *f)
{
    static int nested;
    if (f->vector == 2) {
        if (run_end_elsewhere())
            run_end_park();                      /* the run ends on another CPU: stop here */
        if (idle_nmi(f))
            return;                              /* a wake-up from another CPU (kernel/cpu/idle.h) */
        if (nmi_handler)
            nmi_handler();
        return;
    }
    uint64_t fixup = f->vector < 32 && x86_exc((unsigned)f->vector)->cls == X86_EXC_FAULT ? extable_fixup(f->rip) : 0;
    if (fixup) {
        __atomic_add_fetch(&extable_faults, 1, __ATOMIC_RELAXED);
        extable_last_vector = (unsigned)f->vector;
        f->rip = fixup;
        return;                                  /* isr.S: IRETQ to the fixup */
    }
    if (f->vector == 18)
        mce_fatal("in VMX root operation (Skiff)");
    if (nested++) {
        kprintf("skiff: HOST EXCEPTION vector=%llu while handling an exception\n",
                (unsigned long long)f->vector);
        run_end(SKIFF_HOST_FAULT);
    }
    kprintf("skiff: HOST EXCEPTION vector=%llu (%s) error_code=0x%llx\n",
            (unsigned long long)f->vector, x86_exc((unsigned)f->vector)->name,
            (unsigned long long)f->error_code);
    kprintf("skiff: RIP=%016llx CS=%04llx RFLAGS=%016llx RSP=%016llx SS=%04llx\n",
            (unsigned long long)f->rip, (unsigned long long)f->cs,
            (unsigned long long)f->rflags, (unsigned long long)f->rsp,
            (unsigned long long)f->ss);
    print_control_regs();
    kprintf("skiff: RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n",
            (unsigned long long)f->rax, (unsigned long long)f->rbx,
            (unsigned long long)f->rcx, (unsigned long long)f->rdx);
    kprintf("skiff: RSI=%016llx RDI=%016llx RBP=%016llx\n", (unsigned long long)f->rsi,
            (unsigned long long)f->rdi, (unsigned long long)f->rbp);
    kprintf("skiff: R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n",
            (unsigned long long)f->r8, (unsigned long long)f->r9,
            (unsigned long long)f->r10, (unsigned long long)f->r11);
    kprintf("skiff: R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n",
            (unsigned long long)f->r12, (unsigned long long)f->r13,
            (unsigned long long)f->r14, (unsigned long long)f->r15);
    print_stack_trace(f->rip, f->rbp);
    if (panic_hook)
        panic_hook();
    run_end(SKIFF_HOST_FAULT);
}

__attribute__((noreturn)) void panic(const char *fmt, ...)
{
    static int nested;
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kprintf("skiff: PANIC: %s\n", msg);
    if (nested++)
        run_end(SKIFF_HOST_FAULT);

    uint64_t rsp, rbp;
    __asm__ volatile("movq %%rsp, %0; movq %%rbp, %1" : "=r"(rsp), "=r"(rbp));
    kprintf("skiff: RSP=%016llx RBP=%016llx RFLAGS=%016llx\n", (unsigned long long)rsp,
            (unsigned long long)rbp, (unsigned long long)read_rflags());
    print_control_regs();
    print_stack_trace((uint64_t)__builtin_return_address(0), rbp);
    if (panic_hook)
        panic_hook();
    run_end(SKIFF_HOST_FAULT);
}
