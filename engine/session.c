#include "engine/session_impl.h"

#include <assert.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/run.h"

const char *session_state_name(session_state st)
{
    static const char *names[] = {
        [SESSION_IDLE] = "IDLE", [SESSION_RANGE_TEST] = "RANGE TEST",
        [SESSION_RUNNING] = "RUNNING", [SESSION_PAUSED] = "PAUSED",
        [SESSION_DIVERGED] = "DIVERGED", [SESSION_DONE] = "DONE",
        [SESSION_WRITE_FAILED] = "WRITE FAILED",
    };
    return names[st];
}

void session_say_locked(session *s, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->status.message, sizeof s->status.message, fmt, ap);
    va_end(ap);
    s->status.message_error = error;
    s->status.message_seq++;
}

bool session_training(const session *s)
{
    return s->have_trainer && !s->in_range_test && s->trainer.state == TRAIN_RUNNING;
}

/* After a write to the run files: on the first failure, the run stops with
 * the state WRITE FAILED and the log's message (naming the file and the
 * system's reason) on the status line; session_stop reports it again. */
static bool log_written(session *s, int rc)
{
    const char *why = rc ? runlog_failed(&s->run.log) : NULL;
    if (!why)
        return true;
    if (!s->had_write_error) {
        lr_fail(&s->write_error, "%s", why);
        s->had_write_error = true;
    }
    pthread_mutex_lock(&s->lock);
    s->status.state = SESSION_WRITE_FAILED;
    session_say_locked(s, true, "cannot write %s: %s - run stopped at iteration %ld (in %s/)",
               s->run.log.failed_file, strerror(s->run.log.failed_errno),
               s->have_trainer ? s->trainer.iter : 0L, s->run.log.dir);
    pthread_mutex_unlock(&s->lock);
    return false;
}

/* After engine/run wrote to the run files or the checkpoint (rc, e): the
 * first failure stops the run as log_written says. */
static bool run_written(session *s, int rc, const lr_err *e)
{
    if (rc == 0)
        return true;
    if (runlog_failed(&s->run.log))
        return log_written(s, rc);
    if (!s->had_write_error) {
        s->write_error = *e;
        s->had_write_error = true;
    }
    pthread_mutex_lock(&s->lock);
    s->status.state = SESSION_WRITE_FAILED;
    session_say_locked(s, true, "%s - run stopped at iteration %ld", e->msg,
                       s->have_trainer ? s->trainer.iter : 0L);
    pthread_mutex_unlock(&s->lock);
    return false;
}

void session_note_edit(session *s, run_edit_kind kind, double a, double b)
{
    lr_err e;
    if (s->have_log)
        run_written(s, run_edit_record(&s->run, s->trainer.iter, kind, a, b, &e), &e);
}

/* A training run or range test stopped before its end keeps a checkpoint to
 * resume from and an `interrupted` event saying why. */
static void interrupt_run(session *s, const char *why)
{
    lr_err e;
    bool testing = s->in_range_test && s->rt.running;
    if (s->have_log && (session_training(s) || testing) && !runlog_failed(&s->run.log))
        run_written(s, run_interrupt(&s->run, &s->trainer, why, &e), &e);
}

bool session_event(session *s, const char *kind, const char *detail)
{
    if (!s->have_log)
        return true;
    return log_written(s, runlog_event(&s->run.log, s->have_trainer ? s->trainer.iter : 0,
                                       kind, detail));
}

static void close_log(session *s)
{
    if (!s->have_log)
        return;
    lr_err e;
    if (run_close(&s->run, &e)) {
        SAY(s, true, "%s", e.msg);
        s->write_error = e;
        s->had_write_error = true;
    }
    snprintf(s->closed_dir, sizeof s->closed_dir, "%s", s->run.log.dir);
    s->have_log = false;
}

/* Opens the run's folder (engine/run) with the spec of the run starting. */
static int open_log(session *s, const char *tag, bool range_test, lr_err *e)
{
    char dir[1024];
    runlog_default_dir(dir, sizeof dir, s->cfg.runs_root, tag);
    run_spec spec = s->cfg.spec;
    snprintf(spec.model, sizeof spec.model, "%s", s->model);
    spec.sgd = s->sgd;
    spec.sched = s->trainer.sched;
    spec.train = s->trainer.cfg;
    spec.lr_estimate = range_test ? 0 : s->cfg.lr_estimate;
    spec.n_edits = 0;
    if (run_open(&s->run, &spec, dir, s->cfg.write_config, e))
        return -1;
    s->run.range = range_test ? &s->rt : NULL;
    s->have_log = true;
    return 0;
}

/* rangetest.csv and suggestions.txt beside the range test's metrics. */
static void write_range_files(session *s)
{
    if (!s->have_log)
        return;
    static const char *names[] = { "rangetest.csv", "suggestions.txt" };
    for (int i = 0; i < 2; i++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/%s", s->run.log.dir, names[i]);
        FILE *f = fopen(path, "w");
        int bad = !f;
        if (f) {
            bad = i == 0 ? rangetest_write_csv(&s->last_range.curve, f)
                         : rangetest_write_suggestions(&s->last_range, f);
            bad |= fclose(f);
        }
        if (bad)
            SAY(s, true, "cannot write %s", path);
    }
}

/* Ends the range test in progress: the trainer restored, its result in
 * last_range and its files written. */
static void finish_range_test(session *s)
{
    s->run.range = NULL;
    rangetest_result_free(&s->last_range);
    rangetest_end(&s->rt, &s->last_range);
    s->in_range_test = false;
    write_range_files(s);
}

/* Builds (or rebuilds, after a model change) the network. */
static int ensure_net(session *s, lr_err *e)
{
    if (s->have_net && !strcmp(s->net.spec, s->model))
        return 0;
    net fresh;
    const dataset *d = &s->cfg.data->train;
    if (net_build(&fresh, s->model, trainer_data_shape(d), d->n_classes,
                  s->cfg.train.batch, &s->cfg.net,
                  s->cfg.seed, e))
        return -1;
    if (s->have_net)
        net_free(&s->net);
    s->net = fresh;
    s->have_net = true;
    return 0;
}

/* Ends whatever runs now: a range test is finished (weights restored,
 * results and offer published), a training run is logged and closed. */
static void end_run(session *s)
{
    if (s->in_range_test) {
        finish_range_test(s);
        /* s->model may already name the next run's model (:model mid-run) */
        snprintf(s->last_range_model, sizeof s->last_range_model, "%.*s",
                 (int)sizeof s->last_range_model - 1, s->net.spec);
        const rangetest_curve *c = &s->last_range.curve;
        pthread_mutex_lock(&s->lock);
        session_status *ss = &s->status;
        ss->range = s->last_range.sugg;
        ss->have_range = true;
        ss->range_max = rangetest_offer_max(&s->last_range.sugg);
        ss->range_stop = c->stop;
        ss->range_iters = c->stop == RANGETEST_COMPLETED || c->stop == RANGETEST_CANCELLED
                              ? c->n : c->stop_iter + 1;
        ss->range_stop_lr = c->stop == RANGETEST_COMPLETED ? c->lr_max : c->stop_lr;
        snprintf(ss->range_model, sizeof ss->range_model, "%.*s", (int)sizeof ss->range_model - 1,
                 s->net.spec);
        ss->range_seq++;
        pthread_mutex_unlock(&s->lock);
        if (c->stop != RANGETEST_CANCELLED)
            session_offer_range(s);
    }
    close_log(s);
    if (s->have_trainer) {
        trainer_free(&s->trainer);
        s->have_trainer = false;
    }
}

/* Opens a rate window at the current step: at a run's start, and after a
 * pause so that paused time counts nowhere. */
static void restart_rate(session *s)
{
    s->rate_t0 = clock_seconds();
    s->rate_train0 = s->have_trainer ? s->trainer.train_seconds : 0;
    s->rate_iter0 = s->have_trainer ? s->trainer.iter : 0;
}

void session_publish_start(session *s, session_state st, run_kind kind)
{
    mstore_reset(&s->metrics);
    pthread_mutex_lock(&s->lock);
    session_status *ss = &s->status;
    ss->state = st;
    ss->kind = kind;
    ss->generation = s->metrics.generation;
    ss->iter = 0;
    ss->epoch = 0;
    ss->images_per_s = 0;
    ss->seconds_per_iter = 0;
    ss->sched = s->trainer.sched;
    ss->total = ss->first_total = sched_end(&s->trainer.sched);
    ss->wd = s->sgd.wd;
    ss->next = s->next;
    ss->run_seconds = 0;
    ss->diverged_at = -1;
    ss->n_edits = 0;
    /* A new run: what was said about the previous one is stale. */
    session_say_locked(s, false, "%s", "");
    snprintf(ss->model, sizeof ss->model, "%s", s->model);
    snprintf(ss->run_dir, sizeof ss->run_dir, "%.255s", s->have_log ? s->run.log.dir : "");
    pthread_mutex_unlock(&s->lock);
    s->run_wall = 0;
    s->run_iters = 0;
    restart_rate(s);
}

/* A run that could not start leaves the session idle (the previous run has
 * already ended), with the reason on the status line. */
static void fail_start(session *s, const char *what, const lr_err *e)
{
    pthread_mutex_lock(&s->lock);
    s->status.state = SESSION_IDLE;
    s->status.kind = RUN_NONE;
    session_say_locked(s, true, "%s: %s", what, e->msg);
    pthread_mutex_unlock(&s->lock);
}

/* Starts a training run or a range test (cmd's kind), both from freshly
 * initialised weights (the range test restores its snapshot when it ends,
 * which matters to callers of the engine that run one mid-training; here each
 * run is new). */
static void start_run(session *s, const session_cmd *cmd)
{
    lr_err e;
    bool range_test = cmd->kind == SCMD_RANGE_TEST;
    sched sc = cmd->sched;
    if (range_test)
        rangetest_cfg_sched(&cmd->range, &sc);
    else
        session_settle_start(s, cmd, &sc);
    sc.origin = 0;
    if (range_test ? rangetest_cfg_validate(&cmd->range, &e) : sched_validate(&sc, &e)) {
        SAY(s, true, "cannot start: %s", e.msg);
        return; /* the run on screen goes on */
    }
    interrupt_run(s, "a new run was started");
    end_run(s);
    if (ensure_net(s, &e)) {
        fail_start(s, "cannot build model", &e);
        return;
    }
    net_init_params(&s->net, s->cfg.seed);
    train_cfg tc = s->cfg.train;
    if (trainer_init(&s->trainer, &s->net, &s->cfg.data->train, &s->cfg.data->test, &sc,
                     &s->sgd, &tc, &e)) {
        fail_start(s, "cannot start", &e);
        return;
    }
    s->have_trainer = true;
    if (!range_test && s->cfg.lr_estimate > 0 &&
        trainer_enable_lr_estimate(&s->trainer, s->cfg.lr_estimate, &e))
        SAY(s, true, "LR estimate off: %s", e.msg);
    if (range_test) {
        if (rangetest_begin(&s->rt, &s->trainer, &cmd->range, &e)) {
            end_run(s);
            fail_start(s, "cannot start the range test", &e);
            return;
        }
        s->in_range_test = true;
    }
    if (open_log(s, range_test ? "range-test" : sched_policy_name(sc.policy), range_test, &e))
        SAY(s, true, "run files: %s", e.msg);
    session_publish_start(s, range_test ? SESSION_RANGE_TEST : SESSION_RUNNING,
                  range_test ? RUN_RANGE_TEST : RUN_TRAIN);
}

/* Pause and resume are events of the run they interrupt. */
static void toggle_pause(session *s)
{
    const char *event = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->status.state == SESSION_PAUSED) {
        s->status.state = s->in_range_test ? SESSION_RANGE_TEST : SESSION_RUNNING;
        event = "resume";
    } else if (s->status.state == SESSION_RUNNING || s->status.state == SESSION_RANGE_TEST) {
        s->status.state = SESSION_PAUSED;
        event = "pause";
    } else {
        session_say_locked(s, true, "nothing runs: nothing to pause");
    }
    pthread_mutex_unlock(&s->lock);
    if (event)
        session_event(s, event, event[0] == 'p' ? "paused" : "resumed");
    restart_rate(s);
}

static void apply(session *s, const session_cmd *c)
{
    switch (c->kind) {
    case SCMD_START:
    case SCMD_RANGE_TEST:
        start_run(s, c);
        break;
    case SCMD_PAUSE:
        toggle_pause(s);
        break;
    case SCMD_SET_MODEL:
        snprintf(s->model, sizeof s->model, "%s", c->text);
        SAY(s, false, "model %s from the next run on", s->model);
        break;
    case SCMD_EXPORT:
        if (s->have_log && runlog_flush(&s->run.log)) {
            SAY(s, true, "%s", runlog_failed(&s->run.log));
        } else if (s->have_log) {
            SAY(s, false, "run files are up to date in %s/", s->run.log.dir);
        } else if (s->closed_dir[0]) {
            SAY(s, false, "the last run's files are complete in %s/", s->closed_dir);
        } else {
            SAY(s, false, "no run to export yet");
        }
        break;
    default:
        session_edit(s, c);
        break;
    }
}

/* One iteration of whatever runs, and the status that follows from it. */
static void step(session *s)
{
    metrics_row row;
    session_state next;
    assert(s->have_trainer); /* a run that failed to start left the session idle */
    if (s->in_range_test) {
        bool going = rangetest_step(&s->rt, &row);
        next = going ? SESSION_RANGE_TEST : SESSION_DONE;
    } else {
        train_state st = trainer_step(&s->trainer, &row);
        next = st == TRAIN_RUNNING ? SESSION_RUNNING
             : st == TRAIN_DIVERGED ? SESSION_DIVERGED : SESSION_DONE;
    }
    double t = clock_seconds();
    mstore_append(&s->metrics, &row);
    lr_err e;
    int written = 0;
    if (s->in_range_test)
        written = s->have_log ? run_after_range_step(&s->run, &s->trainer, &row, &e) : 0;
    else if (s->have_log)
        written = run_after_step(&s->run, &s->trainer, &row, &e);
    if (s->have_log && !run_written(s, written, &e))
        next = SESSION_WRITE_FAILED;
    const char *ckpt = s->have_log ? run_checkpoint_problem(&s->run) : NULL;
    if (ckpt)
        SAY(s, true, "%s; the %s goes on", ckpt, s->in_range_test ? "range test" : "run");
    pthread_mutex_lock(&s->lock);
    session_status *ss = &s->status;
    ss->iter = s->trainer.iter;
    ss->epoch = row.epoch;
    ss->run_seconds = s->in_range_test ? 0.0 : s->trainer.train_seconds;
    if (t - s->rate_t0 > 0.5) {
        /* images/s of the training steps alone, as `lrscope bench` counts;
         * time left from the run's wall clock, evaluations included */
        long steps = s->trainer.iter - s->rate_iter0;
        double train = s->trainer.train_seconds - s->rate_train0;
        ss->images_per_s = (double)steps * s->trainer.cfg.batch /
                           (train > 0 ? train : t - s->rate_t0);
        s->run_wall += t - s->rate_t0;
        s->run_iters += steps;
        ss->seconds_per_iter = s->run_iters > 0 ? s->run_wall / (double)s->run_iters : 0;
        s->rate_t0 = t;
        s->rate_train0 = s->trainer.train_seconds;
        s->rate_iter0 = s->trainer.iter;
    }
    ss->state = next; /* only this thread changes the state, never mid-step */
    if (next == SESSION_DIVERGED) {
        ss->diverged_at = row.iter;
        ss->diverged_lr = row.lr;
    }
    if (next == SESSION_DONE || next == SESSION_DIVERGED)
        session_say_locked(s, false, "%s", ""); /* the run ended: old news goes */
    pthread_mutex_unlock(&s->lock);
    if (next == SESSION_DIVERGED)
        session_offer_diverged(s, row.lr);
    if (next == SESSION_DONE && s->in_range_test)
        end_run(s); /* restores weights, publishes results and the offer */
    else if (next != SESSION_RUNNING && next != SESSION_RANGE_TEST && s->have_log)
        runlog_flush(&s->run.log);
}

static bool is_stepping(session_state st)
{
    return st == SESSION_RUNNING || st == SESSION_RANGE_TEST;
}

static void *session_main(void *arg)
{
    session *s = arg;
    for (;;) {
        session_cmd batch[SESSION_QUEUE];
        int n = 0;
        pthread_mutex_lock(&s->lock);
        while (!atomic_load(&s->stop) && s->q_len == 0 && !is_stepping(s->status.state))
            pthread_cond_wait(&s->wake, &s->lock);
        while (s->q_len > 0) {
            batch[n++] = s->queue[s->q_head];
            s->q_head = (s->q_head + 1) % SESSION_QUEUE;
            s->q_len--;
        }
        bool stepping = is_stepping(s->status.state);
        pthread_mutex_unlock(&s->lock);
        if (atomic_load(&s->stop))
            break;
        for (int i = 0; i < n; i++)
            apply(s, &batch[i]);
        if (n == 0 && stepping)
            step(s);
    }
    return NULL;
}

session *session_start(const session_cfg *cfg, lr_err *e)
{
    e->msg[0] = '\0';
    session *s = calloc(1, sizeof *s);
    if (!s) {
        lr_fail(e, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    s->sgd = cfg->sgd;
    s->next = cfg->first;
    if (!(s->next.lr_max > 0)) {
        sched one;
        sched_defaults(&one, SCHED_1CYCLE);
        s->next = (session_settings){ one.lr_min, one.lr_max, one.mom_max, one.mom_min, 0 };
    }
    s->next.wd = cfg->sgd.wd;
    snprintf(s->stop_reason, sizeof s->stop_reason, "workbench closed");
    snprintf(s->model, sizeof s->model, "%s", cfg->model);
    s->status.state = SESSION_IDLE;
    s->status.batch = cfg->train.batch;
    s->status.wd = cfg->sgd.wd;
    s->status.next = s->next;
    s->status.range_max = NAN;
    s->status.diverged_at = -1;
    snprintf(s->status.model, sizeof s->status.model, "%s", cfg->model);
    snprintf(s->status.data, sizeof s->status.data, "%s", cfg->data->train.name);
    if (mstore_init(&s->metrics) || ensure_net(s, e)) {
        if (!e->msg[0])
            lr_fail(e, "out of memory");
        mstore_free(&s->metrics);
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    atomic_init(&s->stop, false);
    if (cfg->resume_dir && session_resume_run(s, e)) {
        net_free(&s->net);
        mstore_free(&s->metrics);
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    /* The session thread takes no signals: they belong to the UI thread. */
    sigset_t all, old;
    sigfillset(&all);
    /* ...except faults: blocked, they would kill the process without the
     * handler that restores the terminal. */
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGABRT);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->thread, NULL, session_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        lr_fail(e, "cannot start the training thread");
        if (s->in_range_test) {   /* a resumed range test */
            finish_range_test(s);
            rangetest_result_free(&s->last_range);
        }
        close_log(s);
        if (s->have_trainer)
            trainer_free(&s->trainer);
        net_free(&s->net);
        mstore_free(&s->metrics);
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    return s;
}

int session_send(session *s, const session_cmd *cmd)
{
    pthread_mutex_lock(&s->lock);
    if (s->q_len == SESSION_QUEUE) {
        pthread_mutex_unlock(&s->lock);
        return -1;
    }
    s->queue[(s->q_head + s->q_len) % SESSION_QUEUE] = *cmd;
    s->q_len++;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

int session_queue_room(session *s)
{
    pthread_mutex_lock(&s->lock);
    int room = SESSION_QUEUE - s->q_len;
    pthread_mutex_unlock(&s->lock);
    return room;
}

void session_get_status(session *s, session_status *out)
{
    pthread_mutex_lock(&s->lock);
    *out = s->status;
    pthread_mutex_unlock(&s->lock);
}

mstore *session_metrics(session *s)
{
    return &s->metrics;
}

void session_set_stop_reason(session *s, const char *why)
{
    pthread_mutex_lock(&s->lock); /* read by session_stop after the join */
    snprintf(s->stop_reason, sizeof s->stop_reason, "%s", why);
    pthread_mutex_unlock(&s->lock);
}

int session_stop(session *s, lr_err *e)
{
    if (!s)
        return 0;
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->stop, true);
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    /* The checkpoint is taken before a range test restores the trainer; the
     * part of the curve that ran is kept, marked partial. */
    interrupt_run(s, s->stop_reason);
    if (s->in_range_test)
        finish_range_test(s);
    rangetest_result_free(&s->last_range);
    close_log(s);
    if (s->have_trainer)
        trainer_free(&s->trainer);
    if (s->have_net)
        net_free(&s->net);
    mstore_free(&s->metrics);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    int rc = s->had_write_error ? -1 : 0;
    if (rc && e)
        *e = s->write_error;
    free(s);
    return rc;
}
