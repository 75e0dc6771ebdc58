/*
 * Which PCI functions hold the chipset's windows, and which chipsets Skiff
 * knows (vmx/policy/pci_chipset.c judges their configuration writes).  A
 * function on bus 0 is a chipset function by its class code (PCI Code and ID
 * Assignment 1.x: 06/00 host bridge, 06/01 ISA bridge, which is the LPC or
 * eSPI bridge of Intel chipsets, 0C/05 SMBus; 05/80 "other memory controller"
 * on Intel, which is the PMC of the 100-series and later PCHs) or by its
 * vendor and device id where the class says less (PIIX4's power-management
 * function is 06/80, "other bridge").  Pure table: unit-tested.
 */
#ifndef SKIFF_KERNEL_PCI_CHIPSET_IDS_H
#define SKIFF_KERNEL_PCI_CHIPSET_IDS_H

#include <stdint.h>

enum pci_chipset_role {
    PCI_ROLE_NONE,          /* not a chipset function: its writes are judged by the common rows only */
    PCI_ROLE_HOST,          /* host bridge: memory map, ECAM (PCIEXBAR), MCHBAR, DMIBAR, SMRAM, PAM */
    PCI_ROLE_LPC,           /* ISA/LPC/eSPI bridge: legacy decode, PM base on ICHs, RCBA, I/O APIC base */
    PCI_ROLE_PMC,           /* power management: the ACPI PM block, PWRMBASE */
    PCI_ROLE_SMBUS,         /* SMBus host: its I/O base, host configuration */
    PCI_ROLE_COUNT
};

/* A chipset function Skiff knows by its ids. */
struct pci_chipset_id {
    uint16_t vendor, device;
    uint8_t role;           /* enum pci_chipset_role */
    const char *name;
};

extern const struct pci_chipset_id pci_chipset_ids[];
extern const unsigned pci_chipset_id_count;

/* The known row for these ids, or NULL. */
const struct pci_chipset_id *pci_chipset_known(uint16_t vendor, uint16_t device);
/* The role of a function on bus 0: by its ids when known, else by its class code
 * (class_rev: the dword at 0x08, class 31:24, subclass 23:16). */
enum pci_chipset_role pci_chipset_role(uint16_t vendor, uint16_t device, uint32_t class_rev);
const char *pci_chipset_role_name(enum pci_chipset_role role);

#endif
