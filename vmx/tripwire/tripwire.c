/*
 * The tripwire table (vmx/tripwire/tripwire.h).  Checked now:
 *
 *   msr_bitmap    the 4-KiB MSR bitmap = msr_policy_bitmap() of the policy table (the x2APIC
 *                 ICR's write bit may be cleared: vmx/smp/apic_write.c releases it)
 *   io_bitmaps    every bit of I/O bitmaps A and B = what vmx/policy/io_exits.c wants for the
 *                 current state (a moved PM1a_CNT, the UART's DLAB/loopback rows)
 *   host_mtrrs    this CPU's MTRRs = their values before the guest started
 *   text          FNV-1a 64 of Skiff's image from its start to the end of .text   (heavy)
 *   rodata        FNV-1a 64 of .rodata (the built-in guest images and the exception table too) (heavy)
 *   pm1a_cnt      the PM1a_CNT port io_policy watches = the one the chipset decodes: PIIX4
 *                 (8086:7113) PMBA 0x40 and PMREGMISC 0x80 bit 0, ICH9 LPC (8086:2918) PMBASE
 *                 0x40 and ACPI_CNTL 0x44 bit 7 (ACPI enable); absent elsewhere; a disabled
 *                 block (no PM1a_CNT decoded) agrees with any port Skiff watches
 *
 * Not yet covered: the ECAM base (MCFG vs the chipset's PCIEXBAR), the HPET's FSB interrupt
 * routes, the VT-d BAR and the IOMMU's registers and tables, the EPT tables, Skiff's own page
 * tables, GDT and IDT (written at run time, so not hashable as read-only).
 *
 * Heavy rows (a hash of a hundred pages and more) run at the run end, and with tripwire=always
 * after every TRIPWIRE_HEAVY_PERIOD-th exit of each CPU: every exit would slow Bochs tenfold.
 */
#include "vmx/tripwire/tripwire.h"

#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/percpu.h"
#include "kernel/lib/format.h"
#include "kernel/lib/lib.h"
#include "kernel/pci/pci.h"
#include "vmx/mem/mtrr.h"
#include "vmx/policy/io_bitmap.h"
#include "vmx/policy/msr_policy.h"
#include "vmx/smp/apic_write.h"
#include "vmx/tripwire/tripwire_core.h"

extern char _image_start[], _text_end[], _rodata_end[];

bool tripwire_every_exit;
static bool armed_at_all;
static bool at_run_end;           /* the other CPUs are stopped: raw PCI access, no lock */

static uint8_t *msr_bm, *io_bm_a, *io_bm_b;

/* ---- msr_bitmap ---- */
#define X2APIC_ICR_MSR 0x830
static uint8_t msr_want[4096] __attribute__((aligned(8)));

static bool msr_snap(void)
{
    msr_policy_bitmap(msr_want);
    return msr_bm != NULL;
}

static bool msr_check(char *d, size_t len)
{
    /* The ICR's write-exit bit is cleared by apic_trap_release once every AP runs. */
    if (apic_write_page) {
        unsigned byte = 2048 + X2APIC_ICR_MSR / 8, bit = X2APIC_ICR_MSR % 8;
        msr_want[byte] = (uint8_t)((msr_want[byte] & ~(1u << bit)) |
                                   (__atomic_load_n(&msr_bm[byte], __ATOMIC_RELAXED) & (1u << bit)));
    }
    long b = tripwire_bitmap_diff(msr_bm, msr_want, sizeof(msr_want));
    if (b < 0)
        return true;
    uint32_t msr;
    bool write;
    tripwire_msr_bit(b, &msr, &write);
    bool now = (msr_bm[b / 8] >> (b % 8)) & 1;
    snprintf(d, len, "MSR 0x%x %s: %s, the policy (%s) says %s", msr, write ? "WRMSR" : "RDMSR",
             now ? "exits" : "passes", msr_policy_lookup(msr)->name, now ? "pass" : "exit");
    return false;
}

/* ---- io_bitmaps ---- */
static uint8_t io_seen_a[4096] __attribute__((aligned(8))), io_seen_b[4096] __attribute__((aligned(8)));

static bool io_snap(void)
{
    if (!io_bm_a || !io_bm_b)
        return false;
    memcpy(io_seen_a, io_bm_a, 4096);
    memcpy(io_seen_b, io_bm_b, 4096);
    return true;
}

static bool io_check(char *d, size_t len)
{
    /* Unchanged since the last good check: nothing to look at port by port. */
    if (tripwire_bitmap_diff(io_bm_a, io_seen_a, 4096) < 0 && tripwire_bitmap_diff(io_bm_b, io_seen_b, 4096) < 0 &&
        armed_at_all)
        return true;
    const struct io_exits *x = io_bitmap_exits();
    long p = tripwire_io_mismatch(x);
    if (p < 0) {                        /* a legitimate change (UART DLAB/loopback, PM1a moved) */
        memcpy(io_seen_a, io_bm_a, 4096);
        memcpy(io_seen_b, io_bm_b, 4096);
        return true;
    }
    bool bit = io_exits_bit(x, (uint16_t)p);
    snprintf(d, len, "port 0x%lx %s, the I/O policy says it must %s", p, bit ? "exits" : "passes",
             bit ? "pass" : "exit");
    return false;
}

/* ---- host_mtrrs ---- */
static struct mtrr_state mtrr_boot;

static uint64_t host_rdmsr(uint32_t msr) { return rdmsr(msr); }

static bool mtrr_snap(void)
{
    if (!(cpuid(1, 0).edx & (1u << 12)))
        return false;
    mtrr_read(&mtrr_boot, host_rdmsr);
    return true;
}

static bool mtrr_check(char *d, size_t len)
{
    struct mtrr_state now = { .maxphyaddr = mtrr_boot.maxphyaddr };
    mtrr_read(&now, host_rdmsr);
    if (memcmp(&now, &mtrr_boot, sizeof(now)) == 0)
        return true;
    static const uint32_t fixed_msrs[MTRR_FIXED_COUNT] = { 0x250, 0x258, 0x259, 0x268, 0x269, 0x26a,
                                                           0x26b, 0x26c, 0x26d, 0x26e, 0x26f };
    uint32_t msr = 0;
    uint64_t was = 0, is = 0;
    if (now.def_type != mtrr_boot.def_type) {
        msr = 0x2ff, was = mtrr_boot.def_type, is = now.def_type;
    } else {
        for (unsigned i = 0; i < MTRR_FIXED_COUNT && !msr; i++)
            if (now.fixed[i] != mtrr_boot.fixed[i])
                msr = fixed_msrs[i], was = mtrr_boot.fixed[i], is = now.fixed[i];
        for (unsigned i = 0; i < MTRR_VAR_MAX && !msr; i++) {
            if (now.var_base[i] != mtrr_boot.var_base[i])
                msr = 0x200 + 2 * i, was = mtrr_boot.var_base[i], is = now.var_base[i];
            else if (now.var_mask[i] != mtrr_boot.var_mask[i])
                msr = 0x201 + 2 * i, was = mtrr_boot.var_mask[i], is = now.var_mask[i];
        }
    }
    snprintf(d, len, "CPU %u MSR 0x%x was 0x%llx, is 0x%llx", this_cpu()->cpu, msr, (unsigned long long)was,
             (unsigned long long)is);
    return false;
}

/* ---- text, rodata ---- */
static uint64_t text_hash, rodata_hash;

static bool text_snap(void)
{
    text_hash = tripwire_fnv1a64(_image_start, (size_t)(_text_end - _image_start));
    return true;
}

static bool rodata_snap(void)
{
    rodata_hash = tripwire_fnv1a64(_text_end, (size_t)(_rodata_end - _text_end));
    return true;
}

static bool hash_check(const char *from, const char *to, uint64_t want, char *d, size_t len)
{
    uint64_t h = tripwire_fnv1a64(from, (size_t)(to - from));
    if (h == want)
        return true;
    snprintf(d, len, "FNV-1a 64 of 0x%llx bytes was 0x%016llx, is 0x%016llx", (unsigned long long)(to - from),
             (unsigned long long)want, (unsigned long long)h);
    return false;
}

static bool text_check(char *d, size_t len) { return hash_check(_image_start, _text_end, text_hash, d, len); }
static bool rodata_check(char *d, size_t len) { return hash_check(_text_end, _rodata_end, rodata_hash, d, len); }

/* ---- pm1a_cnt ---- */
static struct {
    uint8_t bus, dev, fn;
    uint8_t base_reg, enable_reg, enable_bit;
    uint16_t base_mask;
    const char *chip;
    uint16_t arm_chip, arm_believed;   /* the pair seen at arming (they may already disagree) */
} pm;

/* At the run end the other CPUs are stopped, one may have died holding the PCI lock. */
static uint32_t cfg_read32(uint8_t reg)
{
    if (!at_run_end)
        return pci_read32(pm.bus, pm.dev, pm.fn, reg);
    uint32_t saved = inl(0xcf8);
    outl(0xcf8, 0x80000000u | (uint32_t)pm.bus << 16 | (uint32_t)pm.dev << 11 | (uint32_t)pm.fn << 8 | reg);
    uint32_t v = inl(0xcfc);
    outl(0xcf8, saved);
    return v;
}

static uint16_t pm1a_chip(void)
{
    uint16_t port = (uint16_t)(cfg_read32(pm.base_reg) & pm.base_mask);
    uint32_t en = cfg_read32(pm.enable_reg & ~3u) >> ((pm.enable_reg & 3u) * 8);
    if (!((en >> pm.enable_bit) & 1))
        port = 0;
    return port ? (uint16_t)(port + 4) : 0;
}

static uint16_t pm1a_believed(void)
{
    const struct io_policy *p = io_bitmap_exits()->policy;
    return p->pm1a_row >= 0 ? p->regs[p->pm1a_row].port : 0;
}

static bool pm_snap(void)
{
    unsigned b, d, f;
    if (pci_find(0x8086, 0x7113, &b, &d, &f))
        pm.base_reg = 0x40, pm.base_mask = 0xffc0, pm.enable_reg = 0x80, pm.enable_bit = 0, pm.chip = "PIIX4";
    else if (pci_find(0x8086, 0x2918, &b, &d, &f))
        pm.base_reg = 0x40, pm.base_mask = 0xff80, pm.enable_reg = 0x44, pm.enable_bit = 7, pm.chip = "ICH9";
    else
        return false;
    pm.bus = (uint8_t)b, pm.dev = (uint8_t)d, pm.fn = (uint8_t)f;
    pm.arm_chip = pm1a_chip();
    pm.arm_believed = pm1a_believed();
    return true;
}

static bool pm_check(char *d, size_t len)
{
    uint16_t chip = pm1a_chip(), believed = pm1a_believed();
    /* A disabled block decodes no PM1a_CNT at all: the row Skiff keeps then guards nothing and
     * misses nothing (io_policy_move_pm1a keeps it; found by the platform fuzzer). */
    if (chip == believed || chip == 0 || (chip == pm.arm_chip && believed == pm.arm_believed))
        return true;
    snprintf(d, len, "Skiff watches PM1a_CNT at 0x%x, the %s at %02x:%02x.%x decodes it at 0x%x", believed,
             pm.chip, pm.bus, pm.dev, pm.fn, chip);
    return false;
}

static const struct tripwire_row rows[] = {
    { "msr_bitmap", msr_snap, msr_check, false },
    { "io_bitmaps", io_snap, io_check, false },
    { "host_mtrrs", mtrr_snap, mtrr_check, false },
    { "pm1a_cnt", pm_snap, pm_check, false },
    { "text", text_snap, text_check, true },
    { "rodata", rodata_snap, rodata_check, true },
};

static struct tripwire_table table = { rows, sizeof(rows) / sizeof(rows[0]), { 0 } };
static unsigned n_armed;
static bool verdict_printed;

void tripwire_arm(enum tripwire_mode mode, uint8_t *msr_bitmap, uint8_t *io_a, uint8_t *io_b)
{
    msr_bm = msr_bitmap, io_bm_a = io_a, io_bm_b = io_b;
    n_armed = tripwire_arm_table(&table);
    armed_at_all = true;
    char names[160];
    size_t k = 0;
    names[0] = '\0';
    for (unsigned i = 0; i < table.n && k < sizeof(names); i++)
        if (table.armed[i])
            k += (size_t)snprintf(names + k, sizeof(names) - k, "%s%s", k ? ", " : "", rows[i].name);
    pr_info("skiff: tripwire: %u items armed (%s), checked at the run end%s\n", n_armed, names,
            mode == TRIPWIRE_ALWAYS ? " and after every exit (tripwire=always)" : "");
    tripwire_every_exit = mode == TRIPWIRE_ALWAYS;
}

int tripwire_runend_check(int status)
{
    if (!armed_at_all)
        return status;
    at_run_end = true;
    char detail[200];
    unsigned checked;
    int r = tripwire_check_table(&table, true, detail, sizeof(detail), &checked);
    if (r < 0) {
        kprintf("skiff: tripwire: %u items intact\n", checked);
        return status;
    }
    kprintf("skiff: tripwire: %s changed: %s\n", rows[r].name, detail);
    verdict_printed = true;
    return status ? status : 1;
}

static uint64_t selftest_exit;         /* selftest=tripwire tripwire=always: the exit that flips the bit */

static void flip_msr_bit(void)
{
    /* IA32_TIME_STAMP_COUNTER's WRMSR bit (write-low quarter). */
    uint32_t msr = 0x10;
    unsigned byte = 2048 + msr / 8, bit = msr % 8;
    __atomic_xor_fetch(&msr_bm[byte], (uint8_t)(1u << bit), __ATOMIC_SEQ_CST);
}

bool tripwire_check_exit(uint64_t exit_number, uint32_t reason)
{
    char detail[200];
    if (selftest_exit && exit_number == selftest_exit && this_cpu()->cpu == 0) {
        pr_info("skiff: selftest=tripwire: flipping the MSR bitmap's WRMSR bit of MSR 0x10 at exit %llu, "
                "expect the verdict\n", (unsigned long long)exit_number);
        flip_msr_bit();
    }
    unsigned checked;
    int r = tripwire_check_table(&table, exit_number % TRIPWIRE_HEAVY_PERIOD == 0, detail, sizeof(detail),
                                 &checked);
    if (r < 0)
        return true;
    tripwire_every_exit = false;        /* once: the run ends now */
    kprintf("skiff: tripwire: %s changed after exit %llu (basic reason %u): %s\n", rows[r].name,
            (unsigned long long)exit_number, reason, detail);
    return false;
}

void tripwire_selftest(void)
{
    if (tripwire_every_exit) {           /* tripwire=always: flipped during the run, at CPU 0's 100th exit */
        selftest_exit = 100;
        return;
    }
    pr_info("skiff: selftest=tripwire: flipping the MSR bitmap's WRMSR bit of MSR 0x10, expect the verdict\n");
    flip_msr_bit();
}
