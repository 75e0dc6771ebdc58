/*
 * Host memory setup: the allocator gets every usable range of the firmware
 * map except low memory (below 1 MiB), the boot information, the modules and
 * Skiff's own image; Skiff's page tables then identity map RAM and the MMIO
 * below 4 GiB (NX: the host never executes there) and map the image at
 * SKIFF_VMA with per-section permissions.
 */
#include "kernel/mem/memory.h"

#include "boot/layout.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/desc.h"
#include "kernel/end/panic.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/paging.h"

extern char _image_start[], _text_end[], _rodata_end[], _bss_start[], _image_end[];
extern char boot_stack[], boot_stack_top[];

struct pmm host_pmm;
static uint64_t load_base_phys;

uint64_t image_phys_start(void) { return load_base_phys; }
uint64_t image_phys_end(void) { return load_base_phys + (uint64_t)(_image_end - _image_start); }

static uint64_t image_phys(const char *p) { return load_base_phys + (uint64_t)(p - _image_start); }

uint64_t image_phys_of(const void *p) { return image_phys((const char *)p); }

/* The whole pages of [base, end) only: a partial page keeps the name of the section around it. */
void memory_tag(uint64_t base, uint64_t end, const char *what)
{
    base = ALIGN_UP(base, PAGE_SIZE);
    end = ALIGN_DOWN(end, PAGE_SIZE);
    if (base < end)
        pmm_tag(&host_pmm, base, end, what);
}

/* The image's sections (linker.ld) and the page-aligned objects in .bss (boot/entry32.S). */
static void memory_tag_image(void)
{
    memory_tag(image_phys(_image_start), image_phys(_text_end), "image .text (Skiff's code)");
    memory_tag(image_phys(_text_end), image_phys(_rodata_end), "image .rodata (built-in guest images too)");
    memory_tag(image_phys(_rodata_end), image_phys(_bss_start), "image .data");
    memory_tag(image_phys(_bss_start), image_phys(_image_end), "image .bss");
    memory_tag(image_phys(_bss_start), image_phys(boot_stack), "early page tables (boot, unused after paging_init)");
    memory_tag(image_phys(boot_stack), image_phys(boot_stack_top), "stack (BSP, in .bss)");
    memory_tag(image_phys((const char *)gdt_ist_stacks),
               image_phys((const char *)gdt_ist_stacks + sizeof(gdt_ist_stacks)),
               "IST stacks: #DF, NMI, #MC (BSP, in .bss)");
}

void memory_print_owned(void)
{
    const struct pmm *p = &host_pmm;
    size_t t = 0;
    for (size_t i = 0; i < p->owned.n; i++) {
        uint64_t at = p->owned.r[i].base, end = p->owned.r[i].end;
        while (at < end) {
            while (t < p->ntags && p->tags[t].r.end <= at)
                t++;
            uint64_t next = end;
            const char *what = "unnamed";
            if (t < p->ntags && p->tags[t].r.base <= at) {
                what = p->tags[t].what;
                next = p->tags[t].r.end < end ? p->tags[t].r.end : end;
            } else if (t < p->ntags && p->tags[t].r.base < end) {
                next = p->tags[t].r.base;
            }
            pr_debug("skiff: owned: 0x%llx-0x%llx %s\n", (unsigned long long)at, (unsigned long long)next - 1, what);
            at = next;
        }
    }
}

bool memory_init(const struct mb2_info *mb, uint64_t info_phys, uint64_t load_base)
{
    uint64_t usable = 0;

    load_base_phys = load_base;
    pmm_init(&host_pmm);
    if (!mb->nmmap) {
        pr_err("skiff: error: boot information has no memory map (tag 6)\n");
        return false;
    }
    pr_info("skiff: memory map (%zu entries):\n", mb->nmmap);
    for (size_t i = 0; i < mb->nmmap; i++) {
        const struct mb2_mmap_entry *e = &mb->mmap[i];
        pr_info("skiff:   mem 0x%016llx-0x%016llx %s (type %u)\n", (unsigned long long)e->base,
                (unsigned long long)(e->base + e->len - 1), mb2_mem_type_name(e->type), e->type);
        if (e->type == MB2_MEM_AVAILABLE && e->len && e->base + e->len > e->base) {
            if (pmm_add_usable(&host_pmm, e->base, e->base + e->len)) {
                pr_err("skiff: error: memory map too fragmented\n");
                return false;
            }
            usable += e->len;
        }
    }
    pmm_reserve(&host_pmm, 0, 0x100000);
    pmm_reserve(&host_pmm, info_phys, info_phys + mb->total_size);
    for (size_t i = 0; i < mb->nmods; i++)
        pmm_reserve(&host_pmm, mb->mods[i].start, mb->mods[i].end);
    if (pmm_claim(&host_pmm, image_phys_start(), image_phys_end())) {
        pr_err("skiff: error: memory map too fragmented\n");
        return false;
    }
    memory_tag_image();
    pr_info("skiff: memory: %llu MiB usable, %llu pages free for Skiff's allocator\n",
            (unsigned long long)(usable >> 20), (unsigned long long)host_pmm.free_pages);
    return true;
}

uint64_t alloc_pages(unsigned count, const char *what)
{
    uint64_t pa = pmm_alloc(&host_pmm, count, 1ull << 32);
    if (!pa)
        panic("out of memory allocating %u pages for %s", count, what);
    pmm_tag(&host_pmm, pa, pa + (uint64_t)count * PAGE_SIZE, what);
    memset(phys_to_virt(pa), 0, (size_t)count * PAGE_SIZE);
    return pa;
}

static uint64_t pt_alloc(void *ctx)
{
    (void)ctx;
    return alloc_page("host page tables");
}

static void *pt_p2v(void *ctx, uint64_t pa)
{
    (void)ctx;
    return phys_to_virt(pa);
}

static const struct pt_ops host_pt_ops = { pt_alloc, pt_p2v, 0 };

static void map_or_panic(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
                         enum pt_leaf largest)
{
    int r = pt_map(&host_pt_ops, pml4, va, pa, size, flags, largest);
    if (r)
        panic("host page tables: mapping 0x%llx+0x%llx failed (%d)", (unsigned long long)va,
              (unsigned long long)size, r);
}

uint64_t paging_init(const struct mb2_info *mb)
{
    bool gb_pages = cpuid(0x80000001, 0).edx & (1u << 26);
    bool nx = rdmsr(MSR_IA32_EFER) & EFER_NXE;
    uint64_t nxbit = nx ? PTE_NX : 0;
    enum pt_leaf largest = gb_pages ? PT_LEAF_1G : PT_LEAF_2M;
    uint64_t pml4 = alloc_page("host page tables");

    /* Identity: everything below 4 GiB (RAM and MMIO), then RAM above it. */
    map_or_panic(pml4, 0, 0, 1ull << 32, PTE_W | nxbit, largest);
    for (size_t i = 0; i < mb->nmmap; i++) {
        uint64_t base = ALIGN_DOWN(mb->mmap[i].base, 0x200000ull);
        uint64_t end = ALIGN_UP(mb->mmap[i].base + mb->mmap[i].len, 0x200000ull);
        if (end <= (1ull << 32) || end > (1ull << 46))
            continue;
        if (base < (1ull << 32))
            base = 1ull << 32;
        for (uint64_t a = base; a < end; a += 0x200000) {
            uint64_t pa, fl;
            if (!pt_translate(&host_pt_ops, pml4, a, &pa, &fl))
                map_or_panic(pml4, a, a, 0x200000, PTE_W | nxbit, PT_LEAF_2M);
        }
    }

    /* A framebuffer above 4 GiB (the identity map covers those below): the screen console's MMIO. */
    uint64_t fb_bytes = (uint64_t)mb->fb.pitch * mb->fb.height;
    if (mb->has_fb && mb->fb.addr >= (1ull << 32) && fb_bytes && fb_bytes <= (256ull << 20) &&
        mb->fb.addr + fb_bytes <= (1ull << 46)) {
        for (uint64_t a = ALIGN_DOWN(mb->fb.addr, 0x200000ull); a < mb->fb.addr + fb_bytes; a += 0x200000) {
            uint64_t pa, fl;
            if (!pt_translate(&host_pt_ops, pml4, a, &pa, &fl))
                map_or_panic(pml4, a, a, 0x200000, PTE_W | nxbit, PT_LEAF_2M);
        }
    }

    /* The image: text R-X, rodata R--, data and bss RW-. */
    uint64_t text = (uint64_t)(_text_end - _image_start);
    uint64_t ro = (uint64_t)(_rodata_end - _text_end);
    uint64_t rw = (uint64_t)(_image_end - _rodata_end);
    uint64_t lb = load_base_phys;
    map_or_panic(pml4, SKIFF_VMA, lb, text, PTE_G, PT_LEAF_4K);
    map_or_panic(pml4, SKIFF_VMA + text, lb + text, ro, PTE_G | nxbit, PT_LEAF_4K);
    map_or_panic(pml4, SKIFF_VMA + text + ro, lb + text + ro, rw, PTE_G | PTE_W | nxbit,
                 PT_LEAF_4K);

    write_cr3(pml4);
    pr_debug("skiff: host page tables at 0x%llx: identity with %s pages, image 4 KiB pages%s\n",
             (unsigned long long)pml4, gb_pages ? "1 GiB" : "2 MiB", nx ? ", NX on" : "");
    return pml4;
}
