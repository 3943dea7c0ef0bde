/* trace.h — the UI's copy of one run's metrics, as columns of doubles that
 * charts can borrow (chart.h series take x[] and y[] arrays).
 *
 * Three tables, because the quantities are measured at different rates:
 *   steps: every iteration   (iter, lr, momentum, loss, smoothed loss,
 *                             smoothed training accuracy)
 *   evals: test evaluations  (iter, lr, test loss, test accuracy)
 *   ests:  LR estimates      (iter, secant estimate, Hessian-vector estimate)
 * so each series is a dense line without NaN gaps. Accuracies are percent.
 *
 * DESIGN. A table does not keep every row: it keeps a summary of at most
 * TABLE_BUCKETS buckets, each covering `per` consecutive rows (1, 2, 4...)
 * with, per column, the minimum, the maximum and the last value. When the
 * buckets are all used, neighbours merge pairwise and `per` doubles, so a
 * run of any length costs the same memory, and rows are added in O(1)
 * amortised. Full-resolution rows stay in the run's metrics.csv.
 * What charts borrow (col[c][0..n)) is the summary drawn as points: one per
 * bucket of one row, else three at the bucket (its two extremes, then its
 * last value), so a line through them covers each bucket's whole range and
 * ends on the latest value. A frame therefore reads at most 3 TABLE_BUCKETS
 * points per series, whatever the run's length; the points are kept up to
 * date as rows arrive, so drawing builds nothing.
 *
 * The UI thread appends the rows it copies from the session's metrics store
 * or reads from a followed file. A finished run can be kept as a ghost: a
 * run_trace with a label, drawn dim behind the current run. */
#ifndef LRSCOPE_TRACE_H
#define LRSCOPE_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/trainer.h"

enum { ST_ITER, ST_LR, ST_MOM, ST_LOSS, ST_SMOOTH, ST_ACC, ST_N };
enum { EV_ITER, EV_LR, EV_LOSS, EV_ACC, EV_N };
enum { ES_ITER, ES_SECANT, ES_HVP, ES_N };

#define TABLE_MAX_COLS 6
#define TABLE_BUCKETS 1024

typedef struct table {
    double   *col[TABLE_MAX_COLS];  /* the points charts draw: [3 TABLE_BUCKETS] */
    size_t    n;                    /* points in col[] */
    int       n_cols;
    /* The summary: per bucket and column, min, max and last; rows per bucket. */
    double   *lo[TABLE_MAX_COLS], *hi[TABLE_MAX_COLS], *last[TABLE_MAX_COLS];
    unsigned *count;
    size_t    n_buckets, per, rows;  /* buckets used, rows per full bucket, rows in all */
    size_t    base;                  /* first point of the last bucket */
} table;

/* One test evaluation, kept exactly: what the comparison line reads (the
 * evals table's points are a summary once a run has more than
 * TABLE_BUCKETS of them). */
typedef struct trace_eval {
    double iter, acc, loss;
} trace_eval;

typedef struct run_trace {
    table  steps, evals, ests;
    trace_eval *exact;          /* every evaluation, in order */
    size_t n_exact, cap_exact;
    double acc_ema, acc_weight; /* training accuracy's running average (percent) and the
                                   weight it has gathered: the average is
                                   acc_ema / acc_weight, bias-corrected as the
                                   smoothed loss is */
    bool   range_test;       /* read against the LR, not the iteration */
    char   label[64];
} run_trace;

void trace_init(run_trace *t);
void trace_free(run_trace *t);
void trace_clear(run_trace *t);
/* Appends one metrics row. Returns -1 when memory ran out. */
int  trace_append(run_trace *t, const metrics_row *m);
/* The same at an x that need not be an iteration count (an epoch, a step of
 * another trainer's log): m->iter is ignored. */
int  trace_append_at(run_trace *t, double x, const metrics_row *m);
/* Makes dst (initialised, empty) a copy of src. Returns -1 when memory ran
 * out (dst is then empty). */
int  trace_copy(run_trace *dst, const run_trace *src);
/* Moves src into dst (dst freed first); src is left empty and usable. */
void trace_move(run_trace *dst, run_trace *src);

/* What a run had reached by iteration `iter` (its steps 0..iter): the last
 * test evaluation at or before it, exactly as measured, and the smoothed
 * training loss there (from the summary). */
typedef struct trace_reading {
    long   iter;          /* the evaluation's iteration, or the last step's */
    double test_acc;      /* percent; NaN without an evaluation */
    double test_loss;     /* NaN without an evaluation */
    double train_loss;    /* smoothed; NaN without steps */
} trace_reading;

/* Reads t at `iter` (LONG_MAX: its end). Returns false when t has no step
 * at or before iter. */
bool trace_read_at(const run_trace *t, long iter, trace_reading *r);

#endif
