/*
 * Skiff's log: printk-style output with levels, to the serial console.
 * Output before console_init() is kept in a small buffer and replayed, so
 * nothing said while parsing the boot information is lost.
 */
#ifndef SKIFF_KERNEL_CONSOLE_H
#define SKIFF_KERNEL_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/config/cmdline.h"
#include "kernel/firmware/mb2.h"

void console_init(const struct skiff_config *cfg);

/*
 * The run's id: 64 random bits (RDRAND; the TSC where the CPU has none, then
 * said in a line) that end Skiff's first and last lines on the serial console,
 * `... run=ID`.  A guest shares the UART but never sees the id: it is in none
 * of the guest's memory and never drawn on a screen (a guest can read video
 * memory), so a line a guest prints cannot pass for Skiff's banner or verdict.
 * Returns false when the id is the TSC's.
 */
bool console_run_id_init(void);
/* One Skiff line `text run=ID` (the id on the serial console only). */
void console_line_run_id(const char *text);
/* Attach the screen (framebuffer or EGA text from the boot information) once it is mapped. */
void console_screen_init(const struct mb2_info *mb);
void console_set_level(enum log_level level);
bool console_enabled(enum log_level level);
void console_flush(void);
/*
 * The guest writes the console UART directly (vmx/exit/exit_io.c), so Skiff cannot
 * see where it left the line: once the guest has run after Skiff's last byte,
 * Skiff's next line starts with a line break on the serial line.  The VMX
 * layer calls console_guest_resumes() before it lets the guest run again: one
 * load unless Skiff printed since.
 */
extern volatile bool console_guest_wrote;
/* Wait while another CPU is in the middle of a Skiff line (vmx/exit/exit_io.c, before it tells the guest
 * THR is empty: the guest's next byte then does not land inside that line). */
void console_wait_idle(void);
static inline __attribute__((always_inline)) void console_guest_resumes(void)
{
    if (!console_guest_wrote)
        console_guest_wrote = true;
}
/* While several CPUs run the guest, Skiff's `skiff: ` lines become `skiff: cpuN: `. */
void console_set_cpu_tags(bool on);
/* The run end: read the console UART back (vmx/exit/exit_io.c keeps the guest off its settings), say
 * whether it is still Skiff's, and restore it if not. */
void console_check_uart(void);
/* Release the console lock a parked CPU may hold (the run ends on this CPU). */
void console_take_over(void);
/* Raw bytes (a guest's hypercall print), no line handling. */
void console_write(const char *s, size_t n);

/* Unconditional output (banners, dumps, the final status line). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Leveled output; dropped when above the configured level. */
void klog(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_err(...)   klog(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

#endif
