/* session_resume.c — continuing a closed run in a new session: its trainer
 * (or range test) from the checkpoint, its history from metrics.csv and its
 * edits, as markers, from events.csv. */
#include "engine/session_impl.h"

#include <stdio.h>
#include <string.h>

#include "engine/run.h"

static void history_row(const metrics_row *m, void *ctx)
{
    mstore_append(ctx, m);
}

/* An edit event of the history becomes a marker, as live edits make them. */
static void history_event(long iter, const char *kind, const char *detail, void *ctx)
{
    session_status *ss = ctx;
    char label[sizeof ss->edit_label[0]];
    if (!session_edit_label(kind, detail, label, sizeof label))
        return;
    if (ss->n_edits < SESSION_MAX_EDITS) {
        ss->edit_iter[ss->n_edits] = iter;
        memcpy(ss->edit_label[ss->n_edits], label, sizeof label);
    }
    ss->n_edits++;
}

/* Restores the trainer (or, for a range test, the test in it) from the
 * checkpoint c at `path` and reopens the run's folder. Returns 0, or -1 with
 * `e` set, nothing kept and the folder unchanged. */
static int resume_trainer(session *s, const checkpoint *c, const char *path, lr_err *e)
{
    bool range_test = c->has_range;
    run_spec spec = s->cfg.spec;
    snprintf(spec.model, sizeof spec.model, "%s", s->model);
    spec.sgd = s->sgd;
    spec.train = s->cfg.train;
    spec.lr_estimate = range_test ? 0 : s->cfg.lr_estimate;
    if (range_test)
        rangetest_cfg_sched(&c->range.cfg, &spec.sched);
    if (trainer_init(&s->trainer, &s->net, &s->cfg.data->train, &s->cfg.data->test,
                     &spec.sched, &s->sgd, &s->cfg.train, e))
        return -1;
    int rc = range_test
        ? rangetest_resume(&s->rt, &s->trainer, c, path, e)
        : (spec.lr_estimate > 0 &&
           trainer_enable_lr_estimate(&s->trainer, spec.lr_estimate, e)) ||
          checkpoint_restore(c, &s->trainer, path, e);
    if (rc == 0 && run_resume(&s->run, &spec, s->cfg.resume_dir, c, s->cfg.write_config, e)) {
        if (range_test) {
            rangetest_end(&s->rt, &s->last_range);
            rangetest_result_free(&s->last_range);
        }
        rc = -1;
    }
    if (rc) {
        trainer_free(&s->trainer);
        return -1;
    }
    s->have_trainer = s->have_log = true;
    s->in_range_test = range_test;
    s->run.range = range_test ? &s->rt : NULL;
    return 0;
}

int session_resume_run(session *s, lr_err *e)
{
    const checkpoint *c = s->cfg.resume_from;
    const char *dir = s->cfg.resume_dir;
    char path[1100];
    run_path(path, sizeof path, dir, CHECKPOINT_FILE);
    if (resume_trainer(s, c, path, e))
        return -1;
    s->sgd = s->trainer.opt;
    s->next.wd = s->sgd.wd;
    if (s->in_range_test) {
        session_publish_start(s, SESSION_RANGE_TEST, RUN_RANGE_TEST);
    } else {
        /* the next run starts from this one's settings, edits included, as
         * it would have in the session that began it */
        const sched *sc = &s->trainer.sched;
        s->next.lr_min = sc->lr_min;
        s->next.lr_max = sc->lr_max;
        s->next.mom_max = sc->mom_max;
        s->next.mom_min = sc->cycle_momentum ? sc->mom_min : sc->mom_max;
        session_publish_start(s, SESSION_RUNNING, RUN_TRAIN);
    }
    lr_err ignored;
    runlog_read_metrics(dir, history_row, &s->metrics, &ignored);
    session_status *ss = &s->status;
    runlog_read_events(dir, history_event, ss, &ignored);
    ss->iter = s->trainer.iter;
    ss->epoch = trainer_epoch_at(&s->trainer, s->trainer.iter);
    ss->run_seconds = s->in_range_test ? 0.0 : s->trainer.train_seconds;
    session_say_locked(s, false, "resumed %s%s at iteration %ld",
                       s->in_range_test ? "the range test " : "", dir, s->trainer.iter);
    return 0;
}
