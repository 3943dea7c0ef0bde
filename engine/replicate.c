/* replicate.c — the arithmetic of replicate.h: run arguments, statistics
 * over seeds and the verdict rules. Every rule compares means; a difference
 * counts only when it exceeds the noise: the larger of the two runs' seed
 * spreads (sample standard deviation) and REP_NOISE_FLOOR. */
#include "engine/replicate.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const rep_suite *rep_suite_find(const char *name)
{
    for (int i = 0; i < rep_n_suites; i++)
        if (!strcmp(rep_suites[i].name, name))
            return &rep_suites[i];
    return NULL;
}

const rep_experiment *rep_experiment_find(const rep_suite *s, const char *id)
{
    for (int i = 0; i < s->n_exps; i++)
        if (!strcmp(s->exps[i].id, id))
            return &s->exps[i];
    return NULL;
}

/* The word after `opt` in args, into buf; 0, or -1 when absent. */
static int arg_value(const char *args, const char *opt, char *buf, size_t len)
{
    size_t n = strlen(opt);
    for (const char *p = strstr(args, opt); p; p = strstr(p + 1, opt)) {
        if ((p != args && p[-1] != ' ') || p[n] != ' ')
            continue;
        p += n + 1;
        size_t k = strcspn(p, " ");
        snprintf(buf, len, "%.*s", (int)k, p);
        return 0;
    }
    return -1;
}

long rep_run_iters(const rep_run *r)
{
    char v[32];
    return arg_value(r->args, "--iters", v, sizeof v) ? 0 : atol(v);
}

int rep_run_batch(const rep_run *r)
{
    char v[32];
    return arg_value(r->args, "--batch", v, sizeof v) ? 128 : atoi(v);
}

void rep_run_model(const rep_run *r, char *buf, size_t len)
{
    if (arg_value(r->args, "--model", buf, len))
        snprintf(buf, len, "mlp-bn:512,512");
}

int rep_stats(const rep_values *v, int i, double *mean, double *std)
{
    double sum = 0.0, sq = 0.0;
    int n = 0;
    for (int s = 0; s < v->n_seeds; s++)
        if (isfinite(v->v[i][s])) {
            sum += v->v[i][s];
            n++;
        }
    *mean = n ? sum / n : (double)NAN;
    for (int s = 0; s < v->n_seeds; s++)
        if (isfinite(v->v[i][s]))
            sq += (v->v[i][s] - *mean) * (v->v[i][s] - *mean);
    *std = n >= 2 ? sqrt(sq / (n - 1)) : (double)NAN;
    return n;
}

static double mean_of(const rep_values *v, int i)
{
    double m, s;
    rep_stats(v, i, &m, &s);
    return m;
}

/* The noise of comparing runs i and j. */
static double noise_of(const rep_values *v, int i, int j)
{
    double m, si, sj, n = REP_NOISE_FLOOR;
    rep_stats(v, i, &m, &si);
    rep_stats(v, j, &m, &sj);
    if (isfinite(si) && si > n)
        n = si;
    if (isfinite(sj) && sj > n)
        n = sj;
    return n;
}

/* The first run with `role`, or -1. */
static int find_role(const rep_experiment *x, int role)
{
    for (int i = 0; i < x->n_runs; i++)
        if (x->runs[i].role == role)
            return i;
    return -1;
}

static const char *incomplete(const rep_experiment *x, int i, char *why, size_t len)
{
    snprintf(why, len, "no value for %s yet: the run is missing, unfinished or diverged",
             i >= 0 ? x->runs[i].name : "a run the rule needs");
    return why;
}

#define PTS(a) (100.0 * (a))

/* The majority verdict of run i's seeds ('P', 'A', 'U', or 0 for none). */
static char majority_sig(const rep_values *v, int i)
{
    int p = 0, a = 0, u = 0;
    for (int s = 0; s < v->n_seeds; s++) {
        p += v->sig[i][s] == 'P';
        a += v->sig[i][s] == 'A';
        u += v->sig[i][s] == 'U';
    }
    if (p + a + u == 0)
        return 0;
    return p > a && p > u ? 'P' : a > p && a > u ? 'A' : 'U';
}

static rep_verdict judge_signature(const rep_experiment *x, const rep_values *v, char *why,
                                   size_t len)
{
    int match = 0, n = 0, present_expected = 0, present_seen = 0;
    size_t used = 0;
    why[0] = '\0';
    for (int i = 0; i < x->n_runs; i++) {
        char want = x->runs[i].role == REP_ROLE_EXPECT_PRESENT ? 'P' : 'A';
        char got = majority_sig(v, i);
        if (!got) {
            incomplete(x, i, why, len);
            return REP_VERDICT_INCOMPLETE;
        }
        n++;
        match += got == want;
        present_expected += want == 'P';
        present_seen += want == 'P' && got == 'P';
        used += (size_t)snprintf(why + used, used < len ? len - used : 0, "%s%s %s (expected %s)",
                                 i ? "; " : "", x->runs[i].name,
                                 got == 'P' ? "present" : got == 'A' ? "absent" : "unknown",
                                 want == 'P' ? "present" : "absent");
        if (used >= len)
            used = len - 1;
    }
    snprintf(why + used, len - used, ": %d of %d as the paper says", match, n);
    if (match == n)
        return REP_VERDICT_REPRODUCED;
    return present_seen > 0 && present_expected > 0 ? REP_VERDICT_PARTLY : REP_VERDICT_NOT;
}

static rep_verdict judge_short_long(const rep_experiment *x, const rep_values *v, char *why,
                                    size_t len)
{
    int s = find_role(x, REP_ROLE_SHORT), e = find_role(x, REP_ROLE_EQUAL),
        l = find_role(x, REP_ROLE_LONG);
    int need[3] = { s, e, l };
    for (int k = 0; k < 3; k++)
        if (need[k] < 0 || !isfinite(mean_of(v, need[k]))) {
            incomplete(x, need[k], why, len);
            return REP_VERDICT_INCOMPLETE;
        }
    double d_eq = mean_of(v, s) - mean_of(v, e), d_long = mean_of(v, s) - mean_of(v, l);
    double n_eq = noise_of(v, s, e), n_long = noise_of(v, s, l);
    bool beats = d_eq > n_eq, reaches = d_long >= -n_long;
    snprintf(why, len, "%s - %s = %+.2f points (noise %.2f): %s; %s - %s = %+.2f points "
                       "(noise %.2f): %s", x->runs[s].name, x->runs[e].name, PTS(d_eq),
             PTS(n_eq), beats ? "better at equal iterations" : "not better at equal iterations",
             x->runs[s].name, x->runs[l].name, PTS(d_long), PTS(n_long),
             reaches ? "reaches the longer schedule" : "falls short of the longer schedule");
    return beats && reaches ? REP_VERDICT_REPRODUCED
           : beats || reaches ? REP_VERDICT_PARTLY : REP_VERDICT_NOT;
}

/* Runs by x: the one at `wd`, the largest above it, the smallest below it. */
static rep_verdict judge_wd(const rep_experiment *x, const rep_values *v, char *why, size_t len)
{
    int mid = -1, hi = -1, lo = -1;
    for (int i = 0; i < x->n_runs; i++) {
        double w = x->runs[i].x;
        if (fabs(w - 1e-4) < 1e-12)
            mid = i;
        else if (w > 1e-4 && (hi < 0 || w > x->runs[hi].x))
            hi = i;
        else if (w < 1e-4 && (lo < 0 || w < x->runs[lo].x))
            lo = i;
    }
    int need[3] = { mid, hi, lo };
    for (int k = 0; k < 3; k++)
        if (need[k] < 0 || !isfinite(mean_of(v, need[k]))) {
            incomplete(x, need[k], why, len);
            return REP_VERDICT_INCOMPLETE;
        }
    double d_hi = mean_of(v, mid) - mean_of(v, hi), d_lo = mean_of(v, mid) - mean_of(v, lo);
    double n_hi = noise_of(v, mid, hi), n_lo = noise_of(v, mid, lo);
    bool too_much = d_hi > n_hi, too_little = d_lo > n_lo;
    snprintf(why, len, "%s - %s = %+.2f points (noise %.2f): %s; %s - %s = %+.2f points "
                       "(noise %.2f): %s", x->runs[mid].name, x->runs[hi].name, PTS(d_hi),
             PTS(n_hi), too_much ? "more weight decay hurts" : "more weight decay does not hurt",
             x->runs[mid].name, x->runs[lo].name, PTS(d_lo), PTS(n_lo),
             too_little ? "less weight decay hurts" : "less weight decay makes no clear "
                                                      "difference");
    return too_much && too_little ? REP_VERDICT_REPRODUCED
           : too_much ? REP_VERDICT_PARTLY : REP_VERDICT_NOT;
}

/* Pairs (A, B) at each size x: the gain A - B at the smallest and the largest size. */
static rep_verdict judge_limited(const rep_experiment *x, const rep_values *v, char *why,
                                 size_t len)
{
    int a_small = -1, b_small = -1, a_big = -1, b_big = -1;
    for (int i = 0; i < x->n_runs; i++) {
        const rep_run *r = &x->runs[i];
        int *small = r->role == REP_ROLE_A ? &a_small : &b_small;
        int *big = r->role == REP_ROLE_A ? &a_big : &b_big;
        if (*small < 0 || r->x < x->runs[*small].x)
            *small = i;
        if (*big < 0 || r->x > x->runs[*big].x)
            *big = i;
    }
    int need[4] = { a_small, b_small, a_big, b_big };
    for (int k = 0; k < 4; k++)
        if (need[k] < 0 || !isfinite(mean_of(v, need[k]))) {
            incomplete(x, need[k], why, len);
            return REP_VERDICT_INCOMPLETE;
        }
    double g_small = mean_of(v, a_small) - mean_of(v, b_small);
    double g_big = mean_of(v, a_big) - mean_of(v, b_big);
    double n = noise_of(v, a_small, b_small);
    if (noise_of(v, a_big, b_big) > n)
        n = noise_of(v, a_big, b_big);
    bool wins = g_small > n, grows = g_small - g_big > n;
    snprintf(why, len, "gain of the cycle with %g training images %+.2f points, with %g "
                       "%+.2f points (noise %.2f): %s, %s", x->runs[a_small].x, PTS(g_small),
             x->runs[a_big].x, PTS(g_big), PTS(n),
             wins ? "it wins on little data" : "no clear gain on little data",
             grows ? "and the gain grows as data shrinks" : "the gain does not clearly grow");
    return wins && grows ? REP_VERDICT_REPRODUCED : wins ? REP_VERDICT_PARTLY
                                                         : REP_VERDICT_NOT;
}

/* Role A against the best of the B runs. */
static rep_verdict judge_better(const rep_experiment *x, const rep_values *v, char *why,
                                size_t len)
{
    int a = find_role(x, REP_ROLE_A), b = -1;
    for (int i = 0; i < x->n_runs; i++)
        if (x->runs[i].role == REP_ROLE_B && isfinite(mean_of(v, i)) &&
            (b < 0 || mean_of(v, i) > mean_of(v, b)))
            b = i;
    if (a < 0 || b < 0 || !isfinite(mean_of(v, a))) {
        incomplete(x, b < 0 ? -1 : a, why, len);
        return REP_VERDICT_INCOMPLETE;
    }
    double d = mean_of(v, a) - mean_of(v, b), n = noise_of(v, a, b);
    snprintf(why, len, "%s - %s (the best of the others) = %+.2f points (noise %.2f): %s",
             x->runs[a].name, x->runs[b].name, PTS(d), PTS(n),
             d > n ? "better" : d >= -n ? "as good, within the noise" : "worse");
    return d > n ? REP_VERDICT_REPRODUCED : d >= -n ? REP_VERDICT_PARTLY : REP_VERDICT_NOT;
}

/* The best batch against the smallest. */
static rep_verdict judge_larger_batch(const rep_experiment *x, const rep_values *v, char *why,
                                      size_t len)
{
    int small = -1, best = -1;
    for (int i = 0; i < x->n_runs; i++) {
        if (!isfinite(mean_of(v, i))) {
            incomplete(x, i, why, len);
            return REP_VERDICT_INCOMPLETE;
        }
        if (small < 0 || x->runs[i].x < x->runs[small].x)
            small = i;
        if (best < 0 || mean_of(v, i) > mean_of(v, best))
            best = i;
    }
    if (small < 0) {
        incomplete(x, -1, why, len);
        return REP_VERDICT_INCOMPLETE;
    }
    double d = mean_of(v, best) - mean_of(v, small), n = noise_of(v, best, small);
    snprintf(why, len, "best batch %g, %+.2f points over the smallest, %g (noise %.2f)",
             x->runs[best].x, PTS(d), x->runs[small].x, PTS(n));
    if (best == small)
        return REP_VERDICT_NOT;
    return d > n ? REP_VERDICT_REPRODUCED : REP_VERDICT_PARTLY;
}

#define REP_LREST_LARGE 1.0

static rep_verdict judge_lrest(const rep_experiment *x, const rep_values *v, char *why,
                               size_t len)
{
    int a = find_role(x, REP_ROLE_A), b = find_role(x, REP_ROLE_B);
    if (a < 0 || !isfinite(mean_of(v, a))) {
        incomplete(x, a, why, len);
        return REP_VERDICT_INCOMPLETE;
    }
    double ea = mean_of(v, a), eb = b >= 0 ? mean_of(v, b) : (double)NAN;
    snprintf(why, len, "estimate under %s %.3g, under %s %.3g; large means >= %g",
             x->runs[a].name, ea, b >= 0 ? x->runs[b].name : "-", eb, REP_LREST_LARGE);
    return ea >= REP_LREST_LARGE ? REP_VERDICT_REPRODUCED : REP_VERDICT_NOT;
}

rep_verdict rep_judge_values(const rep_experiment *x, const rep_values *v, char *why,
                             size_t len)
{
    switch (x->judge) {
    case REP_JUDGE_SIGNATURE:    return judge_signature(x, v, why, len);
    case REP_JUDGE_SHORT_LONG:   return judge_short_long(x, v, why, len);
    case REP_JUDGE_WD:           return judge_wd(x, v, why, len);
    case REP_JUDGE_LIMITED:      return judge_limited(x, v, why, len);
    case REP_JUDGE_BETTER:       return judge_better(x, v, why, len);
    case REP_JUDGE_LARGER_BATCH: return judge_larger_batch(x, v, why, len);
    case REP_JUDGE_LREST:        return judge_lrest(x, v, why, len);
    }
    snprintf(why, len, "unknown rule");
    return REP_VERDICT_INCOMPLETE;
}

const char *rep_judge_rule(rep_judge j)
{
    switch (j) {
    case REP_JUDGE_SIGNATURE:
        return "reproduced when every network shows the signature the paper expects of it "
               "(majority over seeds); partly when at least one network expected to hold up "
               "does; not reproduced otherwise.";
    case REP_JUDGE_SHORT_LONG:
        return "reproduced when the short cycle beats the step schedule at equal iterations "
               "by more than the noise AND comes within the noise of (or beats) the longer "
               "step schedule; partly when only one of the two holds; not reproduced when "
               "neither does.";
    case REP_JUDGE_WD:
        return "reproduced when wd 1e-4 beats both the largest and the smallest weight decay "
               "by more than the noise; partly when only too much weight decay hurts; not "
               "reproduced otherwise.";
    case REP_JUDGE_LIMITED:
        return "reproduced when the cycle's gain over the step schedule on the smallest "
               "training set exceeds the noise and exceeds its gain on the largest by more "
               "than the noise; partly when it only wins on the smallest; not reproduced "
               "otherwise.";
    case REP_JUDGE_BETTER:
        return "reproduced when the first run beats the best of the others by more than the "
               "noise; partly when it is within the noise; not reproduced when it is worse.";
    case REP_JUDGE_LARGER_BATCH:
        return "reproduced when a batch larger than the smallest is best, by more than the "
               "noise; partly when it is best within the noise; not reproduced when the "
               "smallest batch is best.";
    case REP_JUDGE_LREST:
        return "reproduced when the estimate's running average under the cyclical schedule "
               "ends at 1 or more (the paper's 2-6 are far above the LRs a step schedule "
               "uses); not reproduced otherwise.";
    }
    return "";
}

const char *rep_verdict_name(rep_verdict v)
{
    switch (v) {
    case REP_VERDICT_REPRODUCED: return "reproduced";
    case REP_VERDICT_PARTLY:     return "partly reproduced";
    case REP_VERDICT_NOT:        return "not reproduced at this budget";
    case REP_VERDICT_INCOMPLETE: return "incomplete";
    }
    return "?";
}
