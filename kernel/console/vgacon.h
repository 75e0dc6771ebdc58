/*
 * Text console on an EGA/VGA text screen (Multiboot2 framebuffer type 2:
 * 16-bit cells, character and attribute, usually 80x25 at 0xb8000).
 * Pure code; the kernel moves the hardware cursor (kernel/console/console.c).
 */
#ifndef SKIFF_KERNEL_VGACON_H
#define SKIFF_KERNEL_VGACON_H

#include <stdint.h>

#include "kernel/firmware/mb2.h"

struct vgacon {
    volatile uint16_t *base;
    uint32_t cols, rows, stride;       /* stride: cells per line (pitch / 2) */
    uint32_t cx, cy;
    uint8_t attr;
};

const char *vgacon_init(struct vgacon *v, void *base, const struct mb2_framebuffer *fb);
void vgacon_clear(struct vgacon *v);
void vgacon_putc(struct vgacon *v, char c);
/* Linear cursor position (row * cols + column) for the CRT controller. */
uint32_t vgacon_cursor(const struct vgacon *v);

#endif
