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
