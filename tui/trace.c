#include "tui/trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ACC_EMA_BETA 0.98 /* the smoothed loss's factor (engine/trainer.c) */

static void table_init(table *tb, int n_cols)
{
    memset(tb, 0, sizeof *tb);
    tb->n_cols = n_cols;
    tb->per = 1;
}

static void table_free(table *tb)
{
    for (int c = 0; c < tb->n_cols; c++) {
        free(tb->col[c]);
        free(tb->lo[c]);
        free(tb->hi[c]);
        free(tb->last[c]);
    }
    free(tb->count);
    table_init(tb, tb->n_cols);
}

static void table_empty(table *tb)
{
    tb->n = tb->n_buckets = tb->rows = tb->base = 0;
    tb->per = 1;
}

/* The summary's arrays, allocated at the first row (an unused table costs
 * nothing). */
static int table_alloc(table *tb)
{
    if (tb->count)
        return 0;
    tb->count = malloc(TABLE_BUCKETS * sizeof *tb->count);
    bool ok = tb->count != NULL;
    for (int c = 0; c < tb->n_cols; c++) {
        tb->col[c] = malloc(3 * TABLE_BUCKETS * sizeof(double));
        tb->lo[c] = malloc(TABLE_BUCKETS * sizeof(double));
        tb->hi[c] = malloc(TABLE_BUCKETS * sizeof(double));
        tb->last[c] = malloc(TABLE_BUCKETS * sizeof(double));
        ok = ok && tb->col[c] && tb->lo[c] && tb->hi[c] && tb->last[c];
    }
    if (!ok)
        table_free(tb);
    return ok ? 0 : -1;
}

/* Writes bucket b's points from col[][k] on; returns how many (1 or 3).
 * Column 0 is the x: the extremes are drawn at the bucket's first x and its
 * last, in the order that ends nearest the last value. */
static size_t bucket_points(table *tb, size_t b, size_t k)
{
    if (tb->count[b] == 1) {
        for (int c = 0; c < tb->n_cols; c++)
            tb->col[c][k] = tb->last[c][b];
        return 1;
    }
    tb->col[0][k] = tb->lo[0][b];
    tb->col[0][k + 1] = tb->col[0][k + 2] = tb->last[0][b];
    for (int c = 1; c < tb->n_cols; c++) {
        double lo = tb->lo[c][b], hi = tb->hi[c][b], last = tb->last[c][b];
        bool low_first = !(fabs(last - lo) < fabs(hi - last)); /* NaN: either */
        tb->col[c][k] = low_first ? lo : hi;
        tb->col[c][k + 1] = low_first ? hi : lo;
        tb->col[c][k + 2] = last;
    }
    return 3;
}

/* Merges neighbouring buckets pairwise: half the buckets, twice the rows
 * each; the points are rewritten. */
static void table_halve(table *tb)
{
    size_t m = 0;
    for (size_t b = 0; b < tb->n_buckets; b += 2, m++) {
        size_t e = b + 1 < tb->n_buckets ? b + 1 : b;
        for (int c = 0; c < tb->n_cols; c++) {
            double lo = tb->lo[c][b], hi = tb->hi[c][b];
            if (isnan(lo) || tb->lo[c][e] < lo)
                lo = tb->lo[c][e];
            if (isnan(hi) || tb->hi[c][e] > hi)
                hi = tb->hi[c][e];
            tb->lo[c][m] = lo;
            tb->hi[c][m] = hi;
            tb->last[c][m] = tb->last[c][e];
        }
        /* The x column's low end is where the pair starts. */
        tb->lo[0][m] = tb->lo[0][b];
        tb->count[m] = tb->count[b] + (e != b ? tb->count[e] : 0);
    }
    tb->n_buckets = m;
    tb->per *= 2;
    tb->n = 0;
    for (size_t b = 0; b < m; b++) {
        tb->base = tb->n;
        tb->n += bucket_points(tb, b, tb->n);
    }
}

/* Appends one row of tb->n_cols values (column 0, the x, non-decreasing). */
static int table_push(table *tb, const double *v)
{
    if (table_alloc(tb))
        return -1;
    size_t b = tb->n_buckets;
    if (b == 0 || tb->count[b - 1] >= tb->per) {
        if (b == TABLE_BUCKETS) {
            table_halve(tb);
            b = tb->n_buckets;
        }
        tb->base = tb->n;   /* the previous bucket's points are final */
        for (int c = 0; c < tb->n_cols; c++) {
            bool finite = isfinite(v[c]);
            tb->lo[c][b] = finite ? v[c] : (double)NAN;
            tb->hi[c][b] = finite ? v[c] : (double)NAN;
            tb->last[c][b] = v[c];
        }
        tb->lo[0][b] = v[0];
        tb->count[b] = 1;
        tb->n_buckets = b + 1;
    } else {
        b--;
        for (int c = 0; c < tb->n_cols; c++) {
            if (isfinite(v[c])) {
                if (isnan(tb->lo[c][b]) || v[c] < tb->lo[c][b])
                    tb->lo[c][b] = v[c];
                if (isnan(tb->hi[c][b]) || v[c] > tb->hi[c][b])
                    tb->hi[c][b] = v[c];
            }
            tb->last[c][b] = v[c];
        }
        tb->count[b]++;
    }
    tb->n = tb->base + bucket_points(tb, b, tb->base);
    tb->rows++;
    return 0;
}

void trace_init(run_trace *t)
{
    memset(t, 0, sizeof *t);
    table_init(&t->steps, ST_N);
    table_init(&t->evals, EV_N);
    table_init(&t->ests, ES_N);
    t->acc_ema = t->acc_weight = 0;
}

void trace_free(run_trace *t)
{
    free(t->exact);
    table_free(&t->steps);
    table_free(&t->evals);
    table_free(&t->ests);
    trace_init(t);
}

void trace_clear(run_trace *t)
{
    table_empty(&t->steps);
    table_empty(&t->evals);
    table_empty(&t->ests);
    t->n_exact = 0;
    t->acc_ema = t->acc_weight = 0;
}

static int push_exact(run_trace *t, trace_eval ev)
{
    if (t->n_exact == t->cap_exact) {
        size_t cap = t->cap_exact ? 2 * t->cap_exact : 256;
        trace_eval *p = realloc(t->exact, cap * sizeof *p);
        if (!p)
            return -1;
        t->exact = p;
        t->cap_exact = cap;
    }
    t->exact[t->n_exact++] = ev;
    return 0;
}

int trace_append(run_trace *t, const metrics_row *m)
{
    return trace_append_at(t, (double)m->iter, m);
}

int trace_append_at(run_trace *t, double it, const metrics_row *m)
{
    double acc = 100.0 * m->acc;
    if (isfinite(acc)) {
        t->acc_ema = ACC_EMA_BETA * t->acc_ema + (1 - ACC_EMA_BETA) * acc;
        t->acc_weight = ACC_EMA_BETA * t->acc_weight + (1 - ACC_EMA_BETA);
    }
    double acc_avg = t->acc_weight > 0 ? t->acc_ema / t->acc_weight : (double)NAN;
    double step[ST_N] = { it, m->lr, m->momentum, m->loss, m->loss_smooth, acc_avg };
    /* Other trainers' logs put held-out values on rows of their own. */
    bool trained = !isnan(m->loss) || !isnan(m->lr) || !isnan(m->loss_smooth) ||
                   !isnan(m->acc);
    if (trained && table_push(&t->steps, step))
        return -1;
    if (!isnan(m->test_acc)) {
        double ev[EV_N] = { it, m->lr, m->test_loss, 100.0 * m->test_acc };
        if (table_push(&t->evals, ev) ||
            push_exact(t, (trace_eval){ it, 100.0 * m->test_acc, m->test_loss }))
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
    if (!src->count)
        return 0;
    if (table_alloc(dst))
        return -1;
    for (int c = 0; c < src->n_cols; c++) {
        memcpy(dst->col[c], src->col[c], src->n * sizeof(double));
        memcpy(dst->lo[c], src->lo[c], src->n_buckets * sizeof(double));
        memcpy(dst->hi[c], src->hi[c], src->n_buckets * sizeof(double));
        memcpy(dst->last[c], src->last[c], src->n_buckets * sizeof(double));
    }
    memcpy(dst->count, src->count, src->n_buckets * sizeof *src->count);
    dst->n = src->n;
    dst->n_buckets = src->n_buckets;
    dst->per = src->per;
    dst->rows = src->rows;
    dst->base = src->base;
    return 0;
}

int trace_copy(run_trace *dst, const run_trace *src)
{
    if (table_copy(&dst->steps, &src->steps) || table_copy(&dst->evals, &src->evals) ||
        table_copy(&dst->ests, &src->ests)) {
        trace_free(dst);
        return -1;
    }
    for (size_t i = 0; i < src->n_exact; i++)
        if (push_exact(dst, src->exact[i])) {
            trace_free(dst);
            return -1;
        }
    dst->acc_ema = src->acc_ema;
    dst->acc_weight = src->acc_weight;
    dst->range_test = src->range_test;
    memcpy(dst->label, src->label, sizeof dst->label);
    return 0;
}

_Static_assert(sizeof(trace_eval) == 3 * sizeof(double), "read with a stride of 3 doubles");

/* Index of the last of n values x[0], x[stride], ... (non-decreasing) that
 * is <= v, or -1. */
static long last_at_or_before(const double *x, size_t n, size_t stride, double v)
{
    long lo = 0, hi = (long)n - 1, found = -1;
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        if (x[(size_t)mid * stride] <= v) {
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
    long s = last_at_or_before(t->steps.col[ST_ITER], t->steps.n, 1, (double)iter);
    if (s < 0)
        return false;
    long e = t->n_exact ? last_at_or_before(&t->exact[0].iter, t->n_exact,
                                            sizeof(trace_eval) / sizeof(double), (double)iter)
                        : -1;
    r->train_loss = t->steps.col[ST_SMOOTH][s];
    r->iter = e >= 0 ? (long)t->exact[e].iter : (long)t->steps.col[ST_ITER][s];
    r->test_acc = e >= 0 ? t->exact[e].acc : (double)NAN;
    r->test_loss = e >= 0 ? t->exact[e].loss : (double)NAN;
    return true;
}
