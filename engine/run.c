/* run.c — the run lifecycle of run.h. */
#include "engine/run.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "engine/clock.h"

int run_path(char *buf, size_t len, const char *dir, const char *name)
{
    return snprintf(buf, len, "%s/%s", dir, name) >= (int)len ? -1 : 0;
}

static int write_config(run *r, lr_err *e)
{
    char path[1100];
    if (run_path(path, sizeof path, r->log.dir, "config"))
        return lr_fail(e, "run folder path is too long: %s", r->log.dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return lr_fail(e, "cannot write %s: %s", path, strerror(errno));
    int bad = r->write_config(f, &r->spec);
    if (bad | ferror(f) | fclose(f))
        return lr_fail(e, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
    return 0;
}

/* The key of a `key = value` line, trimmed, into buf ("" for none). */
static void line_key(const char *line, char *buf, size_t len)
{
    while (*line == ' ' || *line == '\t')
        line++;
    size_t n = strcspn(line, "= \t\r\n");
    snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), line);
}

int run_config_digest(const char *dir, uint32_t *digest, lr_err *e)
{
    char path[1100];
    if (run_path(path, sizeof path, dir, "config"))
        return lr_fail(e, "run folder path is too long: %s", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return lr_fail(e, "cannot read %s: %s", path, strerror(errno));
    uLong crc = crc32(0L, Z_NULL, 0);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        char key[32];
        line_key(line, key, sizeof key);
        if (!key[0] || key[0] == '#' || !strcmp(key, "edit") || !strcmp(key, "threads") ||
            !strcmp(key, "checkpoint_every"))
            continue;
        crc = crc32(crc, (const Bytef *)line, (uInt)n);
    }
    int bad = ferror(f);
    free(line);
    fclose(f);
    if (bad)
        return lr_fail(e, "cannot read %s", path);
    *digest = (uint32_t)crc | 1u; /* never 0, which means "none" */
    return 0;
}

static void start_clocks(run *r, const trainer *t)
{
    r->last_checkpoint = clock_seconds();
    r->last_epoch = t ? t->batches.epoch : 0;
}

int run_open(run *r, const run_spec *spec, const char *dir, run_config_writer w, lr_err *e)
{
    memset(r, 0, sizeof *r);
    r->spec = *spec;
    r->write_config = w;
    if (runlog_open(&r->log, dir, e)) {
        memset(r, 0, sizeof *r);
        return -1;
    }
    if (w && (write_config(r, e) || run_config_digest(dir, &r->config_digest, e))) {
        runlog_close(&r->log, NULL);
        memset(r, 0, sizeof *r);
        return -1;
    }
    start_clocks(r, NULL);
    return 0;
}

/* The run's events; each returns 0, or -1 when the log has failed
 * (runlog_failed says why). */
static int run_event(run *r, long iter, const char *kind, const char *detail)
{
    return runlog_event(&r->log, iter, kind, detail);
}

static int run_event_diverged(run *r, long iter, double loss, double lr)
{
    char detail[96], text[16];
    if (isnan(loss))
        snprintf(text, sizeof text, "nan");   /* never "-nan" */
    else
        snprintf(text, sizeof text, "%g", loss);
    snprintf(detail, sizeof detail, "loss became %s at lr %g", text, lr);
    return run_event(r, iter, "diverged", detail);
}

static int run_event_interrupted(run *r, long iter, const char *why)
{
    return run_event(r, iter, "interrupted", why);
}

/* The event of a range test that ended on its own (run.h): done, stopped
 * or diverged. */
static int event_range_stop(run *r, const rangetest_curve *c)
{
    char detail[160];
    switch (c->stop) {
    case RANGETEST_NONFINITE:
        return run_event_diverged(r, c->stop_iter, c->stop_loss, c->stop_lr);
    case RANGETEST_LOSS_ROSE:
        snprintf(detail, sizeof detail, "smoothed loss %g > %g x best %g at lr %g",
                 c->stop_loss, c->stop_factor, c->stop_best, c->stop_lr);
        return run_event(r, c->stop_iter, "stopped", detail);
    case RANGETEST_COMPLETED:
        snprintf(detail, sizeof detail, "swept %ld iterations up to lr %g", c->n,
                 c->n > 0 ? c->lr[c->n - 1] : c->lr_max);
        return run_event(r, c->stop_iter, "done", detail);
    default:
        return 0;
    }
}

/* The log's first write failure into e; returns -1. */
static int log_failure(const run *r, lr_err *e)
{
    return lr_fail(e, "%s", r->log.failed ? r->log.error.msg : "cannot write the run files");
}

int run_checkpoint(run *r, const trainer *t, lr_err *e)
{
    char path[1100];
    if (run_path(path, sizeof path, r->log.dir, CHECKPOINT_FILE))
        return lr_fail(e, "run folder path is too long: %s", r->log.dir);
    /* The rows the checkpoint continues from are on disk before it (each
     * row is written when it comes); after a failed write there is no
     * consistent state to save. */
    if (runlog_flush(&r->log))
        return log_failure(r, e);
    checkpoint_run cr = { .edits_applied = r->edits_applied, .range = r->range,
                          .config_digest = r->config_digest };
    r->last_checkpoint = clock_seconds();
    return checkpoint_save(path, t, &cr, e);
}

/* Applies `ed` to t when it validates; fills detail. */
static int apply_edit(trainer *t, const run_edit *ed, char *detail, size_t len, lr_err *e)
{
    sched next = t->sched;
    const sched *was = &t->sched;
    switch (ed->kind) {
    case RUN_EDIT_BOUNDS:
        sched_set_bounds(&next, ed->a, ed->b);
        snprintf(detail, len, "lr %g..%g -> %g..%g", was->lr_min, was->lr_max, ed->a, ed->b);
        break;
    case RUN_EDIT_MOMENTUM:
        sched_set_momentum(&next, ed->a, ed->b);
        snprintf(detail, len, "momentum %g..%g -> %g..%g", was->mom_max, was->mom_min, ed->a,
                 ed->b);
        break;
    case RUN_EDIT_WD:
        if (!(ed->a >= 0.0 && ed->a < 1.0))
            return lr_fail(e, "weight decay %g is out of range: give 0 to below 1", ed->a);
        snprintf(detail, len, "weight decay %g -> %g", t->opt.wd, ed->a);
        t->opt.wd = ed->a;
        return 0;
    case RUN_EDIT_RESTART:
        sched_restart(&next, t->iter);
        snprintf(detail, len, "cycle restarted");
        break;
    default:
        return lr_fail(e, "unknown edit");
    }
    if (sched_validate(&next, e))
        return -1;
    t->sched = next;
    /* A restart after the end trains on. */
    if (ed->kind == RUN_EDIT_RESTART && t->state == TRAIN_DONE)
        t->state = TRAIN_RUNNING;
    return 0;
}

/* Appends one `edit = ...` line to config, so the run can be replayed.
 * Returns 0, or -1 with `e` naming the file and the reason. */
static int append_edit_line(run *r, const run_edit *ed, lr_err *e)
{
    char path[1100], line[160];
    if (!r->write_config || !r->log.open || run_path(path, sizeof path, r->log.dir, "config"))
        return 0;
    run_edit_format(ed, line, sizeof line);
    FILE *f = fopen(path, "a");
    if (!f)
        return lr_fail(e, "cannot write %s: %s", path, strerror(errno));
    fprintf(f, "edit = %s\n", line);
    int bad = fflush(f) || ferror(f), err = errno;
    if (fclose(f) && !bad) {
        bad = 1;
        err = errno;
    }
    return bad ? lr_fail(e, "cannot write %s: %s", path, strerror(err ? err : EIO)) : 0;
}

int run_edit_record(run *r, long iter, run_edit_kind kind, double a, double b, lr_err *e)
{
    if (r->spec.n_edits == RUN_MAX_EDITS)
        return 0; /* the schedule in force is in every checkpoint; only the replay stops */
    run_edit ed = { .iter = iter, .kind = kind, .a = a, .b = b };
    r->spec.edits[r->spec.n_edits++] = ed;
    r->edits_applied = r->spec.n_edits;
    return append_edit_line(r, &ed, e);
}

int run_edit_apply(run *r, trainer *t, run_edit_kind kind, double a, double b,
                   char *detail, size_t len, lr_err *e)
{
    run_edit ed = { .iter = t->iter, .kind = kind, .a = a, .b = b };
    if (apply_edit(t, &ed, detail, len, e))
        return -1;
    if (run_event(r, ed.iter, run_edit_name(kind), detail))
        return log_failure(r, e);
    return run_edit_record(r, ed.iter, kind, a, b, e);
}

/* The spec's edits due before step t->iter (a replayed run). */
static int replay_edits(run *r, trainer *t, lr_err *e)
{
    while (r->edits_applied < r->spec.n_edits &&
           r->spec.edits[r->edits_applied].iter <= t->iter) {
        const run_edit *ed = &r->spec.edits[r->edits_applied];
        char detail[160];
        if (ed->iter == t->iter) {
            if (apply_edit(t, ed, detail, sizeof detail, e))
                return lr_fail(e, "config edit at iteration %ld: %.400s", ed->iter, e->msg);
            if (run_event(r, ed->iter, run_edit_name(ed->kind), detail))
                return log_failure(r, e);
        }
        r->edits_applied++;
    }
    return 0;
}

/* A checkpoint that could not be written does not stop the run: the rows
 * are what the user cannot get back, and the previous checkpoint is intact.
 * The failure is kept for run_checkpoint_problem. */
static int checkpoint_or_note(run *r, const trainer *t)
{
    lr_err ce;
    if (run_checkpoint(r, t, &ce)) {
        r->checkpoint_error = ce;
        r->checkpoint_failures++;
    }
    return 0;
}

const char *run_checkpoint_problem(run *r)
{
    if (r->checkpoint_failures == r->checkpoint_reported)
        return NULL;
    r->checkpoint_reported = r->checkpoint_failures;
    return r->checkpoint_error.msg;
}

/* An epoch has ended since the last call, or spec.checkpoint_minutes have
 * passed since the last checkpoint. */
static bool checkpoint_due(run *r, const trainer *t)
{
    bool epoch_end = t->batches.epoch != r->last_epoch;
    r->last_epoch = t->batches.epoch;
    return epoch_end || (r->spec.checkpoint_minutes > 0 &&
                         clock_seconds() - r->last_checkpoint >= 60.0 * r->spec.checkpoint_minutes);
}

int run_after_step(run *r, trainer *t, const metrics_row *row, lr_err *e)
{
    if (runlog_metrics(&r->log, row))
        return log_failure(r, e);
    if (t->state == TRAIN_DONE) {
        char detail[128];
        snprintf(detail, sizeof detail, "%ld iterations in %.2f s (%.0f images/s)", t->iter,
                 t->train_seconds, t->train_seconds > 0
                 ? (double)t->iter * t->cfg.batch / t->train_seconds : 0.0);
        if (run_event(r, t->iter, "done", detail))
            return log_failure(r, e);
        return checkpoint_or_note(r, t);
    }
    if (t->state == TRAIN_DIVERGED) {
        if (run_event_diverged(r, t->diverged_at, row->loss, row->lr))
            return log_failure(r, e);
        return checkpoint_or_note(r, t);
    }
    return checkpoint_due(r, t) ? checkpoint_or_note(r, t) : 0;
}

int run_after_range_step(run *r, const trainer *t, const metrics_row *row, lr_err *e)
{
    if (runlog_metrics(&r->log, row))
        return log_failure(r, e);
    bool stopped = r->range && !r->range->running;
    if (stopped && event_range_stop(r, &r->range->curve))
        return log_failure(r, e);
    return checkpoint_due(r, t) || stopped ? checkpoint_or_note(r, t) : 0;
}

int run_step(run *r, trainer *t, metrics_row *row, lr_err *e)
{
    if (t->state != TRAIN_RUNNING)
        return 0;
    if (replay_edits(r, t, e))
        return -1;
    trainer_step(t, row);
    return run_after_step(r, t, row, e);
}

int run_interrupt(run *r, const trainer *t, const char *why, lr_err *e)
{
    int rc = run_checkpoint(r, t, e);
    if (run_event_interrupted(r, t->iter, why) && rc == 0)
        rc = log_failure(r, e);
    return rc;
}

int run_resume(run *r, const run_spec *spec, const char *dir, const checkpoint *c,
               run_config_writer w, lr_err *e)
{
    memset(r, 0, sizeof *r);
    r->spec = *spec;
    r->write_config = w;
    r->edits_applied = c->run.edits_applied;
    r->config_digest = c->run.config_digest;
    if (!r->config_digest && w && run_config_digest(dir, &r->config_digest, NULL))
        r->config_digest = 0; /* an older checkpoint, and no config to read: none */
    if (runlog_reopen(&r->log, dir, c->iter, e))
        return -1;
    r->last_checkpoint = clock_seconds();
    r->last_epoch = c->epoch;
    char detail[96];
    snprintf(detail, sizeof detail, "from the checkpoint at iteration %ld (epoch %ld)", c->iter,
             c->epoch);
    if (run_event(r, c->iter, "resumed", detail)) {
        log_failure(r, e);
        runlog_close(&r->log, NULL);
        return -1;
    }
    return 0;
}

int run_close(run *r, lr_err *e)
{
    return runlog_close(&r->log, e);
}
