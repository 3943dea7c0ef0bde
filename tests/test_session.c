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
#include "engine/checkpoint.h"
#include "engine/session.h"
#include "tests/testutil.h"

static void tmp_setup(void) { tmpdir_create("session"); }
TestSuite(session, .init = tmp_setup, .fini = tmpdir_remove);

typedef struct fixture {
    dataset_pair data;
    session     *s;
} fixture;

/* A session on f's data; with resume_dir, continuing that run from its
 * checkpoint c, whose config holds `sched` (the run spec's schedule). */
static session *open_session(fixture *f, const char *resume_dir, const checkpoint *c,
                             const sched *config_sched)
{
    lr_err e;
    session_cfg cfg = { .data = &f->data, .model = "mlp-bn:32", .runs_root = tmpdir_root(),
                        .lr_estimate = 5, .seed = 1, .resume_dir = resume_dir,
                        .resume_from = c };
    net_opts_default(&cfg.net);
    sgd_opts_default(&cfg.sgd);
    train_cfg_default(&cfg.train);
    cfg.train.batch = 50;
    cfg.train.eval_every = 10;
    if (config_sched)
        cfg.spec.sched = *config_sched;
    session *s = session_start(&cfg, &e);
    cr_assert(s, "%s", e.msg);
    return s;
}

static void start_session(fixture *f)
{
    lr_err e;
    openblas_set_num_threads(1);
    cr_assert_eq(dataset_make_synthetic(&f->data, 2000, 500, 3, &e), 0, "%s", e.msg);
    f->s = open_session(f, NULL, NULL, NULL);
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

/* A linear range test of n iterations, evaluated every 3. */
static session_cmd range_cmd(long n)
{
    session_cmd c = { .kind = SCMD_RANGE_TEST };
    rangetest_cfg_default(&c.range, SCHED_SWEEP_LINEAR, n);
    c.range.n_iters = n;
    c.range.eval_every = 3;
    c.range.eval_n = 200;
    return c;
}

/* A 1cycle start of `total` iterations with the session's bounds. */
static session_cmd start_cmd(sched_policy p, long total)
{
    session_cmd c = { .kind = SCMD_START, .a = 1.0 };
    sched_defaults(&c.sched, p);
    c.sched.total = total;
    return c;
}

static void send_ok(session *s, session_cmd c)
{
    cr_assert_eq(session_send(s, &c), 0);
}

/* Reads events.csv of `dir` into buf; returns how many rows have `kind`. */
static int count_events(const char *dir, const char *kind, char *buf, size_t cap)
{
    char path[1200], line[256], key[64];
    snprintf(path, sizeof path, "%s/events.csv", dir);
    snprintf(key, sizeof key, ",%s,", kind);
    FILE *f = fopen(path, "r");
    cr_assert(f, "no %s", path);
    int n = 0;
    size_t used = 0;
    buf[0] = '\0';
    while (fgets(line, sizeof line, f)) {
        n += strstr(line, key) != NULL;
        if (used + strlen(line) < cap) {
            strcpy(buf + used, line);
            used += strlen(line);
        }
    }
    fclose(f);
    return n;
}

static unsigned seq_wanted;
static bool message_after(const session_status *st)
{
    return st->message_seq >= seq_wanted;
}

/* Sends c and waits for the session's answer (its message). */
static void send_and_wait(session *s, session_cmd c, session_status *st)
{
    session_get_status(s, st);
    seq_wanted = st->message_seq + 1;
    send_ok(s, c);
    wait_until(s, message_after, st);
}

Test(session, range_test_then_a_run_with_a_live_edit)
{
    fixture f;
    start_session(&f);
    session_status st;
    session_get_status(f.s, &st);
    cr_expect_eq(st.state, SESSION_IDLE);

    send_ok(f.s, range_cmd(60));
    wait_until(f.s, range_done, &st);
    cr_expect_eq(st.offer.kind, OFFER_RANGE_TEST, "no bounds offered");
    cr_expect(st.offer.lr_min > 0 && st.offer.lr_min < st.offer.lr_max, "%g..%g",
              st.offer.lr_min, st.offer.lr_max);
    cr_expect_str_eq(st.offer.model, "mlp-bn:32");
    cr_expect_str_eq(st.range_model, "mlp-bn:32");
    session_offer offer = st.offer;

    /* The start takes the offer: the run and the next runs use its bounds. */
    send_ok(f.s, start_cmd(SCHED_1CYCLE, 2000));
    wait_until(f.s, training_past_20, &st);
    cr_expect_eq(st.offer.kind, OFFER_NONE, "the offer was taken");
    cr_expect_float_eq(st.sched.lr_max, offer.lr_max, 1e-12);
    cr_expect_float_eq(st.next.lr_max, offer.lr_max, 1e-12);
    /* Pause around the edit: a run this small could end before it lands. */
    session_cmd pause = { .kind = SCMD_PAUSE };
    send_ok(f.s, pause);
    wait_until(f.s, paused, &st);
    long at = st.iter;
    session_cmd edit = { .kind = SCMD_SET_BOUNDS, .a = 0.01, .b = 0.1 };
    send_ok(f.s, edit);
    wait_until(f.s, edited, &st);
    cr_expect_eq(st.iter, at, "a paused run must not step");
    send_ok(f.s, pause);
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

    char dir[256], events[4096];
    snprintf(dir, sizeof dir, "%s", st.run_dir);
    lr_err e;
    cr_expect_eq(session_stop(f.s, &e), 0, "%s", e.msg);
    cr_expect_eq(count_events(dir, "set_bounds", events, sizeof events), 1, "%s", events);
    cr_expect_eq(count_events(dir, "done", events, sizeof events), 1, "%s", events);
    cr_expect_eq(count_events(dir, "pause", events, sizeof events), 1, "%s", events);
    cr_expect_eq(count_events(dir, "resume", events, sizeof events), 1, "%s", events);
    dataset_pair_free(&f.data);
}

static bool three_edits(const session_status *st)
{
    return st->n_edits == 3;
}

/* Three "scale the max LR by 1.25" sent back to back, faster than any
 * status could be read in between, add up to x1.953125: each is applied to
 * the session's value as it is when it arrives. */
/* :model during a range test names the next run's model; the range test's
 * results and its offer still belong to the model it swept. */
Test(session, a_model_change_mid_sweep_leaves_the_range_test_its_model)
{
    fixture f;
    start_session(&f);
    session_status st;
    send_ok(f.s, range_cmd(120));
    session_cmd model = { .kind = SCMD_SET_MODEL };
    snprintf(model.text, sizeof model.text, "mlp:32");
    send_ok(f.s, model);
    wait_until(f.s, range_done, &st);
    cr_expect_str_eq(st.range_model, "mlp-bn:32");
    cr_expect_str_eq(st.offer.model, "mlp-bn:32");
    cr_expect_eq(session_stop(f.s, NULL), 0);
    dataset_pair_free(&f.data);
}

Test(session, a_burst_of_scale_commands_adds_up)
{
    fixture f;
    start_session(&f);
    session_status st;
    send_ok(f.s, start_cmd(SCHED_CONST, 100000));
    wait_until(f.s, training_past_20, &st);
    double before = st.sched.lr_max;
    session_cmd up = { .kind = SCMD_SCALE_BOUNDS, .a = 1.0, .b = 1.25 };
    for (int i = 0; i < 3; i++)
        send_ok(f.s, up);
    wait_until(f.s, three_edits, &st);
    cr_expect_float_eq(st.sched.lr_max, before * 1.953125, 1e-12, "%g -> %g", before,
                       st.sched.lr_max);
    cr_expect_float_eq(st.next.lr_max, before * 1.953125, 1e-12);
    /* The steps after the burst train at the new LR. */
    static metrics_row rows[4096];
    unsigned gen;
    long edited_at = st.edit_iter[2];
    wait_until(f.s, training_past_20, &st);
    struct timespec nap = { 0, 50 * 1000 * 1000 };
    nanosleep(&nap, NULL);
    size_t n = mstore_read_since(session_metrics(f.s), 0, rows, 4096, &gen);
    cr_assert_gt(n, (size_t)edited_at + 1);
    cr_expect_float_eq(rows[n - 1].lr, before * 1.953125, 1e-9);
    char dir[256], events[4096];
    snprintf(dir, sizeof dir, "%s", st.run_dir);
    cr_expect_eq(session_stop(f.s, NULL), 0);
    cr_expect_eq(count_events(dir, "set_bounds", events, sizeof events), 3, "%s", events);
    dataset_pair_free(&f.data);
}

/* Every sender gets the session's checks: an edit during a range test is
 * refused (weight decay as bounds), a bad value changes nothing, and edits
 * after a run has ended go to the next run, not into the ended run's files. */
Test(session, edits_are_validated_by_the_session)
{
    fixture f;
    start_session(&f);
    session_status st;
    session_cmd rt = range_cmd(400);
    send_ok(f.s, rt);
    session_cmd wd = { .kind = SCMD_SET_WD, .a = 3e-4 };
    session_cmd pause = { .kind = SCMD_PAUSE };
    send_ok(f.s, pause); /* hold the range test so the edits meet it running */
    send_and_wait(f.s, wd, &st);
    cr_expect(st.message_error && strstr(st.message, "range test"), "%s", st.message);
    cr_expect_float_eq(st.next.wd, 1e-4, 1e-15, "wd %g changed", st.next.wd);
    session_cmd bounds = { .kind = SCMD_SCALE_BOUNDS, .a = 1.0, .b = 1.25 };
    send_and_wait(f.s, bounds, &st);
    cr_expect(st.message_error, "%s", st.message);

    send_ok(f.s, start_cmd(SCHED_1CYCLE, 60));
    wait_until(f.s, train_done, &st);
    char dir[256], events[4096];
    snprintf(dir, sizeof dir, "%s", st.run_dir);
    double max = st.next.lr_max;
    session_cmd bad = { .kind = SCMD_SET_BOUNDS, .a = 2.0, .b = 1.0 };
    send_and_wait(f.s, bad, &st);
    cr_expect(st.message_error, "%s", st.message);
    cr_expect_float_eq(st.next.lr_max, max, 1e-12);
    send_and_wait(f.s, bounds, &st);
    cr_expect(!st.message_error && strstr(st.message, "next run"), "%s", st.message);
    cr_expect_float_eq(st.next.lr_max, max * 1.25, 1e-12);
    send_and_wait(f.s, wd, &st);
    cr_expect_float_eq(st.next.wd, 3e-4, 1e-15);
    session_cmd restart = { .kind = SCMD_RESTART_CYCLE };
    send_and_wait(f.s, restart, &st);
    cr_expect(st.message_error, "R after the end: %s", st.message);
    cr_expect_eq(st.n_edits, 0);
    cr_expect_eq(count_events(dir, "set_bounds", events, sizeof events), 0, "%s", events);
    cr_expect_eq(count_events(dir, "set_wd", events, sizeof events), 0, "%s", events);
    cr_expect_eq(count_events(dir, "restart", events, sizeof events), 0, "%s", events);

    /* The next run starts with them. */
    send_ok(f.s, start_cmd(SCHED_1CYCLE, 100000));
    wait_until(f.s, training_past_20, &st);
    cr_expect_float_eq(st.sched.lr_max, max * 1.25, 1e-12);
    cr_expect_float_eq(st.wd, 3e-4, 1e-15);
    cr_expect_eq(session_stop(f.s, NULL), 0);
    dataset_pair_free(&f.data);
}

static bool diverged(const session_status *st)
{
    return st->state == SESSION_DIVERGED && st->offer.kind == OFFER_DIVERGED;
}

/* After a range test of a plain MLP, a run far above its bounds diverges;
 * the offer restarts below where the range test's loss rose, and taking it
 * trains to the end. */
Test(session, divergence_offer_stays_below_the_range_test)
{
    fixture f;
    start_session(&f);
    session_status st;
    session_cmd model = { .kind = SCMD_SET_MODEL };
    snprintf(model.text, sizeof model.text, "mlp:32");
    send_ok(f.s, model);
    session_cmd rt = range_cmd(100);
    rt.range.lr_max = 20.0;
    send_ok(f.s, rt);
    wait_until(f.s, range_done, &st);
    cr_assert(st.range_stop == RANGETEST_LOSS_ROSE || st.range_stop == RANGETEST_NONFINITE,
              "the sweep to 20 should stop early (%s)", rangetest_stop_name(st.range_stop));
    char events[4096];
    const char *why = st.range_stop == RANGETEST_LOSS_ROSE ? "stopped" : "diverged";
    cr_expect_eq(count_events(st.run_dir, why, events, sizeof events), 1, "%s", events);
    double stop_lr = st.range_stop_lr;
    session_cmd high = { .kind = SCMD_SET_BOUNDS, .a = 20.0, .b = 200.0 };
    send_ok(f.s, high);
    send_ok(f.s, start_cmd(SCHED_1CYCLE, 300));
    wait_until(f.s, diverged, &st);
    cr_expect(st.offer.lr_max < stop_lr, "offer %g not below %g", st.offer.lr_max, stop_lr);
    cr_expect_eq(st.offer.policy, SCHED_1CYCLE);
    session_offer offer = st.offer;
    send_ok(f.s, start_cmd(SCHED_1CYCLE, 300));
    wait_until(f.s, train_done, &st);
    cr_expect_float_eq(st.sched.lr_max, offer.lr_max, 1e-12);

    /* Diverged again, then a run on the user's own bounds: the advice was
     * about the diverged run and is withdrawn, so a cannot apply it. */
    send_ok(f.s, high);
    send_ok(f.s, start_cmd(SCHED_1CYCLE, 300));
    wait_until(f.s, diverged, &st);
    session_cmd own = { .kind = SCMD_SET_BOUNDS, .a = 0.01, .b = 0.1 };
    send_ok(f.s, own);
    send_ok(f.s, start_cmd(SCHED_1CYCLE, 100000));
    wait_until(f.s, training_past_20, &st);
    cr_expect_eq(st.offer.kind, OFFER_NONE);
    session_cmd accept = { .kind = SCMD_ACCEPT_OFFER };
    send_and_wait(f.s, accept, &st);
    cr_expect(st.message_error && strstr(st.message, "no offer pending"), "%s", st.message);
    cr_expect_float_eq(st.sched.lr_max, 0.1, 1e-12);
    cr_expect_eq(session_stop(f.s, NULL), 0);
    dataset_pair_free(&f.data);
}

static bool sweeping_past_20(const session_status *st)
{
    return st->kind == RUN_RANGE_TEST && st->iter > 20 && st->state == SESSION_RANGE_TEST;
}

static long resumed_at;
static bool sweeping_past_resume(const session_status *st)
{
    return st->kind == RUN_RANGE_TEST && st->iter > resumed_at + 10;
}

/* A range test closed mid-sweep keeps a checkpoint; a new session resumes
 * the sweep from it, with its history in the store. */
Test(session, a_range_test_closed_mid_sweep_resumes)
{
    fixture f;
    start_session(&f);
    session_status st;
    send_ok(f.s, range_cmd(100000));
    wait_until(f.s, sweeping_past_20, &st);
    char dir[1024], path[1100], events[4096];
    snprintf(dir, sizeof dir, "%s", st.run_dir);
    cr_assert_eq(session_stop(f.s, NULL), 0);
    cr_expect_eq(count_events(dir, "interrupted", events, sizeof events), 1, "%s", events);

    checkpoint c;
    lr_err e;
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    cr_assert_eq(checkpoint_read(&c, path, &e), 0, "%s", e.msg);
    cr_assert(c.has_range);
    cr_expect_eq(c.range.stop, RANGETEST_RUNNING);
    cr_expect_eq(c.range.n, c.iter);
    resumed_at = c.iter;

    session *s = open_session(&f, dir, &c, NULL);
    checkpoint_free(&c);
    wait_until(s, sweeping_past_resume, &st);
    static metrics_row rows[4096];
    unsigned gen;
    size_t n = mstore_read_since(session_metrics(s), 0, rows, 4096, &gen);
    cr_expect(n >= (size_t)resumed_at + 10, "the sweep's history is in the store (%zu rows)", n);
    cr_expect_eq(rows[0].iter, 0);
    cr_assert_eq(session_stop(s, NULL), 0);
    cr_expect_eq(count_events(dir, "resumed", events, sizeof events), 1, "%s", events);
    cr_expect_eq(count_events(dir, "interrupted", events, sizeof events), 2, "%s", events);
    dataset_pair_free(&f.data);
}

/* A training run closed mid-run and resumed: the next run's settings are
 * the run's own, its live edit included, and the edit's marker has its value. */
Test(session, a_resumed_run_keeps_its_settings_for_the_next)
{
    fixture f;
    start_session(&f);
    session_status st;
    session_cmd run = start_cmd(SCHED_1CYCLE, 100000);
    send_ok(f.s, run);
    wait_until(f.s, training_past_20, &st);
    send_and_wait(f.s, (session_cmd){ .kind = SCMD_SCALE_BOUNDS, .a = 1.0, .b = 1.25 }, &st);
    double max = st.sched.lr_max;
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s", st.run_dir);
    cr_assert_eq(session_stop(f.s, NULL), 0);

    checkpoint c;
    lr_err e;
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    cr_assert_eq(checkpoint_read(&c, path, &e), 0, "%s", e.msg);
    session *s = open_session(&f, dir, &c, &run.sched);
    checkpoint_free(&c);
    session_get_status(s, &st);
    cr_expect_float_eq(st.next.lr_max, max, 1e-12);
    cr_expect_float_eq(st.next.mom_max, 0.95, 1e-12);
    cr_expect_float_eq(st.next.mom_min, 0.85, 1e-12);
    cr_assert_eq(st.n_edits, 1);
    char want[24];
    snprintf(want, sizeof want, "max %.3g", max);
    cr_expect_str_eq(st.edit_label[0], want);
    cr_assert_eq(session_stop(s, NULL), 0);
    dataset_pair_free(&f.data);
}

Test(session, a_run_that_cannot_start_leaves_it_idle)
{
    fixture f;
    start_session(&f);
    session_cmd rt = range_cmd(5); /* too short for a range test */
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

/* Markers read back from events.csv (a resumed run, watch) carry the values
 * their live edits showed. */
Test(session, edit_labels_from_event_details)
{
    char l[24];
    cr_assert(session_edit_label("set_bounds", "lr 0.1..1 -> 0.1..1.25", l, sizeof l));
    cr_expect_str_eq(l, "max 1.25");
    cr_assert(session_edit_label("set_bounds", "lr 0.1..1 -> 0.08..1", l, sizeof l));
    cr_expect_str_eq(l, "min 0.08");
    cr_assert(session_edit_label("set_bounds", "lr 0.1..1 -> 0.05..0.5 from the range test",
                                 l, sizeof l));
    cr_expect_str_eq(l, "lr 0.05-0.5");
    cr_assert(session_edit_label("set_momentum", "momentum 0.95..0.85 -> 0.9..0.85", l,
                                 sizeof l));
    cr_expect_str_eq(l, "mom 0.9");
    cr_assert(session_edit_label("set_wd", "weight decay 0.0001 -> 0.0003", l, sizeof l));
    cr_expect_str_eq(l, "wd 0.0003");
    cr_assert(session_edit_label("set_wd", "", l, sizeof l));
    cr_expect_str_eq(l, "wd");
    cr_assert(session_edit_label("restart", "cycle restarted", l, sizeof l));
    cr_expect_str_eq(l, "R");
    cr_expect(!session_edit_label("interrupted", "SIGTERM", l, sizeof l));
}
