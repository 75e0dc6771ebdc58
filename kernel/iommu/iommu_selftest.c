/*
 * selftest=iommu: VT-d set up as for a guest (the same domain builder, from
 * the same guest memory map and withheld set), then QEMU's edu device
 * (vendor 0x1234, device 0x11e8; Debian's qemu-system-data, specs/edu.txt)
 * DMAs both ways to a guest page, which must work, and to each kind of page
 * Skiff owns, which must be blocked: a fault recorded for that page and
 * direction, the page unchanged.  Runs before the VMX check, so QEMU TCG can
 * run it.  Last, a DMA write into PCI configuration space (ECAM), which the
 * domain leaves out too.  With iommu=off the same DMAs show the attack going
 * through (the pages and the register are restored afterwards).
 */
#include "kernel/iommu/iommu_selftest.h"

#include "kernel/acpi/acpi_power.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/end/runend.h"
#include "kernel/iommu/iommu.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memmap.h"
#include "kernel/mem/memory.h"
#include "kernel/pci/pci.h"

/* edu registers (BAR0) and its DMA buffer's device address */
#define EDU_ID        0x00
#define EDU_DMA_SRC   0x80
#define EDU_DMA_DST   0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD   0x98
#define EDU_CMD_START 1u
#define EDU_CMD_TO_RAM 2u          /* direction: 0 RAM to edu, 1 edu to RAM */
#define EDU_BUF       0x40000ull
#define DMA_LEN       16u

extern char _image_start[];
extern char boot_stack[];

static uint8_t victim_image[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static volatile uint8_t *edu;
static uint16_t edu_sid;
static struct guest_memmap st_map;
static struct rangeset st_withheld;

static uint64_t image_phys(const void *p) { return image_phys_start() + (uint64_t)((const char *)p - _image_start); }

static bool edu_dma(uint64_t src, uint64_t dst, bool to_ram)
{
    *(volatile uint64_t *)(edu + EDU_DMA_SRC) = src;
    *(volatile uint64_t *)(edu + EDU_DMA_DST) = dst;
    *(volatile uint64_t *)(edu + EDU_DMA_COUNT) = DMA_LEN;
    *(volatile uint64_t *)(edu + EDU_DMA_CMD) = EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0);
    for (unsigned i = 0; i < 200000000u; i++)       /* edu takes 100 ms of virtual time */
        if (!(*(volatile uint64_t *)(edu + EDU_DMA_CMD) & EDU_CMD_START))
            return true;
    return false;
}

struct target {
    const char *kind;
    uint64_t pa;             /* the 16 bytes the device aims at */
};

/* A fault for addr's page, in that direction, from edu; the other faults are printed and counted too. */
static bool fault_seen(uint64_t addr, bool write, unsigned *others)
{
    struct iommu_fault f[8];
    unsigned n = iommu_fault_poll(f, 8);
    bool seen = false;
    for (unsigned i = 0; i < n && i < 8; i++) {
        if (f[i].addr == (addr & PAGE_MASK) && f[i].write == write && f[i].sid == edu_sid)
            seen = true;
        else
            (*others)++;
    }
    return seen;
}

static unsigned run_tests(const struct target *t, unsigned nt, uint64_t guest)
{
    unsigned ok = 0, others = 0;
    uint8_t pattern[DMA_LEN], before[DMA_LEN], after[DMA_LEN];
    uint8_t *g = phys_to_virt(guest);
    uint8_t saved_guest[DMA_LEN];
    static const uint8_t zero16[DMA_LEN];

    memcpy(saved_guest, g, DMA_LEN);
    for (unsigned i = 0; i < DMA_LEN; i++)
        pattern[i] = (uint8_t)(0xa5 ^ (i * 17));
    /* A guest page both ways: the pattern into the device, then back into the cleared page. */
    memcpy(g, pattern, DMA_LEN);
    bool r_ok = edu_dma(guest, EDU_BUF, false) && !fault_seen(guest, false, &others);
    memset(g, 0, DMA_LEN);
    bool w_ok = edu_dma(EDU_BUF, guest, true) && !fault_seen(guest, true, &others) && !memcmp(g, pattern, DMA_LEN);
    kprintf("skiff: iommu selftest: DMA read from a guest page 0x%llx: %s\n", (unsigned long long)guest,
            r_ok ? "ok" : "FAILED");
    kprintf("skiff: iommu selftest: DMA write to a guest page 0x%llx: %s\n", (unsigned long long)guest,
            w_ok ? "ok, data checked" : "FAILED (data not there)");
    ok += r_ok + w_ok;

    for (unsigned k = 0; k < nt; k++) {
        uint8_t *p = phys_to_virt(t[k].pa);
        memcpy(before, p, DMA_LEN);
        /* Write: the device's buffer (the pattern) onto Skiff's page. */
        bool done = edu_dma(EDU_BUF, t[k].pa, true);
        memcpy(after, p, DMA_LEN);
        memcpy(p, before, DMA_LEN);             /* iommu=off: undo the attack */
        bool unchanged = !memcmp(before, after, DMA_LEN);
        bool blocked = done && fault_seen(t[k].pa, true, &others) && unchanged;
        kprintf("skiff: iommu selftest: DMA write to %s 0x%llx: %s\n", t[k].kind, (unsigned long long)t[k].pa,
                blocked ? "blocked, the page unchanged"
                        : unchanged ? "FAILED (no fault recorded)" : "went through: the device overwrote Skiff's page");
        ok += blocked;
        /* Read: the pattern into the device first, then Skiff's bytes over it, then the
         * device's buffer into the guest page.  A blocked read may leave the pattern or zeros. */
        memcpy(g, pattern, DMA_LEN);
        done = edu_dma(guest, EDU_BUF, false) && edu_dma(t[k].pa, EDU_BUF, false);
        bool r_fault = fault_seen(t[k].pa, false, &others);
        memset(g, 0xee, DMA_LEN);
        done = done && edu_dma(EDU_BUF, guest, true);
        bool telling = memcmp(before, pattern, DMA_LEN) && memcmp(before, zero16, DMA_LEN);
        bool leaked = telling ? !memcmp(g, before, DMA_LEN) : !r_fault;
        bool r_blocked = done && r_fault && !leaked;
        kprintf("skiff: iommu selftest: DMA read from %s 0x%llx: %s\n", t[k].kind, (unsigned long long)t[k].pa,
                r_blocked ? "blocked" : !iommu_active ? "went through: the device read Skiff's page"
                                                      : "FAILED (no fault recorded or data leaked)");
        ok += r_blocked;
        fault_seen(guest, true, &others);
    }
    memcpy(g, saved_guest, DMA_LEN);
    if (others)
        kprintf("skiff: iommu selftest: %u other fault(s) recorded\n", others);
    return ok;
}

/*
 * A DMA write into PCI configuration space (ECAM): the edu function's own dwords 0x30-0x3f,
 * with its interrupt line (0x3c, a read-write register) changed.  Through, it is a
 * configuration write no mediation sees; the domain leaves ECAM out, so it must fault.
 */
static unsigned ecam_test(unsigned bus, unsigned dev, unsigned fn, uint64_t guest)
{
    uint64_t pa = 0;
    for (unsigned i = 0; acpi_host_ok && i < acpi_host.necam; i++) {
        const struct acpi_ecam *e = &acpi_host.ecam[i];
        if (e->segment == 0 && bus >= e->start_bus && bus <= e->end_bus)
            pa = e->base + ((uint64_t)bus << 20 | dev << 15 | fn << 12) + 0x30;
    }
    if (!pa) {
        kprintf("skiff: iommu selftest: no ECAM window (no MCFG): the DMA write to configuration space skipped\n");
        return 1;
    }
    uint8_t *g = phys_to_virt(guest), saved[DMA_LEN], cfg[DMA_LEN];
    memcpy(saved, g, DMA_LEN);
    for (unsigned i = 0; i < DMA_LEN; i += 4) {
        uint32_t v = pci_read32(bus, dev, fn, 0x30 + i);
        memcpy(cfg + i, &v, 4);
    }
    uint8_t line = cfg[12];
    cfg[12] = (uint8_t)(line ^ 0x5a);
    memcpy(g, cfg, DMA_LEN);
    unsigned others = 0;
    bool done = edu_dma(guest, EDU_BUF, false) && edu_dma(EDU_BUF, pa, true);
    bool fault = fault_seen(pa, true, &others);
    uint8_t now = pci_read8(bus, dev, fn, 0x3c);
    memcpy(g, saved, DMA_LEN);
    if (now != line) {                                  /* iommu=off: undo the attack */
        uint32_t dw = pci_read32(bus, dev, fn, 0x3c);
        pci_write32(bus, dev, fn, 0x3c, (dw & ~0xffu) | line);
    }
    bool blocked = done && fault && now == line;
    kprintf("skiff: iommu selftest: DMA write to PCI configuration space (ECAM 0x%llx, the device's interrupt "
            "line 0x%x -> 0x%x): %s\n", (unsigned long long)pa, line, cfg[12],
            blocked ? "blocked, the register unchanged"
                    : now != line ? "went through: the device wrote a configuration register"
                                  : "FAILED (no fault recorded)");
    if (others)
        kprintf("skiff: iommu selftest: %u other fault(s) recorded\n", others);
    return blocked;
}

/* 16 zero bytes in the page at pa (an unused slot of a table), from offset `from`. */
static uint64_t zero_slot(uint64_t pa, unsigned from)
{
    const uint64_t *q = phys_to_virt(pa);
    for (unsigned off = from; off + DMA_LEN <= PAGE_SIZE; off += DMA_LEN)
        if (!q[off / 8] && !q[off / 8 + 1])
            return pa + off;
    return pa + from;
}

void iommu_selftest(const struct skiff_config *cfg, const struct mb2_info *mb)
{
    kprintf("skiff: iommu selftest: VT-d as for a guest, then edu DMA to a guest page and to Skiff's pages\n");
    if (!iommu_active && cfg->iommu != IOMMU_OFF) {
        kprintf("skiff: error: selftest=iommu: no usable IOMMU\n");
        run_end(SKIFF_UNSUPPORTED);
    }
    unsigned bus, dev, fn;
    if (!pci_find(0x1234, 0x11e8, &bus, &dev, &fn)) {
        kprintf("skiff: error: selftest=iommu: no edu device (PCI 1234:11e8; QEMU -device edu)\n");
        run_end(SKIFF_UNSUPPORTED);
    }
    uint64_t bar = pci_bar_mem(bus, dev, fn, 0);
    if (!bar || bar >= (1ull << 32)) {
        kprintf("skiff: error: selftest=iommu: edu BAR0 0x%llx not usable\n", (unsigned long long)bar);
        run_end(SKIFF_UNSUPPORTED);
    }
    edu = phys_to_virt(bar);
    edu_sid = (uint16_t)(bus << 8 | dev << 3 | fn);
    pci_write32(bus, dev, fn, PCI_COMMAND, pci_read32(bus, dev, fn, PCI_COMMAND) | PCI_CMD_MEMORY | PCI_CMD_MASTER);
    kprintf("skiff: iommu selftest: edu at %02x:%02x.%u, BAR0 0x%llx, id 0x%x\n", bus, dev, fn,
            (unsigned long long)bar, *(volatile uint32_t *)(edu + EDU_ID));

    /* Skiff's pages of each kind, before the domain is built (they must be withheld). */
    uint64_t vmcs_like = alloc_page("IOMMU self-test target (a VMCS-like page)");
    memset(phys_to_virt(vmcs_like), 0x5c, DMA_LEN);
    memset(victim_image, 0x3c, sizeof victim_image);
    struct target t[6] = {
        { "Skiff's image", image_phys(victim_image) },
        { "a Skiff stack (boot stack, lowest page)", image_phys(boot_stack) },
        { "a VMCS-like page (allocated as VMCS and EPT pages are)", vmcs_like },
        { "Skiff's page table (CR3)", zero_slot(read_cr3() & PAGE_MASK, 0x800) },
        { 0, 0 }, { 0, 0 },
    };
    unsigned nt = 4;

    /* The domain exactly as for a guest: the same memory map and withheld set as the EPT's. */
    uint64_t owned;
    do {
        owned = rangeset_bytes(&host_pmm.owned);
        if (guest_memmap_build(mb->mmap, mb->nmmap, &host_pmm.owned, cfg->guest_mem, &st_map, &st_withheld) ||
            iommu_withhold(&st_withheld) || iommu_domain_build(&st_map, &st_withheld, 0)) {
            kprintf("skiff: error: selftest=iommu: building the domain failed\n");
            run_end(SKIFF_HOST_FAULT);
        }
    } while (owned != rangeset_bytes(&host_pmm.owned));
    if (iommu_active) {
        t[nt++] = (struct target){ "the IOMMU's root table", zero_slot(iommu_root_table(), PAGE_SIZE - DMA_LEN) };
        t[nt++] = (struct target){ "the IOMMU's second-level table", zero_slot(iommu_domain_table(), 0x800) };
    }
    int st = iommu_enable();
    if (st)
        run_end(st);

    /* A guest page: the first whole page of guest RAM at or above 1 MiB. */
    uint64_t guest = 0;
    for (size_t i = 0; !guest && i < st_map.n; i++)
        if (st_map.e[i].type == E820_RAM && st_map.e[i].base >= (1u << 20) && st_map.e[i].len >= PAGE_SIZE)
            guest = (st_map.e[i].base + PAGE_SIZE - 1) & PAGE_MASK;
    unsigned total = 3 + 2 * nt;
    unsigned ok = run_tests(t, nt, guest) + ecam_test(bus, dev, fn, guest);
    kprintf("skiff: iommu selftest %u of %u ok%s\n", ok, total,
            cfg->iommu == IOMMU_OFF ? " (iommu=off: the device reached Skiff's pages)" : "");
    run_end(ok == total ? SKIFF_OK : SKIFF_GUEST_FAILED);
}
