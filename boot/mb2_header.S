/*
 * Multiboot2 header (Multiboot2 specification, section 3.1).  Only the tags
 * Skiff needs: where to enter, and permission to be loaded high.
 */
#include "boot/layout.h"

#define MB2_MAGIC        0xE85250D6
#define MB2_ARCH_I386    0

    .section .mb2_header, "a"
    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

    /* Entry address tag (type 3): physical address of the 32-bit entry.
     * GRUB adds (load_base - link_base) when it relocates the image. */
    .balign 8
    .short 3, 0
    .long 12
    .long skiff_entry32 - SKIFF_VMA + SKIFF_LINK_PHYS

    /* Relocatable header tag (type 10): anywhere in [16 MiB, 4 GiB),
     * 2 MiB aligned, as high as possible (preference 2 = highest). */
    .balign 8
    .short 10, 0
    .long 24
    .long SKIFF_MIN_PHYS
    .long SKIFF_MAX_PHYS
    .long SKIFF_ALIGN
    .long 2

    /* End tag. */
    .balign 8
    .short 0, 0
    .long 8
mb2_header_end:

    .section .note.GNU-stack, "", @progbits
