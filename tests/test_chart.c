/* test_chart.c — the chart model (ranges, mapping, ticks, labels) and the
 * character-grid renderer.
 *
 * Rendered charts are compared with golden files, tests/golden/chart_<name>.txt,
 * found relative to the current directory: run the tests from the repository
 * root. After an intended change to the renderer, rewrite the golden files with
 *
 *     UPDATE_GOLDEN=1 make unit
 *
 * then read every changed file (cat it, and the diff) before accepting it: a
 * golden file is only as right as the last person who looked at it. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/chart.h"
#include "tui/chart_text.h"

/* NAN and INFINITY are floats; these keep -Wdouble-promotion quiet. */
#define NaN ((double)NAN)
#define Inf ((double)INFINITY)

#define GRID_W 100
#define GRID_H 40

static chart_cell cells[GRID_W * GRID_H];
static char text[GRID_W * GRID_H * 4 + GRID_H + 1];
static char golden[sizeof text];

/* Renders c into the shared grid and text buffers; returns the text. */
static const char *render(const chart *c, chart_text_mode mode, int w, int h)
{
    cr_assert(w <= GRID_W && h <= GRID_H);
    cr_assert_eq(chart_text_render(c, mode, cells, w, h), 0, "render refused %dx%d", w, h);
    size_t n = chart_text_dump(cells, w, h, text, sizeof text);
    cr_assert_lt(n, sizeof text);
    return text;
}

static void check_golden(const char *name, const char *got)
{
    char path[256];
    snprintf(path, sizeof path, "tests/golden/chart_%s.txt", name);
    const char *update = getenv("UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        FILE *f = fopen(path, "wb");
        cr_assert(f != NULL, "cannot write %s", path);
        fputs(got, f);
        cr_assert_eq(fclose(f), 0, "cannot write %s", path);
        return;
    }
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s: run the tests from the repository root "
              "(UPDATE_GOLDEN=1 creates missing golden files)", path);
    size_t n = fread(golden, 1, sizeof golden - 1, f);
    fclose(f);
    golden[n] = '\0';
    cr_assert_str_eq(got, golden, "rendered chart differs from %s; got:\n%s", path, got);
}

static const chart_cell *cell_at(int w, int x, int y)
{
    return &cells[y * w + x];
}

static int is_braille(uint32_t ch)
{
    return ch >= 0x2800 && ch <= 0x28FF;
}

/* The column of the y axis on plot row y: the first axis glyph on that row. */
static int axis_column(int w, int y)
{
    for (int x = 0; x < w; x++) {
        uint32_t ch = cell_at(w, x, y)->ch;
        if (ch == 0x2502 || ch == 0x2524 || ch == '|' || ch == '+')
            return x;
    }
    return -1;
}

/* ---- ticks ------------------------------------------------------------- */

static void check_ticks(const chart_tick *t, int n, const double *want, int n_want)
{
    cr_assert_eq(n, n_want, "got %d ticks, want %d", n, n_want);
    for (int i = 0; i < n; i++)
        cr_assert_float_eq(t[i].v, want[i], 1e-12 * fmax(1, fabs(want[i])),
                           "tick %d: %g, want %g", i, t[i].v, want[i]);
}

Test(chart, ticks_linear_unit)
{
    chart_tick t[CHART_MAX_TICKS];
    int n = chart_ticks(CHART_LINEAR, 0, 1, 6, t);
    check_ticks(t, n, (double[]){ 0, 0.2, 0.4, 0.6, 0.8, 1 }, 6);
    /* Exact decimals, not 3 * 0.2. */
    cr_assert(t[3].v == 0.6);
    const char *labels[] = { "0", "0.2", "0.4", "0.6", "0.8", "1" };
    for (int i = 0; i < n; i++)
        cr_assert_str_eq(t[i].label, labels[i]);
}

Test(chart, ticks_linear_73)
{
    chart_tick t[CHART_MAX_TICKS];
    int n = chart_ticks(CHART_LINEAR, 0, 73, 6, t);
    check_ticks(t, n, (double[]){ 0, 20, 40, 60 }, 4);
    cr_assert_str_eq(t[3].label, "60");
}

Test(chart, ticks_linear_negative_and_offset)
{
    chart_tick t[CHART_MAX_TICKS];
    int n = chart_ticks(CHART_LINEAR, -1, 1, 5, t);
    check_ticks(t, n, (double[]){ -1, -0.5, 0, 0.5, 1 }, 5);
    cr_assert_str_eq(t[2].label, "0");           /* not "-0" */
    cr_assert_str_eq(t[0].label, "-1");

    n = chart_ticks(CHART_LINEAR, 0.23, 2.31, 5, t);
    check_ticks(t, n, (double[]){ 0.5, 1, 1.5, 2 }, 4);

    /* Labels carry the digits the step needs. */
    n = chart_ticks(CHART_LINEAR, 10000, 12000, 5, t);
    check_ticks(t, n, (double[]){ 10000, 10500, 11000, 11500, 12000 }, 5);
    cr_assert_str_eq(t[1].label, "10.5k");
    cr_assert_str_eq(t[2].label, "11k");
    n = chart_ticks(CHART_LINEAR, 1.0007, 1.0021, 4, t);
    check_ticks(t, n, (double[]){ 1.001, 1.0015, 1.002 }, 3);
    cr_assert_str_eq(t[1].label, "1.0015");
}

Test(chart, ticks_log_decades)
{
    chart_tick t[CHART_MAX_TICKS];
    int n = chart_ticks(CHART_LOG10, 1e-4, 10, 8, t);
    check_ticks(t, n, (double[]){ 1e-4, 1e-3, 1e-2, 1e-1, 1, 10 }, 6);
    const char *labels[] = { "1e-4", "1e-3", "0.01", "0.1", "1", "10" };
    for (int i = 0; i < n; i++)
        cr_assert_str_eq(t[i].label, labels[i]);
    cr_assert(t[0].v == 1e-4 && t[2].v == 0.01);
}

Test(chart, ticks_log_subdivisions_when_few_decades)
{
    chart_tick t[CHART_MAX_TICKS];
    int n = chart_ticks(CHART_LOG10, 1e-3, 1e-1, 10, t);
    check_ticks(t, n, (double[]){ 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1 }, 7);
    cr_assert_str_eq(t[1].label, "2e-3");
    cr_assert_str_eq(t[5].label, "0.05");
    /* Too many for the room: decades only. */
    n = chart_ticks(CHART_LOG10, 1e-3, 1e-1, 4, t);
    check_ticks(t, n, (double[]){ 1e-3, 1e-2, 1e-1 }, 3);
}

Test(chart, ticks_log_every_kth_decade)
{
    chart_tick t[CHART_MAX_TICKS];
    int n = chart_ticks(CHART_LOG10, 1e-8, 1e4, 6, t);
    check_ticks(t, n, (double[]){ 1e-6, 1e-3, 1, 1e3 }, 4);
    cr_assert_str_eq(t[3].label, "1k");
}

Test(chart, ticks_log_within_a_decade)
{
    chart_tick t[CHART_MAX_TICKS];
    /* 1-2-5 gives only "2": linear ticks instead. */
    int n = chart_ticks(CHART_LOG10, 1.5, 4, 6, t);
    check_ticks(t, n, (double[]){ 1.5, 2, 2.5, 3, 3.5, 4 }, 6);
    n = chart_ticks(CHART_LOG10, 3e-4, 8e-4, 4, t);
    check_ticks(t, n, (double[]){ 4e-4, 6e-4, 8e-4 }, 3);
    cr_assert_str_eq(t[0].label, "4e-4");
}

Test(chart, ticks_invalid_ranges)
{
    chart_tick t[CHART_MAX_TICKS];
    cr_assert_eq(chart_ticks(CHART_LINEAR, 1, 1, 6, t), 0);
    cr_assert_eq(chart_ticks(CHART_LINEAR, 2, 1, 6, t), 0);
    cr_assert_eq(chart_ticks(CHART_LINEAR, 0, NaN, 6, t), 0);
    cr_assert_eq(chart_ticks(CHART_LOG10, 0, 1, 6, t), 0);
    cr_assert_eq(chart_ticks(CHART_LINEAR, 0, 1, 0, t), 0);
    cr_assert_eq(chart_ticks(CHART_LINEAR, -1e308, 1e308, 6, t), 0);  /* span overflows */
}

/* ---- labels ------------------------------------------------------------ */

static void check_format(double v, int sig, const char *want)
{
    char buf[CHART_TICK_LEN];
    chart_format_number(v, sig, buf, sizeof buf);
    cr_assert_str_eq(buf, want, "format(%g, %d) = \"%s\", want \"%s\"", v, sig, buf, want);
}

Test(chart, format_number)
{
    check_format(0.5, 3, "0.5");
    check_format(1e-3, 3, "1e-3");
    check_format(3e-4, 3, "3e-4");
    check_format(2.5e-5, 3, "2.5e-5");
    check_format(10000, 3, "10k");
    check_format(1500, 3, "1.5k");
    check_format(12345, 3, "12.3k");
    check_format(999999, 3, "1M");
    check_format(2e6, 3, "2M");
    check_format(3e9, 3, "3G");
    check_format(2.5, 3, "2.5");
    check_format(0, 3, "0");
    check_format(-0.0, 3, "0");
    check_format(-0.25, 3, "-0.25");
    check_format(100, 1, "100");
    check_format(0.01, 1, "0.01");
    check_format(0.0099999, 3, "0.01");
    check_format(2.30258, 3, "2.3");
    check_format(1e15, 3, "1e15");
    check_format(NaN, 3, "nan");
    check_format(-Inf, 3, "-inf");
}

Test(chart, format_number_truncates_like_snprintf)
{
    char buf[4];
    int n = chart_format_number(12345, 3, buf, sizeof buf);
    cr_assert_eq(n, 5);                          /* "12.3k" */
    cr_assert_str_eq(buf, "12.");
}

/* ---- ranges and mapping ------------------------------------------------ */

Test(chart, map_log_midpoint)
{
    chart_range r = { CHART_LOG10, 1e-3, 1e-1 };
    cr_assert_float_eq(chart_map(&r, 1e-2), 0.5, 1e-12);
    cr_assert_float_eq(chart_unmap(&r, 0.5), 1e-2, 1e-15);
    cr_assert_float_eq(chart_map(&r, 1e-3), 0.0, 1e-12);
    cr_assert_float_eq(chart_map(&r, 1e-1), 1.0, 1e-12);
    cr_assert(isnan(chart_map(&r, 0)));
    cr_assert(isnan(chart_map(&r, -1)));
    cr_assert(isnan(chart_map(&r, NaN)));

    chart_range l = { CHART_LINEAR, 0, 10 };
    cr_assert_float_eq(chart_map(&l, 2.5), 0.25, 1e-12);
    cr_assert_float_eq(chart_map(&l, 15), 1.5, 1e-12);
    cr_assert_float_eq(chart_unmap(&l, 0.25), 2.5, 1e-12);
    cr_assert(isnan(chart_map(&l, Inf)));
}

Test(chart, auto_range_skips_nan_and_inf)
{
    static const double y[] = { NaN, 0.5, Inf, -2, 3, -Inf, NaN };
    chart c;
    chart_init(&c, "t");
    chart_add_series(&c, "y", NULL, y, 7);
    chart_range xr = chart_resolve_range(&c, CHART_AXIS_X);
    chart_range yr = chart_resolve_range(&c, CHART_AXIS_Y);
    cr_assert_float_eq(yr.lo, -2, 0);
    cr_assert_float_eq(yr.hi, 3, 0);
    /* x spans only the points that are drawable. */
    cr_assert_float_eq(xr.lo, 1, 0);
    cr_assert_float_eq(xr.hi, 4, 0);
}

Test(chart, auto_range_log_ignores_non_positive)
{
    static const double x[] = { 0, 1e-5, 1e-4, 1e-3, -1, 1e-1 };
    static const double y[] = { 9, 2.3, 0, 1.1, 5, NaN };
    chart c;
    chart_init(&c, "t");
    chart_set_axis(&c, CHART_AXIS_X, CHART_LOG10, "lr");
    chart_set_axis(&c, CHART_AXIS_Y, CHART_LOG10, "loss");
    chart_add_series(&c, "loss", x, y, 6);
    chart_range xr = chart_resolve_range(&c, CHART_AXIS_X);
    chart_range yr = chart_resolve_range(&c, CHART_AXIS_Y);
    /* Drawable points: (1e-5, 2.3) and (1e-3, 1.1). */
    cr_assert_float_eq(xr.lo, 1e-5, 0);
    cr_assert_float_eq(xr.hi, 1e-3, 0);
    cr_assert_float_eq(yr.lo, 1.1, 0);
    cr_assert_float_eq(yr.hi, 2.3, 0);
    cr_assert_str_eq(c.axis[CHART_AXIS_X].label, "lr");
}

Test(chart, auto_range_empty_and_degenerate)
{
    static const double flat[] = { 2, 2, 2 }, zero[] = { 0 }, nans[] = { NaN, NaN };
    chart c;
    chart_init(&c, NULL);
    chart_range r = chart_resolve_range(&c, CHART_AXIS_Y);
    cr_assert(r.lo == 0 && r.hi == 1);
    chart_set_axis(&c, CHART_AXIS_Y, CHART_LOG10, NULL);
    chart_add_series(&c, NULL, NULL, nans, 2);
    r = chart_resolve_range(&c, CHART_AXIS_Y);
    cr_assert(r.lo == 1 && r.hi == 10);

    chart_clear(&c);
    chart_add_series(&c, NULL, NULL, flat, 3);
    r = chart_resolve_range(&c, CHART_AXIS_Y);    /* log: half a decade each way */
    cr_assert_float_eq(r.lo, 2 / sqrt(10), 1e-12);
    cr_assert_float_eq(r.hi, 2 * sqrt(10), 1e-12);

    chart_set_axis(&c, CHART_AXIS_Y, CHART_LINEAR, NULL);
    r = chart_resolve_range(&c, CHART_AXIS_Y);
    cr_assert_float_eq(r.lo, 1.8, 1e-12);
    cr_assert_float_eq(r.hi, 2.2, 1e-12);

    chart_clear(&c);
    chart_add_series(&c, NULL, NULL, zero, 1);
    r = chart_resolve_range(&c, CHART_AXIS_Y);
    cr_assert(r.lo == -1 && r.hi == 1);
    /* One point on x (at 0): widened the same way. */
    r = chart_resolve_range(&c, CHART_AXIS_X);
    cr_assert(r.lo == -1 && r.hi == 1);
}

Test(chart, fixed_range_ends)
{
    static const double y[] = { 0.35, 0.72, 0.91 };
    chart c;
    chart_init(&c, "accuracy");
    chart_add_series(&c, "acc", NULL, y, 3);
    chart_set_range(&c, CHART_AXIS_Y, 0, NaN);      /* lo fixed, hi from data */
    chart_range r = chart_resolve_range(&c, CHART_AXIS_Y);
    cr_assert(r.lo == 0 && r.hi == 0.91);
    chart_set_range(&c, CHART_AXIS_Y, 0, 1);
    r = chart_resolve_range(&c, CHART_AXIS_Y);
    cr_assert(r.lo == 0 && r.hi == 1);
    chart_set_range(&c, CHART_AXIS_Y, 1, 0);      /* reversed: swapped */
    r = chart_resolve_range(&c, CHART_AXIS_Y);
    cr_assert(r.lo == 0 && r.hi == 1);
    chart_set_range(&c, CHART_AXIS_Y, 2, NaN);      /* data below the fixed end */
    r = chart_resolve_range(&c, CHART_AXIS_Y);
    cr_assert(r.lo == 2 && r.hi > 2);
    chart_set_axis(&c, CHART_AXIS_Y, CHART_LOG10, NULL);
    chart_set_range(&c, CHART_AXIS_Y, 0, 1);      /* 0 cannot be a log end: automatic */
    r = chart_resolve_range(&c, CHART_AXIS_Y);
    cr_assert(r.lo == 0.35 && r.hi == 1);
}

Test(chart, capacity_limits)
{
    static const double y[] = { 1 };
    chart c;
    chart_init(&c, "full");
    for (int i = 0; i < CHART_MAX_SERIES; i++) {
        chart_series *s = chart_add_series(&c, "s", NULL, y, 1);
        cr_assert_not_null(s);
        cr_assert_eq(s->color, 1 + i);
    }
    cr_assert_null(chart_add_series(&c, "one too many", NULL, y, 1));
    cr_assert_eq(c.n_series, CHART_MAX_SERIES);
    for (int i = 0; i < CHART_MAX_MARKERS; i++)
        cr_assert_eq(chart_add_marker(&c, i, "m", 1), 0);
    cr_assert_eq(chart_add_marker(&c, 99, "m", 1), -1);
    cr_assert_eq(c.n_markers, CHART_MAX_MARKERS);

    /* Long strings are cut to their buffers, on a character boundary. */
    chart_set_title(&c, "αααααααααααααααααααααααααααααααααααααααααααααααααααααααααααααααα");
    cr_assert_lt(strlen(c.title), (size_t)CHART_TITLE_LEN);
    cr_assert_eq(strlen(c.title) % 2, 0);
}

Test(chart, legend_lists_named_series)
{
    static const double y[] = { 1 };
    chart c;
    chart_init(&c, "t");
    chart_add_series(&c, "raw", NULL, y, 1);
    chart_add_series(&c, "", NULL, y, 1);
    chart_add_series(&c, "smoothed", NULL, y, 1);
    int idx[CHART_MAX_SERIES];
    int n = chart_legend(&c, idx, CHART_MAX_SERIES);
    cr_assert_eq(n, 2);
    cr_assert(idx[0] == 0 && idx[1] == 2);
}

/* ---- rendering --------------------------------------------------------- */

/* A training-loss curve over 200 iterations: noisy raw values and a smooth
 * one. Deterministic: no random numbers. */
static double loss_x[200], loss_raw[200], loss_smooth[200];

static void make_loss(void)
{
    for (int i = 0; i < 200; i++) {
        double base = 0.3 + 2.0 * exp(-i / 40.0);
        loss_x[i] = i;
        loss_smooth[i] = base;
        loss_raw[i] = base + 0.15 * sin(i * 1.7) * exp(-i / 120.0);
    }
}

static void loss_chart(chart *c)
{
    make_loss();
    chart_init(c, "training loss");
    chart_set_axis(c, CHART_AXIS_X, CHART_LINEAR, "iteration");
    chart_series *raw = chart_add_series(c, "raw", loss_x, loss_raw, 200);
    raw->style = CHART_FAINT;
    chart_add_series(c, "smoothed", loss_x, loss_smooth, 200);
}

Test(chart, render_braille_line)
{
    chart c;
    loss_chart(&c);
    check_golden("braille_line", render(&c, CHART_TEXT_BRAILLE, 60, 16));
}

Test(chart, render_ascii_line)
{
    chart c;
    loss_chart(&c);
    check_golden("ascii_line", render(&c, CHART_TEXT_ASCII, 60, 16));
}

/* An LR range test: loss against a log-spaced learning rate. */
static double rt_lr[120], rt_loss[120];

Test(chart, render_log_x)
{
    for (int i = 0; i < 120; i++) {
        double l = -5 + 5.0 * i / 119;           /* log10(lr): 1e-5 .. 1 */
        rt_lr[i] = pow(10, l);
        rt_loss[i] = 2.3 - 1.9 / (1 + exp(-(l + 3) * 2.5)) + 0.02 * exp((l + 1.2) * 5);
        if (rt_loss[i] > 4)
            rt_loss[i] = NaN;            /* diverged: the test stops drawing */
    }
    chart c;
    chart_init(&c, "LR range test");
    chart_set_axis(&c, CHART_AXIS_X, CHART_LOG10, "learning rate");
    chart_set_axis(&c, CHART_AXIS_Y, CHART_LINEAR, "loss");
    chart_add_series(&c, "loss", rt_lr, rt_loss, 120);
    check_golden("log_x", render(&c, CHART_TEXT_BRAILLE, 64, 18));
    check_golden("log_x_ascii", render(&c, CHART_TEXT_ASCII, 64, 18));
}

/* A triangular cyclical schedule: the plan (DIM) for 1000 iterations, the
 * run so far (NORMAL) for 600, two live edits as markers, and the cursor. */
static double sched_x[1000], sched_plan[1000], sched_run[600];

static void make_schedule(chart *c)
{
    for (int i = 0; i < 1000; i++) {
        double cyc = fmod(i, 400.0) / 200.0;     /* 0..2 per cycle */
        double tri = cyc < 1 ? cyc : 2 - cyc;
        sched_x[i] = i;
        sched_plan[i] = 0.01 + (0.1 - 0.01) * tri;
        if (i < 600)
            sched_run[i] = i < 300 ? sched_plan[i] : 0.01 + (0.06 - 0.01) * tri;
    }
    chart_init(c, "learning rate");
    chart_set_axis(c, CHART_AXIS_X, CHART_LINEAR, "iteration");
    chart_series *plan = chart_add_series(c, "plan", sched_x, sched_plan, 1000);
    plan->style = CHART_DIM;
    plan->color = 4;
    chart_add_series(c, "lr", sched_x, sched_run, 600)->color = 2;
    chart_add_marker(c, 300, "max 0.06", 3);
    chart_add_marker(c, 520, "edit", 3);
    chart_add_marker(c, 5000, "off the chart", 3);
    chart_set_cursor(c, 599, sched_run[599], 2);
}

Test(chart, render_markers)
{
    chart c;
    make_schedule(&c);
    const char *s = render(&c, CHART_TEXT_BRAILLE, 72, 16);
    cr_assert_not_null(strstr(s, "max 0.06"));
    cr_assert_not_null(strstr(s, "edit"));
    cr_assert_null(strstr(s, "off the chart"));
    cr_assert_not_null(strstr(s, "\u25CF"));     /* the cursor */
    check_golden("markers", s);
    s = render(&c, CHART_TEXT_ASCII, 72, 16);
    check_golden("markers_ascii", s);
}

/* A cursor on the top row where a marker's label runs hides under it
 * rather than replacing one of its characters. */
Test(chart, cursor_does_not_overwrite_a_label)
{
    chart c;
    make_schedule(&c);
    for (double x = 300; x <= 400; x += 5) {
        chart_set_cursor(&c, x, 0.1, 2);
        const char *s = render(&c, CHART_TEXT_ASCII, 72, 16);
        cr_expect_not_null(strstr(s, "max 0.06"), "cursor at %g:\n%s", x, s);
    }
}

/* 1000 flat samples and one spike at iteration 437, on a plot with far fewer
 * dot columns than samples: the spike must still reach the top row. */
static double spike_y[1000];

static void make_spike(chart *c)
{
    for (int i = 0; i < 1000; i++)
        spike_y[i] = 1.0 + 0.05 * sin(i * 0.05);
    spike_y[437] = 5.0;
    chart_init(c, "spike");
    chart_add_series(c, "loss", NULL, spike_y, 1000);
}

static void check_spike(chart_text_mode mode, int w, int h)
{
    chart c;
    make_spike(&c);
    render(&c, mode, w, h);
    int top = 1;                                 /* below the title row */
    int ax = axis_column(w, top);
    cr_assert_geq(ax, 0);
    /* The top tick is 5 (the spike), so the top plot row holds its dots and
     * nothing else. */
    int sx = mode == CHART_TEXT_BRAILLE ? 2 : 1, dw = (w - ax - 1) * sx;
    int want = ax + 1 + (int)floor(437.0 / 999 * (dw - 1) + 0.5) / sx;
    for (int x = ax + 1; x < w; x++) {
        const chart_cell *k = cell_at(w, x, top);
        if (x == want)
            cr_assert(mode == CHART_TEXT_BRAILLE ? is_braille(k->ch) && (k->ch & 0x09)
                                                 : k->ch == '|',
                      "spike missing at column %d", x);
        else
            cr_assert_eq(k->ch, ' ', "unexpected dot at column %d", x);
    }
}

Test(chart, render_decimation_keeps_spike)
{
    check_spike(CHART_TEXT_BRAILLE, 40, 12);
    chart c;
    make_spike(&c);
    check_golden("spike", render(&c, CHART_TEXT_BRAILLE, 40, 12));
    check_spike(CHART_TEXT_ASCII, 40, 12);
}

/* Samples 40..59 are NaN: the line must stop and restart, leaving the
 * columns in between empty. */
static double gap_y[100];

Test(chart, render_nan_gap)
{
    for (int i = 0; i < 100; i++)
        gap_y[i] = i >= 40 && i < 60 ? NaN : 0.5 + 0.4 * sin(i * 0.08);
    chart c;
    chart_init(&c, "gap");
    chart_add_series(&c, "acc", NULL, gap_y, 100);
    int w = 50, h = 10;
    const char *s = render(&c, CHART_TEXT_BRAILLE, w, h);
    int ax = axis_column(w, 1), dw = (w - ax - 1) * 2;
    /* Dot columns strictly inside the gap: after x = 39, before x = 60. */
    int c0 = (int)floor(39.0 / 99 * (dw - 1) + 0.5) / 2 + 1;
    int c1 = (int)floor(60.0 / 99 * (dw - 1) + 0.5) / 2 - 1;
    cr_assert_lt(c0, c1);
    for (int y = 1; y < h - 2; y++)
        for (int x = ax + 1 + c0; x <= ax + 1 + c1; x++)
            cr_assert_eq(cell_at(w, x, y)->ch, ' ', "dot in the gap at (%d, %d)", x, y);
    check_golden("nan_gap", s);
}

Test(chart, normal_wins_over_faint_whatever_the_order)
{
    static const double y[] = { 1, 1, 1, 1 };
    chart c;
    chart_init(&c, NULL);
    chart_add_series(&c, NULL, NULL, y, 4)->color = 7;        /* NORMAL first */
    chart_series *f = chart_add_series(&c, NULL, NULL, y, 4);  /* FAINT later */
    f->style = CHART_FAINT;
    f->color = 5;
    int w = 20, h = 6;
    for (int m = 0; m < 2; m++) {
        chart_text_mode mode = m ? CHART_TEXT_ASCII : CHART_TEXT_BRAILLE;
        render(&c, mode, w, h);
        int seen = 0;
        for (int i = 0; i < w * h; i++)
            if (cells[i].color) {
                cr_assert_eq(cells[i].color, 7);
                cr_assert_eq(cells[i].attr & CHART_ATTR_DIM, 0);
                seen++;
            }
        cr_assert_gt(seen, 0);
    }
    /* Two NORMAL series: the later one takes the colour. */
    f->style = CHART_NORMAL;
    render(&c, CHART_TEXT_BRAILLE, w, h);
    for (int i = 0; i < w * h; i++)
        cr_assert(cells[i].color == 0 || cells[i].color == 5);
}

Test(chart, render_too_small_and_empty)
{
    chart c;
    make_spike(&c);
    cr_assert_eq(chart_text_render(&c, CHART_TEXT_BRAILLE, cells, 6, 3), -1);
    chart_text_dump(cells, 6, 3, text, sizeof text);
    cr_assert_str_eq(text, "spike\n\n\n");
    cr_assert_eq(chart_text_render(&c, CHART_TEXT_BRAILLE, cells, 0, 0), -1);

    /* No series at all: axes and ticks for the default range, no crash. */
    chart_init(&c, "empty");
    cr_assert_eq(chart_text_render(&c, CHART_TEXT_ASCII, cells, 30, 8), 0);
}

Test(chart, dump_cuts_between_characters)
{
    chart c;
    make_spike(&c);
    render(&c, CHART_TEXT_BRAILLE, 40, 12);
    size_t full = strlen(text);
    char small[64];
    for (size_t cap = 1; cap < sizeof small; cap++) {
        size_t n = chart_text_dump(cells, 40, 12, small, cap);
        cr_assert_eq(n, full);
        cr_assert_lt(strlen(small), cap);
        cr_assert_eq(strncmp(small, text, strlen(small)), 0);
        /* Cut between characters: what follows is not a continuation byte. */
        cr_assert_neq((unsigned char)text[strlen(small)] & 0xC0, 0x80);
    }
}

Test(chart, points_are_not_joined)
{
    static const double x[] = { 0, 10 }, y[] = { 0, 1 };
    chart c;
    chart_init(&c, NULL);
    chart_add_series(&c, NULL, x, y, 2)->kind = CHART_POINTS;
    for (int m = 0; m < 2; m++) {
        int w = 30, h = 8, dots = 0;
        render(&c, m ? CHART_TEXT_ASCII : CHART_TEXT_BRAILLE, w, h);
        for (int i = 0; i < w * h; i++)
            dots += cells[i].color != 0;
        cr_assert_eq(dots, 2, "%d plot cells drawn, want the 2 points", dots);
    }
}
