/* chart_png.c — the pixel renderer for the chart model (chart_png.h).
 *
 * All sizes are logical pixels times the scale s. The plot frame is rounded
 * to whole pixels so axes, ticks and grid lines are crisp; data is mapped
 * into the frame inset by a few pixels, so a curve along a range end is not
 * cut in half by the frame. Pixel coordinates of data are clamped to +-FAR
 * before drawing: far-off points clip cleanly and never overflow. */
#include "tui/chart_png.h"

#include <math.h>
#include <string.h>

#include "tui/font.h"
#include "tui/png_write.h"

#define FAR 1e6

/* Base sizes, in logical pixels. */
#define PAD         8.0    /* around the region's contents */
#define TICK_LEN    4.0
#define INSET       3.0    /* data inside the plot frame */
#define SWATCH      18.0   /* legend line sample */
#define LEGEND_GAP  14.0   /* between legend entries */
#define MIN_PLOT_W  40.0
#define MIN_PLOT_H  30.0

typedef struct ctx {
    const chart           *c;
    const chart_png_style *st;
    png_canvas            *cv;
    double                 s;        /* scale */
    double                 lh, cw;   /* label line height and character width */
    double                 left, right, top, bottom;   /* region minus padding */
    int                    draw;     /* 0: lay out only (measuring) */
    chart_png_geom         g;
} ctx;

void chart_png_style_default(chart_png_style *st, double scale)
{
    static const png_rgb palette[CHART_PNG_PALETTE] = {
        0x1F63C6, /* blue */
        0xD9480F, /* orange */
        0x2B8A3E, /* green */
        0xC2255C, /* crimson */
        0x6741D9, /* violet */
        0x0B7285, /* teal */
        0x8F5E15, /* brown */
        0x495057, /* grey */
    };
    memset(st, 0, sizeof *st);
    st->scale = scale > 0 ? scale : 1;
    st->bg = 0xFFFFFF;
    st->fg = 0x212529;
    st->muted = 0x495057;
    st->axis = 0x343A40;
    st->grid = 0xE9ECEF;
    memcpy(st->palette, palette, sizeof palette);
    st->show_grid = true;
}

static double clamp_far(double v)
{
    return v < -FAR ? -FAR : v > FAR ? FAR : v;
}

double chart_png_px(const chart_png_geom *g, double v)
{
    double f = chart_map(&g->xr, v);
    return isnan(f) ? f : clamp_far(g->dx0 + f * (g->dx1 - g->dx0));
}

double chart_png_py(const chart_png_geom *g, double v)
{
    double f = chart_map(&g->yr, v);
    return isnan(f) ? f : clamp_far(g->dy1 - f * (g->dy1 - g->dy0));
}

/* ---- colours and pens -------------------------------------------------- */

static png_rgb color_of(const chart_png_style *st, int idx)
{
    return idx <= 0 ? st->fg : st->palette[(idx - 1) % CHART_PNG_PALETTE];
}

static int style_of(const chart_series *s)
{
    return s->style == CHART_FAINT || s->style == CHART_DIM ? (int)s->style : CHART_NORMAL;
}

typedef struct pen {
    png_rgb color;
    double  width, radius;   /* line width; dot radius for POINTS */
    double  dash[2];
    int     dashed;
} pen;

static pen pen_for(const ctx *k, const chart_series *s)
{
    pen p;
    double sc = k->s;
    int style = style_of(s);
    png_rgb base = color_of(k->st, s->color);
    memset(&p, 0, sizeof p);
    p.color = style == CHART_FAINT ? png_rgb_mix(base, k->st->bg, 0.6)
            : style == CHART_DIM   ? png_rgb_mix(base, k->st->bg, 0.35) : base;
    p.width = (style == CHART_FAINT ? 1.0 : style == CHART_DIM ? 1.5 : 1.8) * sc;
    p.radius = (style == CHART_NORMAL ? 2.2 : 1.6) * sc;
    p.dashed = style == CHART_DIM || s->dash > 0;
    /* on, off lengths; round caps eat into the gap */
    static const double dashes[CHART_DASHES + 1][2] = { { 4, 3.5 }, { 4, 3.5 }, { 12, 4 },
                                                        { 1, 6 } };
    int d = s->dash > 0 && s->dash <= CHART_DASHES ? s->dash : 0;
    p.dash[0] = dashes[d][0] * sc;
    p.dash[1] = dashes[d][1] * sc + p.width;
    return p;
}

/* ---- text -------------------------------------------------------------- */

static double title_size(double s)
{
    return s >= 1.5 ? floor(s * 1.5 + 0.5) : s;
}

/* Draws text from (x, y) in at most max_w pixels; a cut string ends in an
 * ellipsis. Returns the width drawn. */
static double text_fit(ctx *k, double x, double y, double max_w, const char *text,
                       double size, png_rgb color, unsigned flags)
{
    double adv = FONT_W * size;
    if (!k->draw)
        return 0;
    int len = font_text_len(text), room = (int)floor(max_w / adv + 1e-9);
    if (room <= 0)
        return 0;
    int cut = len > room, n = 0;
    while (*text && n < room) {
        uint32_t ch = font_utf8_next(&text);
        if (cut && n == room - 1)
            ch = 0x2026;
        png_canvas_glyph(k->cv, x + n * adv, y, ch, size, color, flags);
        n++;
    }
    return n * adv;
}

/* ---- legend ------------------------------------------------------------ */

/* The same text as on screen: name and last value (chart_legend_text). */
static double legend_entry_w(const ctx *k, const chart_series *s)
{
    char text[CHART_LEGEND_LEN];
    chart_legend_text(k->c, (int)(s - k->c->series), text, sizeof text);
    return (SWATCH + 5) * k->s + png_canvas_text_width(text, k->s);
}

static void draw_legend_entry(ctx *k, const chart_series *s, double x, double y)
{
    if (!k->draw)
        return;
    char text[CHART_LEGEND_LEN];
    chart_legend_text(k->c, (int)(s - k->c->series), text, sizeof text);
    pen p = pen_for(k, s);
    double cy = y + FONT_BASELINE * k->s * 0.5 + k->s, x1 = x + SWATCH * k->s;
    if (s->kind == CHART_POINTS) {
        png_canvas_dot(k->cv, (x + x1) / 2, cy, p.radius * 1.2, p.color);
    } else {
        double phase = 0;
        png_canvas_pen_segment(k->cv, x + p.width / 2, cy, x1 - p.width / 2, cy,
                               fmax(p.width, 1.5 * k->s), p.dashed ? p.dash : NULL, &phase);
        png_canvas_paint(k->cv, p.color);
    }
    png_canvas_text(k->cv, x1 + 5 * k->s, y, text, k->s, k->st->fg, 0);
}

/* Legend entries flowing in rows from x0 within [x0, x1), starting at *y;
 * *y ends below the last row. */
static void draw_legend_rows(ctx *k, const int *idx, int n, double x0, double x1, double *y)
{
    double x = x0;
    for (int i = 0; i < n; i++) {
        const chart_series *s = &k->c->series[idx[i]];
        double w = legend_entry_w(k, s);
        if (x > x0 && x + w > x1) {
            x = x0;
            *y += k->lh;
        }
        draw_legend_entry(k, s, x, *y);
        x += w + LEGEND_GAP * k->s;
    }
    *y += k->lh;
}

/* ---- ticks ------------------------------------------------------------- */

/* Y ticks with at least 2.4 label heights between labels: fewer, easier to
 * read numbers than the terminal fits. */
static int layout_y_ticks(const ctx *k, chart_tick *t)
{
    const chart_png_geom *g = &k->g;
    int max = (int)((g->dy1 - g->dy0) / (2.4 * k->lh)) + 1;
    if (max > CHART_MAX_TICKS)
        max = CHART_MAX_TICKS;
    for (int m = max; m >= 1; m--) {
        int n = chart_ticks(g->yr.scale, g->yr.lo, g->yr.hi, m, t), ok = 1;
        for (int i = 1; i < n; i++)
            if (chart_png_py(g, t[i - 1].v) - chart_png_py(g, t[i].v) < 2.4 * k->lh)
                ok = 0;
        if (ok)
            return n;
    }
    return 0;
}

/* X ticks whose centred labels keep two characters apart inside the region;
 * starts[] gets each label's left edge. */
static int layout_x_ticks(const ctx *k, chart_tick *t, double *starts)
{
    const chart_png_geom *g = &k->g;
    int max = (int)((g->dx1 - g->dx0) / (5 * k->cw)) + 1;
    if (max > CHART_MAX_TICKS)
        max = CHART_MAX_TICKS;
    for (int m = max; m >= 1; m--) {
        int n = chart_ticks(g->xr.scale, g->xr.lo, g->xr.hi, m, t), ok = 1;
        double prev_end = -1e300;
        for (int i = 0; i < n; i++) {
            double w = png_canvas_text_width(t[i].label, k->s);
            double sx = chart_png_px(g, t[i].v) - w / 2;
            sx = fmax(k->left, fmin(sx, k->right - w));
            starts[i] = sx;
            if (sx < prev_end + 2 * k->cw)
                ok = 0;
            prev_end = sx + w;
        }
        if (ok)
            return n;
    }
    return 0;
}

/* ---- the plot ---------------------------------------------------------- */

static void draw_series(ctx *k, const chart_series *s)
{
    pen p = pen_for(k, s);
    double phase = 0, px = 0, py = 0;
    int have_prev = 0, lone = 0;
    for (size_t i = 0; i < s->n; i++) {
        double x = chart_png_px(&k->g, s->x ? s->x[i] : (double)i);
        double y = chart_png_py(&k->g, s->y[i]);
        if (isnan(x) || isnan(y)) {          /* a gap; a point alone between gaps is a
                                                dot, as large as a POINTS series' */
            if (have_prev && lone)
                png_canvas_pen_disc(k->cv, px, py, p.radius);
            have_prev = 0;
            continue;
        }
        if (s->kind == CHART_POINTS) {
            png_canvas_pen_disc(k->cv, x, y, p.radius);
            continue;
        }
        if (have_prev)
            png_canvas_pen_segment(k->cv, px, py, x, y, p.width, p.dashed ? p.dash : NULL,
                                   &phase);
        lone = !have_prev;
        have_prev = 1;
        px = x;
        py = y;
    }
    if (have_prev && lone)
        png_canvas_pen_disc(k->cv, px, py, p.radius);
    png_canvas_paint(k->cv, p.color);
}

static void draw_markers(ctx *k)
{
    const chart_png_geom *g = &k->g;
    double dash[2] = { 4 * k->s, 4 * k->s };
    for (int i = 0; i < k->c->n_markers; i++) {
        const chart_marker *m = &k->c->markers[i];
        double x = chart_png_px(g, m->x);
        if (isnan(x) || x < g->x0 || x > g->x1)
            continue;
        double phase = 0;
        png_canvas_pen_segment(k->cv, x, g->y0, x, g->y1, 1.2 * k->s, dash, &phase);
        png_canvas_paint(k->cv, png_rgb_mix(color_of(k->st, m->color), k->st->bg, 0.25));
    }
}

/* Marker labels at the top of the plot, right of their line (left of it near
 * the right edge), on the first of three rows where they overlap no earlier
 * label; left out when no row is free. */
static void draw_marker_labels(ctx *k)
{
    enum { ROWS = 3 };
    const chart_png_geom *g = &k->g;
    double taken[ROWS][CHART_MAX_MARKERS][2];
    int n_taken[ROWS] = { 0 };
    for (int i = 0; i < k->c->n_markers; i++) {
        const chart_marker *m = &k->c->markers[i];
        double x = chart_png_px(g, m->x), w = png_canvas_text_width(m->label, k->s);
        if (isnan(x) || x < g->x0 || x > g->x1 || w <= 0 || w > g->x1 - g->x0)
            continue;
        double lx = x + 3 * k->s;
        if (lx + w > g->x1)
            lx = x - 3 * k->s - w;
        if (lx < g->x0)
            continue;
        for (int r = 0; r < ROWS; r++) {
            int clash = 0;
            for (int j = 0; j < n_taken[r]; j++)
                if (lx < taken[r][j][1] + k->cw && lx + w > taken[r][j][0] - k->cw)
                    clash = 1;
            if (clash)
                continue;
            double ly = g->y0 + 2 * k->s + r * (k->lh + k->s);
            png_canvas_rect(k->cv, lx - k->s, ly, lx + w + k->s, ly + k->lh - k->s, k->st->bg);
            png_canvas_text(k->cv, lx, ly, m->label, k->s, color_of(k->st, m->color), 0);
            taken[r][n_taken[r]][0] = lx;
            taken[r][n_taken[r]][1] = lx + w;
            n_taken[r]++;
            break;
        }
    }
}

static void draw_cursor(ctx *k)
{
    const chart *c = k->c;
    double x = chart_png_px(&k->g, c->cursor_x), y = chart_png_py(&k->g, c->cursor_y);
    if (!c->has_cursor || isnan(x) || isnan(y))
        return;
    png_canvas_dot(k->cv, x, y, 5 * k->s, k->st->bg);
    png_canvas_dot(k->cv, x, y, 3.5 * k->s, color_of(k->st, c->cursor_color));
}

/* Grid, axes, ticks and tick labels. */
static void draw_axes(ctx *k, const chart_tick *yt, int ny, const chart_tick *xt, int nx,
                      const double *xstarts)
{
    const chart_png_geom *g = &k->g;
    const chart_png_style *st = k->st;
    double lw = fmax(1, floor(k->s + 0.5)), gw = fmax(1, floor(k->s / 2 + 0.5));
    double tl = TICK_LEN * k->s;
    for (int i = 0; i < ny; i++) {
        double y = floor(chart_png_py(g, yt[i].v) - lw / 2 + 0.5);
        if (st->show_grid)
            png_canvas_rect(k->cv, g->x0, y + (lw - gw) / 2, g->x1, y + (lw + gw) / 2, st->grid);
        png_canvas_rect(k->cv, g->x0 - lw - tl, y, g->x0 - lw, y + lw, st->axis);
        double w = png_canvas_text_width(yt[i].label, k->s);
        png_canvas_text(k->cv, g->x0 - lw - tl - 3 * k->s - w, y + lw / 2 - k->lh / 2 - k->s / 2,
                        yt[i].label, k->s, st->muted, 0);
    }
    for (int i = 0; i < nx; i++) {
        double x = floor(chart_png_px(g, xt[i].v) - lw / 2 + 0.5);
        if (st->show_grid)
            png_canvas_rect(k->cv, x + (lw - gw) / 2, g->y0, x + (lw + gw) / 2, g->y1, st->grid);
        png_canvas_rect(k->cv, x, g->y1 + lw, x + lw, g->y1 + lw + tl, st->axis);
        png_canvas_text(k->cv, xstarts[i], g->y1 + lw + tl + 2 * k->s, xt[i].label, k->s,
                        st->muted, 0);
    }
    png_canvas_rect(k->cv, g->x0 - lw, g->y0, g->x0, g->y1 + lw, st->axis);
    png_canvas_rect(k->cv, g->x0 - lw, g->y1, g->x1, g->y1 + lw, st->axis);
}

/* ---- layout ------------------------------------------------------------ */

/* Lays out c in the region and, when draw is set, draws it; *out gets the
 * geometry either way (see chart_png_render for the return value). */
static int render(const chart *c, const chart_png_style *st, png_canvas *cv, double x,
                  double y, double w, double h, chart_png_geom *out, int draw)
{
    ctx k;
    memset(&k, 0, sizeof k);
    k.draw = draw;
    k.c = c;
    k.st = st;
    k.cv = cv;
    k.s = st->scale > 0 ? st->scale : 1;
    k.lh = FONT_H * k.s;
    k.cw = FONT_W * k.s;
    double s = k.s, pad = PAD * s;
    k.left = x + pad;
    k.right = x + w - pad;
    k.top = y + pad;
    k.bottom = y + h - pad;
    if (draw)
        png_canvas_clip(cv, x, y, x + w, y + h);

    /* Title row, with the legend on it when both fit. */
    const char *ylabel = c->axis[CHART_AXIS_Y].label, *xlabel = c->axis[CHART_AXIS_X].label;
    int legend[CHART_MAX_SERIES], n_legend = chart_legend(c, legend, CHART_MAX_SERIES);
    double legend_w = 0, ts = title_size(s), th = FONT_H * ts;
    for (int i = 0; i < n_legend; i++)
        legend_w += (i ? LEGEND_GAP * s : 0) + legend_entry_w(&k, &c->series[legend[i]]);
    double title_w = png_canvas_text_width(c->title, ts), avail = k.right - k.left;
    int has_title = c->title[0] != 0;
    int inline_legend = n_legend > 0 &&
                        (has_title ? title_w + 4 * k.cw + legend_w <= avail : legend_w <= avail);
    double cur = k.top;
    if (has_title || inline_legend) {
        double row_h = has_title ? th : k.lh;
        text_fit(&k, k.left, cur, inline_legend ? avail - legend_w - 2 * k.cw : avail,
                 c->title, ts, st->fg, PNG_TEXT_BOLD);
        if (inline_legend) {
            double ly = cur + (row_h - k.lh) / 2, lx = k.right - legend_w;
            draw_legend_rows(&k, legend, n_legend, lx, k.right + 1, &ly);
        }
        cur += row_h + 3 * s;
    }
    if (n_legend > 0 && !inline_legend) {
        draw_legend_rows(&k, legend, n_legend, k.left, k.right, &cur);
        cur += 2 * s;
    }

    /* The plot's rows: the y label above it, tick labels and x label below. */
    double lw = fmax(1, floor(s + 0.5)), below = lw + TICK_LEN * s + 2 * s + k.lh;
    int show_ylabel = ylabel[0] != 0, show_xlabel = xlabel[0] != 0;
    double y_top = cur + (show_ylabel ? k.lh + 2 * s : 0) + k.lh / 2;
    double y_bot = k.bottom - below - (show_xlabel ? k.lh + 2 * s : 0);
    if (y_bot - y_top < MIN_PLOT_H * s && show_xlabel) {
        show_xlabel = 0;
        y_bot += k.lh + 2 * s;
    }
    if (y_bot - y_top < MIN_PLOT_H * s && show_ylabel) {
        show_ylabel = 0;
        y_top -= k.lh + 2 * s;
    }
    chart_png_geom *g = &k.g;
    g->xr = chart_resolve_range(c, CHART_AXIS_X);
    g->yr = chart_resolve_range(c, CHART_AXIS_Y);
    g->y0 = floor(y_top + 0.5);
    g->y1 = floor(y_bot + 0.5);
    g->dy0 = g->y0 + INSET * s;
    g->dy1 = g->y1 - INSET * s;

    chart_tick yt[CHART_MAX_TICKS], xt[CHART_MAX_TICKS];
    double xstarts[CHART_MAX_TICKS], ylw = 0;
    int ny = g->y1 - g->y0 >= MIN_PLOT_H * s ? layout_y_ticks(&k, yt) : 0;
    for (int i = 0; i < ny; i++)
        ylw = fmax(ylw, png_canvas_text_width(yt[i].label, s));
    g->x0 = floor(fmax(k.left + ylw + 3 * s + TICK_LEN * s + lw, x + st->plot_left) + 0.5);
    g->x1 = floor(k.right - 2.5 * k.cw + 0.5);
    g->dx0 = g->x0 + INSET * s;
    g->dx1 = g->x1 - INSET * s;
    if (out)
        *out = *g;
    if (g->y1 - g->y0 < MIN_PLOT_H * s || g->x1 - g->x0 < MIN_PLOT_W * s) {
        if (!has_title && !inline_legend)
            text_fit(&k, k.left, k.top, avail, c->title, ts, st->fg, PNG_TEXT_BOLD);
        if (draw)
            png_canvas_unclip(cv);
        return -1;
    }
    if (!draw)
        return 0;
    int nx = layout_x_ticks(&k, xt, xstarts);

    if (show_ylabel)
        text_fit(&k, k.left, g->y0 - k.lh / 2 - k.lh - 2 * s, avail, ylabel, s, st->muted, 0);
    if (show_xlabel) {
        double xw = fmin(png_canvas_text_width(xlabel, s), avail);
        double lx = fmax(k.left, fmin((g->x0 + g->x1 - xw) / 2, k.right - xw));
        text_fit(&k, lx, g->y1 + below + 2 * s, avail, xlabel, s, st->muted, 0);
    }
    draw_axes(&k, yt, ny, xt, nx, xstarts);

    /* The data, clipped to the frame. */
    png_canvas_clip(cv, g->x0, g->y0, g->x1, g->y1);
    draw_markers(&k);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < c->n_series; i++)
            if ((style_of(&c->series[i]) == CHART_NORMAL) == (pass == 1))
                draw_series(&k, &c->series[i]);
    draw_marker_labels(&k);
    draw_cursor(&k);
    png_canvas_unclip(cv);
    return 0;
}

int chart_png_render(const chart *c, const chart_png_style *st, png_canvas *cv,
                     double x, double y, double w, double h, chart_png_geom *g)
{
    return render(c, st, cv, x, y, w, h, g, 1);
}

/* ---- figures ----------------------------------------------------------- */

void chart_png_grid(chart_png_panel *p, int n, int cols, double width, double height)
{
    if (n <= 0)
        return;
    if (cols < 1)
        cols = 1;
    if (cols > n)
        cols = n;
    int rows = (n + cols - 1) / cols;
    double cw = width / cols, ch = height / rows;
    for (int i = 0; i < n; i++) {
        p[i].x = (i % cols) * cw;
        p[i].y = (i / cols) * ch;
        p[i].w = cw;
        p[i].h = ch;
    }
}

int chart_png_write(const chart_png_panel *p, int n, double width, double height,
                    double scale, const char *path, lr_err *e)
{
    if (!(scale > 0) || !(scale <= 16))
        return lr_fail(e, "cannot write %s: scale %g is out of range (0 to 16)", path, scale);
    double pw = floor(width * scale + 0.5), ph = floor(height * scale + 0.5);
    if (!(pw >= 1 && ph >= 1 && pw <= PNG_CANVAS_MAX_SIDE && ph <= PNG_CANVAS_MAX_SIDE))
        return lr_fail(e, "cannot write %s: a %g x %g figure at scale %g is out of range "
                          "(each side 1 to %d pixels)", path, width, height, scale,
                       PNG_CANVAS_MAX_SIDE);
    chart_png_style st;
    chart_png_style_default(&st, scale);
    png_canvas cv;
    if (png_canvas_init(&cv, (int)pw, (int)ph, st.bg, e))
        return -1;
    /* Panels in one column (same x and width) get their y axes lined up:
     * each is laid out alone first, then all are drawn with the widest
     * left margin of their column. */
    double left[CHART_PNG_MAX_PANELS];
    n = n < CHART_PNG_MAX_PANELS ? n : CHART_PNG_MAX_PANELS;
    for (int i = 0; i < n; i++) {
        chart_png_geom g;
        left[i] = 0;
        if (p[i].c && render(p[i].c, &st, NULL, p[i].x * scale, p[i].y * scale, p[i].w * scale,
                             p[i].h * scale, &g, 0) == 0)
            left[i] = g.x0 - p[i].x * scale;
    }
    for (int i = 0; i < n; i++) {
        if (!p[i].c)
            continue;
        chart_png_style col = st;
        for (int j = 0; j < n; j++)
            if (fabs(p[j].x - p[i].x) < 0.5 && fabs(p[j].w - p[i].w) < 0.5)
                col.plot_left = fmax(col.plot_left, left[j]);
        chart_png_render(p[i].c, &col, &cv, p[i].x * scale, p[i].y * scale, p[i].w * scale,
                         p[i].h * scale, NULL);
    }
    int rc = png_write_rgb(path, cv.rgb, cv.w, cv.h, e);
    png_canvas_free(&cv);
    return rc;
}
