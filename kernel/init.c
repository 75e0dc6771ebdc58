/*
 * kernel_init: the host, from the 64-bit entry (kmain, guest/run/main.c) to
 * the point where VMX can start.  Order matters: descriptor tables, boot
 * information (it holds the command line), the console, memory, ACPI, the
 * other CPUs, the IOMMU.
 */
#include "boot/layout.h"
#include "kernel/acpi/acpi_power.h"
#include "kernel/config/cmdline.h"
#include "kernel/config/skiff.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/desc.h"
#include "kernel/cpu/percpu.h"
#include "kernel/end/mce.h"
#include "kernel/end/panic.h"
#include "kernel/end/runend.h"
#include "kernel/firmware/mb2.h"
#include "kernel/iommu/iommu.h"
#include "kernel/iommu/iommu_selftest.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "kernel/pci/chipset.h"
#include "kernel/smp/apic_mode.h"
#include "kernel/smp/smp.h"
#include "kernel/time/tsc.h"

#ifndef SKIFF_VERSION
#define SKIFF_VERSION "0.1.0"
#endif

struct skiff_config skiff_cfg;
struct mb2_info boot_info;

static bool run_id_random;

static void banner(void)
{
    console_line_run_id("skiff: Skiff " SKIFF_VERSION " - a micro-hypervisor for Intel VT-x");
    if (!run_id_random)
        pr_warn("skiff: the run id comes from the TSC (the CPU has no RDRAND): a guest that guesses it can "
                "forge Skiff's last line\n");
}

static void selftest_fault(void)
{
    pr_info("skiff: selftest=fault: writing to an unmapped address, expect a page fault\n");
    *(volatile uint64_t *)0x00000dead0000000ull = 0x5ca1ab1e;
    panic("selftest=fault: the page fault did not happen");
}

void kernel_init(uint32_t magic, uint32_t info_phys, uint64_t load_base)
{
    char err[160];

    (void)magic; /* checked by boot/entry32.S */
    gdt_init();
    idt_init();
    percpu_init(&percpu_cpu0, 0, 0, gdt_base(), tss_base());   /* the APIC id comes with smp_init */
    mce_init();                          /* before smp_init: the APs copy the BSP's CR4 */
    run_id_random = console_run_id_init();   /* before the banner, which ends with it */
    cmdline_defaults(&skiff_cfg);

    /* Readable bytes: the block lies below 4 GiB, all identity mapped. */
    uint64_t readable = (1ull << 32) - info_phys;
    struct mb2_result mr = mb2_parse((const void *)(uint64_t)info_phys,
                                     readable > (1u << 20) ? (1u << 20) : readable, &boot_info);
    if (mr.err) {
        console_init(&skiff_cfg);
        banner();
        kprintf("skiff: error: malformed Multiboot2 boot information at 0x%x: %s "
                "(tag type %u '%s' at offset %u)\n",
                info_phys, mb2_strerror(mr.err), mr.tag_type, mb2_tag_name(mr.tag_type),
                mr.offset);
        run_end(SKIFF_BAD_INPUT);
    }

    int cr = cmdline_parse(boot_info.cmdline, &skiff_cfg, err, sizeof(err));
    /* selftest=firmware_x2apic: x2APIC mode before Skiff looks at the APIC, as firmware may leave it
     * (the APs turn it on first thing in kernel/smp/smp.c); the line follows once the console is up. */
    bool fw_x2apic = cr == 0 && skiff_cfg.selftest == SELFTEST_FIRMWARE_X2APIC && apic_enable_x2apic_like_firmware();
    apic_selftest_firmware_x2apic = fw_x2apic;
    console_init(&skiff_cfg);
    runend_configure(skiff_cfg.onexit);
    banner();
    if (cr) {
        kprintf("skiff: error: bad command line: %s\n", err);
        run_end(SKIFF_BAD_INPUT);
    }
    pr_info("skiff: command line: '%s'\n", boot_info.cmdline ? boot_info.cmdline : "");
    if (skiff_cfg.vmx_off)                /* one line, printed at every log level */
        kprintf("skiff: vmx=off: UNSAFE diagnostic mode: the guest runs without VMX (this CPU %s), owns the "
                "machine and Skiff's memory; nothing is contained\n",
                cpuid(1, 0).ecx & (1u << 5) ? "has VMX, left off" : "has no VMX");
    if (skiff_cfg.selftest == SELFTEST_FIRMWARE_X2APIC)
        pr_info("skiff: selftest=firmware_x2apic: %s\n", fw_x2apic ? "x2APIC mode turned on before anything else, as "
                "firmware may leave it" : "the CPU refused x2APIC mode (no x2APIC?): nothing changed");
    pr_info("skiff: loader: %s, boot info at 0x%x (%u bytes), %zu module(s), firmware %s\n",
            boot_info.loader_name ? boot_info.loader_name : "unknown", info_phys,
            boot_info.total_size, boot_info.nmods,
            boot_info.has_efi64 || boot_info.has_efi32 ? "UEFI" : "BIOS");

    if (!memory_init(&boot_info, info_phys, load_base))
        run_end(SKIFF_BAD_INPUT);
    paging_init(&boot_info);
    console_screen_init(&boot_info);
    acpi_init(&boot_info);
    tsc_calibrate(!skiff_cfg.tsc_ref_pit);               /* after the FADT (its PM timer), before the first udelay (smp_init) */
    apic_mode_init();              /* after the MADT: the highest APIC id decides the guest's x2APIC lock */
    pci_chipset_scan();            /* the chipset functions whose writes are judged (vmx/policy/pci_chipset.c) */
    if (skiff_cfg.smp != SMP_OFF && smp_init(&boot_info, info_phys, skiff_cfg.max_cpus))
        run_end(SKIFF_UNSUPPORTED);
    if (skiff_cfg.smp == SMP_OFF)
        pr_warn("skiff: smp: smp=off: the other CPUs are left to the firmware, where the guest can start "
                "them outside VMX (unsafe against a hostile guest)\n");
    kprintf("skiff: resident phys=0x%llx-0x%llx\n", (unsigned long long)image_phys_start(),
            (unsigned long long)image_phys_end() - 1);
    /* VT-d after ACPI (the DMAR table) and before anything the guest runs; its domain is
     * built with the guest's memory (guest/run/run.c) or by its self-test, before the VMX check. */
    iommu_init(&skiff_cfg, &boot_info);
    if (skiff_cfg.selftest == SELFTEST_IOMMU)
        iommu_selftest(&skiff_cfg, &boot_info);

    if (skiff_cfg.selftest == SELFTEST_FAULT)
        selftest_fault();
}
