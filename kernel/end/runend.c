#include "kernel/end/runend.h"

#include "kernel/acpi/acpi_power.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/lib/format.h"

static enum onexit_action onexit;

static int (*final_check)(int status);

void runend_configure(enum onexit_action action) { onexit = action; }

void runend_set_check(int (*check)(int status)) { final_check = check; }

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
    if (final_check)
        status = final_check(status);
    console_set_cpu_tags(false);         /* the last line is exactly `skiff: exit status=N run=ID` */
    console_check_uart();
    /* Exactly `skiff: exit status=N run=ID`, from any CPU, with the id of the banner: a guest
     * that prints a line of that shape cannot know the id (kernel/console/console.h). */
    char last[48];
    snprintf(last, sizeof(last), "skiff: exit status=%d", status);
    console_line_run_id(last);
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

    /* Real hardware: the FADT's registers first, then the emulators' and legacy ways. */
    if (onexit == ONEXIT_POWEROFF) {
        acpi_poweroff();                   /* S5: SLP_TYP | SLP_EN in PM1a/PM1b_CNT */
        outw(0x604, 0x2000);               /* QEMU q35 / newer pc: PM1a_CNT, S5 */
        outw(0xb004, 0x2000);              /* Bochs, older QEMU: PIIX4 PM1a_CNT, S5 */
    }
    if (onexit == ONEXIT_REBOOT) {
        acpi_reset();                      /* FADT RESET_REG <- RESET_VALUE */
        outb(0x64, 0xfe);                  /* keyboard-controller reset */
        for (volatile int i = 0; i < 1000000; i++)
            ;
        static const struct desc_ptr null_idt = { 0, 0 };
        lidt(&null_idt);
        __asm__ volatile("int3");          /* triple fault */
    }
halt:
    for (;;)
        cpu_halt();
}
