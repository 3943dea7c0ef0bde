/* runlog.h — the files a run leaves behind, in one folder:
 *   metrics.csv  one row per iteration; blank cells where nothing was measured
 *   events.csv   live edits, restarts, divergence, one row each
 *   config       every setting (written by engine/run through the front end)
 * CSV because every plotting tool and pandas reads it.
 *
 * Writes are checked where they happen. Each row reaches the file whole, in
 * one write(2), so an interrupted run keeps everything it measured. The
 * first write that fails (disk full, a file size limit) puts the log in a
 * failed state: the message names the file and the system's reason ("cannot
 * write runs/x/metrics.csv: No space left on device"), a partly written row
 * is cut off again so the file ends with a complete row, and every later
 * write is refused, so the caller stops the run at the first failure. */
#ifndef LRSCOPE_RUNLOG_H
#define LRSCOPE_RUNLOG_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/err.h"
#include "engine/trainer.h"

/* One CSV file of the log: a descriptor and the bytes known complete. */
typedef struct runlog_file {
    int   fd;          /* -1 when closed */
    long  good;        /* length of the complete rows written so far */
} runlog_file;

typedef struct runlog {
    char        dir[1024];
    runlog_file metrics, events;
    bool        open;
    bool        failed;   /* a write failed: error says which and why */
    lr_err      error;    /* "cannot write DIR/NAME: REASON" */
    const char *failed_file;   /* NAME alone, for short messages */
    int         failed_errno;
} runlog;

extern const char runlog_metrics_header[];

/* Creates `dir` (and its parents) and opens the CSV files, writing their
 * headers. Returns 0, or -1 with `e` naming the path that failed. Both this
 * and runlog_reopen lock the folder until runlog_close: one writing process
 * at a time, a second one refused before it changes a file. */
int   runlog_open(runlog *r, const char *dir, lr_err *e);
/* A new run never writes over another: -1 (with e set) when folder `dir`
 * holds a run's files (runlog_open refuses it before anything in it
 * changes; resuming reopens it instead), else 0. */
int   runlog_refuse_used(const char *dir, lr_err *e);

/* Makes a fresh folder name under `root`: root/YYYYmmdd-HHMMSS-<tag>, adding
 * -2, -3... when that exists. */
void  runlog_default_dir(char *buf, size_t len, const char *root, const char *tag);

/* Reopens the files of the run in `dir` to continue it after `iter` steps:
 * metrics.csv keeps its rows of iterations before `iter`, events.csv those
 * up to `iter` (rows written after a checkpoint by a run that then crashed
 * are dropped, and a partial last line too); new rows are appended. Returns
 * 0, or -1 with `e` naming the file. */
int   runlog_reopen(runlog *r, const char *dir, long iter, lr_err *e);

/* Appends one row (NaN cells blank). Returns 0; -1 when this or an earlier
 * write failed (runlog_failed). No-op returning 0 on a closed log. */
int   runlog_metrics(runlog *r, const metrics_row *m);
/* kind: "set_bounds", "restart", "diverged"...; detail: free text (no commas
 * needed: it is quoted). Returns as runlog_metrics. */
int   runlog_event(runlog *r, long iter, const char *kind, const char *detail);
/* Rows are written as they come: nothing waits in a buffer. Returns -1 when
 * the log has failed, so callers that "flush" learn about it. */
int   runlog_flush(runlog *r);
/* The first write failure's message, or NULL while every write succeeded. */
const char *runlog_failed(const runlog *r);
/* Closes; returns -1 with `e` set to the first write failure (when e is not
 * NULL), 0 when every row was written. */
int   runlog_close(runlog *r, lr_err *e);

/* Reads back metrics.csv of the run in `dir`: calls row(m, ctx) for each
 * complete row (blank cells as NaN). Returns the number of rows, or -1 with
 * `e` naming the file. */
long  runlog_read_metrics(const char *dir, void (*row)(const metrics_row *m, void *ctx),
                          void *ctx, lr_err *e);

/* Reads back events.csv: calls event(iter, kind, detail, ctx) for each row.
 * Returns the number of rows, or -1 with `e` naming the file. */
long  runlog_read_events(const char *dir,
                         void (*event)(long iter, const char *kind, const char *detail,
                                       void *ctx),
                         void *ctx, lr_err *e);

/* Writes one CSV number: %.7g, or nothing for NaN. */
void  csv_number(FILE *f, double v);

#endif
