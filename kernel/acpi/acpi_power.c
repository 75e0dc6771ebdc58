/*
 * ACPI on the host: parse the firmware's tables once at boot (kernel/firmware/acpi.c
 * does the parsing), print the summary, and power off or reset the machine
 * through them when a run ends on real hardware (kernel/end/runend.c).
 */
#include "kernel/acpi/acpi_power.h"

#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/firmware/mb2.h"

struct acpi_info acpi_host;
bool acpi_host_ok;
uint64_t acpi_rsdp_pa;
enum acpi_rsdp_where acpi_rsdp_found;

static const struct mb2_info *acpi_mb;

/* Below 4 GiB everything is identity mapped; above, the RAM and firmware ranges of the map. */
const void *acpi_host_map(void *ctx, uint64_t pa, uint64_t len)
{
    (void)ctx;
    if (!len || pa + len < pa)
        return NULL;
    if (pa + len <= (1ull << 32))
        return (const void *)pa;
    for (size_t i = 0; acpi_mb && i < acpi_mb->nmmap; i++) {
        const struct mb2_mmap_entry *e = &acpi_mb->mmap[i];
        if (pa >= e->base && pa + len <= e->base + e->len && pa + len <= (1ull << 46))
            return (const void *)pa;
    }
    return NULL;
}

void acpi_init(const struct mb2_info *mb)
{
    char line[256];

    acpi_mb = mb;
    enum acpi_error e = acpi_parse(mb->rsdp, mb->rsdp_len, acpi_host_map, 0, &acpi_host);
    if (e) {
        pr_info("skiff: acpi: %s: no ACPI power-off or reset\n", acpi_strerror(e));
        return;
    }
    acpi_host_ok = true;
    acpi_summary(&acpi_host, line, sizeof(line));
    pr_info("skiff: acpi: %s\n", line);
    /* A guest that is told where the RSDP is (Linux's acpi_rsdp_addr) gets this address. */
    acpi_rsdp_pa = acpi_rsdp_locate(mb, acpi_host_map, 0, &acpi_rsdp_found);
    if (acpi_rsdp_pa)
        pr_info("skiff: acpi: RSDP at 0x%llx, found in %s\n", (unsigned long long)acpi_rsdp_pa,
                acpi_rsdp_where_name(acpi_rsdp_found));
    else
        pr_info("skiff: acpi: the firmware's RSDP was not found (%s): a guest is not told where it is\n",
                mb->has_efi32 || mb->has_efi64 ? "not in the EFI configuration table"
                                                : "not in the EBDA or the BIOS area");
    /* Power and reset registers in memory space: the guest's stores to them are not seen. */
    const struct acpi_info *a = &acpi_host;
    const struct { uint64_t addr; const char *what; } mem_regs[] = {
        { a->pm1a_cnt_mem, "PM1a_CNT" },
        { a->pm1b_cnt_mem, "PM1b_CNT" },
        { a->sleep_ctl_space == ACPI_SPACE_MEM ? a->sleep_ctl_addr : 0, "SLEEP_CONTROL_REG" },
        { a->has_reset && a->reset_space == ACPI_SPACE_MEM ? a->reset_addr : 0, "RESET_REG" },
    };
    for (unsigned i = 0; i < sizeof(mem_regs) / sizeof(mem_regs[0]); i++)
        if (mem_regs[i].addr)
            pr_warn("skiff: acpi: warning: %s is in memory space at 0x%llx: Skiff does not see the guest's "
                    "writes to it, so a guest can power off, sleep or reset the machine there without a verdict\n",
                    mem_regs[i].what, (unsigned long long)mem_regs[i].addr);
}

static void spin(unsigned n)
{
    for (volatile unsigned i = 0; i < n; i++)
        cpu_pause();
}

void acpi_poweroff(void)
{
    const struct acpi_info *a = &acpi_host;

    if (!acpi_host_ok || a->fadt_status != ACPI_TABLE_OK || !a->pm1a_cnt || !a->has_s5)
        return;
    /* Legacy mode: ask the firmware for ACPI mode first (ACPI 6.4, 16.3.1). */
    if (!(inw(a->pm1a_cnt) & ACPI_PM1_SCI_EN) && a->smi_cmd && a->acpi_enable) {
        outb(a->smi_cmd, a->acpi_enable);
        for (unsigned i = 0; i < 3000 && !(inw(a->pm1a_cnt) & ACPI_PM1_SCI_EN); i++)
            spin(10000);
    }
    uint16_t va = (uint16_t)((inw(a->pm1a_cnt) & ~(7u << ACPI_PM1_SLP_TYP_SHIFT)) |
                             (uint16_t)a->slp_typa << ACPI_PM1_SLP_TYP_SHIFT);
    uint16_t vb = 0;
    if (a->pm1b_cnt)
        vb = (uint16_t)((inw(a->pm1b_cnt) & ~(7u << ACPI_PM1_SLP_TYP_SHIFT)) |
                        (uint16_t)a->slp_typb << ACPI_PM1_SLP_TYP_SHIFT);
    /* SLP_TYP first, then SLP_EN, as Linux does for firmware that wants two writes. */
    outw(a->pm1a_cnt, va);
    if (a->pm1b_cnt)
        outw(a->pm1b_cnt, vb);
    outw(a->pm1a_cnt, (uint16_t)(va | ACPI_PM1_SLP_EN));
    if (a->pm1b_cnt)
        outw(a->pm1b_cnt, (uint16_t)(vb | ACPI_PM1_SLP_EN));
    spin(1000000);
}

void acpi_reset(void)
{
    const struct acpi_info *a = &acpi_host;

    if (!acpi_host_ok || !a->has_reset)
        return;
    switch (a->reset_space) {
    case ACPI_SPACE_IO:
        outb((uint16_t)a->reset_addr, a->reset_value);
        break;
    case ACPI_SPACE_MEM:
        if (a->reset_addr < (1ull << 32))
            *(volatile uint8_t *)a->reset_addr = a->reset_value;
        break;
    case ACPI_SPACE_PCI: {
        /* Bus 0; address = device << 32 | function << 16 | offset (ACPI 6.4, 5.2.3.2). */
        uint32_t dev = (uint32_t)(a->reset_addr >> 32) & 0x1f, fn = (uint32_t)(a->reset_addr >> 16) & 7;
        uint32_t off = (uint32_t)a->reset_addr & 0xff;
        outl(0xcf8, 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc));
        outb((uint16_t)(0xcfc + (off & 3)), a->reset_value);
        break;
    }
    default:
        break;
    }
    spin(1000000);
}
