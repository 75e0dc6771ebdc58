#include "kernel/console/vgacon.h"

const char *vgacon_init(struct vgacon *v, void *base, const struct mb2_framebuffer *fb)
{
    *v = (struct vgacon){ 0 };
    if (fb->type != 2)
        return "not an EGA text screen";
    if (!fb->addr || !base)
        return "no address";
    if (fb->width < 1 || fb->height < 1 || fb->width > 512 || fb->height > 256)
        return "size out of range";
    if (fb->pitch < fb->width * 2 || fb->pitch % 2 || fb->pitch > 4096)
        return "bad pitch";
    v->base = base;
    v->cols = fb->width;
    v->rows = fb->height;
    v->stride = fb->pitch / 2;
    v->attr = 0x07;   /* light grey on black */
    return NULL;
}

static void clear_row(struct vgacon *v, uint32_t y)
{
    for (uint32_t x = 0; x < v->cols; x++)
        v->base[y * v->stride + x] = (uint16_t)(v->attr << 8 | ' ');
}

void vgacon_clear(struct vgacon *v)
{
    for (uint32_t y = 0; y < v->rows; y++)
        clear_row(v, y);
    v->cx = v->cy = 0;
}

static void newline(struct vgacon *v)
{
    v->cx = 0;
    if (++v->cy < v->rows)
        return;
    for (uint32_t y = 1; y < v->rows; y++)
        for (uint32_t x = 0; x < v->cols; x++)
            v->base[(y - 1) * v->stride + x] = v->base[y * v->stride + x];
    clear_row(v, v->rows - 1);
    v->cy = v->rows - 1;
}

void vgacon_putc(struct vgacon *v, char ch)
{
    unsigned char c = (unsigned char)ch;

    if (!v->base)
        return;
    switch (c) {
    case '\n':
        newline(v);
        return;
    case '\r':
        v->cx = 0;
        return;
    case '\t':
        do
            vgacon_putc(v, ' ');
        while (v->cx % 8 && v->cx < v->cols);
        return;
    default:
        break;
    }
    if (v->cx >= v->cols)
        newline(v);
    if (c < 32 || c > 126)
        c = '?';
    v->base[v->cy * v->stride + v->cx] = (uint16_t)(v->attr << 8 | c);
    v->cx++;
}

uint32_t vgacon_cursor(const struct vgacon *v)
{
    uint32_t x = v->cx < v->cols ? v->cx : v->cols - 1;
    return v->cy * v->cols + x;
}
