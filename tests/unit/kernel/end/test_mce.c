// SOURCES: kernel/end/mce_fmt.c kernel/lib/format.c
/* The machine-check report's lines (kernel/end/mce_fmt.c). */
#include "tests/unit/unit.h"

#include "kernel/end/mce.h"

static char buf[256];

TEST(summary_names_status_bits)
{
    mce_format_summary(buf, sizeof buf, 1, "in VMX root operation (Skiff)", true,
                       MCG_STATUS_EIPV | MCG_STATUS_MCIP, 10);
    CHECK_STR(buf, "skiff: cpu1: MACHINE CHECK in VMX root operation (Skiff): IA32_MCG_STATUS=0x6 "
                      "(EIPV MCIP), 10 bank(s)");
    mce_format_summary(buf, sizeof buf, 0, "in the guest (VM exit: exception 18)", true, 0, 0);
    CHECK_STR(buf, "skiff: cpu0: MACHINE CHECK in the guest (VM exit: exception 18): IA32_MCG_STATUS=0x0 "
                      "(none), 0 bank(s)");
    mce_format_summary(buf, sizeof buf, 3, "during VM entry (exit reason 41)", false, 0, 4);
    CHECK_STR(buf, "skiff: cpu3: MACHINE CHECK during VM entry (exit reason 41): IA32_MCG_STATUS "
                      "unreadable, 4 bank(s)");
}

TEST(bank_with_address_and_misc)
{
    struct mce_bank b = { MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_ADDRV |
                              MCI_STATUS_MISCV | MCI_STATUS_PCC | 0x00a50150ull,
                          0x12345000, 0x86, true, true };
    mce_format_bank(buf, sizeof buf, 2, 7, &b);
    CHECK_STR(buf, "skiff: cpu2: MACHINE CHECK bank 7: IA32_MC7_STATUS=0xbe00000000a50150 (VAL UC EN "
                      "MISCV ADDRV PCC; MCA error code 0x0150, model-specific 0x00a5) IA32_MC7_ADDR=0x12345000 "
                      "IA32_MC7_MISC=0x86");
}

TEST(bank_without_address)
{
    struct mce_bank b = { MCI_STATUS_VAL | MCI_STATUS_OVER | 0x0005ull, 0, 0, false, false };
    mce_format_bank(buf, sizeof buf, 0, 0, &b);
    CHECK_STR(buf, "skiff: cpu0: MACHINE CHECK bank 0: IA32_MC0_STATUS=0xc000000000000005 (VAL OVER; MCA "
                      "error code 0x0005, model-specific 0x0000)");
}

TEST(short_buffer_truncates)
{
    char small[24];
    struct mce_bank b = { MCI_STATUS_VAL | MCI_STATUS_ADDRV, 0xdead, 0, true, false };
    int n = mce_format_bank(small, sizeof small, 0, 1, &b);
    CHECK(n > (int)sizeof small);
    CHECK_EQ(strlen(small), sizeof small - 1);
}

UNIT_MAIN(T(summary_names_status_bits), T(bank_with_address_and_misc), T(bank_without_address),
          T(short_buffer_truncates))
