/* trace.h — the UI's copy of one run's metrics, as columns of doubles that
 * charts can borrow (chart.h series take x[] and y[] arrays).
 *
 * Three tables, because the quantities are measured at different rates:
 *   steps: every iteration   (iter, lr, momentum, loss, smoothed loss,
 *                             smoothed training accuracy)
 *   evals: test evaluations  (iter, lr, test loss, test accuracy)
 *   ests:  LR estimates      (iter, secant estimate, Hessian-vector estimate)
 * so each series is a dense line without NaN gaps. Accuracies are percent.
 * The UI thread appends the rows it copies from the session's metrics store;
 * columns grow by doubling. A finished run can be kept as a ghost: a run_trace
 * with a label, drawn dim behind the current run. */
#ifndef LRSCOPE_TRACE_H
#define LRSCOPE_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/trainer.h"

enum { ST_ITER, ST_LR, ST_MOM, ST_LOSS, ST_SMOOTH, ST_ACC, ST_N };
enum { EV_ITER, EV_LR, EV_LOSS, EV_ACC, EV_N };
enum { ES_ITER, ES_SECANT, ES_HVP, ES_N };

#define TABLE_MAX_COLS 6

typedef struct table {
    double *col[TABLE_MAX_COLS];
    int     n_cols;
    size_t  n, cap;
} table;

typedef struct run_trace {
    table  steps, evals, ests;
    double acc_ema;          /* running EMA of training accuracy, percent */
    bool   range_test;       /* read against the LR, not the iteration */
    char   label[64];
} run_trace;

void trace_init(run_trace *t);
void trace_free(run_trace *t);
void trace_clear(run_trace *t);
/* Appends one metrics row. Returns -1 when memory ran out. */
int  trace_append(run_trace *t, const metrics_row *m);
/* Makes dst (initialised, empty) a copy of src. Returns -1 when memory ran
 * out (dst is then empty). */
int  trace_copy(run_trace *dst, const run_trace *src);
/* Moves src into dst (dst freed first); src is left empty and usable. */
void trace_move(run_trace *dst, run_trace *src);

/* What a run had reached by iteration `iter` (its steps 0..iter): the last
 * test evaluation at or before it, and the smoothed training loss there. */
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
