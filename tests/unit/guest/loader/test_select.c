// SOURCES: guest/loader/select.c kernel/config/cmdline.c kernel/lib/format.c
/* Guest selection from GRUB module command lines (guest/loader/select.c). */
#include "tests/unit/unit.h"

#include <stdint.h>

#include "guest/loader/select.h"

#define MOD(s) { 0x1000000, 0x1001000, (s) }
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static struct guest_selection sel;
static char err[256];

static int sel_run(const struct mb2_module *m, size_t n)
{
    memset(&sel, 0xa5, sizeof sel);
    memset(err, 0, sizeof err);
    return guest_select(m, n, &sel, err, sizeof err);
}

/* The call must fail with exactly `msg`. */
#define CHECK_ERR(mods, msg)                                              \
    do {                                                                  \
        CHECK_EQ(sel_run((mods), NELEM(mods)), -1);                       \
        CHECK_STR(err, (msg));                                            \
    } while (0)

TEST(no_modules_builtin)
{
    REQUIRE(sel_run(NULL, 0) == 0);
    CHECK_EQ(sel.kind, GUEST_BUILTIN);
    CHECK_EQ(sel.image, -1);
    CHECK_EQ(sel.initrd, -1);
    CHECK_EQ(sel.nmods, 0);
    CHECK_STR(sel.cmdline, "");
    CHECK_STR(guest_kind_name(sel.kind), "built-in");
}

TEST(linux_with_cmdline)
{
    static const struct mb2_module m[] = { MOD("guest=linux console=ttyS0,115200 root=/dev/sda1  quiet") };
    REQUIRE(sel_run(m, 1) == 0);
    CHECK_EQ(sel.kind, GUEST_LINUX);
    CHECK_EQ(sel.image, 0);
    CHECK_EQ(sel.initrd, -1);
    CHECK_EQ(sel.nmods, 0);
    CHECK_STR(sel.cmdline, "console=ttyS0,115200 root=/dev/sda1  quiet");
    CHECK_STR(guest_kind_name(sel.kind), "linux");
}

TEST(linux_without_cmdline)
{
    static const struct mb2_module m[] = { MOD("guest=linux") };
    REQUIRE(sel_run(m, 1) == 0);
    CHECK_EQ(sel.kind, GUEST_LINUX);
    CHECK_STR(sel.cmdline, "");
}

TEST(linux_with_initrd_either_order)
{
    static const struct mb2_module a[] = { MOD("guest=linux quiet"), MOD("initrd") };
    REQUIRE(sel_run(a, 2) == 0);
    CHECK_EQ(sel.kind, GUEST_LINUX);
    CHECK_EQ(sel.image, 0);
    CHECK_EQ(sel.initrd, 1);
    CHECK_STR(sel.cmdline, "quiet");

    static const struct mb2_module b[] = { MOD("initrd"), MOD("\tguest=linux\tinit=/bin/sh") };
    REQUIRE(sel_run(b, 2) == 0);
    CHECK_EQ(sel.kind, GUEST_LINUX);
    CHECK_EQ(sel.image, 1);
    CHECK_EQ(sel.initrd, 0);
    CHECK_STR(sel.cmdline, "init=/bin/sh");
}

TEST(multiboot_with_modules_in_order)
{
    static const struct mb2_module m[] = {
        MOD("module first one"),
        MOD("guest=multiboot --verbose"),
        MOD("module second"),
        MOD("module"),
        MOD("  module   fourth  x"),
    };
    REQUIRE(sel_run(m, NELEM(m)) == 0);
    CHECK_EQ(sel.kind, GUEST_MULTIBOOT);
    CHECK_EQ(sel.image, 1);
    CHECK_STR(sel.cmdline, "--verbose");
    CHECK_EQ(sel.initrd, -1);
    REQUIRE(sel.nmods == 4);
    CHECK_EQ(sel.mods[0], 0);
    CHECK_EQ(sel.mods[1], 2);
    CHECK_EQ(sel.mods[2], 3);
    CHECK_EQ(sel.mods[3], 4);
    CHECK_STR(sel.mod_strings[0], "first one");
    CHECK_STR(sel.mod_strings[1], "second");
    CHECK_STR(sel.mod_strings[2], "");
    CHECK_STR(sel.mod_strings[3], "fourth  x");
    CHECK_STR(guest_kind_name(sel.kind), "multiboot");
}

TEST(multiboot_max_modules)
{
    struct mb2_module m[MB2_MAX_MODULES];
    m[0] = (struct mb2_module)MOD("guest=multiboot");
    for (size_t i = 1; i < MB2_MAX_MODULES; i++)
        m[i] = (struct mb2_module)MOD("module x");
    REQUIRE(sel_run(m, MB2_MAX_MODULES) == 0);
    CHECK_EQ(sel.nmods, MB2_MAX_MODULES - 1);
    CHECK_EQ(sel.mods[MB2_MAX_MODULES - 2], MB2_MAX_MODULES - 1);
}

TEST(elf)
{
    static const struct mb2_module m[] = { MOD("guest=elf") };
    REQUIRE(sel_run(m, 1) == 0);
    CHECK_EQ(sel.kind, GUEST_ELF);
    CHECK_EQ(sel.image, 0);
    CHECK_STR(sel.cmdline, "");
    CHECK_STR(guest_kind_name(sel.kind), "elf");
}

TEST(flat_fields_any_order)
{
    static const struct mb2_module a[] = { MOD("guest=flat addr=0x7c00 entry=0x7C00 mode=16") };
    REQUIRE(sel_run(a, 1) == 0);
    CHECK_EQ(sel.kind, GUEST_FLAT);
    CHECK_EQ(sel.image, 0);
    CHECK_EQ(sel.flat_addr, 0x7c00);
    CHECK_EQ(sel.flat_entry, 0x7c00);
    CHECK_EQ(sel.flat_mode, 16);
    CHECK_STR(sel.cmdline, "addr=0x7c00 entry=0x7C00 mode=16");
    CHECK_STR(guest_kind_name(sel.kind), "flat");

    static const struct mb2_module b[] = { MOD("guest=flat mode=64  entry=1048592 addr=1048576") };
    REQUIRE(sel_run(b, 1) == 0);
    CHECK_EQ(sel.flat_addr, 0x100000);
    CHECK_EQ(sel.flat_entry, 0x100010);
    CHECK_EQ(sel.flat_mode, 64);

    static const struct mb2_module c[] = { MOD("guest=flat entry=0x200000 mode=32 addr=0x1FFF000\t") };
    REQUIRE(sel_run(c, 1) == 0);
    CHECK_EQ(sel.flat_addr, 0x1fff000);
    CHECK_EQ(sel.flat_entry, 0x200000);
    CHECK_EQ(sel.flat_mode, 32);

    /* Full 64-bit values. */
    static const struct mb2_module d[] = { MOD("guest=flat addr=0xffffffffffffffff entry=18446744073709551615 mode=64") };
    REQUIRE(sel_run(d, 1) == 0);
    CHECK_EQ(sel.flat_addr, UINT64_MAX);
    CHECK_EQ(sel.flat_entry, UINT64_MAX);
}

TEST(leading_file_name_skipped)
{
    static const struct mb2_module m[] = {
        MOD("/boot/vmlinuz guest=linux ro quiet"),
        MOD("/boot/initrd.img initrd"),
    };
    REQUIRE(sel_run(m, 2) == 0);
    CHECK_EQ(sel.kind, GUEST_LINUX);
    CHECK_EQ(sel.image, 0);
    CHECK_EQ(sel.initrd, 1);
    CHECK_STR(sel.cmdline, "ro quiet");

    static const struct mb2_module f[] = { MOD("  /boot/bin.flat   guest=flat addr=0x1000 entry=0x1000 mode=32") };
    REQUIRE(sel_run(f, 1) == 0);
    CHECK_EQ(sel.kind, GUEST_FLAT);
    CHECK_EQ(sel.flat_addr, 0x1000);

    static const struct mb2_module mb[] = { MOD("/boot/k.elf guest=multiboot a=b"), MOD("/boot/m1 module m one") };
    REQUIRE(sel_run(mb, 2) == 0);
    CHECK_EQ(sel.kind, GUEST_MULTIBOOT);
    CHECK_STR(sel.cmdline, "a=b");
    REQUIRE(sel.nmods == 1);
    CHECK_STR(sel.mod_strings[0], "m one");
}

TEST(err_unknown_kind)
{
    static const struct mb2_module m[] = { MOD("guest=windows /quiet") };
    CHECK_ERR(m, "module 0: unknown guest kind 'windows' (linux, multiboot, elf, flat)");
    /* A kind that only starts like a known one. */
    static const struct mb2_module m2[] = { MOD("initrd"), MOD("guest=linuxx") };
    CHECK_ERR(m2, "module 1: unknown guest kind 'linuxx' (linux, multiboot, elf, flat)");
    static const struct mb2_module m3[] = { MOD("guest=el") };
    CHECK_ERR(m3, "module 0: unknown guest kind 'el' (linux, multiboot, elf, flat)");
    /* guest=chain is Skiff's option, not a module's kind. */
    static const struct mb2_module m4[] = { MOD("guest=chain") };
    CHECK_ERR(m4, "module 0: guest=chain goes on Skiff's own command line (the multiboot2 line), not on a module");
}

TEST(err_second_guest_image)
{
    static const struct mb2_module m[] = { MOD("guest=linux"), MOD("guest=elf") };
    CHECK_ERR(m, "module 1: a second guest image ('guest=elf'); only one guest runs");
    static const struct mb2_module m2[] = { MOD("module a"), MOD("guest=multiboot"), MOD("guest=multiboot x") };
    CHECK_ERR(m2, "module 2: a second guest image ('guest=multiboot'); only one guest runs");
}

TEST(err_second_initrd)
{
    static const struct mb2_module m[] = { MOD("guest=linux"), MOD("initrd"), MOD("initrd") };
    CHECK_ERR(m, "module 2: a second initrd");
}

TEST(err_initrd_without_linux)
{
    static const struct mb2_module m[] = { MOD("initrd") };
    CHECK_ERR(m, "an initrd module needs a guest=linux module");
    static const struct mb2_module m2[] = { MOD("guest=elf"), MOD("initrd") };
    CHECK_ERR(m2, "an initrd module needs a guest=linux module");
    static const struct mb2_module m3[] = { MOD("guest=multiboot"), MOD("initrd") };
    CHECK_ERR(m3, "an initrd module needs a guest=linux module");
}

TEST(err_module_without_multiboot)
{
    static const struct mb2_module m[] = { MOD("module x") };
    CHECK_ERR(m, "'module' modules need a guest=multiboot module");
    static const struct mb2_module m2[] = { MOD("guest=linux"), MOD("module initrd") };
    CHECK_ERR(m2, "'module' modules need a guest=multiboot module");
}

TEST(err_unknown_first_word)
{
    static const struct mb2_module m[] = { MOD("guest=linux"), MOD("ramdisk") };
    CHECK_ERR(m, "module 1: command line 'ramdisk' does not start with guest=KIND, initrd or module");
    static const struct mb2_module m2[] = { MOD("") };
    CHECK_ERR(m2, "module 0: command line '' does not start with guest=KIND, initrd or module");
    static const struct mb2_module m3[] = { { 0, 0, NULL } };
    CHECK_ERR(m3, "module 0: command line '' does not start with guest=KIND, initrd or module");
    static const struct mb2_module m4[] = { MOD("guest= linux") };
    CHECK_ERR(m4, "module 0: command line 'guest= linux' does not start with guest=KIND, initrd or module");
    static const struct mb2_module m5[] = { MOD("initrd.img") };
    CHECK_ERR(m5, "module 0: command line 'initrd.img' does not start with guest=KIND, initrd or module");
    /* Only the file name: nothing left to select by. */
    static const struct mb2_module m6[] = { MOD("/boot/vmlinuz") };
    CHECK_ERR(m6, "module 0: command line '' does not start with guest=KIND, initrd or module");
    /* At most 40 characters of the line are quoted. */
    static const struct mb2_module m7[] = { MOD("0123456789012345678901234567890123456789TAIL") };
    CHECK_ERR(m7, "module 0: command line '0123456789012345678901234567890123456789' does not start "
                  "with guest=KIND, initrd or module");
}

TEST(err_flat_missing_field)
{
    static const char *const lines[] = {
        "guest=flat",
        "guest=flat addr=0x1000 entry=0x1000",
        "guest=flat addr=0x1000 mode=32",
        "guest=flat entry=0x1000 mode=64",
    };
    for (size_t i = 0; i < NELEM(lines); i++) {
        struct mb2_module m[] = { MOD(lines[i]) };
        CHECK_ERR(m, "guest=flat needs addr=, entry= and mode=");
    }
}

TEST(err_flat_bad_mode)
{
    static const struct mb2_module m[] = { MOD("guest=flat addr=0x1000 entry=0x1000 mode=8") };
    CHECK_ERR(m, "guest=flat: bad word 'mode=8' (want addr=, entry=, mode=16|32|64)");
    static const struct mb2_module m2[] = { MOD("guest=flat mode=0x20x addr=0 entry=0") };
    CHECK_ERR(m2, "guest=flat: bad word 'mode=0x20x' (want addr=, entry=, mode=)");
    static const struct mb2_module m3[] = { MOD("guest=flat addr=0 entry=0 mode=0x10") };
    REQUIRE(sel_run(m3, 1) == 0);
    CHECK_EQ(sel.flat_mode, 16);
}

TEST(err_flat_bad_number)
{
    static const struct mb2_module m[] = { MOD("guest=flat addr=0xzz entry=0x1000 mode=32") };
    CHECK_ERR(m, "guest=flat: bad word 'addr=0xzz' (want addr=, entry=, mode=)");
    static const struct mb2_module m2[] = { MOD("guest=flat addr=0x1000 entry= mode=32") };
    CHECK_ERR(m2, "guest=flat: bad word 'entry=' (want addr=, entry=, mode=)");
    static const struct mb2_module m3[] = { MOD("guest=flat addr=0x x") };
    CHECK_ERR(m3, "guest=flat: bad word 'addr=0x' (want addr=, entry=, mode=)");
    /* One past UINT64_MAX. */
    static const struct mb2_module m4[] = { MOD("guest=flat addr=18446744073709551616 entry=0 mode=64") };
    CHECK_ERR(m4, "guest=flat: bad word 'addr=18446744073709551616' (want addr=, entry=, mode=)");
    static const struct mb2_module m5[] = { MOD("guest=flat addr=0x10000000000000000 entry=0 mode=64") };
    CHECK_ERR(m5, "guest=flat: bad word 'addr=0x10000000000000000' (want addr=, entry=, mode=)");
    static const struct mb2_module m6[] = { MOD("guest=flat addr=-1 entry=0 mode=64") };
    CHECK_ERR(m6, "guest=flat: bad word 'addr=-1' (want addr=, entry=, mode=)");
}

TEST(err_flat_junk_word)
{
    static const struct mb2_module m[] = { MOD("guest=flat addr=0x1000 entry=0x1000 mode=32 quiet") };
    CHECK_ERR(m, "guest=flat: bad word 'quiet' (want addr=, entry=, mode=)");
    static const struct mb2_module m2[] = { MOD("guest=flat size=0x1000 addr=0x1000 entry=0x1000 mode=32") };
    CHECK_ERR(m2, "guest=flat: bad word 'size=0x1000' (want addr=, entry=, mode=16|32|64)");
    static const struct mb2_module m3[] = { MOD("guest=flat addr=0x1000 =5") };
    CHECK_ERR(m3, "guest=flat: bad word '=5' (want addr=, entry=, mode=16|32|64)");
}

TEST(err_small_buffer_truncates)
{
    static const struct mb2_module m[] = { MOD("guest=windows") };
    char small[16];
    memset(small, 'x', sizeof small);
    CHECK_EQ(guest_select(m, 1, &sel, small, sizeof small), -1);
    CHECK_STR(small, "module 0: unkno");
}

TEST(kind_name_out_of_range)
{
    CHECK_STR(guest_kind_name(GUEST_CHAIN), "chain");
    CHECK_STR(guest_kind_name((enum guest_kind)6), "?");
    CHECK_STR(guest_kind_name((enum guest_kind)-1), "?");
}

UNIT_MAIN(T(no_modules_builtin), T(linux_with_cmdline), T(linux_without_cmdline),
          T(linux_with_initrd_either_order), T(multiboot_with_modules_in_order),
          T(multiboot_max_modules), T(elf), T(flat_fields_any_order), T(leading_file_name_skipped),
          T(err_unknown_kind), T(err_second_guest_image), T(err_second_initrd),
          T(err_initrd_without_linux), T(err_module_without_multiboot), T(err_unknown_first_word),
          T(err_flat_missing_field), T(err_flat_bad_mode), T(err_flat_bad_number),
          T(err_flat_junk_word), T(err_small_buffer_truncates), T(kind_name_out_of_range))
