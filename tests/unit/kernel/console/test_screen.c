// SOURCES: kernel/console/fbcon.c kernel/console/vgacon.c kernel/console/font.c kernel/lib/lib.c
/*
 * The screen consoles (kernel/console/fbcon.c, kernel/console/vgacon.c) and the font
 * (kernel/console/font.c), drawing into heap buffers: text is read back cell by cell
 * by matching glyph bitmaps, as tests/boot/screencheck.py does with a screendump.
 */
#include "tests/unit/unit.h"

#include <stdint.h>
#include <stdlib.h>

#include "kernel/console/fbcon.h"
#include "kernel/console/font.h"
#include "kernel/console/vgacon.h"

TEST(font_glyphs_distinct)
{
    /* Every printable character has its own cell bitmap, inside columns 1-5. */
    for (unsigned a = FONT_FIRST; a <= FONT_LAST; a++) {
        for (unsigned y = 0; y < FONT_H; y++)
            CHECK((font_row((unsigned char)a, y) & 0x83) == 0);
        for (unsigned b = a + 1; b <= FONT_LAST; b++) {
            bool same = true;
            for (unsigned y = 0; y < FONT_H && same; y++)
                same = font_row((unsigned char)a, y) == font_row((unsigned char)b, y);
            if (same)
                UNIT_FAIL_("'%c' and '%c' look the same", a, b);
        }
    }
    for (unsigned y = 0; y < FONT_H; y++)
        CHECK_EQ(font_row(' ', y), 0);
    CHECK_EQ(font_row('A', FONT_H), 0);          /* out of range row */
    CHECK(font_row(0x80, 0) != 0);               /* a box for what the font lacks */
    CHECK(font_row('\n', 3) != 0);
}

static struct mb2_framebuffer rgb(uint32_t w, uint32_t h, uint8_t bpp)
{
    return (struct mb2_framebuffer){ .addr = 0xfd000000, .pitch = w * (bpp / 8) + 64, .width = w,
                                     .height = h, .bpp = bpp, .type = 1 };
}

static uint8_t *buf;

/* Read character cell (cx, cy) back: the char whose bitmap matches, 0 if none. */
static char cell_char(const struct fbcon *f, uint32_t cx, uint32_t cy)
{
    uint8_t rows[FONT_H];
    for (unsigned y = 0; y < FONT_H; y++) {
        rows[y] = 0;
        for (unsigned x = 0; x < FONT_W; x++) {
            const uint8_t *p = f->base + (uint64_t)(cy * FONT_H + y) * f->pitch + (uint64_t)(cx * FONT_W + x) * f->bytespp;
            uint32_t v = 0;
            memcpy(&v, p, f->bytespp);
            if (v)
                rows[y] |= (uint8_t)(0x80 >> x);
        }
    }
    for (unsigned c = FONT_FIRST; c <= FONT_LAST; c++) {
        unsigned y = 0;
        while (y < FONT_H && font_row((unsigned char)c, y) == rows[y])
            y++;
        if (y == FONT_H)
            return (char)c;
    }
    return 0;
}

static void row_text(const struct fbcon *f, uint32_t cy, char *out, size_t n)
{
    size_t i = 0;
    for (uint32_t cx = 0; cx < f->cols && i + 1 < n; cx++)
        out[i++] = cell_char(f, cx, cy);
    while (i > 0 && out[i - 1] == ' ')
        i--;
    out[i] = '\0';
}

static void puts_fb(struct fbcon *f, const char *s)
{
    while (*s)
        fbcon_putc(f, *s++);
}

static void fb_case(uint8_t bpp)
{
    struct fbcon f;
    struct mb2_framebuffer fb = rgb(80, 64, bpp);     /* 10x4 characters */
    free(buf);
    buf = calloc(1, (size_t)fb.pitch * fb.height);
    REQUIRE(fbcon_init(&f, buf, &fb) == NULL);
    CHECK_EQ(f.cols, 10);
    CHECK_EQ(f.rows, 4);
    fbcon_clear(&f);
    char t[32];
    puts_fb(&f, "skiff: ok\n");
    row_text(&f, 0, t, sizeof t);
    CHECK_STR(t, "skiff: ok");
    /* Wrap at 10 columns; a newline right after a full row adds no blank row. */
    puts_fb(&f, "0123456789\nab\tc\n");
    row_text(&f, 1, t, sizeof t);
    CHECK_STR(t, "0123456789");
    row_text(&f, 2, t, sizeof t);
    CHECK_STR(t, "ab      c");
    /* Scroll: the first row leaves, the rest moves up, the last row is blank then written. */
    puts_fb(&f, "last\nnew");
    row_text(&f, 0, t, sizeof t);
    CHECK_STR(t, "0123456789");
    row_text(&f, 2, t, sizeof t);
    CHECK_STR(t, "last");
    row_text(&f, 3, t, sizeof t);
    CHECK_STR(t, "new");
    CHECK_EQ(f.cy, 3);
    /* Nothing written into the padding beyond each line's pixels. */
    for (uint32_t y = 0; y < fb.height; y++)
        for (uint32_t x = fb.width * (bpp / 8); x < fb.pitch; x++)
            CHECK_EQ(buf[(size_t)y * fb.pitch + x], 0);
}

TEST(fbcon_32bpp) { fb_case(32); }
TEST(fbcon_24bpp) { fb_case(24); }
TEST(fbcon_16bpp) { fb_case(16); }

TEST(fbcon_colors)
{
    struct fbcon f;
    struct mb2_framebuffer fb = rgb(64, 32, 32);
    fb.has_rgb = true;
    fb.red_pos = 0, fb.red_size = 8, fb.green_pos = 8, fb.green_size = 8, fb.blue_pos = 16, fb.blue_size = 8;
    uint8_t *b = calloc(1, (size_t)fb.pitch * fb.height);
    REQUIRE(fbcon_init(&f, b, &fb) == NULL);
    CHECK_EQ(f.fg, 0xc0c0c0);
    fb.bpp = 16;
    fb.red_pos = 11, fb.red_size = 5, fb.green_pos = 5, fb.green_size = 6, fb.blue_pos = 0, fb.blue_size = 5;
    REQUIRE(fbcon_init(&f, b, &fb) == NULL);
    CHECK_EQ(f.fg, (0x18u << 11) | (0x30u << 5) | 0x18u);
    fb.red_pos = 12;                     /* runs past 16 bits */
    CHECK(fbcon_init(&f, b, &fb) != NULL);
    free(b);
}

TEST(fbcon_rejects)
{
    struct fbcon f;
    uint8_t b[16];
    struct mb2_framebuffer fb = rgb(1024, 768, 32);
    CHECK(fbcon_init(&f, b, &fb) == NULL);
    fb.type = 0;
    CHECK(fbcon_init(&f, b, &fb) != NULL);
    fb = rgb(1024, 768, 8);
    CHECK(fbcon_init(&f, b, &fb) != NULL);
    fb = rgb(1024, 768, 32);
    fb.pitch = 4095;
    CHECK(fbcon_init(&f, b, &fb) != NULL);
    fb = rgb(7, 768, 32);
    CHECK(fbcon_init(&f, b, &fb) != NULL);
    fb = rgb(1024, 15, 32);
    CHECK(fbcon_init(&f, b, &fb) != NULL);
    fb = rgb(16384, 16384, 32);          /* 1 GiB */
    CHECK(fbcon_init(&f, b, &fb) != NULL);
    fb = rgb(1024, 768, 32);
    fb.addr = 0;
    CHECK(fbcon_init(&f, b, &fb) != NULL);
    fb = rgb(1024, 768, 32);
    CHECK(fbcon_init(&f, NULL, &fb) != NULL);
    fbcon_putc(&f, 'x');                 /* a console that failed init ignores output */
}

/*
 * Scrolling never reads the framebuffer (kernel/console/fbcon.c): a pixel the console did not
 * draw (planted in video memory behind its back) is never copied up a text row, and the screen
 * after many scrolls is pixel for pixel what drawing its last rows on a clear screen gives.
 */
static void put_lines(struct fbcon *f, int from, int to)
{
    char line[] = "line 0\n";
    for (int i = from; i < to; i++) {
        line[5] = (char)('0' + i);
        puts_fb(f, line);
    }
}

static void fb_scroll_case(uint8_t bpp)
{
    static struct fbcon f, ref;
    struct mb2_framebuffer fb = rgb(80, 64, bpp);     /* 10x4 characters */
    size_t size = (size_t)fb.pitch * fb.height, bytespp = bpp / 8;
    uint8_t *vram = calloc(1, size), *want = calloc(1, size);
    REQUIRE(fbcon_init(&f, vram, &fb) == NULL);
    fbcon_clear(&f);
    put_lines(&f, 0, 9);
    puts_fb(&f, "tail");
    REQUIRE(fbcon_init(&ref, want, &fb) == NULL);
    fbcon_clear(&ref);
    puts_fb(&ref, "line 6\nline 7\nline 8\ntail");
    CHECK(memcmp(vram, want, size) == 0);

    /* A pixel planted in a blank cell of the last row, then one more scroll. */
    size_t planted = (size_t)(3 * FONT_H + 5) * fb.pitch + (9 * FONT_W + 3) * bytespp;
    memset(vram + planted, 0x5a, bytespp);
    puts_fb(&f, "\n");
    uint32_t above = 0;
    memcpy(&above, vram + planted - (size_t)FONT_H * fb.pitch, bytespp);
    CHECK_EQ(above, 0);                  /* not moved up: the old rows were not read back */
    char t[32];
    row_text(&f, 2, t, sizeof t);
    CHECK_STR(t, "tail");
    free(vram);
    free(want);
}

TEST(fbcon_scroll_never_reads_vram_32bpp) { fb_scroll_case(32); }
TEST(fbcon_scroll_never_reads_vram_24bpp) { fb_scroll_case(24); }
TEST(fbcon_scroll_never_reads_vram_16bpp) { fb_scroll_case(16); }

/* A screen wider or taller than the shadow uses the shadow's size of it. */
TEST(fbcon_large_screen)
{
    static struct fbcon f;
    uint8_t b[16];
    struct mb2_framebuffer fb = rgb(7680, 4320, 32);
    REQUIRE(fbcon_init(&f, b, &fb) == NULL);
    CHECK_EQ(f.cols, FBCON_MAX_COLS);
    CHECK_EQ(f.rows, FBCON_MAX_ROWS);
    fb = rgb(1920, 1080, 32);
    REQUIRE(fbcon_init(&f, b, &fb) == NULL);
    CHECK_EQ(f.cols, 240);
    CHECK_EQ(f.rows, 67);
}

static void vga_row(const struct vgacon *v, const uint16_t *cells, uint32_t y, char *out)
{
    uint32_t x = 0;
    for (; x < v->cols; x++)
        out[x] = (char)(cells[y * v->stride + x] & 0xff);
    while (x > 0 && out[x - 1] == ' ')
        x--;
    out[x] = '\0';
}

TEST(vgacon_text)
{
    struct mb2_framebuffer fb = { .addr = 0xb8000, .pitch = 24, .width = 8, .height = 3, .bpp = 16, .type = 2 };
    uint16_t *cells = calloc(12 * 3, 2);
    struct vgacon v;
    char t[16];
    REQUIRE(vgacon_init(&v, cells, &fb) == NULL);
    vgacon_clear(&v);
    CHECK_EQ(cells[0], 0x0720);
    CHECK_EQ(cells[10], 0);              /* beyond the width (pitch padding) untouched */
    for (const char *s = "skiff:\nabcdefghij\n\x01"; *s; s++)
        vgacon_putc(&v, *s);
    vga_row(&v, cells, 0, t);
    CHECK_STR(t, "abcdefgh");            /* scrolled once */
    vga_row(&v, cells, 1, t);
    CHECK_STR(t, "ij");
    vga_row(&v, cells, 2, t);
    CHECK_STR(t, "?");                   /* control characters show as '?' */
    CHECK_EQ(cells[2 * 12] >> 8, 0x07);
    CHECK_EQ(vgacon_cursor(&v), 2 * 8 + 1);
    CHECK_EQ(cells[10], 0);

    fb.type = 1;
    CHECK(vgacon_init(&v, cells, &fb) != NULL);
    fb.type = 2;
    fb.pitch = 15;
    CHECK(vgacon_init(&v, cells, &fb) != NULL);
    fb.pitch = 14;
    CHECK(vgacon_init(&v, cells, &fb) != NULL);
    fb.pitch = 160, fb.width = 0;
    CHECK(vgacon_init(&v, cells, &fb) != NULL);
    vgacon_putc(&v, 'x');
    free(cells);
}

UNIT_MAIN(T(font_glyphs_distinct), T(fbcon_32bpp), T(fbcon_24bpp), T(fbcon_16bpp), T(fbcon_colors),
          T(fbcon_rejects), T(fbcon_scroll_never_reads_vram_32bpp), T(fbcon_scroll_never_reads_vram_24bpp),
          T(fbcon_scroll_never_reads_vram_16bpp), T(fbcon_large_screen), T(vgacon_text))
