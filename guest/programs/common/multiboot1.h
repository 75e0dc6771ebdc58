/*
 * The Multiboot (v1) header of the small 32-bit test guests (Multiboot
 * 0.6.96, 3.1.1): magic, flags (page-align modules, want the memory map),
 * checksum.  Included from their entry.S.
 */
#ifndef SKIFF_GUEST_COMMON_MULTIBOOT1_H
#define SKIFF_GUEST_COMMON_MULTIBOOT1_H

#define MB1_MAGIC 0x1BADB002
#define MB1_FLAGS 0x00000003

.macro MB1_HEADER
    .section .multiboot, "a"
    .balign 4
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)
.endm

#endif
