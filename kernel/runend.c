#include "runend.h"

#include "console.h"
#include "cpu.h"

static enum onexit_action onexit;

void runend_configure(enum onexit_action action) { onexit = action; }

static void bochs_shutdown(void)
{
    /* Bochs' "Shutdown" port: the string ends the simulation (status 1). */
    for (const char *s = "Shutdown"; *s; s++)
        outb(0x8900, (uint8_t)*s);
}

__attribute__((noreturn)) void run_end(int status)
{
    static int ending;

    cli();
    if (ending++) /* a fault while ending: do not recurse */
        goto halt;
    kprintf("skiff: exit status=%d\n", status);
    console_flush();
    /* Give the last characters time to leave a real UART or Bochs' model. */
    for (volatile int i = 0; i < 200000; i++)
        ;

    /* QEMU isa-debug-exit: QEMU exits with (value << 1) | 1. */
    outl(0xf4, (uint32_t)status);
    if (status == 0)
        __asm__ volatile("xchg %%bx, %%bx" ::: "memory"); /* Bochs magic break: exit 0 */
    else
        bochs_shutdown();

    if (onexit == ONEXIT_REBOOT) {
        outb(0x64, 0xfe);                  /* keyboard-controller reset */
        static const struct desc_ptr null_idt = { 0, 0 };
        lidt(&null_idt);
        __asm__ volatile("int3");          /* triple fault */
    }
halt:
    for (;;)
        cpu_halt();
}
