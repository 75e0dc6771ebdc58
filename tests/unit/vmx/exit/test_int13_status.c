// SOURCES: vmx/exit/int13_status.c
/*
 * The BIOS disk status names of the chain stub's verdicts (vmx/exit/int13_status.c):
 * the codes the Bochs BIOS answers in the boot tests, the ends of the table, and a
 * code no row names.
 */
#include "tests/unit/unit.h"

#include "vmx/exit/int13_status.h"

TEST(bochs_answers_are_named)
{
    CHECK_STR(int13_status_name(0x01), "invalid function or parameter");   /* chain_no_drive */
    CHECK_STR(int13_status_name(0x80), "timeout (drive not ready)");       /* chain_read_error */
    CHECK_STR(int13_status_name(0x0c), "unsupported track or media type not found");
}

TEST(table_ends)
{
    CHECK_STR(int13_status_name(0x00), "success");
    CHECK_STR(int13_status_name(0xff), "sense operation failed");
    CHECK_STR(int13_status_name(0x04), "sector not found");
    CHECK_STR(int13_status_name(0x10), "uncorrectable CRC/ECC error on read");
}

TEST(unnamed_code)
{
    CHECK_STR(int13_status_name(0x12), "unknown status");
    CHECK_STR(int13_status_name(0x7f), "unknown status");
    CHECK_STR(int13_status_name(0xfe), "unknown status");
}

UNIT_MAIN(T(bochs_answers_are_named), T(table_ends), T(unnamed_code))
