/* Range tests that survive: a sweep checkpointed mid-epoch, torn down and
 * resumed in fresh objects records the same curve, the same metrics.csv and
 * the same stop as the sweep that went straight through (one thread); the
 * checkpoint of a sweep that ended says so; checkpoints of the format before
 * range tests had them (version 1) still resume training runs; a range
 * test's section that does not add up or holds impossible values is
 * refused. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "engine/checkpoint.h"
#include "engine/rangetest.h"
#include "engine/run.h"
#include "tests/testutil.h"
#include "tests/train_fixture.h"
#include "tui/cli.h"

static void tmp_setup(void) { tmpdir_create("rangetest-resume"); }
TestSuite(rangetest_resume, .init = tmp_setup, .fini = tmpdir_remove);

#define STOP_AT 47   /* mid-epoch: 63 batches of 64 make an epoch of the generated set */

/* torch-lr-finder's sweep (its own smoothing decides the stop), long enough
 * to cross an epoch end; evaluations every 6 steps and the extra ones below. */
static void sweep_cfg(rangetest_cfg *c)
{
    rangetest_cfg_preset(c, RANGETEST_PRESET_LRFINDER, 100);
    c->lr_min = 1e-3;
    c->lr_max = 30.0;
    c->n_iters = 160;
    c->eval_every = 6;
    c->eval_n = 300;
}

/* One process's objects: a network with the seed's fresh weights, a trainer
 * that runs the sweep, the test and its run folder. */
typedef struct job {
    train_fixture f;
    rangetest     rt;
    run           r;
    run_spec      spec;
} job;

static void job_build(job *j)
{
    rangetest_cfg cfg;
    sweep_cfg(&cfg);
    sched s;
    rangetest_cfg_sched(&cfg, &s);
    train_cfg c = train_fixture_cfg(3, cfg.eval_every);
    train_fixture_init(&j->f, "mlp:32", &s, &c);
    run_spec_default(&j->spec);
    snprintf(j->spec.model, sizeof j->spec.model, "mlp:32");
    j->spec.sched = s;
    j->spec.train = c;
    j->spec.checkpoint_minutes = 0;   /* epoch ends, the end, interruptions */
}

static void job_free(job *j)
{
    train_fixture_free(&j->f);
}

/* Steps the test until it stops or `until` steps are done. */
static void job_sweep(job *j, long until)
{
    lr_err e;
    metrics_row m;
    while (j->rt.running && j->f.t.iter < until) {
        rangetest_step(&j->rt, &m);
        cr_assert_eq(run_after_range_step(&j->r, &j->f.t, &m, &e), 0, "%s", e.msg);
    }
}

static void expect_same_doubles(const double *a, const double *b, long n, const char *what)
{
    cr_expect(memcmp(a, b, (size_t)n * sizeof *a) == 0, "%s differs", what);
}

static void expect_same_curve(const rangetest_curve *a, const rangetest_curve *b)
{
    cr_assert_eq(a->n, b->n, "%ld steps straight, %ld resumed", a->n, b->n);
    cr_assert_eq(a->n_eval, b->n_eval);
    expect_same_doubles(a->lr, b->lr, a->n, "lr");
    expect_same_doubles(a->loss, b->loss, a->n, "loss");
    expect_same_doubles(a->loss_smooth, b->loss_smooth, a->n, "loss_smooth");
    expect_same_doubles(a->test_acc, b->test_acc, a->n, "test_acc");
    expect_same_doubles(a->test_loss, b->test_loss, a->n, "test_loss");
    expect_same_doubles(a->eval_acc, b->eval_acc, a->n_eval, "eval_acc");
    expect_same_doubles(a->eval_lr, b->eval_lr, a->n_eval, "eval_lr");
    cr_expect(memcmp(a->eval_iter, b->eval_iter, (size_t)a->n_eval * sizeof *a->eval_iter) == 0);
    cr_expect_eq(a->stop, b->stop);
    cr_expect_eq(a->stop_iter, b->stop_iter);
    cr_expect(memcmp(&a->stop_loss, &b->stop_loss, sizeof a->stop_loss) == 0);
    cr_expect(memcmp(&a->stop_best, &b->stop_best, sizeof a->stop_best) == 0);
}

/* A new run folder `dir` with the sweep begun in it. */
static void job_begin(job *j, const char *dir)
{
    lr_err e;
    rangetest_cfg cfg;
    sweep_cfg(&cfg);
    job_build(j);
    cr_assert_eq(run_open(&j->r, &j->spec, dir, cli_write_config, &e), 0, "%s", e.msg);
    cr_assert_eq(rangetest_begin(&j->rt, &j->f.t, &cfg, &e), 0, "%s", e.msg);
    j->r.range = &j->rt;
}

/* Ends the sweep (its result into res) and closes the folder. */
static void job_end(job *j, rangetest_result *res)
{
    lr_err e;
    j->r.range = NULL;
    rangetest_end(&j->rt, res);
    cr_assert_eq(run_close(&j->r, &e), 0, "%s", e.msg);
}

static void straight(const char *dir, rangetest_result *res)
{
    job j;
    job_begin(&j, dir);
    job_sweep(&j, LONG_MAX);
    job_end(&j, res);
    job_free(&j);
}

Test(rangetest_resume, interrupted_and_resumed_records_the_same_curve)
{
    char a[1024], b[1024], path[1100];
    snprintf(a, sizeof a, "%s", tmpdir_path("straight"));
    snprintf(b, sizeof b, "%s", tmpdir_path("resumed"));
    rangetest_result want;
    straight(a, &want);
    cr_assert_gt(want.curve.n, STOP_AT + 20, "the sweep should run well past the stop "
                 "(it ran %ld steps)", want.curve.n);
    cr_assert_eq(want.curve.stop, RANGETEST_LOSS_ROSE, "stop %d at %ld: %s", want.curve.stop, want.curve.stop_iter,
                 "torch-lr-finder's stop rule should end this sweep");

    /* The same sweep, interrupted mid-epoch. */
    job j;
    lr_err e;
    job_begin(&j, b);
    job_sweep(&j, STOP_AT);
    cr_assert_neq(j.f.t.batches.pos, 0, "the stop should fall mid-epoch");
    cr_assert_eq(run_interrupt(&j.r, &j.f.t, "test", &e), 0, "%s", e.msg);
    rangetest_result cut;
    job_end(&j, &cut);
    cr_assert_eq(cut.curve.stop, RANGETEST_CANCELLED);
    rangetest_result_free(&cut);
    job_free(&j);

    /* A new process resumes it from the folder. */
    snprintf(path, sizeof path, "%s/%s", b, CHECKPOINT_FILE);
    checkpoint c;
    cr_assert_eq(checkpoint_read(&c, path, &e), 0, "%s", e.msg);
    cr_assert(c.has_range);
    cr_assert_eq(c.range.stop, RANGETEST_RUNNING);
    cr_assert_eq(c.range.n, STOP_AT);
    cr_assert_eq(c.iter, STOP_AT);
    job k;
    job_build(&k);
    cr_assert_eq(rangetest_resume(&k.rt, &k.f.t, &c, path, &e), 0, "%s", e.msg);
    cr_assert_eq(run_resume(&k.r, &k.spec, b, &c, cli_write_config, &e), 0, "%s", e.msg);
    checkpoint_free(&c);
    k.r.range = &k.rt;
    job_sweep(&k, LONG_MAX);
    rangetest_result got;
    job_end(&k, &got);
    expect_same_curve(&want.curve, &got.curve);

    size_t la, lb;
    snprintf(path, sizeof path, "%s/metrics.csv", a);
    char *ma = read_whole_file(path, &la);
    snprintf(path, sizeof path, "%s/metrics.csv", b);
    char *mb = read_whole_file(path, &lb);
    cr_expect(la == lb && memcmp(ma, mb, la) == 0, "metrics.csv differs");
    free(ma);
    free(mb);

    /* The sweep's end was checkpointed: nothing is left to resume. */
    snprintf(path, sizeof path, "%s/%s", b, CHECKPOINT_FILE);
    cr_assert_eq(checkpoint_read(&c, path, &e), 0, "%s", e.msg);
    cr_expect(c.has_range);
    cr_expect_eq(c.range.stop, RANGETEST_LOSS_ROSE);
    cr_expect_eq(c.range.n, want.curve.n);
    checkpoint_free(&c);
    rangetest_result_free(&got);
    rangetest_result_free(&want);
    job_free(&k);
}

/* Writes buf[0..n) to path with its last four bytes replaced by the CRC-32
 * of the rest, as checkpoint_save ends a file. */
static void write_with_crc(const char *path, unsigned char *buf, size_t n)
{
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf, (uInt)(n - 4));
    memcpy(buf + n - 4, &crc, 4);
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    cr_assert_eq(fwrite(buf, 1, n, f), n);
    fclose(f);
}

/* Reads the checkpoint at `path` as format `version`, the fixture's run at
 * iteration 25: it restores, and an older format keeps no config digest. */
static void expect_restores(train_fixture *f, const char *path, uint32_t digest)
{
    checkpoint c;
    lr_err e;
    cr_assert_eq(checkpoint_read(&c, path, &e), 0, "%s", e.msg);
    cr_expect_not(c.has_range);
    cr_expect_eq(c.iter, 25);
    cr_expect_eq(c.run.config_digest, digest);
    float first = f->n.params[0];
    f->n.params[0] = 42.0f;
    cr_expect_eq(checkpoint_restore(&c, &f->t, path, &e), 0, "%s", e.msg);
    cr_expect_eq(f->n.params[0], first);
    checkpoint_free(&c);
}

Test(rangetest_resume, older_checkpoints_still_resume_training_runs)
{
    /* A training run's checkpoint ends with a range-test byte of 0 and the
     * config digest before the CRC; version 2 lacks the digest, version 1
     * the byte too. */
    train_fixture f;
    sched s;
    sched_defaults(&s, SCHED_1CYCLE);
    s.total = 40;
    train_cfg tc = train_fixture_cfg(3, 10);
    train_fixture_init(&f, "mlp:16", &s, &tc);
    metrics_row m;
    for (int i = 0; i < 25; i++)
        trainer_step(&f.t, &m);
    const char *path = tmpdir_path("v3");
    lr_err e;
    checkpoint_run cr = { .config_digest = 0x12345679u };
    cr_assert_eq(checkpoint_save(path, &f.t, &cr, &e), 0, "%s", e.msg);
    expect_restores(&f, path, 0x12345679u);
    size_t n;
    unsigned char *buf = (unsigned char *)read_whole_file(path, &n);
    cr_assert_eq(buf[n - 9], 0, "a training run's range-test byte");
    for (uint32_t version = 2; version >= 1; version--) {
        memcpy(buf + 8, &version, 4);
        size_t len = version == 2 ? n - 4 : n - 5;   /* the CRC moves up */
        const char *old = tmpdir_path(version == 2 ? "v2" : "v1");
        write_with_crc(old, buf, len);
        expect_restores(&f, old, 0);
    }
    free(buf);
    train_fixture_free(&f);
}

/* A copy of the checkpoint at `path` with the i64 at byte `at` set to v
 * (its CRC made good again) is refused with `why`. */
static void expect_refused(const char *path, size_t at, int64_t v, const char *why)
{
    size_t n;
    unsigned char *buf = (unsigned char *)read_whole_file(path, &n);
    memcpy(buf + at, &v, sizeof v);
    const char *bad = tmpdir_path("bad-range");
    write_with_crc(bad, buf, n);
    free(buf);
    checkpoint c;
    lr_err e;
    cr_expect_eq(checkpoint_read(&c, bad, &e), -1, "%s was read", why);
    assert_has(e, "bad-range");
    assert_has(e, why);
}

Test(rangetest_resume, a_range_section_that_does_not_add_up_is_refused)
{
    job j;
    lr_err e;
    rangetest_cfg cfg;
    sweep_cfg(&cfg);
    job_build(&j);
    cr_assert_eq(rangetest_begin(&j.rt, &j.f.t, &cfg, &e), 0, "%s", e.msg);
    metrics_row m;
    for (int i = 0; i < 10; i++)
        rangetest_step(&j.rt, &m);
    const char *path = tmpdir_path("range");
    checkpoint_run cr = { .range = &j.rt };
    cr_assert_eq(checkpoint_save(path, &j.f.t, &cr, &e), 0, "%s", e.msg);
    rangetest_result res;
    rangetest_end(&j.rt, &res);
    rangetest_result_free(&res);
    job_free(&j);

    checkpoint c;
    cr_assert_eq(checkpoint_read(&c, path, &e), 0, "%s", e.msg);
    cr_assert_eq(c.range.n, 10);
    /* the step count sits right after the sweep's settings, the planned
     * length 41 bytes before it (layout in checkpoint.h) */
    size_t steps_at = (size_t)(c.range.steps - c.buf) - 16;
    size_t evals_at = (size_t)(c.range.eval_iter - c.buf);
    checkpoint_free(&c);
    expect_refused(path, steps_at, cfg.n_iters + 1, "range test's sizes do not add up");
    expect_refused(path, steps_at - 41, (int64_t)1 << 61, "more than the 1000000000 allowed");
    expect_refused(path, evals_at + 8, 1000000000000, "evaluation points are out of order");
    /* the first step's loss (after the 10 LRs) made NaN */
    expect_refused(path, steps_at + 16 + 10 * 8, (int64_t)0x7ff8000000000000,
                   "curve holds impossible values");
}
