/* runlog.h — the files a run leaves behind, in one folder:
 *   metrics.csv  one row per iteration; blank cells where nothing was measured
 *   events.csv   live edits, restarts, divergence, one row each
 *   config       every setting, `key = value`, so the run can be repeated
 * CSV because every plotting tool and pandas reads it. Rows are buffered and
 * flushed at each evaluation and by runlog_flush(), so an interrupted run
 * keeps what it measured. */
#ifndef LRSCOPE_RUNLOG_H
#define LRSCOPE_RUNLOG_H

#include <stdio.h>

#include "engine/err.h"
#include "engine/trainer.h"

typedef struct runlog {
    char  dir[1024];
    FILE *metrics, *events;
} runlog;

extern const char runlog_metrics_header[];

/* Creates `dir` (and its parents) and opens the CSV files, writing their
 * headers. Returns 0, or -1 with `e` naming the path that failed. */
int   runlog_open(runlog *r, const char *dir, lr_err *e);

/* Makes a fresh folder name under `root`: root/YYYYmmdd-HHMMSS-<tag>, adding
 * -2, -3... when that exists. */
void  runlog_default_dir(char *buf, size_t len, const char *root, const char *tag);

/* Writes the settings a run uses (the front end formats them). */
typedef void (*runlog_config_writer)(FILE *f, const run_settings *rs, const void *ctx);

/* Writes `dir/config` through `write`, with rs's lr_estimate forced to 0 for
 * a sweep (the estimate is off during range tests). Returns 0, or -1 with
 * `e` naming the file when it could not be written completely. */
int   runlog_write_config(const runlog *r, runlog_config_writer write, run_settings rs,
                          const void *ctx, lr_err *e);

/* Appends one row (NaN cells blank); flushes after rows with a test
 * evaluation. No-op on a closed log. */
void  runlog_metrics(runlog *r, const metrics_row *m);
/* kind: "set_bounds", "restart", "diverged"...; detail: free text (no commas
 * needed: it is quoted). */
void  runlog_event(runlog *r, long iter, const char *kind, const char *detail);
/* The "done" event: iterations and the seconds spent in training steps
 * (pauses excluded), with the throughput they give. */
void  runlog_finished(runlog *r, long iters, double seconds, int batch);
void  runlog_flush(runlog *r);
/* Flushes and closes; returns -1 with `e` set when a write failed (disk full). */
int   runlog_close(runlog *r, lr_err *e);

/* Writes one CSV number: %.7g, or nothing for NaN. */
void  csv_number(FILE *f, double v);

#endif
