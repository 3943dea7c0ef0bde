#include "tui/trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void table_init(table *tb, int n_cols)
{
    memset(tb, 0, sizeof *tb);
    tb->n_cols = n_cols;
}

static void table_free(table *tb)
{
    for (int c = 0; c < tb->n_cols; c++)
        free(tb->col[c]);
    table_init(tb, tb->n_cols);
}

/* Appends one row of tb->n_cols values. */
static int table_push(table *tb, const double *v)
{
    if (tb->n == tb->cap) {
        size_t cap = tb->cap ? 2 * tb->cap : 1024;
        for (int c = 0; c < tb->n_cols; c++) {
            double *p = realloc(tb->col[c], cap * sizeof *p);
            if (!p)
                return -1;
            tb->col[c] = p;
        }
        tb->cap = cap;
    }
    for (int c = 0; c < tb->n_cols; c++)
        tb->col[c][tb->n] = v[c];
    tb->n++;
    return 0;
}

void trace_init(run_trace *t)
{
    memset(t, 0, sizeof *t);
    table_init(&t->steps, ST_N);
    table_init(&t->evals, EV_N);
    table_init(&t->ests, ES_N);
    t->acc_ema = NAN;
}

void trace_free(run_trace *t)
{
    table_free(&t->steps);
    table_free(&t->evals);
    table_free(&t->ests);
    trace_init(t);
}

void trace_clear(run_trace *t)
{
    t->steps.n = t->evals.n = t->ests.n = 0;
    t->acc_ema = NAN;
}

int trace_append(run_trace *t, const metrics_row *m)
{
    double acc = 100.0 * m->acc;
    if (isfinite(acc))
        t->acc_ema = isnan(t->acc_ema) ? acc : 0.98 * t->acc_ema + 0.02 * acc;
    double it = (double)m->iter;
    double step[ST_N] = { it, m->lr, m->momentum, m->loss, m->loss_smooth, t->acc_ema };
    if (table_push(&t->steps, step))
        return -1;
    if (!isnan(m->test_acc)) {
        double ev[EV_N] = { it, m->lr, m->test_loss, 100.0 * m->test_acc };
        if (table_push(&t->evals, ev))
            return -1;
    }
    if (!isnan(m->lr_est_secant) || !isnan(m->lr_est_hvp)) {
        double es[ES_N] = { it, m->lr_est_secant, m->lr_est_hvp };
        if (table_push(&t->ests, es))
            return -1;
    }
    return 0;
}

void trace_move(run_trace *dst, run_trace *src)
{
    trace_free(dst);
    *dst = *src;
    memset(src, 0, sizeof *src);
    trace_init(src);
}

static int table_copy(table *dst, const table *src)
{
    double row[TABLE_MAX_COLS];
    for (size_t i = 0; i < src->n; i++) {
        for (int c = 0; c < src->n_cols; c++)
            row[c] = src->col[c][i];
        if (table_push(dst, row))
            return -1;
    }
    return 0;
}

int trace_copy(run_trace *dst, const run_trace *src)
{
    if (table_copy(&dst->steps, &src->steps) || table_copy(&dst->evals, &src->evals) ||
        table_copy(&dst->ests, &src->ests)) {
        trace_free(dst);
        return -1;
    }
    dst->acc_ema = src->acc_ema;
    dst->range_test = src->range_test;
    memcpy(dst->label, src->label, sizeof dst->label);
    return 0;
}

/* Index of the last row of tb whose column 0 (the iteration) is <= iter, or -1. */
static long last_at_or_before(const table *tb, long iter)
{
    long lo = 0, hi = (long)tb->n - 1, found = -1;
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        if (tb->col[0][mid] <= (double)iter) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return found;
}

bool trace_read_at(const run_trace *t, long iter, trace_reading *r)
{
    long s = last_at_or_before(&t->steps, iter);
    if (s < 0)
        return false;
    long e = last_at_or_before(&t->evals, iter);
    r->train_loss = t->steps.col[ST_SMOOTH][s];
    r->iter = e >= 0 ? (long)t->evals.col[EV_ITER][e] : (long)t->steps.col[ST_ITER][s];
    r->test_acc = e >= 0 ? t->evals.col[EV_ACC][e] : (double)NAN;
    r->test_loss = e >= 0 ? t->evals.col[EV_LOSS][e] : (double)NAN;
    return true;
}
