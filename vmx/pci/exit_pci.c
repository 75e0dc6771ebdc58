/*
 * PCI configuration mechanism #1 for the guest (vmx/pci/exit_pci.h).  The CPU
 * cannot make single configuration registers exit, only the two ports, so
 * every access exits: reads cost one exit and return the device's value,
 * writes are checked against vmx/policy/pci_policy.c first.  No guest access
 * reaches CONFIG_DATA or the chipset's CONFIG_ADDRESS (vmx/pci/config_mech1.h).
 */
#include "vmx/pci/exit_pci.h"

#include "kernel/acpi/acpi_power.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/lib/format.h"
#include "kernel/pci/chipset.h"
#include "kernel/pci/pci.h"
#include "vmx/pci/config_mech1.h"
#include "vmx/policy/io_bitmap.h"
#include "vmx/policy/pci_policy.h"

/* The guest's CONFIG_ADDRESS (one register for the machine, as in the chipset). */
static volatile uint32_t guest_config_address;

/*
 * The chipset's CONFIG_ADDRESS belongs to Skiff (kernel/pci/pci.c): a guest access to
 * CONFIG_DATA is never forwarded, since it would reach whatever register Skiff
 * addressed last, unjudged.  A configuration access of the guest's becomes one of
 * Skiff's; CONFIG_DATA outside one (enable bit clear, or crossing the dword) is
 * emulated as the chipset answers it, reads all ones and writes dropped
 * (vmx/pci/config_mech1.h); the other ports of such an access, and byte or word
 * accesses at 0xCF8-0xCFB (0xCF9: reset control, judged by the I/O policy before
 * this), go to their own ports.
 */
static uint8_t port_in8(uint16_t port) { return (uint8_t)pci_port_in(port, 1); }
static void port_out8(uint16_t port, uint8_t v) { pci_port_out(port, 1, v); }

uint32_t pci_io_in(uint16_t port, unsigned size)
{
    struct mech1_access m;
    mech1_decode(guest_config_address, port, size, &m);
    switch (m.kind) {
    case MECH1_ADDRESS:
        return guest_config_address;
    case MECH1_CONFIG:
        return pci_cfg_read(m.addr, size);
    case MECH1_PORTS:
        break;
    }
    if (!m.unclaimed)
        return pci_port_in(port, size);              /* the access as the guest made it */
    return mech1_ports_in(&m, port, size, port_in8);
}

/* What Skiff reads of the function before judging a write to it. */
static void fn_info(struct pci_addr a, struct pci_fn_info *f)
{
    struct pci_addr fn = { a.bus, a.dev, a.fn, 0 };
    uint32_t id = pci_cfg_read(fn, 4);
    *f = (struct pci_fn_info){ .vendor = (uint16_t)id, .device = (uint16_t)(id >> 16) };
    /* A chipset function (kernel/pci/chipset.h): deny by default, its BARs as at boot. */
    const struct pci_chipset_fn *c = pci_chipset_at(a);
    if (c && c->vendor == f->vendor && c->device == f->device) {
        f->role = c->role;
        for (unsigned i = 0; i < PCI_CHIPSET_BARS; i++)
            f->bar_boot[i] = c->bar[i];
    } else if (a.bus == 0) {
        struct pci_addr class_rev = { 0, a.dev, a.fn, 0x08 };
        f->role = (uint8_t)pci_chipset_role(f->vendor, f->device, pci_cfg_read(class_rev, 4));
    }
    f->msi_cap = pci_find_cap(fn, PCI_CAP_ID_MSI);
    if (f->msi_cap) {
        fn.reg = (uint16_t)(f->msi_cap + 2);
        f->msi_control = (uint16_t)pci_cfg_read(fn, 2);
        f->msi_64bit = f->msi_control & (1u << 7);
        fn.reg = (uint16_t)(f->msi_cap + 4);
        f->msi_addr_lo = pci_cfg_read(fn, 4);
        fn.reg = (uint16_t)(f->msi_cap + 8);
        f->msi_addr_hi = f->msi_64bit ? pci_cfg_read(fn, 4) : 0;
    }
    /* RESET_REG in PCI configuration space: bus 0, device 63:32... (ACPI 6.4, 5.2.3.2). */
    if (acpi_host_ok && acpi_host.has_reset && acpi_host.reset_space == ACPI_SPACE_PCI && a.bus == 0 &&
        a.dev == ((acpi_host.reset_addr >> 32) & 31) && a.fn == ((acpi_host.reset_addr >> 16) & 7)) {
        f->reset_reg = true;
        f->reset_off = (uint16_t)(acpi_host.reset_addr & 0xff);
        f->reset_value = acpi_host.reset_value;
    }
}

/* After a write to a PM-block register: where the block is now. */
static void follow_pm_block(struct pci_addr a, const struct pci_rule *r)
{
    static uint16_t last = 0xffff;
    struct pci_addr base = { a.bus, a.dev, a.fn, r->base_reg };
    uint16_t port = (uint16_t)(pci_cfg_read(base, 2) & r->base_mask);
    if (r->enable_reg) {
        struct pci_addr en = { a.bus, a.dev, a.fn, r->enable_reg };
        if (!((pci_cfg_read(en, 1) >> r->enable_bit) & 1))
            port = 0;
    }
    uint16_t pm1a = port ? (uint16_t)(port + 4) : 0;
    if (pm1a == last)
        return;
    last = pm1a;
    io_follow_pm1a(pm1a);
    if (pm1a)
        pr_info("skiff: pci: %02x:%02x.%x: the guest put the ACPI PM block at 0x%x (%s): PM1a_CNT 0x%x "
                "is watched there\n", a.bus, a.dev, a.fn, port, r->why, pm1a);
    else
        pr_info("skiff: pci: %02x:%02x.%x: the guest disabled the ACPI PM block (%s)\n", a.bus, a.dev, a.fn,
                r->why);
}

/* A refused write: named and dropped; the guest runs on.  The first REFUSE_LINES are printed. */
#define REFUSE_LINES 32
static volatile unsigned refused;

static void refuse(struct pci_addr a, const struct pci_fn_info *f, unsigned size, uint32_t value,
                   const struct pci_decision *d)
{
    unsigned n = __atomic_add_fetch(&refused, 1, __ATOMIC_RELAXED);
    if (n > REFUSE_LINES)
        return;
    char reg[48];
    if (d->reg_name)
        snprintf(reg, sizeof reg, "%s (0x%x)", d->reg_name, d->reg_off);
    else
        snprintf(reg, sizeof reg, "register 0x%x", d->reg_off);
    kprintf("skiff: pci: write to %02x:%02x.%x %s refused: %s [%04x:%04x %s, %u byte(s) 0x%x at 0x%x]%s\n", a.bus,
            a.dev, a.fn, reg, d->why, f->vendor, f->device, pci_chipset_role_name((enum pci_chipset_role)f->role),
            size, value, a.reg, n == REFUSE_LINES ? "; further refusals are not printed" : "");
}

bool pci_judge_write(struct vcpu *v, struct pci_addr a, unsigned size, uint32_t *value,
                     const struct pci_rule **pm_block, enum exit_action *act)
{
    *pm_block = NULL;
    struct pci_fn_info f;
    fn_info(a, &f);
    if (f.vendor == 0xffff)                    /* no function there: nothing to protect */
        return true;
    struct pci_decision d;
    struct pci_addr dword = a;
    dword.reg &= ~3u;
    pci_policy_write(&f, a, size, *value, pci_cfg_read(dword, 4), &d);
    switch (d.action) {
    case PCI_DENY:
        *act = vcpu_stop(v, GUEST_STOPPED, 1,
                         "stopped: PCI %02x:%02x.%x (%04x:%04x) register 0x%x: the guest %s (0x%08x%08x), "
                         "which makes the device's interrupt a memory write; refused",
                         a.bus, a.dev, a.fn, f.vendor, f.device, a.reg, d.why, d.addr_hi, d.addr_lo);
        return false;
    case PCI_REFUSE:
        refuse(a, &f, size, *value, &d);
        *act = EXIT_RESUME;
        return false;
    case PCI_RESET:
        *act = vcpu_stop(v, GUEST_RESET, 0, "reset the machine (PCI %02x:%02x.%x register 0x%x: %s)", a.bus, a.dev,
                         a.fn, a.reg, d.why);
        return false;
    case PCI_PASS:
        break;
    }
    *value = d.value;
    *pm_block = d.pm_block;
    return true;
}

void pci_after_write(struct pci_addr a, const struct pci_rule *pm_block)
{
    if (pm_block)
        follow_pm_block(a, pm_block);
}

enum exit_action pci_io_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    struct mech1_access m;
    mech1_decode(guest_config_address, port, size, &m);
    switch (m.kind) {
    case MECH1_ADDRESS:
        guest_config_address = val;
        return EXIT_RESUME;
    case MECH1_PORTS:
        if (!m.unclaimed)
            pci_port_out(port, size, val);
        else
            mech1_ports_out(&m, port, size, val, port_out8);
        return EXIT_RESUME;
    case MECH1_CONFIG:
        break;
    }
    const struct pci_rule *pm;
    enum exit_action act;
    if (!pci_judge_write(v, m.addr, size, &val, &pm, &act)) {
        vcpu_skip_insn(v);
        return act;
    }
    pci_cfg_write(m.addr, size, val);
    pci_after_write(m.addr, pm);
    return EXIT_RESUME;
}
