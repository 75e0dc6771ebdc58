/*
 * skiff_run: VMX on, the guest's memory and EPT, the VMCS, and the run loop.
 *
 * The guest-physical space is the host-physical space (identity EPT) minus
 * every page Skiff owns: its image and everything it allocated, the EPT
 * tables included.  Memory types are the MTRRs' (SDM Vol. 3C 29.3.7): RAM
 * write-back, MMIO and holes uncacheable on sane firmware; everything below
 * 2^MAXPHYADDR beyond RAM is mapped up front or on demand (vmx/mem/ept_space.h).
 */
#include "guest/loader/boot.h"
#include "guest/loader/builtin.h"
#include "guest/loader/chain.h"
#include "guest/loader/select.h"
#include "guest/run/native.h"
#include "guest/run/run.h"
#include "kernel/config/skiff.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/extable.h"
#include "kernel/cpu/percpu.h"
#include "kernel/end/panic.h"
#include "kernel/end/runend.h"
#include "kernel/iommu/iommu.h"
#include "kernel/lib/format.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memmap.h"
#include "kernel/mem/memory.h"
#include "kernel/smp/smp.h"
#include "kernel/time/tsc.h"
#include "vmx/check/vmcheck_live.h"
#include "vmx/core/host_pages.h"
#include "vmx/core/hypercall.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_caps.h"
#include "vmx/core/vmx_errors.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/core/vmx_on.h"
#include "vmx/debug/gdbstub.h"
#include "vmx/debug/selftest.h"
#include "vmx/emulate/guest_mem.h"
#include "vmx/exit/bios_hook.h"
#include "vmx/exit/exit.h"
#include "vmx/exit/exit_setup.h"
#include "vmx/mem/ept_space.h"
#include "vmx/mem/mtrr.h"
#include "vmx/pci/ecam_write.h"
#include "vmx/pci/hpet_write.h"
#include "vmx/policy/cpuid_msr.h"
#include "vmx/policy/io_bitmap.h"
#include "vmx/smp/apic_write.h"
#include "vmx/smp/smp_guest.h"
#include "vmx/trace/trace.h"
#include "vmx/tripwire/tripwire.h"
#include "vmx/vcpu/vcpu_run.h"

static struct vcpu vcpu0;

static uint64_t host_rdmsr(uint32_t msr) { return rdmsr(msr); }

static bool host_msr_readable(uint32_t msr)
{
    uint64_t val;
    return rdmsr_safe(msr, &val);
}

/* The CPUID bits the guest will not see because their MSR is missing here (vmx/policy/cpuid_msr.h). */
static void probe_cpuid_msrs(void)
{
    struct cpuid_regs l1 = cpuid(1, 0), l6 = { 0, 0, 0, 0 };
    if (cpuid(0, 0).eax >= 6)
        l6 = cpuid(6, 0);
    if (!cpuid_msr_probe(&l1, &l6, host_msr_readable, &cpuid_hidden))
        return;
    static const char *const regs[] = { "EAX", "EBX", "ECX", "EDX" };
    char line[256];
    size_t n = 0;
    for (size_t i = 0; i < cpuid_msr_nbits && n < sizeof(line); i++) {
        const struct cpuid_msr_bit *b = &cpuid_msr_bits[i];
        if (cpuid_msr_is_hidden(&cpuid_hidden, b))
            n += (size_t)snprintf(line + n, sizeof(line) - n, "%s %02xH:%s[%u] %s (MSR 0x%x)",
                                  n ? "," : "", b->leaf, regs[b->reg], b->bit, b->name, b->msr);
    }
    pr_info("skiff: cpuid: hidden, their MSR is missing:%s\n", line);
}

static uint64_t ept_alloc(void *ctx)
{
    (void)ctx;
    return alloc_page("EPT tables");
}

static void *ept_p2v(void *ctx, uint64_t pa)
{
    (void)ctx;
    return phys_to_virt(pa);
}

static struct guest_memmap guest_map;
static struct rangeset withheld;

static struct mtrr_state mtrrs;
static bool have_mtrrs;

/*
 * Identity EPT over the guest's RAM and the MMIO below 4 GiB, with the
 * memory types the firmware's MTRRs give them (MMIO uncacheable, RAM
 * write-back on any sane firmware), without the RAM the guest does not get.
 * The rest below 2^MAXPHYADDR (vmx/mem/ept_space.h): up front too with 1 GiB
 * leaves, else on demand with table pages from `pool` (allocated by the
 * caller, so they are withheld like every page Skiff owns).
 * Unmapping can split large pages and allocate EPT tables, which are Skiff's
 * pages too: rebuild until Skiff's page set stops growing.
 */
static int build_guest_memory(const struct skiff_config *cfg, const struct mb2_info *mb, uint64_t pool)
{
    static const struct ept_ops ops = { ept_alloc, ept_p2v, 0 };
    have_mtrrs = cpuid(1, 0).edx & (1u << 12);
    if (have_mtrrs)
        mtrr_read(&mtrrs, host_rdmsr);
    mtrrs.maxphyaddr = cpuid(0x80000008, 0).eax & 0xff;
    if (have_mtrrs)
        pr_info("skiff: mtrr: %s, default type %s, %llu variable ranges, fixed ranges %s\n",
            (mtrrs.def_type & MTRR_DEF_E) ? "enabled" : "disabled (all UC)",
            mtrr_type_name(mtrrs.def_type & MTRR_DEF_TYPE_MASK),
            (unsigned long long)(mtrrs.cap & MTRRCAP_VCNT_MASK),
            (mtrrs.def_type & MTRR_DEF_FE) ? "on" : "off");
    const struct mtrr_state *mt = have_mtrrs ? &mtrrs : 0;
    int r = ept_init(&guest_ept, &ops, vmx_caps.ept_1g, vmx_caps.ept_2m);
    ept_space_init(&guest_space, &guest_ept, mt, mtrrs.maxphyaddr, &host_pmm.owned, &withheld, pool,
                   EPT_SPACE_POOL_PAGES, !smp_guest_multi());
    if (!r)
        r = ept_map_mtrr(&guest_ept, mt, 0, ept_space_up_front_end(&guest_space), EPT_MT_UC);
    uint64_t owned;
    bool ecam_done = false;
    do {
        owned = rangeset_bytes(&host_pmm.owned);
        if (!r && guest_memmap_build(mb->mmap, mb->nmmap, &host_pmm.owned, cfg->guest_mem,
                                     &guest_map, &withheld))
            r = EPT_ERR_INVAL;
        if (!r && iommu_withhold(&withheld))        /* kernel/iommu/iommu.c: its register pages */
            r = EPT_ERR_INVAL;
        for (size_t i = 0; !r && i < guest_map.n; i++) {
            uint32_t t = guest_map.e[i].type;
            uint64_t base = guest_map.e[i].base, len = guest_map.e[i].len;
            if ((t == E820_RAM || t == E820_ACPI || t == E820_NVS) && !(base & 0xfff) && !(len & 0xfff) &&
                base + len <= EPT_GPA_LIMIT)
                r = ept_map_mtrr(&guest_ept, mt, base, len, EPT_MT_WB);
        }
        if (!r && apic_write_page)          /* vmx/smp/apic_write.c: writes exit, reads do not */
            r = ept_map(&guest_ept, apic_write_page, apic_write_page, PAGE_SIZE, EPT_R, EPT_MT_UC);
        if (!r && !ecam_done) {             /* vmx/pci/ecam_write.c: the same for PCI ECAM */
            r = ecam_protect(&guest_ept);
            if (!r)                         /* vmx/pci/hpet_write.c: the HPET's FSB routes */
                r = hpet_protect(&guest_ept);
            ecam_done = true;
        }
        for (size_t i = 0; !r && i < withheld.n; i++)
            r = ept_unmap(&guest_ept, withheld.r[i].base, withheld.r[i].end - withheld.r[i].base);
        /* The VT-d domain maps the same (kernel/iommu/iommu.c); its tables are Skiff's pages too. */
        if (!r && iommu_domain_build(&guest_map, &withheld, apic_write_page))
            r = EPT_ERR_NOMEM;
    } while (!r && owned != rangeset_bytes(&host_pmm.owned));
    /* The only memory Skiff dereferences for the guest (vmx/emulate/guest_mem.h). */
    guest_ram_clear();
    for (size_t i = 0; !r && i < guest_map.n; i++) {
        uint32_t t = guest_map.e[i].type;
        if (t == E820_RAM || t == E820_ACPI || t == E820_NVS)
            guest_ram_add(guest_map.e[i].base, guest_map.e[i].len);
    }
    if (r) {
        kprintf("skiff: error: building the guest's memory failed (%d)\n", r);
        return SKIFF_HOST_FAULT;
    }
    char rest[96] = "all ";
    if (guest_space.policy->mode == EPT_SPACE_ON_DEMAND)
        snprintf(rest, sizeof(rest), "from a pool of %u table pages, the rest ", guest_space.pool_pages);
    pr_info("skiff: ept: guest-physical = host-physical minus Skiff's %llu pages "
            "(%zu EPT table pages, %s leaves), to 2^%u: %s%s\n",
            (unsigned long long)(rangeset_bytes(&host_pmm.owned) / PAGE_SIZE),
            ept_table_pages(&guest_ept),
            vmx_caps.ept_1g ? "1G/2M/4K" : vmx_caps.ept_2m ? "2M/4K" : "4K",
            (unsigned)__builtin_ctzll(guest_space.top), rest, guest_space.policy->name);
    for (size_t i = 0; i < host_pmm.owned.n; i++)
        pr_info("skiff: ept: withheld 0x%llx-0x%llx (Skiff)\n", (unsigned long long)host_pmm.owned.r[i].base,
                (unsigned long long)host_pmm.owned.r[i].end - 1);
    memory_print_owned();
    run_print_guest_map(&guest_map);
    return 0;
}

void run_print_guest_map(const struct guest_memmap *map)
{
    pr_info("skiff: guest memory: %llu KiB usable in %zu e820 entries\n",
            (unsigned long long)(guest_memmap_ram(map) >> 10), map->n);
    for (size_t i = 0; i < map->n; i++)
        pr_info("skiff: guest e820: 0x%016llx-0x%016llx %s\n", (unsigned long long)map->e[i].base,
                (unsigned long long)(map->e[i].base + map->e[i].len - 1), e820_type_name(map->e[i].type));
}

/* VMX-preemption timer ticks for `ms` milliseconds: it counts TSC >> rate (SDM 26.5.1), the TSC
 * calibrated at boot (kernel/time/tsc.c). */
static uint64_t timer_ticks(unsigned ms)
{
    uint64_t t = tsc_ms(ms) >> vmx_caps.preemption_timer_rate;
    return t ? t : 1;
}

/* A host panic shows the last exits and the VMCS too. */
static void panic_vmx_state(void)
{
    trace_dump();
    vmcs_dump();
}

int skiff_run(const struct skiff_config *cfg, const struct mb2_info *mb, uint64_t tsc_entry)
{
    struct vcpu *v = &vcpu0;
    struct guest_start gs;
    int st;

    /* Input first: a bad module is reported even where VMX is missing. */
    struct guest_selection sel;
    char err[160];
    if (guest_select(mb->mods, mb->nmods, &sel, err, sizeof(err))) {
        kprintf("skiff: error: bad guest module: %s\n", err);
        return SKIFF_BAD_INPUT;
    }
    if (cfg->guest_chain) {
        if (sel.image >= 0) {
            kprintf("skiff: error: bad guest module: guest=chain and a guest=%s module; only one guest runs\n",
                    guest_kind_name(sel.kind));
            return SKIFF_BAD_INPUT;
        }
        sel.kind = GUEST_CHAIN;
        if ((st = chain_reserve(mb)))    /* a UEFI boot is refused here, before VMX is on */
            return st;
    }
    if (cfg->vmx_off) {                  /* UNSAFE diagnostic (guest/run/native.c): no VMX from here on */
        if (sel.kind == GUEST_BUILTIN) {
            kprintf("skiff: error: bad command line: vmx=off needs a guest module (guest=linux, elf, flat); "
                    "the built-in guest talks to Skiff through VM exits\n");
            return SKIFF_BAD_INPUT;
        }
        return native_run(cfg, mb, &sel);
    }
    if (sel.kind == GUEST_BUILTIN && !builtin_test_known(cfg->guest_test)) {
        kprintf("skiff: error: bad command line: guest_test='%s' is not a built-in guest test "
                "(known: %s)\n", cfg->guest_test, builtin_test_names());
        return SKIFF_BAD_INPUT;
    }

    if ((st = vmx_enable(cfg->vmx_profile)))
        return st;
    panic_set_hook(panic_vmx_state);
    vmcheck_mode = cfg->vmcheck;

    /* Everything Skiff allocates comes before the EPT is built. */
    uint64_t io_a = alloc_page("I/O bitmap A (ports 0-0x7fff)"), io_b = alloc_page("I/O bitmap B (ports 0x8000-0xffff)");
    uint64_t msr = alloc_page("MSR bitmap");
    io_exit_init();
    io_bitmap_init(phys_to_virt(io_a), phys_to_virt(io_b));
    msr_bitmap_init(phys_to_virt(msr));
    probe_cpuid_msrs();
    msr_policy_init();
    xsetbv_capture();
    v->vpid = 1;
    if (cfg->watchdog_ms)
        v->watchdog_ticks = timer_ticks(cfg->watchdog_ms);
    else
        vmx_idle_ticks = timer_ticks(VMX_IDLE_CHECK_MS);   /* the idle check (vmx/core/vmcs.h) */
    this_cpu()->vcpu = v;
    memory_tag(image_phys_of(v), image_phys_of(v + 1), "vCPU 0 structure: exit stack, registers (in .bss)");
    if (vmcs_create(v) || vmcs_load(v))
        return SKIFF_VMX_FAILED;
    if (smp_guest_alloc(cfg, v) > 1) {
        if (!cfg->watchdog_ms) {
            vmx_tick_ticks = timer_ticks(1);     /* the run-end tick: 1 ms (vmx/core/vmcs.h) */
            vmx_tick_all = !vmx_caps.act_wait_sipi;
        }
        apic_write_page = rdmsr(0x1b) & ~0xfffull & ((1ull << 52) - 1);
    }
    trace_init(cfg->trace_ring, cfg->trace_stream, smp_guest_vcpus());
    vmcheck_cache_init(smp_guest_vcpus());
    /* The on-demand EPT tables' pool (vmx/mem/ept_space.h): Skiff's pages, withheld like the others. */
    uint64_t pool = ept_space_policy(vmx_caps.ept_1g, vmx_caps.ept_2m)->mode == EPT_SPACE_ON_DEMAND
                        ? alloc_pages(EPT_SPACE_POOL_PAGES, "EPT on-demand table pool") : 0;
    if ((st = build_guest_memory(cfg, mb, pool)) || (st = iommu_enable()))
        return st;
    v->eptp = ept_make_eptp(guest_ept.pml4_phys, false);
    if (apic_write_page)
        apic_trap_init(&guest_ept, phys_to_virt(msr), smp_guest_icr_write);
    host_pages_note(v->vmcs_phys, guest_ept.pml4_phys, io_a, io_b, msr,
                    v->exit_stack + sizeof(v->exit_stack));

    if ((st = guest_boot_prepare(cfg, mb, &sel, &guest_map, &gs)))
        return st;
    v->regs.rax = gs.rax;
    v->regs.rbx = gs.rbx;
    v->regs.rsi = gs.rsi;
    v->regs.rdi = gs.rdi;
    if (vmcs_setup(v, &gs, io_a, io_b, msr))
        return SKIFF_VMX_FAILED;
    if (cfg->watchdog_ms && !vmx_features.preemption_timer)
        pr_warn("skiff: warning: watchdog=%u ignored: no VMX-preemption timer\n", cfg->watchdog_ms);

    /* Fresh translations for this EPTP and VPID (SDM 29.4.3.1). */
    vmx_invept(INVEPT_SINGLE_CONTEXT, v->eptp);
    vcpu_flush_linear(v);

    if (cfg->selftest == SELFTEST_VMX && (st = selftest_vmx(v, &gs, builtin_selftest_stub(), io_a, io_b, msr))) {
        kprintf("skiff: error: selftest=vmx did not see the expected VMX errors\n");
        return st;
    }
    if (cfg->selftest == SELFTEST_VMCHECK && (st = selftest_vmcheck(v, &gs, builtin_selftest_stub(), io_a, io_b, msr)))
        return st;

    /* The state Skiff protects, recorded once the bitmaps are final (vmx/tripwire/tripwire.c). */
    tripwire_arm(cfg->tripwire, phys_to_virt(msr), phys_to_virt(io_a), phys_to_virt(io_b));
    if (cfg->selftest == SELFTEST_TRIPWIRE && tripwire_every_exit)
        tripwire_selftest();             /* armed for an exit during the run */
    uint64_t free_at_launch = host_pmm.free_pages;
    uint64_t tsc_launch = rdtsc();
    char vpid[16];
    pr_info("skiff: launching the guest: VMLAUNCH (VMCS at 0x%llx, launch state Clear, %s)\n",
            (unsigned long long)v->vmcs_phys, vcpu_vpid_label(v, vpid, sizeof(vpid)));
    /* gdb=: the stub holds the guest before its first instruction until gdb resumes it. */
    bool gdb_refused = cfg->gdb_port && !gdb_init(v, cfg->gdb_port);
    exit_hooks_enabled = trace_enabled || gdb_enabled || tripwire_every_exit;
    vmx_fast_paths(!exit_hooks_enabled && vmcheck_mode != VMCHECK_ALWAYS);
    smp_guest_start(io_a, io_b, msr);
    if (cfg->selftest == SELFTEST_MCE) {
        /* Once every CPU is Skiff's (with several, lines carry `cpuN: `); Bochs raises no
         * real machine check: INT 18 takes the same #MC gate (IST 3). */
        pr_info("skiff: selftest=mce: INT 18 on the host, expect the machine-check report\n");
        __asm__ volatile("int $18");
        panic("selftest=mce: the machine-check handler returned");
    }
    st = v->run_status = gdb_refused ? 0 : vcpu_run(v);
    gdb_end(v);
    struct vcpu *ender = smp_guest_finish(v);
    /* Reported after the run: printing it before VMLAUNCH would be part of the boot cost. */
    kprintf("skiff: boot: TSC at entry=%llu, at VMLAUNCH=%llu (%llu ticks)\n",
            (unsigned long long)tsc_entry, (unsigned long long)tsc_launch,
            (unsigned long long)(tsc_launch - tsc_entry));
    smp_guest_print_exits();
    smp_print_idle();                    /* idle APs sleep (kernel/cpu/idle.h): how often they woke */
    bios_hook_print_counts();
    /* Nothing the guest does may cost Skiff memory (tests/boot/cases.sh, case_soak). */
    kprintf("skiff: memory: free pages at start=%llu end=%llu\n", (unsigned long long)free_at_launch,
            (unsigned long long)host_pmm.free_pages);
    if (guest_space.policy->mode == EPT_SPACE_ON_DEMAND)
        kprintf("skiff: ept: on demand: %llu fills, peak %u of %u pool pages, %llu recycles\n",
                (unsigned long long)guest_space.fills, guest_space.pool_peak, guest_space.pool_pages,
                (unsigned long long)guest_space.recycles);
    /* The guest's MTRR writes went to its shadow (vmx/policy/msr_policy.c): the CPU's are as at boot. */
    unsigned n_mtrr;
    if (msr_host_mtrrs_unchanged(&n_mtrr))
        kprintf("skiff: msr: the host's MTRRs are as at boot (%u MSRs)\n", n_mtrr);
    else
        kprintf("skiff: msr: error: the host's MTRRs changed during the run\n");
    if (cfg->selftest == SELFTEST_TRIPWIRE && !tripwire_every_exit)
        tripwire_selftest();             /* the run end's check must name the MSR bitmap */
    if (extable_faults)
        kprintf("skiff: exception table: %llu fault(s) in MSR accesses for the guest fixed up (last vector %u)\n",
                (unsigned long long)extable_faults, extable_last_vector);
    if (ender->run_status)
        return SKIFF_VMX_FAILED;
    switch (ender->end) {
    case GUEST_EXITED:
    case GUEST_POWERED_OFF:
        return ender->guest_status == 0 ? SKIFF_OK : SKIFF_GUEST_FAILED;
    default:
        return SKIFF_GUEST_FAILED;
    }
}
