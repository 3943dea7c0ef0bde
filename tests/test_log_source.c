/* Followed logs: each format recognised by its header and read into the
 * panels' tables; bad cells, short rows and a half-written last line
 * skipped; truncation, rotation and a rewritten header read again. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/log_source.h"

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/lrscope-log-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(log_source, .init = make_dir, .fini = remove_dir);

static const char *path_of(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *name, const char *mode, const char *text)
{
    FILE *f = fopen(path_of(name), mode);
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* Follows `name` into t until it has nothing more; returns the rows added. */
static long follow_all(log_follow *f, run_trace *t)
{
    long total = 0, n;
    lr_err e;
    do {
        n = log_follow_poll(f, t, &e);
        cr_assert_geq(n, 0, "%s", e.msg);
        total += n;
    } while (f->more);
    return total;
}

static long read_whole(const char *name, const char *text, const log_columns *cols,
                       run_trace *t, log_follow *f)
{
    static const log_columns none;
    write_file(name, "w", text);
    trace_init(t);
    log_follow_init(f, path_of(name), cols ? cols : &none);
    return follow_all(f, t);
}

#define LAST(tb, c) ((tb).col[c][(tb).n - 1])

Test(log_source, lightning_sparse_rows_become_steps_and_evaluations)
{
    run_trace t;
    log_follow f;
    long n = read_whole("metrics.csv",
                        "epoch,lr-SGD,step,train_acc_step,train_loss_step,val_acc,val_loss\n"
                        "0,0.1,0,0.25,2.0,,\n"
                        "0,0.2,1,0.5,1.0,,\n"
                        "0,,1,,,0.875,0.5\n"
                        "1,0.3,2,0.75,0.5,,\n",
                        NULL, &t, &f);
    cr_expect_eq(f.map.format, LOG_LIGHTNING);
    cr_expect_str_eq(f.map.x_name, "step");
    cr_expect_eq(n, 4);
    cr_expect_eq(t.steps.n, (size_t)3);
    cr_expect_eq(t.evals.n, (size_t)1);
    cr_expect_eq(LAST(t.steps, ST_ITER), 2.0);
    cr_expect_eq(LAST(t.steps, ST_LR), 0.3);
    cr_expect_eq(LAST(t.steps, ST_LOSS), 0.5);
    /* Smoothed as lrscope smooths: bias-corrected EMA 0.98 of 2, 1, 0.5. */
    double ema = 0, wgt = 0, loss[3] = { 2.0, 1.0, 0.5 };
    for (int i = 0; i < 3; i++) {
        ema = 0.98 * ema + 0.02 * loss[i];
        wgt = 0.98 * wgt + 0.02;
    }
    cr_expect_float_eq(LAST(t.steps, ST_SMOOTH), ema / wgt, 1e-12);
    cr_expect_eq(LAST(t.evals, EV_ITER), 1.0);
    cr_expect_float_eq(LAST(t.evals, EV_ACC), 87.5, 1e-9);
    cr_expect_eq(LAST(t.evals, EV_LOSS), 0.5);
    log_follow_close(&f);
    trace_free(&t);
}

Test(log_source, keras_epochs_with_percent_free_accuracies)
{
    run_trace t;
    log_follow f;
    long n = read_whole("training.log",
                        "epoch,accuracy,loss,lr,val_accuracy,val_loss\n"
                        "0,0.5,1.5,0.01,0.6,1.2\n"
                        "1,0.7,0.9,0.01,0.8,0.7\n",
                        NULL, &t, &f);
    cr_expect_eq(f.map.format, LOG_KERAS);
    cr_expect_str_eq(f.map.x_name, "epoch");
    cr_expect_eq(n, 2);
    cr_expect_eq(t.steps.n, (size_t)2);
    cr_expect_eq(LAST(t.steps, ST_SMOOTH), 0.9, "epoch means are drawn as they are");
    cr_expect_float_eq(LAST(t.evals, EV_ACC), 80.0, 1e-9);
    cr_expect_eq(LAST(t.steps, ST_LR), 0.01);
    log_follow_close(&f);
    trace_free(&t);
}

Test(log_source, fastai_history_reads_accuracy_as_held_out)
{
    run_trace t;
    log_follow f;
    long n = read_whole("history.csv",
                        "epoch,train_loss,valid_loss,accuracy,time\n"
                        "0,0.8,0.6,0.78,00:05\n"
                        "1,0.5,0.45,0.84,00:05\n",
                        NULL, &t, &f);
    cr_expect_eq(f.map.format, LOG_FASTAI);
    cr_expect_eq(n, 2);
    cr_expect_float_eq(LAST(t.evals, EV_ACC), 84.0, 1e-9);
    cr_expect_eq(LAST(t.evals, EV_LOSS), 0.45);
    cr_expect_eq(LAST(t.steps, ST_LOSS), 0.5);
    cr_expect(isnan(LAST(t.steps, ST_LR)), "fastai's history has no LR");
    log_follow_close(&f);
    trace_free(&t);
}

Test(log_source, lrscope_metrics_and_range_test)
{
    run_trace t;
    log_follow f;
    read_whole("metrics.csv",
               "iter,epoch,lr,momentum,train_loss,train_loss_smooth,train_acc,test_loss,"
               "test_acc,lr_est_secant,lr_est_hvp\n"
               "0,0.1,0.08,0.95,3.0,3.0,0.1,,,,\n"
               "1,0.2,0.1,0.94,2.0,2.5,0.2,1.5,0.4,,\n",
               NULL, &t, &f);
    cr_expect_eq(f.map.format, LOG_LRSCOPE);
    cr_expect_eq(LAST(t.steps, ST_SMOOTH), 2.5, "lrscope's own smoothing is kept");
    cr_expect_eq(LAST(t.steps, ST_MOM), 0.94);
    cr_expect_float_eq(LAST(t.evals, EV_ACC), 40.0, 1e-9);
    cr_expect(!t.range_test);
    log_follow_close(&f);
    trace_free(&t);

    read_whole("rangetest.csv",
               "iter,lr,loss,loss_smooth,test_acc,test_loss\n"
               "0,0.001,2.3,2.3,,\n"
               "1,0.002,2.2,2.25,0.3,2.1\n",
               NULL, &t, &f);
    cr_expect_eq(f.map.format, LOG_LRSCOPE_RANGE);
    cr_expect(t.range_test);
    cr_expect_eq(LAST(t.steps, ST_LR), 0.002);
    cr_expect_eq(t.evals.n, (size_t)1);
    log_follow_close(&f);
    trace_free(&t);
}

Test(log_source, other_csvs_by_column_names_or_numbers)
{
    run_trace t;
    log_follow f;
    log_columns cols = { .x = "time_s", .loss = "3", .acc = "top1", .lr = "" };
    long n = read_whole("my.csv",
                        "time_s,note,objective,top1\n"
                        "0.5,a,1.0,55\n"
                        "1.5,b,0.8,60\n",
                        &cols, &t, &f);
    cr_expect_eq(f.map.format, LOG_CSV);
    cr_expect_eq(n, 2);
    cr_expect_str_eq(f.map.x_name, "time_s");
    cr_expect_eq(LAST(t.steps, ST_ITER), 1.5, "x need not be a whole number");
    cr_expect_eq(LAST(t.steps, ST_LOSS), 0.8);
    cr_expect_float_eq(LAST(t.evals, EV_ACC), 60.0, 1e-9, "percent stays percent");
    log_follow_close(&f);
    trace_free(&t);

    /* A column that is not there is refused with what there is. */
    log_columns bad = { .loss = "nope" };
    log_map m;
    lr_err e;
    cr_expect_eq(log_map_header(&m, "a,b,c", &bad, &e), -1);
    cr_expect(strstr(e.msg, "no column 'nope'") != NULL, "%s", e.msg);
    log_columns none = { 0 };
    cr_expect_eq(log_map_header(&m, "a,b,c", &none, &e), -1, "nothing to draw");
    cr_expect(strstr(e.msg, "--loss") != NULL, "%s", e.msg);
}

Test(log_source, bad_cells_short_rows_and_a_half_written_line_are_skipped)
{
    run_trace t;
    log_follow f;
    long n = read_whole("metrics.csv",
                        "epoch,step,train_loss,val_acc\n"
                        "0,0,1.0,\n"
                        "0,1,oops,\n"       /* a bad cell: the row has nothing else */
                        "0,2\n"             /* short */
                        "0,x,0.5,\n"        /* no x */
                        "0,3,0.9,\n"
                        "0,4,0.",           /* being written */
                        NULL, &t, &f);
    cr_expect_eq(n, 2);
    cr_expect_eq(f.skipped, (size_t)3);
    cr_expect_eq(LAST(t.steps, ST_ITER), 3.0);
    /* The writer finishes the line: it is read whole, once. */
    write_file("metrics.csv", "a", "8,\n0,5,0.7,0.5\n");
    lr_err e;
    cr_expect_eq(log_follow_poll(&f, &t, &e), 2);
    cr_expect_eq(t.steps.n, (size_t)4);
    cr_expect_float_eq(t.steps.col[ST_LOSS][2], 0.8, 1e-12);
    cr_expect_eq(t.evals.n, (size_t)1);
    cr_expect_eq(log_follow_poll(&f, &t, &e), 0, "nothing new: nothing read");
    log_follow_close(&f);
    trace_free(&t);
}

Test(log_source, truncation_rotation_and_a_rewritten_header_start_again)
{
    run_trace t;
    log_follow f;
    lr_err e;
    read_whole("metrics.csv", "epoch,step,train_loss\n0,0,1\n0,1,0.9\n0,2,0.8\n", NULL, &t, &f);
    cr_expect_eq(t.steps.n, (size_t)3);
    /* Truncated and written again, shorter. */
    write_file("metrics.csv", "w", "epoch,step,train_loss\n0,0,2\n");
    cr_expect_eq(log_follow_poll(&f, &t, &e), 1);
    cr_expect_eq(t.steps.n, (size_t)1);
    cr_expect_eq(LAST(t.steps, ST_LOSS), 2.0);
    cr_expect_eq(f.restarts, (size_t)1);
    /* Lightning rewrites its file when a metric appears: a new header. */
    write_file("metrics.csv", "w", "epoch,step,train_loss,val_acc\n0,0,2,\n0,0,,0.5\n0,1,1.5,\n");
    cr_expect_eq(log_follow_poll(&f, &t, &e), 3);
    cr_expect_eq(t.steps.n, (size_t)2);
    cr_expect_eq(t.evals.n, (size_t)1);
    /* Rotated: another file at the same path. */
    write_file("new.csv", "w", "epoch,step,train_loss\n0,0,3\n0,1,2.5\n0,2,2\n0,3,1.5\n");
    char from[128];
    snprintf(from, sizeof from, "%s", path_of("new.csv"));
    cr_assert_eq(rename(from, path_of("metrics.csv")), 0);
    cr_expect_eq(follow_all(&f, &t), 4);
    cr_expect_eq(t.steps.n, (size_t)4);
    cr_expect_eq(t.evals.n, (size_t)0);
    log_follow_close(&f);
    trace_free(&t);
}

Test(log_source, a_missing_file_is_waited_for)
{
    run_trace t;
    log_follow f;
    log_columns none = { 0 };
    lr_err e;
    trace_init(&t);
    log_follow_init(&f, path_of("later.csv"), &none);
    cr_expect_eq(log_follow_poll(&f, &t, &e), 0);
    cr_expect(strstr(f.status, "waiting for") != NULL, "%s", f.status);
    write_file("later.csv", "w", "epoch,loss\n");
    cr_expect_eq(log_follow_poll(&f, &t, &e), 0);
    write_file("later.csv", "a", "0,1.25\n");
    cr_expect_eq(log_follow_poll(&f, &t, &e), 1);
    cr_expect_str_eq(f.status, "");
    log_follow_close(&f);
    trace_free(&t);
}
