/*
 * Guest image loaders (guest/loader/linux.c, guest/loader/multiboot.c, guest/loader/elf.c,
 * guest/loader/flat.c).  Each validates its input completely before it writes a
 * byte of guest memory, and reports every malformed case with a named error.
 *
 * Loaders are pure: they reach guest memory only through env->gpa_ptr, so
 * host unit tests and fuzzers run them over an ordinary buffer.
 */
#ifndef SKIFF_GUEST_LOADER_H
#define SKIFF_GUEST_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/firmware/mb2.h"
#include "kernel/mem/memmap.h"
#include "vmx/core/vmcs.h"

/* The screen the boot loader left (Multiboot2 framebuffer tag), as the guest is told of it. */
struct guest_screen {
    const struct mb2_framebuffer *fb;   /* NULL: no screen to pass on */
    bool efi;                            /* set up by UEFI (a GOP framebuffer), else by the BIOS (VESA) */
};

struct guest_loader_env {
    const struct guest_memmap *map;
    /* Host pointer to [gpa, gpa + len) when all of it is guest RAM, else NULL. */
    void *(*gpa_ptr)(void *ctx, uint64_t gpa, uint64_t len);
    void *ctx;
    uint64_t acpi_rsdp;          /* guest-physical address of the ACPI RSDP, 0 if unknown */
    struct guest_screen screen;
};

/* A file handed over as a GRUB module: its bytes and the rest of its command line. */
struct guest_image {
    const uint8_t *data;
    size_t size;
    const char *cmdline;         /* the words after "guest=KIND" (or after "module"), "" if none */
};

enum loader_status { LOADER_OK = 0, LOADER_BAD_INPUT = -1 };

/*
 * Linux x86 boot protocol >= 2.06 (bzImage), entered in 64-bit mode at
 * startup_64 with boot_params in RSI.  initrd may be NULL.
 */
int linux_load(const struct guest_loader_env *env, const struct guest_image *kernel,
               const struct guest_image *initrd, struct guest_start *gs, char *err, size_t errlen);

/* Multiboot (v1) kernel (a.out kludge or ELF32), entered in 32-bit protected mode. */
int multiboot_load(const struct guest_loader_env *env, const struct guest_image *kernel,
                   const struct guest_image *mods, size_t nmods, struct guest_start *gs,
                   char *err, size_t errlen);

/* Static ELF32/ELF64 executable: segments at their physical addresses, entry in 32- or 64-bit mode. */
int elf_load(const struct guest_loader_env *env, const struct guest_image *image,
             struct guest_start *gs, char *err, size_t errlen);

/* Flat binary at addr, entered at entry in 16-, 32- or 64-bit mode. */
int flat_load(const struct guest_loader_env *env, const struct guest_image *image, uint64_t addr,
              uint64_t entry, unsigned mode, struct guest_start *gs, char *err, size_t errlen);

#endif
