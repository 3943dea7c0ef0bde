/* chart_text.c — the character-grid renderer for the chart model.
 *
 * Everything is drawn in "dot" space: the plot area is dw x dh dots with (0, 0)
 * at the top left (2 x 4 dots per cell in braille mode, 1 x 1 in ASCII mode).
 * Data maps to dot coordinates through chart_map, so x = lo lands on the left
 * dot column and y = hi on the top dot row. Overlap rules come from drawing
 * order alone: markers first, then FAINT/DIM series, then NORMAL series, each
 * group in the order added; a later pen takes the cell's colour, braille dots
 * accumulate, ASCII characters are replaced. */
#include "tui/chart_text.h"

#include <math.h>
#include <string.h>

/* Coordinates further out than this are clamped before any rounding, so that
 * huge values clip cleanly and never overflow an integer conversion. */
#define FAR 1e9

typedef struct glyph_set {
    uint32_t axis_v, axis_tick_y, corner, axis_h, axis_tick_x;
    uint32_t cursor, ellipsis, marker;
    uint32_t swatch[3][2];   /* [chart_style][chart_kind] legend sample */
    uint32_t pen[3][2];      /* [chart_style][chart_kind] ASCII plot glyph; 0: by slope */
} glyph_set;

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

/* Braille dot bits by [row 0..3][column 0..1] within a cell. */
static const uint8_t braille_bit[4][2] = {
    { 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 },
};

/* ---- text -------------------------------------------------------------- */

/* Decodes one UTF-8 character at *s and advances past it; malformed input
 * yields '?' and skips one byte. */
static uint32_t utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t c = p[0];
    int n = c < 0x80 ? 0
          : (c & 0xE0) == 0xC0 ? 1
          : (c & 0xF0) == 0xE0 ? 2
          : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0) {
        (*s)++;
        return '?';
    }
    c &= n == 0 ? 0x7F : 0x3F >> n;
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            (*s)++;
            return '?';
        }
        c = c << 6 | (p[i] & 0x3F);
    }
    *s += n + 1;
    return c;
}

static int text_width(const char *s)
{
    int n = 0;
    while (*s) {
        utf8_next(&s);
        n++;
    }
    return n;
}

typedef struct grid {
    chart_cell      *cells;
    int              w, h;
    const glyph_set *g;
} grid;

static void put(const grid *gr, int x, int y, uint32_t ch, int color, int attr)
{
    if (x < 0 || y < 0 || x >= gr->w || y >= gr->h)
        return;
    chart_cell *c = &gr->cells[y * gr->w + x];
    c->ch = ch;
    c->color = (uint8_t)(color < 0 ? 0 : color > 255 ? 255 : color);
    c->attr = (uint8_t)attr;
}

/* Writes s at (x, y), never past column end (exclusive); a cut string ends in
 * an ellipsis. Returns the columns used. */
static int put_text(const grid *gr, int x, int y, int end, const char *s, int color, int attr)
{
    int width = text_width(s), room = end - x, used = 0;
    if (room <= 0)
        return 0;
    int cut = width > room;
    while (*s && used < room) {
        uint32_t ch = utf8_next(&s);
        if (cut && used == room - 1)
            ch = gr->g->ellipsis;
        put(gr, x + used, y, ch, color, attr);
        used++;
    }
    return used;
}

/* A series' style and kind as table indices (out-of-range values draw as
 * NORMAL / LINE rather than read past the tables). */
static int style_of(const chart_series *s)
{
    return s->style == CHART_FAINT || s->style == CHART_DIM ? (int)s->style : CHART_NORMAL;
}

static int kind_of(const chart_series *s)
{
    return s->kind == CHART_POINTS ? CHART_POINTS : CHART_LINE;
}

/* ---- the plot area ----------------------------------------------------- */

typedef struct canvas {
    const grid *gr;
    int      x0, y0, cw, ch;   /* plot area in cells */
    int      sx, sy;           /* dots per cell: 2 x 4 braille, 1 x 1 ASCII */
    int      dw, dh;           /* plot area in dots */
    int      braille;
    /* the pen */
    int      color, attr;
    uint32_t glyph;            /* ASCII: fixed glyph, 0 for slope glyphs */
    int      dotted;           /* braille: every other dot along the line */
    int      major_y;          /* the line being drawn is steep (dotted steps in y) */
} canvas;

static void dot(canvas *cv, int dx, int dy, uint32_t slope_glyph)
{
    if (dx < 0 || dy < 0 || dx >= cv->dw || dy >= cv->dh)
        return;
    if (cv->dotted && (cv->major_y ? dy : dx) % 2)
        return;
    const grid *gr = cv->gr;
    int x = cv->x0 + dx / cv->sx, y = cv->y0 + dy / cv->sy;
    chart_cell *c = &gr->cells[y * gr->w + x];
    uint32_t ch;
    if (cv->braille) {
        ch = c->ch >= 0x2800 && c->ch <= 0x28FF ? c->ch : 0x2800;
        ch |= braille_bit[dy % 4][dx % 2];
    } else {
        ch = cv->glyph ? cv->glyph : slope_glyph;
    }
    put(gr, x, y, ch, cv->color, cv->attr);
}

static double clampd(double v)
{
    return v < -FAR ? -FAR : v > FAR ? FAR : v;
}

static int round_dot(double v)
{
    return (int)floor(v + 0.5);
}

/* Cuts segment a-b to the box [xmin, xmax] x [ymin, ymax] (Liang-Barsky).
 * Returns 0 when nothing is left; sets *moved when a was moved. */
static int clip(double *ax, double *ay, double *bx, double *by,
                double xmin, double xmax, double ymin, double ymax, int *moved)
{
    double dx = *bx - *ax, dy = *by - *ay, t0 = 0, t1 = 1;
    double p[4] = { -dx, dx, -dy, dy };
    double q[4] = { *ax - xmin, xmax - *ax, *ay - ymin, ymax - *ay };
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0) {
            if (t > t1)
                return 0;
            if (t > t0)
                t0 = t;
        } else {
            if (t < t0)
                return 0;
            if (t < t1)
                t1 = t;
        }
    }
    double x = *ax, y = *ay;
    *bx = x + t1 * dx;
    *by = y + t1 * dy;
    *ax = x + t0 * dx;
    *ay = y + t0 * dy;
    *moved = t0 > 0;
    return 1;
}

/* The ASCII character for a segment's direction (screen y grows downwards). */
static uint32_t slope_glyph(double dx, double dy)
{
    double ax = fabs(dx), ay = fabs(dy);
    if (ay * 2 <= ax)
        return '-';
    if (ax * 2 <= ay)
        return '|';
    return dx * dy < 0 ? '/' : '\\';
}

/* Bresenham from a to b in dot space, clipped to the plot. skip_first leaves
 * a's dot alone: it belongs to the previous column, which drew it already (in
 * ASCII mode redrawing it would replace that column's glyph). */
static void segment(canvas *cv, double ax, double ay, double bx, double by, int skip_first)
{
    uint32_t glyph = slope_glyph(bx - ax, by - ay);
    int moved = 0;
    cv->major_y = fabs(by - ay) > fabs(bx - ax);
    if (!clip(&ax, &ay, &bx, &by, -0.5, cv->dw - 0.5, -0.5, cv->dh - 0.5, &moved))
        return;
    int x = round_dot(ax), y = round_dot(ay), x1 = round_dot(bx), y1 = round_dot(by);
    int dx = x1 > x ? x1 - x : x - x1, sx = x < x1 ? 1 : -1;
    int dy = y1 > y ? y - y1 : y1 - y, sy = y < y1 ? 1 : -1;
    int err = dx + dy, first = 1;
    for (;;) {
        if (!(first && skip_first && !moved))
            dot(cv, x, y, glyph);
        first = 0;
        if (x == x1 && y == y1)
            break;
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y += sy;
        }
    }
}

/* A vertical run of dots in column dx from row ya to yb (any order), clipped. */
static void vspan(canvas *cv, int dx, double ya, double yb, uint32_t glyph)
{
    int a = round_dot(fmin(ya, yb)), b = round_dot(fmax(ya, yb));
    if (dx < 0 || dx >= cv->dw || b < 0 || a >= cv->dh)
        return;
    if (a < 0)
        a = 0;
    if (b > cv->dh - 1)
        b = cv->dh - 1;
    cv->major_y = 1;
    for (int y = a; y <= b; y++)
        dot(cv, dx, y, glyph);
}

/* Points that fall in one dot column, in order. */
typedef struct column {
    int    used, col;
    double first_x, first_y, last_x, last_y, min_y, max_y;
} column;

typedef struct line_state {
    column cur;
    int    connected;       /* a previous column exists to join from */
    int    prev_lone;       /* ... and it was a single dot with no line into it */
    double prev_x, prev_y;  /* its last point */
} line_state;

/* Draws the finished column. When its points run one way (first and last are
 * its extremes, continuing the way the line came in), it is just a stretch of
 * line: one segment from the previous column's last point to its last point,
 * which keeps steep lines smooth and one glyph wide. Otherwise (noise, a
 * spike) it is the line into its first point plus the full min..max span of
 * its points, so a one-sample spike stays visible. */
static void line_flush(canvas *cv, line_state *ls)
{
    column *k = &ls->cur;
    if (!k->used)
        return;
    int r_first = round_dot(k->first_y), r_last = round_dot(k->last_y);
    int r_min = round_dot(k->min_y), r_max = round_dot(k->max_y);
    int one_way = (r_min == r_first && r_max == r_last) || (r_min == r_last && r_max == r_first);
    if (ls->connected) {                     /* the line must not turn back at the border */
        int r_prev = round_dot(ls->prev_y);
        int in = (r_first > r_prev) - (r_first < r_prev);
        int on = (r_last > r_first) - (r_last < r_first);
        if (in * on < 0)
            one_way = 0;
    }
    int lone = 0;
    if (one_way) {
        if (ls->connected)
            segment(cv, ls->prev_x, ls->prev_y, k->last_x, k->last_y, !ls->prev_lone);
        else if (r_first != r_last)
            segment(cv, k->first_x, k->first_y, k->last_x, k->last_y, 0);
        else
            lone = 1;
    } else {
        if (ls->connected)
            segment(cv, ls->prev_x, ls->prev_y, k->first_x, k->first_y, !ls->prev_lone);
        vspan(cv, k->col, k->min_y, k->max_y, '|');
    }
    if (lone) {                              /* a single dot, so far: never dotted away */
        int dotted = cv->dotted;
        cv->dotted = 0;
        dot(cv, k->col, r_first, '*');
        cv->dotted = dotted;
    }
    ls->connected = 1;
    ls->prev_lone = lone;
    ls->prev_x = k->last_x;
    ls->prev_y = k->last_y;
    k->used = 0;
}

static void draw_series(canvas *cv, const chart_series *s, const chart_range *xr,
                        const chart_range *yr)
{
    line_state ls;
    memset(&ls, 0, sizeof ls);
    for (size_t i = 0; i < s->n; i++) {
        double fx = chart_map(xr, s->x ? s->x[i] : (double)i);
        double fy = chart_map(yr, s->y[i]);
        if (isnan(fx) || isnan(fy)) {        /* a gap: end the line here */
            line_flush(cv, &ls);
            ls.connected = 0;
            continue;
        }
        double px = clampd(fx * (cv->dw - 1)), py = clampd((1 - fy) * (cv->dh - 1));
        int col = round_dot(px);
        if (kind_of(s) == CHART_POINTS) {
            vspan(cv, col, py, py, '*');
            continue;
        }
        column *k = &ls.cur;
        if (k->used && col != k->col)
            line_flush(cv, &ls);
        if (!k->used) {
            k->used = 1;
            k->col = col;
            k->first_x = px;
            k->first_y = k->min_y = k->max_y = py;
        }
        k->last_x = px;
        k->last_y = py;
        k->min_y = fmin(k->min_y, py);
        k->max_y = fmax(k->max_y, py);
    }
    line_flush(cv, &ls);
}

/* The dot column of data value x, or -1 when it is off the plot. */
static int dot_column(const canvas *cv, const chart_range *xr, double x)
{
    double f = chart_map(xr, x);
    if (isnan(f))
        return -1;
    int col = round_dot(clampd(f * (cv->dw - 1)));
    return col >= 0 && col < cv->dw ? col : -1;
}

static void draw_markers(canvas *cv, const chart *c, const chart_range *xr)
{
    for (int i = 0; i < c->n_markers; i++) {
        int col = dot_column(cv, xr, c->markers[i].x);
        if (col < 0)
            continue;
        cv->color = c->markers[i].color;
        cv->attr = 0;
        cv->glyph = cv->gr->g->marker;
        cv->dotted = 0;
        for (int y = 0; y < cv->dh; y += cv->braille ? 2 : 1)
            dot(cv, col, y, 0);
    }
}

/* Marker labels on the top plot row, right of their line, else left of it,
 * else left out; never over another label. */
static void draw_marker_labels(canvas *cv, const chart *c, const chart_range *xr)
{
    int taken[CHART_MAX_MARKERS][2], n_taken = 0;
    int end = cv->x0 + cv->cw;
    for (int i = 0; i < c->n_markers; i++) {
        const chart_marker *m = &c->markers[i];
        int col = dot_column(cv, xr, m->x), len = text_width(m->label);
        if (col < 0 || len == 0 || len > cv->cw)
            continue;
        int cx = cv->x0 + col / cv->sx, x = cx + 1;
        if (x + len > end)
            x = cx - len;
        if (x < cv->x0)
            continue;
        int clash = 0;
        for (int j = 0; j < n_taken; j++)
            if (x <= taken[j][1] + 1 && x + len - 1 >= taken[j][0] - 1)
                clash = 1;
        if (clash)
            continue;
        put_text(cv->gr, x, cv->y0, end, m->label, m->color, 0);
        taken[n_taken][0] = x;
        taken[n_taken][1] = x + len - 1;
        n_taken++;
    }
}

static void draw_cursor(canvas *cv, const chart *c, const chart_range *xr,
                        const chart_range *yr)
{
    double fx = chart_map(xr, c->cursor_x), fy = chart_map(yr, c->cursor_y);
    if (!c->has_cursor || isnan(fx) || isnan(fy))
        return;
    int dx = round_dot(clampd(fx * (cv->dw - 1)));
    int dy = round_dot(clampd((1 - fy) * (cv->dh - 1)));
    if (dx < 0 || dy < 0 || dx >= cv->dw || dy >= cv->dh)
        return;
    put(cv->gr, cv->x0 + dx / cv->sx, cv->y0 + dy / cv->sy, cv->gr->g->cursor,
        c->cursor_color, CHART_ATTR_BOLD);
}

static void draw_plot(canvas *cv, const chart *c, const chart_range *xr, const chart_range *yr)
{
    const glyph_set *g = cv->gr->g;
    draw_markers(cv, c, xr);
    /* Background curves first, so NORMAL ones end up on top. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < c->n_series; i++) {
            const chart_series *s = &c->series[i];
            int style = style_of(s), kind = kind_of(s);
            if ((style == CHART_NORMAL) != (pass == 1))
                continue;
            cv->color = s->color;
            cv->attr = style == CHART_NORMAL ? 0 : CHART_ATTR_DIM;
            cv->glyph = g->pen[style][kind];
            cv->dotted = cv->braille && style == CHART_DIM && kind == CHART_LINE;
            draw_series(cv, s, xr, yr);
        }
    draw_marker_labels(cv, c, xr);
    draw_cursor(cv, c, xr, yr);
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
            int col = dot_column(cv, xr, t[i].v);
            int len = text_width(t[i].label);
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

/* Legend entries ("─ name") from column x, stopping before end. */
static void draw_legend(const grid *gr, const chart *c, const int *idx, int n,
                        int x, int y, int end)
{
    for (int i = 0; i < n; i++) {
        const chart_series *s = &c->series[idx[i]];
        int len = 2 + text_width(s->name);
        if (x + len > end)
            break;
        put(gr, x, y, gr->g->swatch[style_of(s)][kind_of(s)], s->color,
            style_of(s) == CHART_NORMAL ? 0 : CHART_ATTR_DIM);
        put_text(gr, x + 2, y, end, s->name, 0, 0);
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
    int legend[CHART_MAX_SERIES];
    int n_legend = chart_legend(c, legend, CHART_MAX_SERIES), legend_w = 0;
    for (int i = 0; i < n_legend; i++)
        legend_w += (i ? 2 : 0) + 2 + text_width(c->series[legend[i]].name);
    int title_w = text_width(c->title);

    /* Rows: optional title, optional header (y label and/or overflowing
     * legend), the plot, the bottom axis, x tick labels, optional x label. */
    int title_row = title_w > 0 || n_legend > 0;
    int legend_on_title = n_legend > 0 && title_w + (title_w ? 2 : 0) + legend_w <= w;
    int header = (n_legend > 0 && !legend_on_title) || ylabel[0];
    int xlabel_row = xlabel[0] != 0;
    int ph = h - title_row - header - 2 - xlabel_row;
    if (ph < 4 && xlabel_row) {
        xlabel_row = 0;
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
        int len = text_width(yt[i].label);
        if (len > ylw)
            ylw = len;
    }
    int ax = ylw;                            /* the y axis column */
    cv.x0 = ax + 1;
    cv.y0 = title_row + header;
    cv.cw = w - cv.x0;
    cv.ch = ph;
    if (ph < 2 || cv.cw < 4) {
        put_text(&gr, 0, 0, w, c->title, 0, CHART_ATTR_BOLD);
        return -1;
    }
    cv.dw = cv.cw * cv.sx;
    cv.dh = cv.ch * cv.sy;

    /* Title and legend. */
    if (title_row) {
        int end = legend_on_title ? w - legend_w - 2 : w;
        put_text(&gr, 0, 0, end, c->title, 0, CHART_ATTR_BOLD);
        if (legend_on_title)
            draw_legend(&gr, c, legend, n_legend, w - legend_w, 0, w);
    }
    if (header) {
        int y = title_row, lx = legend_w > w ? 0 : w - legend_w;
        int show_legend = n_legend > 0 && !legend_on_title;
        if (ylabel[0] && (!show_legend || text_width(ylabel) + 2 <= lx))
            put_text(&gr, 0, y, show_legend ? lx - 2 : w, ylabel, 0, 0);
        if (show_legend)
            draw_legend(&gr, c, legend, n_legend, lx, y, w);
    }

    /* Left axis with tick labels. */
    for (int y = 0; y < ph; y++)
        put(&gr, ax, cv.y0 + y, gr.g->axis_v, 0, 0);
    for (int i = 0; i < ny; i++) {
        int y = cv.y0 + yrows[i], len = text_width(yt[i].label);
        put(&gr, ax, y, gr.g->axis_tick_y, 0, 0);
        put_text(&gr, ax - len, y, ax, yt[i].label, 0, 0);
    }

    /* Bottom axis with tick labels, and the x label centred below. */
    int ay = cv.y0 + ph;
    put(&gr, ax, ay, gr.g->corner, 0, 0);
    for (int x = cv.x0; x < w; x++)
        put(&gr, x, ay, gr.g->axis_h, 0, 0);
    int nx = layout_x_ticks(&xr, &cv, w, xt, xcols, xstarts);
    for (int i = 0; i < nx; i++) {
        put(&gr, xcols[i], ay, gr.g->axis_tick_x, 0, 0);
        put_text(&gr, xstarts[i], ay + 1, w, xt[i].label, 0, 0);
    }
    if (xlabel_row) {
        int len = text_width(xlabel), x = cv.x0 + (cv.cw - len) / 2;
        put_text(&gr, x < 0 ? 0 : x, ay + 2, w, xlabel, 0, 0);
    }

    draw_plot(&cv, c, &xr, &yr);
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
