#include "kernel/console/fbcon.h"

#include "kernel/console/font.h"
#include "kernel/lib/lib.h"

/* Scale an 8-bit color channel into a field of `size` bits at `pos`. */
static uint32_t channel(uint8_t v, uint8_t pos, uint8_t size)
{
    if (!size || pos >= 32)
        return 0;
    uint32_t c = size >= 8 ? (uint32_t)v << (size - 8) : (uint32_t)v >> (8 - size);
    return c << pos;
}

const char *fbcon_init(struct fbcon *f, void *base, const struct mb2_framebuffer *fb)
{
    memset(f, 0, sizeof(*f));
    if (fb->type != 1)
        return "not a direct-RGB framebuffer";
    if (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
        return "unsupported bits per pixel";
    if (!fb->addr || !base)
        return "no address";
    unsigned bytespp = fb->bpp / 8;
    if (fb->width < FONT_W || fb->height < FONT_H || fb->width > 16384 || fb->height > 16384)
        return "size out of range";
    if (fb->pitch < fb->width * bytespp)
        return "pitch smaller than a line";
    if ((uint64_t)fb->pitch * fb->height > FBCON_MAX_BYTES)
        return "larger than 256 MiB";

    uint8_t rp = 16, rs = 8, gp = 8, gs = 8, bp = 0, bs = 8;
    if (fb->has_rgb) {
        rp = fb->red_pos, rs = fb->red_size, gp = fb->green_pos, gs = fb->green_size;
        bp = fb->blue_pos, bs = fb->blue_size;
        if (rs > 8 || gs > 8 || bs > 8 || rp + rs > fb->bpp || gp + gs > fb->bpp || bp + bs > fb->bpp)
            return "bad color fields";
    } else if (fb->bpp == 16) {
        rp = 11, rs = 5, gp = 5, gs = 6, bp = 0, bs = 5;
    }
    f->base = base;
    f->pitch = fb->pitch;
    f->width = fb->width;
    f->height = fb->height;
    f->bytespp = bytespp;
    f->fg = channel(0xc0, rp, rs) | channel(0xc0, gp, gs) | channel(0xc0, bp, bs);
    f->bg = 0;
    f->cols = fb->width / FONT_W < FBCON_MAX_COLS ? fb->width / FONT_W : FBCON_MAX_COLS;
    f->rows = fb->height / FONT_H < FBCON_MAX_ROWS ? fb->height / FONT_H : FBCON_MAX_ROWS;
    return NULL;
}

/*
 * Every access to the framebuffer is one of these stores: the console never
 * reads video memory (uncached or write-combining on real GOP hardware, where
 * a read costs a bus round trip per access).  What is on the screen is known
 * from the shadow text, f->text.
 */
static void put_pixel(uint8_t *p, unsigned bytespp, uint32_t v)
{
    switch (bytespp) {
    case 4: *(volatile uint32_t *)p = v; break;
    case 3:
        ((volatile uint8_t *)p)[0] = (uint8_t)v;
        ((volatile uint8_t *)p)[1] = (uint8_t)(v >> 8);
        ((volatile uint8_t *)p)[2] = (uint8_t)(v >> 16);
        break;
    default: *(volatile uint16_t *)p = (uint16_t)v; break;
    }
}

void fbcon_clear(struct fbcon *f)
{
    for (uint32_t y = 0; y < f->height; y++) {
        uint8_t *line = f->base + (uint64_t)y * f->pitch;
        for (uint32_t x = 0; x < f->width; x++)
            put_pixel(line + (uint64_t)x * f->bytespp, f->bytespp, f->bg);
    }
    memset(f->text, ' ', sizeof(f->text));
    f->cx = f->cy = 0;
}

/* Draw character c in cell (cx, cy) and record it in the shadow. */
static void draw(struct fbcon *f, uint32_t cx, uint32_t cy, unsigned char c)
{
    uint8_t *cell = f->base + (uint64_t)cy * FONT_H * f->pitch + (uint64_t)cx * FONT_W * f->bytespp;
    for (unsigned y = 0; y < FONT_H; y++) {
        uint8_t bits = font_row(c, y);
        uint8_t *p = cell + (uint64_t)y * f->pitch;
        for (unsigned x = 0; x < FONT_W; x++, p += f->bytespp)
            put_pixel(p, f->bytespp, bits & (0x80 >> x) ? f->fg : f->bg);
    }
    f->text[cy][cx] = c;
}

/*
 * Scroll one text row up by redrawing from the shadow: each cell takes the
 * character of the cell below it, and only cells whose character changes are
 * drawn; the last row becomes blank.
 */
static void newline(struct fbcon *f)
{
    f->cx = 0;
    if (++f->cy < f->rows)
        return;
    for (uint32_t y = 0; y < f->rows; y++)
        for (uint32_t x = 0; x < f->cols; x++) {
            uint8_t c = y + 1 < f->rows ? f->text[y + 1][x] : ' ';
            if (f->text[y][x] != c)
                draw(f, x, y, c);
        }
    f->cy = f->rows - 1;
}

void fbcon_putc(struct fbcon *f, char ch)
{
    unsigned char c = (unsigned char)ch;

    if (!f->base)
        return;
    switch (c) {
    case '\n':
        newline(f);
        return;
    case '\r':
        f->cx = 0;
        return;
    case '\t':
        do
            fbcon_putc(f, ' ');
        while (f->cx % 8 && f->cx < f->cols);
        return;
    default:
        break;
    }
    if (f->cx >= f->cols)
        newline(f);
    draw(f, f->cx, f->cy, c);
    f->cx++;
}
