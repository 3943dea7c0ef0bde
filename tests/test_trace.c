/* A run's metrics as the workbench reads them back: what a run had reached
 * at an iteration, for the result line and the ghost comparison. */
#include <criterion/criterion.h>

#include <limits.h>
#include <math.h>

#include "tui/trace.h"

#define NaN ((double)NAN)

/* Ten steps, test evaluations after steps 3 and 8. */
static void make_run(run_trace *t, double acc_at_3, double acc_at_8)
{
    trace_init(t);
    for (long i = 0; i < 10; i++) {
        metrics_row m = { .iter = i, .epoch = 0.1 * (double)i, .lr = 0.1, .momentum = 0.9,
                          .loss = 1.0 / (double)(i + 1), .loss_smooth = 1.0 / (double)(i + 1),
                          .acc = 0.5, .test_loss = NaN, .test_acc = NaN,
                          .lr_est_secant = NaN, .lr_est_hvp = NaN };
        if (i == 3 || i == 8) {
            m.test_acc = i == 3 ? acc_at_3 : acc_at_8;
            m.test_loss = 0.5;
        }
        cr_assert_eq(trace_append(t, &m), 0);
    }
}

Test(trace, reads_the_last_evaluation_at_or_before_an_iteration)
{
    run_trace t;
    make_run(&t, 0.60, 0.80);
    trace_reading r;
    cr_assert(trace_read_at(&t, 6, &r));
    cr_expect_eq(r.iter, 3);
    cr_expect_float_eq(r.test_acc, 60.0, 1e-9, "accuracy is in percent: %g", r.test_acc);
    cr_expect_float_eq(r.train_loss, 1.0 / 7.0, 1e-12);
    cr_assert(trace_read_at(&t, LONG_MAX, &r));
    cr_expect_eq(r.iter, 8);
    cr_expect_float_eq(r.test_acc, 80.0, 1e-9);
    cr_assert(trace_read_at(&t, 2, &r));
    cr_expect(isnan(r.test_acc), "no evaluation before step 3");
    cr_expect_eq(r.iter, 2);
    cr_expect(!trace_read_at(&t, -1, &r));
    trace_free(&t);
}

/* A run with more evaluations than the summary has buckets (a long ghost):
 * the reading at an iteration is that evaluation's own value, not a
 * bucket's extreme; its copy reads the same. */
Test(trace, a_long_run_reads_each_evaluation_exactly)
{
    enum { N = 3 * TABLE_BUCKETS };
    run_trace t, c;
    trace_init(&t);
    trace_init(&c);
    for (long i = 0; i < N; i++) {
        metrics_row m = { .iter = i, .lr = 0.1, .momentum = 0.9, .loss = 1, .loss_smooth = 1,
                          .acc = 0.5, .test_loss = 0.25 + (double)(i % 7),
                          .test_acc = 0.5 + 0.4 * (double)((i * 37) % 11) / 10.0,
                          .lr_est_secant = NaN, .lr_est_hvp = NaN };
        cr_assert_eq(trace_append(&t, &m), 0);
    }
    cr_assert_eq(trace_copy(&c, &t), 0);
    const run_trace *both[] = { &t, &c };
    for (int k = 0; k < 2; k++)
        for (long i = 0; i < N; i += 97) {
            trace_reading r;
            cr_assert(trace_read_at(both[k], i, &r));
            cr_expect_eq(r.iter, i);
            cr_expect_float_eq(r.test_acc, 100.0 * (0.5 + 0.4 * (double)((i * 37) % 11) / 10.0),
                               1e-9, "at %ld", i);
            cr_expect_float_eq(r.test_loss, 0.25 + (double)(i % 7), 1e-12, "at %ld", i);
        }
    trace_free(&t);
    trace_free(&c);
}

/* A long run is kept as a bounded summary: the points charts draw stay
 * under 3 TABLE_BUCKETS, cover every row's extremes, and end on the latest
 * value. */
Test(trace, a_long_run_is_summarised_in_bounded_points)
{
    run_trace t;
    trace_init(&t);
    long n = 100000;
    for (long i = 0; i < n; i++) {
        double loss = 1.0 + (double)(i % 97) / 97.0;
        if (i == 54321)
            loss = 50.0;                     /* one spike must survive */
        metrics_row m = { .iter = i, .lr = 0.1, .momentum = 0.9, .loss = loss,
                          .loss_smooth = loss, .acc = 0.5, .test_loss = NaN, .test_acc = NaN,
                          .lr_est_secant = NaN, .lr_est_hvp = NaN };
        cr_assert_eq(trace_append(&t, &m), 0);
    }
    const table *s = &t.steps;
    cr_expect_eq(s->rows, (size_t)n);
    cr_expect_leq(s->n, (size_t)3 * TABLE_BUCKETS);
    cr_expect_geq(s->n_buckets, (size_t)TABLE_BUCKETS / 2);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        lo = fmin(lo, s->col[ST_LOSS][i]);
        hi = fmax(hi, s->col[ST_LOSS][i]);
        if (i)
            cr_assert_geq(s->col[ST_ITER][i], s->col[ST_ITER][i - 1]);
    }
    cr_expect_eq(lo, 1.0);
    cr_expect_eq(hi, 50.0);
    cr_expect_eq(s->col[ST_ITER][s->n - 1], (double)(n - 1));
    cr_expect_eq(s->col[ST_LOSS][s->n - 1], 1.0 + (double)((n - 1) % 97) / 97.0);
    /* A copy (a ghost) draws the same points. */
    run_trace g;
    trace_init(&g);
    cr_assert_eq(trace_copy(&g, &t), 0);
    cr_expect_eq(g.steps.n, s->n);
    cr_expect_eq(g.steps.col[ST_LOSS][g.steps.n - 1], s->col[ST_LOSS][s->n - 1]);
    trace_free(&g);
    trace_free(&t);
}

/* Short runs are kept row for row. */
Test(trace, a_short_run_keeps_every_row)
{
    run_trace t;
    make_run(&t, 0.5, 0.8);
    cr_expect_eq(t.steps.n, (size_t)10);
    for (size_t i = 0; i < 10; i++)
        cr_expect_eq(t.steps.col[ST_ITER][i], (double)i);
    cr_expect_eq(t.evals.n, (size_t)2);
    trace_free(&t);
}

/* The training-accuracy curve is the smoothed loss's kind of average:
 * weighted 0.98 per step and divided by the weight gathered, so it is not
 * held at the first batch's value. Batches at 10 % then 70 %: after 16 steps
 * it must be the exact bias-corrected average, well past a curve seeded
 * with 10 % (about 26 %). */
Test(trace, training_accuracy_is_a_bias_corrected_average)
{
    run_trace t;
    trace_init(&t);
    double num = 0, den = 0;
    for (long i = 0; i < 16; i++) {
        double acc = i == 0 ? 0.10 : 0.70;
        metrics_row m = { .iter = i, .lr = 0.1, .momentum = 0.9, .loss = 1, .loss_smooth = 1,
                          .acc = acc, .test_loss = NaN, .test_acc = NaN,
                          .lr_est_secant = NaN, .lr_est_hvp = NaN };
        cr_assert_eq(trace_append(&t, &m), 0);
        num = 0.98 * num + 0.02 * 100.0 * acc;
        den = 0.98 * den + 0.02;
        double got = t.steps.col[ST_ACC][t.steps.n - 1];
        cr_assert_float_eq(got, num / den, 1e-9, "step %ld: %g, expected %g", i, got,
                           num / den);
    }
    cr_expect_gt(t.steps.col[ST_ACC][t.steps.n - 1], 60.0);
    trace_free(&t);
}
