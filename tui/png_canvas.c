/* png_canvas.c — coverage-based anti-aliased drawing on an RGB buffer.
 *
 * Lines are capsules: a pixel's coverage is how far its centre lies inside
 * the line's half-width, plus half a pixel of soft edge (clamped to [0, 1]).
 * That gives the same weight to a line at any angle and round caps and joints
 * for free. Pieces of one polyline or one set of dots go into the coverage
 * mask first (keeping the maximum), and the mask is blended once.
 *
 * Glyphs are sampled 4 x 4 times per pixel from the font's bitmap; when a
 * font pixel is scaled up, a blank font pixel whose two neighbours at one
 * corner are ink (and the other two are not) gets that corner's half filled,
 * which turns stair-stepped diagonals into straight ones. */
#include "tui/png_canvas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tui/font.h"

#define TEXT_SAMPLES 4        /* per pixel side */
#define SMOOTH_FROM  1.5      /* font pixel size from which diagonals are smoothed */

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* floor and ceil to an int, for pixel bounds; far values are first pulled in
 * to just outside any canvas, so the conversion cannot overflow. */
static int ifloor(double v)
{
    return (int)floor(v < -1 ? -1 : v > 1e9 ? 1e9 : v);
}

static int iceil(double v)
{
    return (int)ceil(v < -1 ? -1 : v > 1e9 ? 1e9 : v);
}

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

png_rgb png_rgb_mix(png_rgb a, png_rgb b, double t)
{
    png_rgb out = 0;
    t = clamp01(t);
    for (int sh = 0; sh <= 16; sh += 8) {
        double ca = (double)(a >> sh & 0xFF), cb = (double)(b >> sh & 0xFF);
        out |= (png_rgb)lround(ca + (cb - ca) * t) << sh;
    }
    return out;
}

int png_canvas_init(png_canvas *cv, int w, int h, png_rgb bg, lr_err *e)
{
    memset(cv, 0, sizeof *cv);
    if (w < 1 || h < 1 || w > PNG_CANVAS_MAX_SIDE || h > PNG_CANVAS_MAX_SIDE)
        return lr_fail(e, "image size %d x %d is out of range: each side must be 1 to %d "
                          "pixels", w, h, PNG_CANVAS_MAX_SIDE);
    size_t n = (size_t)w * (size_t)h;
    cv->rgb = malloc(n * 3);
    cv->mask = calloc(n, 1);
    if (!cv->rgb || !cv->mask) {
        png_canvas_free(cv);
        return lr_fail(e, "out of memory for a %d x %d image", w, h);
    }
    for (size_t i = 0; i < n; i++) {
        cv->rgb[3 * i] = (uint8_t)(bg >> 16);
        cv->rgb[3 * i + 1] = (uint8_t)(bg >> 8);
        cv->rgb[3 * i + 2] = (uint8_t)bg;
    }
    cv->w = w;
    cv->h = h;
    png_canvas_unclip(cv);
    return 0;
}

void png_canvas_free(png_canvas *cv)
{
    free(cv->rgb);
    free(cv->mask);
    memset(cv, 0, sizeof *cv);
}

void png_canvas_unclip(png_canvas *cv)
{
    cv->cx0 = cv->cy0 = 0;
    cv->cx1 = cv->w;
    cv->cy1 = cv->h;
}

/* Pixel i is inside [a, b) when its centre i + 0.5 is. */
static int first_inside(double a)
{
    return (int)ceil(fmax(fmin(a, 1e9), -1e9) - 0.5);
}

void png_canvas_clip(png_canvas *cv, double x0, double y0, double x1, double y1)
{
    cv->cx0 = clampi(first_inside(x0), 0, cv->w);
    cv->cy0 = clampi(first_inside(y0), 0, cv->h);
    cv->cx1 = clampi(first_inside(x1), cv->cx0, cv->w);
    cv->cy1 = clampi(first_inside(y1), cv->cy0, cv->h);
}

static int in_clip(const png_canvas *cv, int x, int y)
{
    return x >= cv->cx0 && x < cv->cx1 && y >= cv->cy0 && y < cv->cy1;
}

void png_canvas_blend(png_canvas *cv, int x, int y, png_rgb c, double a)
{
    if (!in_clip(cv, x, y) || !(a > 0))
        return;
    uint8_t *p = cv->rgb + 3 * ((size_t)y * (size_t)cv->w + (size_t)x);
    if (a >= 1) {
        p[0] = (uint8_t)(c >> 16);
        p[1] = (uint8_t)(c >> 8);
        p[2] = (uint8_t)c;
        return;
    }
    for (int k = 0; k < 3; k++) {
        double src = (double)(c >> (16 - 8 * k) & 0xFF), dst = p[k];
        p[k] = (uint8_t)lround(dst + (src - dst) * a);
    }
}

png_rgb png_canvas_get(const png_canvas *cv, int x, int y)
{
    if (x < 0 || y < 0 || x >= cv->w || y >= cv->h)
        return 0;
    const uint8_t *p = cv->rgb + 3 * ((size_t)y * (size_t)cv->w + (size_t)x);
    return (png_rgb)p[0] << 16 | (png_rgb)p[1] << 8 | p[2];
}

void png_canvas_rect(png_canvas *cv, double x0, double y0, double x1, double y1, png_rgb c)
{
    if (!(x1 > x0 && y1 > y0))
        return;
    int i0 = clampi(ifloor(x0), cv->cx0, cv->cx1);
    int i1 = clampi(iceil(x1), cv->cx0, cv->cx1);
    int j0 = clampi(ifloor(y0), cv->cy0, cv->cy1);
    int j1 = clampi(iceil(y1), cv->cy0, cv->cy1);
    for (int j = j0; j < j1; j++) {
        double oy = fmin(y1, j + 1.0) - fmax(y0, (double)j);
        for (int i = i0; i < i1; i++) {
            double ox = fmin(x1, i + 1.0) - fmax(x0, (double)i);
            png_canvas_blend(cv, i, j, c, clamp01(ox) * clamp01(oy));
        }
    }
}

/* ---- the coverage mask ------------------------------------------------- */

static void mask_mark(png_canvas *cv, int x, int y, double cov)
{
    if (!(cov > 0))
        return;
    uint8_t v = (uint8_t)lround(clamp01(cov) * 255.0);
    uint8_t *m = &cv->mask[(size_t)y * (size_t)cv->w + (size_t)x];
    if (v > *m)
        *m = v;
    if (cv->mx0 >= cv->mx1) {
        cv->mx0 = x;
        cv->mx1 = x + 1;
        cv->my0 = y;
        cv->my1 = y + 1;
        return;
    }
    if (x < cv->mx0)
        cv->mx0 = x;
    if (x >= cv->mx1)
        cv->mx1 = x + 1;
    if (y < cv->my0)
        cv->my0 = y;
    if (y >= cv->my1)
        cv->my1 = y + 1;
}

/* Blends c through the mask and clears it. */
static void mask_flush(png_canvas *cv, png_rgb c)
{
    for (int y = cv->my0; y < cv->my1; y++)
        for (int x = cv->mx0; x < cv->mx1; x++) {
            uint8_t *m = &cv->mask[(size_t)y * (size_t)cv->w + (size_t)x];
            if (*m) {
                png_canvas_blend(cv, x, y, c, *m / 255.0);
                *m = 0;
            }
        }
    cv->mx0 = cv->mx1 = cv->my0 = cv->my1 = 0;
}

/* A capsule of half-width r around segment a-b, into the mask. Rows are
 * walked only over the x span the capsule can reach in them, so long steep
 * and long flat segments both cost about their area. */
static void mask_segment(png_canvas *cv, double ax, double ay, double bx, double by, double r)
{
    if (!isfinite(ax) || !isfinite(ay) || !isfinite(bx) || !isfinite(by))
        return;
    double gain = r < 0.5 ? 2 * r : 1;       /* a thin line is a lighter 1-pixel line */
    double rr = r < 0.5 ? 0.5 : r, reach = rr + 1;
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    int y0 = clampi(ifloor(fmin(ay, by) - reach), cv->cy0, cv->cy1);
    int y1 = clampi(iceil(fmax(ay, by) + reach), cv->cy0, cv->cy1);
    for (int y = y0; y < y1; y++) {
        double yc = y + 0.5, t0 = 0, t1 = 1;
        if (fabs(dy) > 1e-12) {
            t0 = clamp01((yc - reach - ay) / dy);
            t1 = clamp01((yc + reach - ay) / dy);
        } else if (fabs(yc - ay) > reach) {
            continue;
        }
        double xa = ax + t0 * dx, xb = ax + t1 * dx;
        int x0 = clampi(ifloor(fmin(xa, xb) - reach), cv->cx0, cv->cx1);
        int x1 = clampi(iceil(fmax(xa, xb) + reach), cv->cx0, cv->cx1);
        for (int x = x0; x < x1; x++) {
            double px = x + 0.5 - ax, py = yc - ay;
            double t = len2 > 0 ? clamp01((px * dx + py * dy) / len2) : 0;
            double ex = px - t * dx, ey = py - t * dy;
            mask_mark(cv, x, y, clamp01(rr + 0.5 - sqrt(ex * ex + ey * ey)) * gain);
        }
    }
}

/* Segment a-b with the dash pattern continuing from *phase (distance into
 * the pattern), which is advanced by the segment's length. */
static void mask_dashed(png_canvas *cv, double ax, double ay, double bx, double by, double r,
                        const double *dash, double *phase)
{
    double on = dash[0], period = dash[0] + dash[1];
    double len = hypot(bx - ax, by - ay), at = 0;
    if (!(len > 0) || !isfinite(len) || len > 1e7 || !(on > 0) || !(period > on)) {
        mask_segment(cv, ax, ay, bx, by, r);
        return;
    }
    while (at < len) {
        double ph = fmod(*phase, period), step;
        if (ph < on) {
            step = fmin(on - ph, len - at);
            double t0 = at / len, t1 = (at + step) / len;
            mask_segment(cv, ax + t0 * (bx - ax), ay + t0 * (by - ay),
                         ax + t1 * (bx - ax), ay + t1 * (by - ay), r);
        } else {
            step = fmin(period - ph, len - at);
        }
        at += step;
        *phase += step;
    }
}

void png_canvas_pen_segment(png_canvas *cv, double x0, double y0, double x1, double y1,
                            double width, const double *dash, double *phase)
{
    double unused = 0;
    if (dash)
        mask_dashed(cv, x0, y0, x1, y1, width / 2, dash, phase ? phase : &unused);
    else
        mask_segment(cv, x0, y0, x1, y1, width / 2);
}

void png_canvas_paint(png_canvas *cv, png_rgb c)
{
    mask_flush(cv, c);
}

void png_canvas_line(png_canvas *cv, double x0, double y0, double x1, double y1,
                     double width, png_rgb c)
{
    mask_segment(cv, x0, y0, x1, y1, width / 2);
    mask_flush(cv, c);
}

void png_canvas_polyline(png_canvas *cv, const double *x, const double *y, int n,
                         double width, const double *dash, png_rgb c)
{
    double phase = 0, r = width / 2;
    int have_prev = 0, lone = 0;
    double px = 0, py = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            if (have_prev && lone)           /* a single point between gaps: a dot */
                mask_segment(cv, px, py, px, py, r);
            have_prev = 0;
            continue;
        }
        if (have_prev) {
            if (dash)
                mask_dashed(cv, px, py, x[i], y[i], r, dash, &phase);
            else
                mask_segment(cv, px, py, x[i], y[i], r);
            lone = 0;
        } else {
            lone = 1;
        }
        have_prev = 1;
        px = x[i];
        py = y[i];
    }
    if (have_prev && lone)
        mask_segment(cv, px, py, px, py, r);
    mask_flush(cv, c);
}

static void mask_disc(png_canvas *cv, double cx, double cy, double r)
{
    if (!isfinite(cx) || !isfinite(cy))
        return;
    int x0 = clampi(ifloor(cx - r - 1), cv->cx0, cv->cx1);
    int x1 = clampi(iceil(cx + r + 1), cv->cx0, cv->cx1);
    int y0 = clampi(ifloor(cy - r - 1), cv->cy0, cv->cy1);
    int y1 = clampi(iceil(cy + r + 1), cv->cy0, cv->cy1);
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            mask_mark(cv, x, y, clamp01(r + 0.5 - hypot(x + 0.5 - cx, y + 0.5 - cy)));
}

void png_canvas_pen_disc(png_canvas *cv, double x, double y, double r)
{
    mask_disc(cv, x, y, r);
}

void png_canvas_dots(png_canvas *cv, const double *x, const double *y, int n, double r,
                     png_rgb c)
{
    for (int i = 0; i < n; i++)
        mask_disc(cv, x[i], y[i], r);
    mask_flush(cv, c);
}

void png_canvas_dot(png_canvas *cv, double x, double y, double r, png_rgb c)
{
    png_canvas_dots(cv, &x, &y, 1, r, c);
}

/* ---- text -------------------------------------------------------------- */

/* Font pixel (i, j) of ch; characters outside the font are an outlined box
 * the size of a lower-case letter. */
static int glyph_bit(uint32_t ch, int known, int i, int j)
{
    if (known)
        return font_bit(ch, i, j);
    if (i < 0 || i > 4 || j < 2 || j > 8)
        return 0;
    return i == 0 || i == 4 || j == 2 || j == 8;
}

/* Whether font-space point (fx, fy) is ink, with corner smoothing. */
static int glyph_ink(uint32_t ch, int known, double fx, double fy, int smooth)
{
    int i = (int)floor(fx), j = (int)floor(fy);
    if (glyph_bit(ch, known, i, j))
        return 1;
    if (!smooth)
        return 0;
    double u = fx - i, v = fy - j;
    int l = glyph_bit(ch, known, i - 1, j), r = glyph_bit(ch, known, i + 1, j);
    int up = glyph_bit(ch, known, i, j - 1), dn = glyph_bit(ch, known, i, j + 1);
    if (l && up && !r && !dn)
        return u + v < 1;
    if (r && up && !l && !dn)
        return (1 - u) + v < 1;
    if (l && dn && !r && !up)
        return u + (1 - v) < 1;
    if (r && dn && !l && !up)
        return (1 - u) + (1 - v) < 1;
    return 0;
}

void png_canvas_glyph(png_canvas *cv, double x, double y, uint32_t ch, double size,
                      png_rgb c, unsigned flags)
{
    if (!(size > 0) || ch == ' ' || !(fabs(x) < 1e9 && fabs(y) < 1e9))
        return;
    int known = font_has(ch), smooth = size >= SMOOTH_FROM;
    double bold = flags & PNG_TEXT_BOLD ? 0.5 : 0;   /* in font pixels */
    int x0 = clampi(ifloor(x), cv->cx0, cv->cx1);
    int x1 = clampi(iceil(x + FONT_W * size), cv->cx0, cv->cx1);
    int y0 = clampi(ifloor(y), cv->cy0, cv->cy1);
    int y1 = clampi(iceil(y + FONT_H * size), cv->cy0, cv->cy1);
    const int ns = TEXT_SAMPLES;
    for (int py = y0; py < y1; py++)
        for (int px = x0; px < x1; px++) {
            int hits = 0;
            for (int sy = 0; sy < ns; sy++)
                for (int sx = 0; sx < ns; sx++) {
                    double fx = (px + (sx + 0.5) / ns - x) / size;
                    double fy = (py + (sy + 0.5) / ns - y) / size;
                    hits += glyph_ink(ch, known, fx, fy, smooth) ||
                            (bold > 0 && glyph_ink(ch, known, fx - bold, fy, smooth));
                }
            if (hits)
                png_canvas_blend(cv, px, py, c, (double)hits / (ns * ns));
        }
}

double png_canvas_text(png_canvas *cv, double x, double y, const char *text, double size,
                       png_rgb c, unsigned flags)
{
    double at = x;
    while (*text) {
        uint32_t ch = font_utf8_next(&text);
        png_canvas_glyph(cv, at, y, ch, size, c, flags);
        at += FONT_W * size;
    }
    return at - x;
}

double png_canvas_text_width(const char *text, double size)
{
    return font_text_len(text) * FONT_W * size;
}

double png_canvas_text_height(double size)
{
    return FONT_H * size;
}
