/* panels.c — the workbench's screen: a header, four chart panels and two
 * status lines, laid out for the terminal's size.
 *
 * Layout (columns split about 55/45):
 *     header
 *     loss vs iteration        | learning rate (+ planned, estimate, edits)
 *                              | momentum                (when tall enough)
 *     accuracy vs iteration    | range test: loss vs LR  (log x)
 *                              | range test: accuracy vs LR (when tall enough)
 *     status: bounds, momentum, weight decay, batch, message
 *     key hints (or the ':' command line)
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

enum { COL_LOSS = 1, COL_TEST = 2, COL_LR = 3, COL_EST = 4, COL_ALERT = 5, COL_MOM = 6,
       COL_GHOST = 7 };

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

/* The x extent of the iteration panels: the plan, or the longest ghost. */
static double iteration_span(const wb *w)
{
    double hi = w->st.kind == RUN_TRAIN ? (double)w->st.total : 1.0;
    for (int g = 0; g < w->n_ghosts; g++) {
        const table *s = &w->ghosts[g].steps;
        if (!w->ghosts[g].range_test && s->n && s->col[ST_ITER][s->n - 1] + 1 > hi)
            hi = s->col[ST_ITER][s->n - 1] + 1;
    }
    if (w->cur_kind == RUN_TRAIN && w->cur.steps.n &&
        w->cur.steps.col[ST_ITER][w->cur.steps.n - 1] + 1 > hi)
        hi = w->cur.steps.col[ST_ITER][w->cur.steps.n - 1] + 1;
    return hi > 1 ? hi : 1;
}

static const run_trace *training_trace(const wb *w)
{
    return w->cur_kind == RUN_TRAIN ? &w->cur : NULL;
}

/* Adds a series in its colour and style; a full chart drops it (NULL). */
static chart_series *add(chart *c, const char *name, const double *x, const double *y,
                         size_t n, int color, chart_style style)
{
    chart_series *s = chart_add_series(c, name, x, y, n);
    if (s) {
        s->color = color;
        s->style = style;
    }
    return s;
}

static void add_ghosts(wb *w, chart *c, bool range, int xcol_steps, int ycol, bool evals)
{
    for (int g = 0; g < w->n_ghosts; g++) {
        const run_trace *t = &w->ghosts[g];
        if (t->range_test != range)
            continue;
        const table *tb = evals ? &t->evals : &t->steps;
        add(c, t->label, tb->col[xcol_steps], tb->col[ycol], tb->n, COL_GHOST - g, CHART_DIM);
    }
}

static void build_loss(wb *w, chart *c)
{
    chart_init(c, "loss");
    chart_set_axis(c, CHART_AXIS_X, CHART_LINEAR, "iteration");
    chart_set_axis(c, CHART_AXIS_Y, w->log_y ? CHART_LOG10 : CHART_LINEAR, NULL);
    double lo = INFINITY, hi = -INFINITY;
    const run_trace *t = training_trace(w);
    add_ghosts(w, c, false, ST_ITER, ST_SMOOTH, false);
    for (int g = 0; g < w->n_ghosts; g++)
        if (!w->ghosts[g].range_test)
            extend(w->ghosts[g].steps.col[ST_SMOOTH], w->ghosts[g].steps.n, w->log_y, &lo,
                   &hi);
    if (t) {
        add(c, "", t->steps.col[ST_ITER], t->steps.col[ST_LOSS],
               t->steps.n, COL_LOSS, CHART_FAINT);
        add(c, "train", t->steps.col[ST_ITER], t->steps.col[ST_SMOOTH],
               t->steps.n, COL_LOSS, CHART_NORMAL);
        add(c, "test", t->evals.col[EV_ITER], t->evals.col[EV_LOSS],
               t->evals.n, COL_TEST, CHART_NORMAL);
        extend(t->steps.col[ST_SMOOTH], t->steps.n, w->log_y, &lo, &hi);
        extend(t->evals.col[EV_LOSS], t->evals.n, w->log_y, &lo, &hi);
    }
    if (lo < hi && lo > 0)
        chart_set_range(c, CHART_AXIS_Y, w->log_y ? nice_floor(lo) : 0.0, nice_ceil(hi));
    chart_set_range(c, CHART_AXIS_X, 0.0, iteration_span(w));
}

static void build_accuracy(wb *w, chart *c)
{
    chart_init(c, "accuracy %");
    chart_set_axis(c, CHART_AXIS_X, CHART_LINEAR, "iteration");
    const run_trace *t = training_trace(w);
    double lo = INFINITY, hi = -INFINITY;
    add_ghosts(w, c, false, EV_ITER, EV_ACC, true);
    for (int g = 0; g < w->n_ghosts; g++)
        if (!w->ghosts[g].range_test)
            extend(w->ghosts[g].evals.col[EV_ACC], w->ghosts[g].evals.n, false, &lo, &hi);
    if (t) {
        add(c, "train", t->steps.col[ST_ITER], t->steps.col[ST_ACC],
               t->steps.n, COL_LOSS, CHART_FAINT);
        add(c, "test", t->evals.col[EV_ITER], t->evals.col[EV_ACC],
               t->evals.n, COL_TEST, CHART_NORMAL);
        extend(t->evals.col[EV_ACC], t->evals.n, false, &lo, &hi);
    }
    /* From a multiple of 10 below the worst test accuracy, to 100. */
    double floor10 = lo < hi ? 10.0 * floor(lo / 10.0) : 0.0;
    chart_set_range(c, CHART_AXIS_Y, floor10 < 0 ? 0 : floor10, 100.0);
    chart_set_range(c, CHART_AXIS_X, 0.0, iteration_span(w));
}

/* Samples the schedule in force over the plan, for the dim curve ahead. */
static size_t plan_curve(wb *w, double span)
{
    if (w->st.kind != RUN_TRAIN)
        return 0;
    size_t n = WB_PLAN_POINTS;
    for (size_t i = 0; i < n; i++) {
        long it = (long)((double)i * (span - 1) / (double)(n - 1));
        w->plan_x[i] = (double)it;
        sched_at(&w->st.sched, it, &w->plan_lr[i], &w->plan_mom[i]);
    }
    return n;
}

static void add_edit_markers(const wb *w, chart *c)
{
    for (int i = 0; i < w->st.n_edits; i++)
        chart_add_marker(c, (double)w->st.edit_iter[i], w->st.edit_label[i], COL_ALERT);
}

static void build_lr(wb *w, chart *c, size_t n_plan)
{
    chart_init(c, "learning rate");
    chart_set_axis(c, CHART_AXIS_X, CHART_LINEAR, "iteration");
    const run_trace *t = training_trace(w);
    double lo = 0, hi = -INFINITY;
    if (n_plan) /* no plan while a range test runs: no legend entry either */
        add(c, "plan", w->plan_x, w->plan_lr, n_plan, COL_LR, CHART_DIM);
    extend(w->plan_lr, n_plan, false, &lo, &hi);
    add_ghosts(w, c, false, ST_ITER, ST_LR, false);
    if (t) {
        add(c, "lr", t->steps.col[ST_ITER], t->steps.col[ST_LR],
               t->steps.n, COL_LR, CHART_NORMAL);
        extend(t->steps.col[ST_LR], t->steps.n, false, &lo, &hi);
        if (w->show_est && t->ests.n) {
            add(c, "estimate", t->ests.col[ES_ITER], t->ests.col[ES_SECANT],
                   t->ests.n, COL_EST, CHART_NORMAL);
            chart_series *hvp = add(c, "g.g/gHg", t->ests.col[ES_ITER], t->ests.col[ES_HVP],
                                    t->ests.n, COL_ALERT, CHART_NORMAL);
            if (hvp)
                hvp->kind = CHART_POINTS;
            extend(t->ests.col[ES_SECANT], t->ests.n, true, &lo, &hi);
        }
        if (t->steps.n)
            chart_set_cursor(c, t->steps.col[ST_ITER][t->steps.n - 1],
                             t->steps.col[ST_LR][t->steps.n - 1], COL_LR);
    }
    add_edit_markers(w, c);
    if (hi > 0)
        chart_set_range(c, CHART_AXIS_Y, 0.0, nice_ceil(hi));
    chart_set_range(c, CHART_AXIS_X, 0.0, iteration_span(w));
}

static void build_momentum(wb *w, chart *c, size_t n_plan)
{
    chart_init(c, "momentum");
    const run_trace *t = training_trace(w);
    add(c, "", w->plan_x, w->plan_mom, n_plan, COL_MOM, CHART_DIM);
    if (t) {
        add(c, "", t->steps.col[ST_ITER], t->steps.col[ST_MOM],
               t->steps.n, COL_MOM, CHART_NORMAL);
    }
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

static void add_suggestion_markers(const wb *w, chart *c)
{
    if (!w->st.have_suggestion || w->cur_kind == RUN_RANGE_TEST)
        return;
    chart_add_marker(c, w->st.sugg_min, "min", COL_ALERT);
    chart_add_marker(c, w->st.sugg_max, "max", COL_ALERT);
}

/* Range-test panels: loss (accuracy = false) or accuracy against LR. */
static void build_range(wb *w, chart *c, bool accuracy)
{
    chart_init(c, accuracy ? "range test: accuracy %" : "range test: loss");
    chart_set_axis(c, CHART_AXIS_X, CHART_LOG10, "learning rate");
    if (!accuracy)
        chart_set_axis(c, CHART_AXIS_Y, CHART_LOG10, NULL);
    const run_trace *t = range_trace(w);
    double xlo = INFINITY, xhi = -INFINITY, lo = INFINITY, hi = -INFINITY;
    int ycol = accuracy ? EV_ACC : ST_SMOOTH;
    for (int g = 0; g < w->n_ghosts; g++) {
        const run_trace *gt = &w->ghosts[g];
        if (!gt->range_test)
            continue;
        const table *tb = accuracy ? &gt->evals : &gt->steps;
        add(c, gt->label, tb->col[accuracy ? EV_LR : ST_LR], tb->col[ycol],
               tb->n, COL_GHOST - g, CHART_DIM);
        extend(tb->col[accuracy ? EV_LR : ST_LR], tb->n, true, &xlo, &xhi);
        extend(tb->col[ycol], tb->n, !accuracy, &lo, &hi);
    }
    if (t) {
        const table *tb = accuracy ? &t->evals : &t->steps;
        int xcol = accuracy ? EV_LR : ST_LR;
        if (!accuracy)
            add(c, "", tb->col[xcol], tb->col[ST_LOSS], tb->n, COL_LOSS, CHART_FAINT);
        add(c, accuracy ? "test" : "smoothed", tb->col[xcol], tb->col[ycol],
               tb->n, accuracy ? COL_TEST : COL_LOSS, CHART_NORMAL);
        extend(tb->col[xcol], tb->n, true, &xlo, &xhi);
        extend(tb->col[ycol], tb->n, !accuracy, &lo, &hi);
    }
    add_suggestion_markers(w, c);
    if (xlo < xhi)
        chart_set_range(c, CHART_AXIS_X, nice_floor(xlo), nice_ceil(xhi));
    if (lo < hi)
        chart_set_range(c, CHART_AXIS_Y, accuracy ? 10.0 * floor(lo / 10.0) : nice_floor(lo),
                        accuracy ? 100.0 : nice_ceil(hi));
}

static void draw_header(wb *w)
{
    const session_status *st = &w->st;
    char plan[48] = "no run yet", left[32] = "", rate[32] = "";
    if (st->kind == RUN_RANGE_TEST)
        snprintf(plan, sizeof plan, "range test %s", st->sched.policy == SCHED_SWEEP_EXP
                                                         ? "exp" : "linear");
    else if (st->kind == RUN_TRAIN && st->sched.policy == SCHED_1CYCLE)
        snprintf(plan, sizeof plan, "1cycle %s", sched_style_name(st->sched.style));
    else if (st->kind == RUN_TRAIN)
        snprintf(plan, sizeof plan, "%s", sched_policy_name(st->sched.policy));
    if (st->images_per_s > 0 && (st->state == SESSION_RUNNING ||
                                 st->state == SESSION_RANGE_TEST)) {
        double per_iter = st->batch / st->images_per_s;
        format_duration(left, sizeof left, per_iter * (double)(st->total - st->iter));
        snprintf(rate, sizeof rate, "%.0f img/s", st->images_per_s);
    }
    int attr = term_chart_attr(0, CHART_ATTR_BOLD);
    move(0, 0);
    clrtoeol();
    attron(attr);
    printw(" lrscope ");
    attroff(attr);
    printw("| %s | %s | %s | ", st->data, st->model, plan);
    bool alert = st->state == SESSION_DIVERGED || st->state == SESSION_WRITE_FAILED;
    int state_attr = (int)A_BOLD | (alert ? term_chart_attr(COL_ALERT, 0) : (int)A_REVERSE);
    attron(state_attr);
    printw(" %s ", session_state_name(st->state));
    attroff(state_attr);
    if (st->state == SESSION_DIVERGED)
        printw(" at it %ld", st->diverged_at);
    else if (st->kind != RUN_NONE)
        printw(" it %ld/%ld  ep %.2f", st->iter, st->total, st->epoch);
    if (rate[0])
        printw(" | %s | %s left", rate, left);
}

static void draw_status(wb *w)
{
    int y = LINES - 2;
    move(y, 0);
    clrtoeol();
    printw(" lr %.3g..%.3g  mom %.3g", w->lr_min, w->lr_max, w->mom_max);
    if (w->mom_min < w->mom_max)
        printw("..%.3g", w->mom_min);
    printw("  wd %.3g  batch %d  ", w->wd, w->st.batch);
    if (w->msg[0]) {
        int a = w->msg_error ? term_chart_attr(COL_ALERT, CHART_ATTR_BOLD) : (int)A_BOLD;
        attron(a);
        printw("| %s", w->msg);
        attroff(a);
    }
    move(y + 1, 0);
    clrtoeol();
    if (w->in_cmdline) {
        printw(":%s", w->cmdline);
        curs_set(1);
        return;
    }
    curs_set(0);
    if (w->confirm_quit) {
        attron(A_BOLD);
        printw(" A run is in progress. Quit anyway? (y/n)");
        attroff(A_BOLD);
        return;
    }
    printw(" r range test  1 1cycle  c CLR  s step  [ ] max  { } min  w W wd  m M mom  "
           "R restart  space pause  a accept  : cmd  g ghost  ? help  q quit");
}

static void draw_help(void)
{
    int half = (int)(key_table_len + 1) / 2;
    int h = half + 14, wdt = COLS - 2 < 118 ? COLS - 2 : 118, colw = (wdt - 4) / 2;
    if (h > LINES - 2)
        h = LINES - 2;
    int y0 = (LINES - h) / 2, x0 = (COLS - wdt) / 2;
    for (int r = 0; r < h; r++) {
        move(y0 + r, x0);
        for (int c = 0; c < wdt; c++)
            addch(' ');
    }
    int row = y0 + 1;
    attron(A_BOLD);
    mvprintw(row++, x0 + 2, "lrscope keys (any key closes this help)");
    attroff(A_BOLD);
    for (int i = 0; i < half && row < y0 + h - 1; i++, row++) {
        const key_binding *k = &key_table[i];
        mvprintw(row, x0 + 2, "%-6s %-.*s", k->label, colw - 8, k->help);
        if (i + half < (int)key_table_len) {
            k = &key_table[i + half];
            mvprintw(row, x0 + 2 + colw, "%-6s %-.*s", k->label, colw - 8, k->help);
        }
    }
    row++;
    for (int i = 0; command_help[i] && row < y0 + h - 1; i++)
        mvprintw(row++, x0 + 2, "%.*s", wdt - 4, command_help[i]);
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

/* Builds every chart for a body of `body` rows and `cols` columns starting at
 * row `top`. */
static void plan_panels(wb *w, panel_plan *pp, int top, int body, int cols)
{
    pp->n = 0;
    int left_w = cols * 55 / 100, right_w = cols - left_w - 1; /* one blank column between */
    int rx = left_w + 1;
    size_t n_plan = plan_curve(w, iteration_span(w));
    bool room = body >= 30;
    int lr_h = room ? body * 30 / 100 : body / 2;
    int mom_h = room ? body * 15 / 100 : 0;
    int range_h = body - lr_h - mom_h, ry = top + lr_h + mom_h;

    build_loss(w, &pp->c[pp->n]);
    add_panel(pp, (rect){ top, 0, body / 2, left_w });
    build_accuracy(w, &pp->c[pp->n]);
    add_panel(pp, (rect){ top + body / 2, 0, body - body / 2, left_w });
    build_lr(w, &pp->c[pp->n], n_plan);
    add_panel(pp, (rect){ top, rx, lr_h, right_w });
    if (mom_h > 0) {
        build_momentum(w, &pp->c[pp->n], n_plan);
        add_panel(pp, (rect){ top + lr_h, rx, mom_h, right_w });
    }
    if (range_h >= 20) {
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

void panels_draw(wb *w)
{
    erase();
    if (COLS < WB_MIN_COLS || LINES < WB_MIN_LINES) {
        mvprintw(0, 0, "lrscope: the terminal is %dx%d;", COLS, LINES);
        mvprintw(1, 0, "it needs at least %dx%d.", WB_MIN_COLS, WB_MIN_LINES);
        mvprintw(2, 0, "Enlarge it (training goes on).");
        return;
    }
    draw_header(w);
    panel_plan pp;
    plan_panels(w, &pp, 1, LINES - 3, COLS);
    for (int i = 0; i < pp.n; i++)
        draw_chart(w, &pp.c[i], pp.at[i]);
    draw_status(w);
    if (w->help)
        draw_help();
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
