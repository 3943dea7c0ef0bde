/* png_canvas.h — an RGB pixel canvas with anti-aliased drawing, the surface
 * the PNG renderers (chart_png.h, screen_png.h) draw on before png_write.h
 * saves it.
 *
 * Coordinates are in pixels as doubles, (0, 0) the top-left corner of the
 * top-left pixel: pixel (i, j) covers [i, i+1) x [j, j+1) and its centre is
 * (i + 0.5, j + 0.5). So a filled rectangle with integer corners is crisp,
 * and a 1-pixel line is crisp when it runs along pixel centres.
 *
 * Every primitive computes, for each pixel it touches, the fraction of the
 * pixel it covers and blends its colour over what is there by that fraction.
 * Lines and dots of one call are first gathered into a coverage mask (the
 * maximum over all their pieces), then blended once: a polyline's joints and
 * overlapping dashes are never darker than the line itself.
 *
 *     png_canvas cv;
 *     if (png_canvas_init(&cv, 640, 480, 0xFFFFFF, &e)) ...
 *     png_canvas_line(&cv, 10, 10.5, 630, 10.5, 1, 0x000000);
 *     png_canvas_text(&cv, 10, 20, "loss", 2, 0x333333, 0);
 *     png_write_rgb("out.png", cv.rgb, cv.w, cv.h, &e);
 *     png_canvas_free(&cv);
 *
 * What this is not: a general 2-D library. No transforms, no curves other
 * than dots, no fonts other than font.h's bitmap font. */
#ifndef LRSCOPE_PNG_CANVAS_H
#define LRSCOPE_PNG_CANVAS_H

#include <stdint.h>

#include "engine/err.h"

/* A colour as 0xRRGGBB. */
typedef uint32_t png_rgb;

/* The largest canvas side, in pixels: keeps w * h * 3 far from overflow and a
 * typo in --width from allocating gigabytes. */
#define PNG_CANVAS_MAX_SIDE 16384

typedef struct png_canvas {
    int      w, h;
    uint8_t *rgb;                /* [h][w][3], rows top to bottom; owned */
    uint8_t *mask;               /* [h][w] coverage scratch; all 0 between calls */
    int      cx0, cy0, cx1, cy1; /* clip: drawing only inside [cx0, cx1) x [cy0, cy1) */
    int      mx0, my0, mx1, my1; /* the part of mask in use (empty when mx0 >= mx1) */
} png_canvas;

/* Text flags. */
enum { PNG_TEXT_BOLD = 1u << 0 };

/* Allocates a w x h canvas filled with bg, the clip set to the whole canvas.
 * Returns 0, or -1 with e set (size out of 1..PNG_CANVAS_MAX_SIDE, or out of
 * memory) and nothing allocated. */
int  png_canvas_init(png_canvas *cv, int w, int h, png_rgb bg, lr_err *e);

/* Frees the pixels; the canvas may be initialised again. */
void png_canvas_free(png_canvas *cv);

/* Limits drawing to the pixels whose centres lie in [x0, x1) x [y0, y1),
 * intersected with the canvas. png_canvas_unclip restores the whole canvas. */
void png_canvas_clip(png_canvas *cv, double x0, double y0, double x1, double y1);
void png_canvas_unclip(png_canvas *cv);

/* Blends c over pixel (x, y) by coverage a in [0, 1] (clipped). */
void png_canvas_blend(png_canvas *cv, int x, int y, png_rgb c, double a);

/* The colour of pixel (x, y), or 0 outside the canvas. */
png_rgb png_canvas_get(const png_canvas *cv, int x, int y);

/* Fills the rectangle [x0, x1) x [y0, y1); partly covered edge pixels are
 * blended by how much of them is covered. */
void png_canvas_rect(png_canvas *cv, double x0, double y0, double x1, double y1, png_rgb c);

/* A straight line of the given width with round caps. */
void png_canvas_line(png_canvas *cv, double x0, double y0, double x1, double y1,
                     double width, png_rgb c);

/* Connects (x[i], y[i]) for i < n with lines of the given width and round
 * joints; a point with a NaN coordinate ends one line and the next finite
 * point starts another. dash: NULL for solid, else {on, off} lengths in
 * pixels, the pattern running on along the whole path. */
void png_canvas_polyline(png_canvas *cv, const double *x, const double *y, int n,
                         double width, const double *dash, png_rgb c);

/* The pen: pieces added to the coverage mask (a segment of width `width`
 * with round caps, optionally dashed; a disc of radius r) show only when
 * png_canvas_paint blends the mask in colour c and clears it. Use these for
 * a shape built from many pieces that must not darken where they overlap.
 * phase: the distance already walked along a dashed path (advanced by the
 * segment's length; ignored when dash is NULL). Non-finite coordinates add
 * nothing. */
void png_canvas_pen_segment(png_canvas *cv, double x0, double y0, double x1, double y1,
                            double width, const double *dash, double *phase);
void png_canvas_pen_disc(png_canvas *cv, double x, double y, double r);
void png_canvas_paint(png_canvas *cv, png_rgb c);

/* Filled discs of radius r at each finite (x[i], y[i]). */
void png_canvas_dots(png_canvas *cv, const double *x, const double *y, int n, double r,
                     png_rgb c);
void png_canvas_dot(png_canvas *cv, double x, double y, double r, png_rgb c);

/* Draws UTF-8 text with its first cell's top-left corner at (x, y), each
 * font pixel `size` pixels square (any size > 0; from 1.5 up, diagonal steps
 * of the glyphs are smoothed). A cell is FONT_W x FONT_H font pixels (font.h);
 * characters outside the font are drawn as small boxes. Returns the width
 * drawn, png_canvas_text_width(text, size). */
double png_canvas_text(png_canvas *cv, double x, double y, const char *text, double size,
                       png_rgb c, unsigned flags);

/* Draws one code point in the cell at (x, y) of size font pixels. */
void png_canvas_glyph(png_canvas *cv, double x, double y, uint32_t ch, double size,
                      png_rgb c, unsigned flags);

/* The width and height text would take at that size. */
double png_canvas_text_width(const char *text, double size);
double png_canvas_text_height(double size);

/* a and b mixed: t = 0 gives a, t = 1 gives b. */
png_rgb png_rgb_mix(png_rgb a, png_rgb b, double t);

#endif
