/* Reading a range test's folder back (tui/run_folder.c): the readings
 * computed again from its rangetest.csv and suggestions.txt are the ones the
 * run computed, and a folder still being written gives none yet. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "engine/rangetest.h"
#include "testutil.h"
#include "tui/keyfile.h"
#include "tui/run_labels.h"

static void tmp_setup(void) { tmpdir_create("run-folder"); }
TestSuite(run_folder, .init = tmp_setup, .fini = tmpdir_remove);

/* A linear sweep 0 -> 3 of n steps, an evaluation every 4: accuracy rises
 * from chance to 0.85 by LR 0.6, holds to 1.8 and falls; the loss mirrors
 * it, with noise so that the loss readings have slopes to find. */
static void make_curve(rangetest_result *r, int n)
{
    lr_err e;
    memset(r, 0, sizeof *r);
    cr_assert_eq(rangetest_curve_alloc(&r->curve, n, &e), 0);
    rangetest_curve *c = &r->curve;
    c->policy = SCHED_SWEEP_LINEAR;
    c->lr_min = 0.0;
    c->lr_max = 3.0;
    c->n_planned = n;
    c->stop_factor = 4.0;
    rangetest_curve_push_eval(c, 0.0, 0.1, 2.3);
    double ema = 0.0;
    for (int i = 0; i < n; i++) {
        double lr = 3.0 * (i + 1) / n;
        double acc = lr < 0.6 ? 0.1 + 0.75 * lr / 0.6 : lr < 1.8 ? 0.85 : 0.85 - 0.5 * (lr - 1.8);
        double loss = 2.3 * (1.0 - acc) + 0.05 * sin(7.0 * i);
        ema = 0.98 * ema + 0.02 * loss;
        double smooth = ema / (1.0 - pow(0.98, i + 1));
        bool eval = i % 4 == 3;
        rangetest_curve_push(c, lr, loss, smooth, eval ? acc : (double)NAN,
                             eval ? loss : (double)NAN);
    }
    c->stop = RANGETEST_COMPLETED;
    c->stop_iter = n;
    rangetest_suggest(c, &r->sugg);
}

static void write_folder(const rangetest_result *r, long drop_rows)
{
    FILE *f = fopen(tmpdir_path("rangetest.csv"), "w");
    cr_assert_not_null(f);
    cr_assert_eq(rangetest_write_csv(&r->curve, f), 0);
    cr_assert_eq(fclose(f), 0);
    f = fopen(tmpdir_path("suggestions.txt"), "w");
    cr_assert_not_null(f);
    cr_assert_eq(rangetest_write_suggestions(r, f), 0);
    cr_assert_eq(fclose(f), 0);
    if (drop_rows) { /* the CSV as a reader may catch it, not yet complete */
        f = fopen(tmpdir_path("rangetest.csv"), "r+");
        cr_assert_not_null(f);
        cr_assert_eq(fseek(f, 0, SEEK_END), 0);
        long size = ftell(f);
        cr_assert_eq(fclose(f), 0);
        cr_assert_eq(truncate(tmpdir_path("rangetest.csv"), size - drop_rows * 40), 0);
    }
}

static void expect_same_lr(const char *what, double a, double b)
{
    cr_expect((isnan(a) && isnan(b)) || a == b, "%s: the run read %.17g, the folder %.17g", what,
              a, b);
}

Test(run_folder, a_range_tests_readings_come_back_exactly)
{
    rangetest_result r;
    make_curve(&r, 240);
    write_folder(&r, 0);
    rangetest_suggestions s;
    char model[48];
    lr_err e;
    cr_assert_eq(run_range_suggestions(tmpdir_root(), &s, model, sizeof model, &e), 1, "%s", e.msg);
    cr_expect(isfinite(rangetest_offer_max(&r.sugg)), "the curve offers nothing");
    expect_same_lr("offer", rangetest_offer_max(&r.sugg), rangetest_offer_max(&s));
    expect_same_lr("smith base", r.sugg.smith.base_lr, s.smith.base_lr);
    expect_same_lr("smith max", r.sugg.smith.max_lr, s.smith.max_lr);
    expect_same_lr("valley", r.sugg.valley.lr, s.valley.lr);
    expect_same_lr("steep", r.sugg.steep.lr, s.steep.lr);
    expect_same_lr("lr-finder", r.sugg.lr_finder.lr, s.lr_finder.lr);
    expect_same_lr("valley*", r.sugg.valley_star.lr, s.valley_star.lr);
    cr_expect_eq(r.sugg.sig.verdict, s.sig.verdict);
    rangetest_result_free(&r);
}

Test(run_folder, a_range_test_still_being_written_gives_no_readings_yet)
{
    rangetest_suggestions s;
    char model[48];
    lr_err e;
    cr_expect_eq(run_range_suggestions(tmpdir_root(), &s, model, sizeof model, &e), 0, "an empty folder");
    rangetest_result r;
    make_curve(&r, 120);
    write_folder(&r, 5);
    cr_expect_eq(run_range_suggestions(tmpdir_root(), &s, model, sizeof model, &e), 0, "a CSV short of its steps");
    rangetest_result_free(&r);
}

/* The key-value reader every folder command uses: the whole key only, with
 * or without blanks around '=', the value trimmed; a missing key or file
 * gives -1 and "". */
Test(run_folder, keyfile_reads_whole_keys)
{
    const char *path = tmpdir_path("suggestions.txt");
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("# comment\nsweep.lr_min = 0\nsweep=linear  \r\npartial   =   no\n", f);
    fclose(f);
    char v[32];
    cr_expect_eq(keyfile_get(path, "sweep", v, sizeof v), 0);
    cr_expect_str_eq(v, "linear");
    cr_expect_eq(keyfile_get(path, "partial", v, sizeof v), 0);
    cr_expect_str_eq(v, "no");
    cr_expect_eq(keyfile_get(path, "sweep.lr", v, sizeof v), -1);
    cr_expect_str_eq(v, "");
    cr_expect_eq(keyfile_get_in(tmpdir_root(), "suggestions.txt", "sweep.lr_min", v, sizeof v), 0);
    cr_expect_str_eq(v, "0");
    cr_expect_eq(keyfile_get_in(tmpdir_root(), "none.txt", "sweep", v, sizeof v), -1);
}
