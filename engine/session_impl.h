/* session_impl.h — the session's private state, shared by session.c (the
 * thread, runs and their life cycle) and session_edit.c (commands that edit
 * settings, and offers). Everything below the "owned by the session thread"
 * line is touched by that thread alone; `status` and the queue only under
 * `lock`. */
#ifndef LRSCOPE_SESSION_IMPL_H
#define LRSCOPE_SESSION_IMPL_H

#include "engine/run.h"
#include "engine/session.h"

struct session {
    pthread_t       thread;
    pthread_mutex_t lock;       /* guards queue and status */
    pthread_cond_t  wake;
    atomic_bool     stop;

    session_cmd     queue[SESSION_QUEUE];
    int             q_head, q_len;
    session_status  status;

    mstore          metrics;

    /* Owned by the session thread alone. */
    session_cfg     cfg;
    net             net;
    bool            have_net;
    char            model[64];
    trainer         trainer;
    bool            have_trainer;
    rangetest       rt;
    bool            in_range_test;
    rangetest_result last_range;   /* owns the latest curve */
    char            last_range_model[64];
    run             run;            /* the current run's folder; files closed when none */
    bool            have_log;
    char            closed_dir[1024]; /* the folder of the last run closed, or "" */
    sgd_opts        sgd;
    session_settings next;         /* settings of the next run */
    double          rate_t0;        /* the rate window: wall clock, training seconds and */
    double          rate_train0;    /* iteration at its start (restarted by pauses) */
    long            rate_iter0;
    lr_err          write_error;    /* the last failure to write run files */
    bool            had_write_error;
    double          run_wall;       /* wall seconds and iterations of this run's closed */
    long            run_iters;      /* rate windows: seconds_per_iter */
    char            stop_reason[32];
};

/* Sets the status message; `error` marks failures and refusals. Caller holds
 * the lock. */
void session_say_locked(session *s, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define SAY(s, error, ...)                                 \
    do {                                                   \
        pthread_mutex_lock(&(s)->lock);                    \
        session_say_locked((s), (error), __VA_ARGS__);     \
        pthread_mutex_unlock(&(s)->lock);                  \
    } while (0)

/* A training run is in progress (not a range test, not ended). */
bool session_training(const session *s);

/* Applies an editing command (bounds, momentum, wd, restart, offer). */
void session_edit(session *s, const session_cmd *c);

/* Gives the start plan of cmd (SCMD_START) its bounds and momentum, as
 * session.h says. */
void session_settle_start(session *s, const session_cmd *cmd, sched *sc);

/* Publishes the offer after a finished range test, or after a divergence of
 * the current run at `lr`. */
void session_offer_range(session *s);
void session_offer_diverged(session *s, double lr);

/* Notes a live edit of the training run in the run's spec and config
 * (engine/run), so that `lrscope train --config` replays it. */
void session_note_edit(session *s, run_edit_kind kind, double a, double b);

/* Resets the status and the metrics store for a run that starts (or, after
 * a resume, continues) in state st. */
void session_publish_start(session *s, session_state st, run_kind kind);

/* Continues the run in s->cfg.resume_dir from its checkpoint, with its
 * history in the metrics store and its edits as markers (session_resume.c).
 * Runs before the thread starts. Returns 0, or -1 with `e` set and the
 * folder unchanged. */
int session_resume_run(session *s, lr_err *e);

/* Writes one event to the current run's events.csv, if one is open.
 * Returns false when the write failed: the run has then stopped (WRITE
 * FAILED, with the reason on the status line). */
bool session_event(session *s, const char *kind, const char *detail);

#endif
