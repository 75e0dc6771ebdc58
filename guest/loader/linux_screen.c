/*
 * boot_params.screen_info (struct screen_info at offset 0 of the zero page,
 * Documentation/arch/x86/zero-page.rst; include/uapi/linux/screen_info.h):
 * the screen GRUB left Skiff, passed on so that Linux's vgacon (EGA text),
 * efifb, vesafb or simpledrm (linear framebuffer) draw the guest's console.
 * A real-mode setup or a boot loader fills it; Skiff's guests have neither.
 *
 *   EGA text at 0xb8000 -> VIDEO_TYPE_VGAC, mode 3, cols x lines, 16-line font,
 *                          cursor on the bottom row (Skiff's lines scroll up);
 *   direct RGB          -> VIDEO_TYPE_EFI when UEFI set it up (GOP: lfb_size in
 *                          bytes), else VIDEO_TYPE_VLFB (VESA: lfb_size in
 *                          64 KiB units); a base above 4 GiB in ext_lfb_base
 *                          with VIDEO_CAPABILITY_64BIT_BASE;
 *   anything else (indexed colour, a text screen elsewhere, sizes the fields
 *   cannot hold) -> screen_info stays zero, as before: no screen.
 */
#include "guest/loader/loader_common.h"

/* struct screen_info field offsets. */
#define SI_ORIG_X        0x00
#define SI_ORIG_Y        0x01
#define SI_VIDEO_MODE    0x06
#define SI_VIDEO_COLS    0x07
#define SI_VIDEO_EGA_BX  0x0a
#define SI_VIDEO_LINES   0x0e
#define SI_VIDEO_IS_VGA  0x0f
#define SI_VIDEO_POINTS  0x10
#define SI_LFB_WIDTH     0x12
#define SI_LFB_HEIGHT    0x14
#define SI_LFB_DEPTH     0x16
#define SI_LFB_BASE      0x18
#define SI_LFB_SIZE      0x1c
#define SI_LFB_LINELEN   0x24
#define SI_RED_SIZE      0x26     /* then red_pos, green_size/pos, blue_size/pos, rsvd_size/pos */
#define SI_PAGES         0x32
#define SI_CAPABILITIES  0x36
#define SI_EXT_LFB_BASE  0x3a

#define VIDEO_TYPE_VGAC  0x22     /* VGA+ in colour text mode */
#define VIDEO_TYPE_VLFB  0x23     /* VESA linear framebuffer */
#define VIDEO_TYPE_EFI   0x70     /* EFI graphics output (GOP) */
#define VIDEO_CAPABILITY_64BIT_BASE (1u << 1)

#define EGA_TEXT_BASE    0xb8000ull
#define FONT_LINES       16       /* character height Linux assumes for the text screen */
#define CELL_W           8        /* text cells on a framebuffer, for orig_video_cols/lines */

static uint8_t cap8(uint32_t v) { return (uint8_t)(v < 255 ? v : 255); }

static void ega_text(uint8_t *si, const struct mb2_framebuffer *fb)
{
    if (fb->addr != EGA_TEXT_BASE || fb->width < 1 || fb->width > 255 || fb->height < 1 ||
        fb->height > 255)
        return;
    si[SI_ORIG_X] = 0;
    si[SI_ORIG_Y] = (uint8_t)(fb->height - 1);
    si[SI_VIDEO_MODE] = 3;                           /* 80x25 colour text, as the BIOS sets it */
    si[SI_VIDEO_COLS] = (uint8_t)fb->width;
    si[SI_VIDEO_LINES] = (uint8_t)fb->height;
    ld_put16(si + SI_VIDEO_EGA_BX, 3);               /* INT 10h AH=12h BL=10h: colour, 256 KiB */
    si[SI_VIDEO_IS_VGA] = VIDEO_TYPE_VGAC;
    ld_put16(si + SI_VIDEO_POINTS, FONT_LINES);
}

static void linear(uint8_t *si, const struct mb2_framebuffer *fb, bool efi)
{
    uint8_t rp = 16, rs = 8, gp = 8, gs = 8, bp = 0, bs = 8;     /* no colour info: 8:8:8 */
    if (fb->has_rgb)
        rp = fb->red_pos, rs = fb->red_size, gp = fb->green_pos, gs = fb->green_size,
        bp = fb->blue_pos, bs = fb->blue_size;
    else if (fb->bpp == 16)
        rp = 11, rs = 5, gp = 5, gs = 6, bp = 0, bs = 5;
    if (fb->bpp < 15 || fb->bpp > 32 || fb->width < 1 || fb->width > 0xffff || fb->height < 1 ||
        fb->height > 0xffff || fb->pitch > 0xffff || fb->pitch < (uint64_t)fb->width * (fb->bpp / 8) ||
        !fb->addr)
        return;
    unsigned top = rp + rs;                          /* the bits above the colour fields are reserved */
    top = gp + gs > top ? gp + gs : top;
    top = bp + bs > top ? bp + bs : top;
    if (top > fb->bpp)
        return;
    uint64_t bytes = (uint64_t)fb->pitch * fb->height;

    si[SI_VIDEO_COLS] = cap8(fb->width / CELL_W);
    si[SI_VIDEO_LINES] = cap8(fb->height / FONT_LINES);
    si[SI_VIDEO_IS_VGA] = efi ? VIDEO_TYPE_EFI : VIDEO_TYPE_VLFB;
    ld_put16(si + SI_VIDEO_POINTS, FONT_LINES);
    ld_put16(si + SI_LFB_WIDTH, (uint16_t)fb->width);
    ld_put16(si + SI_LFB_HEIGHT, (uint16_t)fb->height);
    ld_put16(si + SI_LFB_DEPTH, fb->bpp);
    ld_put32(si + SI_LFB_BASE, (uint32_t)fb->addr);
    ld_put32(si + SI_LFB_SIZE, (uint32_t)(efi ? bytes : (bytes + 0xffff) >> 16));
    ld_put16(si + SI_LFB_LINELEN, (uint16_t)fb->pitch);
    uint8_t rsvd = (uint8_t)(fb->bpp - top);
    const uint8_t fields[8] = { rs, rp, gs, gp, bs, bp, rsvd, (uint8_t)(rsvd ? top : 0) };
    for (unsigned i = 0; i < 8; i++)
        si[SI_RED_SIZE + i] = fields[i];
    ld_put16(si + SI_PAGES, 1);
    if (fb->addr >> 32) {
        ld_put32(si + SI_EXT_LFB_BASE, (uint32_t)(fb->addr >> 32));
        ld_put32(si + SI_CAPABILITIES, VIDEO_CAPABILITY_64BIT_BASE);
    }
}

void linux_screen_info(uint8_t *si, const struct guest_screen *screen)
{
    const struct mb2_framebuffer *fb = screen->fb;
    if (!fb)
        return;
    if (fb->type == 2)
        ega_text(si, fb);
    else if (fb->type == 1)
        linear(si, fb, screen->efi);
}
