/*
 * The probe guest's start: IDT, command line, the probe table, the end of
 * the run (guest/programs/probe/probe.h says what the guest is for).
 */
#include <stdarg.h>

#include "guest/programs/common/cmdline.h"
#include "guest/programs/common/com1.h"
#include "guest/programs/probe/probe.h"

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

/* The probes, in the order they run; `probe=NAME[,NAME...]` picks some (default: all). */
static const struct probe probes[] = {
    { "exc", probe_exceptions },
    { "cpuid", probe_cpuid },
    { "mem", probe_mem },
    { "apic", probe_apic },
    { "cr4", probe_cr4_bits },
    { "misc", probe_misc_enable },
    { "xss", probe_xss },
    { "pae", probe_pae },
    { "nmi", probe_nmi },
    { "uart", probe_uart },
    { "step", probe_step },
};

volatile struct probe_fault probe_fault;
volatile uint32_t probe_resume;
void (*volatile probe_nmi_hook)(void);
void (*volatile probe_db_hook)(struct probe_frame *f);
extern const uint32_t probe_isr_table[32];

static struct __attribute__((packed)) { uint16_t lo; uint16_t sel; uint8_t zero, type; uint16_t hi; } idt[32];

static void idt_init(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    for (unsigned i = 0; i < 32; i++) {
        idt[i].lo = (uint16_t)probe_isr_table[i];
        idt[i].hi = (uint16_t)(probe_isr_table[i] >> 16);
        idt[i].sel = cs;
        idt[i].type = 0x8e;                  /* present, DPL 0, 32-bit interrupt gate */
    }
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr = { sizeof(idt) - 1, (uint32_t)idt };
    __asm__ volatile("lidt %0" ::"m"(idtr));
}

void probe_try_reset(void)
{
    probe_fault.vector = 0xffffffffu;
}

/* --- output -------------------------------------------------------------------- */

static void put_hex(uint64_t v, int width)
{
    char b[16];
    int n = 0;
    do
        b[n++] = "0123456789abcdef"[v & 15];
    while ((v >>= 4) && n < 16);
    while (n < width)
        b[n++] = '0';
    while (n)
        putc(b[--n]);
}

/* %s %c %u %x %08x %llx %016llx: what the probes need. */
void probe_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            if (*p == '\n')
                putc('\r');
            putc(*p);
            continue;
        }
        int width = 0;
        bool ll = false;
        p++;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        while (*p == 'l') {
            ll = true;
            p++;
        }
        switch (*p) {
        case 's': puts(va_arg(ap, const char *)); break;
        case 'c': putc((char)va_arg(ap, int)); break;
        case 'u': putu(va_arg(ap, uint32_t)); break;
        case 'x': put_hex(ll ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t), width); break;
        case '%': putc('%'); break;
        default: putc('?'); break;
        }
    }
    va_end(ap);
}

/* The end of the run: Bochs' "Shutdown" port, after the UART has sent everything. */
static __attribute__((noreturn)) void probe_end(void) { com1_drain_and_shutdown(); }

void probe_fail(const char *what)
{
    probe_printf("probe: FAILED: %s\n", what);
    probe_end();
}

void probe_report_fault(const char *name)
{
    if (probe_fault.vector == 0xffffffffu) {
        probe_printf("probe: %s: no exception\n", name);
        return;
    }
    probe_printf("probe: %s: vector %u", name, probe_fault.vector);
    if (probe_fault.has_err)
        probe_printf(" error 0x%x", probe_fault.error);
    probe_printf(" eip 0x%08x cs 0x%x eflags 0x%08x\n", probe_fault.eip, probe_fault.cs, probe_fault.eflags);
}

void probe_exception(struct probe_frame *f);
void probe_exception(struct probe_frame *f)
{
    if (f->vector == 2 && probe_nmi_hook) {
        probe_nmi_hook();                /* NMIs stay blocked until the stub's IRET */
        return;
    }
    if (f->vector == 1 && probe_db_hook) {
        probe_db_hook(f);
        return;
    }
    if (!probe_resume) {
        probe_printf("probe: FAILED: unexpected exception: vector %u error 0x%x eip 0x%08x eflags 0x%08x\n",
                     f->vector, f->error, f->eip, f->eflags);
        probe_end();
    }
    probe_fault.vector = f->vector;
    probe_fault.has_err = f->has_err;
    probe_fault.error = f->error;
    probe_fault.eip = f->eip;
    probe_fault.cs = f->cs;
    probe_fault.eflags = f->eflags;
    f->eip = probe_resume;
    probe_resume = 0;
}

/* --- the entry state ------------------------------------------------------------ */

/* The machine state at entry (Multiboot 0.6.96, 3.2): selectors, CR0, CR4. */
static void probe_entry_state(uint32_t magic)
{
    uint16_t cs, ds, es, ss, fs, gs;
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cs, %0; mov %%ds, %1; mov %%es, %2; mov %%ss, %3; mov %%fs, %4; mov %%gs, %5"
                     : "=r"(cs), "=r"(ds), "=r"(es), "=r"(ss), "=r"(fs), "=r"(gs));
    __asm__ volatile("mov %%cr0, %0; mov %%cr4, %1" : "=r"(cr0), "=r"(cr4));
    probe_printf("probe: entry: eax 0x%08x cs 0x%x ds 0x%x es 0x%x ss 0x%x fs 0x%x gs 0x%x\n", magic, cs, ds, es,
                 ss, fs, gs);
    /* CR0.CD and NW are the firmware's (the Bochs BIOS leaves both set, 0x60000011); the
     * Multiboot spec leaves them undefined and Skiff starts its guests with caching on. */
    probe_printf("probe: entry: cr0 0x%08x (CD, NW not shown) cr4 0x%08x\n", cr0 & ~0x60000000u, cr4);
}

void probe_main(uint32_t magic, const struct mb_info *mbi);
void probe_main(uint32_t magic, const struct mb_info *mbi)
{
    idt_init();
    probe_printf("probe: start\n");
    probe_entry_state(magic);
    if (magic != 0x2BADB002)
        probe_fail("EAX is not the Multiboot magic 0x2BADB002");
    const char *cmdline = (mbi->flags & (1u << 2)) ? (const char *)mbi->cmdline : "";
    const char *list_end = 0, *list = cmdline_value(cmdline, "probe=", &list_end);
    for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        if (cmdline_selected(list, list_end, probes[i].name)) {
            probe_try_reset();
            probes[i].run();
        }
    probe_printf("probe: end\n");
    probe_end();
}
