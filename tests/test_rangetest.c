/* The LR range test: it leaves training exactly as it found it, it stops on
 * divergence without letting NaN into its suggestions, its suggestion rules
 * find known points on hand-made curves (clean and noisy), and its
 * suggestions on real sweeps agree across seeds. Rules: engine/rangetest.h. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/dataset.h"
#include "engine/net.h"
#include "engine/rangetest.h"
#include "engine/rng.h"
#include "engine/sched.h"
#include "engine/trainer.h"

#include "tests/train_fixture.h"

#define PI 3.14159265358979323846

/* A small run on the generated data: 1cycle so the LR changes every step,
 * evaluations every 20 steps, the optimal-LR estimate on (its saved iterates
 * must survive the test too). */
static void fixture_init(train_fixture *f, const char *model, uint64_t seed, long iters)
{
    sched s;
    sched_defaults(&s, SCHED_1CYCLE);
    s.total = iters;
    train_cfg c = train_fixture_cfg(seed, 20);
    c.eval_max = 500;
    train_fixture_init(f, model, &s, &c);
    lr_err e;
    cr_assert_eq(trainer_enable_lr_estimate(&f->t, 5, &e), 0, "%s", e.msg);
}

static void sweep_cfg(rangetest_cfg *c, double lr_max, long iters)
{
    rangetest_cfg_default(c, SCHED_SWEEP_LINEAR, iters);
    c->lr_max = lr_max;
    c->n_iters = iters;
    c->eval_every = 10;
    c->eval_n = 1000;
}

/* ---- isolation ----------------------------------------------------------- */

/* Runs N steps with a range test of `test_iters` (cancelled after `cancel`
 * steps when cancel > 0) inserted after `at` steps; rows of the run itself
 * go to rows[0..N). Returns the final parameters (malloc'd). */
static float *run_with_test(metrics_row *rows, long N, long at, long test_iters, long cancel)
{
    train_fixture f;
    fixture_init(&f, "mlp-bn:64,64", 5, N);
    long k = 0;
    for (; k < at; k++)
        trainer_step(&f.t, &rows[k]);
    if (test_iters > 0) {
        rangetest rt;
        rangetest_cfg cfg;
        lr_err e;
        sweep_cfg(&cfg, 3.0, test_iters);
        cr_assert_eq(rangetest_begin(&rt, &f.t, &cfg, &e), 0, "%s", e.msg);
        metrics_row m;
        long steps = 0;
        while (rangetest_step(&rt, &m) && (cancel <= 0 || ++steps < cancel))
            ;
        rangetest_result res;
        rangetest_end(&rt, &res);
        cr_expect_eq(res.curve.stop, cancel > 0 ? RANGETEST_CANCELLED : RANGETEST_COMPLETED);
        rangetest_result_free(&res);
    }
    for (; k < N; k++)
        trainer_step(&f.t, &rows[k]);
    float *p = malloc(f.n.n_params * sizeof *p);
    memcpy(p, f.n.params, f.n.n_params * sizeof *p);
    train_fixture_free(&f);
    return p;
}

Test(rangetest, training_after_a_test_is_bit_identical)
{
    enum { N = 100 };
    metrics_row *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
    float *pa = run_with_test(a, N, 0, 0, 0);
    size_t n_params;
    {
        train_fixture f;
        fixture_init(&f, "mlp-bn:64,64", 5, N);
        n_params = f.n.n_params;
        train_fixture_free(&f);
    }
    const struct { long at, iters, cancel; } cases[] = {
        { 0, 80, 0 },       /* before training starts */
        { 39, 80, 0 },      /* mid-epoch, between evaluations, and between the two
                               iterates the LR estimate saves for step 39 */
        { 39, 80, 25 },     /* cancelled half-way */
        { 62, 70, 0 },      /* the test crosses an epoch boundary of the batcher */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memset(b, 0, N * sizeof *b);
        float *pb = run_with_test(b, N, cases[c].at, cases[c].iters, cases[c].cancel);
        /* byte-identical rows (NaN cells and LR estimates included) and weights */
        cr_expect_eq(memcmp(a, b, N * sizeof *a), 0, "rows differ with a test at %ld",
                     cases[c].at);
        for (long i = 0; i < N; i++)
            if (memcmp(&a[i], &b[i], sizeof a[i])) {
                cr_log_error("first difference at iteration %ld: loss %.9g vs %.9g, "
                             "secant estimate %.9g vs %.9g", i, a[i].loss, b[i].loss,
                             a[i].lr_est_secant, b[i].lr_est_secant);
                break;
            }
        cr_expect_eq(memcmp(pa, pb, n_params * sizeof *pa), 0);
        free(pb);
    }
    /* the estimate was live in the reference run, so the check covers it */
    long n_est = 0;
    for (long i = 0; i < N; i++)
        n_est += isfinite(a[i].lr_est_hvp);
    cr_expect_gt(n_est, 10);
    free(pa);
    free(a);
    free(b);
}

Test(rangetest, refuses_bad_settings_and_a_diverged_run)
{
    rangetest_cfg c;
    lr_err e;
    rangetest_cfg_default(&c, SCHED_SWEEP_EXP, 100);
    cr_expect_eq(rangetest_cfg_validate(&c, &e), 0, "%s", e.msg);
    c.lr_min = 0.0;
    cr_expect_eq(rangetest_cfg_validate(&c, &e), -1);
    cr_expect(strstr(e.msg, "lr_min > 0"), "%s", e.msg);
    rangetest_cfg_default(&c, SCHED_SWEEP_LINEAR, 100);
    cr_expect_eq(c.lr_min, 0.0);
    cr_expect_eq(rangetest_cfg_validate(&c, &e), 0, "%s", e.msg);
    c.lr_min = 3.0;
    cr_expect_eq(rangetest_cfg_validate(&c, &e), -1);
    cr_expect(strstr(e.msg, "below lr_max"), "%s", e.msg);
    rangetest_cfg_default(&c, SCHED_SWEEP_LINEAR, 100);
    c.n_iters = 5;
    cr_expect_eq(rangetest_cfg_validate(&c, &e), -1);
    rangetest_cfg_default(&c, SCHED_SWEEP_LINEAR, 100);
    c.stop_factor = 0.5;
    cr_expect_eq(rangetest_cfg_validate(&c, &e), -1);
    c.stop_factor = 0.0;        /* 0: never stop on the loss */
    cr_expect_eq(rangetest_cfg_validate(&c, &e), 0, "%s", e.msg);
    c.policy = SCHED_1CYCLE;
    cr_expect_eq(rangetest_cfg_validate(&c, &e), -1);

    train_fixture f;
    fixture_init(&f, "mlp:64", 1, 100);
    f.t.state = TRAIN_DIVERGED;
    rangetest rt;
    sweep_cfg(&c, 3.0, 50);
    cr_expect_eq(rangetest_begin(&rt, &f.t, &c, &e), -1);
    cr_expect(strstr(e.msg, "diverged"), "%s", e.msg);
    train_fixture_free(&f);
}

/* ---- divergence ------------------------------------------------------------ */

static void expect_clean_suggestions(const rangetest_result *r)
{
    const rangetest_suggestions *s = &r->sugg;
    const double v[] = {
        s->valley.lr, s->valley.loss, s->steep.lr, s->steep.slope, s->minimum.lr,
        s->slide.lr, s->lr_finder.lr, s->valley_star.lr, s->steep_star.lr,
        s->smith.base_lr, s->smith.max_lr, s->smith.base_value, s->smith.max_value,
        s->smith.clr_base_lo, s->smith.onecycle_base_hi, s->sig.tail_acc, s->sig.ratio,
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        cr_expect(!isinf(v[i]), "suggestion %zu is %g", i, v[i]);
    for (long i = 0; i < r->curve.n; i++)
        cr_expect(isfinite(r->curve.loss[i]) && isfinite(r->curve.loss_smooth[i]),
                  "the curve holds a non-finite loss at %ld", i);
    /* every suggested LR was trained at, below the point of divergence */
    const double lrs[] = { s->valley.lr, s->steep.lr, s->minimum.curve_lr, s->smith.base_lr,
                           s->smith.max_lr, s->slide.lr, s->lr_finder.lr, s->valley_star.lr,
                           s->steep_star.lr };
    for (size_t i = 0; i < sizeof lrs / sizeof lrs[0]; i++)
        if (!isnan(lrs[i]))
            cr_expect_leq(lrs[i], r->curve.stop_lr, "lr %g above the stop at %g", lrs[i],
                          r->curve.stop_lr);
}

Test(rangetest, stops_on_divergence_and_keeps_nan_out)
{
    for (int with_factor = 1; with_factor >= 0; with_factor--) {
        train_fixture f;
        fixture_init(&f, "mlp:64", 1, 100);
        float *before = malloc(f.n.n_params * sizeof *before);
        memcpy(before, f.n.params, f.n.n_params * sizeof *before);
        rangetest rt;
        rangetest_cfg c;
        lr_err e;
        sweep_cfg(&c, 1e4, 200);
        c.stop_factor = with_factor ? 4.0 : 0.0;
        cr_assert_eq(rangetest_begin(&rt, &f.t, &c, &e), 0, "%s", e.msg);
        metrics_row m;
        long steps = 0;
        while (rangetest_step(&rt, &m))
            steps++;
        cr_expect_eq(rangetest_step(&rt, &m), false, "a stopped test stays stopped");
        rangetest_result r;
        rangetest_end(&rt, &r);
        const rangetest_curve *cv = &r.curve;
        if (with_factor)
            cr_expect(cv->stop == RANGETEST_LOSS_ROSE || cv->stop == RANGETEST_NONFINITE,
                      "stop: %s", rangetest_stop_name(cv->stop));
        else
            cr_expect_eq(cv->stop, RANGETEST_NONFINITE, "stop: %s",
                         rangetest_stop_name(cv->stop));
        cr_expect_lt(cv->stop_iter, 200);
        cr_expect(isfinite(cv->stop_lr) && cv->stop_lr > 0.0);
        cr_expect(cv->stop == RANGETEST_LOSS_ROSE ? cv->stop_loss > 4.0 * cv->best_smooth
                                                  : !isfinite(cv->stop_loss));
        cr_expect_eq(r.sugg.sig.verdict, RANGETEST_SIG_ABSENT, "%s", r.sugg.sig.note);
        expect_clean_suggestions(&r);
        /* and training is back where it was */
        cr_expect_eq(f.t.state, TRAIN_RUNNING);
        cr_expect_eq(f.t.iter, 0);
        cr_expect_eq(memcmp(before, f.n.params, f.n.n_params * sizeof *before), 0);
        rangetest_result_free(&r);
        free(before);
        train_fixture_free(&f);
    }
}

/* ---- hand-made curves -------------------------------------------------------- */

/* Exponential sweep 1e-5 -> 10 over 200 points. Smoothed loss: a noisy
 * plateau at 2.3 below 1e-3, a cosine descent 2.3 -> 0.5 from 1e-3 to 1e-1
 * (steepest at 1e-2, in the middle of the stretch in log terms), then a
 * rise. Known answers: valley* ~1e-2, steep* ~1e-2, minimum 0.1/10. (The
 * tools' own rules are checked point for point in test_readings.c.) */
Test(rangetest, loss_rules_find_the_known_valley)
{
    enum { N = 200 };
    rangetest_curve c;
    lr_err e;
    cr_assert_eq(rangetest_curve_alloc(&c, N, &e), 0);
    c.policy = SCHED_SWEEP_EXP;
    c.lr_min = 1e-5;
    c.lr_max = 10.0;
    c.n_planned = N;
    for (int i = 0; i < N; i++) {
        double lr = 1e-5 * pow(1e6, (double)i / N);
        double x = log10(lr);
        double loss;
        if (x < -3.0)
            loss = 2.3 + (i % 2 ? 0.001 : -0.001);
        else if (x <= -1.0)
            loss = 1.4 + 0.9 * cos(PI * (x + 3.0) / 2.0);
        else
            loss = 0.5 + 3.0 * (x + 1.0);
        rangetest_curve_push(&c, lr, loss, loss, NAN, NAN);
    }
    c.stop = RANGETEST_COMPLETED;
    rangetest_suggestions s;
    rangetest_suggest(&c, &s);
    cr_expect_eq(s.own.from, N / 10);
    cr_expect_eq(s.own.to, N - 5);
    cr_expect(s.valley_star.lr > 0.007 && s.valley_star.lr < 0.015, "valley* %g",
              s.valley_star.lr);
    cr_expect(s.valley_star.span_lo < 1.3e-3 && s.valley_star.span_hi > 0.09 &&
              s.valley_star.span_hi < 0.11, "stretch %g-%g", s.valley_star.span_lo,
              s.valley_star.span_hi);
    cr_expect(s.steep_star.lr > 0.007 && s.steep_star.lr < 0.013, "steep* %g",
              s.steep_star.lr);
    cr_expect_lt(s.steep_star.slope, 0.0);
    cr_expect(fabs(s.minimum.curve_lr - 0.1) < 0.01, "minimum at %g", s.minimum.curve_lr);
    cr_expect(fabs(s.minimum.lr - s.minimum.curve_lr / 10.0) < 1e-15);
    cr_expect(fabs(s.minimum.loss - 0.5) < 0.01);
    cr_expect_eq(s.own.note[0], '\0', "%s", s.own.note);
    /* fastai's valley starts its stretch one point before the true first one */
    cr_expect_eq(s.valley.n_points, s.valley_star.n_points);
    cr_expect(isfinite(s.valley.lr) && isfinite(s.slide.lr) && isfinite(s.steep.lr) &&
              isfinite(s.lr_finder.lr));
    /* No evaluations: Smith reads the loss and says so; no signature. */
    cr_expect_eq(s.smith.basis, RANGETEST_FROM_LOSS);
    cr_expect(strstr(s.smith.note, "training loss"), "%s", s.smith.note);
    cr_expect(fabs(s.smith.peak_lr - 0.1) < 0.01, "loss minimum at %g", s.smith.peak_lr);
    cr_expect_eq(s.sig.verdict, RANGETEST_SIG_UNKNOWN);

    /* Too short for the fastai window: NaN with a reason, never garbage. */
    c.n = 8;
    c.stop = RANGETEST_CANCELLED;
    rangetest_suggest(&c, &s);
    cr_expect(isnan(s.valley_star.lr) && isnan(s.steep_star.lr) && isnan(s.valley.lr) &&
              isnan(s.slide.lr) && isnan(s.steep.lr) && isnan(s.minimum.lr) &&
              isnan(s.lr_finder.lr));
    cr_expect_neq(s.own.note[0], '\0');
    cr_expect_neq(s.fastai.note[0], '\0');
    cr_expect_neq(s.lrfinder.note[0], '\0');
    rangetest_curve_free(&c);
}

/* A linear sweep 0 -> 3 over n steps, its evaluation before the first
 * step at accuracy acc0 and loss loss0. */
static void linear_sweep(rangetest_curve *c, int n, double acc0, double loss0)
{
    lr_err e;
    cr_assert_eq(rangetest_curve_alloc(c, n, &e), 0);
    c->policy = SCHED_SWEEP_LINEAR;
    c->lr_min = 0.0;
    c->lr_max = 3.0;
    c->n_planned = n;
    rangetest_curve_push_eval(c, 0.0, acc0, loss0);
}

/* Accuracy on a linear sweep 0 -> 3 (600 steps, an evaluation every 10):
 * chance (0.1) below 0.2, a rise to 0.85 at 0.6, a plateau to 2.0, then a fall
 * to 0.3 at 3. noise: BN-like jumps, +-3 points uniform plus a drop of 8
 * points at one evaluation in 6. hold: the plateau lasts to the end. */
static void accuracy_curve(rangetest_curve *c, bool noisy, bool hold)
{
    enum { N = 600 };
    linear_sweep(c, N, 0.1, 2.3);
    lr_rng r;
    rng_seed(&r, 11);
    for (int i = 0; i < N; i++) {
        double lr = 3.0 * i / N;
        double acc = NAN;
        if ((i + 1) % 10 == 0) {
            if (lr < 0.2)
                acc = 0.1;
            else if (lr < 0.6)
                acc = 0.1 + 0.75 * (lr - 0.2) / 0.4;
            else if (lr < 2.0 || hold)
                acc = 0.85;
            else
                acc = 0.85 - 0.55 * (lr - 2.0);
            if (noisy) {
                acc += 0.06 * ((double)rng_uniform(&r) - 0.5);
                if (rng_below(&r, 6) == 0)
                    acc -= 0.08;
            }
        }
        double loss = 2.3 * exp(-3.0 * lr) + 0.2;
        rangetest_curve_push(c, lr, loss, loss, acc, isnan(acc) ? (double)NAN : 1.0 - acc);
    }
    c->stop = RANGETEST_COMPLETED;
    c->stop_iter = N;
}

Test(rangetest, smith_reads_rise_plateau_and_fall)
{
    rangetest_curve c;
    accuracy_curve(&c, false, false);
    rangetest_suggestions s;
    rangetest_suggest(&c, &s);
    const rangetest_smith *m = &s.smith;
    cr_expect_eq(m->basis, RANGETEST_FROM_ACC, "%s", m->note);
    /* start 0.1, peak 0.85: base at 0.1 + 15% of 0.75 (lr 0.26 on the rise),
     * plateau within 5% of the range (lr 0.58), max where the fall passes
     * 0.85 - 0.0375 (lr 2.07) */
    cr_expect(m->base_lr > 0.2 && m->base_lr < 0.35, "base %g", m->base_lr);
    cr_expect(m->plateau_lr > 0.5 && m->plateau_lr < 0.65, "plateau %g", m->plateau_lr);
    cr_expect(m->max_lr > 1.95 && m->max_lr < 2.15, "max %g", m->max_lr);
    cr_expect(fabs(m->peak_value - 0.85) < 1e-9 && fabs(m->start_value - 0.1) < 1e-9);
    cr_expect(!m->max_at_end && !m->base_at_first);
    cr_expect(fabs(m->clr_base_lo - m->max_lr / 4) < 1e-12 &&
              fabs(m->onecycle_base_hi - m->max_lr / 10) < 1e-12);
    /* the tail (lr 2.4-3) falls to ~0.5 of the peak: no signature */
    cr_expect_eq(s.sig.verdict, RANGETEST_SIG_ABSENT, "%s", s.sig.note);
    cr_expect(fabs(s.sig.tail_from - 2.4) < 0.01 && s.sig.n_tail >= 10);
    cr_expect_lt(s.sig.ratio, 0.6);
    rangetest_curve_free(&c);
}

Test(rangetest, smith_reads_a_noisy_curve_close_to_the_clean_one)
{
    rangetest_curve c;
    accuracy_curve(&c, true, false);
    rangetest_suggestions s;
    rangetest_suggest(&c, &s);
    const rangetest_smith *m = &s.smith;
    cr_expect_eq(m->basis, RANGETEST_FROM_ACC);
    cr_expect(m->base_lr > 0.2 && m->base_lr < 0.4, "base %g", m->base_lr);
    cr_expect(m->max_lr > 1.8 && m->max_lr < 2.3, "max %g (clean: 2.07)", m->max_lr);
    cr_expect_eq(s.sig.verdict, RANGETEST_SIG_ABSENT, "%s", s.sig.note);
    rangetest_curve_free(&c);

    /* A plateau held to the end: max is the sweep's end, signature present. */
    accuracy_curve(&c, true, true);
    rangetest_suggest(&c, &s);
    cr_expect(s.smith.max_lr > 2.8, "max %g", s.smith.max_lr);
    cr_expect(s.smith.max_at_end);
    cr_expect_eq(s.sig.verdict, RANGETEST_SIG_PRESENT, "%s", s.sig.note);
    cr_expect_gt(s.sig.ratio, 0.9);
    cr_expect_gt(s.sig.n_large, 300);
    rangetest_curve_free(&c);
}

/* A net that never learns (accuracy at chance, +-0.5 points, all along a
 * sweep that completes) holds "its peak" trivially: no verdict either way. */
Test(rangetest, no_signature_verdict_for_a_net_that_never_learned)
{
    enum { N = 400 };
    rangetest_curve c;
    linear_sweep(&c, N, 0.1, 2.3);
    for (int i = 0; i < N; i++) {
        double acc = (i + 1) % 10 ? (double)NAN : 0.1 + 0.005 * (i % 20 ? 1 : -1);
        rangetest_curve_push(&c, 3.0 * i / N, 2.3, 2.3, acc, isnan(acc) ? (double)NAN : 0.9);
    }
    c.stop = RANGETEST_COMPLETED;
    c.stop_iter = N;
    rangetest_suggestions s;
    rangetest_suggest(&c, &s);
    cr_expect_eq(s.sig.verdict, RANGETEST_SIG_UNKNOWN, "%s", s.sig.note);
    cr_expect(strstr(s.sig.note, "did not learn"), "%s", s.sig.note);
    rangetest_curve_free(&c);
}

/* LeNet on a fast linear sweep: the loss spikes at the first LRs, the net
 * dies and sits at chance (loss ln 10), and the smoothed loss falls from
 * the spike back to ln 10. One evaluation caught a brief 21 %; the smoothed
 * accuracy stays at chance. Nothing is read and nothing is offered, where
 * reading the loss offered LRs 0.13-1.3, all of them dead. */
Test(rangetest, a_net_that_died_gets_no_bounds_and_no_offer)
{
    enum { N = 100 };
    rangetest_curve c;
    linear_sweep(&c, N, 0.108, 5.8);
    double ema = 0.0;
    for (int i = 0; i < N; i++) {
        double lr = 3.0 * i / N, loss = i < 2 ? 5.5 : i < 4 ? 15.0 : 2.3026 + 0.01 * (i % 3);
        ema = 0.98 * ema + 0.02 * loss;
        double smooth = ema / (1.0 - pow(0.98, i + 1));
        double acc = i % 2 ? (double)NAN : i == 0 ? 0.2125 : 0.1 + 0.004 * (i % 4 ? 1 : -1);
        rangetest_curve_push(&c, lr, loss, smooth, acc, isnan(acc) ? (double)NAN : 2.31);
    }
    c.stop = RANGETEST_COMPLETED;
    c.stop_iter = N;
    rangetest_suggestions s;
    rangetest_suggest(&c, &s);
    cr_expect(s.smith.did_not_learn);
    cr_expect_eq(s.smith.basis, RANGETEST_FROM_NONE);
    cr_expect(strstr(s.smith.note, "did not learn"), "%s", s.smith.note);
    cr_expect(strstr(s.smith.note, "--lr-max 0.3,"), "the remedy in figures: %s", s.smith.note);
    cr_expect(isnan(s.smith.max_lr) && isnan(s.smith.base_lr));
    cr_expect(s.smith.acc_lo > 0.09 && s.smith.acc_hi < 0.12, "%g-%g", s.smith.acc_lo,
              s.smith.acc_hi);
    cr_expect(isnan(rangetest_offer_max(&s)), "offered %g", rangetest_offer_max(&s));
    /* the other tools' readings are still theirs to give */
    cr_expect(isfinite(s.valley.lr), "%s", s.fastai.note);
    rangetest_curve_free(&c);
}

Test(rangetest, too_few_evaluations_fall_back_to_the_loss)
{
    rangetest_curve c;
    accuracy_curve(&c, false, false);
    c.n_eval = RANGETEST_MIN_EVALS - 1;
    rangetest_suggestions s;
    rangetest_suggest(&c, &s);
    cr_expect_eq(s.smith.basis, RANGETEST_FROM_LOSS);
    cr_expect(strstr(s.smith.note, "held-out evaluations"), "%s", s.smith.note);
    cr_expect(isfinite(s.smith.base_lr) && isfinite(s.smith.max_lr));
    /* the loss keeps falling to the end of the sweep */
    cr_expect(s.smith.max_at_end);
    rangetest_curve_free(&c);
}

/* Seven evaluations on a short sweep whose smoothed loss wanders 3 % below its
 * first batch's: not read as learning, no bounds and no offer. */
Test(rangetest, a_loss_that_barely_fell_gets_no_bounds)
{
    enum { N = 10 };
    rangetest_curve c;
    linear_sweep(&c, N, 0.11, 2.74);
    for (int i = 0; i < N; i++) {
        double loss = 2.74 * (1.0 - 0.03 * i / (N - 1)) + 0.01 * (i % 2);
        double acc = i % 2 ? (double)NAN : 0.11;
        rangetest_curve_push(&c, 0.3 * i / N, loss, loss, acc, 2.3);
    }
    c.stop = RANGETEST_COMPLETED;
    c.stop_iter = N;
    cr_assert_lt(c.n_eval, RANGETEST_MIN_EVALS);
    rangetest_suggestions s;
    rangetest_suggest(&c, &s);
    cr_expect(s.smith.did_not_learn);
    cr_expect_eq(s.smith.basis, RANGETEST_FROM_NONE);
    cr_expect(isnan(s.smith.max_lr) && isnan(s.smith.acc_lo));
    cr_expect(s.smith.loss_drop > 0.02 && s.smith.loss_drop < 0.035, "%g", s.smith.loss_drop);
    cr_expect(strstr(s.smith.note, "fell only"), "%s", s.smith.note);
    cr_expect(isnan(rangetest_offer_max(&s)), "offered %g", rangetest_offer_max(&s));
    rangetest_curve_free(&c);
}

Test(rangetest, files_hold_the_curve_and_the_numbers)
{
    rangetest_result r;
    memset(&r, 0, sizeof r);
    accuracy_curve(&r.curve, true, false);
    rangetest_suggest(&r.curve, &r.sugg);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert(f);
    cr_expect_eq(rangetest_write_csv(&r.curve, f), 0);
    fclose(f);
    cr_expect_eq(strncmp(buf, "iter,lr,loss,loss_smooth,test_acc,test_loss\n-1,0,,,0.1,", 55),
                 0, "%.80s", buf);
    long lines = 0;
    for (char *p = buf; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 1 + 1 + 600);
    cr_expect(strstr(buf, "\n9,0.045,"), "the first scheduled evaluation row");
    free(buf);

    f = open_memstream(&buf, &len);
    cr_expect_eq(rangetest_write_suggestions(&r, f), 0);
    fclose(f);
    const char *keys[] = { "smith.basis = accuracy", "smith.base_lr = ", "smith.max_lr = ",
                           "fastai.valley_lr = ", "fastai.minimum_lr = ", "fastai.slide_lr = ",
                           "fastai.steep_index = ", "lr_finder.steepest_lr = ",
                           "lrscope.valley_lr = ", "lrscope.steep_lr = ", "signature = absent",
                           "signature.ratio = ", "stop = completed" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_expect(strstr(buf, keys[i]), "missing '%s'", keys[i]);
    cr_expect(!strstr(buf, "inf"), "no infinities");
    free(buf);
    rangetest_result_free(&r);
}

/* ---- stability on real sweeps ---------------------------------------------- */

/* Stated goal: on the generated data, Smith's max and fastai's valley from
 * three seeds (initialisation and batch order) agree within a factor of 1.5,
 * and the signature verdict is the same. Measured: within 1.3x over 6 seeds
 * (max 0.93-1.19, valley 0.73-0.85 with the command-line defaults). */
Test(rangetest, suggestions_agree_across_seeds)
{
    double max_lr[3], valley[3];
    rangetest_sig verdict[3];
    for (int k = 0; k < 3; k++) {
        train_fixture f;
        fixture_init(&f, "mlp-bn:64,64", (uint64_t)k + 1, 300);
        rangetest rt;
        rangetest_cfg c;
        lr_err e;
        sweep_cfg(&c, 3.0, 300);
        cr_assert_eq(rangetest_begin(&rt, &f.t, &c, &e), 0, "%s", e.msg);
        metrics_row m;
        while (rangetest_step(&rt, &m))
            ;
        rangetest_result r;
        rangetest_end(&rt, &r);
        cr_expect_eq(r.sugg.smith.basis, RANGETEST_FROM_ACC, "%s", r.sugg.smith.note);
        max_lr[k] = r.sugg.smith.max_lr;
        valley[k] = r.sugg.valley_star.lr;
        verdict[k] = r.sugg.sig.verdict;
        cr_log_info("seed %d: smith %.3g..%.3g valley* %.3g steep %.3g min %.3g sig %s", k + 1,
                    r.sugg.smith.base_lr, max_lr[k], valley[k], r.sugg.steep.lr,
                    r.sugg.minimum.lr, rangetest_sig_name(verdict[k]));
        rangetest_result_free(&r);
        train_fixture_free(&f);
    }
    double lo_m = fmin(fmin(max_lr[0], max_lr[1]), max_lr[2]);
    double hi_m = fmax(fmax(max_lr[0], max_lr[1]), max_lr[2]);
    double lo_v = fmin(fmin(valley[0], valley[1]), valley[2]);
    double hi_v = fmax(fmax(valley[0], valley[1]), valley[2]);
    cr_expect(lo_m > 0.0 && hi_m <= 1.5 * lo_m, "smith max %g %g %g", max_lr[0], max_lr[1],
              max_lr[2]);
    cr_expect(lo_v > 0.0 && hi_v <= 1.5 * lo_v, "valley %g %g %g", valley[0], valley[1],
              valley[2]);
    cr_expect(verdict[0] == verdict[1] && verdict[1] == verdict[2]);
}

Test(rangetest, offer_prefers_where_accuracy_stops_improving)
{
    rangetest_suggestions s;
    memset(&s, 0, sizeof s);
    s.smith.plateau_lr = 0.6;
    s.smith.max_lr = 2.1;
    s.valley_star.lr = 0.9;
    cr_expect_float_eq(rangetest_offer_max(&s), 0.6, 1e-12);
    s.smith.plateau_lr = NAN;
    cr_expect_float_eq(rangetest_offer_max(&s), 2.1, 1e-12);
    s.smith.max_lr = NAN;
    cr_expect_float_eq(rangetest_offer_max(&s), 0.9, 1e-12);
    s.valley_star.lr = NAN;
    cr_expect(isnan(rangetest_offer_max(&s)));
}
