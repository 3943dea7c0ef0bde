/* test_run.c — runs that survive: a run interrupted mid-epoch after a live
 * edit and a restart, checkpointed, torn down and resumed in fresh objects,
 * ends with the same metrics.csv and the same parameters, byte for byte, as
 * the run that went straight through (one thread). Also: checkpoints that
 * are corrupt, truncated, of another version or another model are refused
 * with the file named, and a failed write keeps the previous checkpoint. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "engine/checkpoint.h"
#include "engine/run.h"
#include "tests/testutil.h"
#include "tui/cli.h"

static void tmp_setup(void) { tmpdir_create("run"); }
TestSuite(run, .init = tmp_setup, .fini = tmpdir_remove);

#define N_ITERS   150    /* planned; the restart at 50 moves the end to 200. 63
                            iterations per epoch: the run crosses three epoch ends */
#define EDIT_AT   30     /* new bounds */
#define RESTART_AT 50    /* a fresh cycle */
#define STOP_AT   97     /* mid-epoch */

/* One run's objects, as a process would hold them. */
typedef struct job {
    dataset_pair data;
    net          n;
    trainer      t;
    run          r;
    run_spec     spec;
} job;

static void job_spec(run_spec *s)
{
    run_spec_default(s);
    snprintf(s->data, sizeof s->data, "synthetic");
    snprintf(s->model, sizeof s->model, "mlp-bn:32");
    s->seed = 5;
    s->train.batch = 64;
    s->train.seed = 5;
    s->train.eval_every = 10;
    s->train.eval_max = 200;
    s->lr_estimate = 7;            /* its saved iterates must survive too */
    s->checkpoint_minutes = 0;     /* epoch ends, the end, interruptions */
    sched_defaults(&s->sched, SCHED_TRIANGULAR);
    sched_set_bounds(&s->sched, 0.05, 0.5);
    s->sched.stepsize = 40;
    s->sched.total = N_ITERS;
}

/* Data, a network whose weights come from `init_seed`, a trainer. */
static void job_build(job *j, uint64_t init_seed)
{
    lr_err e;
    openblas_set_num_threads(1);
    job_spec(&j->spec);
    cr_assert_eq(dataset_make_synthetic(&j->data, 4000, 1000, 7, &e), 0, "%s", e.msg);
    cr_assert_eq(net_build(&j->n, j->spec.model, trainer_data_shape(&j->data.train), 10,
                           j->spec.train.batch, &j->spec.net, init_seed, &e), 0, "%s", e.msg);
    cr_assert_eq(trainer_init(&j->t, &j->n, &j->data.train, &j->data.test, &j->spec.sched,
                              &j->spec.sgd, &j->spec.train, &e), 0, "%s", e.msg);
    cr_assert_eq(trainer_enable_lr_estimate(&j->t, j->spec.lr_estimate, &e), 0, "%s", e.msg);
}

static void job_free(job *j)
{
    trainer_free(&j->t);
    net_free(&j->n);
    dataset_pair_free(&j->data);
}

/* Steps until t.iter reaches `until`, with the live edits the workbench
 * would send at their iterations. */
static void job_train(job *j, long until)
{
    lr_err e;
    char detail[160];
    metrics_row m;
    while (j->t.state == TRAIN_RUNNING && j->t.iter < until) {
        if (j->t.iter == EDIT_AT)
            cr_assert_eq(run_edit_apply(&j->r, &j->t, RUN_EDIT_BOUNDS, 0.02, 0.3, detail,
                                        sizeof detail, &e), 0, "%s", e.msg);
        if (j->t.iter == RESTART_AT)
            cr_assert_eq(run_edit_apply(&j->r, &j->t, RUN_EDIT_RESTART, 0, 0, detail,
                                        sizeof detail, &e), 0, "%s", e.msg);
        cr_assert_eq(run_step(&j->r, &j->t, &m, &e), 0, "%s", e.msg);
    }
}

static void straight_run(const char *dir, float **params)
{
    job j;
    lr_err e;
    job_build(&j, 5);
    cr_assert_eq(run_open(&j.r, &j.spec, dir, cli_write_config, &e), 0, "%s", e.msg);
    job_train(&j, LONG_MAX);
    cr_assert_eq(j.t.state, TRAIN_DONE);
    cr_assert_eq(run_close(&j.r, &e), 0, "%s", e.msg);
    *params = malloc(j.n.n_params * sizeof(float));
    memcpy(*params, j.n.params, j.n.n_params * sizeof(float));
    job_free(&j);
}

Test(run, interrupted_after_edits_and_resumed_is_bit_exact)
{
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s", tmpdir_path("straight"));
    snprintf(b, sizeof b, "%s", tmpdir_path("resumed"));
    float *want;
    straight_run(a, &want);

    /* The same run, stopped mid-epoch after the edit and the restart. */
    job j;
    lr_err e;
    job_build(&j, 5);
    cr_assert_eq(run_open(&j.r, &j.spec, b, cli_write_config, &e), 0, "%s", e.msg);
    job_train(&j, STOP_AT);
    cr_assert_eq(j.t.iter, STOP_AT);
    cr_assert_neq(j.t.batches.pos, 0, "the stop should fall mid-epoch");
    cr_assert_eq(run_interrupt(&j.r, &j.t, "test", &e), 0, "%s", e.msg);
    cr_assert_eq(run_close(&j.r, &e), 0, "%s", e.msg);
    job_free(&j);

    /* A new process: other initial weights, the spec as the config gave it. */
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", b, CHECKPOINT_FILE);
    job k;
    job_build(&k, 999);
    checkpoint c;
    cr_assert_eq(checkpoint_read(&c, path, &e), 0, "%s", e.msg);
    cr_assert_eq(c.iter, STOP_AT);
    cr_assert_eq(checkpoint_restore(&c, &k.t, path, &e), 0, "%s", e.msg);
    cr_assert_eq(run_resume(&k.r, &k.spec, b, &c, cli_write_config, &e), 0, "%s", e.msg);
    checkpoint_free(&c);
    job_train(&k, LONG_MAX);
    cr_assert_eq(k.t.state, TRAIN_DONE);
    cr_assert_eq(run_close(&k.r, &e), 0, "%s", e.msg);

    size_t la, lb;
    snprintf(path, sizeof path, "%s/metrics.csv", a);
    char *ma = read_whole_file(path, &la);
    snprintf(path, sizeof path, "%s/metrics.csv", b);
    char *mb = read_whole_file(path, &lb);
    cr_expect_eq(la, lb, "metrics.csv: %zu bytes straight, %zu resumed", la, lb);
    cr_expect(la == lb && memcmp(ma, mb, la) == 0, "metrics.csv differs");
    cr_expect(memcmp(want, k.n.params, k.n.n_params * sizeof(float)) == 0,
              "final parameters differ");
    snprintf(path, sizeof path, "%s/events.csv", b);
    char *ev = read_whole_file(path, &lb);
    cr_expect(strstr(ev, "97,interrupted,") && strstr(ev, "97,resumed,") &&
              strstr(ev, "200,done,"), "events: %s", ev);
    free(ma);
    free(mb);
    free(ev);
    free(want);
    job_free(&k);
}

/* A finished run's checkpoint, for the refusal tests. */
static const char *finished_checkpoint(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", tmpdir_path("done"));
    float *params;
    straight_run(dir, &params);
    free(params);
    static char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, CHECKPOINT_FILE);
    return path;
}

static void copy_with(const char *from, const char *to, long cut, long flip)
{
    size_t n;
    char *buf = read_whole_file(from, &n);
    if (flip >= 0)
        buf[flip] ^= 0x40;
    FILE *f = fopen(to, "wb");
    cr_assert(f);
    fwrite(buf, 1, cut >= 0 ? (size_t)cut : n, f);
    fclose(f);
    free(buf);
}

Test(run, bad_checkpoints_are_refused_with_the_file_named)
{
    const char *good = finished_checkpoint();
    checkpoint c;
    lr_err e;
    cr_assert_eq(checkpoint_read(&c, good, &e), 0, "%s", e.msg);
    cr_expect_eq(c.state, TRAIN_DONE);
    size_t len = c.len;
    checkpoint_free(&c);

    const char *bad = tmpdir_path("bad-checkpoint");
    copy_with(good, bad, (long)len / 2, -1);
    cr_assert_eq(checkpoint_read(&c, bad, &e), -1);
    assert_has(e, "bad-checkpoint");
    assert_has(e, "truncated");

    copy_with(good, bad, -1, (long)len / 3);
    cr_assert_eq(checkpoint_read(&c, bad, &e), -1);
    assert_has(e, "CRC mismatch");

    copy_with(good, bad, -1, 8);   /* the version's first byte */
    cr_assert_eq(checkpoint_read(&c, bad, &e), -1);
    assert_has(e, "format version");

    copy_with(good, bad, -1, 0);
    cr_assert_eq(checkpoint_read(&c, bad, &e), -1);
    assert_has(e, "not an lrscope checkpoint");

    cr_assert_eq(checkpoint_read(&c, tmpdir_path("none"), &e), -1);
    assert_has(e, "No such file");

    /* Another model: refused before anything of the network changes. */
    cr_assert_eq(checkpoint_read(&c, good, &e), 0, "%s", e.msg);
    net other;
    net_opts no;
    net_opts_default(&no);
    cr_assert_eq(net_build(&other, "mlp:16", (lr_shape){ 1, 16, 16 }, 10, 64, &no, 1, &e), 0,
                 "%s", e.msg);
    float first = other.params[0];
    cr_assert_eq(checkpoint_restore_net(&c, &other, good, &e), -1);
    assert_has(e, "is for model mlp-bn:32");
    cr_expect_eq(other.params[0], first);
    net_free(&other);
    checkpoint_free(&c);
}

Test(run, a_failed_checkpoint_write_keeps_the_previous_one)
{
    const char *good = finished_checkpoint();
    size_t before_len;
    char *before = read_whole_file(good, &before_len);
    job j;
    lr_err e;
    job_build(&j, 5);
    /* The disk fills up halfway through the new checkpoint: a file size
     * limit stands for it (SIGXFSZ ignored, write(2) fails with EFBIG);
     * Criterion runs each test in a process of its own. */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = { .rlim_cur = (rlim_t)before_len / 2, .rlim_max = RLIM_INFINITY };
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
    checkpoint_run cr = { 0 };
    cr_assert_eq(checkpoint_save(good, &j.t, &cr, &e), -1);
    assert_has(e, "File too large (the previous checkpoint is kept)");
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp", good);
    struct stat st;
    cr_expect_neq(stat(tmp, &st), 0, "the temporary file was left behind");
    size_t after_len;
    char *after = read_whole_file(good, &after_len);
    cr_expect(before_len == after_len && memcmp(before, after, before_len) == 0);
    free(before);
    free(after);
    job_free(&j);
}
