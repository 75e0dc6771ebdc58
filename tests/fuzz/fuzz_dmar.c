// SOURCES: kernel/firmware/acpi_dmar.c kernel/firmware/acpi.c kernel/lib/format.c
/*
 * libFuzzer harness for the DMAR parser (kernel/firmware/acpi_dmar.c).  The input is
 * parsed as it is, then again with its signature, length and checksum fixed
 * up so the remapping structures are reached; both copies are exactly the
 * input's size, so ASan reports any read past the table.  A parsed table's
 * indexes must stay inside the arrays, and hiding it must leave a valid
 * checksum and a table the parser no longer accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/firmware/acpi_dmar.h"

static void check(const struct dmar_info *d)
{
    char line[512];
    if (d->ndrhd > DMAR_MAX_DRHD || d->nrmrr > DMAR_MAX_RMRR || d->nscopes > DMAR_MAX_SCOPES)
        __builtin_trap();
    for (unsigned i = 0; i < d->ndrhd; i++)
        if (d->drhd[i].first_scope + d->drhd[i].nscopes > d->nscopes || (d->drhd[i].base & 0xfff))
            __builtin_trap();
    for (unsigned i = 0; i < d->nrmrr; i++)
        if (d->rmrr[i].first_scope + d->rmrr[i].nscopes > d->nscopes || d->rmrr[i].limit < d->rmrr[i].base)
            __builtin_trap();
    dmar_summary(d, line, sizeof line);
    if (strlen(line) >= sizeof line)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dmar_info d;
    uint8_t *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    if (dmar_parse(buf, size, &d) == DMAR_OK)
        check(&d);
    if (size >= 48 && size <= ACPI_MAX_TABLE_LEN) {
        uint32_t len = (uint32_t)size;
        memcpy(buf, "DMAR", 4);
        memcpy(buf + 4, &len, 4);
        dmar_hide(buf, len);              /* a valid checksum, then the signature back */
        if (!acpi_checksum_ok(buf, len) || dmar_parse(buf, len, &d) != DMAR_ERR_SIGNATURE)
            __builtin_trap();
        buf[0] = 'D';
        buf[9] = (uint8_t)(buf[9] - ('D' - 'X'));
        if (dmar_parse(buf, len, &d) == DMAR_OK)
            check(&d);
    }
    free(buf);
    return 0;
}
