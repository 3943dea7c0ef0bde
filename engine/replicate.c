/* replicate.c — the arithmetic of replicate.h: run arguments, statistics
 * over seeds and the verdict rules. Every rule compares means; a difference
 * counts only when it exceeds the noise: the larger of the two runs' seed
 * spreads (sample standard deviation) and REP_NOISE_FLOOR. A run that
 * diverged is a result, not a gap: it ranks below every run that trained. */
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

typedef enum { RUN_MISSING, RUN_DIVERGED, RUN_MEASURED } run_state;

/* What run i gives a rule, and the mean over its measured seeds (NaN when
 * none). A run that diverged on any seed is RUN_DIVERGED whatever its other
 * seeds measured: a setting that collapses is worse than any accuracy. */
static run_state state_of(const rep_values *v, int i, double *mean)
{
    double sd;
    int n = rep_stats(v, i, mean, &sd);
    for (int s = 0; s < v->n_seeds; s++)
        if (v->diverged[i][s])
            return RUN_DIVERGED;
    return n ? RUN_MEASURED : RUN_MISSING;
}

/* Run i's place in a ranking: its mean, or -inf when it diverged. */
static double rank_of(const rep_values *v, int i)
{
    double m;
    return state_of(v, i, &m) == RUN_DIVERGED ? -(double)INFINITY : m;
}

/* The first run with `role`, or -1. */
static int find_role(const rep_experiment *x, int role)
{
    for (int i = 0; i < x->n_runs; i++)
        if (x->runs[i].role == role)
            return i;
    return -1;
}

/* Whether every run of idx[0..n) has something to compare (a value or a
 * divergence); otherwise says which does not in why. An index of -1 is a
 * run the table lacks. */
static bool have_all(const rep_experiment *x, const rep_values *v, const int *idx, int n,
                     char *why, size_t len)
{
    for (int k = 0; k < n; k++) {
        double m;
        if (idx[k] < 0 || state_of(v, idx[k], &m) == RUN_MISSING) {
            snprintf(why, len, "no value for %s yet: the run is missing or unfinished",
                     idx[k] >= 0 ? x->runs[idx[k]].name : "a run the rule needs");
            return false;
        }
    }
    return true;
}

#define PTS(a) (100.0 * (a))

/* Run a against run b (both have a value or diverged): +1 when a is better
 * by more than the noise, -1 when worse by more, 0 within it; the
 * comparison with its numbers into buf. */
static int compare(const rep_experiment *x, const rep_values *v, int a, int b, char *buf,
                   size_t len)
{
    const char *na = x->runs[a].name, *nb = x->runs[b].name;
    double ma, mb;
    bool da = state_of(v, a, &ma) == RUN_DIVERGED, db = state_of(v, b, &mb) == RUN_DIVERGED;
    if (da && db) {
        snprintf(buf, len, "%s and %s both diverged", na, nb);
        return 0;
    }
    if (da || db) {
        snprintf(buf, len, "%s diverged, %s did not", da ? na : nb, da ? nb : na);
        return da ? -1 : 1;
    }
    double d = ma - mb, n = noise_of(v, a, b);
    if (x->measure == REP_MEASURE_ACC)
        snprintf(buf, len, "%s - %s = %+.2f points (noise %.2f)", na, nb, PTS(d), PTS(n));
    else
        snprintf(buf, len, "%s - %s = %+.3g (noise %.3g)", na, nb, d, n);
    return d > n ? 1 : d < -n ? -1 : 0;
}

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
            snprintf(why, len, "no value for %s yet: the range test is missing or unfinished",
                     x->runs[i].name);
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
    if (!have_all(x, v, (int[]){ s, e, l }, 3, why, len))
        return REP_VERDICT_INCOMPLETE;
    char eq[256], lg[256];
    bool beats = compare(x, v, s, e, eq, sizeof eq) > 0,
         reaches = compare(x, v, s, l, lg, sizeof lg) >= 0;
    snprintf(why, len, "%s: %s; %s: %s", eq,
             beats ? "better at equal iterations" : "not better at equal iterations", lg,
             reaches ? "reaches the longer schedule" : "falls short of the longer schedule");
    return beats && reaches ? REP_VERDICT_REPRODUCED
           : beats || reaches ? REP_VERDICT_PARTLY : REP_VERDICT_NOT;
}

/* Runs by x: the one at 1e-4, the largest above it, the smallest below it. */
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
    if (!have_all(x, v, (int[]){ mid, hi, lo }, 3, why, len))
        return REP_VERDICT_INCOMPLETE;
    char more[256], less[256];
    int c_hi = compare(x, v, mid, hi, more, sizeof more),
        c_lo = compare(x, v, mid, lo, less, sizeof less);
    bool too_much = c_hi > 0, too_little = c_lo > 0;
    snprintf(why, len, "%s: more weight decay %s; %s: less weight decay %s", more,
             too_much ? "hurts" : c_hi < 0 ? "helps" : "makes no clear difference", less,
             too_little ? "hurts" : c_lo < 0 ? "helps" : "makes no clear difference");
    return too_much && too_little ? REP_VERDICT_REPRODUCED
           : too_much ? REP_VERDICT_PARTLY : REP_VERDICT_NOT;
}

/* The gain of run a over run b: the difference of their means, +-inf when
 * one of them diverged, NaN when both did or one has no value. */
static double gain_of(const rep_values *v, int a, int b)
{
    double ma, mb;
    run_state sa = state_of(v, a, &ma), sb = state_of(v, b, &mb);
    if (sa == RUN_MISSING || sb == RUN_MISSING || (sa == RUN_DIVERGED && sb == RUN_DIVERGED))
        return (double)NAN;
    return sa == RUN_DIVERGED ? -(double)INFINITY : sb == RUN_DIVERGED ? (double)INFINITY
                                                                       : ma - mb;
}

/* The pairs (A, B) of runs at the same training-set size x, by increasing
 * x, into pair[max][2]; returns how many. Runs of other roles, and a run
 * without a partner at its size, take no part. */
static int size_pairs(const rep_experiment *x, int (*pair)[2], int max)
{
    int n = 0;
    for (int i = 0; i < x->n_runs && n < max; i++) {
        if (x->runs[i].role != REP_ROLE_A)
            continue;
        for (int j = 0; j < x->n_runs; j++)
            if (x->runs[j].role == REP_ROLE_B &&
                fabs(x->runs[j].x - x->runs[i].x) <= 1e-9 * fabs(x->runs[i].x)) {
                int k = n++;
                for (; k > 0 && x->runs[pair[k - 1][0]].x > x->runs[i].x; k--) {
                    pair[k][0] = pair[k - 1][0];
                    pair[k][1] = pair[k - 1][1];
                }
                pair[k][0] = i;
                pair[k][1] = j;
                break;
            }
    }
    return n;
}

/* Pairs (A, B) at each size x: the gain A - B at the smallest and the largest size. */
static rep_verdict judge_limited(const rep_experiment *x, const rep_values *v, char *why,
                                 size_t len)
{
    int pair[REP_MAX_RUNS][2];
    int n_pairs = size_pairs(x, pair, REP_MAX_RUNS);
    if (n_pairs < 2) {
        snprintf(why, len, "the rule needs a cycle and a step run at two training-set sizes "
                           "or more; the table has %d such pair%s", n_pairs,
                 n_pairs == 1 ? "" : "s");
        return REP_VERDICT_INCOMPLETE;
    }
    int *small = pair[0], *big = pair[n_pairs - 1];
    if (!have_all(x, v, (int[]){ small[0], small[1], big[0], big[1] }, 4, why, len))
        return REP_VERDICT_INCOMPLETE;
    double g_small = gain_of(v, small[0], small[1]), g_big = gain_of(v, big[0], big[1]);
    double n = fmax(noise_of(v, small[0], small[1]), noise_of(v, big[0], big[1]));
    bool wins = g_small > n, grows = g_small - g_big > n;
    size_t used = (size_t)snprintf(why, len, "gain of the cycle over the step schedule at "
                                             "each training-set size (%s - %s, ...):",
                                   x->runs[small[0]].name, x->runs[small[1]].name);
    for (int k = 0; k < n_pairs && used < len; k++) {
        double g = gain_of(v, pair[k][0], pair[k][1]);
        char num[48];
        if (isfinite(g))
            snprintf(num, sizeof num, "%+.2f points", PTS(g));
        else
            snprintf(num, sizeof num, "%s", isnan(g) ? "no value" : g > 0
                                            ? "the step run diverged" : "the cycle diverged");
        used += (size_t)snprintf(why + used, len - used, "%s %g images %s", k ? "," : "",
                                 x->runs[pair[k][0]].x, num);
    }
    if (used < len)
        snprintf(why + used, len - used, " (noise %.2f): %s, %s", PTS(n),
                 wins ? "it wins on little data" : "no clear gain on little data",
                 !grows ? "and the difference does not clearly move in its favour as data "
                          "shrinks"
                 : g_small > 0.0 ? "and the gain grows as data shrinks"
                                 : "though its shortfall narrows as data shrinks");
    return wins && grows ? REP_VERDICT_REPRODUCED : wins ? REP_VERDICT_PARTLY
                                                         : REP_VERDICT_NOT;
}

/* The best run (highest mean; one that diverged only when all did) of
 * those with `role`, or with role < 0 of those whose x exceeds `above`;
 * -1 when there are none. */
static int best_of(const rep_experiment *x, const rep_values *v, int role, double above)
{
    int best = -1;
    for (int i = 0; i < x->n_runs; i++)
        if ((role < 0 ? x->runs[i].x > above : x->runs[i].role == role) &&
            (best < 0 || rank_of(v, i) > rank_of(v, best)))
            best = i;
    return best;
}

/* Whether every run with `role` has something to compare (see have_all). */
static bool have_role(const rep_experiment *x, const rep_values *v, int role, char *why,
                      size_t len)
{
    for (int i = 0; i < x->n_runs; i++)
        if (x->runs[i].role == role && !have_all(x, v, &i, 1, why, len))
            return false;
    return true;
}

/* Role A against the best of the B runs; every B run must have ended. */
static rep_verdict judge_better(const rep_experiment *x, const rep_values *v, char *why,
                                size_t len)
{
    int a = find_role(x, REP_ROLE_A), b = find_role(x, REP_ROLE_B);
    if (!have_all(x, v, (int[]){ a, b }, 2, why, len) || !have_role(x, v, REP_ROLE_B, why, len))
        return REP_VERDICT_INCOMPLETE;
    b = best_of(x, v, REP_ROLE_B, 0);
    char cmp[256];
    int c = compare(x, v, a, b, cmp, sizeof cmp);
    snprintf(why, len, "%s (%s is the best of the others): %s", cmp, x->runs[b].name,
             c > 0 ? "better" : c == 0 ? "as good, within the noise" : "worse");
    return c > 0 ? REP_VERDICT_REPRODUCED : c == 0 ? REP_VERDICT_PARTLY : REP_VERDICT_NOT;
}

/* The best of the batches larger than the smallest, against the smallest. */
static rep_verdict judge_larger_batch(const rep_experiment *x, const rep_values *v, char *why,
                                      size_t len)
{
    int small = -1, larger = 0;
    for (int i = 0; i < x->n_runs; i++)
        if (small < 0 || x->runs[i].x < x->runs[small].x)
            small = i;
    for (int i = 0; i < x->n_runs; i++)
        larger += x->runs[i].x > x->runs[small].x;
    if (!larger) {
        snprintf(why, len, "the rule needs runs at two batch sizes or more; the table has %s",
                 small < 0 ? "none" : "one");
        return REP_VERDICT_INCOMPLETE;
    }
    for (int i = 0; i < x->n_runs; i++)
        if (!have_all(x, v, &i, 1, why, len))
            return REP_VERDICT_INCOMPLETE;
    int best = best_of(x, v, -1, x->runs[small].x);
    char cmp[256];
    int c = compare(x, v, best, small, cmp, sizeof cmp);
    snprintf(why, len, "batch %g, the best of the larger batches, against the smallest, %g: "
                       "%s: %s", x->runs[best].x, x->runs[small].x, cmp,
             c > 0 ? "a larger batch is better" : c == 0 ? "as good, within the noise"
                                                         : "the smallest batch is better");
    return c > 0 ? REP_VERDICT_REPRODUCED : c == 0 ? REP_VERDICT_PARTLY : REP_VERDICT_NOT;
}

#define REP_LREST_LARGE 1.0

/* The estimate under the cycle (role A) must be large, and above the one
 * under a constant LR (role B), the comparison the paper computed. */
static rep_verdict judge_lrest(const rep_experiment *x, const rep_values *v, char *why,
                               size_t len)
{
    int a = find_role(x, REP_ROLE_A), b = find_role(x, REP_ROLE_B);
    if (!have_all(x, v, (int[]){ a, b }, 2, why, len))
        return REP_VERDICT_INCOMPLETE;
    double ea, eb;
    if (state_of(v, a, &ea) == RUN_DIVERGED) {
        snprintf(why, len, "%s diverged: no estimate under the cycle", x->runs[a].name);
        return REP_VERDICT_NOT;
    }
    state_of(v, b, &eb);
    char cmp[256];
    bool large = ea >= REP_LREST_LARGE, higher = compare(x, v, a, b, cmp, sizeof cmp) > 0;
    snprintf(why, len, "estimate under %s %.3g (%s %g), under %s %.3g; %s: %s", x->runs[a].name,
             ea, large ? "large: at least" : "not large: below", REP_LREST_LARGE,
             x->runs[b].name, eb, cmp,
             higher ? "higher under the cycle" : "not clearly higher under the cycle");
    return !large ? REP_VERDICT_NOT : higher ? REP_VERDICT_REPRODUCED : REP_VERDICT_PARTLY;
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
        return "reproduced when the best of the batches larger than the smallest beats the "
               "smallest by more than the noise; partly when it is within the noise; not "
               "reproduced when the smallest batch is better by more than the noise.";
    case REP_JUDGE_LREST:
        return "reproduced when the estimate's running average under the cyclical schedule "
               "ends at 1 or more (the paper's 2-6 are far above the LRs a step schedule "
               "uses) and above the estimate under the constant LR by more than the noise; "
               "partly when it ends at 1 or more but not clearly above the constant LR's; not "
               "reproduced when it ends below 1.";
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
