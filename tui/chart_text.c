/* chart_text.c — the character-grid renderer for the chart model: the layout
 * of the grid (title, legend, axes, tick and axis labels) and the dump of a
 * grid as UTF-8 text. What goes inside the plot area is drawn by
 * chart_text_plot.c; chart_text_internal.h holds what the two share. */
#include "tui/chart_text.h"

#include <string.h>

#include "tui/chart_text_internal.h"
#include "tui/font.h"

static const glyph_set glyph_sets[2] = {
    [CHART_TEXT_BRAILLE] = {
        .axis_v = 0x2502, .axis_tick_y = 0x2524, .corner = 0x2514,
        .axis_h = 0x2500, .axis_tick_x = 0x252C,
        .cursor = 0x25CF, .ellipsis = 0x2026, .marker = 0,
        .swatch = {
            [CHART_NORMAL] = { 0x2500, 0x2022 },
            [CHART_FAINT]  = { 0x2500, 0x2022 },
            [CHART_DIM]    = { 0x2504, 0x2022 },
        },
    },
    [CHART_TEXT_ASCII] = {
        .axis_v = '|', .axis_tick_y = '+', .corner = '+',
        .axis_h = '-', .axis_tick_x = '+',
        .cursor = 'O', .ellipsis = '~', .marker = ':',
        .swatch = {
            [CHART_NORMAL] = { '-', '*' },
            [CHART_FAINT]  = { '.', '.' },
            [CHART_DIM]    = { '.', '.' },
        },
        .pen = {
            [CHART_NORMAL] = { 0, '*' },
            [CHART_FAINT]  = { '.', '.' },
            [CHART_DIM]    = { '.', '.' },
        },
    },
};

/* ---- text -------------------------------------------------------------- */

int chart_text_put_text(const grid *gr, int x, int y, int end, const char *s, int color,
                        int attr)
{
    int width = font_text_len(s), room = end - x, used = 0;
    if (room <= 0)
        return 0;
    int cut = width > room;
    while (*s && used < room) {
        uint32_t ch = font_utf8_decode(&s, '?');
        if (cut && used == room - 1)
            ch = gr->g->ellipsis;
        put(gr, x + used, y, ch, color, attr);
        used++;
    }
    return used;
}

/* ---- axes and layout --------------------------------------------------- */

/* The dot row (from the top) of value v on an axis dh dots tall. */
static int dot_row(const chart_range *yr, double v, int dh)
{
    return round_dot((1 - chart_map(yr, v)) * (dh - 1));
}

/* Y ticks: as many as fit with at least one blank row between labels.
 * Fills rows[] with each tick's cell row within the plot. */
static int layout_y_ticks(const chart_range *yr, int ch, int sy, chart_tick *t, int *rows)
{
    int max = ch / 2 + 1, n = 0;
    if (max > CHART_MAX_TICKS)
        max = CHART_MAX_TICKS;
    for (int m = max; m >= 1; m--) {
        n = chart_ticks(yr->scale, yr->lo, yr->hi, m, t);
        int ok = 1;
        for (int i = 0; i < n; i++) {
            rows[i] = dot_row(yr, t[i].v, ch * sy) / sy;
            if (i > 0 && rows[i - 1] - rows[i] < 2)
                ok = 0;
        }
        if (ok)
            return n;
    }
    return 0;
}

/* X ticks: as many as fit (about one per 8 columns) with two blanks between
 * labels. Fills cols[] with each tick's cell column and starts[] with its
 * label's first column (centred, kept inside the grid). */
static int layout_x_ticks(const chart_range *xr, const canvas *cv, int w, chart_tick *t,
                          int *cols, int *starts)
{
    int max = cv->cw / 8 + 1, n = 0;
    if (max > CHART_MAX_TICKS)
        max = CHART_MAX_TICKS;
    for (int m = max; m >= 1; m--) {
        n = chart_ticks(xr->scale, xr->lo, xr->hi, m, t);
        int ok = 1, prev_end = -3;
        for (int i = 0; i < n; i++) {
            int col = chart_text_dot_column(cv, xr, t[i].v);
            int len = font_text_len(t[i].label);
            cols[i] = cv->x0 + (col < 0 ? 0 : col / cv->sx);
            int s = cols[i] - (len - 1) / 2;
            if (s + len > w)
                s = w - len;
            if (s < 0)
                s = 0;
            starts[i] = s;
            if (s < prev_end + 3)
                ok = 0;
            prev_end = s + len - 1;
        }
        if (ok)
            return n;
    }
    return 0;
}

/* The legend as drawn: each entry "─ text" (2 + len cells), packed into
 * rows; entries never fall off: on the last row allowed, an entry that does
 * not fit is cut (to no less than 4 characters of text). */
typedef struct legend {
    int  idx[CHART_MAX_SERIES];
    char text[CHART_MAX_SERIES][CHART_LEGEND_LEN];
    int  len[CHART_MAX_SERIES];    /* cells of text */
    int  n, width;                 /* entries; one-row width with 2-cell gaps */
} legend;

static void legend_build(const chart *c, legend *lg)
{
    lg->n = chart_legend(c, lg->idx, CHART_MAX_SERIES);
    lg->width = 0;
    for (int i = 0; i < lg->n; i++) {
        chart_legend_text(c, lg->idx[i], lg->text[i], sizeof lg->text[i]);
        lg->len[i] = font_text_len(lg->text[i]);
        lg->width += (i ? 2 : 0) + 2 + lg->len[i];
    }
}

/* Rows the legend takes at width w. */
static int legend_rows(const legend *lg, int w)
{
    int rows = lg->n > 0, x = 0;
    for (int i = 0; i < lg->n; i++) {
        int len = 2 + lg->len[i];
        if (x > 0 && x + len > w) {
            rows++;
            x = 0;
        }
        x += len + 2;
    }
    return rows;
}

/* Draws the legend from (x0, y) in at most max_rows rows ending at `end`. */
static void draw_legend(const grid *gr, const chart *c, const legend *lg, int x0, int y,
                        int end, int max_rows)
{
    int x = x0, row = 0;
    for (int i = 0; i < lg->n && row < max_rows; i++) {
        const chart_series *s = &c->series[lg->idx[i]];
        int len = 2 + lg->len[i];
        if (x > x0 && x + len > end) {
            if (row + 1 < max_rows) {
                row++;
                x = x0;
            } else if (end - x < 2 + 4) {
                break;
            }
        }
        put(gr, x, y + row, gr->g->swatch[style_of(s)][kind_of(s)], s->color,
            style_of(s) == CHART_NORMAL ? 0 : CHART_ATTR_DIM);
        chart_text_put_text(gr, x + 2, y + row, end, lg->text[i], 0, 0);
        x += len + 2;
    }
}

int chart_text_render(const chart *c, chart_text_mode mode, chart_cell *cells, int w, int h)
{
    chart_text_mode m = mode == CHART_TEXT_ASCII ? CHART_TEXT_ASCII : CHART_TEXT_BRAILLE;
    grid gr = { cells, w, h, &glyph_sets[m] };
    if (w <= 0 || h <= 0)
        return -1;
    for (int i = 0; i < w * h; i++)
        cells[i] = (chart_cell){ ' ', 0, 0 };

    const char *ylabel = c->axis[CHART_AXIS_Y].label, *xlabel = c->axis[CHART_AXIS_X].label;
    legend lg;
    legend_build(c, &lg);
    int n_legend = lg.n, legend_w = lg.width;
    int title_w = font_text_len(c->title);

    /* Rows: optional title, optional header (y label and/or overflowing
     * legend, wrapped over as many rows as it needs while the plot keeps 4),
     * the plot, the bottom axis, x tick labels, optional x label. */
    int title_row = title_w > 0 || n_legend > 0;
    int legend_on_title = n_legend > 0 && title_w + (title_w ? 2 : 0) + legend_w <= w;
    int legend_rows_w = n_legend > 0 && !legend_on_title ? legend_rows(&lg, w) : 0;
    int header = legend_rows_w > 0 ? legend_rows_w : ylabel[0] != 0;
    int xlabel_row = xlabel[0] != 0;
    int ph = h - title_row - header - 2 - xlabel_row;
    if (ph < 4 && xlabel_row) {
        xlabel_row = 0;
        ph++;
    }
    while (ph < 4 && header > 1) {
        header--;
        ph++;
    }
    if (ph < 4 && header) {
        header = 0;
        ph++;
    }

    chart_range xr = chart_resolve_range(c, CHART_AXIS_X);
    chart_range yr = chart_resolve_range(c, CHART_AXIS_Y);
    canvas cv = { .gr = &gr, .braille = m == CHART_TEXT_BRAILLE };
    cv.sx = cv.braille ? 2 : 1;
    cv.sy = cv.braille ? 4 : 1;

    chart_tick yt[CHART_MAX_TICKS], xt[CHART_MAX_TICKS];
    int yrows[CHART_MAX_TICKS], xcols[CHART_MAX_TICKS], xstarts[CHART_MAX_TICKS];
    int ny = ph >= 2 ? layout_y_ticks(&yr, ph, cv.sy, yt, yrows) : 0;
    int ylw = 1;
    for (int i = 0; i < ny; i++) {
        int len = font_text_len(yt[i].label);
        if (len > ylw)
            ylw = len;
    }
    int ax = ylw;                            /* the y axis column */
    cv.x0 = ax + 1;
    cv.y0 = title_row + header;
    cv.cw = w - cv.x0;
    cv.ch = ph;
    if (ph < 2 || cv.cw < 4) {
        chart_text_put_text(&gr, 0, 0, w, c->title, 0, CHART_ATTR_BOLD);
        return -1;
    }
    cv.dw = cv.cw * cv.sx;
    cv.dh = cv.ch * cv.sy;

    /* Title and legend. */
    if (title_row) {
        int end = legend_on_title ? w - legend_w - 2 : w;
        chart_text_put_text(&gr, 0, 0, end, c->title, 0, CHART_ATTR_BOLD);
        if (legend_on_title)
            draw_legend(&gr, c, &lg, w - legend_w, 0, w, 1);
    }
    if (header) {
        int y = title_row, lx = legend_w > w ? 0 : w - legend_w;
        int show_legend = n_legend > 0 && !legend_on_title;
        if (ylabel[0] && (!show_legend || font_text_len(ylabel) + 2 <= lx))
            chart_text_put_text(&gr, 0, y, show_legend ? lx - 2 : w, ylabel, 0, 0);
        if (show_legend)
            draw_legend(&gr, c, &lg, lx, y, w, header);
    }

    /* Left axis with tick labels. */
    for (int y = 0; y < ph; y++)
        put(&gr, ax, cv.y0 + y, gr.g->axis_v, 0, 0);
    for (int i = 0; i < ny; i++) {
        int y = cv.y0 + yrows[i], len = font_text_len(yt[i].label);
        put(&gr, ax, y, gr.g->axis_tick_y, 0, 0);
        chart_text_put_text(&gr, ax - len, y, ax, yt[i].label, 0, 0);
    }

    /* Bottom axis with tick labels, and the x label centred below. */
    int ay = cv.y0 + ph;
    put(&gr, ax, ay, gr.g->corner, 0, 0);
    for (int x = cv.x0; x < w; x++)
        put(&gr, x, ay, gr.g->axis_h, 0, 0);
    int nx = layout_x_ticks(&xr, &cv, w, xt, xcols, xstarts);
    for (int i = 0; i < nx; i++) {
        put(&gr, xcols[i], ay, gr.g->axis_tick_x, 0, 0);
        chart_text_put_text(&gr, xstarts[i], ay + 1, w, xt[i].label, 0, 0);
    }
    if (xlabel_row) {
        int len = font_text_len(xlabel), x = cv.x0 + (cv.cw - len) / 2;
        chart_text_put_text(&gr, x < 0 ? 0 : x, ay + 2, w, xlabel, 0, 0);
    }

    chart_text_draw_plot(&cv, c, &xr, &yr);
    return 0;
}

/* ---- dumping ----------------------------------------------------------- */

static int utf8_encode(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    if (c > 0x10FFFF)
        c = 0xFFFD;
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | (c >> 12 & 0x3F));
    out[2] = (char)(0x80 | (c >> 6 & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

size_t chart_text_dump(const chart_cell *cells, int w, int h, char *buf, size_t cap)
{
    size_t n = 0, kept = 0;
    int full = 0;
    for (int y = 0; y < h; y++) {
        const chart_cell *row = cells + (size_t)y * (size_t)w;
        int last = w - 1;
        while (last >= 0 && (row[last].ch == ' ' || row[last].ch == 0))
            last--;
        for (int x = 0; x <= last + 1; x++) {
            char enc[4];
            int len = x <= last ? utf8_encode(row[x].ch ? row[x].ch : ' ', enc) : 1;
            if (x > last)
                enc[0] = '\n';
            if (!full && cap > 0 && kept + (size_t)len < cap) {
                memcpy(buf + kept, enc, (size_t)len);
                kept += (size_t)len;
            } else {
                full = 1;
            }
            n += (size_t)len;
        }
    }
    if (cap > 0)
        buf[kept] = '\0';
    return n;
}
