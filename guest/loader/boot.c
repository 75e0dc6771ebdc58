/*
 * Guest images arrive as GRUB modules, wherever GRUB put them: often exactly
 * where a guest wants to be loaded (1, 2, 16 MiB).  Before any loader runs,
 * Skiff copies every module the guest needs to the top of guest RAM, into a
 * gap that overlaps no module, and then refuses loaders any placement that
 * would overlap those staged copies.  So no loader ever writes over a module
 * it still needs, whatever GRUB did.
 */
#include "guest/loader/boot.h"

#include "guest/loader/builtin.h"
#include "guest/loader/chain.h"
#include "kernel/acpi/acpi_power.h"
#include "kernel/console/console.h"
#include "kernel/end/runend.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memmap.h"
#include "kernel/mem/memory.h"

#define MAX_STAGED (MB2_MAX_MODULES)

static struct {
    const struct guest_memmap *map;
    size_t n;
    struct range staged[MAX_STAGED];
} stage;

static bool in_guest_ram(const struct guest_memmap *m, uint64_t base, uint64_t len)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->e[i].type == E820_RAM && base >= m->e[i].base &&
            base + len <= m->e[i].base + m->e[i].len && base + len >= base)
            return true;
    return false;
}

static bool overlaps_staged(uint64_t base, uint64_t end)
{
    for (size_t i = 0; i < stage.n; i++)
        if (base < stage.staged[i].end && stage.staged[i].base < end)
            return true;
    return false;
}

/* env->gpa_ptr: guest RAM that holds no staged module. */
static void *guest_ram_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
    (void)ctx;
    if (len == 0 || !in_guest_ram(stage.map, gpa, len) || overlaps_staged(gpa, gpa + len))
        return NULL;
    return phys_to_virt(gpa);
}

/* Copy module `m` to the highest free page-aligned spot of guest RAM below 4 GiB. */
static int stage_module(const struct mb2_info *mb, const struct mb2_module *m, struct guest_image *img,
                        const char *what)
{
    uint64_t size = m->end - m->start, need = ALIGN_UP(size ? size : 1, PAGE_SIZE);
    for (size_t i = stage.map->n; i-- > 0;) {
        uint64_t lo = stage.map->e[i].base, hi = stage.map->e[i].base + stage.map->e[i].len;
        if (stage.map->e[i].type != E820_RAM || lo >= (1ull << 32))
            continue;
        if (hi > (1ull << 32))
            hi = 1ull << 32;
        uint64_t top = ALIGN_DOWN(hi, PAGE_SIZE);
        while (top >= lo + need) {
            uint64_t dest = top - need, clash = 0;
            /* Neither a module still to be copied nor one already staged. */
            for (size_t k = 0; k < mb->nmods; k++)
                if (dest < mb->mods[k].end && mb->mods[k].start < top)
                    clash = clash > mb->mods[k].start ? clash : mb->mods[k].start;
            for (size_t k = 0; k < stage.n; k++)
                if (dest < stage.staged[k].end && stage.staged[k].base < top)
                    clash = clash > stage.staged[k].base ? clash : stage.staged[k].base;
            if (!clash) {
                memmove(phys_to_virt(dest), phys_to_virt(m->start), size);
                stage.staged[stage.n++] = (struct range){ dest, dest + need };
                img->data = phys_to_virt(dest);
                img->size = size;
                return 0;
            }
            top = ALIGN_DOWN(clash, PAGE_SIZE);
        }
    }
    kprintf("skiff: error: bad guest module: %s too large: %llu bytes do not fit in the guest's "
            "memory (%llu KiB usable)\n", what, (unsigned long long)size,
            (unsigned long long)(guest_memmap_ram(stage.map) >> 10));
    return -1;
}

/*
 * What the firmware handed Skiff that a guest is told of too: the RSDP's
 * address (Linux: boot_params.acpi_rsdp_addr, which a UEFI machine's Linux
 * needs, having no EFI system table) and the screen (Linux: screen_info;
 * Multiboot: framebuffer_*).
 */
static void firmware_for_guest(const struct mb2_info *mb, enum guest_kind kind, struct guest_loader_env *env)
{
    env->acpi_rsdp = acpi_rsdp_pa;                   /* kernel/acpi/acpi_power.c found it at boot */
    env->screen = (struct guest_screen){ mb->has_fb ? &mb->fb : NULL, mb->has_efi32 || mb->has_efi64 };
    if (kind != GUEST_LINUX && kind != GUEST_MULTIBOOT)
        return;
    if (kind == GUEST_LINUX)
        pr_info("skiff: guest: acpi_rsdp_addr 0x%llx%s\n", (unsigned long long)env->acpi_rsdp,
                env->acpi_rsdp ? "" : " (no RSDP to point at: Linux searches itself)");
    const struct mb2_framebuffer *fb = env->screen.fb;
    if (fb && fb->type == 2)
        pr_info("skiff: guest: screen: EGA text %ux%u at 0x%llx\n", fb->width, fb->height,
                (unsigned long long)fb->addr);
    else if (fb && fb->type == 1)
        pr_info("skiff: guest: screen: framebuffer %ux%ux%u at 0x%llx (%s)\n", fb->width, fb->height, fb->bpp,
                (unsigned long long)fb->addr, env->screen.efi ? "UEFI GOP" : "VESA");
    else
        pr_info("skiff: guest: screen: none to give (%s)\n", fb ? "indexed colour" : "the boot loader left none");
}

int guest_boot_prepare(const struct skiff_config *cfg, const struct mb2_info *mb,
                       const struct guest_selection *sel, const struct guest_memmap *map,
                       struct guest_start *gs)
{
    char err[200] = "";
    struct guest_image kernel = { 0 }, initrd = { 0 }, mods[MB2_MAX_MODULES];
    struct guest_loader_env env = { .map = map, .gpa_ptr = guest_ram_ptr, .ctx = 0 };
    int r;

    if (sel->kind == GUEST_BUILTIN)
        return builtin_guest_load(cfg, gs);
    if (sel->kind == GUEST_CHAIN)
        return chain_prepare(cfg, mb, map, gs);

    stage.map = map;
    stage.n = 0;
    if (stage_module(mb, &mb->mods[sel->image], &kernel, "guest image"))
        return SKIFF_BAD_INPUT;
    kernel.cmdline = sel->cmdline;
    if (sel->initrd >= 0 && stage_module(mb, &mb->mods[sel->initrd], &initrd, "initrd"))
        return SKIFF_BAD_INPUT;
    initrd.cmdline = "";
    for (size_t i = 0; i < sel->nmods; i++) {
        if (stage_module(mb, &mb->mods[sel->mods[i]], &mods[i], "module"))
            return SKIFF_BAD_INPUT;
        mods[i].cmdline = sel->mod_strings[i];
    }
    pr_info("skiff: guest: %s image, %zu bytes%s, command line '%s'\n", guest_kind_name(sel->kind),
            kernel.size, sel->initrd >= 0 ? " with an initrd" : "", sel->cmdline);
    firmware_for_guest(mb, sel->kind, &env);

    switch (sel->kind) {
    case GUEST_LINUX:
        r = linux_load(&env, &kernel, sel->initrd >= 0 ? &initrd : NULL, gs, err, sizeof(err));
        break;
    case GUEST_MULTIBOOT:
        r = multiboot_load(&env, &kernel, mods, sel->nmods, gs, err, sizeof(err));
        break;
    case GUEST_ELF:
        r = elf_load(&env, &kernel, gs, err, sizeof(err));
        break;
    case GUEST_FLAT:
        r = flat_load(&env, &kernel, sel->flat_addr, sel->flat_entry, sel->flat_mode, gs, err,
                      sizeof(err));
        break;
    default:
        r = LOADER_BAD_INPUT;
        break;
    }
    if (r != LOADER_OK) {
        kprintf("skiff: error: bad guest module: %s\n", err[0] ? err : "rejected by its loader");
        return SKIFF_BAD_INPUT;
    }
    pr_info("skiff: guest: entry at 0x%llx in %s mode\n", (unsigned long long)gs->rip,
            gs->mode == GUEST_MODE_64 ? "64-bit" : gs->mode == GUEST_MODE_32 ? "32-bit protected" : "real");
    return 0;
}
