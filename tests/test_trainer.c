/* The trainer end to end on the generated dataset: it learns, it is
 * deterministic, it reports divergence as a state, and the run files hold
 * what it measured. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datasets/dataset.h"
#include "engine/net.h"
#include "engine/runlog.h"
#include "engine/sched.h"
#include "engine/trainer.h"

#include "tests/train_fixture.h"

static void setup_run(train_fixture *f, const char *model, sched_policy p, double lr,
                      long iters, uint64_t seed)
{
    sched s;
    sched_defaults(&s, p);
    s.lr_max = lr;
    s.total = iters;
    train_cfg c = train_fixture_cfg(seed, 50);
    train_fixture_init(f, model, &s, &c);
}

/* Stated goal: the default model reaches 85 % test accuracy on the synthetic
 * set within 300 steps of batch 64 at a constant LR of 0.1. */
Test(trainer, learns_synthetic_data)
{
    train_fixture f;
    setup_run(&f, NET_DEFAULT_MODEL, SCHED_CONST, 0.1, 300, 1);
    metrics_row m;
    double acc = NAN, first_loss = NAN;
    train_state st;
    do {
        st = trainer_step(&f.t, &m);
        if (isnan(first_loss))
            first_loss = m.loss;
        if (!isnan(m.test_acc))
            acc = m.test_acc;
    } while (st == TRAIN_RUNNING);
    cr_expect_eq(f.t.state, TRAIN_DONE);
    cr_expect_eq(f.t.iter, 300);
    cr_expect_geq(acc, 0.85, "test accuracy %.3f after 300 steps", acc);
    cr_expect_lt(m.loss_smooth, first_loss / 3, "loss %g -> %g", first_loss, m.loss_smooth);
    train_fixture_free(&f);
}

/* The conv nets learn too: well above chance (10 %) within a bounded number
 * of steps of batch 64 on the 16x16 generated images. */
static double final_accuracy(const char *model, double lr, long steps)
{
    train_fixture f;
    setup_run(&f, model, SCHED_CONST, lr, steps, 1);
    metrics_row m;
    double acc = NAN;
    while (trainer_step(&f.t, &m) == TRAIN_RUNNING)
        if (!isnan(m.test_acc))
            acc = m.test_acc;
    if (!isnan(m.test_acc))
        acc = m.test_acc;
    cr_expect_eq(f.t.state, TRAIN_DONE);
    train_fixture_free(&f);
    return acc;
}

Test(trainer, lenet_learns_synthetic_data)
{
    double acc = final_accuracy("lenet", 0.01, 150);
    cr_expect_geq(acc, 0.70, "lenet: test accuracy %.3f after 150 steps", acc);
}

Test(trainer, resnet_8_learns_synthetic_data)
{
    double acc = final_accuracy("resnet:8", 0.1, 100);
    cr_expect_geq(acc, 0.70, "resnet:8: test accuracy %.3f after 100 steps", acc);
}

static void run_to_end(train_fixture *f, metrics_row *rows, long n)
{
    for (long i = 0; i < n; i++)
        trainer_step(&f->t, &rows[i]);
}

Test(trainer, same_seed_same_numbers)
{
    enum { N = 120 };
    metrics_row *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
    train_fixture f;
    setup_run(&f, "mlp-bn:64,64", SCHED_CONST, 0.2, N, 3);
    run_to_end(&f, a, N);
    train_fixture_free(&f);
    setup_run(&f, "mlp-bn:64,64", SCHED_CONST, 0.2, N, 3);
    run_to_end(&f, b, N);
    train_fixture_free(&f);
    /* byte-identical, NaN cells included */
    cr_expect_eq(memcmp(a, b, N * sizeof *a), 0);
    setup_run(&f, "mlp-bn:64,64", SCHED_CONST, 0.2, N, 4);
    run_to_end(&f, b, N);
    train_fixture_free(&f);
    cr_expect_neq(a[N - 1].loss, b[N - 1].loss, "another seed must give another run");
    free(a);
    free(b);
}

Test(trainer, divergence_is_a_state_not_a_crash)
{
    train_fixture f;
    setup_run(&f, "mlp:64", SCHED_CONST, 1e4, 200, 1);
    metrics_row m;
    long steps = 0;
    while (trainer_step(&f.t, &m) == TRAIN_RUNNING)
        steps++;
    cr_expect_eq(f.t.state, TRAIN_DIVERGED);
    cr_expect_geq(f.t.diverged_at, 0);
    cr_expect_lt(f.t.diverged_at, 200);
    cr_expect(!isfinite(m.loss));
    /* further steps are no-ops that keep the state */
    cr_expect_eq(trainer_step(&f.t, &m), TRAIN_DIVERGED);
    train_fixture_free(&f);
}

Test(trainer, evaluates_every_n_and_at_the_end)
{
    train_fixture f;
    setup_run(&f, "mlp:32", SCHED_CONST, 0.05, 130, 1);
    metrics_row m;
    int evals = 0;
    long last_eval = -1;
    for (int i = 0; i < 130; i++) {
        trainer_step(&f.t, &m);
        if (!isnan(m.test_acc)) {
            evals++;
            last_eval = m.iter;
        }
    }
    /* every 50 (iters 49, 99), epoch end at 4000/64 -> step 62 and 125, and the last */
    cr_expect_eq(evals, 5);
    cr_expect_eq(last_eval, 129);
    train_fixture_free(&f);
}

Test(runlog, writes_headers_rows_and_blank_cells)
{
    char dir[] = "/tmp/lrscope-runlog-XXXXXX";
    cr_assert(mkdtemp(dir));
    char sub[256];
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    runlog r;
    lr_err e;
    cr_assert_eq(runlog_open(&r, sub, &e), 0, "%s", e.msg);
    metrics_row m = { .iter = 3, .epoch = 0.5, .lr = 0.1, .momentum = 0.9, .loss = 1.5,
                      .loss_smooth = 1.25, .acc = 0.5, .test_loss = NAN, .test_acc = NAN,
                      .lr_est_secant = NAN, .lr_est_hvp = NAN };
    runlog_metrics(&r, &m);
    runlog_event(&r, 3, "set_bounds", "lr_max 0.8 -> 1, \"quoted\"");
    cr_assert_eq(runlog_close(&r, &e), 0, "%s", e.msg);
    char path[300], line[512];
    snprintf(path, sizeof path, "%s/metrics.csv", sub);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    cr_assert(fgets(line, sizeof line, f));
    cr_expect(strncmp(line, "iter,epoch,lr,momentum,train_loss", 33) == 0, "%s", line);
    cr_assert(fgets(line, sizeof line, f));
    cr_expect_str_eq(line, "3,0.5,0.1,0.9,1.5,1.25,0.5,,,,\n");
    fclose(f);
    snprintf(path, sizeof path, "%s/events.csv", sub);
    f = fopen(path, "r");
    cr_assert(f);
    cr_assert(fgets(line, sizeof line, f));
    cr_assert(fgets(line, sizeof line, f));
    cr_expect_str_eq(line, "3,set_bounds,\"lr_max 0.8 -> 1, \"\"quoted\"\"\"\n");
    fclose(f);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}
