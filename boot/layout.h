/* Constants shared by the linker map, the 32-bit entry and C. */
#ifndef SKIFF_BOOT_LAYOUT_H
#define SKIFF_BOOT_LAYOUT_H

#define SKIFF_VMA        0xFFFFFFFF80000000  /* virtual address of image offset 0 */
#define SKIFF_LINK_PHYS  0x01000000          /* nominal load address (p_paddr) */
#define SKIFF_ALIGN      0x00200000          /* load base alignment: one 2 MiB page */
#define SKIFF_MIN_PHYS   0x01000000          /* never below 16 MiB */
#define SKIFF_MAX_PHYS   0xFFFFFFFF          /* image end stays below 4 GiB */
#define SKIFF_EARLY_MAP  32                  /* 2 MiB pages mapped at SKIFF_VMA by boot/ */

#define BOOT_STACK_SIZE  0x4000
#define MB2_BOOTLOADER_MAGIC 0x36d76289

#endif
