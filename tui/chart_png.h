/* chart_png.h — draws a chart (chart.h) into a region of a pixel canvas, and
 * writes figures of one or more charts as PNG files.
 *
 * The second renderer of the chart model, beside chart_text.h: the same
 * ranges (chart_resolve_range), mapping (chart_map) and ticks (chart_ticks),
 * drawn with anti-aliased lines on a light background for slides and chats.
 *
 * Layout inside a region, top to bottom: the title (bold) with the legend to
 * its right, or the legend on its own rows under the title when it does not
 * fit; the y axis label; the plot, with y tick labels on its left and light
 * grid lines at the ticks; x tick labels; the x axis label, centred. Every
 * size is a base size in "logical pixels" times the style's scale, so a
 * figure at scale 2 is the scale-1 figure with twice the pixels.
 *
 * Styles: NORMAL is a solid line in the series colour; FAINT a thinner line
 * in a lighter tint of it (raw data under a smoothed curve); DIM a dashed,
 * lighter line (plans, ghosts). POINTS draws dots instead of lines. FAINT
 * and DIM series are drawn first, so NORMAL ones lie on top. A marker is a
 * dashed vertical line with its label at the top of the plot (on a later row
 * when it would overlap an earlier label); the cursor is a ringed dot.
 *
 * A figure is a list of panels, each a chart in a rectangle of the figure:
 *
 *     chart_png_panel p[2] = { { &loss }, { &acc } };
 *     chart_png_grid(p, 2, 1, 800, 600);           one column, two rows
 *     if (chart_png_write(p, 2, 800, 600, 2, "fig.png", &e))   1600 x 1200 pixels
 *         ...e.msg names the file and the reason...
 */
#ifndef LRSCOPE_CHART_PNG_H
#define LRSCOPE_CHART_PNG_H

#include <stdbool.h>

#include "engine/err.h"
#include "tui/chart.h"
#include "tui/png_canvas.h"

#define CHART_PNG_PALETTE    8
#define CHART_PNG_MAX_PANELS 16   /* panels of one figure; more are left out */

typedef struct chart_png_style {
    double  scale;      /* pixels per logical pixel; text is FONT_W x FONT_H at scale 1 */
    png_rgb bg, fg;     /* background; title, legend text, colour index 0 */
    png_rgb muted;      /* tick and axis labels */
    png_rgb axis, grid; /* axis lines and ticks; grid lines */
    png_rgb palette[CHART_PNG_PALETTE];   /* series colour k >= 1 is palette[(k-1) % 8] */
    bool    show_grid;
    double  plot_left;  /* pixels from a region's left edge to its y axis, at
                           least (0: what the tick labels need); figures use it
                           to line up the panels of a column */
} chart_png_style;

/* Where a chart was drawn, for callers that add to it (and for tests): the
 * plot frame and the pixels the axis ranges map to. */
typedef struct chart_png_geom {
    double      x0, y0, x1, y1;       /* the plot frame: y axis at x0, x axis at y1 */
    double      dx0, dx1, dy0, dy1;   /* x lo -> dx0, x hi -> dx1; y hi -> dy0, y lo -> dy1 */
    chart_range xr, yr;
} chart_png_geom;

/* The default style: white background, dark text, light grid, a palette
 * that stays apart on a projector, sizes times `scale` (> 0; 2 suits slides). */
void chart_png_style_default(chart_png_style *st, double scale);

/* Draws c into the canvas rectangle [x, x + w) x [y, y + h) (pixels). Draws
 * nothing outside it; the rest of the canvas is untouched, and the region's
 * background is left as it is (the caller fills it). Returns 0, with *g (when
 * not NULL) describing the plot; or -1 when the region is too small for a
 * plot (about 40 x 30 logical pixels besides labels): then only the title is
 * drawn, cut to fit. Reads series data through the chart's borrowed
 * pointers; allocates nothing. */
int chart_png_render(const chart *c, const chart_png_style *st, png_canvas *cv,
                     double x, double y, double w, double h, chart_png_geom *g);

/* The pixel column and row of data value v on g's axes: NaN when v is not
 * drawable (NaN, or <= 0 on a log axis). */
double chart_png_px(const chart_png_geom *g, double v);
double chart_png_py(const chart_png_geom *g, double v);

/* A panel of a figure: a chart and its rectangle in logical pixels. */
typedef struct chart_png_panel {
    const chart *c;
    double       x, y, w, h;
} chart_png_panel;

/* Lays n panels out row by row in a grid of `cols` columns filling a
 * width x height figure (logical pixels), in equal cells. */
void chart_png_grid(chart_png_panel *p, int n, int cols, double width, double height);

/* Renders the panels into a fresh canvas of round(width * scale) x
 * round(height * scale) pixels with the default style at that scale (the y
 * axes of panels with the same x and width lined up), and
 * writes it to path (png_write.h: atomically, deterministic bytes). Panels
 * whose chart is NULL are left blank. Returns 0, or -1 with e naming the
 * path and the reason. */
int chart_png_write(const chart_png_panel *p, int n, double width, double height,
                    double scale, const char *path, lr_err *e);

#endif
