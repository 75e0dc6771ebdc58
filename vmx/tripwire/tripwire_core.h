/*
 * The pure part of the tripwires (vmx/tripwire/tripwire.c): the table walk, the hash, and the
 * comparisons that name what changed.  No MSRs, ports or VMCS: unit-tested in
 * tests/unit/vmx/tripwire/test_tripwire_core.c.
 */
#ifndef SKIFF_VMX_TRIPWIRE_CORE_H
#define SKIFF_VMX_TRIPWIRE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/policy/io_exits.h"

/* One protected item: snap records it before the guest starts (false: not present on this
 * machine, the row is skipped); check compares, and on a change writes what changed into detail. */
struct tripwire_row {
    const char *name;
    bool (*snap)(void);
    bool (*check)(char *detail, size_t len);
    bool heavy;                /* costly (a hash of many pages): every TRIPWIRE_HEAVY_PERIOD-th exit */
};

#define TRIPWIRE_HEAVY_PERIOD 16

struct tripwire_table {
    const struct tripwire_row *rows;
    unsigned n;
    bool armed[32];            /* per row: snap succeeded */
};

/* Arm every row (snap); returns how many are armed. */
unsigned tripwire_arm_table(struct tripwire_table *t);
/* Check the armed rows (heavy ones only when with_heavy): the first changed row, or -1.  Its
 * detail in detail.  *checked counts the rows looked at. */
int tripwire_check_table(const struct tripwire_table *t, bool with_heavy, char *detail, size_t len,
                         unsigned *checked);

/* FNV-1a 64 over len bytes, eight at a time (the tail bytewise): len need not be a multiple of 8. */
uint64_t tripwire_fnv1a64(const void *p, size_t len);

/* The first bit (byte * 8 + bit) where a and b differ in len bytes, or -1. */
long tripwire_bitmap_diff(const uint8_t *a, const uint8_t *b, size_t len);

/* Bit index of the 4-KiB MSR bitmap -> the MSR and the access it controls (SDM Vol. 3C 25.6.9:
 * read-low, read-high, write-low, write-high, 1 KiB each). */
void tripwire_msr_bit(long bit, uint32_t *msr, bool *write);

/* The first port whose I/O bitmap bit disagrees with what io_exits wants, or -1.  The UART's
 * conditional rows (DLL, DLM, MSR) change with the guest's DLAB and loopback: a set bit there is
 * never a fault (it only makes more exits); a clear one where an exit is wanted is. */
long tripwire_io_mismatch(const struct io_exits *x);

#endif
