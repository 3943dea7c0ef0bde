/* screen_png.c — draws a grid of terminal cells (screen_png.h).
 *
 * Cells are whole pixels (FONT_W x FONT_H font pixels times the scale,
 * rounded), so backgrounds tile without seams and the lines of box-drawing
 * characters meet their neighbours exactly: every line runs through the
 * middle of the cell with a whole-pixel width. */
#include "tui/screen_png.h"

#include <math.h>
#include <stddef.h>

#include "tui/font.h"
#include "tui/png_write.h"

#define QUARTER_TURN 1.5707963267948966

static const png_rgb default_bg = 0x16181D, default_fg = 0xD4D7DD;

/* [bright][screen_color]: normal, and bright for bold text. */
static const png_rgb palette[2][8] = {
    { 0x31353D, 0xE0524A, 0x5BB062, 0xD1A032, 0x4E8FE8, 0xB47AE8, 0x3CBAC4, 0xC5CAD3 },
    { 0x646B77, 0xFF7670, 0x78D17F, 0xF0C150, 0x78AFFF, 0xD3A6FF, 0x62DCE4, 0xF4F6F9 },
};

/* Box drawing U+2500..U+257F: per code point the weight of its arms up,
 * right, down and left (0 none, 1 light, 2 heavy, 3 double) and the number
 * of dashes (0 for a solid line); "XXXX0" marks the diagonals. */
static const char *const box_rows[16] = {
    /* 2500  ─     ━     │     ┃     ┄     ┅     ┆     ┇ */
    "01010 02020 10100 20200 01013 02023 10103 20203",
    /* 2508  ┈     ┉     ┊     ┋     ┌     ┍     ┎     ┏ */
    "01014 02024 10104 20204 01100 02100 01200 02200",
    /* 2510  ┐     ┑     ┒     ┓     └     ┕     ┖     ┗ */
    "00110 00120 00210 00220 11000 12000 21000 22000",
    /* 2518  ┘     ┙     ┚     ┛     ├     ┝     ┞     ┟ */
    "10010 10020 20010 20020 11100 12100 21100 11200",
    /* 2520  ┠     ┡     ┢     ┣     ┤     ┥     ┦     ┧ */
    "21200 22100 12200 22200 10110 10120 20110 10210",
    /* 2528  ┨     ┩     ┪     ┫     ┬     ┭     ┮     ┯ */
    "20210 20120 10220 20220 01110 01120 02110 02120",
    /* 2530  ┰     ┱     ┲     ┳     ┴     ┵     ┶     ┷ */
    "01210 01220 02210 02220 11010 11020 12010 12020",
    /* 2538  ┸     ┹     ┺     ┻     ┼     ┽     ┾     ┿ */
    "21010 21020 22010 22020 11110 11120 12110 12120",
    /* 2540  ╀     ╁     ╂     ╃     ╄     ╅     ╆     ╇ */
    "21110 11210 21210 21120 22110 11220 12210 22120",
    /* 2548  ╈     ╉     ╊     ╋     ╌     ╍     ╎     ╏ */
    "12220 21220 22210 22220 01012 02022 10102 20202",
    /* 2550  ═     ║     ╒     ╓     ╔     ╕     ╖     ╗ */
    "03030 30300 03100 01300 03300 00130 00310 00330",
    /* 2558  ╘     ╙     ╚     ╛     ╜     ╝     ╞     ╟ */
    "13000 31000 33000 10030 30010 30030 13100 31300",
    /* 2560  ╠     ╡     ╢     ╣     ╤     ╥     ╦     ╧ */
    "33300 10130 30310 30330 03130 01310 03330 13030",
    /* 2568  ╨     ╩     ╪     ╫     ╬     ╭     ╮     ╯ */
    "31010 33030 13130 31310 33330 01100 00110 10010",
    /* 2570  ╰     ╱     ╲     ╳     ╴     ╵     ╶     ╷ */
    "11000 XXXX0 XXXX0 XXXX0 00010 10000 01000 00100",
    /* 2578  ╸     ╹     ╺     ╻     ╼     ╽     ╾     ╿ */
    "00020 20000 02000 00200 02010 10200 01020 20100",
};

static png_rgb color_of(int c, int bright, png_rgb dflt)
{
    return c >= 0 && c < 8 ? palette[bright ? 1 : 0][c] : dflt;
}

void screen_png_geometry(int cols, int rows, double scale, int *cw, int *ch, int *pad,
                         int *w, int *h)
{
    double s = scale > 0 ? scale : 1;
    int cw_ = (int)fmax(1, floor(FONT_W * s + 0.5)), ch_ = (int)fmax(1, floor(FONT_H * s + 0.5));
    int pad_ = (int)floor(SCREEN_PNG_PAD * s + 0.5);
    if (cw)
        *cw = cw_;
    if (ch)
        *ch = ch_;
    if (pad)
        *pad = pad_;
    if (w)
        *w = 2 * pad_ + (cols > 0 ? cols : 0) * cw_;
    if (h)
        *h = 2 * pad_ + (rows > 0 ? rows : 0) * ch_;
}

/* One cell's box, in pixels, and the widths of its lines. */
typedef struct cell_box {
    png_canvas *cv;
    double      x, y, w, h;
    double      lw;          /* a light line; heavy is twice that */
    png_rgb     fg, bg;
} cell_box;

/* A line band across the cell centre of thickness t: [c0, c0 + t) where the
 * band is centred in a span of length len starting at origin. */
static double band(double origin, double len, double t)
{
    return origin + floor((len - t) / 2);
}

/* An arm from the cell centre to one edge: dir 0 up, 1 right, 2 down, 3 left. */
static void draw_arm(const cell_box *b, int dir, int weight, int dashes)
{
    int vertical = dir == 0 || dir == 2;
    double t = weight == 2 ? 2 * b->lw : b->lw;
    double len = vertical ? b->h : b->w, across = vertical ? b->w : b->h;
    double o_along = vertical ? b->y : b->x, o_across = vertical ? b->x : b->y;
    double c0 = band(o_across, across, t), mid = band(o_along, len, t);
    double a0 = dir == 0 || dir == 3 ? o_along : mid;
    double a1 = dir == 0 || dir == 3 ? mid + t : o_along + len;
    double offs[2] = { 0, 0 };
    int n_lines = 1;
    if (weight == 3) {                     /* double: two light lines a line apart */
        t = b->lw;
        c0 = band(o_across, across, t);
        offs[0] = -t;
        offs[1] = t;
        n_lines = 2;
        if (dir == 0 || dir == 3)
            a1 = mid + 2 * t;
        else
            a0 = mid - t;
    }
    for (int k = 0; k < n_lines; k++) {
        double p0 = c0 + offs[k], p1 = p0 + t;
        if (dashes > 0) {                  /* dashes centred in equal parts of the cell */
            double part = len / dashes;
            for (int d = 0; d < dashes; d++) {
                double s0 = o_along + d * part + part * 0.2, s1 = s0 + part * 0.6;
                s0 = floor(fmax(s0, a0) + 0.5);
                s1 = floor(fmin(s1, a1) + 0.5);
                if (s1 <= s0)
                    continue;
                if (vertical)
                    png_canvas_rect(b->cv, p0, s0, p1, s1, b->fg);
                else
                    png_canvas_rect(b->cv, s0, p0, s1, p1, b->fg);
            }
        } else if (vertical) {
            png_canvas_rect(b->cv, p0, a0, p1, a1, b->fg);
        } else {
            png_canvas_rect(b->cv, a0, p0, a1, p1, b->fg);
        }
    }
}

/* A rounded corner (U+256D..U+2570): a quarter circle joining the middles
 * of two edges. */
static void draw_arc(const cell_box *b, int right, int down)
{
    double cx = band(b->x, b->w, b->lw) + b->lw / 2, cy = band(b->y, b->h, b->lw) + b->lw / 2;
    double r = fmin(b->w, b->h) / 2;
    double ex = right ? b->x + b->w : b->x, ey = down ? b->y + b->h : b->y;
    double ox = cx + (right ? r : -r), oy = cy + (down ? r : -r);   /* arc centre */
    double px = cx, py = ey, phase = 0;
    png_canvas_pen_segment(b->cv, cx, ey, cx, oy, b->lw, NULL, &phase);
    for (int i = 0; i <= 12; i++) {
        double a = (i / 12.0) * QUARTER_TURN;
        double x = ox - (right ? 1 : -1) * r * cos(a), y = oy - (down ? 1 : -1) * r * sin(a);
        png_canvas_pen_segment(b->cv, px, py, x, y, b->lw, NULL, &phase);
        px = x;
        py = y;
    }
    png_canvas_pen_segment(b->cv, px, py, ex, cy, b->lw, NULL, &phase);
    png_canvas_paint(b->cv, b->fg);
}

static int draw_box_drawing(const cell_box *b, uint32_t ch)
{
    if (ch < 0x2500 || ch > 0x257F)
        return 0;
    int i = (int)(ch - 0x2500);
    const char *e = box_rows[i / 8] + (i % 8) * 6;
    if (ch >= 0x256D && ch <= 0x2570) {
        draw_arc(b, ch == 0x256D || ch == 0x2570, ch == 0x256D || ch == 0x256E);
        return 1;
    }
    if (e[0] == 'X') {                     /* diagonals */
        double phase = 0;
        if (ch != 0x2572)
            png_canvas_pen_segment(b->cv, b->x + b->w, b->y, b->x, b->y + b->h, b->lw, NULL, &phase);
        if (ch != 0x2571)
            png_canvas_pen_segment(b->cv, b->x, b->y, b->x + b->w, b->y + b->h, b->lw, NULL, &phase);
        png_canvas_paint(b->cv, b->fg);
        return 1;
    }
    for (int dir = 0; dir < 4; dir++)
        if (e[dir] != '0')
            draw_arm(b, dir, e[dir] - '0', e[4] - '0');
    return 1;
}

/* Block elements U+2580..U+259F: parts of the cell filled, or shades. */
static int draw_block(const cell_box *b, uint32_t ch)
{
    static const uint8_t quads[10] = { 4, 8, 1, 13, 9, 7, 11, 2, 6, 14 };  /* U+2596.. */
    double x = b->x, y = b->y, w = b->w, h = b->h;
    if (ch < 0x2580 || ch > 0x259F)
        return 0;
    if (ch == 0x2580)
        png_canvas_rect(b->cv, x, y, x + w, y + floor(h / 2), b->fg);
    else if (ch <= 0x2588)                 /* lower eighths, full block */
        png_canvas_rect(b->cv, x, y + h - floor(h * (ch - 0x2580) / 8 + 0.5), x + w, y + h, b->fg);
    else if (ch <= 0x258F)                 /* left seven eighths .. one eighth */
        png_canvas_rect(b->cv, x, y, x + floor(w * (0x2590 - ch) / 8 + 0.5), y + h, b->fg);
    else if (ch == 0x2590)
        png_canvas_rect(b->cv, x + floor(w / 2), y, x + w, y + h, b->fg);
    else if (ch <= 0x2593)                 /* shades: 25%, 50%, 75% */
        png_canvas_rect(b->cv, x, y, x + w, y + h, png_rgb_mix(b->bg, b->fg, (ch - 0x2590) * 0.25));
    else if (ch == 0x2594)
        png_canvas_rect(b->cv, x, y, x + w, y + floor(h / 8 + 0.5), b->fg);
    else if (ch == 0x2595)
        png_canvas_rect(b->cv, x + w - floor(w / 8 + 0.5), y, x + w, y + h, b->fg);
    else {
        int q = quads[ch - 0x2596];
        double hw = floor(w / 2), hh = floor(h / 2);
        if (q & 1)
            png_canvas_rect(b->cv, x, y, x + hw, y + hh, b->fg);
        if (q & 2)
            png_canvas_rect(b->cv, x + hw, y, x + w, y + hh, b->fg);
        if (q & 4)
            png_canvas_rect(b->cv, x, y + hh, x + hw, y + h, b->fg);
        if (q & 8)
            png_canvas_rect(b->cv, x + hw, y + hh, x + w, y + h, b->fg);
    }
    return 1;
}

/* Braille: dot bits 0..7 are dots 1..8 of the 2 x 4 cell. */
static int draw_braille(const cell_box *b, uint32_t ch)
{
    static const uint8_t col[8] = { 0, 0, 0, 1, 1, 1, 0, 1 }, row[8] = { 0, 1, 2, 0, 1, 2, 3, 3 };
    if (ch < 0x2800 || ch > 0x28FF)
        return 0;
    double r = b->w * 0.19;
    for (int bit = 0; bit < 8; bit++)
        if (ch >> bit & 1)
            png_canvas_pen_disc(b->cv, b->x + b->w * (0.25 + 0.5 * col[bit]),
                                b->y + b->h * (0.125 + 0.25 * row[bit]), r);
    png_canvas_paint(b->cv, b->fg);
    return 1;
}

/* Dots and squares that charts and status lines use. */
static int draw_shape(const cell_box *b, uint32_t ch)
{
    double cx = b->x + b->w / 2, cy = b->y + b->h / 2, side;
    switch (ch) {
    case 0x25CF:                           /* black circle */
        png_canvas_dot(b->cv, cx, cy, b->w * 0.38, b->fg);
        return 1;
    case 0x2022:                           /* bullet */
        png_canvas_dot(b->cv, cx, cy, b->w * 0.2, b->fg);
        return 1;
    case 0x25CB:                           /* white circle */
        png_canvas_dot(b->cv, cx, cy, b->w * 0.38, b->fg);
        png_canvas_dot(b->cv, cx, cy, b->w * 0.38 - b->lw, b->bg);
        return 1;
    case 0x25A0:                           /* black square */
    case 0x25AA:                           /* black small square */
        side = floor(b->w * (ch == 0x25A0 ? 0.7 : 0.45) + 0.5);
        png_canvas_rect(b->cv, band(b->x, b->w, side), band(b->y, b->h, side),
                        band(b->x, b->w, side) + side, band(b->y, b->h, side) + side, b->fg);
        return 1;
    default:
        return 0;
    }
}

void screen_png_render(const screen_cell *cells, int cols, int rows, double scale,
                       png_canvas *cv)
{
    int cw, ch, pad;
    double s = scale > 0 ? scale : 1;
    screen_png_geometry(cols, rows, s, &cw, &ch, &pad, NULL, NULL);
    png_canvas_unclip(cv);
    png_canvas_rect(cv, 0, 0, cv->w, cv->h, default_bg);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            const screen_cell *cell = &cells[(size_t)r * (size_t)cols + (size_t)c];
            int bold = cell->attr & SCREEN_ATTR_BOLD;
            cell_box b = { cv, pad + (double)c * cw, pad + (double)r * ch, cw, ch,
                           fmax(1, floor(s * 0.9 + 0.5)), 0, 0 };
            b.fg = color_of(cell->fg, bold, default_fg);
            b.bg = color_of(cell->bg, 0, default_bg);
            if (cell->attr & SCREEN_ATTR_REVERSE) {
                png_rgb t = b.fg;
                b.fg = b.bg;
                b.bg = t;
            }
            if (cell->attr & SCREEN_ATTR_DIM)
                b.fg = png_rgb_mix(b.fg, b.bg, 0.5);
            if (b.bg != default_bg)
                png_canvas_rect(cv, b.x, b.y, b.x + b.w, b.y + b.h, b.bg);
            png_canvas_clip(cv, b.x, b.y, b.x + b.w, b.y + b.h);
            uint32_t code = cell->ch;
            if (code != 0 && code != ' ' && !draw_braille(&b, code) &&
                !draw_box_drawing(&b, code) && !draw_block(&b, code) && !draw_shape(&b, code))
                png_canvas_glyph(cv, b.x, b.y, code, s, b.fg, bold ? PNG_TEXT_BOLD : 0);
            if (cell->attr & SCREEN_ATTR_UNDERLINE)
                png_canvas_rect(cv, b.x, b.y + b.h - b.lw, b.x + b.w, b.y + b.h, b.fg);
            png_canvas_unclip(cv);
        }
}

int screen_png_write(const screen_cell *cells, int cols, int rows, double scale,
                     const char *path, lr_err *e)
{
    int w, h;
    if (cols < 1 || rows < 1 || cols > 4096 || rows > 4096)
        return lr_fail(e, "cannot write %s: a screen of %d x %d cells cannot be drawn", path, cols,
                       rows);
    if (!(scale > 0) || !(scale <= 16))
        return lr_fail(e, "cannot write %s: scale %g is out of range (0 to 16)", path, scale);
    screen_png_geometry(cols, rows, scale, NULL, NULL, NULL, &w, &h);
    png_canvas cv;
    if (png_canvas_init(&cv, w, h, default_bg, e))
        return -1;
    screen_png_render(cells, cols, rows, scale, &cv);
    int rc = png_write_rgb(path, cv.rgb, cv.w, cv.h, e);
    png_canvas_free(&cv);
    return rc;
}
