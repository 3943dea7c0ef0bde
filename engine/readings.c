/* readings.c — the readings of a range test's training loss: lrscope's
 * valley* and steep*, and those of the two LR finders practitioners already
 * use, computed as those tools compute them: fastai 2.7's lr_find suggestions
 * (valley, slide, steep, minimum; fastai/callback/schedule.py, with the
 * Recorder's smoothed loss of fastai/learner.py) and torch-lr-finder 0.2.2's
 * steepest-gradient point (torch_lr_finder/lr_finder.py, range_test and
 * plot). Written from their published rules, which rangetest.h states in
 * words; tests/reference_readings.py implements the same rules independently
 * in numpy and the golden tables it writes hold the points they must give.
 *
 * Each tool is read on the record it would have made of this sweep: its own
 * divergence stop cuts the curve, a NaN loss makes it record NaN to the end of
 * the planned sweep (neither tool stops on NaN), an infinite loss makes its
 * smoothed loss infinite, which its stop rule records and then stops on. Only
 * the finite prefix is in the curve; the rest is known from curve.stop. */
#include "engine/rangetest.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FASTAI_STOP_FACTOR  4.0     /* LRFinder.after_batch: smooth_loss > 4*best_loss */
#define FASTAI_SKIP_END     5       /* lr_find: losses[num_it//10:-5] */
#define SLIDE_LR_DIFF       15      /* slide(lr_diff=15, thresh=.005, adjust_value=1.) */
#define SLIDE_THRESH        0.005
#define SLIDE_ADJUST        1.0
#define LRF_STOP_FACTOR     5.0     /* range_test(diverge_th=5) */
#define LRF_SKIP_START      10      /* plot(skip_start=10, skip_end=5) */
#define LRF_SKIP_END        5
#define OWN_SKIP_FRAC       0.10    /* valley*, steep*: the first 10% of the recorded
                                       points left out */
#define OWN_SKIP_TAIL       5       /* and the last 5 */
#define OWN_MIN_POINTS      5       /* points the window needs for either rule */
#define VALLEY_MIN_POINTS   3       /* valley*: a descent has at least 3 points */
#define STEEP_SPAN_FRAC     0.02    /* steep*: slope over 2% of the window's ln(lr) span */

/* A tool's record of the sweep: len points; those at nan_from and after are
 * NaN (nan_from >= len: none); those below are the curve's points, except an
 * infinite last point when the sweep's loss became infinite. own_stop: the
 * step where the tool's stop rule fired, or -1. */
typedef struct tool_record {
    long len, nan_from, own_stop;
} tool_record;

static void note_add(rangetest_window *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note_add(rangetest_window *w, const char *fmt, ...)
{
    size_t used = strlen(w->note);
    if (used + 3 >= sizeof w->note)
        return;
    if (used) {
        strcpy(w->note + used, "; ");
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->note + used, sizeof w->note - used, fmt, ap);
    va_end(ap);
}

static rangetest_pick no_pick(void)
{
    return (rangetest_pick){ .index = -1, .lr = NAN, .curve_lr = NAN, .loss = NAN,
                             .slope = NAN, .span_lo = NAN, .span_hi = NAN, .n_points = 0 };
}

static rangetest_pick pick_point(const rangetest_curve *c, const double *sm, long i)
{
    rangetest_pick p = no_pick();
    p.index = i;
    p.lr = p.curve_lr = c->lr[i];
    p.loss = sm[i];
    return p;
}

/* The record a tool with smoothed loss sm[0, n) and stop factor `factor`
 * would have made; says in w's note how the curve and the record differ. */
static tool_record tool_record_of(const rangetest_curve *c, const double *sm, double factor,
                                  const char *tool, rangetest_window *w)
{
    tool_record r = { .len = c->n, .nan_from = c->n, .own_stop = -1 };
    double best = INFINITY;
    for (long i = 0; i < c->n; i++) {
        if (sm[i] < best)
            best = sm[i];
        if (sm[i] > factor * best) {
            r.len = r.nan_from = i + 1;
            r.own_stop = i;
            if (i + 1 < c->n || c->stop != RANGETEST_LOSS_ROSE)
                note_add(w, "%s would have stopped at step %ld (smoothed loss above %gx "
                            "its best)", tool, i, factor);
            return r;
        }
    }
    switch (c->stop) {
    case RANGETEST_NONFINITE:
        if (isnan(c->stop_loss)) {
            r.len = c->n_planned > c->n ? c->n_planned : c->n;
            note_add(w, "the loss became NaN at step %ld: %s records NaN from there to "
                        "the end of the sweep and reads what comes before", c->n, tool);
        } else {
            r.len = r.nan_from = c->n + 1;  /* the infinite point, recorded, then stop */
        }
        break;
    case RANGETEST_LOSS_ROSE:
        note_add(w, "the sweep stopped at step %ld on lrscope's rule before %s's own "
                    "would have: it reads the shorter curve", c->stop_iter, tool);
        break;
    case RANGETEST_CANCELLED:
    case RANGETEST_RUNNING:
        note_add(w, "the sweep was stopped at step %ld: %s reads the partial curve", c->n,
                 tool);
        break;
    default:
        break;
    }
    return r;
}

/* ---- fastai 2.7 ----------------------------------------------------------- */

/* The longest strictly decreasing subsequence of f[0, m), in O(m log m)
 * (patience sorting: tail[k] is the largest last value of a
 * decreasing subsequence of length k+1 so far, strictly decreasing in k,
 * tail_i[k] its index). Returns its length (0 when m is 0) and in *end the
 * first index where a subsequence that long ends, as fastai's loop keeps it.
 * With prev (and tail_i) given, prev[i] is the point before i in the
 * subsequence ending at i, -1 at its first point. */
static long longest_descent(const double *f, long m, double *tail, long *tail_i, long *prev,
                            long *end)
{
    long n_tails = 0, best_len = 0;
    *end = 0;
    for (long i = 0; i < m; i++) {
        long lo = 0, hi = n_tails;       /* first k with tail[k] <= f[i] */
        while (lo < hi) {
            long mid = (lo + hi) / 2;
            if (tail[mid] <= f[i])
                hi = mid;
            else
                lo = mid + 1;
        }
        if (prev) {
            prev[i] = lo > 0 ? tail_i[lo - 1] : -1;
            tail_i[lo] = i;
        }
        tail[lo] = f[i];
        if (lo == n_tails)
            n_tails++;
        if (lo + 1 > best_len) {
            best_len = lo + 1;
            *end = i;
        }
    }
    return best_len;
}

/* fastai's valley on f[0, m), m >= 1: start = end - length, span = length;
 * while no subsequence is longer than 1, fastai's start and end stay 0. The
 * pick is start + int(span/3) + int(span/3/2); a negative index counts from
 * the end, as Python's does. */
static long fastai_valley_index(const double *f, long m, double *tail, long *start_out,
                                long *end_out, long *len_out)
{
    long end, len = longest_descent(f, m, tail, NULL, NULL, &end);
    long start = len > 1 ? end - len : 0;
    long span = len > 1 ? len : 0;
    double sections = (double)span / 3.0;
    long idx = start + (long)sections + (long)(sections / 2.0);
    *start_out = start;
    *end_out = end;
    *len_out = len;
    return idx < 0 ? idx + m : idx;
}

/* numpy.gradient(f) at j, unit spacing: one-sided at the ends. m >= 2. */
static double np_gradient_at(const double *f, long m, long j)
{
    if (j == 0)
        return f[1] - f[0];
    if (j == m - 1)
        return f[m - 1] - f[m - 2];
    return (f[j + 1] - f[j - 1]) / 2.0;
}

static void read_fastai(const rangetest_curve *c, rangetest_suggestions *s)
{
    rangetest_window *w = &s->fastai;
    s->valley = s->slide = s->steep = s->minimum = no_pick();
    tool_record r = tool_record_of(c, c->loss_smooth, FASTAI_STOP_FACTOR, "fastai", w);
    long from = c->n_planned / 10;
    long to = r.len - FASTAI_SKIP_END > 0 ? r.len - FASTAI_SKIP_END : 0;
    if (r.nan_from < to)
        to = r.nan_from;                 /* lr_find cuts at the first NaN */
    w->from = from;
    w->to = to;
    long m = to - from;
    if (m < 1) {
        note_add(w, "fastai's lr_find would fail: nothing is left of its %ld recorded "
                    "points after dropping the first %ld and the last %d%s", r.len, from,
                 FASTAI_SKIP_END, r.nan_from < r.len ? " and cutting at the first NaN" : "");
        return;
    }
    const double *f = c->loss_smooth + from;
    const double *lr = c->lr + from;

    long start, end, len;
    long v = fastai_valley_index(f, m, c->work, &start, &end, &len);
    s->valley = pick_point(c, c->loss_smooth, from + v);
    s->valley.span_lo = lr[start > 0 ? start : 0];
    s->valley.span_hi = lr[end];
    s->valley.n_points = len;

    long best = 0;
    for (long i = 1; i < m; i++)
        if (f[i] < f[best])
            best = i;
    s->minimum = pick_point(c, c->loss_smooth, from + best);
    s->minimum.lr = s->minimum.curve_lr / 10.0;

    if (m < 2)
        note_add(w, "steep needs 2 points, 1 is left (fastai would fail)");
    else {
        long k = -1;
        double k_slope = INFINITY;
        for (long i = 0; i + 1 < m; i++) {
            double g = (f[i + 1] - f[i]) / (log(lr[i + 1]) - log(lr[i]));
            if (g < k_slope) {
                k_slope = g;
                k = i;
            }
        }
        if (k >= 0) {
            s->steep = pick_point(c, c->loss_smooth, from + k);
            s->steep.slope = k_slope;
        }
    }

    if (m < SLIDE_LR_DIFF + 1) {
        note_add(w, "slide needs %d points, %ld are left (fastai would fail)",
                 SLIDE_LR_DIFF + 1, m);
        return;
    }
    long rgt = m - 1, lft = rgt - SLIDE_LR_DIFF, at = lft;
    while (lft >= 0 &&
           fabs(np_gradient_at(f, m, rgt) - np_gradient_at(f, m, lft)) > SLIDE_THRESH) {
        at = lft;
        rgt--;
        lft--;
    }
    s->slide = pick_point(c, c->loss_smooth, from + at);
    s->slide.lr *= SLIDE_ADJUST;
    s->slide.slope = np_gradient_at(f, m, at);
}

/* ---- torch-lr-finder 0.2.2 ---------------------------------------------- */

static void read_lrfinder(const rangetest_curve *c, rangetest_suggestions *s)
{
    rangetest_window *w = &s->lrfinder;
    s->lr_finder = no_pick();
    double *sm = c->work;                /* its history's losses [n] */
    for (long i = 0; i < c->n; i++)
        sm[i] = i == 0 ? c->loss[0]
                       : RANGETEST_LRFINDER_SMOOTH * c->loss[i] +
                         (1.0 - RANGETEST_LRFINDER_SMOOTH) * sm[i - 1];
    tool_record r = tool_record_of(c, sm, LRF_STOP_FACTOR, "torch-lr-finder", w);
    w->from = LRF_SKIP_START;
    w->to = r.len - LRF_SKIP_END < r.nan_from ? r.len - LRF_SKIP_END : r.nan_from;
    if (r.len < LRF_SKIP_START + LRF_SKIP_END + 2) {
        note_add(w, "torch-lr-finder needs %d points to suggest (it would fail); its "
                    "record has %ld", LRF_SKIP_START + LRF_SKIP_END + 2, r.len);
        return;
    }
    /* np.gradient over the kept points, NaN past nan_from; np.argmin gives
     * the first NaN if there is one, else the first minimum. */
    const double *f = sm + LRF_SKIP_START;
    long m = r.len - LRF_SKIP_START - LRF_SKIP_END, finite = r.nan_from - LRF_SKIP_START;
    long best = -1;
    double best_g = INFINITY;
    bool nan_hit = false;
    for (long j = 0; j < m; j++) {
        if ((j == m - 1 ? j : j + 1) >= finite) {   /* the gradient there reads a NaN */
            best = j;
            nan_hit = true;
            break;
        }
        double g = np_gradient_at(f, m, j);
        if (g < best_g) {
            best_g = g;
            best = j;
        }
    }
    long i = LRF_SKIP_START + best;
    if (i >= c->n) {
        note_add(w, "torch-lr-finder would pick step %ld, where the loss was already NaN",
                 i);
        return;
    }
    s->lr_finder = pick_point(c, sm, i);
    s->lr_finder.slope = nan_hit ? (double)NAN : best_g;
    if (nan_hit)
        note_add(w, "its pick is the last point before the NaN: numpy's argmin returns "
                    "the first NaN of the gradient (not an LR to train at)");
}

/* ---- lrscope's valley* and steep* --------------------------------------- */

/* valley*: the longest strictly decreasing subsequence of the smoothed loss
 * over [from, to), at least VALLEY_MIN_POINTS long, from its true first
 * point; the pick splits that span as fastai does. */
static rangetest_pick valley_star(const rangetest_curve *c, long from, long to)
{
    long *tail_i = c->iwork, *prev = c->iwork + c->cap + 1, end;
    long len = longest_descent(c->loss_smooth + from, to - from, c->work, tail_i, prev, &end);
    if (len < VALLEY_MIN_POINTS)
        return no_pick();
    long first = end;
    while (prev[first] >= 0)
        first = prev[first];
    double sections = (double)(end - first) / 3.0;
    rangetest_pick p = pick_point(c, c->loss_smooth,
                                  from + first + (long)sections + (long)(sections / 2.0));
    p.span_lo = c->lr[from + first];
    p.span_hi = c->lr[from + end];
    p.n_points = len;
    return p;
}

/* steep*: the most negative d(loss)/d ln(lr) over [from, to), each slope from
 * point i to the first point at least `h` further in ln(lr); the pick is the
 * slope's left end, as in fastai. NaN when no slope is negative. */
static rangetest_pick steep_star(const rangetest_curve *c, long from, long to)
{
    double h = STEEP_SPAN_FRAC * (log(c->lr[to - 1]) - log(c->lr[from]));
    if (!(h > 0.0))
        return no_pick();
    long best = -1;
    double best_slope = INFINITY;
    long j = from + 1;
    for (long i = from; i < to - 1; i++) {
        if (j <= i)
            j = i + 1;
        double li = log(c->lr[i]);
        while (j < to && log(c->lr[j]) - li < h)
            j++;
        if (j == to)
            break;
        double slope = (c->loss_smooth[j] - c->loss_smooth[i]) / (log(c->lr[j]) - li);
        if (slope < best_slope) {
            best_slope = slope;
            best = i;
        }
    }
    if (best < 0 || !(best_slope < 0.0))
        return no_pick();
    rangetest_pick p = pick_point(c, c->loss_smooth, best);
    p.slope = best_slope;
    return p;
}

/* The first index of the lowest smoothed loss in [from, to). */
static long argmin_smooth(const rangetest_curve *c, long from, long to)
{
    long best = from;
    for (long i = from + 1; i < to; i++)
        if (c->loss_smooth[i] < c->loss_smooth[best])
            best = i;
    return best;
}

static void read_own(const rangetest_curve *c, rangetest_suggestions *s)
{
    rangetest_window *w = &s->own;
    memset(w, 0, sizeof *w);
    s->valley_star = s->steep_star = no_pick();
    long from = (long)(OWN_SKIP_FRAC * (double)c->n);
    long to = c->n - OWN_SKIP_TAIL;
    while (from < to && !(c->lr[from] > 0.0))  /* ln(lr) needs lr > 0 */
        from++;
    w->from = from;
    w->to = to;
    if (to - from < OWN_MIN_POINTS) {
        snprintf(w->note, sizeof w->note, "only %ld points are left after dropping the "
                 "first 10%% of the sweep and the last %d; %d are needed",
                 to > from ? to - from : 0, OWN_SKIP_TAIL, OWN_MIN_POINTS);
        return;
    }
    long min_at = argmin_smooth(c, from, to);
    s->valley_star = valley_star(c, from, to);
    /* steep* only up to the minimum: past it the loss rises overall, and a
     * descent there is a recovery from a spike, not an LR to train at. */
    if (min_at - from >= 2)
        s->steep_star = steep_star(c, from, min_at + 1);
    if (isnan(s->valley_star.lr) || isnan(s->steep_star.lr))
        snprintf(w->note, sizeof w->note, "%s%s",
                 isnan(s->valley_star.lr) ? "no descending stretch of 3 points; " : "",
                 isnan(s->steep_star.lr) ? "no descent before the minimum" : "");
}

void rangetest_read_loss(const rangetest_curve *c, rangetest_suggestions *s)
{
    memset(&s->fastai, 0, sizeof s->fastai);
    memset(&s->lrfinder, 0, sizeof s->lrfinder);
    read_fastai(c, s);
    read_lrfinder(c, s);
    read_own(c, s);
}

/* ---- choosing a reading ------------------------------------------------- */

static const char *const reading_names[RANGETEST_N_READINGS] = {
    [RANGETEST_READ_OFFER] = "offer", [RANGETEST_READ_SMITH] = "smith",
    [RANGETEST_READ_VALLEY] = "valley", [RANGETEST_READ_SLIDE] = "slide",
    [RANGETEST_READ_STEEP] = "steep", [RANGETEST_READ_MINIMUM] = "minimum",
    [RANGETEST_READ_LRFINDER] = "lr-finder", [RANGETEST_READ_VALLEY_STAR] = "valley*",
    [RANGETEST_READ_STEEP_STAR] = "steep*",
};

const char *rangetest_reading_name(rangetest_reading r)
{
    return (unsigned)r < RANGETEST_N_READINGS ? reading_names[r] : "?";
}

int rangetest_reading_parse(const char *name, rangetest_reading *r, lr_err *e)
{
    for (int i = 0; i < RANGETEST_N_READINGS; i++)
        if (!strcmp(name, reading_names[i])) {
            *r = (rangetest_reading)i;
            return 0;
        }
    return lr_fail(e, "reading '%s' is unknown: use offer, smith, valley, slide, steep, "
                      "minimum, lr-finder, valley* or steep*", name);
}

void rangetest_reading_lrs(const rangetest_suggestions *s, rangetest_reading r, double *lo,
                           double *hi)
{
    const rangetest_pick *picks[RANGETEST_N_READINGS] = {
        [RANGETEST_READ_VALLEY] = &s->valley, [RANGETEST_READ_SLIDE] = &s->slide,
        [RANGETEST_READ_STEEP] = &s->steep, [RANGETEST_READ_MINIMUM] = &s->minimum,
        [RANGETEST_READ_LRFINDER] = &s->lr_finder,
        [RANGETEST_READ_VALLEY_STAR] = &s->valley_star,
        [RANGETEST_READ_STEEP_STAR] = &s->steep_star,
    };
    *lo = *hi = NAN;
    if (r == RANGETEST_READ_OFFER) {
        *hi = rangetest_offer_max(s);
        *lo = *hi / 10.0;
    } else if (r == RANGETEST_READ_SMITH) {
        *lo = s->smith.base_lr;
        *hi = s->smith.max_lr;
    } else if ((unsigned)r < RANGETEST_N_READINGS && picks[r]) {
        *lo = *hi = picks[r]->lr;
    }
}

const char *rangetest_reading_note(const rangetest_suggestions *s, rangetest_reading r)
{
    switch (r) {
    case RANGETEST_READ_OFFER:
    case RANGETEST_READ_SMITH:
        return s->smith.note;
    case RANGETEST_READ_LRFINDER:
        return s->lrfinder.note;
    case RANGETEST_READ_VALLEY_STAR:
    case RANGETEST_READ_STEEP_STAR:
        return s->own.note;
    default:
        return s->fastai.note;
    }
}
