/*
 * The chipset functions of this machine (kernel/pci/chipset_ids.h), found on
 * bus 0 at boot with their BARs as the firmware left them, and the boot line
 * that names the chipset and whether Skiff knows it.  The guest's writes to
 * these functions are judged by vmx/policy/pci_chipset.c.
 */
#ifndef SKIFF_KERNEL_PCI_CHIPSET_H
#define SKIFF_KERNEL_PCI_CHIPSET_H

#include <stdint.h>

#include "kernel/pci/chipset_ids.h"
#include "kernel/pci/pci.h"

#define PCI_CHIPSET_MAX 24
#define PCI_CHIPSET_BARS 7          /* BAR0-5 (0x10-0x27) and the expansion ROM BAR (0x30) */

struct pci_chipset_fn {
    uint8_t dev, fn;                /* bus 0 */
    uint16_t vendor, device;
    uint8_t role;                   /* enum pci_chipset_role */
    uint32_t bar[PCI_CHIPSET_BARS]; /* at boot */
};

/* Find the chipset functions on bus 0 and print `skiff: pci: chipset ...` (after acpi_init). */
void pci_chipset_scan(void);
/* The recorded function at a, or NULL (not on bus 0, not a chipset function, or not present at boot). */
const struct pci_chipset_fn *pci_chipset_at(struct pci_addr a);

#endif
