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
#include "engine/checkpoint.h"
#include "engine/run_spec.h"
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

/* Commands carry intent ("scale the max LR by 1.25", "set wd to 3e-4"); the
 * session thread applies each to its own current state and validates the
 * result, so a burst of keys adds up however fast it is typed, and every
 * sender (keys, the ':' line, tests) gets the same checks. Refusals and
 * results come back as the status message.
 *
 * What an edit changes depends on the state:
 *   training run in progress (RUNNING, PAUSED): the run (reshaping what
 *     remains of its cycle; an event in its events.csv) and the settings of
 *     the next run;
 *   no run, or the run has ended (DONE, DIVERGED): the next run's settings
 *     only; the finished run's files are not touched;
 *   range test in progress: refused (a sweep runs with fixed settings). */
typedef enum {
    SCMD_START,          /* start a training run: cmd.sched is the plan; its bounds
                            and momentum are replaced by the session's settings,
                            lr_max scaled by cmd.a (1: as is; 1/3: a step baseline
                            below a cycle's peak). A pending offer the user has not
                            overridden is taken first. With cmd.b != 0 the plan's
                            own bounds are used instead (typed with the start),
                            and become the next runs' bounds. */
    SCMD_RANGE_TEST,     /* start a range test with cmd.range */
    SCMD_PAUSE,          /* toggles pause/resume */
    SCMD_SET_BOUNDS,     /* a = lr_min, b = lr_max; NaN keeps that bound */
    SCMD_SCALE_BOUNDS,   /* a = factor of lr_min, b = factor of lr_max */
    SCMD_SET_MOMENTUM,   /* a = mom_max, b = mom_min */
    SCMD_STEP_MOMENTUM,  /* a = added to both ends, clamped to [0, 0.99] */
    SCMD_SET_WD,         /* a = weight decay */
    SCMD_STEP_WD,        /* a > 0: up the grid (session_wd_step), else down */
    SCMD_RESTART_CYCLE,
    SCMD_ACCEPT_OFFER,   /* take the pending offer's bounds */
    SCMD_SET_MODEL,      /* text = model spec; takes effect at the next run */
    SCMD_EXPORT,         /* flush the run files and report where they are */
} session_cmd_kind;

typedef struct session_cmd {
    session_cmd_kind kind;
    sched            sched;
    rangetest_cfg    range;
    double           a, b;
    char             text[64];
} session_cmd;

#define SESSION_QUEUE 64
#define SESSION_MAX_EDITS 64

/* The settings the next run starts with (and that edits of the current run
 * keep in step). The status always shows these, as the session holds them. */
typedef struct session_settings {
    double lr_min, lr_max;
    double mom_max, mom_min;
    double wd;
} session_settings;

/* An offer: bounds the session proposes, from a finished range test or after
 * a divergence. It stays pending until it is taken (SCMD_ACCEPT_OFFER, or a
 * start) or replaced by a newer offer; messages do not replace it. */
typedef enum { OFFER_NONE, OFFER_RANGE_TEST, OFFER_DIVERGED } offer_kind;

typedef struct session_offer {
    offer_kind   kind;
    unsigned     seq;            /* changes with every new offer */
    double       lr_min, lr_max;
    sched_policy policy;         /* DIVERGED: the policy that diverged */
    char         model[64];      /* the model it was measured on */
    bool         overridden;     /* bounds were set since: a start keeps the user's */
} session_offer;

/* What the UI shows, copied in one piece by session_get_status. */
typedef struct session_status {
    session_state state;
    run_kind      kind;
    unsigned      generation;     /* of the metrics store */
    long          iter, total;    /* steps taken, plan end (sched_end) */
    long          first_total;    /* plan end when the run started (R can move it) */
    double        epoch;
    double        images_per_s;   /* training steps only, over the last half second or more */
    double        seconds_per_iter; /* wall clock of this run, evaluations included: for time left */
    double        run_seconds;    /* in training steps of this run (no pauses, no evaluations) */
    sched         sched;          /* the schedule in force, edits included */
    session_settings next;        /* settings of the next run */
    double        wd;             /* weight decay in force */
    int           batch;
    long          diverged_at;
    double        diverged_lr;
    char          model[64];      /* model of the current run (or the next) */
    char          data[64];
    char          run_dir[256];
    char          message[200];   /* latest notice or error, for the status line */
    bool          message_error;  /* the message reports a failure or refusal */
    unsigned      message_seq;    /* changes whenever message does */
    session_offer offer;
    /* Range test: the latest finished one. */
    bool          have_range;
    unsigned      range_seq;      /* changes when a range test finishes */
    rangetest_suggestions range;
    double        range_max;      /* rangetest_offer_max, NaN when none */
    rangetest_stop range_stop;
    long          range_iters;    /* steps it took */
    double        range_stop_lr;
    char          range_model[64];
    /* Live edits of the current run, for markers (the first
     * SESSION_MAX_EDITS; n_edits counts them all). */
    int           n_edits;
    long          edit_iter[SESSION_MAX_EDITS];
    char          edit_label[SESSION_MAX_EDITS][24];
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
    session_settings first;      /* bounds and momentum of the first run (lr_max 0:
                                    1cycle's defaults); its wd is sgd.wd */
    /* The run spec's fixed part (data, train_size, seed, threads, net,
     * checkpoint_minutes): each run's spec is this plus the model, optimizer,
     * schedule and training settings it starts with. */
    run_spec      spec;
    /* Writes a run's config file (engine/run.h). May be NULL: no config. */
    run_config_writer write_config;
    /* A run folder to continue (its config already read into the fields
     * above) and its checkpoint, read by the caller: session_start restores
     * the checkpoint, loads the history from metrics.csv and events.csv and
     * starts RUNNING (a training run) or RANGE TEST (a range test, which the
     * caller has checked is still running). NULL: start idle. */
    const char   *resume_dir;
    const checkpoint *resume_from;
} session_cfg;

typedef struct session session;

/* Builds the network and starts the thread, idle (or continuing
 * cfg->resume_dir). Returns NULL with `e` set on failure: for a resumed run,
 * a checkpoint of another model or data, named with the file; nothing of the
 * run folder is then changed. */
session *session_start(const session_cfg *cfg, lr_err *e);

/* Queues a command; never blocks on training. Returns -1 when the queue is
 * full (the UI tells the user to slow down). */
int  session_send(session *s, const session_cmd *cmd);

/* Free places in the command queue. The UI stops reading keys while few are
 * left, so keys typed faster than the session takes them (a held key) wait
 * in the terminal's buffer rather than being dropped. */
int  session_queue_room(session *s);

/* The marker label a live edit made, from its event in events.csv: kind and
 * detail ("lr 0.1..1 -> 0.1..1.25" gives "max 1.25"; "weight decay 0.0001
 * -> 0.0003" gives "wd 0.0003"); the bare name when the detail does not
 * parse. Returns false for an event that is not an edit. */
bool session_edit_label(const char *kind, const char *detail, char *out, size_t len);

/* Copies the status snapshot (one short lock). */
void session_get_status(session *s, session_status *out);
/* The metrics store, for mstore_read_since (it has its own lock). */
mstore *session_metrics(session *s);

/* Stops the thread after its current step; a training run or range test in
 * progress writes its checkpoint and an `interrupted` event (a range test
 * then its partial curve and suggestions); closes the run files,
 * frees everything. Returns 0, or -1 with `e` set when the run files could
 * not be written completely (disk full): the caller reports it once the
 * terminal is restored. */
int  session_stop(session *s, lr_err *e);

/* Names the reason the next session_stop gives in an interrupted run's
 * events.csv (e.g. "SIGHUP"); default "workbench closed". */
void session_set_stop_reason(session *s, const char *why);

const char *session_state_name(session_state st);

/* The next weight decay on the log grid 1e-5, 3e-5, 1e-4, 3e-4, 1e-3... up or
 * down from wd (a value off the grid moves to its nearest neighbour first);
 * below 1e-6 going down gives 0, and up from 0 gives 1e-5. */
double session_wd_step(double wd, bool up);

#endif
