/*
 * ACPI table parser (ACPI 6.4, chapter 5): RSDP, RSDT/XSDT, FADT, the DSDT's
 * \_S5_ package and the MADT.  Pure code: tables are reached through a
 * phys-to-pointer callback that also bounds what may be read, every length and
 * checksum is checked before use, and nothing is read out of bounds, so it runs
 * unchanged in host unit tests.
 */
#ifndef SKIFF_KERNEL_ACPI_H
#define SKIFF_KERNEL_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enabled local APICs kept from the MADT: two-socket servers have a few hundred
 * (x2APIC ids are 32-bit, ACPI 6.4, 5.2.12.12).  CPUs beyond it are only counted. */
#define ACPI_MAX_CPUS     512
#define ACPI_SUMMARY_IDS  16      /* APIC ids the summary line names */
#define ACPI_MAX_TABLES   64      /* RSDT/XSDT entries looked at */
#define ACPI_MAX_TABLE_LEN (4u << 20)

/* Generic Address Structure address spaces (ACPI 6.4, 5.2.3.2). */
enum acpi_space { ACPI_SPACE_MEM = 0, ACPI_SPACE_IO = 1, ACPI_SPACE_PCI = 2 };

/*
 * Map [pa, pa + len) and return a pointer to it, or NULL when that range
 * cannot be read.  The parser never reads beyond len bytes of a mapping.
 */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t pa, uint64_t len);

enum acpi_error {
    ACPI_OK = 0,
    ACPI_ERR_NO_RSDP,        /* no RSDP at all */
    ACPI_ERR_RSDP_SHORT,     /* RSDP copy shorter than its revision needs */
    ACPI_ERR_RSDP_SIG,       /* not "RSD PTR " */
    ACPI_ERR_RSDP_CSUM,      /* checksum of the first 20 bytes */
    ACPI_ERR_RSDP_XCSUM,     /* extended checksum (revision >= 2) */
    ACPI_ERR_ROOT_MAP,       /* RSDT/XSDT cannot be mapped */
    ACPI_ERR_ROOT_SIG,       /* RSDT/XSDT signature */
    ACPI_ERR_ROOT_LEN,       /* RSDT/XSDT length */
    ACPI_ERR_ROOT_CSUM,      /* RSDT/XSDT checksum */
};

/* Per-table status, kept so the summary can say what was wrong. */
enum acpi_table_status {
    ACPI_TABLE_ABSENT = 0,
    ACPI_TABLE_OK,
    ACPI_TABLE_UNMAPPED,     /* the address cannot be read */
    ACPI_TABLE_BAD_LEN,      /* shorter than its header/minimum, or absurdly long */
    ACPI_TABLE_BAD_CSUM,
    ACPI_TABLE_BAD_CONTENT,  /* an entry or field that does not fit */
};

#define ACPI_MAX_ECAM 4

/* One MCFG entry: the ECAM window of buses [start_bus, end_bus] of a segment. */
struct acpi_ecam {
    uint64_t base;               /* the address of bus 0's space (start_bus's is base + start_bus << 20) */
    uint16_t segment;
    uint8_t start_bus, end_bus;
};

struct acpi_info {
    uint8_t rsdp_revision;       /* RSDP revision field: 0 (ACPI 1.0) or 2+ */
    bool xsdt;                   /* tables came from the XSDT */
    uint64_t root_addr;
    unsigned ntables;

    enum acpi_table_status fadt_status;
    uint8_t fadt_revision;
    uint32_t fadt_len;
    bool has_reset;              /* FADT RESET_REG present and RESET_REG_SUP set */
    uint8_t reset_space;         /* enum acpi_space */
    uint64_t reset_addr;
    uint8_t reset_value;
    uint16_t pm1a_cnt, pm1b_cnt; /* I/O ports, 0 = none */
    uint16_t pm_tmr;             /* PM_TMR_BLK / X_PM_TMR_BLK in I/O space (3.579545 MHz, 4.8.3.3), 0 = none */
    bool pm_tmr_32;              /* FADT flag TMR_VAL_EXT (bit 8): 32-bit counter, else 24-bit */
    uint64_t pm1a_cnt_mem, pm1b_cnt_mem; /* X_PM1x_CNT_BLK in system memory space, 0 = none */
    bool hw_reduced;             /* FADT flag HW_REDUCED_ACPI (bit 20) */
    uint8_t sleep_ctl_space;     /* SLEEP_CONTROL_REG (hardware-reduced ACPI): enum acpi_space */
    uint64_t sleep_ctl_addr;     /* 0 = none */
    uint16_t smi_cmd;            /* SMI command port (0 = the machine is always in ACPI mode) */
    uint8_t acpi_enable;         /* value written to smi_cmd to enter ACPI mode */
    uint64_t dsdt;

    enum acpi_table_status dsdt_status;
    bool has_s5;
    uint8_t slp_typa, slp_typb;  /* 3-bit SLP_TYP values for S5 */
    uint8_t has_sleep;           /* bit N: the DSDT names \_SN_ (N = 0..4) */
    uint8_t sleep_typa[5], sleep_typb[5];   /* their SLP_TYP values */

    unsigned necam;              /* MCFG entries kept */
    struct acpi_ecam ecam[ACPI_MAX_ECAM];

    enum acpi_table_status madt_status;
    uint32_t lapic_addr;
    unsigned ncpus;              /* enabled local APICs (xAPIC and x2APIC entries) */
    unsigned ncpus_disabled;     /* present but not enabled (online-capable or absent) */
    uint32_t apic_ids[ACPI_MAX_CPUS];   /* the first ACPI_MAX_CPUS of them, in MADT order */
    unsigned nioapics;
    uint32_t ioapic_addr;        /* the first IOAPIC */
    uint8_t ioapic_id;
    uint32_t ioapic_gsi_base;

    uint64_t dmar_addr;          /* the first "DMAR" table (kernel/firmware/acpi_dmar.h), 0 = none */
    uint64_t hpet_addr;          /* the first "HPET" table (kernel/firmware/hpet.h), 0 = none */
};

/*
 * Parse from the RSDP copy (rsdp, rsdp_len readable bytes).  The root table's
 * problems are errors; a broken FADT, DSDT or MADT is recorded in its status
 * and the rest is still parsed.
 */
enum acpi_error acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
                           struct acpi_info *out);

/*
 * The bounded AML scan: find `Name(_S5_, Package(){a, b, ...})` in an AML
 * byte stream and return SLP_TYPa/b.  Accepts ByteConst (0x0A), WordConst,
 * DWordConst, ZeroOp, OneOp as elements; values must fit in 3 bits.
 */
bool acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb);
/* The same for `Name(_Sx_, ...)`, x = state 0..5 (ACPI 6.4, 7.4.2 "\_Sx (System States)"). */
bool acpi_find_sleep_type(const uint8_t *aml, size_t len, unsigned state, uint8_t *slp_typa, uint8_t *slp_typb);
/* Every state at once, in one pass: bit N of the result set when _SN_ was found (types in typa/typb[N]). */
unsigned acpi_find_sleep_types(const uint8_t *aml, size_t len, uint8_t typa[6], uint8_t typb[6]);

/*
 * The sleep state (0-5) a write of SLP_TYP with SLP_EN to PM1a_CNT (pm1b
 * false) or PM1b_CNT asks for, from the DSDT's \_Sx_ packages; -1 when no
 * state has that SLP_TYP (ACPI 6.4, 4.8.3.2.1 and 16.1).  Only 5 is a power-off.
 */
int acpi_sleep_state(const struct acpi_info *a, bool pm1b, unsigned slp_typ);

bool acpi_checksum_ok(const void *p, size_t len);
const char *acpi_strerror(enum acpi_error e);
const char *acpi_table_status_name(enum acpi_table_status s);

/* The one summary line (without the "skiff: acpi: " prefix and newline). */
void acpi_summary(const struct acpi_info *a, char *buf, size_t len);

/* Appends to a fixed buffer, truncating safely (summary lines). */
struct acpi_sbuf { char *b; size_t len, at; };
void acpi_sb_add(struct acpi_sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* PM1 control register bits. */
#define ACPI_PM1_SCI_EN      (1u << 0)
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_EN      (1u << 13)

#endif
