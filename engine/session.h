/* session.h — a training session in its own thread, driven by commands.
 *
 * DESIGN. The session thread owns everything that trains: data, network,
 * trainer, run log, range test. The UI thread owns the screen. They share
 * only three things, each with its own discipline:
 *   - a command queue (mutex + condition variable): the UI pushes, the
 *     session pops between iterations; an idle or paused session sleeps on
 *     the condition variable instead of spinning;
 *   - a metrics store (mstore.h): the session appends one row per
 *     iteration, the UI copies what is new;
 *   - a status snapshot (session_status), rewritten by the session under
 *     the same mutex after each step and read by the UI with one copy.
 * The stop flag is atomic. Nothing else is shared: the UI never touches the
 * trainer, and the session never touches curses. The session thread blocks
 * every asynchronous signal, so SIGINT/SIGTERM/SIGHUP reach the UI thread
 * (or an OpenBLAS worker: the handlers only set a flag), which stops the
 * session (flushing its run files) before restoring the terminal.
 *
 * Each run (a training run or a range test) is a "generation" of the
 * metrics store: starting a run resets the store, and the status says which
 * kind of run the current generation is. */
#ifndef LRSCOPE_SESSION_H
#define LRSCOPE_SESSION_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "datasets/dataset.h"
#include "engine/mstore.h"
#include "engine/net.h"
#include "engine/rangetest.h"
#include "engine/runlog.h"
#include "engine/sched.h"
#include "engine/sgd.h"
#include "engine/trainer.h"

typedef enum {
    SESSION_IDLE,        /* no run yet */
    SESSION_RANGE_TEST,
    SESSION_RUNNING,
    SESSION_PAUSED,
    SESSION_DIVERGED,
    SESSION_DONE,
    SESSION_WRITE_FAILED,  /* stopped: a run file could not be written (the
                              message says which and why) */
} session_state;

typedef enum { RUN_NONE, RUN_TRAIN, RUN_RANGE_TEST } run_kind;

typedef enum {
    SCMD_START,          /* start a training run with cmd.sched */
    SCMD_RANGE_TEST,     /* start a range test: cmd.sched is the sweep (policy
                            SCHED_SWEEP_LINEAR/EXP, lr_min, lr_max, total);
                            a = stop factor (0: only NaN/Inf stops it) */
    SCMD_PAUSE,          /* toggles pause/resume */
    SCMD_SET_BOUNDS,     /* a = lr_min, b = lr_max */
    SCMD_SET_MOMENTUM,   /* a = mom_max, b = mom_min */
    SCMD_SET_WD,         /* a = weight decay */
    SCMD_RESTART_CYCLE,
    SCMD_SET_MODEL,      /* text = model spec; takes effect at the next run */
    SCMD_EXPORT,         /* flush the run files and report where they are */
} session_cmd_kind;

typedef struct session_cmd {
    session_cmd_kind kind;
    sched            sched;
    double           a, b;
    char             text[64];
} session_cmd;

#define SESSION_QUEUE 64

/* What the UI shows, copied in one piece by session_get_status. */
typedef struct session_status {
    session_state state;
    run_kind      kind;
    unsigned      generation;     /* of the metrics store */
    long          iter, total;    /* steps taken, plan end (sched_end) */
    double        epoch;
    double        images_per_s;
    sched         sched;          /* the schedule in force, edits included */
    double        wd;
    int           batch;
    long          diverged_at;
    double        diverged_lr;
    char          model[64];
    char          data[64];
    char          run_dir[256];
    char          message[200];   /* latest notice or error, for the status line */
    bool          message_error;  /* the message reports a failure or refusal */
    unsigned      message_seq;    /* changes whenever message does */
    /* Range test: the latest finished one, for suggestions and markers.
     * sugg_min/sugg_max are the bounds the workbench offers:
     * (M/10, M) with M = rangetest_offer_max(). */
    bool          have_suggestion;
    unsigned      range_seq;      /* changes when a range test finishes */
    rangetest_suggestions range;
    double        sugg_min, sugg_max;
    /* Live edits of the current run (iteration and a short label), for
     * markers on the plots. */
    int           n_edits;
    long          edit_iter[16];
    char          edit_label[16][16];
} session_status;

typedef struct session_cfg {
    dataset_pair *data;          /* borrowed: loaded by the caller */
    const char   *model;
    net_opts      net;
    sgd_opts      sgd;
    train_cfg     train;
    const char   *runs_root;     /* run folders go under it ("runs") */
    int           lr_estimate;   /* every K iterations; 0 off */
    uint64_t      seed;
    /* Writes the run's config file; called by the session thread when a run
     * starts, with the settings that run uses. May be NULL. */
    runlog_config_writer write_config;
    const void   *config_ctx;
} session_cfg;

typedef struct session session;

/* Builds the network and starts the thread, idle. Returns NULL with `e` set
 * on failure. */
session *session_start(const session_cfg *cfg, lr_err *e);

/* Queues a command; never blocks on training. Returns -1 when the queue is
 * full (the UI tells the user to slow down). */
int  session_send(session *s, const session_cmd *cmd);

/* Copies the status snapshot (one short lock). */
void session_get_status(session *s, session_status *out);
/* The metrics store, for mstore_read_since (it has its own lock). */
mstore *session_metrics(session *s);

/* Stops the thread after its current step, flushes and closes the run files,
 * frees everything. Returns 0, or -1 with `e` set when the run files could
 * not be written completely (disk full): the caller reports it once the
 * terminal is restored. */
int  session_stop(session *s, lr_err *e);

const char *session_state_name(session_state st);

#endif
