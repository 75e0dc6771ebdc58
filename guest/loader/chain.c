/*
 * guest=chain: the hand-over to the BIOS (guest/loader/chain.h).
 *
 * What Skiff changes below 1 MiB for this guest, and nothing else (GRUB's own
 * state, the IVT's other vectors, the BDA's other fields, the EBDA and the
 * option ROMs stay as GRUB left them; the EPT maps the BIOS's RAM and ROM
 * like any guest memory):
 *   - the hook page: the last page below the BDA's base-memory word, Skiff's
 *     (E820_RESERVED in the guest's map), mapped read and execute only;
 *   - IVT vectors 15h and 12h: into the hook page (the BIOS's go into the page);
 *   - the BDA's base-memory word (0x413): the KiB below the hook page;
 *   - with several CPUs, the AP start-up page (kernel/smp/smp.c), which
 *     guest=chain puts just above the hook page: reserved in the guest's map,
 *     zeroed once the APs are up and mapped read-only.
 */
#include "guest/loader/chain.h"

#include "kernel/console/console.h"
#include "kernel/end/runend.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "vmx/emulate/guest_mem.h"
#include "vmx/exit/bios_hook.h"

#define BDA_BASE_KIB 0x413
#define PAGE 0x1000ull

extern const uint8_t chain_stub_start[], chain_stub_end[];   /* guest/loader/chain_stub.S */

static uint64_t hook_page;

/* Low memory by address (the compiler takes a constant near 0 for a null pointer's neighbour). */
static void *low(uint64_t pa)
{
    void *p = phys_to_virt(pa);
    __asm__("" : "+r"(p));
    return p;
}

static uint32_t low_get(uint64_t pa, size_t n)
{
    uint32_t v = 0;
    memcpy(&v, low(pa), n);
    return v;
}

static void low_put(uint64_t pa, uint32_t v, size_t n) { memcpy(low(pa), &v, n); }

static bool fw_usable(const struct mb2_info *mb, uint64_t p)
{
    for (size_t i = 0; i < mb->nmmap; i++)
        if (mb->mmap[i].type == MB2_MEM_AVAILABLE && mb->mmap[i].base <= p &&
            mb->mmap[i].base + mb->mmap[i].len >= p + PAGE)
            return true;
    return false;
}

/* The lowest page of the run of Skiff's pages that ends base memory at `top`. */
static uint64_t owned_run_base(uint64_t top)
{
    while (top >= PAGE && rangeset_overlaps(&host_pmm.owned, top - PAGE, top))
        top -= PAGE;
    return top;
}

int chain_reserve(const struct mb2_info *mb)
{
    if (mb->has_efi32 || mb->has_efi64) {
        kprintf("skiff: error: guest=chain: this machine was booted through UEFI; chain-boot is the BIOS "
                "path (INT 13h, INT 15h): UEFI chain-boot is not there yet\n");
        return SKIFF_UNSUPPORTED;
    }
    uint64_t base = (uint64_t)low_get(BDA_BASE_KIB, 2) << 10;
    /* Below the AP start-up page too when kernel/smp/smp.c put it at the top (guest=chain). */
    uint64_t p = owned_run_base(base & ~(PAGE - 1)) - PAGE;
    if (base < 0x20000 || base > 0xa0000 || !fw_usable(mb, p) || rangeset_overlaps(&host_pmm.owned, p, p + PAGE)) {
        kprintf("skiff: error: guest=chain: no page for the BIOS hook below the base memory the BIOS "
                "data area reports (%llu KiB at 0x413)\n", (unsigned long long)(base >> 10));
        return SKIFF_UNSUPPORTED;
    }
    for (size_t i = 0; i < mb->nmods; i++)
        if (p < mb->mods[i].end && p + PAGE > mb->mods[i].start) {
            kprintf("skiff: error: guest=chain: a module lies in the BIOS hook page 0x%llx\n",
                    (unsigned long long)p);
            return SKIFF_UNSUPPORTED;
        }
    if (pmm_claim(&host_pmm, p, p + PAGE))
        return SKIFF_HOST_FAULT;
    memory_tag(p, p + PAGE, "guest=chain: BIOS hook page (INT 15h/12h stubs, the chain stub)");
    hook_page = p;
    return 0;
}

int chain_prepare(const struct skiff_config *cfg, const struct mb2_info *mb, const struct guest_memmap *map,
                  struct guest_start *gs)
{
    uint8_t *pg = phys_to_virt(hook_page);
    uint8_t drive = cfg->chain_drive >= 0 ? (uint8_t)cfg->chain_drive
                    : mb->has_bootdev && mb->bootdev_biosdev >= 0x80 && mb->bootdev_biosdev < 0xe0
                        ? (uint8_t)mb->bootdev_biosdev : 0x80;
    uint16_t seg = (uint16_t)(hook_page >> 4), old_kib = (uint16_t)low_get(BDA_BASE_KIB, 2);
    uint32_t old15 = low_get(0x15 * 4, 4), old12 = low_get(0x12 * 4, 4);

    memset(pg, 0, PAGE);
    memcpy(pg, chain_stub_start, (size_t)(chain_stub_end - chain_stub_start));
    memcpy(pg + BIOS_HOOK_ORIG15, &old15, 4);
    memcpy(pg + BIOS_HOOK_ORIG12, &old12, 4);
    pg[BIOS_HOOK_DRIVE] = drive;
    low_put(0x15 * 4, (uint32_t)seg << 16 | BIOS_HOOK_HOOK15, 4);     /* IVT entries: offset, segment */
    low_put(0x12 * 4, (uint32_t)seg << 16 | BIOS_HOOK_HOOK12, 4);
    low_put(BDA_BASE_KIB, (uint32_t)(hook_page >> 10), 2);
    bios_hook = (struct bios_hook){ .page = hook_page, .map = map, .base_kib = (uint16_t)(hook_page >> 10),
                                    .drive = drive };
    /* The guest runs the stubs but cannot change them (SDM Vol. 3C 29.3.2: R and X, no W). */
    if (ept_map(&guest_ept, hook_page, hook_page, PAGE, EPT_R | EPT_X, EPT_MT_WB))
        return SKIFF_HOST_FAULT;
    /* The rest of Skiff's run of pages at the top of base memory (the AP start-up page, unused
     * once the APs are up): zeroed and readable too.  Linux reads the reserved pages there early
     * in boot (Debian's cloud kernel on 2 CPUs: a read of the start-up page). */
    for (uint64_t q = hook_page + PAGE; rangeset_overlaps(&host_pmm.owned, q, q + PAGE); q += PAGE) {
        memset(phys_to_virt(q), 0, PAGE);
        if (ept_map(&guest_ept, q, q, PAGE, EPT_R, EPT_MT_WB))
            return SKIFF_HOST_FAULT;
    }
    uint64_t low_end = owned_run_base(hook_page + PAGE);
    bios_hook.base_kib = (uint16_t)(low_end >> 10);
    low_put(BDA_BASE_KIB, bios_hook.base_kib, 2);
    pr_info("skiff: chain: BIOS drive 0x%02x (%s); hook page 0x%llx: INT 15h %04x:%04x -> %04x:%04x, "
            "INT 12h %04x:%04x -> %04x:%04x, base memory %u -> %u KiB\n", drive,
            cfg->chain_drive >= 0 ? "chain_drive=" : mb->has_bootdev && drive == mb->bootdev_biosdev
                ? "the drive GRUB booted from" : "default",
            (unsigned long long)hook_page, old15 >> 16, old15 & 0xffff, seg, BIOS_HOOK_HOOK15,
            old12 >> 16, old12 & 0xffff, seg, BIOS_HOOK_HOOK12, old_kib, bios_hook.base_kib);
    *gs = (struct guest_start){
        .mode = GUEST_MODE_REAL,
        .rip = BIOS_HOOK_BOOT,
        .real_cs_base = hook_page,
        .rflags = 0x2,
        .cr0 = 0x10,                    /* ET, as at reset (SDM Vol. 3A 10.1.1) */
        .idt_limit = 0x3ff,             /* the IVT */
        .gdt_limit = 0xffff,
    };
    return 0;
}
