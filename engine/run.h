/* run.h — one training run or range test as a thing of its own: what it is
 * made of (the run spec) and its lifecycle in a folder.
 *
 *     run_open      creates the folder, writes `config` (through the front
 *                   end's writer: the option table owns the format), opens
 *                   metrics.csv and events.csv
 *     run_step      one step: replays the spec's edits due now, trains, logs
 *                   the row, records done/diverged, checkpoints at epoch ends,
 *                   every spec.checkpoint_minutes and at the end
 *     run_after_range_step  logs a range test's row (`range`), records its
 *                   stop, checkpoints as run_step does: its checkpoints also
 *                   hold the sweep and the curve so far
 *     run_edit      a live edit: validated, applied, recorded as an event and
 *                   as an `edit` line of config (so --config replays it)
 *     run_interrupt checkpoint + `interrupted` event
 *     run_resume    reopens a folder at its checkpoint: rows after it are
 *                   dropped, a `resumed` event is appended
 *     run_close     flushes and closes
 * The workbench session, `lrscope train`, `resume` and `range-test` all go
 * through these; the event texts are written here and nowhere else. */
#ifndef LRSCOPE_RUN_H
#define LRSCOPE_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/checkpoint.h"
#include "engine/err.h"
#include "engine/net.h"
#include "engine/rangetest.h"
#include "engine/run_spec.h"
#include "engine/runlog.h"
#include "engine/sched.h"
#include "engine/sgd.h"
#include "engine/trainer.h"

typedef struct run {
    run_spec          spec;        /* edits are appended as they happen */
    runlog            log;
    run_config_writer write_config;
    const rangetest  *range;       /* the range test this run is, once it has begun */
    int               edits_applied;
    uint32_t          config_digest;   /* of the config the run started from; 0: none */
    double            last_checkpoint; /* clock_seconds() */
    long              last_epoch;
    lr_err            checkpoint_error;  /* the latest checkpoint that failed */
    unsigned          checkpoint_failures, checkpoint_reported;
} run;

/* The digest a checkpoint keeps of the config in `dir`: a CRC-32 of its
 * setting lines, without comments, the edits appended as the run goes
 * (the checkpoint counts those it holds) and the settings a resume may
 * change (threads, checkpoint_every). A resume refuses a checkpoint whose
 * digest differs: the config was changed, or the checkpoint is another
 * run's. Returns 0, or -1 with `e` naming the file. */
int  run_config_digest(const char *dir, uint32_t *digest, lr_err *e);

/* Creates `dir`, writes config, opens the CSV files. Returns 0, or -1 with
 * `e` naming the path. */
int  run_open(run *r, const run_spec *spec, const char *dir, run_config_writer w, lr_err *e);

/* Applies the spec's edits due at t->iter, takes one step (a no-op when t is
 * not RUNNING), logs the row, records `done` or `diverged` and checkpoints
 * as described above. Returns 0, or -1 with `e` naming the file and the
 * system's reason when a run file could not be written: the caller stops the
 * run there (rows written are complete). A checkpoint that cannot be written
 * does not stop the run (the previous one is intact): it is reported by
 * run_checkpoint_problem. */
int  run_step(run *r, trainer *t, metrics_row *row, lr_err *e);

/* What run_step does after the trainer's step, for callers that step the
 * trainer themselves (the session, around range tests): logs the row,
 * records done/diverged, checkpoints. */
int  run_after_step(run *r, trainer *t, const metrics_row *row, lr_err *e);

/* After a step of the range test r->range (which the caller took): logs the
 * row, checkpoints at epoch ends and every spec.checkpoint_minutes, and when
 * the test has stopped records why (`diverged`: the loss became NaN or Inf;
 * `stopped`: the smoothed loss rose past the stop factor; nothing when it
 * completed) and then checkpoints, so a checkpoint of an ended test comes
 * after its event. Returns as run_after_step does. */
int  run_after_range_step(run *r, const trainer *t, const metrics_row *row, lr_err *e);

/* Applies a live edit to t at t->iter: checks it against a copy first
 * (sched_validate), then applies it, writes the event and the config line,
 * and puts a one-line description in detail[len]. Returns 0, or -1 with `e`
 * saying why and t unchanged. */
int  run_edit_apply(run *r, trainer *t, run_edit_kind kind, double a, double b,
                    char *detail, size_t len, lr_err *e);

/* Records an edit the caller already applied to the run's trainer (the
 * workbench session computes its own): appended to the spec and as an `edit`
 * line of config. Returns 0, or -1 with `e` when config could not be
 * written. Past RUN_MAX_EDITS edits the replay list stops growing (the
 * checkpoints still hold every edit in the schedule). */
int  run_edit_record(run *r, long iter, run_edit_kind kind, double a, double b, lr_err *e);

/* The message of a checkpoint that failed since the last call, or NULL. */
const char *run_checkpoint_problem(run *r);

/* Writes the checkpoint now (0, or -1 with `e`). */
int  run_checkpoint(run *r, const trainer *t, lr_err *e);

/* The run stops before its end: a checkpoint and the `interrupted` event
 * with `why`. Returns -1 with `e` when the checkpoint failed (the event is
 * written anyway). */
int  run_interrupt(run *r, const trainer *t, const char *why, lr_err *e);

/* Reopens the run in `dir` to continue t, which the caller restored from the
 * checkpoint `c` (spec read from dir's config): metrics.csv keeps its rows
 * before c->iter, events.csv those up to it, and a `resumed` event is
 * appended. Returns 0, or -1 with `e` naming the file. */
int  run_resume(run *r, const run_spec *spec, const char *dir, const checkpoint *c,
                run_config_writer w, lr_err *e);

/* Flushes and closes the files (0, or -1 with `e` when a write failed). */
int  run_close(run *r, lr_err *e);

/* dir/name into buf; returns -1 when it does not fit. */
int  run_path(char *buf, size_t len, const char *dir, const char *name);

#endif
