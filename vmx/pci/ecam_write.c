/* Guest writes to PCI configuration space through ECAM (vmx/pci/ecam_write.h). */
#include "vmx/pci/ecam_write.h"

#include "kernel/acpi/acpi_power.h"
#include "kernel/console/console.h"
#include "vmx/core/nested_cost.h"
#include "vmx/emulate/mmio_write.h"
#include "vmx/pci/exit_pci.h"

/* Windows the EPT protects: segment 0, below 4 GiB (identity-mapped for Skiff too). */
static bool ecam_window(const struct acpi_ecam *e, uint64_t *lo, uint64_t *hi)
{
    *lo = e->base + ((uint64_t)e->start_bus << 20);
    *hi = e->base + ((uint64_t)(e->end_bus + 1) << 20);
    return e->segment == 0 && *hi <= (1ull << 32);
}

int ecam_protect(struct ept *ept)
{
    for (unsigned i = 0; acpi_host_ok && i < acpi_host.necam; i++) {
        uint64_t lo, hi;
        const struct acpi_ecam *e = &acpi_host.ecam[i];
        if (!ecam_window(e, &lo, &hi)) {
            pr_warn("skiff: pci: warning: ECAM window of segment %u at 0x%llx (buses %u-%u) is not mediated "
                    "(only segment 0 below 4 GiB is): a guest can reconfigure those devices unseen\n",
                    e->segment, (unsigned long long)e->base, e->start_bus, e->end_bus);
            continue;
        }
        int r = ept_map(ept, lo, lo, hi - lo, EPT_R, EPT_MT_UC);
        if (r)
            return r;
        pr_info("skiff: pci: ECAM 0x%llx-0x%llx (buses %u-%u): read-only to the guest, writes mediated\n",
                (unsigned long long)lo, (unsigned long long)hi - 1, e->start_bus, e->end_bus);
    }
    return 0;
}

/* The configuration address of an ECAM byte: bus 27:20, device 19:15, function 14:12, register 11:0. */
static bool ecam_addr(uint64_t pa, struct pci_addr *a)
{
    for (unsigned i = 0; acpi_host_ok && i < acpi_host.necam; i++) {
        uint64_t lo, hi;
        if (!ecam_window(&acpi_host.ecam[i], &lo, &hi) || pa < lo || pa >= hi)
            continue;
        uint64_t off = pa - acpi_host.ecam[i].base;
        *a = (struct pci_addr){ (uint8_t)(off >> 20), (uint8_t)((off >> 15) & 31), (uint8_t)((off >> 12) & 7),
                                (uint16_t)(off & 0xfff) };
        return true;
    }
    return false;
}

static const char *ecam_store(struct vcpu *v, uint64_t pa, unsigned size, uint64_t value, bool *stopped,
                              enum exit_action *act)
{
    struct pci_addr a;
    if (!ecam_addr(pa, &a))
        return "outside the ECAM windows";
    /* PCIe 7.2.2: configuration requests are at most a dword, within one dword. */
    if (size > 4 || (a.reg & 3) + size > 4)
        return "wider than a dword or across one";
    uint32_t v32 = (uint32_t)value;
    const struct pci_rule *pm;
    if (!pci_judge_write(v, a, size, &v32, &pm, act)) {
        *stopped = *act != EXIT_RESUME;        /* EXIT_RESUME: refused and dropped, the store completes */
        return NULL;
    }
    mmio_store(pa, size, v32);
    pci_after_write(a, pm);
    return NULL;
}

static const struct mmio_write_ops ecam_ops = { "PCI configuration space (ECAM)", mmio_load, ecam_store };

bool ecam_write_exit(struct vcpu *v, uint64_t gpa, enum exit_action *act)
{
    struct pci_addr a;
    if (!(vcpu_qual(v) & 2) || !ecam_addr(gpa, &a))
        return false;
    nested_cost_reslot(NESTED_SLOT_EPT_ECAM);
    mmio_write_emulate(v, gpa, gpa & ~0xfffull, &ecam_ops, act);
    return true;
}
