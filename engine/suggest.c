/* suggest.c — reading a range-test curve: Smith's (base, max) pair and the
 * super-convergence signature; the readings of the training loss come from
 * readings.c. The rules and the reasons for their
 * thresholds are in rangetest.h; this file only computes.
 * Every suggestion is a point of the curve (or a fixed fraction of one), so a
 * curve of finite values gives finite suggestions or NaN, never Inf. */
#include "engine/rangetest.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SMITH_RISE_FRAC    0.15 /* base: start + 15% of the range */
#define SMITH_TOL_FRAC     0.05 /* plateau/max: within 5% of the range of the peak */
#define SMITH_MIN_ACC_RANGE 0.02 /* accuracy must vary by 2 points to be read */
/* Read on the loss (few evaluations), its smoothed value must fall by 5 %: its
 * start is one batch's loss, a few per cent from the mean either way. */
#define SMITH_MIN_LOSS_DROP 0.05
#define SIG_TAIL_FRAC      0.20 /* the tail: last 20% of the LRs reached */
#define SIG_MIN_RATIO      (2.0 / 3.0) /* tail accuracy >= 2/3 of the peak */
#define MEDIAN_MAX_WIN     5

static void note(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n), n >= 1; v is reordered. */
static double median_inplace(double *v, long n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* out[k] = median of y over a window of `win` (odd) points centred on k.
 * Near either end the window shrinks symmetrically (1 point at k = 0 and at
 * k = m-1): the step from the evaluation before any training (chance
 * accuracy) to the first trained one survives, and so does a collapse at the
 * end of a sweep, which must not be smoothed away into a "max" at the last
 * LR. */
static void running_median(const double *y, long m, int win, double *out)
{
    for (long k = 0; k < m; k++) {
        long h = win / 2;
        if (h > k)
            h = k;
        if (h > m - 1 - k)
            h = m - 1 - k;
        double w[MEDIAN_MAX_WIN];
        int cnt = 0;
        for (long j = k - h; j <= k + h; j++)
            w[cnt++] = y[j];
        out[k] = median_inplace(w, cnt);
    }
}

/* 3-point centred mean; the first point is kept, the last averages two. */
static void running_mean3(const double *y, long m, double *out)
{
    for (long k = 0; k < m; k++) {
        if (k == 0 || m < 2)
            out[k] = y[k];
        else if (k == m - 1)
            out[k] = 0.5 * (y[k - 1] + y[k]);
        else
            out[k] = (y[k - 1] + y[k] + y[k + 1]) / 3.0;
    }
}

void rangetest_smoothed_accuracy(const rangetest_curve *c, double *tmp, double *out)
{
    long m = c->n_eval;
    if (m < 3) {
        memcpy(out, c->eval_acc, (size_t)m * sizeof *out);
        return;
    }
    running_median(c->eval_acc, m, m >= 15 ? 5 : 3, tmp);
    running_mean3(tmp, m, out);
}

/* ---- Smith -------------------------------------------------------------- */

/* Reads base/plateau/max from x[0..m) with smoothed y; `up` says whether
 * higher y is better (accuracy) or lower (loss). Returns false when the curve
 * never improves on its start. */
static bool smith_read(const double *x, const double *y, long m, bool up, rangetest_smith *r)
{
    double sign = up ? 1.0 : -1.0;
    long p = 0;
    for (long k = 1; k < m; k++)
        if (sign * y[k] > sign * y[p])
            p = k;
    long a = 0;
    for (long k = 1; k <= p; k++)
        if (sign * y[k] < sign * y[a])
            a = k;
    double range = sign * (y[p] - y[a]);
    if (!(range > 0.0))
        return false;
    double tol = SMITH_TOL_FRAC * range;
    long b = a + 1;
    while (b < p && sign * (y[b] - y[a]) < SMITH_RISE_FRAC * range)
        b++;
    long pl = b;
    while (pl < p && sign * (y[p] - y[pl]) > tol)
        pl++;
    long mx = p;
    while (mx + 1 < m && sign * (y[p] - y[mx + 1]) <= tol)
        mx++;
    r->start_value = y[a];
    r->tolerance = tol;
    r->base_lr = x[b];
    r->base_value = y[b];
    r->plateau_lr = x[pl];
    r->plateau_value = y[pl];
    r->peak_lr = x[p];
    r->peak_value = y[p];
    r->max_lr = x[mx];
    r->max_value = y[mx];
    r->base_at_first = b == a + 1;
    r->max_at_end = mx == m - 1;
    return true;
}

static void smith_clear(rangetest_smith *r)
{
    memset(r, 0, sizeof *r);
    r->basis = RANGETEST_FROM_NONE;
    r->base_lr = r->base_value = r->max_lr = r->max_value = NAN;
    r->plateau_lr = r->plateau_value = r->peak_lr = r->peak_value = NAN;
    r->start_value = r->tolerance = r->acc_lo = r->acc_hi = r->loss_drop = NAN;
    r->clr_base_lo = r->clr_base_hi = r->onecycle_base_lo = r->onecycle_base_hi = NAN;
}

/* acc_s: the smoothed accuracy [n_eval] (when n_eval >= 3; else unused). */
static void suggest_smith(const rangetest_curve *c, const double *acc_s, rangetest_smith *r)
{
    smith_clear(r);
    long m = c->n_eval;
    char why[120] = "";
    if (m >= RANGETEST_MIN_EVALS) {
        double lo = acc_s[0], hi = acc_s[0];
        for (long k = 1; k < m; k++) {
            lo = fmin(lo, acc_s[k]);
            hi = fmax(hi, acc_s[k]);
        }
        if (hi - lo < SMITH_MIN_ACC_RANGE) {
            r->did_not_learn = true;
            r->acc_lo = lo;
            r->acc_hi = hi;
            note(r->note, sizeof r->note, "held-out accuracy stayed within %.1f-%.1f %% over "
                 "%ld evaluations: the network did not learn in this sweep (a slower sweep, "
                 "or one to a smaller LR such as --lr-max %.3g, reaches the LRs it trains at)",
                 100.0 * lo, 100.0 * hi, m, c->lr_max / 10.0);
            return;
        }
        if (smith_read(c->eval_lr, acc_s, m, true, r)) {
            r->basis = RANGETEST_FROM_ACC;
            note(r->note, sizeof r->note, "read from held-out accuracy (%ld evaluations, "
                 "running median then 3-point mean)", m);
        } else {
            note(why, sizeof why, "held-out accuracy never rose above its start");
        }
    } else {
        note(why, sizeof why, "only %ld held-out evaluations (%d needed)", m,
             RANGETEST_MIN_EVALS);
    }
    if (r->basis == RANGETEST_FROM_NONE && c->n >= 2) {
        bool read = smith_read(c->lr, c->loss_smooth, c->n, false, r);
        double from = r->start_value, to = r->peak_value, drop = 1.0 - to / from;
        if (read && drop < SMITH_MIN_LOSS_DROP) {
            smith_clear(r);
            r->did_not_learn = true;
            r->loss_drop = drop;
            r->start_value = from;
            r->peak_value = to;
            note(r->note, sizeof r->note, "%s, and the smoothed training loss fell only "
                 "%.1f %% (%.4g to %.4g, %.0f %% needed): the network did not learn in this "
                 "sweep", why, 100.0 * drop, from, to, 100.0 * SMITH_MIN_LOSS_DROP);
        } else if (read) {
            r->basis = RANGETEST_FROM_LOSS;
            note(r->note, sizeof r->note, "%s: read from the smoothed training loss instead",
                 why);
        } else {
            note(r->note, sizeof r->note, "%s, and the training loss never fell", why);
        }
    } else if (r->basis == RANGETEST_FROM_NONE) {
        note(r->note, sizeof r->note, "%s, and too few steps to read the loss", why);
    }
    if (r->basis != RANGETEST_FROM_NONE) {
        r->clr_base_lo = r->max_lr / 4.0;
        r->clr_base_hi = r->max_lr / 3.0;
        r->onecycle_base_lo = r->max_lr / 20.0;
        r->onecycle_base_hi = r->max_lr / 10.0;
    }
}

/* ---- signature ---------------------------------------------------------- */

static void suggest_signature(const rangetest_curve *c, const double *acc_s, double *tmp,
                              rangetest_signature *g)
{
    memset(g, 0, sizeof *g);
    g->verdict = RANGETEST_SIG_UNKNOWN;
    g->lr_reached = g->tail_from = g->tail_acc = g->peak_acc = g->ratio = NAN;
    if (c->n == 0) {
        note(g->note, sizeof g->note, "no step was recorded");
        return;
    }
    g->lr_reached = c->lr[c->n - 1];
    for (long i = 0; i < c->n; i++)
        g->n_large += c->lr[i] >= RANGETEST_SIG_LR;
    bool diverged = c->stop == RANGETEST_NONFINITE || c->stop == RANGETEST_LOSS_ROSE;
    if (g->n_large < RANGETEST_SIG_STEPS) {
        if (diverged) {
            g->verdict = RANGETEST_SIG_ABSENT;
            note(g->note, sizeof g->note, "the sweep diverged (%s) at lr %.3g, after %ld "
                 "steps at lr >= %g", rangetest_stop_name(c->stop), c->stop_lr, g->n_large,
                 RANGETEST_SIG_LR);
        } else {
            note(g->note, sizeof g->note, "the sweep took %ld steps at lr >= %g (it ended at "
                 "lr %.3g); the signature needs %d: use a linear sweep past %g",
                 g->n_large, RANGETEST_SIG_LR, g->lr_reached, RANGETEST_SIG_STEPS,
                 RANGETEST_SIG_LR);
        }
        return;
    }
    long m = c->n_eval;
    if (m < 3) {
        note(g->note, sizeof g->note, "only %ld held-out evaluations", m);
        return;
    }
    if (c->policy == SCHED_SWEEP_EXP && c->lr_min > 0.0)
        g->tail_from = c->lr_min * pow(g->lr_reached / c->lr_min, 1.0 - SIG_TAIL_FRAC);
    else
        g->tail_from = c->lr_min + (1.0 - SIG_TAIL_FRAC) * (g->lr_reached - c->lr_min);
    g->tail_from = fmax(g->tail_from, RANGETEST_SIG_LR);
    long nt = 0;
    for (long k = 0; k < m; k++)
        if (c->eval_iter[k] > 0 && c->eval_lr[k] >= g->tail_from)
            tmp[nt++] = c->eval_acc[k];
    g->n_tail = (int)nt;
    g->peak_acc = acc_s[0];
    double lowest = acc_s[0];
    for (long k = 1; k < m; k++) {
        g->peak_acc = fmax(g->peak_acc, acc_s[k]);
        lowest = fmin(lowest, acc_s[k]);
    }
    if (g->peak_acc - lowest < SMITH_MIN_ACC_RANGE) {
        /* a net that never learned has no accuracy to hold at large LRs */
        note(g->note, sizeof g->note, "held-out accuracy never rose by %.0f points (it stayed "
             "within %.1f-%.1f %%): the network did not learn in this sweep",
             100.0 * SMITH_MIN_ACC_RANGE, 100.0 * lowest, 100.0 * g->peak_acc);
        return;
    }
    if (nt < 2) {
        note(g->note, sizeof g->note, "fewer than 2 held-out evaluations above lr %.3g",
             g->tail_from);
        return;
    }
    g->tail_acc = median_inplace(tmp, nt);
    g->ratio = g->peak_acc > 0.0 ? g->tail_acc / g->peak_acc : 0.0;
    if (g->ratio >= SIG_MIN_RATIO) {
        g->verdict = RANGETEST_SIG_PRESENT;
        note(g->note, sizeof g->note, "accuracy at lr %.3g-%.3g holds %.0f%% of its peak%s",
             g->tail_from, g->lr_reached, 100.0 * g->ratio,
             diverged ? " (then the loss diverged)" : "");
    } else {
        g->verdict = RANGETEST_SIG_ABSENT;
        note(g->note, sizeof g->note, "accuracy at lr %.3g-%.3g falls to %.0f%% of its peak",
             g->tail_from, g->lr_reached, 100.0 * g->ratio);
    }
}

void rangetest_suggest(const rangetest_curve *c, rangetest_suggestions *s)
{
    memset(s, 0, sizeof *s);
    rangetest_read_loss(c, s);
    /* work: [0, cap+1) was scratch for the loss rules; the accuracy curves go after. */
    double *acc_s = c->work + (c->cap + 1), *tmp = c->work + 2 * (c->cap + 1);
    if (c->n_eval >= 3)
        rangetest_smoothed_accuracy(c, tmp, acc_s);
    suggest_smith(c, acc_s, &s->smith);
    suggest_signature(c, acc_s, tmp, &s->sig);
}

double rangetest_offer_max(const rangetest_suggestions *s)
{
    if (s->smith.did_not_learn)
        return NAN;
    const double candidates[] = { s->smith.plateau_lr, s->smith.max_lr, s->valley_star.lr };
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        if (isfinite(candidates[i]) && candidates[i] > 0)
            return candidates[i];
    return NAN;
}
