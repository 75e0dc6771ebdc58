#include "kernel/smp/smp.h"

#include "kernel/acpi/acpi_power.h"
#include "kernel/config/skiff.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/desc.h"
#include "kernel/cpu/extable.h"
#include "kernel/cpu/idle.h"
#include "kernel/cpu/percpu.h"
#include "kernel/end/mce.h"
#include "kernel/end/runend.h"
#include "kernel/lib/format.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "kernel/smp/apic_mode.h"
#include "kernel/time/tsc.h"

extern const uint8_t smp_tramp_start[], smp_tramp_end[];
extern const uint8_t smp_tr_gdtr[], smp_tr_far32[], smp_tr_far64[], smp_tr_cr3[], smp_tr_efer[],
    smp_tr_entry[], smp_tr_stack[], smp_tr_cpu[], smp_tr_pm32[], smp_tr_lm64[], smp_tr_gdt[];
extern void smp_ap_entry64(void);

uint64_t smp_host_cr3;                   /* read by smp_ap_entry64 */
void smp_ap_main(uint64_t index);

#define AP_STACK_PAGES 4
#define AP_ONLINE  1u
#define AP_VMXON   2u
#define AP_NO_VMX  4u                    /* the CPU has no VMX or the firmware locked it off */

struct ap {
    uint32_t apic_id;
    volatile uint32_t state;
    uint64_t page;                       /* GDT copy and TSS */
    uint64_t ist;                        /* 3 IST stacks, one page each */
    uint64_t vmxon;                      /* VMXON region */
    uint64_t stack_top;                  /* its stack (AP_STACK_PAGES) */
    struct percpu pc;
};

static struct ap *aps;                   /* allocated for the CPUs of the MADT (smp_alloc) */
static unsigned naps;                    /* APs tried: CPU numbers 1..naps */
static unsigned online = 1;
static struct desc_ptr bsp_gdt, bsp_idt;
static uint64_t bsp_cr4;
static void (*volatile ap_work)(unsigned cpu);

unsigned smp_cpus_online(void) { return online; }
unsigned smp_cpu_count(void) { return naps + 1; }

static bool (*ap_vmx_enable)(uint64_t vmxon_phys, uint64_t cr4);

void smp_set_ap_vmx_enable(bool (*enable)(uint64_t vmxon_phys, uint64_t cr4)) { ap_vmx_enable = enable; }

bool smp_cpu_has_vmx(unsigned cpu)
{
    return cpu == 0 || (cpu <= naps && (aps[cpu - 1].state & AP_VMXON));
}

uint32_t smp_cpu_apic_id(unsigned cpu)
{
    return cpu == 0 ? percpu_cpu0.apic_id : aps[cpu - 1].apic_id;
}

static bool send_ipi(uint32_t apic_id, uint32_t low);

#define ICR_NMI 0x400                    /* delivery mode NMI, physical destination (SDM Vol. 3A 11.6.1) */

void smp_wake(unsigned cpu)
{
    if (cpu >= 1 && cpu <= naps && (aps[cpu - 1].state & AP_ONLINE) && idle_wake(&aps[cpu - 1].pc))
        send_ipi(aps[cpu - 1].apic_id, ICR_NMI);
}

void smp_release(void (*work)(unsigned cpu))
{
    __atomic_store_n(&ap_work, work, __ATOMIC_SEQ_CST);
    for (unsigned c = 1; c <= naps; c++)
        smp_wake(c);
}

void smp_print_idle(void)
{
    for (unsigned c = 1; c <= naps; c++)
        if (aps[c - 1].state & AP_ONLINE)
            kprintf("skiff: cpu%u idle: %llu wake-ups\n", c, (unsigned long long)aps[c - 1].pc.idle_wakeups);
}

#define OFF(sym) ((uint64_t)((sym) - smp_tramp_start))

static void put32(uint8_t *page, uint64_t off, uint32_t v) { memcpy(page + off, &v, 4); }
static void put64(uint8_t *page, uint64_t off, uint64_t v) { memcpy(page + off, &v, 8); }

static bool x2apic;
static volatile uint32_t *lapic;

#define APIC_BASE_MSR  MSR_IA32_APIC_BASE
#define X2APIC_ICR     0x830

/*
 * Send one IPI from this CPU's local APIC, in whatever state the guest left it (issue 20, item 8):
 * IA32_APIC_BASE decides the mode (EXTD: the x2APIC ICR MSR; EN alone: the xAPIC page), read and
 * written with the safe accessors, so the wrong mode is a failed send, never a host #GP.  A
 * guest that cleared EN (the APIC then sends nothing, 11.4.3) gets it set again: disabled ->
 * xAPIC is a valid transition (11.12.5), and the run is ending or starting.  A software-disabled
 * APIC (SVR bit 8 clear) still sends IPIs.  False when nothing could be sent (Bochs 2.7 ignores
 * every IA32_APIC_BASE write once EN was cleared).
 */
static bool send_ipi(uint32_t apic_id, uint32_t low)
{
    uint64_t base;
    if (!rdmsr_safe(APIC_BASE_MSR, &base))
        return false;
    if (!(base & APIC_BASE_EN) &&
        (!wrmsr_safe(APIC_BASE_MSR, (base & ~APIC_BASE_EXTD) | APIC_BASE_EN) ||
         !rdmsr_safe(APIC_BASE_MSR, &base) || !(base & APIC_BASE_EN)))
        return false;
    if (base & APIC_BASE_EXTD)
        return wrmsr_safe(X2APIC_ICR, (uint64_t)apic_id << 32 | low);
    if (x2apic && apic_id > 0xfe && (low & (3u << 18)) == 0)
        return false;                    /* an x2APIC id the xAPIC cannot name */
    /* The guest cannot move the page (vmx/exit/exit_msr.c refuses a new base): Skiff's mapping. */
    lapic[0x310 / 4] = apic_id << 24;
    lapic[0x300 / 4] = low;
    for (unsigned i = 0; i < 100000 && (lapic[0x300 / 4] & (1u << 12)); i++)
        cpu_pause();                     /* delivery status: send pending */
    return true;
}

static uint32_t bsp_apic_id(void)
{
    if (x2apic)
        return (uint32_t)rdmsr(0x802);
    return lapic[0x20 / 4] >> 24;
}

/* A page below 1 MiB for the trampoline: usable RAM, not the boot information, no module. */
static uint64_t tramp_page(const struct mb2_info *mb, uint64_t info_lo, uint64_t info_hi)
{
    /* From just above the loaders' 0x10000-0x1ffff upwards: the top of base memory is
     * where firmware and guests look for the EBDA and MP tables.  guest=chain: from the top
     * down instead, so that Skiff's pages below 640 KiB end base memory (guest/loader/chain.c
     * lowers the BDA's base-memory word below them) rather than punch a hole in it. */
    bool down = skiff_cfg.guest_chain;
    for (uint64_t p = down ? 0x9f000 : 0x20000; down ? p >= 0x20000 : p < 0x9f000; p += down ? -0x1000ull : 0x1000) {
        bool usable = false;
        for (size_t i = 0; i < mb->nmmap; i++)
            if (mb->mmap[i].type == MB2_MEM_AVAILABLE && mb->mmap[i].base <= p &&
                mb->mmap[i].base + mb->mmap[i].len >= p + 0x1000)
                usable = true;
        if (!usable || (p < info_hi && p + 0x1000 > info_lo))
            continue;
        for (size_t i = 0; i < mb->nmods; i++)
            if (p < mb->mods[i].end && p + 0x1000 > mb->mods[i].start)
                usable = false;
        if (usable && !rangeset_overlaps(&host_pmm.owned, p, p + 0x1000))
            return p;
    }
    return 0;
}

/*
 * Policy: no CPU may be left to the firmware while the guest runs, since
 * the guest (ring 0, owning the APIC) could start it outside VMX with
 * INIT-SIPI-SIPI (SDM Vol. 3A 9.4.4) by any destination mode or shorthand.
 * Every CPU of the MADT is held in VMX root operation, where INIT is blocked
 * (SDM Vol. 3C 24.8), or the guest is not started: each CPU that cannot be
 * is named with its reason and Skiff ends with SKIFF_UNSUPPORTED.
 */
#define REFUSE_LINES 8                   /* CPUs named one by one; the rest are counted */

static unsigned refused;

static void refuse_cpu(uint32_t apic_id, const char *why)
{
    if (refused++ < REFUSE_LINES)
        pr_err("skiff: error: CPU with APIC id %u could not be put under VMX (%s): refusing to start "
               "the guest; smp=off leaves the other CPUs to the firmware (unsafe)\n", apic_id, why);
}

/* Logical processors CPUID says this package has (SDM Vol. 2A CPUID leaves 0BH and 01H). */
static unsigned package_cpus(void)
{
    if (cpuid(0, 0).eax >= 0xb && (cpuid(0xb, 1).ebx & 0xffff))
        return cpuid(0xb, 1).ebx & 0xffff;
    struct cpuid_regs r = cpuid(1, 0);
    return (r.edx & (1u << 28)) ? (r.ebx >> 16) & 0xff : 1;   /* HTT: EBX[23:16] is valid */
}

/* No MADT to list the CPUs: refuse when CPUID shows more than this one. */
static int smp_no_madt(void)
{
    unsigned n = package_cpus();
    if (n <= 1) {
        pr_debug("skiff: smp: no MADT; CPUID reports one logical processor in this package\n");
        return 0;
    }
    pr_err("skiff: error: no MADT (ACPI %s) and CPUID reports %u logical processors in this package: "
           "the other CPUs could not be put under VMX (Skiff cannot find them): refusing to start the guest; "
           "smp=off leaves the other CPUs to the firmware (unsafe)\n",
           !acpi_host_ok ? "tables missing" : acpi_table_status_name(acpi_host.madt_status), n);
    return -1;
}

/* The CPUs to start, their per-CPU memory in one block per kind (named in the owned map). */
static void smp_alloc(unsigned n)
{
    size_t bytes = (size_t)n * sizeof(struct ap);
    aps = phys_to_virt(alloc_pages((unsigned)((bytes + PAGE_SIZE - 1) / PAGE_SIZE), "per-CPU areas (APs)"));
    uint64_t pages = alloc_pages(n, "GDT and TSS pages (APs)");
    uint64_t ist = alloc_pages(3 * n, "IST stacks: #DF, NMI, #MC (APs)");
    uint64_t vmxon = alloc_pages(n, "VMXON regions (APs)");
    uint64_t stacks = alloc_pages(AP_STACK_PAGES * n, "stacks (APs)");
    for (unsigned i = 0; i < n; i++) {
        aps[i].page = pages + i * PAGE_SIZE;
        aps[i].ist = ist + 3 * i * PAGE_SIZE;
        aps[i].vmxon = vmxon + i * PAGE_SIZE;
        aps[i].stack_top = stacks + (uint64_t)(i + 1) * AP_STACK_PAGES * PAGE_SIZE;
    }
}

#define AP_INIT_US      10000            /* after INIT, before the first SIPI */
#define AP_SIPI_US      200              /* between the two SIPIs */
#define AP_ANSWER_MS    100              /* for the AP to say it runs */

/*
 * INIT (assert), 10 ms, SIPI, 200 us, SIPI (the second only if the first was not answered), then
 * up to 100 ms for the answer: the delays of SDM Vol. 3A 9.4.4.1 "Typical BSP Initialization
 * Sequence" (8.4.4.1 in editions before 2023), timed by the calibrated TSC (kernel/time/tsc.c).
 */
static bool init_sipi_sipi(struct ap *ap, uint64_t tp)
{
    send_ipi(ap->apic_id, 0x4500);
    udelay(AP_INIT_US);
    for (int k = 0; k < 2 && !(ap->state & AP_ONLINE); k++) {
        send_ipi(ap->apic_id, 0x4600 | (uint32_t)(tp >> 12));
        udelay(AP_SIPI_US);
    }
    uint64_t t0 = rdtsc(), wait = tsc_ms(AP_ANSWER_MS);
    while (!(__atomic_load_n(&ap->state, __ATOMIC_ACQUIRE) & AP_ONLINE) && rdtsc() - t0 < wait)
        cpu_pause();
    return ap->state & AP_ONLINE;
}

/* Start one AP; a CPU that does not answer gets the whole sequence once more (an INIT resets one
 * that was still on its way: it starts over from the SIPI). */
static uint32_t start_ap(uint8_t *t, uint64_t tp, unsigned n)
{
    struct ap *ap = &aps[n];
    put64(t, OFF(smp_tr_stack), ap->stack_top);
    put64(t, OFF(smp_tr_cpu), n);
    naps = n + 1;
    __asm__ volatile("mfence" ::: "memory");
    if (!init_sipi_sipi(ap, tp)) {
        pr_warn("skiff: smp: CPU %u (APIC id %u) did not answer INIT-SIPI-SIPI within %u ms: trying once more\n",
                n + 1, ap->apic_id, AP_ANSWER_MS);
        init_sipi_sipi(ap, tp);
    }
    return ap->state;
}

int smp_init(const struct mb2_info *mb, uint64_t info_phys, unsigned max_cpus)
{
    const struct acpi_info *a = &acpi_host;

    uint64_t apic_base = rdmsr(0x1b);
    x2apic = apic_base & (1u << 10);
    runend_set_stop(smp_stop_others);
    lapic = (volatile uint32_t *)(apic_base & 0xfffff000ull);   /* identity mapped (below 4 GiB) */
    uint32_t self = bsp_apic_id();
    percpu_cpu0.apic_id = self;
    if (!acpi_host_ok || a->madt_status != ACPI_TABLE_OK)
        return smp_no_madt();
    if (a->ncpus < 2)
        return 0;

    /* What rules a CPU out before anything is started: the table, max_cpus=, x2APIC ids. */
    char why[96];
    unsigned kept = a->ncpus < ACPI_MAX_CPUS ? a->ncpus : ACPI_MAX_CPUS, managed = 1, n = 0;
    for (unsigned i = 0; i < kept; i++) {
        uint32_t id = a->apic_ids[i];
        if (id == self)
            continue;
        if (managed >= max_cpus) {
            snprintf(why, sizeof(why), "beyond max_cpus=%u", max_cpus);
            refuse_cpu(id, why);
        } else if (!x2apic && id > 0xfe) {
            refuse_cpu(id, "its APIC id needs x2APIC mode, which the firmware left off");
        } else {
            managed++;
        }
    }
    if (a->ncpus > ACPI_MAX_CPUS) {
        pr_err("skiff: error: %u CPU(s) after the first %u of the MADT could not be put under VMX (beyond "
               "Skiff's table of %u CPUs): refusing to start the guest; smp=off leaves the other CPUs to the "
               "firmware (unsafe)\n", a->ncpus - ACPI_MAX_CPUS, ACPI_MAX_CPUS, ACPI_MAX_CPUS);
        refused += a->ncpus - ACPI_MAX_CPUS;
    }
    uint64_t tp = refused ? 0 : tramp_page(mb, info_phys, info_phys + mb->total_size);
    if (!refused && (!tp || pmm_claim(&host_pmm, tp, tp + 0x1000))) {
        for (unsigned i = 0; i < kept; i++)
            if (a->apic_ids[i] != self)
                refuse_cpu(a->apic_ids[i], "no free page below 1 MiB for the start-up code");
    }
    if (refused)
        goto refuse;
    memory_tag(tp, tp + 0x1000, "SMP start-up page (AP trampoline)");

    /* Temporary tables: low 2 MiB identity (executable) and Skiff's higher half. */
    uint64_t pml4 = alloc_page("SMP start-up page tables");
    uint64_t pdpt = alloc_page("SMP start-up page tables"), pd = alloc_page("SMP start-up page tables");
    uint64_t *pml4v = phys_to_virt(pml4), *pdptv = phys_to_virt(pdpt), *pdv = phys_to_virt(pd);
    smp_host_cr3 = read_cr3() & ~0xfffull;
    pml4v[0] = pdpt | 3;
    pdptv[0] = pd | 3;
    pdv[0] = 0x83;                       /* 2 MiB page at 0, present, writable */
    pml4v[511] = ((uint64_t *)phys_to_virt(smp_host_cr3))[511];

    uint8_t *t = phys_to_virt(tp);
    memcpy(t, smp_tramp_start, (size_t)(smp_tramp_end - smp_tramp_start));
    put32(t, OFF(smp_tr_gdtr) + 2, (uint32_t)(tp + OFF(smp_tr_gdt)));
    put32(t, OFF(smp_tr_far32), (uint32_t)(tp + OFF(smp_tr_pm32)));
    put32(t, OFF(smp_tr_far64), (uint32_t)(tp + OFF(smp_tr_lm64)));
    put64(t, OFF(smp_tr_cr3), pml4);
    put64(t, OFF(smp_tr_efer), (1u << 8) | (rdmsr(0xc0000080) & (1u << 11)));
    put64(t, OFF(smp_tr_entry), (uint64_t)smp_ap_entry64);
    sgdt(&bsp_gdt);
    sidt(&bsp_idt);
    bsp_cr4 = read_cr4();

    smp_alloc(managed - 1);
    for (unsigned i = 0; i < kept; i++)
        if (a->apic_ids[i] != self)
            aps[n++].apic_id = a->apic_ids[i];
    for (unsigned k = 0; k < n; k++) {
        uint32_t id = aps[k].apic_id, st = start_ap(t, tp, k);
        if (!(st & AP_ONLINE)) {
            pr_warn("skiff: smp: CPU %u (APIC id %u) did not start\n", k + 1, id);
            refuse_cpu(id, "it did not start: no answer to two INIT-SIPI-SIPI sequences, 100 ms each");
            continue;
        }
        online++;
        pr_info("skiff: smp: CPU %u (APIC id %u) started: 64-bit mode, %s\n", k + 1, id,
                st & AP_VMXON ? "VMXON ok (INIT blocked)" : "no VMX, parked");
        if (!(st & AP_VMXON))
            refuse_cpu(id, "it has no VMX, or the firmware locked VMX off in IA32_FEATURE_CONTROL");
    }
    pr_info("skiff: smp: %u of %u CPU(s) online (start-up page 0x%llx, withheld from the guest)\n",
            online, a->ncpus, (unsigned long long)tp);
    if (!refused)
        return 0;
refuse:
    if (refused > REFUSE_LINES)
        pr_err("skiff: error: %u more CPU(s) could not be put under VMX: refusing to start the guest\n",
               refused - REFUSE_LINES);
    return -1;
}


static bool work_released(void *arg)
{
    (void)arg;
    return __atomic_load_n(&ap_work, __ATOMIC_SEQ_CST) != 0;
}

void smp_ap_main(uint64_t index)
{
    struct ap *ap = &aps[index];

    if (apic_selftest_firmware_x2apic)
        apic_enable_x2apic_like_firmware();   /* as firmware would have, before this CPU ran Skiff */

    /* Its own copy of Skiff's GDT, with its own TSS (the IST stacks of #DF, NMI, #MC). */
    uint8_t *page = phys_to_virt(ap->page);
    size_t glen = (size_t)bsp_gdt.limit + 1;
    if (glen > 2048)
        glen = 2048;
    memcpy(page, (const void *)bsp_gdt.base, glen);
    struct tss64 *tss = (struct tss64 *)(page + 2048);
    memset(tss, 0, sizeof(*tss));
    for (int i = 0; i < 3; i++)
        tss->ist[i] = ap->ist + (uint64_t)(i + 1) * PAGE_SIZE;
    tss->iomap_base = sizeof(*tss);
    gdt_tss_descriptor((uint64_t *)(page + SEL_TSS), (uint64_t)tss, sizeof(*tss) - 1);
    gdt_load((uint64_t)page, (uint16_t)(glen - 1));
    lidt(&bsp_idt);
    percpu_init(&ap->pc, (uint32_t)index + 1, ap->apic_id, (uint64_t)page, (uint64_t)tss);
    mce_init();                          /* CR4.MCE: a machine check raises #MC, not a shutdown */

    bool vmx = ap_vmx_enable && ap_vmx_enable(ap->vmxon, bsp_cr4);
    uint32_t st = AP_ONLINE | (vmx ? AP_VMXON : AP_NO_VMX);
    __atomic_store_n(&ap->state, st, __ATOMIC_RELEASE);

    /* VMX root operation: INIT is blocked, so only Skiff decides what this CPU runs.
     * Sleep until the guest's vCPU is handed over (vmx/smp/smp_guest.c); smp=park never
     * hands it one: it sleeps to the end of the run, whose NMI parks it. */
    if (vmx)
        idle_wait(work_released, 0);
    void (*work)(unsigned) = __atomic_load_n(&ap_work, __ATOMIC_ACQUIRE);
    if (vmx && work)
        work((unsigned)index + 1);
    for (;;)
        __asm__ volatile("cli; hlt" ::: "memory");
}

/* End a CPU's guest run: INIT makes it exit from any activity state but wait-for-SIPI,
 * where the SIPI that follows does (SDM Vol. 3C 26.8, 27.2). */
/* INIT, then a SIPI (vector 0), to all CPUs but this one (ICR shorthand 11b, SDM Vol. 3A 11.6.1). */
bool smp_kick_others(void)
{
    bool ok = send_ipi(0, 0xc4500);
    udelay(200);
    return send_ipi(0, 0xc4600) && ok;
}

void smp_kick(unsigned cpu)
{
    uint32_t id = smp_cpu_apic_id(cpu);
    send_ipi(id, 0x4500);
    udelay(200);
    send_ipi(id, 0x4600);
}

/*
 * The run ends on this CPU (kernel/end/runend.c, issue 20 item 11): every other CPU must stop
 * before the final line.  An NMI to all but this one reaches a CPU in VMX root (the host NMI
 * handler parks it) and a running vCPU (its NMI exit sees the end and parks it); INIT and SIPI
 * reach a vCPU waiting for a SIPI (its SIPI exit) and one whose NMIs exit to nowhere (INIT exit).
 * A vCPU no IPI reaches (its APIC disabled) parks at its next exit, at the latest its
 * preemption-timer tick.  Waits up to 2.5 s (the calibrated TSC) for every CPU.
 */
void smp_stop_others(void)
{
    unsigned want = online - 1;
    if (!want)
        return;
    bool sent = send_ipi(0, 0xc4400);                     /* NMI, all excluding self */
    uint64_t t0 = rdtsc();
    while (run_end_parked() < want && rdtsc() - t0 < tsc_ms(20))
        cpu_pause();
    if (run_end_parked() < want)                          /* INIT is blocked where they are parked */
        sent = smp_kick_others() && sent;
    while (run_end_parked() < want && rdtsc() - t0 < tsc_ms(2500))
        cpu_pause();
    if (run_end_parked() < want)
        kprintf("skiff: warning: %u of %u other CPU(s) did not stop (%s)\n", want - run_end_parked(), want,
                sent ? "the IPIs were sent" : "this CPU's local APIC could not send");
}
