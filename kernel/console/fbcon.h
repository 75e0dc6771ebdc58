/*
 * Text console on a linear RGB framebuffer (Multiboot2 framebuffer type 1,
 * 16, 24 or 32 bits per pixel) with Skiff's 8x16 font (kernel/console/font.c).
 * Pure code: it draws into whatever memory it is given, so host tests run it
 * on a buffer.  It only ever writes the framebuffer: a shadow of the text
 * (what each cell shows) lets it scroll by redrawing the cells that change,
 * never by reading video memory back (kernel/console/fbcon.c).
 */
#ifndef SKIFF_KERNEL_FBCON_H
#define SKIFF_KERNEL_FBCON_H

#include <stdint.h>

#include "kernel/firmware/mb2.h"

#define FBCON_MAX_BYTES (256u << 20)   /* pitch * height larger than this is refused */
/* The shadow's size: a 4K screen (3840x2160) is 480x135 cells; larger screens use this much of it. */
#define FBCON_MAX_COLS 480
#define FBCON_MAX_ROWS 270

struct fbcon {
    uint8_t *base;
    uint32_t pitch, width, height;
    unsigned bytespp;
    uint32_t fg, bg;                   /* pixel values */
    uint32_t cols, rows, cx, cy;
    uint8_t text[FBCON_MAX_ROWS][FBCON_MAX_COLS];   /* the character each cell shows */
};

/*
 * Check fb's geometry and set up a console drawing at base (fb->addr as seen
 * by the caller).  Returns NULL, or why the framebuffer cannot be used.
 */
const char *fbcon_init(struct fbcon *f, void *base, const struct mb2_framebuffer *fb);
void fbcon_clear(struct fbcon *f);
void fbcon_putc(struct fbcon *f, char c);

#endif
