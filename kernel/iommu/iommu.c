/*
 * VT-d DMA remapping on the host; see kernel/iommu/iommu.h.  Register-based
 * invalidation (VT-d spec 6.5.1); queued invalidation and interrupt
 * remapping are left off.
 */
#include "kernel/iommu/iommu.h"

#include "kernel/acpi/acpi_power.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/end/panic.h"
#include "kernel/end/runend.h"
#include "kernel/firmware/acpi_dmar.h"
#include "kernel/iommu/iommu_pt.h"
#include "kernel/iommu/iommu_regs.h"
#include "kernel/lib/format.h"
#include "kernel/mem/memory.h"
#include "kernel/pci/pci.h"

#define IOMMU_DID 1            /* the one domain (0 is reserved with CAP.CM, 9.3) */
#define IOMMU_SPIN 10000000u

struct vtd_unit {
    const struct dmar_drhd *drhd;
    volatile uint8_t *regs;
    uint64_t cap, ecap;
    uint64_t root;             /* root table (9.1): 256 entries of 16 bytes */
    uint64_t reg_span;         /* bytes of register space withheld */
    bool four_level;           /* AW 48-bit 4-level, else 39-bit 3-level */
};

bool iommu_active;
static struct dmar_info dmar;
static struct vtd_unit units[DMAR_MAX_DRHD];
static unsigned nunits;
static struct vtd_pt domain;
static bool all_coherent = true;

static uint32_t reg32(const struct vtd_unit *u, unsigned off) { return *(volatile uint32_t *)(u->regs + off); }
static uint64_t reg64(const struct vtd_unit *u, unsigned off) { return *(volatile uint64_t *)(u->regs + off); }
static void set32(const struct vtd_unit *u, unsigned off, uint32_t v) { *(volatile uint32_t *)(u->regs + off) = v; }
static void set64(const struct vtd_unit *u, unsigned off, uint64_t v) { *(volatile uint64_t *)(u->regs + off) = v; }

/* Wait until (reg & mask) == want; false after IOMMU_SPIN reads. */
static bool wait_reg(const struct vtd_unit *u, unsigned off, uint64_t mask, uint64_t want, bool wide)
{
    for (unsigned i = 0; i < IOMMU_SPIN; i++) {
        if (((wide ? reg64(u, off) : reg32(u, off)) & mask) == want)
            return true;
        cpu_pause();
    }
    return false;
}

/*
 * A global command (11.4.4): GCMD gets the persistent bits GSTS shows, with
 * `bit` set or cleared; then GSTS must follow.  One-shot bits (SRTP, WBF)
 * are waited for as the spec says: RTPS set, WBFS clear.
 */
static bool gcmd(const struct vtd_unit *u, uint32_t bit, bool on)
{
    uint32_t st = reg32(u, VTD_GSTS_REG) & VTD_GCMD_PERSISTENT;
    set32(u, VTD_GCMD_REG, on ? st | bit : st & ~bit);
    if (bit == VTD_GCMD_WBF)
        return wait_reg(u, VTD_GSTS_REG, bit, 0, false);
    return wait_reg(u, VTD_GSTS_REG, bit, on ? bit : 0, false);
}

static uint64_t *va(uint64_t pa) { return phys_to_virt(pa); }

static uint64_t pt_alloc(void *ctx) { (void)ctx; return alloc_page("IOMMU second-level tables"); }
static void *pt_p2v(void *ctx, uint64_t pa) { (void)ctx; return phys_to_virt(pa); }

static void flush_page(void *ctx, void *p)
{
    (void)ctx;
    for (unsigned i = 0; i < PAGE_SIZE; i += 64)
        __asm__ volatile("clflush (%0)" ::"r"((char *)p + i) : "memory");
}

/* The context table of `bus` in u's root table, allocated on first use. */
static uint64_t *context_table(struct vtd_unit *u, unsigned bus)
{
    uint64_t *root = va(u->root);
    if (!(root[2 * bus] & VTD_ROOT_P))
        root[2 * bus] = alloc_page("IOMMU context tables") | VTD_ROOT_P;
    return va(root[2 * bus] & VTD_ADDR_MASK);
}

/* Context entry (9.3) for devfn on bus: present, untranslated requests only, the domain. */
static void context_present(struct vtd_unit *u, unsigned bus, unsigned devfn)
{
    uint64_t *c = context_table(u, bus);
    c[2 * devfn] = VTD_CTX_P | VTD_CTX_TT_UNTRANSLATED;   /* SLPTPTR filled by iommu_enable */
    c[2 * devfn + 1] = (u->four_level ? VTD_CTX_AW_48 : VTD_CTX_AW_39) | (uint64_t)IOMMU_DID << VTD_CTX_DID_SHIFT;
}

static void bus_present(struct vtd_unit *u, unsigned bus)
{
    for (unsigned devfn = 0; devfn < 256; devfn++)
        context_present(u, bus, devfn);
}

/*
 * A device scope (8.3.1) to buses and devices: follow the path through the
 * bridges' secondary bus numbers; an endpoint is one devfn, a bridge every
 * bus below it.  IOAPIC, HPET and ACPI namespace scopes matter only to
 * interrupt remapping and ATS.
 */
static void scope_present(struct vtd_unit *u, const struct dmar_scope *s)
{
    if ((s->type != DMAR_SCOPE_ENDPOINT && s->type != DMAR_SCOPE_BRIDGE) || !s->npath)
        return;
    unsigned bus = s->bus;
    for (unsigned i = 0; i + 1 < s->npath; i++)
        bus = pci_read8(bus, s->path[i][0], s->path[i][1], PCI_SECONDARY_BUS);
    unsigned dev = s->path[s->npath - 1][0], fn = s->path[s->npath - 1][1];
    context_present(u, bus, dev << 3 | fn);
    if (s->type == DMAR_SCOPE_BRIDGE) {
        unsigned sec = pci_read8(bus, dev, fn, PCI_SECONDARY_BUS);
        unsigned sub = pci_read8(bus, dev, fn, PCI_SUBORDINATE_BUS);
        for (unsigned b = sec; b && b <= sub && b < 256; b++)
            bus_present(u, b);
    }
}

/* Why unit d cannot be used, or NULL. */
static const char *unit_check(struct vtd_unit *u, const struct dmar_drhd *d)
{
    u->drhd = d;
    if (d->base + 0x1000 > (1ull << 32))
        return "register base above 4 GiB (not mapped by Skiff)";
    if (d->segment && !(d->flags & DMAR_DRHD_INCLUDE_PCI_ALL))
        return "device scopes on a PCI segment other than 0";
    u->regs = (volatile uint8_t *)phys_to_virt(d->base);
    if (reg32(u, VTD_VER_REG) == 0xffffffffu)
        return "no registers at the base address";
    u->cap = reg64(u, VTD_CAP_REG);
    u->ecap = reg64(u, VTD_ECAP_REG);
    unsigned sagaw = VTD_CAP_SAGAW(u->cap);
    if (!(sagaw & (VTD_SAGAW_39 | VTD_SAGAW_48)))
        return "neither 3- nor 4-level second-level tables (CAP.SAGAW)";
    u->four_level = sagaw & VTD_SAGAW_48;
    uint64_t end = PAGE_SIZE << d->size;
    uint64_t iotlb = VTD_ECAP_IRO(u->ecap) + 16, frcd = VTD_CAP_FRO(u->cap) + 16ull * VTD_CAP_NFR(u->cap);
    end = end > iotlb ? end : iotlb;
    end = end > frcd ? end : frcd;
    u->reg_span = (end + PAGE_SIZE - 1) & PAGE_MASK;
    if (d->base + u->reg_span > (1ull << 32))
        return "registers reach above 4 GiB";
    return NULL;
}

static void say_none(const char *why)
{
    kprintf("skiff: iommu: none (%s): devices the guest programs can read and write Skiff's memory\n", why);
}

static __attribute__((noreturn)) void required_fail(const char *why)
{
    kprintf("skiff: error: iommu=required but no usable IOMMU: %s\n", why);
    run_end(SKIFF_UNSUPPORTED);
}

/* A device that reached for Skiff's pages (blocked by VT-d) fails a run that was going to pass. */
static int iommu_runend_check(int status)
{
    if (iommu_faults_report() && status == 0) {
        kprintf("skiff: iommu: a device the guest programmed tried to reach Skiff's pages (blocked): "
                "the run fails\n");
        return 1;
    }
    return status;
}

void iommu_init(const struct skiff_config *cfg, const struct mb2_info *mb)
{
    (void)mb;
    runend_set_check(iommu_runend_check);
    if (cfg->iommu == IOMMU_OFF) {
        kprintf("skiff: iommu: off (iommu=off): devices the guest programs can read and write "
                "Skiff's memory\n");
        return;
    }
    if (!acpi_host_ok || !acpi_host.dmar_addr) {
        say_none("no ACPI DMAR table");
        if (cfg->iommu == IOMMU_REQUIRED)
            required_fail("no ACPI DMAR table");
        return;
    }
    enum dmar_error e = dmar_parse_at(acpi_host.dmar_addr, acpi_host_map, 0, &dmar);
    if (e) {
        kprintf("skiff: iommu: malformed DMAR table at 0x%llx: %s (offset %u)\n",
                (unsigned long long)acpi_host.dmar_addr, dmar_strerror(e), dmar.err_offset);
        say_none("malformed DMAR table");
        if (cfg->iommu == IOMMU_REQUIRED)
            required_fail(dmar_strerror(e));
        return;
    }
    char line[320];
    /* loglevel=debug: the table's bytes, for tests/unit/kernel/firmware/test_dmar.c captures from new machines. */
    const uint8_t *raw = phys_to_virt(acpi_host.dmar_addr);
    for (uint32_t at = 0, len = *(const uint32_t *)(raw + 4); at < len; at += 16) {
        size_t k = 0;
        for (uint32_t j = at; j < len && j < at + 16; j++)
            k += (size_t)snprintf(line + k, sizeof line - k, " %02x", raw[j]);
        pr_debug("skiff: iommu: DMAR %04x:%s\n", at, line);
    }
    dmar_summary(&dmar, line, sizeof line);
    pr_info("skiff: iommu: %s\n", line);

    /* Every unit must be usable: a device behind an unusable one could still reach Skiff. */
    unsigned max_leaf = 3;
    for (unsigned i = 0; i < dmar.ndrhd; i++) {
        struct vtd_unit *u = &units[i];
        const char *why = unit_check(u, &dmar.drhd[i]);
        if (why) {
            kprintf("skiff: iommu: unit %u at 0x%llx: %s\n", i, (unsigned long long)dmar.drhd[i].base, why);
            say_none("a remapping unit Skiff cannot use");
            if (cfg->iommu == IOMMU_REQUIRED)
                required_fail(why);
            return;
        }
        unsigned sllps = VTD_CAP_SLLPS(u->cap);
        unsigned leaf = (sllps & 1) ? ((sllps & 2) ? 3 : 2) : 1;
        max_leaf = leaf < max_leaf ? leaf : max_leaf;
        all_coherent &= (u->ecap & VTD_ECAP_C) != 0;
        pr_info("skiff: iommu: unit %u at 0x%llx: VT-d %u.%u, %s tables, MGAW %u, %s leaves, %s walks, "
                "RWBF %s, CM %s, %u fault record(s)%s%s\n", i, (unsigned long long)dmar.drhd[i].base,
                (reg32(u, VTD_VER_REG) >> 4) & 0xf, reg32(u, VTD_VER_REG) & 0xf,
                u->four_level ? "48-bit 4-level" : "39-bit 3-level", VTD_CAP_MGAW(u->cap),
                leaf == 3 ? "1G/2M/4K" : leaf == 2 ? "2M/4K" : "4K",
                (u->ecap & VTD_ECAP_C) ? "coherent" : "non-coherent (CLFLUSH)",
                (u->cap & VTD_CAP_RWBF) ? "yes" : "no", (u->cap & VTD_CAP_CM) ? "yes" : "no",
                VTD_CAP_NFR(u->cap), (u->ecap & VTD_ECAP_QI) ? ", QI" : "", (u->ecap & VTD_ECAP_IR) ? ", IR" : "");
    }
    nunits = dmar.ndrhd;

    /* The fixed tables: root tables, context tables for every device in scope, the domain's PML4. */
    static const struct vtd_pt_ops ops = { pt_alloc, pt_p2v, 0 };
    if (vtd_pt_init(&domain, &ops, max_leaf))
        panic("iommu: no page for the domain");
    for (unsigned i = 0; i < nunits; i++) {
        struct vtd_unit *u = &units[i];
        u->root = alloc_page("IOMMU root tables");
        if (u->drhd->flags & DMAR_DRHD_INCLUDE_PCI_ALL) {
            /* Every bus shares one context table with all 256 entries present. */
            uint64_t *root = va(u->root);
            bus_present(u, 0);
            for (unsigned b = 1; b < 256; b++)
                root[2 * b] = root[0];
        } else {
            for (unsigned j = 0; j < u->drhd->nscopes; j++)
                scope_present(u, &dmar.scope[u->drhd->first_scope + j]);
        }
        /* The register pages are Skiff's: the EPT and the domain leave them out (iommu_withhold). */
        pmm_claim(&host_pmm, u->drhd->base, u->drhd->base + u->reg_span);
    }
    /* The guest must not find a unit to program: rename its table (kernel/firmware/acpi_dmar.h). */
    uint8_t *t = (uint8_t *)phys_to_virt(acpi_host.dmar_addr);
    dmar_hide(t, *(uint32_t *)(t + 4));
    iommu_active = true;
    pr_info("skiff: iommu: DMAR table at 0x%llx hidden from the guest (signature now XMAR); "
            "interrupt remapping off\n", (unsigned long long)acpi_host.dmar_addr);
}

int iommu_withhold(struct rangeset *withheld)
{
    for (unsigned i = 0; iommu_active && i < nunits; i++)
        if (rangeset_add(withheld, units[i].drhd->base, units[i].drhd->base + units[i].reg_span))
            return -1;
    return 0;
}

/* The MCFG's ECAM window i (its buses' part), false past the last. */
static bool ecam_range(unsigned i, uint64_t *lo, uint64_t *hi)
{
    if (!acpi_host_ok || i >= acpi_host.necam)
        return false;
    const struct acpi_ecam *e = &acpi_host.ecam[i];
    *lo = e->base + ((uint64_t)e->start_bus << 20);
    *hi = e->base + ((uint64_t)(e->end_bus + 1) << 20);
    return true;
}

int iommu_domain_build(const struct guest_memmap *map, const struct rangeset *withheld, uint64_t ro_page)
{
    if (!iommu_active)
        return 0;
    /* The same ranges, in the same order, as build_guest_memory gives the EPT (guest/run/run.c). */
    int r = vtd_pt_set(&domain, 0, 1ull << 32, VTD_SL_RW);
    for (size_t i = 0; !r && i < map->n; i++) {
        uint32_t t = map->e[i].type;
        uint64_t base = map->e[i].base, len = map->e[i].len;
        if ((t == E820_RAM || t == E820_ACPI || t == E820_NVS) && !(base & 0xfff) && !(len & 0xfff) &&
            base + len <= VTD_PT_LIMIT)
            r = vtd_pt_set(&domain, base, len, VTD_SL_RW);
    }
    /* RMRRs (8.4): the firmware's devices keep using these; they lie in reserved memory. */
    for (unsigned i = 0; !r && i < dmar.nrmrr; i++)
        if (dmar.rmrr[i].limit < VTD_PT_LIMIT)
            r = vtd_pt_set(&domain, dmar.rmrr[i].base, dmar.rmrr[i].limit + 1 - dmar.rmrr[i].base, VTD_SL_RW);
    if (!r && ro_page)
        r = vtd_pt_set(&domain, ro_page, PAGE_SIZE, VTD_SL_R);
    /* PCI configuration space (the MCFG's ECAM windows): no device reaches it, since a DMA write
     * there is a configuration write that Skiff's mediation (vmx/pci/) never sees.  Absent, not
     * read-only: no device has a reason to read it either. */
    uint64_t lo, hi;
    for (unsigned i = 0; !r && ecam_range(i, &lo, &hi); i++)
        if (lo < VTD_PT_LIMIT)
            r = vtd_pt_set(&domain, lo, (hi < VTD_PT_LIMIT ? hi : VTD_PT_LIMIT) - lo, 0);
    for (size_t i = 0; !r && i < withheld->n; i++)
        r = vtd_pt_set(&domain, withheld->r[i].base, withheld->r[i].end - withheld->r[i].base, 0);
    return r ? -1 : 0;
}

static int unit_enable(unsigned i, struct vtd_unit *u)
{
    uint32_t gsts = reg32(u, VTD_GSTS_REG);
    if ((gsts & VTD_GCMD_TE) && !gcmd(u, VTD_GCMD_TE, false))
        return -1;
    /* Register-based invalidation needs queued invalidation off (6.5.2); the firmware's
     * interrupt remapping table lies in memory the guest owns. */
    if ((gsts & VTD_GCMD_QIE) && !gcmd(u, VTD_GCMD_QIE, false))
        return -1;
    if ((gsts & VTD_GCMD_IRE) && !gcmd(u, VTD_GCMD_IRE, false))
        return -1;
    if (gsts & (VTD_GCMD_TE | VTD_GCMD_QIE | VTD_GCMD_IRE))
        pr_info("skiff: iommu: unit %u: the firmware left%s%s%s on: turned off first\n", i,
                (gsts & VTD_GCMD_TE) ? " translation" : "", (gsts & VTD_GCMD_QIE) ? " queued invalidation" : "",
                (gsts & VTD_GCMD_IRE) ? " interrupt remapping" : "");
    set32(u, VTD_FECTL_REG, VTD_FECTL_IM);     /* faults are polled, not signalled */
    iommu_fault_poll(NULL, 0);                 /* the firmware's leftovers */
    set64(u, VTD_RTADDR_REG, u->root);         /* legacy mode root table (TTM 00b) */
    if (!gcmd(u, VTD_GCMD_SRTP, true))
        return -1;
    if ((u->cap & VTD_CAP_RWBF) && !gcmd(u, VTD_GCMD_WBF, true))
        return -1;
    /* 6.5.1: context cache, then IOTLB, globally. */
    set64(u, VTD_CCMD_REG, VTD_CCMD_ICC | VTD_CCMD_GLOBAL);
    if (!wait_reg(u, VTD_CCMD_REG, VTD_CCMD_ICC, 0, true))
        return -1;
    unsigned iotlb = VTD_ECAP_IRO(u->ecap) + VTD_IOTLB_OFF;
    set64(u, iotlb, VTD_IOTLB_IVT | VTD_IOTLB_GLOBAL | VTD_IOTLB_DR | VTD_IOTLB_DW);
    if (!wait_reg(u, iotlb, VTD_IOTLB_IVT, 0, true))
        return -1;
    return gcmd(u, VTD_GCMD_TE, true) ? 0 : -1;
}

int iommu_enable(void)
{
    if (!iommu_active)
        return 0;
    uint64_t root3 = vtd_pt_root3(&domain);
    for (unsigned i = 0; i < nunits; i++) {
        struct vtd_unit *u = &units[i];
        uint64_t slpt = u->four_level ? domain.pml4 : root3, *root = va(u->root);
        for (unsigned b = 0; b < 256; b++) {
            if (!(root[2 * b] & VTD_ROOT_P))
                continue;
            uint64_t *c = va(root[2 * b] & VTD_ADDR_MASK);
            for (unsigned devfn = 0; devfn < 256; devfn++)
                if (c[2 * devfn] & VTD_CTX_P)
                    c[2 * devfn] = slpt | VTD_CTX_P | VTD_CTX_TT_UNTRANSLATED;
            if (!all_coherent)
                flush_page(0, c);
        }
        if (!all_coherent)
            flush_page(0, root);
    }
    if (!all_coherent)
        vtd_pt_each_table(&domain, flush_page, 0);
    __asm__ volatile("mfence" ::: "memory");
    for (unsigned i = 0; i < nunits; i++)
        if (unit_enable(i, &units[i])) {
            kprintf("skiff: error: iommu: unit %u at 0x%llx did not complete a command (GSTS 0x%x)\n", i,
                    (unsigned long long)units[i].drhd->base, reg32(&units[i], VTD_GSTS_REG));
            return SKIFF_UNSUPPORTED;
        }
    pr_info("skiff: iommu: DMA remapping on: %u unit(s), domain %u maps the guest's memory "
            "(%zu table pages); Skiff's pages, the IOMMU's tables and registers absent\n",
            nunits, IOMMU_DID, domain.pages);
    uint64_t lo, hi;
    for (unsigned i = 0; ecam_range(i, &lo, &hi); i++)
        pr_info("skiff: iommu: ECAM 0x%llx-0x%llx (segment %u, buses %u-%u) absent from the domain: no device "
                "writes PCI configuration space\n", (unsigned long long)lo, (unsigned long long)hi - 1,
                acpi_host.ecam[i].segment, acpi_host.ecam[i].start_bus, acpi_host.ecam[i].end_bus);
    return 0;
}

const char *iommu_fault_reason_name(unsigned reason)
{
#define VTD_REASON_CASE(n, name) case n: return name;
    switch (reason) {
        VTD_FAULT_REASONS(VTD_REASON_CASE)
    }
#undef VTD_REASON_CASE
    return "reserved or other";
}

static const char *fault_place(uint64_t addr)
{
    if (rangeset_overlaps(&host_pmm.owned, addr, addr + PAGE_SIZE))
        return "the page belongs to Skiff";
    uint64_t lo, hi;
    for (unsigned i = 0; ecam_range(i, &lo, &hi); i++)
        if (addr >= lo && addr < hi)
            return "PCI configuration space (ECAM)";
    if (vtd_pt_lookup(&domain, addr, NULL, NULL))
        return "guest memory";
    return "outside the guest's memory";
}

unsigned iommu_fault_poll(struct iommu_fault *out, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; iommu_active && i < nunits; i++) {
        const struct vtd_unit *u = &units[i];
        for (unsigned r = 0; r < VTD_CAP_NFR(u->cap); r++) {
            unsigned off = VTD_CAP_FRO(u->cap) + 16 * r;
            uint64_t hi = reg64(u, off + 8);
            if (!(hi & VTD_FRCD_F))
                continue;
            struct iommu_fault f = { .write = !(hi & VTD_FRCD_T), .sid = (uint16_t)VTD_FRCD_SID(hi),
                                     .reason = (uint8_t)VTD_FRCD_FR(hi), .addr = reg64(u, off) & PAGE_MASK };
            set32(u, off + 12, (uint32_t)(VTD_FRCD_F >> 32));   /* F is write-1-to-clear */
            kprintf("skiff: iommu: DMA %s fault: device %02x:%02x.%u, address 0x%llx, reason %u (%s): %s\n",
                    f.write ? "write" : "read", f.sid >> 8, (f.sid >> 3) & 0x1f, f.sid & 7,
                    (unsigned long long)f.addr, f.reason, iommu_fault_reason_name(f.reason), fault_place(f.addr));
            if (out && n < max)
                out[n] = f;
            n++;
        }
        if (reg32(u, VTD_FSTS_REG) & VTD_FSTS_PFO) {
            set32(u, VTD_FSTS_REG, VTD_FSTS_PFO);
            kprintf("skiff: iommu: unit %u: primary fault overflow: later faults were not recorded\n", i);
        }
    }
    return n;
}

bool iommu_faults_report(void)
{
    struct iommu_fault f[16];
    unsigned n = iommu_fault_poll(f, 16);
    bool attack = false;
    for (unsigned i = 0; i < n && i < 16; i++)
        attack |= rangeset_overlaps(&host_pmm.owned, f[i].addr, f[i].addr + PAGE_SIZE);
    return attack || n > 16;
}

uint64_t iommu_root_table(void) { return iommu_active ? units[0].root : 0; }
uint64_t iommu_domain_table(void) { return iommu_active ? domain.pml4 : 0; }
