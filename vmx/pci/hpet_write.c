/* Guest writes to the HPET's registers (vmx/pci/hpet_write.h). */
#include "vmx/pci/hpet_write.h"

#include "kernel/acpi/acpi_power.h"
#include "kernel/console/console.h"
#include "kernel/firmware/hpet.h"
#include "vmx/emulate/mmio_write.h"

#define PAGE 0x1000ull

static uint64_t hpet_page;      /* the mediated page, 0 = none */

int hpet_protect(struct ept *ept)
{
    hpet_page = 0;
    if (!acpi_host_ok || !acpi_host.hpet_addr) {
        pr_info("skiff: hpet: none in the ACPI tables\n");
        return 0;
    }
    struct acpi_hpet h;
    const void *t = acpi_host_map(0, acpi_host.hpet_addr, HPET_TABLE_LEN);
    uint32_t len = t ? *(const uint32_t *)((const uint8_t *)t + 4) : 0;
    if (t && len > HPET_TABLE_LEN && len <= ACPI_MAX_TABLE_LEN)
        t = acpi_host_map(0, acpi_host.hpet_addr, len);
    else
        len = HPET_TABLE_LEN;
    enum hpet_table_error e = t ? hpet_table_parse(t, len, &h) : HPET_TABLE_SHORT;
    if (e) {
        pr_warn("skiff: hpet: warning: the ACPI HPET table at 0x%llx is unusable (%s): its registers are not "
                "mediated, a guest can aim its FSB interrupt messages at any address\n",
                (unsigned long long)acpi_host.hpet_addr, hpet_table_strerror(e));
        return 0;
    }
    uint64_t page = h.base & ~(PAGE - 1);
    if (page + PAGE > (1ull << 32)) {
        pr_warn("skiff: hpet: warning: registers at 0x%llx, above 4 GiB, are not mediated: a guest can aim "
                "its FSB interrupt messages at any address\n", (unsigned long long)h.base);
        return 0;
    }
    int r = ept_map(ept, page, page, PAGE, EPT_R, EPT_MT_UC);
    if (r)
        return r;
    hpet_page = page;
    pr_info("skiff: hpet: registers at 0x%llx (HPET %u): read-only to the guest, writes mediated "
            "(FSB messages only to 0xfee00000-0xfeefffff)\n", (unsigned long long)h.base, h.number);
    return 0;
}

static uint32_t hpet_rd32(void *ctx, uint32_t off)
{
    (void)ctx;
    return *(volatile uint32_t *)(hpet_page + off);
}

static const char *hpet_store(struct vcpu *v, uint64_t pa, unsigned size, uint64_t value, bool *stopped,
                              enum exit_action *act)
{
    if (!hpet_page || pa < hpet_page || pa + size > hpet_page + PAGE)
        return "outside the HPET's page";
    unsigned timer;
    uint32_t addr;
    switch (hpet_judge_write((uint32_t)(pa - hpet_page), size, value, hpet_rd32, 0, &timer, &addr)) {
    case HPET_WRITE_OK:
        mmio_store(pa, size, value);
        return NULL;
    case HPET_WRITE_ROUTE:
        kprintf("skiff: hpet: the guest aimed timer %u's FSB message at 0x%08x (not an interrupt address "
                "0xfee00000-0xfeefffff): refused\n", timer, addr);
        break;
    case HPET_WRITE_ENABLE:
        kprintf("skiff: hpet: the guest enabled timer %u's FSB delivery with its message aimed at 0x%08x (not an "
                "interrupt address 0xfee00000-0xfeefffff): refused\n", timer, addr);
        break;
    }
    *stopped = true;
    *act = vcpu_stop(v, GUEST_STOPPED, 1, "stopped: HPET timer %u's FSB interrupt message aimed at 0x%08x, "
                     "not an interrupt address", timer, addr);
    return NULL;
}

static const struct mmio_write_ops hpet_ops = { "the HPET's registers", mmio_load, hpet_store };

bool hpet_write_exit(struct vcpu *v, uint64_t gpa, enum exit_action *act)
{
    if (!hpet_page || !(vcpu_qual(v) & 2) || (gpa & ~(PAGE - 1)) != hpet_page)
        return false;
    mmio_write_emulate(v, gpa, hpet_page, &hpet_ops, act);
    return true;
}
