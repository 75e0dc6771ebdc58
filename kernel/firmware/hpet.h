/*
 * The HPET (IA-PC HPET Specification 1.0a): its ACPI table "HPET" (section
 * 3.2.4, table 3) and the one rule Skiff keeps on its registers.  A timer's
 * FSB interrupt message (Tn_FSB_INT_ROUTE, offset 0x110 + 0x20 * N: low dword
 * the value, high dword the address) is a memory write the HPET makes on its
 * own, to whatever address it holds; without an IOMMU nothing stands between it
 * and Skiff's pages.  So the address must be an interrupt address
 * (0xFEEx_xxxx, SDM Vol. 3A 11.11.1), where the write is an MSI and reaches no
 * memory, before the route is written or FSB delivery enabled.  Pure code: the
 * register reads go through a callback, so it runs unchanged in host unit tests.
 */
#ifndef SKIFF_KERNEL_HPET_H
#define SKIFF_KERNEL_HPET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HPET_TABLE_LEN     56u      /* header 36, block id 4, base GAS 12, number 1, min tick 2, protection 1 */
#define HPET_MAX_TIMERS    32       /* NUM_TIM_CAP is 5 bits */
#define HPET_TN_CFG(n)     (0x100u + 0x20u * (n))
#define HPET_TN_ROUTE(n)   (0x110u + 0x20u * (n))
#define HPET_TN_FSB_EN     (1u << 14)   /* Tn_FSB_EN_CNF */
#define HPET_TN_FSB_CAP    (1u << 15)   /* Tn_FSB_INT_DEL_CAP, read-only */

enum hpet_table_error {
    HPET_TABLE_OK = 0,
    HPET_TABLE_SHORT,        /* fewer readable bytes, or a header length, below 56 */
    HPET_TABLE_SIGNATURE,    /* not "HPET" */
    HPET_TABLE_LENGTH,       /* the header's length is past what is readable */
    HPET_TABLE_CHECKSUM,
    HPET_TABLE_SPACE,        /* the base is not in system memory space (I/O, PCI, ...) */
    HPET_TABLE_BASE,         /* a base of 0, not 1 KiB aligned, or whose page passes 2^52 */
};

struct acpi_hpet {
    uint64_t base;           /* the register block (1 KiB, in a 4 KiB page) */
    uint32_t block_id;       /* Event Timer Block ID: a copy of the capabilities' low dword */
    uint8_t number;          /* HPET sequence number */
    uint16_t min_tick;
    uint8_t protection;      /* page protection and OEM attributes */
};

/* Parse the table at t, of which len bytes are readable. */
enum hpet_table_error hpet_table_parse(const void *t, size_t len, struct acpi_hpet *out);
const char *hpet_table_strerror(enum hpet_table_error e);

/* An MSI address: 0xFEE0_0000-0xFEEF_FFFF. */
static inline bool hpet_interrupt_address(uint32_t a) { return (a & 0xfff00000u) == 0xfee00000u; }

enum hpet_verdict {
    HPET_WRITE_OK = 0,
    HPET_WRITE_ROUTE,        /* the write puts a non-interrupt address in Tn_FSB_INT_ROUTE */
    HPET_WRITE_ENABLE,       /* the write sets Tn_FSB_EN_CNF while the route's address is not one */
};

/* Reads the register dword at offset off (a multiple of 4) of the block. */
typedef uint32_t (*hpet_read32_fn)(void *ctx, uint32_t off);

/*
 * Judge a store of size bytes (1, 2, 4 or 8) of value at offset off of the
 * register page: the dwords it touches are merged with their current contents
 * (read through rd) and every timer's route address and FSB enable bit are
 * judged as they would be after it.  *timer and *addr name the timer and the
 * address when the verdict is not HPET_WRITE_OK.
 */
enum hpet_verdict hpet_judge_write(uint32_t off, unsigned size, uint64_t value, hpet_read32_fn rd, void *ctx,
                                   unsigned *timer, uint32_t *addr);

#endif
