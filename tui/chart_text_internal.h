/* chart_text_internal.h — what the two halves of the character-grid renderer
 * share; not for use outside them. chart_text.c lays out the grid (title,
 * legend, axes, tick and axis labels) and dumps it as text; chart_text_plot.c
 * draws inside the plot area (series, markers and their labels, the cursor).
 *
 * The plot area is drawn in "dot" space: dw x dh dots with (0, 0) at the top
 * left, 2 x 4 dots per cell in braille mode and 1 x 1 in ASCII mode. */
#ifndef LRSCOPE_CHART_TEXT_INTERNAL_H
#define LRSCOPE_CHART_TEXT_INTERNAL_H

#include <math.h>
#include <stdint.h>

#include "tui/chart.h"
#include "tui/chart_text.h"

typedef struct glyph_set {
    uint32_t axis_v, axis_tick_y, corner, axis_h, axis_tick_x;
    uint32_t cursor, ellipsis, marker;
    uint32_t swatch[3][2];   /* [chart_style][chart_kind] legend sample */
    uint32_t pen[3][2];      /* [chart_style][chart_kind] ASCII plot glyph; 0: by slope */
} glyph_set;

typedef struct grid {
    chart_cell      *cells;
    int              w, h;
    const glyph_set *g;
} grid;

/* The plot area and the pen drawing in it. */
typedef struct canvas {
    const grid *gr;
    int      x0, y0, cw, ch;   /* plot area in cells */
    int      sx, sy;           /* dots per cell: 2 x 4 braille, 1 x 1 ASCII */
    int      dw, dh;           /* plot area in dots */
    int      braille;
    /* the pen */
    int      color, attr;
    uint32_t glyph;            /* ASCII: fixed glyph, 0 for slope glyphs */
    int      dotted;           /* braille: dots along the line in a dash pattern */
    int      dash_on, dash_off;/* the pattern: dash_on dots drawn, dash_off skipped */
    int      major_y;          /* the line being drawn is steep (dotted steps in y) */
} canvas;

/* Sets cell (x, y); does nothing outside the grid. */
static inline void put(const grid *gr, int x, int y, uint32_t ch, int color, int attr)
{
    if (x < 0 || y < 0 || x >= gr->w || y >= gr->h)
        return;
    chart_cell *c = &gr->cells[y * gr->w + x];
    c->ch = ch;
    c->color = (uint8_t)(color < 0 ? 0 : color > 255 ? 255 : color);
    c->attr = (uint8_t)attr;
}

static inline int round_dot(double v)
{
    return (int)floor(v + 0.5);
}

/* A series' style and kind as table indices (out-of-range values draw as
 * NORMAL / LINE rather than read past the tables). */
static inline int style_of(const chart_series *s)
{
    return s->style == CHART_FAINT || s->style == CHART_DIM ? (int)s->style : CHART_NORMAL;
}

static inline int kind_of(const chart_series *s)
{
    return s->kind == CHART_POINTS ? CHART_POINTS : CHART_LINE;
}

/* Writes s at (x, y), never past column end (exclusive); a cut string ends in
 * an ellipsis and a malformed UTF-8 byte shows as '?'. Returns the columns
 * used. (chart_text.c) */
int chart_text_put_text(const grid *gr, int x, int y, int end, const char *s, int color,
                        int attr);

/* The dot column of data value x, or -1 when it is off the plot.
 * (chart_text_plot.c) */
int chart_text_dot_column(const canvas *cv, const chart_range *xr, double x);

/* Draws the plot area's contents: markers, then FAINT/DIM series, then NORMAL
 * series, then marker labels and the cursor. (chart_text_plot.c) */
void chart_text_draw_plot(canvas *cv, const chart *c, const chart_range *xr,
                          const chart_range *yr);

#endif
