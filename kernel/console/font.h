/* Skiff's built-in console font: 8x16 cells for ASCII 32-126 (kernel/console/font.c). */
#ifndef SKIFF_KERNEL_FONT_H
#define SKIFF_KERNEL_FONT_H

#include <stdint.h>

#define FONT_W 8
#define FONT_H 16
#define FONT_FIRST 32
#define FONT_LAST 126
#define FONT_NCHARS (FONT_LAST - FONT_FIRST + 1)

extern const uint8_t font_5x8[FONT_NCHARS][8];

/* Row y (0-15) of character c's 8x16 cell; bit 7 is the leftmost pixel. */
uint8_t font_row(unsigned char c, unsigned y);

#endif
