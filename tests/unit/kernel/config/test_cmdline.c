// SOURCES: kernel/config/cmdline.c kernel/lib/format.c
/* Skiff's command-line options (kernel/config/cmdline.c). */
#include "tests/unit/unit.h"

#include "kernel/firmware/acpi.h"

#include <stdint.h>
#include <stdlib.h>

#include "kernel/config/cmdline.h"

static struct skiff_config cfg;
static char err[128];

/* Parse `line` over fresh defaults; returns cmdline_parse's status. */
static int parse(const char *line)
{
    cmdline_defaults(&cfg);
    memset(err, 0, sizeof err);
    return cmdline_parse(line, &cfg, err, sizeof err);
}

/* `line` must be rejected with exactly `msg`. */
#define CHECK_REJECT(line, msg)                                      \
    do {                                                             \
        CHECK_EQ(parse(line), -1);                                   \
        CHECK_STR(err, msg);                                         \
    } while (0)

#define CHECK_BAD(line) CHECK_REJECT(line, "bad value in '" line "'")

static bool is_default(const struct skiff_config *c)
{
    struct skiff_config d;
    cmdline_defaults(&d);
    return c->console_none == d.console_none && c->serial_port == d.serial_port &&
           c->baud == d.baud && c->loglevel == d.loglevel && c->onexit == d.onexit &&
           c->selftest == d.selftest && c->guest_mem == d.guest_mem &&
           c->watchdog_ms == d.watchdog_ms && strcmp(c->guest_test, d.guest_test) == 0;
}

TEST(defaults)
{
    memset(&cfg, 0x5a, sizeof cfg);
    cmdline_defaults(&cfg);
    CHECK(!cfg.console_none);
    CHECK_EQ(cfg.serial_port, 0x3f8);
    CHECK_EQ(cfg.baud, 115200);
    CHECK_EQ(cfg.loglevel, LOG_INFO);
    CHECK_EQ(cfg.onexit, ONEXIT_HALT);
    CHECK_EQ(cfg.selftest, SELFTEST_NONE);
    CHECK_EQ(cfg.guest_mem, 0);
    CHECK_EQ(cfg.watchdog_ms, 0);
    CHECK_STR(cfg.guest_test, "");
}

TEST(empty_lines)
{
    CHECK_EQ(parse(NULL), 0);
    CHECK(is_default(&cfg));
    CHECK_EQ(parse(""), 0);
    CHECK(is_default(&cfg));
    CHECK_EQ(parse("  \t \t  "), 0);
    CHECK(is_default(&cfg));
    CHECK_EQ(parse("/boot/skiff.elf"), 0);
    CHECK(is_default(&cfg));
    CHECK_STR(err, ""); /* untouched on success */
}

TEST(console_ttys)
{
    static const uint16_t ports[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
    char line[32];
    for (int i = 0; i < 4; i++) {
        snprintf(line, sizeof line, "console=ttyS%d", i);
        CHECK_EQ(parse(line), 0);
        CHECK_EQ(cfg.serial_port, ports[i]);
        CHECK_EQ(cfg.baud, 115200);
        CHECK(!cfg.console_none);
    }
    CHECK_EQ(parse("console=ttyS1,57600"), 0);
    CHECK_EQ(cfg.serial_port, 0x2f8);
    CHECK_EQ(cfg.baud, 57600);
    CHECK_EQ(parse("console=ttyS3,115200"), 0);
    CHECK_EQ(cfg.serial_port, 0x2e8);
    CHECK_EQ(cfg.baud, 115200);
}

TEST(console_port)
{
    CHECK_EQ(parse("console=0x2f8,9600"), 0);
    CHECK_EQ(cfg.serial_port, 0x2f8);
    CHECK_EQ(cfg.baud, 9600);
    CHECK_EQ(parse("console=0x3E8"), 0);
    CHECK_EQ(cfg.serial_port, 0x3e8);
    CHECK_EQ(cfg.baud, 115200);
    CHECK_EQ(parse("console=1016"), 0); /* decimal 0x3f8 */
    CHECK_EQ(cfg.serial_port, 0x3f8);
    CHECK_EQ(parse("console=0xe000,50"), 0); /* PCI UART, slowest divisor-exact baud */
    CHECK_EQ(cfg.serial_port, 0xe000);
    CHECK_EQ(cfg.baud, 50);
    CHECK_EQ(parse("console=0xfff8"), 0);
    CHECK_EQ(cfg.serial_port, 0xfff8);
}

TEST(console_none)
{
    CHECK_EQ(parse("console=none"), 0);
    CHECK(cfg.console_none);
    /* the last console= wins */
    CHECK_EQ(parse("console=none console=ttyS2"), 0);
    CHECK(!cfg.console_none);
    CHECK_EQ(cfg.serial_port, 0x3e8);
    CHECK_EQ(parse("console=ttyS2 console=none"), 0);
    CHECK(cfg.console_none);
}

TEST(console_screen)
{
    CHECK_EQ(parse(""), 0);
    CHECK_EQ(cfg.console_screen, CONSOLE_SCREEN_AUTO);
    CHECK(!cfg.console_none);
    CHECK_EQ(parse("console=screen"), 0);
    CHECK(cfg.console_none);
    CHECK_EQ(cfg.console_screen, CONSOLE_SCREEN_ON);
    CHECK_EQ(parse("console=ttyS1,screen"), 0);
    CHECK(!cfg.console_none);
    CHECK_EQ(cfg.serial_port, 0x2f8);
    CHECK_EQ(cfg.baud, 115200);
    CHECK_EQ(cfg.console_screen, CONSOLE_SCREEN_ON);
    CHECK_EQ(parse("console=ttyS0,9600,screen"), 0);
    CHECK_EQ(cfg.baud, 9600);
    CHECK_EQ(cfg.console_screen, CONSOLE_SCREEN_ON);
    CHECK_EQ(parse("console=screen,0x2e8,57600"), 0);
    CHECK_EQ(cfg.serial_port, 0x2e8);
    CHECK_EQ(cfg.baud, 57600);
    CHECK_EQ(cfg.console_screen, CONSOLE_SCREEN_ON);
    /* An explicit serial-only list leaves the screen alone; none turns both off. */
    CHECK_EQ(parse("console=ttyS0"), 0);
    CHECK_EQ(cfg.console_screen, CONSOLE_SCREEN_OFF);
    CHECK_EQ(parse("console=screen console=none"), 0);
    CHECK(cfg.console_none);
    CHECK_EQ(cfg.console_screen, CONSOLE_SCREEN_OFF);
    CHECK_BAD("console=screen,screen");
    CHECK_BAD("console=ttyS0,ttyS1");
    CHECK_BAD("console=ttyS0,9600,9600");
    CHECK_BAD("console=screen,");
    CHECK_BAD("console=,screen");
    CHECK_BAD("console=none,screen");
    CHECK_BAD("console=screens");
    CHECK_BAD("console=ttyS0,screen,7");
}

TEST(console_bad)
{
    CHECK_BAD("console=ttyS4");
    CHECK_BAD("console=ttyS");
    CHECK_BAD("console=ttyS01");
    CHECK_BAD("console=ttys0");
    CHECK_BAD("console=0x");
    CHECK_BAD("console=0x2f8,0");
    CHECK_BAD("console=0x2f8,7");      /* 115200 % 7 != 0 */
    CHECK_BAD("console=0x2f8,110");    /* not an exact divisor either */
    CHECK_BAD("console=0x2f8,230400"); /* above 115200 */
    CHECK_BAD("console=0x2f8,");
    CHECK_BAD("console=ttyS0,abc");
    CHECK_BAD("console=ttyS0,");
    CHECK_BAD("console=,9600");
    CHECK_BAD("console=0");
    CHECK_BAD("console=0x10000");
    CHECK_BAD("console=0xfff9");
    CHECK_BAD("console=");
    CHECK_BAD("console=None");
    CHECK_BAD("console=ttyS0=x");
}

TEST(loglevel)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };
    char line[32];
    for (int i = 0; i < 4; i++) {
        snprintf(line, sizeof line, "loglevel=%s", names[i]);
        CHECK_EQ(parse(line), 0);
        CHECK_EQ(cfg.loglevel, i);
        snprintf(line, sizeof line, "loglevel=%d", i);
        CHECK_EQ(parse(line), 0);
        CHECK_EQ(cfg.loglevel, i);
    }
    CHECK_BAD("loglevel=4");
    CHECK_BAD("loglevel=10");
    CHECK_BAD("loglevel=00");
    CHECK_BAD("loglevel=Info");
    CHECK_BAD("loglevel=debugx");
    CHECK_BAD("loglevel=deb");
    CHECK_BAD("loglevel=");
    CHECK_STR(log_level_name(LOG_ERROR), "error");
    CHECK_STR(log_level_name(LOG_DEBUG), "debug");
    CHECK_STR(log_level_name((enum log_level)4), "?");
}

TEST(onexit_and_selftest)
{
    CHECK_EQ(parse("onexit=reboot"), 0);
    CHECK_EQ(cfg.onexit, ONEXIT_REBOOT);
    CHECK_EQ(parse("onexit=reboot onexit=halt"), 0);
    CHECK_EQ(cfg.onexit, ONEXIT_HALT);
    CHECK_EQ(parse("onexit=poweroff"), 0);
    CHECK_EQ(cfg.onexit, ONEXIT_POWEROFF);
    CHECK_BAD("onexit=shutdown");
    CHECK_EQ(cfg.smp, SMP_ON);
    CHECK_EQ(parse("smp=park"), 0);
    CHECK_EQ(cfg.smp, SMP_PARK);
    CHECK_EQ(parse("smp=park smp=off"), 0);
    CHECK_EQ(cfg.smp, SMP_OFF);
    CHECK_EQ(parse("smp=off smp=on"), 0);
    CHECK_EQ(cfg.smp, SMP_ON);
    CHECK_BAD("smp=yes");
    CHECK_EQ(cfg.max_cpus, ACPI_MAX_CPUS);
    static const struct { const char *line; uint32_t want; } max_cpus[] = {
        { "max_cpus=1", 1 }, { "max_cpus=512", 512 }, { "max_cpus=0x10", 16 }, { "max_cpus=2 max_cpus=3", 3 },
    };
    for (size_t i = 0; i < sizeof(max_cpus) / sizeof(max_cpus[0]); i++) {
        CHECK_EQ(parse(max_cpus[i].line), 0);
        CHECK_EQ(cfg.max_cpus, max_cpus[i].want);
    }
    CHECK_BAD("max_cpus=0");
    CHECK_BAD("max_cpus=513");
    CHECK_BAD("max_cpus=");
    CHECK_BAD("max_cpus=two");
    CHECK_BAD("onexit=");

    CHECK_EQ(parse("selftest=fault"), 0);
    CHECK_EQ(cfg.selftest, SELFTEST_FAULT);
    CHECK_EQ(parse("selftest=vmx"), 0);
    CHECK_EQ(cfg.selftest, SELFTEST_VMX);
    CHECK_BAD("selftest=none");
    CHECK_BAD("selftest=vmxx");
    CHECK_BAD("selftest=");
    CHECK_EQ(parse("selftest=iommu"), 0);
    CHECK_EQ(cfg.selftest, SELFTEST_IOMMU);
    CHECK_EQ(parse("selftest=tripwire"), 0);
    CHECK_EQ(cfg.selftest, SELFTEST_TRIPWIRE);
    CHECK_BAD("selftest=tripwires");
}

TEST(tripwire)
{
    CHECK_EQ(parse(""), 0);
    CHECK_EQ(cfg.tripwire, TRIPWIRE_END);
    CHECK_EQ(parse("tripwire=always"), 0);
    CHECK_EQ(cfg.tripwire, TRIPWIRE_ALWAYS);
    CHECK_EQ(parse("tripwire=always tripwire=end"), 0);
    CHECK_EQ(cfg.tripwire, TRIPWIRE_END);
    CHECK_BAD("tripwire=");
    CHECK_BAD("tripwire=off");
    CHECK_BAD("tripwire=Always");
    CHECK_BAD("tripwire=always,end");
    CHECK_REJECT("tripwire", "option 'tripwire' needs a value (name=value)");
}

TEST(iommu_policy)
{
    static const struct { const char *line; enum iommu_policy want; } good[] = {
        { "", IOMMU_ON }, { "iommu=required", IOMMU_REQUIRED }, { "iommu=off", IOMMU_OFF },
        { "iommu=off iommu=on", IOMMU_ON },
    };
    for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++) {
        CHECK_EQ(parse(good[i].line), 0);
        CHECK_EQ(cfg.iommu, good[i].want);
    }
    CHECK_BAD("iommu=");
    CHECK_BAD("iommu=yes");
    CHECK_BAD("iommu=On");
    CHECK_BAD("iommu=required,off");
}

TEST(guest_mem)
{
    CHECK_EQ(parse("guest_mem=64M"), 0);
    CHECK_EQ(cfg.guest_mem, 64ULL << 20);
    CHECK_EQ(parse("guest_mem=1G"), 0);
    CHECK_EQ(cfg.guest_mem, 1ULL << 30);
    CHECK_EQ(parse("guest_mem=4096K"), 0);
    CHECK_EQ(cfg.guest_mem, 4ULL << 20);
    CHECK_EQ(parse("guest_mem=2m"), 0); /* the minimum, lower-case suffix */
    CHECK_EQ(cfg.guest_mem, 2ULL << 20);
    CHECK_EQ(parse("guest_mem=2097152"), 0); /* plain bytes */
    CHECK_EQ(cfg.guest_mem, 2097152);
    CHECK_EQ(parse("guest_mem=0x10000000"), 0);
    CHECK_EQ(cfg.guest_mem, 256ULL << 20);
    CHECK_EQ(parse("guest_mem=16g"), 0);
    CHECK_EQ(cfg.guest_mem, 16ULL << 30);

    CHECK_BAD("guest_mem=2047K"); /* below 2 MiB */
    CHECK_BAD("guest_mem=1M");
    CHECK_BAD("guest_mem=2097151");
    CHECK_BAD("guest_mem=0");
    CHECK_BAD("guest_mem=17179869184G"); /* 2^34 GiB = 2^64 bytes */
    CHECK_BAD("guest_mem=18446744073709551616");
    CHECK_BAD("guest_mem=64MB");
    CHECK_BAD("guest_mem=1T");
    CHECK_BAD("guest_mem=M");
    CHECK_BAD("guest_mem=");
    CHECK_BAD("guest_mem=-1G");
}

TEST(hlt)
{
    CHECK_EQ(parse(""), 0);
    CHECK_EQ(cfg.hlt_exit, false);
    CHECK_EQ(parse("hlt=exit"), 0);
    CHECK_EQ(cfg.hlt_exit, true);
    CHECK_EQ(parse("hlt=pass"), 0);
    CHECK_EQ(cfg.hlt_exit, false);
    CHECK_BAD("hlt=");
    CHECK_BAD("hlt=on");
}

TEST(tsc_ref)
{
    CHECK_EQ(parse(""), 0);
    CHECK_EQ(cfg.tsc_ref_pit, false);
    CHECK_EQ(parse("tsc_ref=pit"), 0);
    CHECK_EQ(cfg.tsc_ref_pit, true);
    CHECK_EQ(parse("tsc_ref=auto"), 0);
    CHECK_EQ(cfg.tsc_ref_pit, false);
    CHECK_BAD("tsc_ref=");
    CHECK_BAD("tsc_ref=hpet");
}

TEST(hypervisor_bit)
{
    CHECK_EQ(parse(""), 0);
    CHECK_EQ(cfg.hypervisor_bit_hidden, false);
    CHECK_EQ(parse("hypervisor_bit=hide"), 0);
    CHECK_EQ(cfg.hypervisor_bit_hidden, true);
    CHECK_EQ(parse("hypervisor_bit=show"), 0);
    CHECK_EQ(cfg.hypervisor_bit_hidden, false);
    CHECK_BAD("hypervisor_bit=");
    CHECK_BAD("hypervisor_bit=off");
}

TEST(watchdog)
{
    CHECK_EQ(parse("watchdog=5000"), 0);
    CHECK_EQ(cfg.watchdog_ms, 5000);
    CHECK_EQ(parse("watchdog=1"), 0);
    CHECK_EQ(cfg.watchdog_ms, 1);
    CHECK_EQ(parse("watchdog=3600000"), 0);
    CHECK_EQ(cfg.watchdog_ms, 3600000);
    CHECK_EQ(parse("watchdog=0x10"), 0);
    CHECK_EQ(cfg.watchdog_ms, 16);
    CHECK_BAD("watchdog=0");
    CHECK_BAD("watchdog=3600001");
    CHECK_BAD("watchdog=4294967296"); /* would wrap to 0 as a uint32_t */
    CHECK_BAD("watchdog=5s");
    CHECK_BAD("watchdog=");
}

/* vmx_profile=: restriction names (checked against the table at VMXON, vmx/core/vmx_profile.c). */
TEST(vmx_profile)
{
    CHECK_EQ(parse(""), 0);
    CHECK_STR(cfg.vmx_profile, "");
    CHECK_EQ(parse("vmx_profile=kvm-old,no-1g-ept"), 0);
    CHECK_STR(cfg.vmx_profile, "kvm-old,no-1g-ept");
    CHECK_EQ(parse("vmx_profile=no-vpid"), 0);
    CHECK_STR(cfg.vmx_profile, "no-vpid");
    CHECK_BAD("vmx_profile=");
    CHECK_BAD("vmx_profile=No-VPID");
    CHECK_BAD("vmx_profile=no_vpid");
}

TEST(guest_test)
{
    CHECK_EQ(parse("guest_test=io_loop"), 0);
    CHECK_STR(cfg.guest_test, "io_loop");
    CHECK_EQ(parse("guest_test=a guest_test=bc"), 0);
    CHECK_STR(cfg.guest_test, "bc");

    char line[128] = "guest_test=";
    memset(line + 11, 'x', 63); /* the longest that fits with its NUL */
    line[11 + 63] = '\0';
    CHECK_EQ(parse(line), 0);
    CHECK_EQ(strlen(cfg.guest_test), 63);
    line[11 + 63] = 'x';
    line[11 + 64] = '\0';
    CHECK_EQ(parse(line), -1);
    CHECK(strncmp(err, "bad value in 'guest_test=xxx", 28) == 0);
    CHECK_BAD("guest_test=");
}

TEST(guest_chain)
{
    CHECK_EQ(parse(""), 0);
    CHECK(!cfg.guest_chain);
    CHECK_EQ(cfg.chain_drive, -1);
    CHECK_EQ(parse("guest=chain chain_drive=0x81"), 0);
    CHECK(cfg.guest_chain);
    CHECK_EQ(cfg.chain_drive, 0x81);
    CHECK_EQ(parse("chain_drive=0"), 0);
    CHECK_EQ(cfg.chain_drive, 0);
    CHECK_BAD("guest=linux");           /* the module kinds stay on module lines */
    CHECK_BAD("guest=");
    CHECK_BAD("chain_drive=0x100");
    CHECK_BAD("chain_drive=x");
}

/* vmx=off: the other CPUs and VT-d are left alone; options that need VMX are refused by name. */
TEST(vmx_off)
{
    CHECK_EQ(parse(""), 0);
    CHECK(!cfg.vmx_off);
    CHECK_EQ(parse("vmx=on"), 0);
    CHECK(!cfg.vmx_off);
    CHECK_EQ(cfg.smp, SMP_ON);
    CHECK_EQ(parse("vmx=off guest_mem=64M loglevel=debug"), 0);
    CHECK(cfg.vmx_off);
    CHECK_EQ(cfg.smp, SMP_OFF);
    CHECK_EQ(cfg.iommu, IOMMU_OFF);
    CHECK_EQ(parse("smp=on vmx=off iommu=on"), 0);  /* taken back: nothing is Skiff's after the jump */
    CHECK_EQ(cfg.smp, SMP_OFF);
    CHECK_EQ(cfg.iommu, IOMMU_OFF);
    CHECK_BAD("vmx=");
    CHECK_BAD("vmx=no");
    CHECK_REJECT("vmx=off gdb=ttyS1", "vmx=off cannot go with gdb=: the gdb stub works through VM exits");
    CHECK_REJECT("watchdog=100 vmx=off", "vmx=off cannot go with watchdog=: it is the VMX-preemption timer");
    CHECK_REJECT("vmx=off guest=chain", "vmx=off cannot go with guest=chain: the BIOS chain boot relies on a VM exit hook");
    CHECK_REJECT("vmx=off smp=park", "vmx=off cannot go with smp=park: the APs would wait in VMX root operation");
    CHECK_REJECT("vmx=off selftest=vmx",
                 "vmx=off cannot go with selftest=: the self-tests check VMX or Skiff's run, or need the other CPUs");
    CHECK_EQ(parse("gdb=ttyS1 trace=16 vmx=on"), 0);
}

TEST(gdb_port)
{
    CHECK_EQ(parse(""), 0);
    CHECK_EQ(cfg.gdb_port, 0);
    CHECK_EQ(parse("gdb=ttyS1"), 0);
    CHECK_EQ(cfg.gdb_port, 0x2f8);
    CHECK_EQ(parse("gdb=0x3e8"), 0);
    CHECK_EQ(cfg.gdb_port, 0x3e8);
    CHECK_EQ(parse("console=ttyS1 gdb=ttyS0"), 0);
    CHECK_EQ(cfg.gdb_port, 0x3f8);
    CHECK_EQ(parse("console=none gdb=ttyS0"), 0);
    CHECK_BAD("gdb=ttyS4");
    CHECK_BAD("gdb=ttyS1,9600");
    CHECK_BAD("gdb=0");
    CHECK_BAD("gdb=");
    CHECK_REJECT("gdb=ttyS0", "gdb= and console= name the same UART (0x3f8)");
    CHECK_REJECT("gdb=ttyS1 console=0x2f8", "gdb= and console= name the same UART (0x2f8)");
}

TEST(kernel_path_word)
{
    CHECK_EQ(parse("/boot/skiff.elf loglevel=debug console=ttyS1"), 0);
    CHECK_EQ(cfg.loglevel, LOG_DEBUG);
    CHECK_EQ(cfg.serial_port, 0x2f8);
    CHECK_EQ(parse("  /skiff loglevel=warn"), 0);
    CHECK_EQ(cfg.loglevel, LOG_WARN);
    /* only the first word may be the path */
    CHECK_REJECT("loglevel=warn /boot/skiff.elf", "option '/boot/skiff.elf' needs a value (name=value)");
    CHECK_REJECT("skiff.elf loglevel=warn", "option 'skiff.elf' needs a value (name=value)");
}

TEST(unknown_and_valueless)
{
    CHECK_REJECT("frobnicate=1", "unknown option 'frobnicate=1'");
    CHECK_REJECT("loglevel=debug   frobnicate=1 console=none", "unknown option 'frobnicate=1'");
    /* parsing stops at the bad word: what came before it applied, what follows not */
    CHECK_EQ(cfg.loglevel, LOG_DEBUG);
    CHECK(!cfg.console_none);
    CHECK_REJECT("quiet", "option 'quiet' needs a value (name=value)");
    CHECK_REJECT("console", "option 'console' needs a value (name=value)");
    CHECK_REJECT("=5", "unknown option '=5'");
    CHECK_REJECT("consolex=ttyS0", "unknown option 'consolex=ttyS0'");
    CHECK_REJECT("consol=ttyS0", "unknown option 'consol=ttyS0'");
    CHECK_REJECT("Console=ttyS0", "unknown option 'Console=ttyS0'");
    CHECK_REJECT("console=ttyS0\tloglevel=loud\tx=1", "bad value in 'loglevel=loud'");
}

TEST(whitespace)
{
    CHECK_EQ(parse("\tloglevel=warn \t  console=ttyS1\t"), 0);
    CHECK_EQ(cfg.loglevel, LOG_WARN);
    CHECK_EQ(cfg.serial_port, 0x2f8);
    CHECK_EQ(parse("  /boot/skiff.elf\t\tonexit=reboot    watchdog=10  "), 0);
    CHECK_EQ(cfg.onexit, ONEXIT_REBOOT);
    CHECK_EQ(cfg.watchdog_ms, 10);
}

TEST(err_buffer)
{
    char small[8];
    memset(small, 'Z', sizeof small);
    cmdline_defaults(&cfg);
    CHECK_EQ(cmdline_parse("frobnicate=1", &cfg, small, sizeof small), -1);
    CHECK_STR(small, "unknown"); /* truncated, still terminated */

    cmdline_defaults(&cfg);
    CHECK_EQ(cmdline_parse("frobnicate=1", &cfg, NULL, 0), -1);

    /* an exactly-sized heap copy of the line: no read past its NUL */
    const char *src = "console=ttyS1 bogus";
    char *line = malloc(strlen(src) + 1);
    REQUIRE(line);
    strcpy(line, src);
    cmdline_defaults(&cfg);
    CHECK_EQ(cmdline_parse(line, &cfg, err, sizeof err), -1);
    CHECK_STR(err, "option 'bogus' needs a value (name=value)");
    free(line);
}

TEST(parse_u64)
{
    uint64_t v;
#define U64_OK(s, want)                                  \
    do {                                                 \
        v = 0xdead;                                      \
        CHECK(cmdline_parse_u64(s, strlen(s), &v));      \
        CHECK_EQ(v, want);                               \
    } while (0)
#define U64_BAD(s)                                       \
    do {                                                 \
        v = 0xdead;                                      \
        CHECK(!cmdline_parse_u64(s, strlen(s), &v));     \
        CHECK_EQ(v, 0xdead); /* untouched on failure */  \
    } while (0)
    U64_OK("0", 0);
    U64_OK("007", 7);
    U64_OK("1234567890", 1234567890);
    U64_OK("18446744073709551615", UINT64_MAX);
    U64_OK("0xffffffffffffffff", UINT64_MAX);
    U64_OK("0x0000000000000000000001", 1); /* leading zeros never overflow */
    U64_OK("0XAbC", 0xabc);
    U64_OK("0x0", 0);
    U64_BAD("18446744073709551616");
    U64_BAD("99999999999999999999");
    U64_BAD("0x10000000000000000");
    U64_BAD("0x");
    U64_BAD("");
    U64_BAD("12a");
    U64_BAD("abc");
    U64_BAD("0xg");
    U64_BAD("-1");
    U64_BAD("+1");
    U64_BAD(" 1");
    U64_BAD("1 ");
    /* length, not the NUL, ends the number */
    CHECK(cmdline_parse_u64("123456", 3, &v));
    CHECK_EQ(v, 123);
    CHECK(cmdline_parse_u64("0x1fz", 4, &v));
    CHECK_EQ(v, 0x1f);
    CHECK(!cmdline_parse_u64("0x1f", 2, &v));
    CHECK(!cmdline_parse_u64("5", 0, &v));
}

TEST(parse_size)
{
    uint64_t v;
#define SIZE_OK(s, want)                                 \
    do {                                                 \
        v = 0xdead;                                      \
        CHECK(cmdline_parse_size(s, strlen(s), &v));     \
        CHECK_EQ(v, want);                               \
    } while (0)
#define SIZE_BAD(s)                                      \
    do {                                                 \
        v = 0xdead;                                      \
        CHECK(!cmdline_parse_size(s, strlen(s), &v));    \
        CHECK_EQ(v, 0xdead);                             \
    } while (0)
    SIZE_OK("4096", 4096);
    SIZE_OK("4K", 4096);
    SIZE_OK("1k", 1024);
    SIZE_OK("3M", 3ULL << 20);
    SIZE_OK("2G", 2ULL << 30);
    SIZE_OK("0x10M", 16ULL << 20);
    SIZE_OK("0K", 0);
    SIZE_OK("17179869183G", 0xffffffffc0000000ULL); /* largest that fits */
    SIZE_OK("18014398509481983K", 0xfffffffffffffc00ULL);
    SIZE_BAD("17179869184G");
    SIZE_BAD("18014398509481984K");
    SIZE_BAD("K");
    SIZE_BAD("");
    SIZE_BAD("1T");
    SIZE_BAD("1KB");
    SIZE_BAD("1 K");
    SIZE_BAD("0xK"); /* "0x" is not a number */
    CHECK(cmdline_parse_size("8M trailing", 2, &v));
    CHECK_EQ(v, 8ULL << 20);
}

UNIT_MAIN(T(defaults), T(empty_lines), T(console_ttys), T(console_port), T(console_none),
          T(console_screen), T(console_bad), T(loglevel), T(onexit_and_selftest), T(tripwire), T(iommu_policy), T(guest_mem), T(hlt), T(tsc_ref), T(hypervisor_bit), T(watchdog),
          T(vmx_profile), T(guest_test), T(guest_chain), T(vmx_off), T(gdb_port), T(kernel_path_word), T(unknown_and_valueless), T(whitespace),
          T(err_buffer), T(parse_u64), T(parse_size))
