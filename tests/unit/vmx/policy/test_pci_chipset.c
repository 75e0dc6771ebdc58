/* Chipset functions' configuration writes: deny by default (vmx/policy/pci_chipset.c via pci_policy.c). */
// SOURCES: vmx/policy/pci_policy.c vmx/policy/pci_chipset.c kernel/pci/chipset_ids.c
#include <string.h>

#include "tests/unit/unit.h"
#include "vmx/policy/pci_chipset.h"
#include "vmx/policy/pci_policy.h"

static struct pci_decision write(const struct pci_fn_info *f, unsigned dev, unsigned fn, unsigned reg, unsigned size,
                                 uint32_t v, uint32_t current)
{
    struct pci_decision d;
    pci_policy_write(f, (struct pci_addr){ 0, (uint8_t)dev, (uint8_t)fn, (uint16_t)reg }, size, v, current, &d);
    return d;
}

static struct pci_fn_info fn(uint16_t vendor, uint16_t device, enum pci_chipset_role role)
{
    return (struct pci_fn_info){ .vendor = vendor, .device = device, .role = (uint8_t)role };
}

/* Refused, under that name (NULL: by offset) at that offset. */
static void check_refused(const struct pci_fn_info *f, unsigned dev, unsigned func, unsigned reg, unsigned size,
                          uint32_t v, const char *name, unsigned off)
{
    struct pci_decision d = write(f, dev, func, reg, size, v, 0);
    CHECK_EQ(d.action, PCI_REFUSE);
    CHECK(d.why && d.why[0]);
    if (name)
        CHECK(d.reg_name && !strcmp(d.reg_name, name));
    else
        CHECK(d.reg_name == NULL);
    CHECK_EQ(d.reg_off, off);
}

TEST(i440fx_host_bridge)
{
    struct pci_fn_info h = fn(0x8086, 0x1237, PCI_ROLE_HOST);
    check_refused(&h, 0, 0, 0x59, 1, 0x30, "PAM0-6", 0x59);          /* the BIOS area's RAM/ROM */
    check_refused(&h, 0, 0, 0x5c, 4, 0x33333333, "PAM0-6", 0x59);
    check_refused(&h, 0, 0, 0x72, 1, 0x4a, "SMRAM", 0x72);
    check_refused(&h, 0, 0, 0x60, 4, 0x10101010, "DRB0-7", 0x60);
    check_refused(&h, 0, 0, 0x40, 4, 0, NULL, 0x40);                 /* not EPBAR on this chipset */
    check_refused(&h, 0, 0, 0x48, 4, 0, NULL, 0x48);
    check_refused(&h, 0, 0, 0xf0, 1, 0, NULL, 0xf0);
    check_refused(&h, 0, 0, 0x100, 4, 0, NULL, 0x100);               /* extended space, by ECAM */
    /* A dword written back with one byte changed: the verdict names the changed register. */
    struct pci_decision d = write(&h, 0, 0, 0x70, 4, 0x00420000, 0x00020000);
    CHECK_EQ(d.action, PCI_REFUSE);
    CHECK(d.reg_name && !strcmp(d.reg_name, "SMRAM"));
    d = write(&h, 0, 0, 0x58, 4, 0x00110010, 0x00000010);
    CHECK(d.reg_name && !strcmp(d.reg_name, "PAM0-6"));
    d = write(&h, 0, 0, 0x4c, 4, 0x00000100, 0);                      /* unnamed: the changed byte's offset */
    CHECK(d.reg_name == NULL);
    CHECK_EQ(d.reg_off, 0x4d);
    /* Written as it reads: still refused (no row allows those bytes), under the first named one. */
    d = write(&h, 0, 0, 0x70, 4, 0x00020000, 0x00020000);
    CHECK_EQ(d.action, PCI_REFUSE);
    CHECK(d.reg_name && !strcmp(d.reg_name, "SMRAM"));
    /* The common header's harmless registers pass. */
    CHECK_EQ(write(&h, 0, 0, 0x04, 2, 0x0106, 0).action, PCI_PASS);
    CHECK_EQ(write(&h, 0, 0, 0x04, 4, 0xffff0106, 0).action, PCI_PASS);  /* command + status */
    CHECK_EQ(write(&h, 0, 0, 0x0d, 1, 0x40, 0).action, PCI_PASS);
    CHECK_EQ(write(&h, 0, 0, 0x3c, 1, 0x0b, 0).action, PCI_PASS);
    /* Linux's BAR sizing of a function without BARs: all ones, then the boot value (0) back. */
    CHECK_EQ(write(&h, 0, 0, 0x10, 4, 0xffffffff, 0).action, PCI_PASS);
    CHECK_EQ(write(&h, 0, 0, 0x10, 4, 0, 0).action, PCI_PASS);
    CHECK_EQ(write(&h, 0, 0, 0x30, 4, 0xfffff800, 0).action, PCI_PASS);
    check_refused(&h, 0, 0, 0x14, 4, 0xe0000000, "BAR1", 0x14);
}

TEST(q35_mch)
{
    struct pci_fn_info h = fn(0x8086, 0x29c0, PCI_ROLE_HOST);
    check_refused(&h, 0, 0, 0x60, 4, 0xe0000001, "PCIEXBAR", 0x60);  /* moves ECAM */
    check_refused(&h, 0, 0, 0x64, 4, 0x1, "PCIEXBAR", 0x60);          /* its upper half */
    check_refused(&h, 0, 0, 0x60, 1, 0x00, "PCIEXBAR", 0x60);         /* PCIEXBAREN off */
    check_refused(&h, 0, 0, 0x48, 4, 0xfed10001, "MCHBAR", 0x48);
    check_refused(&h, 0, 0, 0x68, 4, 0xfed18001, "DMIBAR", 0x68);
    check_refused(&h, 0, 0, 0x40, 4, 0xfed19001, "(PXP)EPBAR", 0x40);
    check_refused(&h, 0, 0, 0x54, 4, 0x3ff, "DEVEN", 0x54);
    check_refused(&h, 0, 0, 0x90, 1, 0x30, "PAM0-6", 0x90);
    check_refused(&h, 0, 0, 0x9d, 1, 0x4a, "SMRAM/ESMRAMC", 0x9d);
    check_refused(&h, 0, 0, 0xb0, 2, 0x8000, "TOLUD", 0xb0);
    check_refused(&h, 0, 0, 0xe0, 4, 0, NULL, 0xe0);
    CHECK_EQ(write(&h, 0, 0, 0x04, 2, 0x0006, 0).action, PCI_PASS);
}

TEST(ich9_lpc)
{
    struct pci_fn_info l = fn(0x8086, 0x2918, PCI_ROLE_LPC);
    /* Mediated by pci_policy.c: PMBASE and ACPI_CNTL (followed), LPC decode (COMA kept). */
    struct pci_decision d = write(&l, 31, 0, 0x40, 4, 0xc001, 0x601);
    CHECK_EQ(d.action, PCI_PASS);
    CHECK(d.pm_block != NULL);
    CHECK_EQ(write(&l, 31, 0, 0x44, 1, 0x00, 0x80).action, PCI_PASS);
    d = write(&l, 31, 0, 0x80, 4, 0, 0x00010010);
    CHECK_EQ(d.action, PCI_PASS);
    CHECK_EQ(d.value, 0x00010000);
    CHECK_EQ(write(&l, 31, 0, 0x60, 4, 0x0b0a0b0a, 0).action, PCI_PASS);   /* PIRQ routing */
    CHECK_EQ(write(&l, 31, 0, 0x6b, 1, 0x80, 0).action, PCI_PASS);
    check_refused(&l, 31, 0, 0xf0, 4, 0xfed1c001, "RCBA", 0xf0);
    check_refused(&l, 31, 0, 0x84, 4, 0x00fc0401, "GEN1-4_DEC", 0x84);
    check_refused(&l, 31, 0, 0x48, 4, 0x0701, "GPIOBASE", 0x48);
    check_refused(&l, 31, 0, 0xdc, 1, 0x01, "BIOS_CNTL", 0xdc);
    check_refused(&l, 31, 0, 0x44, 4, 0x80, NULL, 0x45);    /* ACPI_CNTL with the reserved bytes after it */
    check_refused(&l, 31, 0, 0xa0, 2, 0, NULL, 0xa0);
    /* Another Intel LPC bridge (no PM-block rows of its own): PMBASE and ACPI_CNTL refused by name. */
    struct pci_fn_info pch = fn(0x8086, 0x3a18, PCI_ROLE_LPC);
    check_refused(&pch, 31, 0, 0x40, 4, 0xc001, "PMBASE", 0x40);
    check_refused(&pch, 31, 0, 0x44, 1, 0x00, "ACPI_CNTL", 0x44);
}

TEST(piix_functions)
{
    struct pci_fn_info pm = fn(0x8086, 0x7113, PCI_ROLE_PMC);
    CHECK(write(&pm, 1, 3, 0x40, 4, 0xc001, 0xb001).pm_block != NULL);     /* PMBA: followed */
    CHECK_EQ(write(&pm, 1, 3, 0x40, 4, 0xc001, 0xb001).action, PCI_PASS);
    CHECK_EQ(write(&pm, 1, 3, 0x80, 1, 0x01, 0).action, PCI_PASS);         /* PMREGMISC */
    check_refused(&pm, 1, 3, 0x90, 4, 0xd101, "SMBBA", 0x90);
    check_refused(&pm, 1, 3, 0xd2, 1, 0x09, "SMBHSTCFG", 0xd2);
    check_refused(&pm, 1, 3, 0x5c, 4, 0, "DEVRESA-J", 0x5c);
    check_refused(&pm, 1, 3, 0x58, 4, 0, "DEVACTA/B", 0x54);
    check_refused(&pm, 1, 3, 0x44, 4, 0, NULL, 0x44);
    check_refused(&pm, 1, 3, 0x81, 1, 0, NULL, 0x81);                       /* beside PMREGMISC */
    struct pci_fn_info isa = fn(0x8086, 0x7000, PCI_ROLE_LPC);
    CHECK_EQ(write(&isa, 1, 0, 0x60, 4, 0x0b0a0b0a, 0).action, PCI_PASS);  /* PIRQRC */
    CHECK_EQ(write(&isa, 1, 0, 0x82, 1, 0x02, 0).action, PCI_PASS);        /* DLC: Linux's passive release */
    check_refused(&isa, 1, 0, 0x80, 1, 0x01, "APICBASE", 0x80);
    check_refused(&isa, 1, 0, 0x80, 4, 0x00020001, "APICBASE", 0x80);     /* with DLC: the refused byte named */
    check_refused(&isa, 1, 0, 0x4e, 2, 0x0003, "XBCS", 0x4e);
    check_refused(&isa, 1, 0, 0xa0, 1, 0x01, "SMI control", 0xa0);
    check_refused(&isa, 1, 0, 0x4c, 1, 0x4d, NULL, 0x4c);
}

TEST(smbus_and_pmc)
{
    struct pci_fn_info s = fn(0x8086, 0x2930, PCI_ROLE_SMBUS);
    s.bar_boot[4] = 0x0701;                                                  /* SMB_BASE, an I/O BAR */
    CHECK_EQ(write(&s, 31, 3, 0x20, 4, 0xffffffff, 0x0701).action, PCI_PASS);  /* sizing */
    CHECK_EQ(write(&s, 31, 3, 0x20, 4, 0x0701, 0xffe1).action, PCI_PASS);      /* the boot value back */
    check_refused(&s, 31, 3, 0x20, 4, 0x03f9, "BAR4", 0x20);                   /* over the console UART */
    check_refused(&s, 31, 3, 0x20, 1, 0xf9, "BAR4", 0x20);                     /* one byte of it */
    check_refused(&s, 31, 3, 0x40, 1, 0x01, "HOSTC", 0x40);
    struct pci_fn_info p = fn(0x8086, 0xa121, PCI_ROLE_PMC);
    check_refused(&p, 31, 2, 0x40, 4, 0xc001, "ABASE", 0x40);
    check_refused(&p, 31, 2, 0x44, 1, 0x00, "ACTL", 0x44);
    check_refused(&p, 31, 2, 0x48, 4, 0xfe000000, "PWRMBASE", 0x48);
}

TEST(unknown_chipset)
{
    struct pci_fn_info h = fn(0x1022, 0x1480, PCI_ROLE_HOST);
    check_refused(&h, 0, 0, 0x60, 4, 0xe0000001, NULL, 0x60);
    check_refused(&h, 0, 0, 0xb8, 4, 0, NULL, 0xb8);
    CHECK_EQ(write(&h, 0, 0, 0x04, 2, 0x0006, 0).action, PCI_PASS);
    CHECK_EQ(write(&h, 0, 0, 0x10, 4, 0xffffffff, 0).action, PCI_PASS);
}

TEST(other_functions_unchanged)
{
    /* Not a chipset function: the common rows only, the rest passes as before. */
    struct pci_fn_info nic = fn(0x8086, 0x100e, PCI_ROLE_NONE);
    CHECK_EQ(write(&nic, 3, 0, 0x60, 4, 0x12345678, 0).action, PCI_PASS);
    CHECK_EQ(write(&nic, 3, 0, 0x10, 4, 0xfebc0000, 0).action, PCI_PASS);
    CHECK_EQ(write(&nic, 3, 0, 0x100, 4, 0, 0).action, PCI_PASS);
}

TEST(chipset_msi_and_reset_keep_their_judges)
{
    /* MSI on a chipset function: judged as MSI, not refused by offset. */
    struct pci_fn_info s = fn(0x8086, 0x2930, PCI_ROLE_SMBUS);
    s.msi_cap = 0x80;
    s.msi_addr_lo = 0xfee00000;
    CHECK_EQ(write(&s, 31, 3, 0x84, 4, 0xfee01000, 0).action, PCI_PASS);
    s.msi_control = 1;
    CHECK_EQ(write(&s, 31, 3, 0x84, 4, 0x0fc00000, 0).action, PCI_DENY);
    /* RESET_REG in an LPC bridge: the reset verdict, not a refusal. */
    struct pci_fn_info l = fn(0x8086, 0x3a18, PCI_ROLE_LPC);
    l.reset_reg = true;
    l.reset_off = 0xcf;
    l.reset_value = 0x06;
    CHECK_EQ(write(&l, 31, 0, 0xcf, 1, 0x06, 0).action, PCI_RESET);
    check_refused(&l, 31, 0, 0xcc, 4, 0x06000000 | 1, NULL, 0xcc);   /* with a byte no row allows */
}

TEST(rows_are_complete)
{
    for (unsigned i = 0; i < pci_chipset_reg_count; i++) {
        const struct pci_chipset_reg *r = &pci_chipset_regs[i];
        CHECK(r->width >= 1);
        CHECK((unsigned)r->reg + r->width <= 0x100);
        CHECK(r->kind <= PCI_REG_DENY);
        /* A name needs a reason; only a DENY row may go unnamed (refused by offset). */
        CHECK(!r->name || (r->why && r->why[0]));
        CHECK(r->name || r->kind == PCI_REG_DENY);
        CHECK(r->kind != PCI_REG_BAR || r->reg == 0x30 || (r->reg >= 0x10 && r->reg <= 0x24 && r->width == 4));
        /* Every allowed byte is allowed for a reason the row gives. */
        CHECK(r->kind == PCI_REG_DENY || r->why);
    }
    CHECK_EQ(pci_chipset_bar_index(0x10), 0);
    CHECK_EQ(pci_chipset_bar_index(0x24), 5);
    CHECK_EQ(pci_chipset_bar_index(0x30), 6);
    CHECK(pci_chipset_bar_probe(0, 0xfffffff0));
    CHECK(pci_chipset_bar_probe(4, 0xffffffe1 | 0x1e));
    CHECK(!pci_chipset_bar_probe(4, 0xfffffee1));
    CHECK(pci_chipset_bar_probe(6, 0xfffff801));
    CHECK(!pci_chipset_bar_probe(6, 0xffff0000));
}

UNIT_MAIN(T(i440fx_host_bridge), T(q35_mch), T(ich9_lpc), T(piix_functions), T(smbus_and_pmc), T(unknown_chipset),
          T(other_functions_unchanged), T(chipset_msi_and_reset_keep_their_judges), T(rows_are_complete))
