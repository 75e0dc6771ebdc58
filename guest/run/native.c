/*
 * vmx=off (UNSAFE, a diagnostic): the same guest selection, module staging,
 * memory map and loader as a VMX run (guest/loader/boot.c), then a plain
 * jump to the guest's entry, on a CPU that may have no VMX at all (QEMU TCG).
 * It exercises the firmware-facing half of the loaders (the RSDP, the screen,
 * the e820 map a real firmware gave) where VMX is not available; nothing of
 * the guest is contained: it owns the machine, Skiff's pages included.
 *
 * What stays as a VMX run would leave it: Skiff's pages are E820_RESERVED in
 * the guest's map (guest_memmap_build), guest_mem= cuts RAM the same way.
 * What differs: no EPT, no VMCS, no exits; the other CPUs were never started
 * (kernel/config/cmdline.c sets smp=off), so the guest's own INIT-SIPI-SIPI
 * brings them up from the firmware's state; VT-d stays off (iommu=off).
 *
 * 64-bit entries (the Linux 64-bit boot protocol, 64-bit ELF or flat images)
 * and 32-bit protected-mode ones (Multiboot, 32-bit ELF or flat); a real-mode
 * entry (a 16-bit flat image) is refused.
 */
#include "guest/run/native.h"

#include <stddef.h>

#include "guest/loader/boot.h"
#include "guest/run/run.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/end/runend.h"
#include "kernel/mem/memmap.h"
#include "kernel/mem/memory.h"
#include "kernel/mem/paging.h"

_Static_assert(offsetof(struct native_state, bridge_cr3) == 0x50, "native_entry.S offsets");
_Static_assert(offsetof(struct native_state, gdt_limit) == 0x66, "native_entry.S offsets");
_Static_assert(offsetof(struct native_state, idt_limit) == 0x76, "native_entry.S offsets");
_Static_assert(offsetof(struct native_state, cs) == 0x80, "native_entry.S offsets");
_Static_assert(offsetof(struct native_state, long_mode) == 0x90, "native_entry.S offsets");

static struct guest_memmap native_map;
static struct rangeset native_withheld;
static struct native_state native_st;

#define BRIDGE_PAGES 6

/*
 * The bridge: PML4 -> PDPT -> 4 PDs of 2 MiB pages, an identity map of 0-4 GiB
 * without NX (SDM Vol. 3A 4.5, Table 4-17), and Skiff's PML4[511] (its image).
 */
static void bridge_tables(uint64_t bridge)
{
    uint64_t *p = phys_to_virt(bridge);
    const uint64_t *s = phys_to_virt(read_cr3() & PAGE_MASK);
    for (unsigned i = 0; i < BRIDGE_PAGES * 512; i++)
        p[i] = 0;
    p[0] = (bridge + PAGE_SIZE) | PTE_P | PTE_W;
    p[511] = s[511];
    for (unsigned i = 0; i < 4; i++)
        p[512 + i] = (bridge + (2 + i) * PAGE_SIZE) | PTE_P | PTE_W;
    for (uint64_t i = 0; i < 4 * 512; i++)
        p[2 * 512 + i] = (i << 21) | PTE_P | PTE_W | PTE_PS;
}

int native_run(const struct skiff_config *cfg, const struct mb2_info *mb, const struct guest_selection *sel)
{
    struct guest_start gs;
    int st;

    /* Skiff's last allocation: taken before the map, so the guest's map reserves it too. */
    uint64_t bridge = alloc_pages(BRIDGE_PAGES, "vmx=off: bridge page tables (identity 0-4 GiB + Skiff)");
    if (guest_memmap_build(mb->mmap, mb->nmmap, &host_pmm.owned, cfg->guest_mem, &native_map,
                           &native_withheld)) {
        kprintf("skiff: error: vmx=off: the guest's memory map does not fit %u entries\n", GUEST_MAP_MAX);
        return SKIFF_HOST_FAULT;
    }
    memory_print_owned();
    run_print_guest_map(&native_map);
    if ((st = guest_boot_prepare(cfg, mb, sel, &native_map, &gs)))
        return st;
    if (gs.mode == GUEST_MODE_REAL) {
        kprintf("skiff: error: vmx=off: the guest's entry is in real mode; vmx=off enters 64-bit and 32-bit "
                "protected-mode entries only\n");
        return SKIFF_UNSUPPORTED;
    }
    bridge_tables(bridge);
    native_st = (struct native_state){
        .rip = gs.rip, .rsp = gs.rsp, .rsi = gs.rsi, .rdi = gs.rdi, .rax = gs.rax, .rbx = gs.rbx,
        .cr0 = gs.cr0, .cr3 = gs.cr3, .cr4 = gs.cr4, .efer = gs.efer,
        .bridge_cr3 = bridge, .low_entry = image_phys_of(native_enter_low),
        .gdt_limit = gs.gdt_limit, .gdt_base = gs.gdt_base, .idt_limit = gs.idt_limit, .idt_base = gs.idt_base,
        .cs = gs.cs, .ds = gs.ds, .long_mode = gs.mode == GUEST_MODE_64,
    };
    if (gs.mode == GUEST_MODE_64)
        kprintf("skiff: vmx=off: jumping to the guest at 0x%llx natively (64-bit, CR3=0x%llx, CS=0x%x, RSI=0x%llx); "
                "Skiff prints nothing more\n", (unsigned long long)gs.rip, (unsigned long long)gs.cr3, gs.cs,
                (unsigned long long)gs.rsi);
    else
        kprintf("skiff: vmx=off: jumping to the guest at 0x%llx natively (32-bit protected mode, paging off, "
                "CS=0x%x, EAX=0x%llx, EBX=0x%llx); Skiff prints nothing more\n", (unsigned long long)gs.rip, gs.cs,
                (unsigned long long)gs.rax, (unsigned long long)gs.rbx);
    console_flush();
    native_enter(&native_st);
}
