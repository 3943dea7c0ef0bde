/* chart_text_plot.c — the plot area of the character-grid renderer: series,
 * markers with their labels, and the cursor, rasterised as braille dots or
 * ASCII characters.
 *
 * Data maps to dot coordinates (chart_text_internal.h) through chart_map, so
 * x = lo lands on the left dot column and y = hi on the top dot row. Overlap
 * rules come from drawing order alone: markers first, then FAINT/DIM series,
 * then NORMAL series, each group in the order added; a later pen takes the
 * cell's colour, braille dots accumulate, ASCII characters are replaced. */
#include "tui/chart_text_internal.h"

#include <math.h>
#include <string.h>

#include "tui/font.h"

/* Coordinates further out than this are clamped before any rounding, so that
 * huge values clip cleanly and never overflow an integer conversion. */
#define FAR 1e9

/* Braille dot bits by [row 0..3][column 0..1] within a cell. */
static const uint8_t braille_bit[4][2] = {
    { 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 },
};

static void dot(canvas *cv, int dx, int dy, uint32_t slope_glyph)
{
    if (dx < 0 || dy < 0 || dx >= cv->dw || dy >= cv->dh)
        return;
    if (cv->dotted && (cv->major_y ? dy : dx) % (cv->dash_on + cv->dash_off) >= cv->dash_on)
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
int chart_text_dot_column(const canvas *cv, const chart_range *xr, double x)
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
        int col = chart_text_dot_column(cv, xr, c->markers[i].x);
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

/* Marker labels on the top plot row, right of their line, else left of it;
 * on the next row when that clashes; else left out. Never over another
 * label. */
static void draw_marker_labels(canvas *cv, const chart *c, const chart_range *xr)
{
    int taken[CHART_MAX_MARKERS][3], n_taken = 0;
    int end = cv->x0 + cv->cw;
    for (int i = 0; i < c->n_markers; i++) {
        const chart_marker *m = &c->markers[i];
        int col = chart_text_dot_column(cv, xr, m->x), len = font_text_len(m->label);
        if (col < 0 || len == 0 || len > cv->cw)
            continue;
        int cx = cv->x0 + col / cv->sx, x = cx + 1;
        if (x + len > end)
            x = cx - len;
        if (x < cv->x0)
            continue;
        int row = 0;
        for (; row < 2 && row < cv->ch; row++) {
            int clash = 0;
            for (int j = 0; j < n_taken; j++)
                if (taken[j][2] == row && x <= taken[j][1] + 1 && x + len - 1 >= taken[j][0] - 1)
                    clash = 1;
            if (!clash)
                break;
        }
        if (row == 2 || row >= cv->ch)
            continue;
        chart_text_put_text(cv->gr, x, cv->y0 + row, end, m->label, m->color, 0);
        taken[n_taken][0] = x;
        taken[n_taken][1] = x + len - 1;
        taken[n_taken][2] = row;
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

void chart_text_draw_plot(canvas *cv, const chart *c, const chart_range *xr,
                          const chart_range *yr)
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
            /* Dash patterns along the line: dotted for DIM, 1..3 for ghosts;
             * in ASCII one glyph per pattern. */
            static const int dashes[CHART_DASHES + 1][2] = { { 1, 1 }, { 1, 1 }, { 4, 2 },
                                                             { 1, 3 } };
            static const uint32_t ascii_dash[CHART_DASHES + 1] = { '.', '.', ':', '\'' };
            int d = s->dash > 0 && s->dash <= CHART_DASHES ? s->dash : 0;
            cv->dotted = cv->braille && (style == CHART_DIM || d > 0) && kind == CHART_LINE;
            cv->dash_on = dashes[d][0];
            cv->dash_off = dashes[d][1];
            if (!cv->braille && d > 0 && kind == CHART_LINE)
                cv->glyph = ascii_dash[d];
            draw_series(cv, s, xr, yr);
        }
    /* The cursor before the labels: one under a label hides, rather than
     * changes, a figure of it ("max 1.5", not "max 1.O"). */
    draw_cursor(cv, c, xr, yr);
    draw_marker_labels(cv, c, xr);
}
