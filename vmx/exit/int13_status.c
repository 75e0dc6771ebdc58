/*
 * guest=chain: the BIOS disk status codes by name (vmx/exit/int13_status.h).
 *
 * The codes are the IBM PC/AT BIOS's, as public references list them (the
 * IBM PC/AT Technical Reference's diskette and fixed-disk status bytes; Ralf
 * Brown's Interrupt List, INT 13h AH=01h, table "disk status", with the IBM/MS
 * INT 13h extensions' 31h and B0h-B6h).  A BIOS answers one of them in AH with
 * CF set; the Bochs BIOS, for instance, 01h for a drive it does not have
 * (tests/boot/chain_cases.sh: chain_no_drive) and 80h when a diskette drive
 * without a diskette never answers a read (chain_read_error).  One row per code, with the condition it reports.
 */
#include "vmx/exit/int13_status.h"

#include <stddef.h>

static const struct int13_status {
    uint8_t code;
    const char *name;
} int13_statuses[] = {
    { 0x00, "success" },
    { 0x01, "invalid function or parameter" },
    { 0x02, "address mark not found" },
    { 0x03, "disk write-protected" },
    { 0x04, "sector not found" },
    { 0x05, "reset failed" },
    { 0x06, "diskette changed" },
    { 0x07, "drive parameter activity failed" },
    { 0x08, "DMA overrun" },
    { 0x09, "DMA across a 64 KiB boundary" },
    { 0x0a, "bad sector" },
    { 0x0b, "bad track" },
    { 0x0c, "unsupported track or media type not found" },
    { 0x0d, "invalid number of sectors on format" },
    { 0x0e, "control data address mark detected" },
    { 0x0f, "DMA arbitration level out of range" },
    { 0x10, "uncorrectable CRC/ECC error on read" },
    { 0x11, "data ECC corrected" },
    { 0x20, "controller failure" },
    { 0x31, "no medium in drive" },
    { 0x32, "incorrect drive type in CMOS" },
    { 0x40, "seek failed" },
    { 0x80, "timeout (drive not ready)" },
    { 0xaa, "drive not ready" },
    { 0xb0, "volume not locked in drive" },
    { 0xb1, "volume locked in drive" },
    { 0xb2, "volume not removable" },
    { 0xb3, "volume in use" },
    { 0xb4, "lock count exceeded" },
    { 0xb5, "valid eject request failed" },
    { 0xb6, "volume present but read-protected" },
    { 0xbb, "undefined error" },
    { 0xcc, "write fault" },
    { 0xe0, "status register error" },
    { 0xff, "sense operation failed" },
};

const char *int13_status_name(uint8_t status)
{
    for (size_t i = 0; i < sizeof(int13_statuses) / sizeof(int13_statuses[0]); i++)
        if (int13_statuses[i].code == status)
            return int13_statuses[i].name;
    return "unknown status";
}
