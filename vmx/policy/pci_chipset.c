/* The chipset functions' configuration registers a guest may write (vmx/policy/pci_chipset.h). */
#include "vmx/policy/pci_chipset.h"

#include <stddef.h>

#define ANY 0xffff
#define INTEL 0x8086
#define R_ANY PCI_ROLE_NONE
#define BAR_WHY "moves a window of a chipset function (neither a sizing probe nor its boot value)"

const struct pci_chipset_reg pci_chipset_regs[] = {
    /* ---- i440FX host bridge, 82441FX PMC (8086:1237; 82441FX datasheet, 3.2): Bochs, QEMU pc ---- */
    { INTEL, 0x1237, PCI_ROLE_HOST, 0x50, 2, PCI_REG_DENY, "PMCCFG", "the host bridge's memory and cache setup" },
    { INTEL, 0x1237, PCI_ROLE_HOST, 0x57, 2, PCI_REG_DENY, "DRAMC/DRAMT", "DRAM control and timing" },
    { INTEL, 0x1237, PCI_ROLE_HOST, 0x59, 7, PCI_REG_DENY, "PAM0-6",
      "turns the BIOS area 0xc0000-0xfffff between RAM and ROM under Skiff's EPT" },
    { INTEL, 0x1237, PCI_ROLE_HOST, 0x60, 8, PCI_REG_DENY, "DRB0-7", "DRAM row boundaries: the memory map" },
    { INTEL, 0x1237, PCI_ROLE_HOST, 0x68, 1, PCI_REG_DENY, "FDHC", "opens a memory hole below 16 MiB" },
    { INTEL, 0x1237, PCI_ROLE_HOST, 0x72, 1, PCI_REG_DENY, "SMRAM", "opens, closes or locks SMRAM" },
    /* The rest of the device-specific space of the older host bridges: refused by offset, not under
     * the names the later Intel host bridges give these offsets below. */
    { INTEL, 0x1237, PCI_ROLE_HOST, 0x40, 0xc0, PCI_REG_DENY, NULL, NULL },
    { INTEL, 0x7190, PCI_ROLE_HOST, 0x40, 0xc0, PCI_REG_DENY, NULL, NULL },
    { INTEL, 0x7192, PCI_ROLE_HOST, 0x40, 0xc0, PCI_REG_DENY, NULL, NULL },
    { INTEL, 0x122d, PCI_ROLE_HOST, 0x40, 0xc0, PCI_REG_DENY, NULL, NULL },
    /* ---- Q35 MCH (8086:29c0; Intel 3 Series/Q35 datasheet, 5.1): QEMU q35 ---- */
    { INTEL, 0x29c0, PCI_ROLE_HOST, 0x52, 2, PCI_REG_DENY, "GGC", "graphics stolen memory: the memory map" },
    { INTEL, 0x29c0, PCI_ROLE_HOST, 0x90, 7, PCI_REG_DENY, "PAM0-6",
      "turns the BIOS area 0xc0000-0xfffff between RAM and ROM under Skiff's EPT" },
    { INTEL, 0x29c0, PCI_ROLE_HOST, 0x9d, 2, PCI_REG_DENY, "SMRAM/ESMRAMC", "opens, closes or locks SMRAM and TSEG" },
    { INTEL, 0x29c0, PCI_ROLE_HOST, 0xa0, 16, PCI_REG_DENY, "TOM/TOUUD/GBSM/BGSM/TSEGMB",
      "the memory map: top of memory, stolen memory, TSEG" },
    { INTEL, 0x29c0, PCI_ROLE_HOST, 0xb0, 2, PCI_REG_DENY, "TOLUD", "the memory map: top of low usable DRAM" },
    /* ---- Intel host bridges (Q35 and the Core parts' 00:00.0 alike) ---- */
    { INTEL, ANY, PCI_ROLE_HOST, 0x40, 8, PCI_REG_DENY, "(PXP)EPBAR", "moves the egress port register window" },
    { INTEL, ANY, PCI_ROLE_HOST, 0x48, 8, PCI_REG_DENY, "MCHBAR",
      "moves the MCH register window (on Core parts it holds the VT-d units' BARs)" },
    { INTEL, ANY, PCI_ROLE_HOST, 0x54, 4, PCI_REG_DENY, "DEVEN", "hides or reveals chipset devices" },
    { INTEL, ANY, PCI_ROLE_HOST, 0x60, 8, PCI_REG_DENY, "PCIEXBAR",
      "moves or disables the ECAM window whose writes Skiff mediates" },
    { INTEL, ANY, PCI_ROLE_HOST, 0x68, 8, PCI_REG_DENY, "DMIBAR", "moves the DMI register window" },
    /* ---- PIIX3/PIIX4 ISA bridge (8086:7000, 8086:7110; 82371AB datasheet, 3.1) ---- */
    { INTEL, 0x7000, PCI_ROLE_LPC, 0x60, 4, PCI_REG_ALLOW, "PIRQRC[A:D]",
      "routes the guest's PCI interrupts to ISA IRQs; Skiff takes no 8259 or I/O APIC interrupt" },
    { INTEL, 0x7110, PCI_ROLE_LPC, 0x60, 4, PCI_REG_ALLOW, "PIRQRC[A:D]",
      "routes the guest's PCI interrupts to ISA IRQs; Skiff takes no 8259 or I/O APIC interrupt" },
    { INTEL, 0x7000, PCI_ROLE_LPC, 0x82, 1, PCI_REG_ALLOW, "DLC",
      "PCI passive release and delayed transactions (Linux's PIIX3 quirk sets passive release): bus timing" },
    { INTEL, 0x7000, PCI_ROLE_LPC, 0x4e, 2, PCI_REG_DENY, "XBCS", "X-bus decode: BIOS flash writes, RTC, keyboard" },
    { INTEL, 0x7110, PCI_ROLE_LPC, 0x4e, 2, PCI_REG_DENY, "XBCS", "X-bus decode: BIOS flash writes, RTC, keyboard" },
    { INTEL, 0x7000, PCI_ROLE_LPC, 0x80, 1, PCI_REG_DENY, "APICBASE", "moves the I/O APIC" },
    { INTEL, 0x7110, PCI_ROLE_LPC, 0x80, 1, PCI_REG_DENY, "APICBASE", "moves the I/O APIC" },
    { INTEL, 0x7000, PCI_ROLE_LPC, 0xa0, 16, PCI_REG_DENY, "SMI control", "SMIs run firmware code Skiff never sees" },
    { INTEL, 0x7000, PCI_ROLE_LPC, 0x40, 0xc0, PCI_REG_DENY, NULL, NULL },
    { INTEL, 0x7110, PCI_ROLE_LPC, 0x40, 0xc0, PCI_REG_DENY, NULL, NULL },
    { INTEL, 0x122e, PCI_ROLE_LPC, 0x40, 0xc0, PCI_REG_DENY, NULL, NULL },
    /* ---- PIIX4 power management (8086:7113; 82371AB datasheet, 3.4): PMBA and PMREGMISC are
     *      mediated by pci_policy.c ---- */
    { INTEL, 0x7113, PCI_ROLE_PMC, 0x54, 8, PCI_REG_DENY, "DEVACTA/B", "device activity traps: SMIs" },
    { INTEL, 0x7113, PCI_ROLE_PMC, 0x5c, 0x24, PCI_REG_DENY, "DEVRESA-J",
      "device resource decode and traps: SMIs, ports claimed" },
    { INTEL, 0x7113, PCI_ROLE_PMC, 0x90, 4, PCI_REG_DENY, "SMBBA", "moves the SMBus host controller's I/O block" },
    { INTEL, 0x7113, PCI_ROLE_PMC, 0xd2, 1, PCI_REG_DENY, "SMBHSTCFG",
      "enables the SMBus host or routes its interrupt as an SMI" },
    { INTEL, 0x7113, PCI_ROLE_PMC, 0x40, 0xc0, PCI_REG_DENY, NULL, NULL },
    /* ---- ICH9 LPC (8086:2918; ICH9 datasheet, 13.1): PMBASE, ACPI_CNTL, LPC_I/O_DEC and LPC_EN
     *      are mediated by pci_policy.c ---- */
    { INTEL, 0x2918, PCI_ROLE_LPC, 0x60, 4, PCI_REG_ALLOW, "PIRQ[A-D]_ROUT",
      "routes the guest's PCI interrupts; Skiff takes no 8259 or I/O APIC interrupt" },
    { INTEL, 0x2918, PCI_ROLE_LPC, 0x68, 4, PCI_REG_ALLOW, "PIRQ[E-H]_ROUT",
      "routes the guest's PCI interrupts; Skiff takes no 8259 or I/O APIC interrupt" },
    /* ---- Intel LPC/eSPI bridges (ICH, PCH): named for the verdict, all refused ---- */
    { INTEL, ANY, PCI_ROLE_LPC, 0x40, 4, PCI_REG_DENY, "PMBASE",
      "moves the ACPI PM block on a chipset whose block Skiff does not follow" },
    { INTEL, ANY, PCI_ROLE_LPC, 0x44, 1, PCI_REG_DENY, "ACPI_CNTL",
      "enables the ACPI PM block or routes SCI on a chipset whose block Skiff does not follow" },
    { INTEL, ANY, PCI_ROLE_LPC, 0x48, 4, PCI_REG_DENY, "GPIOBASE", "moves the GPIO block" },
    { INTEL, ANY, PCI_ROLE_LPC, 0x4c, 1, PCI_REG_DENY, "GC", "GPIO control" },
    { INTEL, ANY, PCI_ROLE_LPC, 0x84, 16, PCI_REG_DENY, "GEN1-4_DEC", "opens LPC decode ranges over ports" },
    { INTEL, ANY, PCI_ROLE_LPC, 0xdc, 1, PCI_REG_DENY, "BIOS_CNTL", "enables writes to the BIOS flash" },
    { INTEL, ANY, PCI_ROLE_LPC, 0xf0, 4, PCI_REG_DENY, "RCBA",
      "moves the root complex register block (function disable, HPET decode, SPI)" },
    /* ---- Intel PCH PMC (05/80, 100-series and later; 00:1f.2) ---- */
    { INTEL, ANY, PCI_ROLE_PMC, 0x40, 4, PCI_REG_DENY, "ABASE",
      "moves the ACPI PM block on a chipset whose block Skiff does not follow" },
    { INTEL, ANY, PCI_ROLE_PMC, 0x44, 1, PCI_REG_DENY, "ACTL",
      "enables the ACPI PM block or routes SCI on a chipset whose block Skiff does not follow" },
    { INTEL, ANY, PCI_ROLE_PMC, 0x48, 4, PCI_REG_DENY, "PWRMBASE", "moves the PMC's register window" },
    /* ---- Intel SMBus (ICH9 8086:2930 and later; ICH9 datasheet, 17.1) ---- */
    { INTEL, ANY, PCI_ROLE_SMBUS, 0x40, 1, PCI_REG_DENY, "HOSTC", "enables the SMBus host, its SMI routing" },
    /* ---- The common header (PCI 3.0, 6.2), any chipset function ---- */
    { ANY, ANY, R_ANY, 0x00, 4, PCI_REG_ALLOW, "vendor/device ID", "read-only" },
    { ANY, ANY, R_ANY, 0x04, 2, PCI_REG_ALLOW, "COMMAND", "the function's own decode and bus-master enables" },
    { ANY, ANY, R_ANY, 0x06, 2, PCI_REG_ALLOW, "STATUS", "write-one-to-clear error bits" },
    { ANY, ANY, R_ANY, 0x08, 4, PCI_REG_ALLOW, "revision/class", "read-only" },
    { ANY, ANY, R_ANY, 0x0c, 2, PCI_REG_ALLOW, "cache line size/latency timer", "bus timing of the function" },
    { ANY, ANY, R_ANY, 0x0e, 1, PCI_REG_ALLOW, "header type", "read-only" },
    { ANY, ANY, R_ANY, 0x10, 4, PCI_REG_BAR, "BAR0", BAR_WHY },
    { ANY, ANY, R_ANY, 0x14, 4, PCI_REG_BAR, "BAR1", BAR_WHY },
    { ANY, ANY, R_ANY, 0x18, 4, PCI_REG_BAR, "BAR2", BAR_WHY },
    { ANY, ANY, R_ANY, 0x1c, 4, PCI_REG_BAR, "BAR3", BAR_WHY },
    { ANY, ANY, R_ANY, 0x20, 4, PCI_REG_BAR, "BAR4", BAR_WHY },
    { ANY, ANY, R_ANY, 0x24, 4, PCI_REG_BAR, "BAR5", BAR_WHY },
    { ANY, ANY, R_ANY, 0x2c, 4, PCI_REG_ALLOW, "subsystem IDs", "identification only" },
    { ANY, ANY, R_ANY, 0x30, 4, PCI_REG_BAR, "expansion ROM BAR", BAR_WHY },
    { ANY, ANY, R_ANY, 0x34, 1, PCI_REG_ALLOW, "capabilities pointer", "read-only" },
    { ANY, ANY, R_ANY, 0x3c, 4, PCI_REG_ALLOW, "interrupt line/pin",
      "the line is the software's note, the rest read-only" },
};
const unsigned pci_chipset_reg_count = sizeof(pci_chipset_regs) / sizeof(pci_chipset_regs[0]);

const struct pci_chipset_reg *pci_chipset_reg_at(enum pci_chipset_role role, uint16_t vendor, uint16_t device,
                                                 unsigned off)
{
    for (unsigned i = 0; i < pci_chipset_reg_count; i++) {
        const struct pci_chipset_reg *r = &pci_chipset_regs[i];
        if ((r->vendor == ANY || r->vendor == vendor) && (r->device == ANY || r->device == device) &&
            (r->role == R_ANY || r->role == role) && off >= r->reg && off < (unsigned)r->reg + r->width)
            return r;
    }
    return NULL;
}

unsigned pci_chipset_bar_index(unsigned off)
{
    return off >= 0x30 ? 6 : (off - 0x10) / 4;
}

int pci_chipset_bar_probe(unsigned index, uint32_t dword)
{
    /* Address bits: 31:11 of the ROM BAR (bit 0 is its enable), 31:4 of a memory BAR, 31:2 of an
     * I/O BAR; the flag bits are read-only or the ROM's enable, so only the address bits count. */
    uint32_t flags = index == 6 ? 0x7ffu : (dword & 1) ? 0x3u : 0xfu;
    return (dword | flags) == 0xffffffffu;
}
