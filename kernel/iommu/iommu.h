/*
 * DMA isolation with VT-d (Intel VT-d spec, chapters 3, 9-11): every
 * remapping unit the DMAR table names gets root and context tables that put
 * every device in its scope into one second-level domain, an identity map of
 * what the guest's EPT maps; Skiff's pages, the IOMMU's own tables, its
 * register pages and PCI configuration space (ECAM, whose writes the EPT
 * mediates) are absent, so a device the guest programs cannot reach them.  Interrupt remapping stays off (README "IOMMU").
 *
 * Order: iommu_init after acpi_init (finds the units, hides the DMAR table,
 * allocates the fixed tables); iommu_withhold and iommu_domain_build inside
 * the loop that builds the guest's memory (the domain's tables are Skiff's
 * pages too, withheld like the EPT's); iommu_enable before the guest's first
 * instruction; iommu_faults_report at the run's end (kernel/end/runend.c).
 */
#ifndef SKIFF_KERNEL_IOMMU_H
#define SKIFF_KERNEL_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/config/cmdline.h"
#include "kernel/firmware/mb2.h"
#include "kernel/mem/memmap.h"
#include "kernel/mem/pmm.h"

/* True once iommu_init found usable remapping hardware and iommu= is not off. */
extern bool iommu_active;

struct iommu_fault {
    bool write;
    uint16_t sid;           /* requester id: bus << 8 | device << 3 | function */
    uint8_t reason;
    uint64_t addr;          /* page address */
};

/* Find and prepare the units; with iommu=required and none usable, ends the run (status 3). */
void iommu_init(const struct skiff_config *cfg, const struct mb2_info *mb);
/* Add the units' register pages to the set the EPT and the domain leave out. */
int iommu_withhold(struct rangeset *withheld);
/*
 * Map into the domain what the EPT maps: [0, 4 GiB), the map's RAM, ACPI
 * and NVS entries, `ro_page` read-only (0 = none), the RMRRs; then unmap
 * the ECAM windows (MCFG) and `withheld`.  Incremental like the EPT: call again until Skiff's page set
 * stops growing.  0, or -1 when out of memory.
 */
int iommu_domain_build(const struct guest_memmap *map, const struct rangeset *withheld, uint64_t ro_page);
/* Program every unit and turn translation on (10.4.4); 0 or a Skiff status. */
int iommu_enable(void);
/* Read and clear the fault records (printing one line each); returns how many, up to max kept. */
unsigned iommu_fault_poll(struct iommu_fault *out, unsigned max);
/* At a verdict: print the pending faults; true when one was on Skiff's pages (a DMA attack). */
bool iommu_faults_report(void);
/* Physical addresses of the first unit's root table and the domain's PML4 (self-test targets). */
uint64_t iommu_root_table(void);
uint64_t iommu_domain_table(void);
/* The name of a fault reason (Appendix A). */
const char *iommu_fault_reason_name(unsigned reason);

#endif
