/*
 * Skiff's Multiboot test guest.  Entered by Skiff's Multiboot loader in
 * 32-bit protected mode, it checks what the spec promises (EAX magic, the
 * information structure, command line, modules, memory map), then writes and
 * reads back every page its memory map calls usable (except its own image,
 * stack and the boot information), and exits with Skiff's exit hypercall.
 * Any page that was not really guest memory would stop it with an EPT violation.
 */
#include <stdbool.h>
#include <stdint.h>

#include "guest/programs/common/com1.h"
#include "vmx/core/hypercall.h"

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name, apm_table;
    uint32_t vbe_control_info, vbe_mode_info;
    uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
    uint64_t framebuffer_addr;                       /* 3.3: valid with flags bit 12 */
    uint32_t framebuffer_pitch, framebuffer_width, framebuffer_height;
    uint8_t framebuffer_bpp, framebuffer_type;
} __attribute__((packed));

struct mb_module {
    uint32_t start, end, string, reserved;
};

struct __attribute__((packed)) mb_mmap {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
};

extern char mb_entry[], _end[];

static void putx(uint32_t v)
{
    puts("0x");
    for (int i = 28; i >= 0; i -= 4)
        putc("0123456789abcdef"[(v >> i) & 15]);
}

static __attribute__((noreturn)) void mb_exit(uint32_t status)
{
    __asm__ volatile("vmcall" ::"a"(HC_EXIT), "b"(status) : "memory");
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* Ranges the page test must not overwrite. */
static struct { uint32_t base, end; } keep[24];
static int nkeep;

static void keep_range(uint32_t base, uint32_t len)
{
    if (nkeep < 24) {
        keep[nkeep].base = base & ~0xfffu;
        keep[nkeep].end = (base + len + 0xfff) & ~0xfffu;
        nkeep++;
    }
}

static bool kept(uint32_t page)
{
    for (int i = 0; i < nkeep; i++)
        if (page >= keep[i].base && page < keep[i].end)
            return true;
    return false;
}

static uint32_t strlen32(const char *s)
{
    uint32_t n = 0;
    while (s[n])
        n++;
    return n;
}

void mb_main(uint32_t magic, const struct mb_info *mbi);
void mb_main(uint32_t magic, const struct mb_info *mbi)
{
    puts("mbtest: hello from the Multiboot test guest\n");
    if (magic != 0x2BADB002) {
        puts("mbtest: FAILED: EAX is ");
        putx(magic);
        puts(", not 0x2BADB002\n");
        mb_exit(1);
    }
    const char *cmdline = (mbi->flags & (1u << 2)) ? (const char *)mbi->cmdline : "";
    puts("mbtest: cmdline='");
    puts(cmdline);
    puts("'\n");
    if (mbi->flags & 1) {
        puts("mbtest: mem_lower=");
        putu(mbi->mem_lower);
        puts(" KiB mem_upper=");
        putu(mbi->mem_upper);
        puts(" KiB\n");
    }
    if (mbi->flags & (1u << 12)) {
        puts("mbtest: framebuffer type ");
        putu(mbi->framebuffer_type);
        puts(" ");
        putu(mbi->framebuffer_width);
        puts("x");
        putu(mbi->framebuffer_height);
        puts("x");
        putu(mbi->framebuffer_bpp);
        puts(" pitch ");
        putu(mbi->framebuffer_pitch);
        puts(" at ");
        putx((uint32_t)(mbi->framebuffer_addr >> 32));
        for (int i = 28; i >= 0; i -= 4)
            putc("0123456789abcdef"[(mbi->framebuffer_addr >> i) & 15]);
        puts("\n");
    } else {
        puts("mbtest: no framebuffer (flags bit 12 clear)\n");
    }

    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gdtr;
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    keep_range((uint32_t)mb_entry, (uint32_t)(_end - mb_entry));
    keep_range((uint32_t)mbi, sizeof(*mbi));
    keep_range(gdtr.base, gdtr.limit + 1u);
    keep_range((uint32_t)cmdline, strlen32(cmdline) + 1);

    if (mbi->flags & (1u << 3)) {
        const struct mb_module *m = (const struct mb_module *)mbi->mods_addr;
        keep_range(mbi->mods_addr, mbi->mods_count * sizeof(*m));
        for (uint32_t i = 0; i < mbi->mods_count; i++) {
            const char *s = (const char *)m[i].string;
            puts("mbtest: module ");
            putu(i);
            puts(" '");
            puts(s);
            puts("' ");
            putu(m[i].end - m[i].start);
            puts(" bytes at ");
            putx(m[i].start);
            puts(", starts with '");
            for (uint32_t k = m[i].start; k < m[i].end && k < m[i].start + 16; k++) {
                char c = *(const char *)k;
                if (c == '\n')
                    break;
                putc(c >= 32 && c < 127 ? c : '.');
            }
            puts("'\n");
            keep_range(m[i].start, m[i].end - m[i].start);
            keep_range(m[i].string, strlen32(s) + 1);
        }
    }
    if (!(mbi->flags & (1u << 6))) {
        puts("mbtest: FAILED: no memory map (flags bit 6)\n");
        mb_exit(1);
    }
    keep_range(mbi->mmap_addr, mbi->mmap_length);

    uint32_t tested = 0, entries = 0;
    for (uint32_t off = 0; off < mbi->mmap_length; entries++) {
        const struct mb_mmap *e = (const struct mb_mmap *)(mbi->mmap_addr + off);
        puts("mbtest: mmap ");
        putx((uint32_t)e->addr);
        puts("-");
        putx((uint32_t)(e->addr + e->len - 1));
        puts(e->type == 1 ? " usable\n" : " reserved\n");
        if (e->type == 1 && e->addr < 0x100000000ull) {
            uint64_t end = e->addr + e->len > 0x100000000ull ? 0x100000000ull : e->addr + e->len;
            for (uint64_t p = (e->addr + 0xfff) & ~0xfffull; p + 0x1000 <= end; p += 0x1000) {
                if (kept((uint32_t)p))
                    continue;
                volatile uint32_t *w = (volatile uint32_t *)(uint32_t)p;
                uint32_t pat = (uint32_t)p ^ 0x5a5aa5a5u;
                w[0] = pat;
                w[1023] = ~pat;
                if (w[0] != pat || w[1023] != ~pat) {
                    puts("mbtest: FAILED: page ");
                    putx((uint32_t)p);
                    puts(" did not read back\n");
                    mb_exit(1);
                }
                tested++;
            }
        }
        off += e->size + 4;
    }
    puts("mbtest: wrote and read back ");
    putu(tested);
    puts(" usable pages (");
    putu(entries);
    puts(" map entries), no EPT violation\n");
    mb_exit(0);
}
