#include "kernel/config/cmdline.h"

#include "kernel/firmware/acpi.h"
#include "kernel/lib/format.h"

void cmdline_defaults(struct skiff_config *cfg)
{
    *cfg = (struct skiff_config){
        .serial_port = 0x3f8,
        .baud = 115200,
        .loglevel = LOG_INFO,
        .max_cpus = ACPI_MAX_CPUS,
        .chain_drive = -1,
    };
}

static bool word_eq(const char *s, size_t len, const char *lit)
{
    size_t i = 0;
    for (; i < len && lit[i]; i++)
        if (s[i] != lit[i])
            return false;
    return i == len && lit[i] == '\0';
}

bool cmdline_parse_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;

    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        len -= 2;
    }
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned d;
        char c = s[i];
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

bool cmdline_parse_size(const char *s, size_t len, uint64_t *out)
{
    unsigned shift = 0;

    if (len && (s[len - 1] == 'K' || s[len - 1] == 'k'))
        shift = 10;
    else if (len && (s[len - 1] == 'M' || s[len - 1] == 'm'))
        shift = 20;
    else if (len && (s[len - 1] == 'G' || s[len - 1] == 'g'))
        shift = 30;
    if (shift)
        len--;
    uint64_t v;
    if (!cmdline_parse_u64(s, len, &v) || v > (UINT64_MAX >> shift))
        return false;
    *out = v << shift;
    return true;
}

/* gdb=ttyS0..3 | 0xPORT: the gdb stub's UART, always 115200 8N1. */
static bool parse_gdb_port(const char *v, size_t len, uint16_t *out)
{
    static const uint16_t ports[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
    uint64_t port;

    if (len == 5 && word_eq(v, 4, "ttyS") && v[4] >= '0' && v[4] <= '3')
        port = ports[v[4] - '0'];
    else if (!cmdline_parse_u64(v, len, &port) || port == 0 || port > 0xfff8)
        return false;
    *out = (uint16_t)port;
    return true;
}

/* One serial console: ttyS0..3 | 0xPORT | decimal port; false if it is none of them. */
static bool parse_serial(const char *v, size_t len, uint16_t *out)
{
    static const uint16_t ports[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
    uint64_t port;

    if (len == 5 && word_eq(v, 4, "ttyS") && v[4] >= '0' && v[4] <= '3') {
        *out = ports[v[4] - '0'];
        return true;
    }
    if (!cmdline_parse_u64(v, len, &port) || port == 0 || port > 0xfff8)
        return false;
    *out = (uint16_t)port;
    return true;
}

/*
 * console=ITEM[,ITEM...] | none.  Items: a serial console (ttyS0..3, 0xPORT),
 * optionally followed by its baud rate (ttyS0,9600), and `screen`.  An explicit
 * list names every console; without console= Skiff uses ttyS0 and the screen.
 */
static bool parse_console(const char *v, size_t len, struct skiff_config *cfg)
{
    bool serial = false, screen = false, baud_ok = false;
    uint16_t port = cfg->serial_port;
    uint32_t baud = cfg->baud;

    if (word_eq(v, len, "none")) {
        cfg->console_none = true;
        cfg->console_screen = CONSOLE_SCREEN_OFF;
        return true;
    }
    for (size_t at = 0;;) {
        size_t end = at;
        while (end < len && v[end] != ',')
            end++;
        const char *item = v + at;
        size_t ilen = end - at;
        uint64_t n;
        if (ilen == 0)
            return false;
        if (word_eq(item, ilen, "screen")) {
            if (screen)
                return false;
            screen = true;
            baud_ok = false;
        } else if (baud_ok && item[0] != '0' && cmdline_parse_u64(item, ilen, &n)) {
            /* A decimal number right after the serial console is its baud rate. */
            if (n < 50 || n > 115200 || 115200 % n)
                return false;
            baud = (uint32_t)n;
            baud_ok = false;
        } else if (!serial && parse_serial(item, ilen, &port)) {
            serial = true;
            baud_ok = true;
        } else {
            return false;
        }
        if (end == len)
            break;
        at = end + 1;
    }
    cfg->console_none = !serial;
    if (serial) {
        cfg->serial_port = port;
        cfg->baud = baud;
    }
    cfg->console_screen = screen ? CONSOLE_SCREEN_ON : CONSOLE_SCREEN_OFF;
    return true;
}

static bool parse_loglevel(const char *v, size_t len, enum log_level *out)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };
    for (int i = 0; i < 4; i++) {
        if (word_eq(v, len, names[i]) || (len == 1 && v[0] == '0' + i)) {
            *out = (enum log_level)i;
            return true;
        }
    }
    return false;
}

/*
 * vmx=off: the loaders run and the guest is entered natively, without VMX
 * (guest/run/native.c).  Options whose whole meaning is VMX (or a run Skiff
 * stays in) are refused with it, one row each with the reason.
 */
struct vmx_off_conflict {
    const char *option;
    bool (*set)(const struct skiff_config *cfg);
    const char *reason;
};

static bool has_gdb(const struct skiff_config *c) { return c->gdb_port != 0; }
static bool has_trace(const struct skiff_config *c) { return c->trace_ring || c->trace_stream; }
static bool has_watchdog(const struct skiff_config *c) { return c->watchdog_ms != 0; }
static bool has_profile(const struct skiff_config *c) { return c->vmx_profile[0] != '\0'; }
static bool has_selftest(const struct skiff_config *c) { return c->selftest != SELFTEST_NONE; }
static bool has_chain(const struct skiff_config *c) { return c->guest_chain; }
static bool has_hlt_exit(const struct skiff_config *c) { return c->hlt_exit; }
static bool has_hv_hide(const struct skiff_config *c) { return c->hypervisor_bit_hidden; }
static bool has_smp_park(const struct skiff_config *c) { return c->smp == SMP_PARK; }
static bool has_iommu_req(const struct skiff_config *c) { return c->iommu == IOMMU_REQUIRED; }
static bool has_vmcheck(const struct skiff_config *c) { return c->vmcheck != VMCHECK_ON; }
static bool has_tripwire(const struct skiff_config *c) { return c->tripwire != TRIPWIRE_END; }
static bool has_guest_test(const struct skiff_config *c) { return c->guest_test[0] != '\0'; }

static const struct vmx_off_conflict vmx_off_conflicts[] = {
    { "gdb=", has_gdb, "the gdb stub works through VM exits" },
    { "trace=", has_trace, "it traces VM exits" },
    { "watchdog=", has_watchdog, "it is the VMX-preemption timer" },
    { "vmx_profile=", has_profile, "it restricts VMX features" },
    { "selftest=", has_selftest, "the self-tests check VMX or Skiff's run, or need the other CPUs" },
    { "guest=chain", has_chain, "the BIOS chain boot relies on a VM exit hook" },
    { "hlt=exit", has_hlt_exit, "it is a VM-execution control" },
    { "hypervisor_bit=hide", has_hv_hide, "there is no CPUID view without VMX" },
    { "smp=park", has_smp_park, "the APs would wait in VMX root operation" },
    { "iommu=required", has_iommu_req, "the guest owns the machine, DMA remapping included" },
    { "vmcheck=", has_vmcheck, "there is no VMCS to check" },
    { "tripwire=", has_tripwire, "nothing stays armed once the guest owns the machine" },
    { "guest_test=", has_guest_test, "the built-in guest talks to Skiff through VM exits" },
};

/* 0, or -1 with the first option vmx=off cannot go with named. */
static int vmx_off_check(struct skiff_config *cfg, char *err, size_t errlen)
{
    if (!cfg->vmx_off)
        return 0;
    for (size_t i = 0; i < sizeof(vmx_off_conflicts) / sizeof(vmx_off_conflicts[0]); i++)
        if (vmx_off_conflicts[i].set(cfg)) {
            snprintf(err, errlen, "vmx=off cannot go with %s: %s", vmx_off_conflicts[i].option,
                     vmx_off_conflicts[i].reason);
            return -1;
        }
    /* The other CPUs stay the firmware's, for the guest's own INIT-SIPI-SIPI; no VT-d either. */
    cfg->smp = SMP_OFF;
    cfg->iommu = IOMMU_OFF;
    return 0;
}

int cmdline_parse(const char *line, struct skiff_config *cfg, char *err, size_t errlen)
{
    const char *p = line ? line : "";
    bool first = true;

    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p) {
            if (cfg->gdb_port && !cfg->console_none && cfg->gdb_port == cfg->serial_port) {
                snprintf(err, errlen, "gdb= and console= name the same UART (0x%x)", cfg->gdb_port);
                return -1;
            }
            return vmx_off_check(cfg, err, errlen);
        }
        const char *w = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        size_t wlen = (size_t)(p - w);

        /* Some loaders pass the kernel's own path as the first word. */
        if (first && w[0] == '/') {
            first = false;
            continue;
        }
        first = false;

        size_t klen = 0;
        while (klen < wlen && w[klen] != '=')
            klen++;
        const char *v = w + klen + 1;
        size_t vlen = klen < wlen ? wlen - klen - 1 : 0;
        bool has_value = klen < wlen;
        bool ok;

        if (!has_value) {
            snprintf(err, errlen, "option '%.*s' needs a value (name=value)", (int)wlen, w);
            return -1;
        } else if (word_eq(w, klen, "console")) {
            ok = parse_console(v, vlen, cfg);
        } else if (word_eq(w, klen, "loglevel")) {
            ok = parse_loglevel(v, vlen, &cfg->loglevel);
        } else if (word_eq(w, klen, "onexit")) {
            ok = true;
            if (word_eq(v, vlen, "halt"))
                cfg->onexit = ONEXIT_HALT;
            else if (word_eq(v, vlen, "reboot"))
                cfg->onexit = ONEXIT_REBOOT;
            else if (word_eq(v, vlen, "poweroff"))
                cfg->onexit = ONEXIT_POWEROFF;
            else
                ok = false;
        } else if (word_eq(w, klen, "selftest")) {
            ok = true;
            if (word_eq(v, vlen, "fault"))
                cfg->selftest = SELFTEST_FAULT;
            else if (word_eq(v, vlen, "vmx"))
                cfg->selftest = SELFTEST_VMX;
            else if (word_eq(v, vlen, "vmcheck"))
                cfg->selftest = SELFTEST_VMCHECK;
            else if (word_eq(v, vlen, "iommu"))
                cfg->selftest = SELFTEST_IOMMU;
            else if (word_eq(v, vlen, "mce"))
                cfg->selftest = SELFTEST_MCE;
            else if (word_eq(v, vlen, "fault_ap"))
                cfg->selftest = SELFTEST_FAULT_AP;
            else if (word_eq(v, vlen, "tripwire"))
                cfg->selftest = SELFTEST_TRIPWIRE;
            else if (word_eq(v, vlen, "firmware_x2apic"))
                cfg->selftest = SELFTEST_FIRMWARE_X2APIC;
            else
                ok = false;
        } else if (word_eq(w, klen, "guest_mem")) {
            ok = cmdline_parse_size(v, vlen, &cfg->guest_mem) && cfg->guest_mem >= (2u << 20);
        } else if (word_eq(w, klen, "watchdog")) {
            uint64_t ms;
            ok = cmdline_parse_u64(v, vlen, &ms) && ms > 0 && ms <= 3600000;
            if (ok)
                cfg->watchdog_ms = (uint32_t)ms;
        } else if (word_eq(w, klen, "tsc_ref")) {
            ok = word_eq(v, vlen, "pit") || word_eq(v, vlen, "auto");
            cfg->tsc_ref_pit = word_eq(v, vlen, "pit");
        } else if (word_eq(w, klen, "hlt")) {
            ok = word_eq(v, vlen, "exit") || word_eq(v, vlen, "pass");
            cfg->hlt_exit = word_eq(v, vlen, "exit");
        } else if (word_eq(w, klen, "hypervisor_bit")) {
            ok = word_eq(v, vlen, "show") || word_eq(v, vlen, "hide");
            cfg->hypervisor_bit_hidden = word_eq(v, vlen, "hide");
        } else if (word_eq(w, klen, "vmcheck")) {
            static const char *const modes[] = { "on", "off", "warn", "always" };
            ok = false;
            for (int i = 0; i < 4; i++)
                if (word_eq(v, vlen, modes[i])) {
                    cfg->vmcheck = (enum vmcheck_mode)i;
                    ok = true;
                }
        } else if (word_eq(w, klen, "tripwire")) {
            ok = true;
            if (word_eq(v, vlen, "end"))
                cfg->tripwire = TRIPWIRE_END;
            else if (word_eq(v, vlen, "always"))
                cfg->tripwire = TRIPWIRE_ALWAYS;
            else
                ok = false;
        } else if (word_eq(w, klen, "trace")) {
            uint64_t n;
            ok = true;
            if (word_eq(v, vlen, "stream"))
                cfg->trace_stream = true;
            else if (cmdline_parse_u64(v, vlen, &n) && n >= 1 && n <= TRACE_RING_MAX)
                cfg->trace_ring = (uint32_t)n;
            else
                ok = false;
        } else if (word_eq(w, klen, "smp")) {
            ok = true;
            if (word_eq(v, vlen, "on"))
                cfg->smp = SMP_ON;
            else if (word_eq(v, vlen, "off"))
                cfg->smp = SMP_OFF;
            else if (word_eq(v, vlen, "park"))
                cfg->smp = SMP_PARK;
            else
                ok = false;
        } else if (word_eq(w, klen, "iommu")) {
            static const char *const policies[] = { "on", "required", "off" };
            ok = false;
            for (int i = 0; i < 3; i++)
                if (word_eq(v, vlen, policies[i])) {
                    cfg->iommu = (enum iommu_policy)i;
                    ok = true;
                }
        } else if (word_eq(w, klen, "max_cpus")) {
            uint64_t n;
            ok = cmdline_parse_u64(v, vlen, &n) && n >= 1 && n <= ACPI_MAX_CPUS;
            if (ok)
                cfg->max_cpus = (uint32_t)n;
        } else if (word_eq(w, klen, "gdb")) {
            ok = parse_gdb_port(v, vlen, &cfg->gdb_port);
        } else if (word_eq(w, klen, "guest")) {
            ok = word_eq(v, vlen, "chain");     /* the other guests come as GRUB modules */
            cfg->guest_chain = ok;
        } else if (word_eq(w, klen, "chain_drive")) {
            uint64_t n;
            ok = cmdline_parse_u64(v, vlen, &n) && n <= 0xff;
            if (ok)
                cfg->chain_drive = (int)n;
        } else if (word_eq(w, klen, "guest_seed")) {
            ok = cmdline_parse_u64(v, vlen, &cfg->guest_seed);
        } else if (word_eq(w, klen, "guest_count")) {
            ok = cmdline_parse_u64(v, vlen, &cfg->guest_count) && cfg->guest_count > 0;
        } else if (word_eq(w, klen, "vmx_profile")) {
            /* Names of the restriction table (vmx/core/vmx_profile.c), checked there at VMXON. */
            ok = vlen > 0 && vlen < sizeof(cfg->vmx_profile);
            for (size_t i = 0; ok && i < vlen; i++)
                ok = (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '-' || v[i] == ',';
            if (ok) {
                for (size_t i = 0; i < vlen; i++)
                    cfg->vmx_profile[i] = v[i];
                cfg->vmx_profile[vlen] = '\0';
            }
        } else if (word_eq(w, klen, "vmx")) {
            ok = word_eq(v, vlen, "off") || word_eq(v, vlen, "on");
            cfg->vmx_off = word_eq(v, vlen, "off");
        } else if (word_eq(w, klen, "guest_test")) {
            ok = vlen > 0 && vlen < sizeof(cfg->guest_test);
            if (ok) {
                for (size_t i = 0; i < vlen; i++)
                    cfg->guest_test[i] = v[i];
                cfg->guest_test[vlen] = '\0';
            }
        } else {
            snprintf(err, errlen, "unknown option '%.*s'", (int)wlen, w);
            return -1;
        }
        if (!ok) {
            snprintf(err, errlen, "bad value in '%.*s'", (int)wlen, w);
            return -1;
        }
    }
}

const char *log_level_name(enum log_level l)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };
    return (unsigned)l < 4 ? names[l] : "?";
}
