/* The readings of fastai and torch-lr-finder are those tools' own, point for
 * point: on every curve of tests/golden/readings.txt (smooth, noisy,
 * diverging, NaN tail, spike, too short, linear, hand-made edge cases) each
 * rule picks the same curve point as the independent numpy implementation in
 * tests/reference_readings.py, which wrote the table. The tests run from the
 * repository root. Also: each tool's default sweep, and torch-lr-finder's
 * stop rule in a real sweep. Rules: engine/rangetest.h. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rangetest.h"
#include "engine/sched.h"

#include "tests/train_fixture.h"

#define GOLDEN "tests/golden/readings.txt"

/* One case of the table: the curve's description, then its points. */
typedef struct golden_case {
    char   name[80];
    sched_policy policy;
    long   planned, points;
    double lr_min, lr_max, stop_factor, stop_loss;
    rangetest_smoothing smoothing;
    rangetest_stop stop;
    long   valley, slide, steep, minimum, lr_finder;   /* expected curve points */
} golden_case;

static double number(const char *s)
{
    if (!strcmp(s, "nan"))
        return NAN;
    if (!strcmp(s, "inf"))
        return INFINITY;
    char *end;
    double v = strtod(s, &end);
    cr_assert(end != s && !*end, "not a number: '%s'", s);
    return v;
}

/* Reads one "key value [value]" line of a case into g. */
static void read_header(golden_case *g, const char *line)
{
    char key[32], a[64], b[64] = "";
    int k = sscanf(line, "%31s %63s %63s", key, a, b);
    cr_assert(k >= 2, "bad line '%s'", line);
    if (!strcmp(key, "policy"))
        g->policy = !strcmp(a, "exp") ? SCHED_SWEEP_EXP : SCHED_SWEEP_LINEAR;
    else if (!strcmp(key, "planned"))
        g->planned = atol(a);
    else if (!strcmp(key, "lr_min"))
        g->lr_min = number(a);
    else if (!strcmp(key, "lr_max"))
        g->lr_max = number(a);
    else if (!strcmp(key, "stop_factor"))
        g->stop_factor = number(a);
    else if (!strcmp(key, "stop_smoothing"))
        g->smoothing = !strcmp(a, "lr-finder") ? RANGETEST_SMOOTH_LRFINDER
                                               : RANGETEST_SMOOTH_EMA;
    else if (!strcmp(key, "stop")) {
        g->stop = !strcmp(a, "completed") ? RANGETEST_COMPLETED
                  : !strcmp(a, "loss_rose") ? RANGETEST_LOSS_ROSE : RANGETEST_NONFINITE;
        g->stop_loss = number(b);
    } else if (!strcmp(key, "points"))
        g->points = atol(a);
    else if (!strcmp(key, "expect")) {
        long v = atol(b);
        if (!strcmp(a, "fastai.valley")) g->valley = v;
        else if (!strcmp(a, "fastai.slide")) g->slide = v;
        else if (!strcmp(a, "fastai.steep")) g->steep = v;
        else if (!strcmp(a, "fastai.minimum")) g->minimum = v;
        else if (!strcmp(a, "lr_finder")) g->lr_finder = v;
        else cr_assert_fail("unknown expectation '%s'", line);
    } else if (strcmp(key, "end_at_max")) {  /* end_at_max: already in the LRs */
        cr_assert_fail("unknown line '%s'", line);
    }
}

/* Reads the next case of f into g and c (allocated here, the caller frees);
 * false at the end of the file. */
static bool read_case(FILE *f, golden_case *g, rangetest_curve *c)
{
    char line[256];
    memset(g, 0, sizeof *g);
    g->points = -1;
    bool in_case = false;
    long filled = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!in_case) {
            cr_assert(!strncmp(line, "case ", 5), "expected a case: '%s'", line);
            snprintf(g->name, sizeof g->name, "%.79s", line + 5);
            in_case = true;
        } else if (!strcmp(line, "end")) {
            cr_assert_eq(filled, g->points, "%s: %ld of %ld points", g->name, filled,
                         g->points);
            return true;
        } else if (g->points >= 0 && filled < g->points) {
            double lr, loss, smooth;
            cr_assert_eq(sscanf(line, "%lf %lf %lf", &lr, &loss, &smooth), 3, "%s", line);
            rangetest_curve_push(c, lr, loss, smooth, NAN, NAN);
            filled++;
        } else {
            read_header(g, line);
            if (g->points >= 0 && filled == 0 && c->cap == 0) {
                lr_err e;
                cr_assert_eq(rangetest_curve_alloc(c, g->planned, &e), 0, "%s", e.msg);
                c->policy = g->policy;
                c->lr_min = g->lr_min;
                c->lr_max = g->lr_max;
                c->n_planned = g->planned;
                c->stop_factor = g->stop_factor;
                c->stop_smoothing = g->smoothing;
            }
        }
    }
    cr_assert(!in_case, "%s: no 'end'", g->name);
    return false;
}

static void expect_point(const char *cs, const char *rule, const rangetest_pick *p,
                         long want, const rangetest_curve *c)
{
    cr_expect_eq(p->index, want, "%s: %s picked point %ld, the tool picks %ld", cs, rule,
                 p->index, want);
    if (want >= 0 && p->index == want)
        cr_expect(p->curve_lr == c->lr[want] && isfinite(p->lr), "%s: %s lr", cs, rule);
    if (want < 0)
        cr_expect(isnan(p->lr), "%s: %s should be none", cs, rule);
}

Test(readings, fastai_and_lr_finder_pick_the_tools_points)
{
    FILE *f = fopen(GOLDEN, "r");
    cr_assert(f, "cannot open %s (run the tests from the repository root)", GOLDEN);
    golden_case g;
    rangetest_curve c;
    memset(&c, 0, sizeof c);
    int n_cases = 0;
    while (read_case(f, &g, &c)) {
        c.stop = g.stop;
        c.stop_loss = g.stop_loss;
        c.stop_iter = g.stop == RANGETEST_LOSS_ROSE ? c.n - 1 : c.n;
        rangetest_suggestions s;
        memset(&s, 0, sizeof s);
        rangetest_read_loss(&c, &s);
        expect_point(g.name, "valley", &s.valley, g.valley, &c);
        expect_point(g.name, "slide", &s.slide, g.slide, &c);
        expect_point(g.name, "steep", &s.steep, g.steep, &c);
        expect_point(g.name, "minimum", &s.minimum, g.minimum, &c);
        expect_point(g.name, "lr-finder", &s.lr_finder, g.lr_finder, &c);
        if (g.minimum >= 0)
            cr_expect_eq(s.minimum.lr, c.lr[g.minimum] / 10.0, "%s", g.name);
        /* a rule a tool cannot apply says why */
        if (g.slide < 0 || g.valley < 0)
            cr_expect_neq(s.fastai.note[0], '\0', "%s: fastai note", g.name);
        if (g.lr_finder < 0)
            cr_expect_neq(s.lrfinder.note[0], '\0', "%s: lr-finder note", g.name);
        cr_log_info("%s: valley %ld slide %ld steep %ld minimum %ld lr-finder %ld | %s | %s",
                    g.name, s.valley.index, s.slide.index, s.steep.index, s.minimum.index,
                    s.lr_finder.index, s.fastai.note, s.lrfinder.note);
        rangetest_curve_free(&c);
        n_cases++;
    }
    fclose(f);
    cr_expect_geq(n_cases, 10, "the table holds %d cases", n_cases);
}

/* The golden table's hand-made cases pin two edge cases of fastai's valley
 * by value too, so a regenerated table cannot silently lose them: a window
 * that only rises picks its first point, and a descent of two points at the
 * window's start picks the window's last point (start = -1 in Python). */
Test(readings, fastai_valley_edge_cases)
{
    rangetest_curve c;
    lr_err e;
    cr_assert_eq(rangetest_curve_alloc(&c, 30, &e), 0);
    c.policy = SCHED_SWEEP_EXP;
    c.lr_min = 1e-7;
    c.lr_max = 10.0;
    c.n_planned = 30;
    for (int i = 0; i < 30; i++) {
        double v = 1.0 + 0.01 * i;
        if (i == 3 || i == 4)
            v = i == 3 ? 0.9 : 0.8;
        rangetest_curve_push(&c, 1e-7 * pow(1e8, i / 30.0), v, v, NAN, NAN);
    }
    c.stop = RANGETEST_COMPLETED;
    rangetest_suggestions s;
    rangetest_read_loss(&c, &s);
    cr_expect_eq(s.fastai.from, 3);
    cr_expect_eq(s.fastai.to, 25);
    cr_expect_eq(s.valley.index, 24, "valley at %ld", s.valley.index);
    c.loss_smooth[3] = 1.03;
    c.loss_smooth[4] = 1.04;
    rangetest_read_loss(&c, &s);
    cr_expect_eq(s.valley.index, 3, "valley at %ld", s.valley.index);
    rangetest_curve_free(&c);
}

/* Each tool's default sweep, LR for LR. */
Test(readings, presets_reproduce_each_tools_sweep)
{
    rangetest_cfg c;
    sched s;
    double lr;
    lr_err e;
    rangetest_cfg_preset(&c, RANGETEST_PRESET_LRFINDER, 469);
    cr_expect_eq(rangetest_cfg_validate(&c, &e), 0, "%s", e.msg);
    cr_expect(c.n_iters == 100 && c.stop_factor == 5.0 && c.end_at_max);
    cr_expect_eq(c.stop_smoothing, RANGETEST_SMOOTH_LRFINDER);
    rangetest_cfg_sched(&c, &s);
    for (long i = 0; i < 100; i++) {     /* torch-lr-finder's ExponentialLR */
        sched_at(&s, i, &lr, NULL);
        double want = 1e-7 * pow(10.0 / 1e-7, (double)i / 99.0);
        cr_expect(fabs(lr - want) <= 1e-12 * want, "step %ld: %.17g vs %.17g", i, lr, want);
    }
    sched_at(&s, 99, &lr, NULL);
    cr_expect_eq(lr, 10.0, "the last step trains at end_lr: %.17g", lr);

    rangetest_cfg_preset(&c, RANGETEST_PRESET_FASTAI, 469);
    cr_expect(c.n_iters == 100 && c.stop_factor == 4.0 && !c.end_at_max);
    rangetest_cfg_sched(&c, &s);
    sched_at(&s, 99, &lr, NULL);          /* fastai: SchedExp at pos 99/100 */
    cr_expect(fabs(lr - 1e-7 * pow(1e8, 0.99)) < 1e-12, "%.17g", lr);

    rangetest_cfg_preset(&c, RANGETEST_PRESET_SMITH, 469);
    cr_expect(c.policy == SCHED_SWEEP_LINEAR && c.n_iters == 469 && c.lr_max == 3.0);

    rangetest_preset p;
    cr_expect_eq(rangetest_preset_parse("lr-finder", &p, &e), 0);
    cr_expect_eq(p, RANGETEST_PRESET_LRFINDER);
    cr_expect_eq(rangetest_preset_parse("keras", &p, &e), -1);
    cr_expect(strstr(e.msg, "lr-finder"), "%s", e.msg);

    /* a sweep may not pass lr_max before its end */
    sched_defaults(&s, SCHED_SWEEP_EXP);
    s.stepsize = 50;
    cr_expect_eq(sched_validate(&s, &e), -1);
}

/* With the lr-finder preset the sweep stops where torch-lr-finder would, and
 * its reading of that curve needs no note about a different stop. */
Test(readings, lr_finder_sweep_stops_on_its_own_rule)
{
    train_fixture f;
    sched sc;
    sched_defaults(&sc, SCHED_CONST);
    sc.total = 200;
    train_cfg tc = train_fixture_cfg(3, 0);
    train_fixture_init(&f, "mlp:64", &sc, &tc);
    rangetest_cfg c;
    rangetest_cfg_preset(&c, RANGETEST_PRESET_LRFINDER, 100);
    c.lr_max = 1e4;                       /* a plain MLP diverges long before */
    c.eval_every = 0;
    rangetest rt;
    lr_err e;
    cr_assert_eq(rangetest_begin(&rt, &f.t, &c, &e), 0, "%s", e.msg);
    metrics_row m;
    while (rangetest_step(&rt, &m))
        ;
    rangetest_result r;
    rangetest_end(&rt, &r);
    const rangetest_curve *cv = &r.curve;
    cr_expect(cv->stop == RANGETEST_LOSS_ROSE || cv->stop == RANGETEST_NONFINITE, "%s",
              rangetest_stop_name(cv->stop));
    if (cv->stop == RANGETEST_LOSS_ROSE) {
        cr_expect_gt(cv->stop_loss, 5.0 * cv->stop_best);
        /* recompute torch-lr-finder's history: the stop is its first breach */
        double sm = 0.0, best = INFINITY;
        for (long i = 0; i < cv->n; i++) {
            sm = i == 0 ? cv->loss[0] : 0.05 * cv->loss[i] + 0.95 * sm;
            best = fmin(best, sm);
            cr_expect(i == cv->n - 1 || !(sm > 5.0 * best), "breach at %ld before the stop",
                      i);
        }
        cr_expect_eq(sm, cv->stop_loss);
        cr_expect(!strstr(r.sugg.lrfinder.note, "stopped"), "%s", r.sugg.lrfinder.note);
    }
    rangetest_result_free(&r);
    train_fixture_free(&f);
}

/* Every reading the workbench can mark is named and gives its suggestion. */
Test(readings, readings_by_name)
{
    rangetest_suggestions s;
    memset(&s, 0, sizeof s);
    s.smith.base_lr = 0.01;
    s.smith.max_lr = 1.8;
    s.smith.plateau_lr = 0.8;
    s.valley.lr = 0.0036;
    s.slide.lr = 0.009;
    s.steep.lr = 0.011;
    s.minimum.lr = 0.052;
    s.lr_finder.lr = 0.013;
    s.valley_star.lr = 0.003;
    s.steep_star.lr = NAN;
    const struct { const char *name; double lo, hi; } want[] = {
        { "offer", 0.08, 0.8 }, { "smith", 0.01, 1.8 }, { "valley", 0.0036, 0.0036 },
        { "slide", 0.009, 0.009 }, { "steep", 0.011, 0.011 }, { "minimum", 0.052, 0.052 },
        { "lr-finder", 0.013, 0.013 }, { "valley*", 0.003, 0.003 }, { "steep*", NAN, NAN },
    };
    lr_err e;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        rangetest_reading r;
        cr_assert_eq(rangetest_reading_parse(want[i].name, &r, &e), 0, "%s", want[i].name);
        cr_expect_str_eq(rangetest_reading_name(r), want[i].name);
        double lo, hi;
        rangetest_reading_lrs(&s, r, &lo, &hi);
        if (isnan(want[i].lo))
            cr_expect(isnan(lo) && isnan(hi), "%s", want[i].name);
        else
            cr_expect(fabs(lo - want[i].lo) < 1e-12 && fabs(hi - want[i].hi) < 1e-12,
                      "%s: %g %g", want[i].name, lo, hi);
    }
    rangetest_reading r;
    cr_expect_eq(rangetest_reading_parse("valey", &r, &e), -1);
    cr_expect(strstr(e.msg, "lr-finder"), "%s", e.msg);
}
