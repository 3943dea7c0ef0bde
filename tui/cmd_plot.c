/* cmd_plot.c — `lrscope plot`: a PNG figure of one or more run folders.
 *
 * Reads each run folder (run_folder.h: metrics.csv, and rangetest.csv,
 * suggestions.txt, events.csv and config when present) and draws the chosen
 * panels with every run overlaid in its own colour, labelled by what differs
 * between the runs (policy and LR, model, or folder name):
 *
 *   loss   training loss against iteration: smoothed, raw in a faint tint
 *   acc    test accuracy at each evaluation against iteration
 *   lr     learning rate against iteration (LR estimates as dots when
 *          measured), with momentum in the panel beside it
 *   range  the range test against LR on a log axis, as in the paper: loss
 *          (smoothed over raw) and test accuracy in two stacked panels, with
 *          the suggested LRs as markers
 *
 * Live edits and other events of a run are markers on the iteration panels.
 * What this is not: a general CSV plotter; it knows lrscope's run folders. */
#define _POSIX_C_SOURCE 200809L
#include "tui/commands.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/chart_png.h"
#include "tui/png_write.h"
#include "tui/run_folder.h"
#include "tui/setup.h"

#define BLOCK_W    640.0   /* a panel, in points, when two share a row */
#define BLOCK_H    300.0
#define WIDE_W     800.0   /* a figure one panel wide */

/* ---- panels ------------------------------------------------------------ */

enum { P_LOSS, P_ACC, P_LR, P_MOM, P_RLOSS, P_RACC, N_PANELS };

static chart charts[N_PANELS];

/* Appends a series unless there is no data or the chart is full. */
static chart_series *add(chart *c, const char *name, const double *x, const double *y,
                         size_t n, int color, chart_style style, chart_kind kind)
{
    chart_series *s = n && x && y ? chart_add_series(c, name, x, y, n) : NULL;
    if (s) {
        s->color = color;
        s->style = style;
        s->kind = kind;
    }
    return s;
}

/* y(x) of a run's table: the smoothed curve over the raw one in a faint
 * tint, or whichever of them exists. */
static void add_pair(chart *c, const table *t, const char *x, const char *raw,
                     const char *smooth, const char *name, int color)
{
    int has_smooth = table_has(t, smooth);
    if (table_has(t, raw))
        add(c, has_smooth ? "" : name, table_col(t, x), table_col(t, raw), t->n, color,
            has_smooth ? CHART_FAINT : CHART_NORMAL, CHART_LINE);
    if (has_smooth)
        add(c, name, table_col(t, x), table_col(t, smooth), t->n, color, CHART_NORMAL, CHART_LINE);
}

/* A sparse measurement: a line through its points, and the points. */
static void add_line_points(chart *c, const char *name, const double *x, const double *y,
                            size_t n, int color)
{
    add(c, name, x, y, n, color, CHART_NORMAL, CHART_LINE);
    add(c, "", x, y, n, color, CHART_NORMAL, CHART_POINTS);
}

/* The run's optimal-LR estimates, faint in its colour (which names the run:
 * a run label would not fit beside the estimate's name): the secant
 * estimate as a dashed curve through the iterations that measured it,
 * g.g/gHg as points, so the two tell apart without a second colour. */
static void add_estimates(chart *c, const run *r, int color)
{
    chart_series *s = add(c, "secant est.", r->est_x, r->est_y, r->n_est, color, CHART_FAINT,
                          CHART_LINE);
    if (s)
        s->dash = 2;
    if (r->n_est) /* measured at the same iterations; none: no legend entry */
        add(c, "HVP est.", table_col(&r->m, "iter"), table_col(&r->m, "lr_est_hvp"), r->m.n,
            color, CHART_FAINT, CHART_POINTS);
}

static void build_charts(const run *runs, int n)
{
    /* Losses on log axes: they span decades, and a diverging run's spike
     * must not flatten the others. */
    static const struct {
        const char *title, *x;
        chart_scale xs, ys;
    } spec[N_PANELS] = {
        [P_LOSS]  = { "training loss", "iteration", CHART_LINEAR, CHART_LOG10 },
        [P_ACC]   = { "test accuracy %", "iteration", CHART_LINEAR, CHART_LINEAR },
        [P_LR]    = { "learning rate", "iteration", CHART_LINEAR, CHART_LINEAR },
        [P_MOM]   = { "momentum", "iteration", CHART_LINEAR, CHART_LINEAR },
        [P_RLOSS] = { "range test: training loss", "learning rate", CHART_LOG10, CHART_LOG10 },
        [P_RACC]  = { "range test: test accuracy %", "learning rate", CHART_LOG10, CHART_LINEAR },
    };
    for (int p = 0; p < N_PANELS; p++) {
        chart_init(&charts[p], spec[p].title);
        chart_set_axis(&charts[p], CHART_AXIS_X, spec[p].xs, spec[p].x);
        chart_set_axis(&charts[p], CHART_AXIS_Y, spec[p].ys, NULL);
    }
    /* Iteration panels share one x range, so they line up. */
    double it_lo = INFINITY, it_hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        const double *it = table_col(&runs[i].m, "iter");
        for (size_t k = 0; it && k < runs[i].m.n; k++)
            if (isfinite(it[k])) {
                it_lo = fmin(it_lo, it[k]);
                it_hi = fmax(it_hi, it[k]);
            }
    }
    for (int p = P_LOSS; p <= P_MOM && it_lo < it_hi; p++)
        chart_set_range(&charts[p], CHART_AXIS_X, it_lo, it_hi);
    for (int i = 0; i < n; i++) {
        const run *r = &runs[i];
        const table *m = &r->m, *rt = &r->rt;
        int color = i + 1;
        add_pair(&charts[P_LOSS], m, "iter", "train_loss", "train_loss_smooth", r->label, color);
        add_line_points(&charts[P_ACC], r->label, r->acc_x, r->acc_y, r->n_acc, color);
        add(&charts[P_LR], r->label, table_col(m, "iter"), table_col(m, "lr"), m->n, color,
            CHART_NORMAL, CHART_LINE);
        add_estimates(&charts[P_LR], r, color);
        add(&charts[P_MOM], r->label, table_col(m, "iter"), table_col(m, "momentum"), m->n,
            color, CHART_NORMAL, CHART_LINE);
        for (int p = P_LOSS; p <= P_LR; p++)
            for (int k = 0; k < r->n_ev; k++)
                chart_add_marker(&charts[p], r->ev_iter[k], r->ev_kind[k], color);
        add_pair(&charts[P_RLOSS], rt, "lr", "loss", "loss_smooth", r->label, color);
        add_line_points(&charts[P_RACC], r->label, r->racc_x, r->racc_y, r->n_racc, color);
        /* Suggested LRs; NaN (none, or no suggestions.txt) is not drawn. */
        chart_add_marker(&charts[P_RLOSS], r->valley_lr, "valley", color);
        chart_add_marker(&charts[P_RACC], r->base_lr, "base", color);
        chart_add_marker(&charts[P_RACC], r->max_lr, "max", color);
    }
    /* Legends of the iteration panels carry each run's final value. */
    for (int p = P_LOSS; p <= P_MOM; p++)
        for (int i = 0; i < charts[p].n_series; i++) {
            chart_series *s = &charts[p].series[i];
            if (s->name[0] && s->kind == CHART_LINE && s->style == CHART_NORMAL) {
                s->value = 1;
                snprintf(s->unit, sizeof s->unit, "%s", p == P_ACC ? "%" : "");
            }
        }
}

/* ---- layout and the command -------------------------------------------- */

enum { WANT_LOSS = 1, WANT_ACC = 2, WANT_LR = 4, WANT_RANGE = 8 };

static int parse_panels(const char *s, unsigned *want, lr_err *e)
{
    static const struct { const char *name; unsigned bit; } names[] = {
        { "loss", WANT_LOSS }, { "acc", WANT_ACC }, { "lr", WANT_LR }, { "range", WANT_RANGE },
    };
    *want = 0;
    while (*s) {
        size_t len = strcspn(s, ","), i;
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (len == strlen(names[i].name) && !strncmp(s, names[i].name, len))
                break;
        if (i == sizeof names / sizeof names[0])
            return lr_fail(e, "unknown panel '%.*s' in --panels: use loss, acc, lr, range "
                              "separated by commas", (int)len, s);
        *want |= names[i].bit;
        s += len + (s[len] == ',');
    }
    return *want ? 0 : lr_fail(e, "--panels is empty: use loss, acc, lr, range");
}

/* The panels the runs have data for (WANT_* bits); *all_range gets whether
 * every run is a range test, whose metrics.csv only repeats its sweep. */
static unsigned panels_with_data(const run *runs, int n, int *all_range)
{
    unsigned have = 0;
    *all_range = 1;
    for (int i = 0; i < n; i++) {
        const run *r = &runs[i];
        have |= (table_has(&r->m, "train_loss") || table_has(&r->m, "train_loss_smooth")
                 ? WANT_LOSS : 0u) |
                (r->n_acc ? WANT_ACC : 0u) | (table_has(&r->m, "lr") ? WANT_LR : 0u) |
                (table_has(&r->rt, "loss") || table_has(&r->rt, "loss_smooth") || r->n_racc
                 ? WANT_RANGE : 0u);
        *all_range &= r->rt.n > 0;
    }
    return have;
}

/* Rows of panels that share an x axis, side by side: training loss | test
 * accuracy, learning rate | momentum (a panel whose partner is not shown
 * spans the row, and the right one of a pair shows no legend, being the
 * left one's); the range test as a column of its own on the right, loss
 * above accuracy so that LRs line up. Returns the number of panels. */
static int layout(unsigned want, int has_mom, double width, double height,
                  chart_png_panel *p, double *fig_w, double *fig_h)
{
    int rows[2][2], row_n[2] = { 0, 0 }, n_rows = 0, wide = 0, np = 0;
    if (want & (WANT_LOSS | WANT_ACC)) {
        if (want & WANT_LOSS)
            rows[n_rows][row_n[n_rows]++] = P_LOSS;
        if (want & WANT_ACC)
            rows[n_rows][row_n[n_rows]++] = P_ACC;
        n_rows++;
    }
    if (want & WANT_LR) {
        rows[n_rows][row_n[n_rows]++] = P_LR;
        if (has_mom)
            rows[n_rows][row_n[n_rows]++] = P_MOM;
        n_rows++;
    }
    for (int r = 0; r < n_rows; r++)
        wide |= row_n[r] == 2;
    int range = (want & WANT_RANGE) != 0;
    double main_w = n_rows ? (wide ? 2 * BLOCK_W : WIDE_W) : 0;
    double range_w = range ? (n_rows ? BLOCK_W : WIDE_W) : 0;
    double fw = main_w + range_w, fh = (n_rows > 2 || !range ? n_rows : 2) * BLOCK_H;
    double row_h = n_rows ? fh / n_rows : 0;
    double sx = width > 0 ? width / fw : 1, sy = height > 0 ? height / fh : 1;
    for (int r = 0; r < n_rows; r++)
        for (int k = 0; k < row_n[r]; k++) {
            double w = main_w / row_n[r];
            p[np++] = (chart_png_panel){ &charts[rows[r][k]], k * w * sx, r * row_h * sy,
                                         w * sx, row_h * sy };
        }
    if (range) {
        double h = fh / 2 * sy;
        p[np++] = (chart_png_panel){ &charts[P_RLOSS], main_w * sx, 0, range_w * sx, h };
        p[np++] = (chart_png_panel){ &charts[P_RACC], main_w * sx, h, range_w * sx, h };
    }
    /* The right panel of a row repeats the left one's legend: drop it. */
    for (int r = 0; r < n_rows; r++)
        for (int k = 0; row_n[r] == 2 && k < charts[rows[r][1]].n_series; k++)
            charts[rows[r][1]].series[k].name[0] = '\0';
    *fig_w = fw * sx;
    *fig_h = fh * sy;
    return np;
}

static const char usage[] =
    "usage: lrscope plot RUN_DIR [RUN_DIR...] -o FILE.png [options]\n\n"
    "Draws run folders (lrscope train / range-test --out DIR) as one PNG figure,\n"
    "the runs overlaid in colours with a legend.\n\n"
    "  -o, --output FILE.png  where to write the figure (required)\n"
    "      --panels LIST      any of loss,acc,lr,range (default: those the data has;\n"
    "                         range alone for range-test folders). lr includes\n"
    "                         momentum; range is loss and accuracy against LR\n"
    "      --width W          figure width in points (default 640 a panel, 800\n"
    "                         when each row has one)\n"
    "      --height H         figure height in points (default 300 a row)\n"
    "      --scale S          pixels per point (default 2, sharp on slides)\n"
    "  -h, --help             this text\n";

static int parse_number(const char *opt, const char *arg, double lo, double hi, double *out,
                        lr_err *e)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v >= lo && v <= hi))
        return lr_fail(e, "%s %s: give a number from %g to %g", opt, arg, lo, hi);
    *out = v;
    return 0;
}

int cmd_plot(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' }, { "panels", required_argument, NULL, 'p' },
        { "width", required_argument, NULL, 'W' },  { "height", required_argument, NULL, 'H' },
        { "scale", required_argument, NULL, 's' },  { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *out = NULL, *panels = NULL;
    double width = 0, height = 0, scale = 2;
    lr_err e;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'o': out = optarg; break;
        case 'p': panels = optarg; break;
        case 'W': bad = parse_number("--width", optarg, 100, 8000, &width, &e); break;
        case 'H': bad = parse_number("--height", optarg, 100, 8000, &height, &e); break;
        case 's': bad = parse_number("--scale", optarg, 0.25, 8, &scale, &e); break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        case ':': bad = lr_fail(&e, "%s needs a value", argv[optind - 1]); break;
        default:  bad = lr_fail(&e, "unknown option %s (see --help)", argv[optind - 1]);
        }
        if (bad)
            return commands_fail(&e, EXIT_BAD_INPUT);
    }
    double side = fmax(width, height) * scale; /* the default size fits at any scale */
    if (side > PNG_CANVAS_MAX_SIDE) {
        lr_fail(&e, "%s %g at --scale %g is %.0f pixels: at most %d", width >= height ?
                "--width" : "--height", fmax(width, height), scale, side, PNG_CANVAS_MAX_SIDE);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    int n = argc - optind;
    if (n < 1 || !out) {
        lr_fail(&e, "%s: lrscope plot RUN_DIR [RUN_DIR...] -o FILE.png (see --help)",
                n < 1 ? "give at least one run folder" : "give the output file");
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    if (n > RUN_FOLDER_MAX_RUNS) {
        lr_fail(&e, "%d run folders: at most %d fit in one figure", n, RUN_FOLDER_MAX_RUNS);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    unsigned want = 0;
    if ((panels && parse_panels(panels, &want, &e)) || png_write_check(out, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);

    run runs[RUN_FOLDER_MAX_RUNS];
    int n_read = 0, status = EXIT_OK;
    for (; n_read < n; n_read++)
        if (run_read(&runs[n_read], argv[optind + n_read], &e)) {
            run_free(&runs[n_read]);
            status = commands_fail(&e, EXIT_BAD_INPUT);
            break;
        }
    if (status == EXIT_OK) {
        static const char *what[] = { "training loss", "test accuracy", "learning rate",
                                      "range test data (rangetest.csv)" };
        int all_range, k = 0;
        unsigned have = panels_with_data(runs, n, &all_range);
        want = panels ? want : all_range ? WANT_RANGE : have;
        while (k < 3 && !((want & ~have) >> k & 1))
            k++;
        if (!want)
            lr_fail(&e, "nothing to plot yet: the run folders have no measured rows");
        else if (want & ~have)
            lr_fail(&e, "no run has %s to plot (see --panels)", what[k]);
        if (!want || (want & ~have))
            status = commands_fail(&e, EXIT_BAD_INPUT);
    }
    if (status == EXIT_OK) {
        make_labels(runs, n);
        build_charts(runs, n);
        chart_png_panel p[N_PANELS];
        double fw, fh;
        int np = layout(want, charts[P_MOM].n_series > 0, width, height, p, &fw, &fh);
        if (chart_png_write(p, np, fw, fh, scale, out, &e))
            status = commands_fail(&e, EXIT_FAILURE_RUN);
        else
            fprintf(stderr, "lrscope: wrote %s\n", out);
    }
    for (int i = 0; i < n_read; i++)
        run_free(&runs[i]);
    return status;
}
