/*
 * Loader for the built-in guest (guest/programs/builtin/): a flat 64-bit image linked
 * at BUILTIN_LOAD_ADDR.  Skiff gives it identity page tables for the low
 * 4 GiB (2 MiB pages), a GDT with a 64-bit code segment, and RDI pointing at
 * a struct builtin_info.  Guest-physical addresses equal host-physical ones;
 * the EPT alone decides what the guest can reach.
 */
#include "guest/loader/builtin.h"

#include "guest/loader/builtin_abi.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/end/runend.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "vmx/core/host_pages.h"
#include "vmx/emulate/guest_mem.h"
#include "vmx/smp/smp_guest.h"

extern const uint8_t builtin_guest_image[], builtin_guest_image_end[];

static const char *const tests[] = { "write_skiff", "read_skiff", "exec_skiff", "hlt_cli",
                                     "triple_fault", "loop", "pm_clock",
                                     /* guest/programs/builtin/attack.c */
                                     "map_vmcs", "cr3_skiff", "cr3_beyond", "cr3_empty", "cr3_garbage",
                                     "insb_skiff", "outsb_skiff", "insb_native", "insb_high", "outsb_high",
                                     "insb_hole", "outsb_hole", "insb_apic", "movs_apic_high", "print_unbacked", "string_pf", "vmx_insns",
                                     "cr4_vmxe", "cr0_bad", "vmx_msrs", "efer_reserved", "host_msrs",
                                     "apic_base", "bad_msrs", "cpuid_leaves", "hypercalls",
                                     "init_self", "exc_storm", "nmi_self", "nmi_ipi",
                                     "nmi_wait_sipi", "apic_rename", "ap_restart", "apic_end_bsp_off", "apic_end_ap_off", "apic_end_bsp_x2apic",
                                     "apic_end_ap_x2apic", "apic_end_bsp_svr", "apic_end_ap_svr", "counters", "mwait_cli", "xsetbv_bad", "console_port", "forge_verdict", "msr_classes", "xss_pt",
                                     "port92_reset", "kbc_reset", "sleep_s3", "pm1_unaligned", "port92_word", "pm_move_s5", "pm_move_s3", "pci_data_raw", "pci_chipset", "dlab_race", "hpet_fsb", "hpet_fsb_enable", "a20_off", "pm_off", "fuzz", "platfuzz", "platfuzz_end", "soak" };

/* {read,write,exec}_<page>: one of Skiff's pages by physical address (guest/programs/builtin/attack.c). */
static const char *const page_kinds[] = { "vmcs", "vmxon", "ept", "msr_bitmap", "io_bitmap_a",
                                          "io_bitmap_b", "exit_stack", "host_stack", "host_pt" };

static bool page_test_known(const char *name)
{
    static const char *const access[] = { "read_", "write_", "exec_" };
    for (unsigned a = 0; a < ARRAY_SIZE(access); a++) {
        size_t n = strlen(access[a]);
        if (strncmp(name, access[a], n))
            continue;
        for (unsigned k = 0; k < ARRAY_SIZE(page_kinds); k++)
            if (!strcmp(name + n, page_kinds[k]))
                return true;
    }
    return false;
}

bool builtin_test_known(const char *name)
{
    if (!name[0])
        return true;
    for (unsigned i = 0; i < ARRAY_SIZE(tests); i++)
        if (!strcmp(name, tests[i]))
            return true;
    return page_test_known(name);
}

const char *builtin_test_names(void)
{
    return "write_skiff read_skiff exec_skiff hlt_cli triple_fault loop pm_clock map_vmcs cr3_skiff "
           "cr3_beyond cr3_empty cr3_garbage insb_skiff outsb_skiff insb_native insb_high outsb_high insb_hole outsb_hole "
           "insb_apic movs_apic_high print_unbacked string_pf vmx_insns cr4_vmxe "
           "cr0_bad vmx_msrs efer_reserved host_msrs apic_base bad_msrs cpuid_leaves hypercalls "
           "init_self exc_storm nmi_self nmi_ipi nmi_wait_sipi apic_rename ap_restart apic_end_{bsp,ap}_{off,x2apic,svr} counters mwait_cli xsetbv_bad console_port forge_verdict msr_classes xss_pt port92_reset kbc_reset sleep_s3 pm1_unaligned port92_word pm_move_s5 pm_move_s3 pci_data_raw pci_chipset dlab_race hpet_fsb hpet_fsb_enable a20_off pm_off fuzz platfuzz platfuzz_end soak "
           "{read,write,exec}_{vmcs,vmxon,ept,msr_bitmap,io_bitmap_a,io_bitmap_b,exit_stack,"
           "host_stack,host_pt}";
}

uint64_t builtin_selftest_stub(void) { return BUILTIN_SELFTEST_STUB; }

int builtin_guest_load(const struct skiff_config *cfg, struct guest_start *gs)
{
    size_t size = (size_t)(builtin_guest_image_end - builtin_guest_image);

    if (!guest_phys_ok(BUILTIN_SELFTEST_STUB, PAGE_SIZE) ||
        !guest_phys_ok(BUILTIN_INFO_ADDR, PAGE_SIZE) ||
        !guest_phys_ok(BUILTIN_PML4_ADDR, BUILTIN_END - BUILTIN_PML4_ADDR) ||
        BUILTIN_LOAD_ADDR + size > BUILTIN_STACK_TOP - 0x10000) {
        kprintf("skiff: error: the built-in guest needs guest memory at 0x%x-0x%x\n",
                BUILTIN_PML4_ADDR, BUILTIN_END - 1);
        return SKIFF_BAD_INPUT;
    }

    /* Page tables: PML4[0] -> PDPT[0..3] -> 4 PDs of 2 MiB pages (SDM Vol. 3A 4.5). */
    uint64_t *pml4 = phys_to_virt(BUILTIN_PML4_ADDR);
    memset(pml4, 0, 6 * PAGE_SIZE);
    uint64_t *pdpt = pml4 + 512, *pd = pml4 + 1024;
    pml4[0] = (BUILTIN_PML4_ADDR + PAGE_SIZE) | 3;
    for (int i = 0; i < 4; i++)
        pdpt[i] = (BUILTIN_PML4_ADDR + (2 + i) * PAGE_SIZE) | 3;
    for (uint64_t i = 0; i < 2048; i++)
        pd[i] = (i << 21) | 0x83;

    /* GDT: null, 0x08 64-bit code, 0x10 data. */
    uint64_t *gdt = phys_to_virt(BUILTIN_GDT_ADDR);
    gdt[0] = 0;
    gdt[1] = 0x00af9b000000ffffull;
    gdt[2] = 0x00cf93000000ffffull;

    struct builtin_info *bi = phys_to_virt(BUILTIN_INFO_ADDR);
    memset(bi, 0, sizeof(*bi));
    bi->magic = BUILTIN_INFO_MAGIC;
    bi->skiff_start = image_phys_start();
    bi->skiff_end = image_phys_end();
    memcpy(bi->test, cfg->guest_test, sizeof(bi->test) - 1);
    bi->vmcs = host_pages.vmcs;
    bi->vmxon = host_pages.vmxon;
    bi->ept_pml4 = host_pages.ept_pml4;
    bi->io_bitmap_a = host_pages.io_bitmap_a;
    bi->io_bitmap_b = host_pages.io_bitmap_b;
    bi->msr_bitmap = host_pages.msr_bitmap;
    bi->exit_stack = host_pages.exit_stack;
    bi->host_stack = host_pages.host_stack;
    bi->host_cr3 = host_pages.host_cr3;
    bi->seed = cfg->guest_seed;
    bi->count = cfg->guest_count;
    bi->ncpus = smp_guest_vcpus();

    /* Self-test stub: VMCALL (0f 01 c1), then HLT. */
    static const uint8_t stub[] = { 0x0f, 0x01, 0xc1, 0xf4 };
    memcpy(phys_to_virt(BUILTIN_SELFTEST_STUB), stub, sizeof(stub));

    memset(phys_to_virt(BUILTIN_LOAD_ADDR), 0, BUILTIN_END - BUILTIN_LOAD_ADDR);
    memcpy(phys_to_virt(BUILTIN_LOAD_ADDR), builtin_guest_image, size);

    *gs = (struct guest_start){
        .mode = GUEST_MODE_64,
        .rip = BUILTIN_LOAD_ADDR,
        .rsp = BUILTIN_STACK_TOP,
        .rflags = 0x2,
        .cr0 = 0x80010033,                 /* PG WP NE ET MP PE */
        .cr3 = BUILTIN_PML4_ADDR,
        .cr4 = CR4_PAE,
        .efer = EFER_LME | EFER_LMA,
        .gdt_base = BUILTIN_GDT_ADDR,
        .gdt_limit = 3 * 8 - 1,
        .idt_base = 0,
        .idt_limit = 0xffff,
        .cs = 0x08,
        .ds = 0x10,
        .rdi = BUILTIN_INFO_ADDR,
    };
    pr_info("skiff: guest: built-in guest, %zu bytes at 0x%x, entry in 64-bit mode%s%s\n", size,
            BUILTIN_LOAD_ADDR, cfg->guest_test[0] ? ", test " : "", cfg->guest_test);
    return 0;
}
