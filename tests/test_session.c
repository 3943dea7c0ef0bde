/* The session thread driven as the workbench drives it: commands in, metric
 * rows and status out. Run under ASan+UBSan too (make san), this is where
 * the two threads meet. */
#include <criterion/criterion.h>
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "datasets/dataset.h"
#include "engine/session.h"
#include "tests/testutil.h"

static void tmp_setup(void) { tmpdir_create("session"); }
TestSuite(session, .init = tmp_setup, .fini = tmpdir_remove);

typedef struct fixture {
    dataset_pair data;
    session     *s;
} fixture;

static void start_session(fixture *f)
{
    lr_err e;
    openblas_set_num_threads(1);
    cr_assert_eq(dataset_make_synthetic(&f->data, 2000, 500, 3, &e), 0, "%s", e.msg);
    session_cfg cfg = { .data = &f->data, .model = "mlp-bn:32", .runs_root = tmpdir_root(),
                        .lr_estimate = 5, .seed = 1 };
    net_opts_default(&cfg.net);
    sgd_opts_default(&cfg.sgd);
    train_cfg_default(&cfg.train);
    cfg.train.batch = 50;
    cfg.train.eval_every = 10;
    f->s = session_start(&cfg, &e);
    cr_assert(f->s, "%s", e.msg);
}

/* Polls the status until `done` says so, for at most 20 s. */
static void wait_until(session *s, bool (*done)(const session_status *), session_status *st)
{
    struct timespec nap = { 0, 10 * 1000 * 1000 };
    for (int i = 0; i < 2000; i++) {
        session_get_status(s, st);
        if (done(st))
            return;
        nanosleep(&nap, NULL);
    }
    cr_assert_fail("timed out; state %s, iteration %ld", session_state_name(st->state),
                   st->iter);
}

static bool range_done(const session_status *st)
{
    return st->kind == RUN_RANGE_TEST && st->state == SESSION_DONE && st->range_seq > 0;
}

static bool train_done(const session_status *st)
{
    return st->kind == RUN_TRAIN && st->state == SESSION_DONE;
}

static bool paused(const session_status *st)
{
    return st->state == SESSION_PAUSED;
}

static bool edited(const session_status *st)
{
    return st->n_edits == 1;
}

static bool training_past_20(const session_status *st)
{
    return st->kind == RUN_TRAIN && st->iter > 20 && st->state == SESSION_RUNNING;
}

Test(session, range_test_then_a_run_with_a_live_edit)
{
    fixture f;
    start_session(&f);
    session_status st;
    session_get_status(f.s, &st);
    cr_expect_eq(st.state, SESSION_IDLE);

    session_cmd rt = { .kind = SCMD_RANGE_TEST, .a = 4.0 };
    sched_defaults(&rt.sched, SCHED_SWEEP_LINEAR);
    rt.sched.lr_min = 0.0;
    rt.sched.lr_max = 3.0;
    rt.sched.total = 60;
    cr_assert_eq(session_send(f.s, &rt), 0);
    wait_until(f.s, range_done, &st);
    cr_expect(st.have_suggestion, "no bounds offered");
    cr_expect(st.sugg_min > 0 && st.sugg_min < st.sugg_max, "%g..%g", st.sugg_min,
              st.sugg_max);

    session_cmd run = { .kind = SCMD_START };
    sched_defaults(&run.sched, SCHED_1CYCLE);
    sched_set_bounds(&run.sched, st.sugg_min, st.sugg_max);
    run.sched.total = 2000;
    cr_assert_eq(session_send(f.s, &run), 0);
    wait_until(f.s, training_past_20, &st);
    /* Pause around the edit: a run this small could end before it lands. */
    session_cmd pause = { .kind = SCMD_PAUSE };
    cr_assert_eq(session_send(f.s, &pause), 0);
    wait_until(f.s, paused, &st);
    long at = st.iter;
    session_cmd edit = { .kind = SCMD_SET_BOUNDS, .a = 0.01, .b = 0.1 };
    cr_assert_eq(session_send(f.s, &edit), 0);
    wait_until(f.s, edited, &st);
    cr_expect_eq(st.iter, at, "a paused run must not step");
    cr_assert_eq(session_send(f.s, &pause), 0);
    wait_until(f.s, train_done, &st);
    cr_expect_eq(st.iter, 2000);
    cr_expect_float_eq(st.sched.lr_max, 0.1, 1e-12);
    cr_expect_eq(st.n_edits, 1);

    /* The store holds exactly this run's rows, in order. */
    static metrics_row rows[2100];
    unsigned gen;
    size_t n = mstore_read_since(session_metrics(f.s), 0, rows, 2100, &gen);
    cr_expect_eq(gen, st.generation);
    cr_expect_eq(n, 2000u);
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(rows[i].iter, (long)i);
    cr_expect(rows[1999].lr <= 0.1 + 1e-12, "lr %g after lowering the max", rows[1999].lr);

    char path[1200], line[256];
    snprintf(path, sizeof path, "%s/events.csv", st.run_dir);
    lr_err e;
    cr_expect_eq(session_stop(f.s, &e), 0, "%s", e.msg);
    FILE *ev = fopen(path, "r");
    cr_assert(ev, "no %s", path);
    bool edit_seen = false, done_seen = false;
    while (fgets(line, sizeof line, ev)) {
        edit_seen |= strstr(line, ",set_bounds,") != NULL;
        done_seen |= strstr(line, ",done,") != NULL;
    }
    fclose(ev);
    cr_expect(edit_seen && done_seen, "events.csv lacks the edit or the end");
    dataset_pair_free(&f.data);
}

Test(session, a_run_that_cannot_start_leaves_it_idle)
{
    fixture f;
    start_session(&f);
    session_cmd rt = { .kind = SCMD_RANGE_TEST, .a = 4.0 };
    sched_defaults(&rt.sched, SCHED_SWEEP_LINEAR);
    rt.sched.lr_max = 3.0;
    rt.sched.total = 5; /* too short for a range test */
    cr_assert_eq(session_send(f.s, &rt), 0);
    session_status st;
    struct timespec nap = { 0, 50 * 1000 * 1000 };
    for (int i = 0; i < 20; i++) {
        nanosleep(&nap, NULL);
        session_get_status(f.s, &st);
        if (st.message_seq > 0)
            break;
    }
    cr_expect_eq(st.state, SESSION_IDLE);
    cr_expect(strstr(st.message, "too short"), "%s", st.message);
    cr_expect_eq(session_stop(f.s, NULL), 0);
    dataset_pair_free(&f.data);
}
