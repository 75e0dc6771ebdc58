/*
 * Skiff's own command line (the words after the kernel path in grub.cfg).
 * Pure code: parses into a config struct and names the first bad option.
 */
#ifndef SKIFF_KERNEL_CMDLINE_H
#define SKIFF_KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };
/* console=: the screen as a second console (kernel/console/fbcon.c, kernel/console/vgacon.c) */
enum console_screen { CONSOLE_SCREEN_AUTO = 0, CONSOLE_SCREEN_ON, CONSOLE_SCREEN_OFF };
enum onexit_action { ONEXIT_HALT = 0, ONEXIT_REBOOT = 1, ONEXIT_POWEROFF = 2 };
enum selftest { SELFTEST_NONE = 0, SELFTEST_FAULT, SELFTEST_VMX, SELFTEST_VMCHECK, SELFTEST_IOMMU, SELFTEST_MCE,
               SELFTEST_FAULT_AP, SELFTEST_TRIPWIRE, SELFTEST_FIRMWARE_X2APIC,
               SELFTEST_LAST = SELFTEST_FIRMWARE_X2APIC };
/* tripwire=: when Skiff checks the state it protects (vmx/tripwire/tripwire.c): at the run end, or after every exit too */
enum tripwire_mode { TRIPWIRE_END = 0, TRIPWIRE_ALWAYS };
/* vmcheck=: check the VMCS against the SDM's VM-entry rules (vmx/check/vmcheck.c) */
enum vmcheck_mode { VMCHECK_ON = 0, VMCHECK_OFF, VMCHECK_WARN, VMCHECK_ALWAYS };
/* on: every CPU runs a guest vCPU; park: the APs wait in VMX root; off: they are not started. */
enum smp_mode { SMP_ON = 0, SMP_PARK, SMP_OFF };
/* iommu=: DMA remapping with VT-d where the DMAR table shows it (kernel/iommu/iommu.c) */
enum iommu_policy { IOMMU_ON = 0, IOMMU_REQUIRED, IOMMU_OFF };

#define CMDLINE_WORD_MAX 64
#define TRACE_RING_MAX 4096

struct skiff_config {
    bool console_none;           /* no serial console (console=none or console=screen) */
    enum console_screen console_screen; /* AUTO: the screen when the boot loader left one */
    uint16_t serial_port;
    uint32_t baud;
    enum log_level loglevel;
    enum onexit_action onexit;
    enum selftest selftest;
    uint64_t guest_mem;          /* bytes; 0 = all memory Skiff does not use */
    uint32_t watchdog_ms;        /* 0 = off */
    bool tsc_ref_pit;            /* tsc_ref=pit: calibrate the TSC against the PIT, not the PM timer (kernel/time) */
    bool hlt_exit;               /* hlt=exit: every guest HLT exits (vmx/exit/exit_misc.c); default pass */
    bool hypervisor_bit_hidden;  /* hypervisor_bit=hide: CPUID.1:ECX[31] reads 0 (vmx/core/cpuid_view.c) */
    char guest_test[CMDLINE_WORD_MAX]; /* built-in guest's test case, "" = normal run */
    uint64_t guest_seed;         /* guest_seed=: the fuzz guest's seed (guest_test=fuzz) */
    uint64_t guest_count;        /* guest_count=: iterations for guest_test=fuzz|soak, 0 = default */
    enum vmcheck_mode vmcheck;
    enum tripwire_mode tripwire; /* tripwire=end|always (always: a debug option, the fuzzer's) */
    uint32_t trace_ring;         /* trace=N: keep the last N exits (0 = off) */
    bool trace_stream;           /* trace=stream: one line per exit */
    uint16_t gdb_port;           /* gdb=: UART of the guest's gdb stub (vmx/debug/gdbstub.c), 0 = off */
    enum smp_mode smp;           /* smp=on|park|off (kernel/smp/smp.c, vmx/smp/smp_guest.c) */
    enum iommu_policy iommu;     /* iommu=on|required|off */
    uint32_t max_cpus;           /* max_cpus=: CPUs Skiff manages, the BSP included (1..ACPI_MAX_CPUS) */
    char vmx_profile[CMDLINE_WORD_MAX]; /* vmx_profile=NAME[,NAME]: VMX restrictions (vmx/core/vmx_profile.c), "" = none */
    bool guest_chain;            /* guest=chain: the BIOS boots a disk in the guest (guest/loader/chain.c) */
    int chain_drive;             /* chain_drive=: its BIOS drive number (0..0xff), -1 = the default */
    bool vmx_off;                /* vmx=off: UNSAFE diagnostic, the guest runs natively (guest/run/native.c) */
};

void cmdline_defaults(struct skiff_config *cfg);

/*
 * Parse `line` (NUL-terminated, may be NULL) into `cfg`, which must hold the
 * defaults.  Returns 0, or -1 with a one-line reason in err that names the
 * offending word.
 */
int cmdline_parse(const char *line, struct skiff_config *cfg, char *err, size_t errlen);

/* Helpers shared with the module command-line parser. */
bool cmdline_parse_u64(const char *s, size_t len, uint64_t *out);
bool cmdline_parse_size(const char *s, size_t len, uint64_t *out);

const char *log_level_name(enum log_level l);

#endif
