/* chart.c — the chart model: ranges, mapping, ticks and tick labels.
 *
 * Tick values are computed as an integer times a power of ten and divided (not
 * multiplied) by exact powers of ten for negative exponents, so 3 * 0.2 comes
 * out as the double nearest 0.6, not 0.6000000000000001: labels and tests can
 * rely on exact tick values. */
#include "tui/chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Relative slack when deciding whether a tick lies inside [lo, hi]. */
#define TICK_EPS 1e-9

/* Copies src into dst[cap], truncating at a UTF-8 character boundary. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

void chart_init(chart *c, const char *title)
{
    memset(c, 0, sizeof *c);
    for (int a = 0; a < 2; a++) {
        c->axis[a].scale = CHART_LINEAR;
        c->axis[a].lo = (double)NAN;
        c->axis[a].hi = (double)NAN;
    }
    chart_set_title(c, title);
}

void chart_clear(chart *c)
{
    memset(c->series, 0, sizeof c->series);
    memset(c->markers, 0, sizeof c->markers);
    c->n_series = 0;
    c->n_markers = 0;
    c->has_cursor = 0;
}

void chart_set_title(chart *c, const char *title)
{
    copy_text(c->title, sizeof c->title, title);
}

void chart_set_axis(chart *c, chart_axis_id which, chart_scale scale, const char *label)
{
    chart_axis *a = &c->axis[which];
    a->scale = scale;
    if (label)
        copy_text(a->label, sizeof a->label, label);
}

void chart_set_range(chart *c, chart_axis_id which, double lo, double hi)
{
    c->axis[which].lo = lo;
    c->axis[which].hi = hi;
}

chart_series *chart_add_series(chart *c, const char *name, const double *x,
                               const double *y, size_t n)
{
    if (c->n_series >= CHART_MAX_SERIES)
        return NULL;
    chart_series *s = &c->series[c->n_series];
    memset(s, 0, sizeof *s);
    copy_text(s->name, sizeof s->name, name);
    s->x = x;
    s->y = y;
    s->n = y ? n : 0;
    s->style = CHART_NORMAL;
    s->kind = CHART_LINE;
    s->color = 1 + c->n_series;
    c->n_series++;
    return s;
}

int chart_add_marker(chart *c, double x, const char *label, int color)
{
    if (c->n_markers >= CHART_MAX_MARKERS)
        return -1;
    chart_marker *m = &c->markers[c->n_markers++];
    m->x = x;
    copy_text(m->label, sizeof m->label, label);
    m->color = color;
    return 0;
}

void chart_set_cursor(chart *c, double x, double y, int color)
{
    c->has_cursor = 1;
    c->cursor_x = x;
    c->cursor_y = y;
    c->cursor_color = color;
}

int chart_legend(const chart *c, int *idx, int cap)
{
    int n = 0;
    for (int i = 0; i < c->n_series && n < cap; i++)
        if (c->series[i].name[0])
            idx[n++] = i;
    return n;
}

double chart_series_last(const chart_series *s)
{
    for (size_t i = s->n; i-- > 0;)
        if (isfinite(s->y[i]))
            return s->y[i];
    return NAN;
}

int chart_legend_text(const chart *c, int i, char *buf, size_t len)
{
    const chart_series *s = &c->series[i];
    double v = s->value ? chart_series_last(s) : (double)NAN;
    if (isnan(v))
        return snprintf(buf, len, "%s", s->name);
    char num[CHART_TICK_LEN];
    /* Three significant digits, but no exponent for values a class reads
     * every day (0.0123, 88.3). */
    if (fabs(v) >= 0.01 && fabs(v) < 1000)
        snprintf(num, sizeof num, "%.3g", v);
    else
        chart_format_number(v, 3, num, sizeof num);
    return snprintf(buf, len, "%s%s%s%s%s", s->name, s->name[0] ? " " : "", num,
                    s->unit[0] ? " " : "", s->unit);
}

/* ---- ranges and mapping ------------------------------------------------ */

static int plottable(chart_scale s, double v)
{
    return isfinite(v) && (s == CHART_LINEAR || v > 0);
}

static int too_narrow(chart_scale s, double lo, double hi)
{
    if (s == CHART_LOG10)
        return !(hi > lo * (1 + 1e-12));
    return !(hi - lo > 1e-12 * fmax(fabs(lo), fabs(hi)));
}

/* Half-width used to widen a degenerate linear range around v. */
static double linear_pad(double v)
{
    return v != 0 ? fabs(v) * 0.1 : 1.0;
}

chart_range chart_resolve_range(const chart *c, chart_axis_id which)
{
    const chart_axis *a = &c->axis[which];
    chart_scale sx = c->axis[CHART_AXIS_X].scale, sy = c->axis[CHART_AXIS_Y].scale;
    chart_range r = { a->scale, 0, 0 };
    double dlo = (double)INFINITY, dhi = -(double)INFINITY;

    /* Only points that are drawable on both axes count. */
    for (int k = 0; k < c->n_series; k++) {
        const chart_series *s = &c->series[k];
        for (size_t i = 0; i < s->n; i++) {
            double x = s->x ? s->x[i] : (double)i, y = s->y[i];
            if (!plottable(sx, x) || !plottable(sy, y))
                continue;
            double v = which == CHART_AXIS_X ? x : y;
            if (v < dlo)
                dlo = v;
            if (v > dhi)
                dhi = v;
        }
    }

    int fix_lo = plottable(a->scale, a->lo), fix_hi = plottable(a->scale, a->hi);
    int log = a->scale == CHART_LOG10;
    double lo = fix_lo ? a->lo : dlo, hi = fix_hi ? a->hi : dhi;

    if (dlo > dhi) {                         /* no data */
        if (!fix_lo && !fix_hi) {
            lo = log ? 1 : 0;
            hi = log ? 10 : 1;
        } else if (!fix_lo) {
            lo = log ? hi / 10 : hi - 1;
        } else if (!fix_hi) {
            hi = log ? lo * 10 : lo + 1;
        }
    }
    if (fix_lo && fix_hi && lo > hi) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (too_narrow(a->scale, lo, hi)) {
        if (fix_lo == fix_hi) {              /* both free or both fixed: widen around lo */
            double v = lo;
            lo = log ? v / sqrt(10.0) : v - linear_pad(v);
            hi = log ? v * sqrt(10.0) : v + linear_pad(v);
        } else if (fix_lo) {
            hi = log ? lo * 10 : lo + linear_pad(lo);
        } else {
            lo = log ? hi / 10 : hi - linear_pad(hi);
        }
    }
    r.lo = lo;
    r.hi = hi;
    return r;
}

double chart_map(const chart_range *r, double v)
{
    if (!plottable(r->scale, v))
        return (double)NAN;
    if (r->scale == CHART_LOG10) {
        double l0 = log10(r->lo);
        return (log10(v) - l0) / (log10(r->hi) - l0);
    }
    return (v - r->lo) / (r->hi - r->lo);
}

double chart_unmap(const chart_range *r, double f)
{
    if (r->scale == CHART_LOG10) {
        double l0 = log10(r->lo);
        return pow(10.0, l0 + f * (log10(r->hi) - l0));
    }
    return r->lo + f * (r->hi - r->lo);
}

/* ---- ticks ------------------------------------------------------------- */

/* m * 10^e for an integer-valued m, as the double nearest the decimal number
 * (exact powers of ten up to 1e22; dividing rounds once). */
static double decimal(double m, int e)
{
    int a = e < 0 ? -e : e;
    if (a > 22)
        return m * pow(10.0, e);
    double p = 1;
    for (int i = 0; i < a; i++)
        p *= 10;
    return e < 0 ? m / p : m * p;
}

/* Labels every tick with sig significant digits. */
static void label_ticks(chart_tick *t, int n, int sig)
{
    for (int i = 0; i < n; i++)
        chart_format_number(t[i].v, sig, t[i].label, sizeof t[i].label);
}

static int ticks_linear(double lo, double hi, int max_ticks, chart_tick *out)
{
    static const int mant[3] = { 1, 2, 5 };
    double span = hi - lo;
    int e = (int)floor(log10(span / max_ticks)) - 1;

    for (int tries = 0; tries < 64; tries++, e++) {
        for (int j = 0; j < 3; j++) {
            double step = decimal(mant[j], e);
            double k0 = ceil(lo / step - TICK_EPS), k1 = floor(hi / step + TICK_EPS);
            if (k1 - k0 + 1 > max_ticks)
                continue;
            if (fabs(k0) > 1e15 || fabs(k1) > 1e15)
                return 0;                    /* span too small to tell ticks apart */
            int n = 0;
            for (double k = k0; k <= k1; k++) {
                double v = k == 0 ? 0.0 : decimal(k * mant[j], e);
                out[n].v = v;
                n++;
            }
            /* Digits: from the largest magnitude down to the step's place. */
            double big = n ? fmax(fabs(out[0].v), fabs(out[n - 1].v)) : 0;
            int sig = big > 0 ? (int)floor(log10(big) + TICK_EPS) - e + 1 : 1;
            label_ticks(out, n, sig < 1 ? 1 : sig > 9 ? 9 : sig);
            return n;
        }
    }
    return 0;
}

static int ticks_log(double lo, double hi, int max_ticks, chart_tick *out)
{
    static const int mant[3] = { 1, 2, 5 };
    double llo = log10(lo), lhi = log10(hi);
    int d0 = (int)ceil(llo - TICK_EPS), d1 = (int)floor(lhi + TICK_EPS);

    /* 1-2-5 subdivisions over a few decades. */
    if (lhi - llo <= 3 + TICK_EPS) {
        int n = 0, over = 0;
        for (int d = d0 - 1; d <= d1 && !over; d++)
            for (int j = 0; j < 3; j++) {
                double v = decimal(mant[j], d);
                if (v < lo * (1 - TICK_EPS) || v > hi * (1 + TICK_EPS))
                    continue;
                if (n == max_ticks) {
                    over = 1;
                    break;
                }
                out[n++].v = v;
            }
        if (!over && n >= 2) {
            label_ticks(out, n, 1);
            return n;
        }
    }

    /* Decades, every k-th one when they do not all fit. */
    if (d1 - d0 >= 1) {
        for (int k = 1; k <= d1 - d0 + 1; k++) {
            int m0 = (int)ceil((double)d0 / k), m1 = (int)floor((double)d1 / k);
            if (m1 - m0 + 1 > max_ticks)
                continue;
            int n = 0;
            for (int m = m0; m <= m1; m++)
                out[n++].v = decimal(1, m * k);
            label_ticks(out, n, 1);
            return n;
        }
    }

    /* Within about a decade: plain linear ticks read best. */
    return ticks_linear(lo, hi, max_ticks, out);
}

int chart_ticks(chart_scale scale, double lo, double hi, int max_ticks, chart_tick *out)
{
    if (max_ticks < 1 || !isfinite(lo) || !isfinite(hi) || !(lo < hi) || !isfinite(hi - lo))
        return 0;
    if (scale == CHART_LOG10)
        return lo > 0 ? ticks_log(lo, hi, max_ticks, out) : 0;
    return ticks_linear(lo, hi, max_ticks, out);
}

/* ---- number formatting ------------------------------------------------- */

/* Drops trailing zeros after a decimal point, and the point if bare. */
static void trim_zeros(char *s)
{
    if (!strchr(s, '.'))
        return;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '0')
        s[--n] = '\0';
    if (n > 0 && s[n - 1] == '.')
        s[--n] = '\0';
}

int chart_format_number(double v, int sig, char *buf, size_t len)
{
    static const struct { double scale; const char *suffix; } units[] = {
        { 1e9, "G" }, { 1e6, "M" }, { 1e3, "k" },
    };
    char out[80], tmp[32];

    if (sig < 1)
        sig = 1;
    if (sig > 9)
        sig = 9;
    if (isnan(v))
        return snprintf(buf, len, "%s", "nan");
    if (isinf(v))
        return snprintf(buf, len, "%s", v < 0 ? "-inf" : "inf");
    if (v == 0)
        return snprintf(buf, len, "%s", "0");

    /* Round to sig digits first, so 999999 becomes 1M and not 1000k. */
    snprintf(tmp, sizeof tmp, "%.*e", sig - 1, v);
    char *e = strchr(tmp, 'e');
    int ex = atoi(e + 1);
    double r = strtod(tmp, NULL), a = fabs(r);

    if (a < 0.01 || a >= 1e12) {
        *e = '\0';
        trim_zeros(tmp);
        snprintf(out, sizeof out, "%se%d", tmp, ex);
    } else {
        double scale = 1;
        const char *suffix = "";
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (a >= units[i].scale) {
                scale = units[i].scale;
                suffix = units[i].suffix;
                ex -= (int)lround(log10(scale));
                break;
            }
        int decimals = sig - 1 - ex;
        snprintf(tmp, sizeof tmp, "%.*f", decimals < 0 ? 0 : decimals, r / scale);
        trim_zeros(tmp);
        snprintf(out, sizeof out, "%s%s", tmp, suffix);
    }
    return snprintf(buf, len, "%s", out);
}
