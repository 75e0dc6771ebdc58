// SOURCES: kernel/firmware/acpi_rsdp.c kernel/lib/format.c
/*
 * Finding the firmware's RSDP from GRUB's copy (kernel/firmware/acpi_rsdp.c) in a fake
 * physical memory of 1 MiB: the EFI configuration table (64- and 32-bit system
 * tables), the EBDA, the BIOS area, and copies that match nothing.
 */
#include "tests/unit/unit.h"

#include <stdint.h>
#include <stdlib.h>

#include "kernel/firmware/acpi_rsdp.h"

#define MEM_SIZE 0x100000u

static uint8_t *mem;

static const void *map(void *ctx, uint64_t pa, uint64_t len)
{
    (void)ctx;
    return len && pa < MEM_SIZE && len <= MEM_SIZE - pa ? mem + pa : NULL;
}

static void wr(uint8_t *p, uint64_t v, unsigned n) { memcpy(p, &v, n); }

static uint8_t copy[36];

/* GRUB's copy (revision 2, 36 bytes) and mb pointing at it; the same bytes at each pa given. */
static struct mb2_info setup(void)
{
    free(mem);
    mem = calloc(1, MEM_SIZE);
    memset(copy, 0, sizeof(copy));
    memcpy(copy, "RSD PTR ", 8);
    copy[15] = 2;
    wr(copy + 20, 36, 4);
    wr(copy + 24, 0x7fe1000, 8);
    struct mb2_info mb = { 0 };
    mb.rsdp = copy;
    mb.rsdp_len = 36;
    mb.rsdp_version = 2;
    return mb;
}

static const uint8_t guid20[16] = { 0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
                                    0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 };

/* A system table at 0x40000 with `n` configuration entries at 0x41000, the ACPI 2.0 one last. */
static void efi_tables(struct mb2_info *mb, bool is64, uint64_t rsdp_pa)
{
    unsigned ptr = is64 ? 8 : 4, entry = 16 + ptr, n = 3;
    uint8_t *st = mem + 0x40000;
    memcpy(st, "IBI SYST", 8);
    wr(st + (is64 ? 104 : 64), n, ptr);
    wr(st + (is64 ? 112 : 68), 0x41000, ptr);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *e = mem + 0x41000 + i * entry;
        memset(e, 0x11 * (i + 1), 16);               /* other vendors' tables */
        wr(e + 16, 0x50000 + i, ptr);
    }
    memcpy(mem + 0x41000 + (n - 1) * entry, guid20, 16);
    wr(mem + 0x41000 + (n - 1) * entry + 16, rsdp_pa, ptr);
    mb->efi_systab = 0x40000;
    mb->has_efi64 = is64;
    mb->has_efi32 = !is64;
}

TEST(rsdp_efi_config_table)
{
    enum acpi_rsdp_where w;
    for (int is64 = 0; is64 < 2; is64++) {
        struct mb2_info mb = setup();
        efi_tables(&mb, is64, 0x7f000);
        memcpy(mem + 0x7f000, copy, 36);
        memcpy(mem + 0xe0000, copy, 36);             /* the BIOS area is not looked at under UEFI */
        CHECK_EQ(acpi_rsdp_locate(&mb, map, NULL, &w), 0x7f000);
        CHECK_EQ(w, ACPI_RSDP_EFI);
        mem[0x7f000 + 30] ^= 1;                      /* the table's RSDP is not GRUB's copy */
        CHECK_EQ(acpi_rsdp_locate(&mb, map, NULL, &w), 0);
        CHECK_EQ(w, ACPI_RSDP_NONE);
        mem[0x7f000 + 30] ^= 1;
        mem[0x40000] = 'X';                          /* not a system table */
        CHECK_EQ(acpi_rsdp_locate(&mb, map, NULL, &w), 0);
        mem[0x40000] = 'I';
        wr(mem + 0x40000 + (is64 ? 112 : 68), 0xfffff0, is64 ? 8 : 4);   /* table unmapped */
        CHECK_EQ(acpi_rsdp_locate(&mb, map, NULL, &w), 0);
    }
}

TEST(rsdp_bios_areas)
{
    enum acpi_rsdp_where w;
    struct mb2_info mb = setup();
    memcpy(mem + 0xf5a10, copy, 36);
    CHECK_EQ(acpi_rsdp_locate(&mb, map, NULL, &w), 0xf5a10);
    CHECK_EQ(w, ACPI_RSDP_BIOS);
    wr(mem + 0x40e, 0x9fc0, 2);                      /* EBDA at 0x9fc00: searched first */
    memcpy(mem + 0x9fc40, copy, 36);
    CHECK_EQ(acpi_rsdp_locate(&mb, map, NULL, &w), 0x9fc40);
    CHECK_EQ(w, ACPI_RSDP_EBDA);

    mb = setup();
    memcpy(mem + 0xf5a18, copy, 36);                 /* not on a 16-byte boundary */
    memcpy(mem + 0xffff0, copy, 16);                 /* cut off by the end of the area */
    CHECK_EQ(acpi_rsdp_locate(&mb, map, NULL, &w), 0);
    CHECK_EQ(w, ACPI_RSDP_NONE);

    /* Revision 0: the 20 bytes it has. */
    mb = setup();
    copy[15] = 0;
    mb.rsdp_len = 20;
    memcpy(mem + 0xe0100, copy, 20);
    CHECK_EQ(acpi_rsdp_locate(&mb, map, NULL, &w), 0xe0100);
    /* A copy whose Length runs past what GRUB passed, and no copy at all. */
    mb = setup();
    wr(copy + 20, 40, 4);
    memcpy(mem + 0xe0100, copy, 36);
    CHECK_EQ(acpi_rsdp_locate(&mb, map, NULL, &w), 0);
    mb.rsdp = NULL;
    CHECK_EQ(acpi_rsdp_locate(&mb, map, NULL, &w), 0);
    CHECK_STR(acpi_rsdp_where_name(ACPI_RSDP_EFI), "the EFI configuration table");
    free(mem);
    mem = NULL;
}

UNIT_MAIN(T(rsdp_efi_config_table), T(rsdp_bios_areas))
