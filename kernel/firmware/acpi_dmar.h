/*
 * The ACPI DMA Remapping Reporting table, "DMAR" (Intel VT-d spec, chapter 8
 * "BIOS Considerations"): the remapping hardware units (DRHD) with their
 * register bases and device scopes, the reserved memory regions (RMRR) the
 * firmware's devices keep using, and the flags.  Pure code like kernel/firmware/acpi.c:
 * every length is checked against the table and the table against what was
 * mapped, so it runs unchanged in host unit tests and under libFuzzer.
 */
#ifndef SKIFF_KERNEL_ACPI_DMAR_H
#define SKIFF_KERNEL_ACPI_DMAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/firmware/acpi.h"

#define DMAR_MAX_DRHD   8
#define DMAR_MAX_RMRR   16
#define DMAR_MAX_SCOPES 64          /* device scope entries, all structures together */
#define DMAR_MAX_PATH   8           /* (device, function) pairs in one scope */

/* DMAR flags (8.1) */
#define DMAR_INTR_REMAP        (1u << 0)
#define DMAR_X2APIC_OPT_OUT    (1u << 1)
#define DMAR_DMA_CTRL_PLATFORM_OPT_IN (1u << 2)
/* DRHD flags (8.3) */
#define DMAR_DRHD_INCLUDE_PCI_ALL (1u << 0)

/* Remapping structure types (8.2, Table "Remapping Structure Types") */
enum dmar_struct_type {
    DMAR_TYPE_DRHD = 0, DMAR_TYPE_RMRR = 1, DMAR_TYPE_ATSR = 2, DMAR_TYPE_RHSA = 3,
    DMAR_TYPE_ANDD = 4, DMAR_TYPE_SATC = 5, DMAR_TYPE_SIDP = 6,
};

/* Device scope entry types (8.3.1) */
enum dmar_scope_type {
    DMAR_SCOPE_ENDPOINT = 1, DMAR_SCOPE_BRIDGE = 2, DMAR_SCOPE_IOAPIC = 3,
    DMAR_SCOPE_HPET = 4, DMAR_SCOPE_NAMESPACE = 5,
};

enum dmar_error {
    DMAR_OK = 0,
    DMAR_ERR_UNMAPPED,       /* the table cannot be read */
    DMAR_ERR_SIGNATURE,      /* not "DMAR" */
    DMAR_ERR_LENGTH,         /* header length below 48, above the limit, or past what is readable */
    DMAR_ERR_CHECKSUM,
    DMAR_ERR_STRUCT_LENGTH,  /* a remapping structure shorter than its type needs or past the table */
    DMAR_ERR_SCOPE_LENGTH,   /* a device scope shorter than 6, with half a path, or past its structure */
    DMAR_ERR_REG_BASE,       /* a DRHD register base of 0 or not 4 KiB aligned */
    DMAR_ERR_RMRR_RANGE,     /* an RMRR not 4 KiB aligned, or limit below base */
    DMAR_ERR_TOO_MANY,       /* more units, regions or scopes than Skiff keeps */
    DMAR_ERR_NO_DRHD,        /* a DMAR without any remapping unit */
};

struct dmar_scope {
    uint8_t type;            /* enum dmar_scope_type */
    uint8_t enum_id;         /* IOAPIC/HPET id, ACPI device number */
    uint8_t bus;             /* start bus number */
    uint8_t npath;
    uint8_t path[DMAR_MAX_PATH][2];   /* (device, function), first one on `bus` */
};

struct dmar_drhd {
    uint8_t flags;           /* DMAR_DRHD_* */
    uint8_t size;            /* register set: 2^size pages (VT-d 3.x; 0 on older tables) */
    uint16_t segment;
    uint64_t base;           /* register base address */
    unsigned first_scope, nscopes;   /* into dmar_info.scope[] */
};

struct dmar_rmrr {
    uint16_t segment;
    uint64_t base, limit;    /* [base, limit], limit + 1 is 4 KiB aligned */
    unsigned first_scope, nscopes;
};

struct dmar_info {
    uint8_t haw;             /* host address width: the field + 1 */
    uint8_t flags;           /* DMAR_INTR_REMAP ... */
    unsigned ndrhd, nrmrr, natsr, nrhsa, nandd, nother;
    struct dmar_drhd drhd[DMAR_MAX_DRHD];
    struct dmar_rmrr rmrr[DMAR_MAX_RMRR];
    unsigned nscopes;
    struct dmar_scope scope[DMAR_MAX_SCOPES];
    uint32_t err_offset;     /* table offset of the structure an error names */
};

/* Parse a DMAR table of which `avail` bytes are readable at `table`. */
enum dmar_error dmar_parse(const void *table, size_t avail, struct dmar_info *out);
/* Map the table at physical `pa` (header first, then its length) and parse it. */
enum dmar_error dmar_parse_at(uint64_t pa, acpi_map_fn map, void *ctx, struct dmar_info *out);

/*
 * Hide the table from an OS that reads the ACPI tables after Skiff: rename it
 * "XMAR" (a signature nobody looks for) and fix its checksum, in place.
 */
void dmar_hide(uint8_t *table, uint32_t len);

const char *dmar_strerror(enum dmar_error e);
const char *dmar_scope_type_name(uint8_t type);
/* One summary line (no prefix, no newline). */
void dmar_summary(const struct dmar_info *d, char *buf, size_t len);

#endif
