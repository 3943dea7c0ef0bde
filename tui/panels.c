/* panels.c — the workbench's charts and where they go on the screen.
 *
 * Layout while training (columns split about 55/45):
 *     header (panels_lines.c)
 *     loss vs iteration        | learning rate (+ planned, estimate, edits)
 *                              | momentum                (when tall enough)
 *     accuracy vs iteration    | range test: loss vs LR  (log x)
 *                              | range test: accuracy vs LR (when tall enough)
 *     result, offer, message, key bar (panels_lines.c)
 * While a range test runs, and after it until a training run starts, the
 * range test owns the body: loss and accuracy against the LR, side by side
 * (stacked on a narrow screen), with the suggested bounds marked.
 *
 * Every legend carries its series' latest value (chart_legend_text), the
 * current run's series first so ghosts never push them out; ghosts are dim,
 * each with its own dash pattern, and drawn under the current run.
 *
 * Axis ranges are snapped to 1-2-5 steps so they change rarely: a frame then
 * rewrites only the cells that really changed, which keeps the bytes sent
 * over SSH low. The x axis of the iteration panels spans the whole plan, so
 * curves grow to the right instead of rescaling. */
#include "tui/workbench.h"

#include "tui/chart_png.h"
#include "tui/headless.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_LOSS = 1, COL_TEST = 2, COL_LR = 3, COL_EST = 4, COL_ALERT = 5, COL_MOM = 6 };

/* Ghost colours: white, blue, magenta, with dash patterns 1, 2, 3. */
static const int ghost_color[WB_MAX_GHOSTS] = { 7, 6, 4 };

typedef struct rect {
    int y, x, h, w;
} rect;

/* Largest 1-2-5 value <= v (v > 0). */
static double nice_floor(double v)
{
    double p = pow(10.0, floor(log10(v)));
    double m = v / p;
    return (m >= 5.0 ? 5.0 : m >= 2.0 ? 2.0 : 1.0) * p;
}

/* Smallest 1-2-5 value >= v (v > 0). */
static double nice_ceil(double v)
{
    double p = pow(10.0, floor(log10(v)));
    double m = v / p;
    return (m <= 1.0 ? 1.0 : m <= 2.0 ? 2.0 : m <= 5.0 ? 5.0 : 10.0) * p;
}

/* Min and max of the finite (and, when `positive`, > 0) values of y[0..n). */
static void extend(const double *y, size_t n, bool positive, double *lo, double *hi)
{
    for (size_t i = 0; i < n; i++) {
        double v = y[i];
        if (!isfinite(v) || (positive && v <= 0))
            continue;
        if (v < *lo)
            *lo = v;
        if (v > *hi)
            *hi = v;
    }
}

/* Renders c into r and copies it to the screen. */
static void draw_chart(wb *w, const chart *c, rect r)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    size_t need = (size_t)r.w * r.h;
    if (need > w->cells_cap) {
        chart_cell *p = realloc(w->cells, need * sizeof *p);
        if (!p)
            return;
        w->cells = p;
        w->cells_cap = need;
    }
    chart_text_render(c, w->ascii || !w->caps.utf8 ? CHART_TEXT_ASCII : CHART_TEXT_BRAILLE,
                      w->cells, r.w, r.h);
    term_put_cells(w->cells, r.w, r.h, r.y, r.x);
}

static bool ghost_shown(const wb *w, int g)
{
    return !w->ghost_hidden[g];
}

/* The x extent of the iteration panels: the plan, or the longest ghost.
 * A followed log has no plan: its extent is snapped to 1-2-5 steps, so the
 * axis changes rarely as it grows. */
static double iteration_span(const wb *w)
{
    double hi = w->st.kind == RUN_TRAIN ? (double)w->st.total : 1.0;
    for (int g = 0; g < w->n_ghosts; g++) {
        const table *s = &w->ghosts[g].steps;
        if (ghost_shown(w, g) && !w->ghosts[g].range_test && s->n &&
            s->col[ST_ITER][s->n - 1] + 1 > hi)
            hi = s->col[ST_ITER][s->n - 1] + 1;
    }
    if (w->cur_kind == RUN_TRAIN && w->cur.steps.n &&
        w->cur.steps.col[ST_ITER][w->cur.steps.n - 1] + 1 > hi)
        hi = w->cur.steps.col[ST_ITER][w->cur.steps.n - 1] + 1;
    const table *ev = &w->cur.evals;
    if (w->cur_kind == RUN_TRAIN && ev->n && ev->col[EV_ITER][ev->n - 1] + 1 > hi)
        hi = ev->col[EV_ITER][ev->n - 1] + 1;
    if (w->watch && hi > 1) {
        /* Steps finer than 1-2-5 (1500, not 2000, for 1407 steps). */
        static const double fine[] = { 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 };
        double p = pow(10.0, floor(log10(hi))), m = hi / p;
        size_t k = 0;
        while (fine[k] < m - 1e-12)
            k++;
        hi = fine[k] * p;
    }
    return hi > 1 ? hi : 1;
}

static const run_trace *training_trace(const wb *w)
{
    return w->cur_kind == RUN_TRAIN ? &w->cur : NULL;
}

/* Adds a series in its colour and style; a full chart drops it (NULL).
 * `unit` non-NULL: the legend shows the latest value with that unit. */
static chart_series *add(chart *c, const char *name, const double *x, const double *y,
                         size_t n, int color, chart_style style, const char *unit)
{
    chart_series *s = chart_add_series(c, name, x, y, n);
    if (s) {
        s->color = color;
        s->style = style;
        s->value = unit != NULL;
        snprintf(s->unit, sizeof s->unit, "%s", unit ? unit : "");
    }
    return s;
}

/* Ghosts of training runs (range false) or of range tests (range true). */
static void add_ghosts(wb *w, chart *c, bool range, int xcol, int ycol, bool evals,
                       const char *unit, double *lo, double *hi, bool positive)
{
    for (int g = 0; g < w->n_ghosts; g++) {
        const run_trace *t = &w->ghosts[g];
        if (t->range_test != range || !ghost_shown(w, g))
            continue;
        const table *tb = evals ? &t->evals : &t->steps;
        chart_series *s = add(c, t->label, tb->col[xcol], tb->col[ycol], tb->n,
                              ghost_color[g], CHART_DIM, unit);
        if (s)
            s->dash = 1 + g;
        extend(tb->col[ycol], tb->n, positive, lo, hi);
    }
}

/* One marker per live edit of the current run, with its label; edits closer
 * than about 10 columns of a `cols`-wide panel merge into one marker at the
 * first, labelled with how many came before the last and the last, the
 * value reached ("+2 max 0.5"). */
static void add_edit_markers(const wb *w, chart *c, int cols)
{
    const session_status *st = &w->st;
    if (w->cur_kind != RUN_TRAIN)
        return;
    int n = st->n_edits < SESSION_MAX_EDITS ? st->n_edits : SESSION_MAX_EDITS;
    double near = iteration_span(w) * 10.0 / (cols > 20 ? cols - 8 : 12);
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && (double)(st->edit_iter[j] - st->edit_iter[i]) < near)
            j++;
        char label[CHART_LABEL_LEN];
        if (j - i > 1)
            snprintf(label, sizeof label, "+%d %s", j - i - 1, st->edit_label[j - 1]);
        else
            snprintf(label, sizeof label, "%s", st->edit_label[i]);
        chart_add_marker(c, (double)st->edit_iter[i], label, COL_ALERT);
        i = j;
    }
}

static void build_loss(wb *w, chart *c, int cols)
{
    chart_init(c, "loss");
    chart_set_axis(c, CHART_AXIS_X, CHART_LINEAR, w->x_label);
    chart_set_axis(c, CHART_AXIS_Y, w->log_y ? CHART_LOG10 : CHART_LINEAR, NULL);
    double lo = INFINITY, hi = -INFINITY;
    const run_trace *t = training_trace(w);
    if (t) {
        add(c, "", t->steps.col[ST_ITER], t->steps.col[ST_LOSS], t->steps.n, COL_LOSS,
            CHART_FAINT, NULL);
        add(c, "train", t->steps.col[ST_ITER], t->steps.col[ST_SMOOTH], t->steps.n, COL_LOSS,
            CHART_NORMAL, "");
        add(c, "test", t->evals.col[EV_ITER], t->evals.col[EV_LOSS], t->evals.n, COL_TEST,
            CHART_NORMAL, "");
        extend(t->steps.col[ST_SMOOTH], t->steps.n, w->log_y, &lo, &hi);
        extend(t->evals.col[EV_LOSS], t->evals.n, w->log_y, &lo, &hi);
    }
    add_ghosts(w, c, false, ST_ITER, ST_SMOOTH, false, "", &lo, &hi, w->log_y);
    add_edit_markers(w, c, cols);
    if (lo < hi && lo > 0)
        chart_set_range(c, CHART_AXIS_Y, w->log_y ? nice_floor(lo) : 0.0, nice_ceil(hi));
    chart_set_range(c, CHART_AXIS_X, 0.0, iteration_span(w));
}

static void build_accuracy(wb *w, chart *c, int cols)
{
    chart_init(c, "accuracy %");
    chart_set_axis(c, CHART_AXIS_X, CHART_LINEAR, w->x_label);
    const run_trace *t = training_trace(w);
    double lo = INFINITY, hi = -INFINITY;
    if (t) {
        add(c, "train", t->steps.col[ST_ITER], t->steps.col[ST_ACC], t->steps.n, COL_LOSS,
            CHART_FAINT, "%");
        add(c, "test", t->evals.col[EV_ITER], t->evals.col[EV_ACC], t->evals.n, COL_TEST,
            CHART_NORMAL, "%");
        extend(t->evals.col[EV_ACC], t->evals.n, false, &lo, &hi);
    }
    add_ghosts(w, c, false, EV_ITER, EV_ACC, true, "%", &lo, &hi, false);
    add_edit_markers(w, c, cols);
    /* From a multiple of 10 below the worst test accuracy, to 100. */
    double floor10 = lo < hi ? 10.0 * floor(lo / 10.0) : 0.0;
    chart_set_range(c, CHART_AXIS_Y, floor10 < 0 ? 0 : floor10, 100.0);
    chart_set_range(c, CHART_AXIS_X, 0.0, iteration_span(w));
}

/* Samples the schedule in force over the plan, for the dim curve ahead:
 * from where its cycle starts (after R, the restart), since the LR drawn
 * solid shows what came before. */
static size_t plan_curve(wb *w, double span)
{
    if (w->st.kind != RUN_TRAIN)
        return 0;
    size_t n = WB_PLAN_POINTS;
    double from = (double)w->st.sched.origin;
    if (from >= span - 1)
        return 0;
    for (size_t i = 0; i < n; i++) {
        long it = (long)(from + (double)i * (span - 1 - from) / (double)(n - 1));
        w->plan_x[i] = (double)it;
        sched_at(&w->st.sched, it, &w->plan_lr[i], &w->plan_mom[i]);
    }
    return n;
}

/* The LR panel. With the optimal-LR estimate shown the y axis is log: the
 * estimate can sit a decade or more from the LR, and neither is clipped. */
static void build_lr(wb *w, chart *c, size_t n_plan, int cols)
{
    chart_init(c, "learning rate");
    chart_set_axis(c, CHART_AXIS_X, CHART_LINEAR, w->x_label);
    const run_trace *t = training_trace(w);
    bool est = t && w->show_est && t->ests.n;
    double lo = INFINITY, hi = -INFINITY;
    if (t) {
        add(c, "lr", t->steps.col[ST_ITER], t->steps.col[ST_LR], t->steps.n, COL_LR,
            CHART_NORMAL, "");
        extend(t->steps.col[ST_LR], t->steps.n, est, &lo, &hi);
    }
    if (n_plan) /* no plan while a range test runs: no legend entry either */
        add(c, "plan", w->plan_x, w->plan_lr, n_plan, COL_LR, CHART_DIM, NULL);
    extend(w->plan_lr, n_plan, est, &lo, &hi);
    if (est) {
        add(c, "estimate", t->ests.col[ES_ITER], t->ests.col[ES_SECANT], t->ests.n, COL_EST,
            CHART_NORMAL, "");
        chart_series *hvp = add(c, "g.g/gHg", t->ests.col[ES_ITER], t->ests.col[ES_HVP],
                                t->ests.n, COL_EST, CHART_FAINT, "");
        if (hvp)
            hvp->kind = CHART_POINTS;
        extend(t->ests.col[ES_SECANT], t->ests.n, true, &lo, &hi);
        extend(t->ests.col[ES_HVP], t->ests.n, true, &lo, &hi);
    }
    add_ghosts(w, c, false, ST_ITER, ST_LR, false, NULL, &lo, &hi, est);
    if (t && t->steps.n)
        chart_set_cursor(c, t->steps.col[ST_ITER][t->steps.n - 1],
                         t->steps.col[ST_LR][t->steps.n - 1], COL_LR);
    add_edit_markers(w, c, cols);
    if (est) {
        chart_set_axis(c, CHART_AXIS_Y, CHART_LOG10, NULL);
        if (lo < hi)
            chart_set_range(c, CHART_AXIS_Y, nice_floor(lo), nice_ceil(hi));
    } else if (hi > 0) {
        chart_set_range(c, CHART_AXIS_Y, 0.0, nice_ceil(hi));
    }
    chart_set_range(c, CHART_AXIS_X, 0.0, iteration_span(w));
}

static void build_momentum(wb *w, chart *c, size_t n_plan, int cols)
{
    chart_init(c, "momentum");
    const run_trace *t = training_trace(w);
    if (t)
        add(c, "mom", t->steps.col[ST_ITER], t->steps.col[ST_MOM], t->steps.n, COL_MOM,
            CHART_NORMAL, "");
    add(c, "", w->plan_x, w->plan_mom, n_plan, COL_MOM, CHART_DIM, NULL);
    add_edit_markers(w, c, cols);
    double lo = INFINITY, hi = -INFINITY;
    extend(w->plan_mom, n_plan, false, &lo, &hi);
    if (lo <= hi)
        chart_set_range(c, CHART_AXIS_Y, floor(lo * 10.0 - 1e-9) / 10.0,
                        fmin(1.0, ceil(hi * 10.0 + 1e-9) / 10.0));
    chart_set_range(c, CHART_AXIS_X, 0.0, iteration_span(w));
}

/* The range test being run, or else the last finished one. */
static const run_trace *range_trace(const wb *w)
{
    if (w->cur_kind == RUN_RANGE_TEST)
        return &w->cur;
    return w->range.steps.n ? &w->range : NULL;
}

/* The finished range test's bounds, once it has ended, labelled with its
 * model; beside a training run of another model they would be stale, so
 * they are left out there. */
static void add_suggestion_markers(const wb *w, chart *c)
{
    const session_status *st = &w->st;
    if (!st->have_range || !isfinite(st->range_max) ||
        (w->cur_kind == RUN_RANGE_TEST && st->state == SESSION_RANGE_TEST) ||
        (w->cur_kind == RUN_RANGE_TEST && st->kind != RUN_RANGE_TEST))
        return;
    if (!w->watch && w->cur_kind == RUN_TRAIN && strcmp(st->range_model, st->model))
        return; /* (a watched folder's metrics.csv is its range test's own steps) */
    char lo[CHART_LABEL_LEN], hi[CHART_LABEL_LEN + 64]; /* the chart keeps 23 characters */
    if (w->reading != RANGETEST_READ_OFFER) {   /* the reading chosen with :reading */
        double a, b;
        rangetest_reading_lrs(&st->range, w->reading, &a, &b);
        const char *name = rangetest_reading_name(w->reading);
        if (w->reading == RANGETEST_READ_SMITH && isfinite(a) && isfinite(b)) {
            snprintf(lo, sizeof lo, "base %.2g", a);
            snprintf(hi, sizeof hi, "max %.2g", b);
            chart_add_marker(c, a, lo, COL_ALERT);
            chart_add_marker(c, b, hi, COL_ALERT);
        } else if (isfinite(b)) {
            snprintf(hi, sizeof hi, "%s %.2g", name, b);
            chart_add_marker(c, b, hi, COL_ALERT);
        }
        return;
    }
    snprintf(lo, sizeof lo, "min %.2g", st->range_max / 10.0);
    /* the model it was read on, when its name fits whole */
    int len = snprintf(hi, sizeof hi, "max %.2g %s", st->range_max, st->range_model);
    if (len >= CHART_LABEL_LEN)
        snprintf(hi, sizeof hi, "max %.2g", st->range_max);
    chart_add_marker(c, st->range_max / 10.0, lo, COL_ALERT);
    chart_add_marker(c, st->range_max, hi, COL_ALERT);
}

/* Range-test panels: loss (accuracy = false) or accuracy against LR. */
static void build_range(wb *w, chart *c, bool accuracy)
{
    const run_trace *t = range_trace(w);
    char title[CHART_TITLE_LEN + 40];
    snprintf(title, sizeof title, "range test: %s%s%.30s%s", accuracy ? "accuracy %" : "loss",
             t ? " (" : "", t ? t->label : "", t ? ")" : "");
    chart_init(c, title);
    chart_set_axis(c, CHART_AXIS_X, CHART_LOG10, "learning rate");
    if (!accuracy)
        chart_set_axis(c, CHART_AXIS_Y, CHART_LOG10, NULL);
    double xlo = INFINITY, xhi = -INFINITY, lo = INFINITY, hi = -INFINITY;
    int ycol = accuracy ? EV_ACC : ST_SMOOTH, xcol = accuracy ? EV_LR : ST_LR;
    if (t) {
        const table *tb = accuracy ? &t->evals : &t->steps;
        if (!accuracy)
            add(c, "", tb->col[xcol], tb->col[ST_LOSS], tb->n, COL_LOSS, CHART_FAINT, NULL);
        add(c, accuracy ? "test" : "smoothed", tb->col[xcol], tb->col[ycol], tb->n,
            accuracy ? COL_TEST : COL_LOSS, CHART_NORMAL, accuracy ? "%" : "");
        extend(tb->col[xcol], tb->n, true, &xlo, &xhi);
        extend(tb->col[ycol], tb->n, !accuracy, &lo, &hi);
    }
    for (int g = 0; g < w->n_ghosts; g++) {
        const run_trace *gt = &w->ghosts[g];
        if (gt->range_test && ghost_shown(w, g))
            extend((accuracy ? &gt->evals : &gt->steps)->col[xcol],
                   (accuracy ? &gt->evals : &gt->steps)->n, true, &xlo, &xhi);
    }
    add_ghosts(w, c, true, xcol, ycol, accuracy, NULL, &lo, &hi, !accuracy);
    add_suggestion_markers(w, c);
    if (xlo < xhi)
        chart_set_range(c, CHART_AXIS_X, nice_floor(xlo), nice_ceil(xhi));
    if (lo < hi)
        chart_set_range(c, CHART_AXIS_Y, accuracy ? 10.0 * floor(lo / 10.0) : nice_floor(lo),
                        accuracy ? 100.0 : nice_ceil(hi));
}

/* Which charts the screen shows, and where. The same list makes the PNG. */
typedef struct panel_plan {
    chart c[6];
    rect  at[6];
    int   n;
} panel_plan;

static void add_panel(panel_plan *pp, rect r)
{
    pp->at[pp->n++] = r;
}

/* The range test owns the body while it runs, and after it until a training
 * run starts. */
static bool range_layout(const wb *w)
{
    return w->cur_kind == RUN_RANGE_TEST || (w->cur_kind == RUN_NONE && w->range.steps.n);
}

/* Builds every chart for a body of `body` rows and `cols` columns starting at
 * row `top`. */
static void plan_panels(wb *w, panel_plan *pp, int top, int body, int cols)
{
    pp->n = 0;
    if (range_layout(w)) {
        /* Side by side when each half is wide enough, else stacked. */
        if (cols >= 100) {
            int lw = cols / 2, rw = cols - lw - 2;
            build_range(w, &pp->c[pp->n], false);
            add_panel(pp, (rect){ top, 0, body, lw });
            build_range(w, &pp->c[pp->n], true);
            add_panel(pp, (rect){ top, lw + 2, body, rw });
        } else {
            build_range(w, &pp->c[pp->n], false);
            add_panel(pp, (rect){ top, 0, body / 2, cols });
            build_range(w, &pp->c[pp->n], true);
            add_panel(pp, (rect){ top + body / 2, 0, body - body / 2, cols });
        }
        return;
    }
    int left_w = cols * 55 / 100, right_w = cols - left_w - 2; /* two blank columns between */
    int rx = left_w + 2;
    size_t n_plan = plan_curve(w, iteration_span(w));
    bool room = body >= 30, any_range = range_trace(w) != NULL;
    for (int g = 0; g < w->n_ghosts; g++)
        any_range |= w->ghosts[g].range_test && ghost_shown(w, g);
    /* Without a range test to show, the LR and momentum share the column. */
    /* A followed log without momentum gives the LR the momentum's room. */
    double mlo = INFINITY, mhi = -INFINITY;
    if (w->watch)
        extend(w->cur.steps.col[ST_MOM], w->cur.steps.n, false, &mlo, &mhi);
    bool mom = !w->watch || mlo <= mhi;
    int lr_h = !any_range ? (mom ? body * 55 / 100 : body)
                          : room ? body * (mom ? 30 : 45) / 100 : body / 2;
    int mom_h = !mom ? 0 : !any_range ? body - lr_h : room ? body * 15 / 100 : 0;
    int range_h = body - lr_h - mom_h, ry = top + lr_h + mom_h;

    build_loss(w, &pp->c[pp->n], left_w);
    add_panel(pp, (rect){ top, 0, body / 2, left_w });
    build_accuracy(w, &pp->c[pp->n], left_w);
    add_panel(pp, (rect){ top + body / 2, 0, body - body / 2, left_w });
    build_lr(w, &pp->c[pp->n], n_plan, right_w);
    add_panel(pp, (rect){ top, rx, lr_h, right_w });
    if (mom_h > 0) {
        build_momentum(w, &pp->c[pp->n], n_plan, right_w);
        add_panel(pp, (rect){ top + lr_h, rx, mom_h, right_w });
    }
    if (range_h <= 0) {
        /* no range test panel */
    } else if (range_h >= 20) {
        build_range(w, &pp->c[pp->n], false);
        add_panel(pp, (rect){ ry, rx, range_h / 2, right_w });
        build_range(w, &pp->c[pp->n], true);
        add_panel(pp, (rect){ ry + range_h / 2, rx, range_h - range_h / 2, right_w });
    } else {
        /* Short screens: Smith reads accuracy, fastai the loss; show the
         * accuracy once evaluations exist. */
        const run_trace *t = range_trace(w);
        build_range(w, &pp->c[pp->n], t && t->evals.n >= 3);
        add_panel(pp, (rect){ ry, rx, range_h, right_w });
    }
}

void panels_draw_body(wb *w, int top, int bottom)
{
    panel_plan pp;
    plan_panels(w, &pp, top, LINES - top - bottom, COLS);
    for (int i = 0; i < pp.n; i++)
        draw_chart(w, &pp.c[i], pp.at[i]);
}

void panels_draw(wb *w)
{
    erase();
    if (COLS < WB_MIN_COLS || LINES < WB_MIN_LINES) {
        mvprintw(0, 0, "lrscope: the terminal is %dx%d;", COLS, LINES);
        mvprintw(1, 0, "it needs at least %dx%d.", WB_MIN_COLS, WB_MIN_LINES);
        mvprintw(2, 0, "Enlarge it (training goes on).");
        return;
    }
    int top = lines_header(w, true);
    panels_draw_body(w, top, lines_bottom(w, false));
    lines_bottom(w, true);
    if (w->help_page)
        lines_help(w);
    else if (w->export_text[0])
        wb_export_draw(w);
}

/* The figure keeps the screen's arrangement, each character cell becoming
 * 10 x 20 points: the panels in the PNG are where the user saw them. */
int panels_write_png(wb *w, const char *path, char *err, size_t err_len)
{
    enum { BODY_ROWS = 40, BODY_COLS = 120, CELL_W = 10, CELL_H = 20 };
    panel_plan pp;
    plan_panels(w, &pp, 0, BODY_ROWS, BODY_COLS);
    chart_png_panel p[6];
    for (int i = 0; i < pp.n; i++)
        p[i] = (chart_png_panel){ &pp.c[i], pp.at[i].x * CELL_W, pp.at[i].y * CELL_H,
                                  pp.at[i].w * CELL_W, pp.at[i].h * CELL_H };
    lr_err e;
    if (chart_png_write(p, pp.n, BODY_COLS * CELL_W, BODY_ROWS * CELL_H, 1.5, path, &e)) {
        snprintf(err, err_len, "%s", e.msg);
        return -1;
    }
    return 0;
}
