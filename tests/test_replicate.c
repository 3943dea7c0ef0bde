/* test_replicate.c — the verdict rules of `lrscope replicate`
 * (engine/replicate.c) on values set by hand, for the experiments of the
 * real full suite: each rule's reproduced / partly / not / incomplete, the
 * noise rule (a difference counts only beyond the larger of the seed spread
 * and REP_NOISE_FLOOR), divergence, and that the reasoning names the numbers
 * it compared. Accuracies are fractions; the reasoning gives them in points.
 *
 * A case is a row: the experiment, every run's value per seed as text, the
 * verdict and what the reasoning must say. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/replicate.h"

static const rep_experiment *full_exp(const char *id)
{
    const rep_suite *s = rep_suite_find("full");
    cr_assert_not_null(s, "no suite full");
    const rep_experiment *x = rep_experiment_find(s, id);
    cr_assert_not_null(x, "the full suite has no experiment %s", id);
    return x;
}

static int run_of(const rep_experiment *x, const char *name, size_t len)
{
    for (int i = 0; i < x->n_runs; i++)
        if (strlen(x->runs[i].name) == len && !strncmp(x->runs[i].name, name, len))
            return i;
    cr_assert_fail("%s has no run %.*s", x->id, (int)len, name);
    return -1;
}

/* v from spec: "RUN=V,V,... RUN=..." with one V per seed (every run the
 * same count): a number, "-" for no value, "div" for a run that diverged,
 * or P, A, U for a range test's signature. Runs not named have no value. */
static void values_from(rep_values *v, const rep_experiment *x, const char *spec)
{
    memset(v, 0, sizeof *v);
    for (int i = 0; i < REP_MAX_RUNS; i++)
        for (int s = 0; s < REP_MAX_SEEDS; s++)
            v->v[i][s] = (double)NAN;
    for (const char *p = spec; *p;) {
        const char *eq = strchr(p, '=');
        cr_assert_not_null(eq, "bad spec at \"%s\"", p);
        int i = run_of(x, p, (size_t)(eq - p)), s = 0;
        p = eq + 1;
        for (;; s++) {
            size_t n = strcspn(p, ", ");
            cr_assert_lt(s, REP_MAX_SEEDS);
            if (n == 3 && !strncmp(p, "div", n)) {
                v->diverged[i][s] = true;
            } else if (n == 1 && strchr("PAU", *p)) {
                v->sig[i][s] = *p;
                v->v[i][s] = *p == 'P' ? 0.95 : *p == 'A' ? 0.1 : (double)NAN;
            } else if (*p != '-') {
                v->v[i][s] = strtod(p, NULL);
            }
            p += n;
            if (*p != ',')
                break;
            p++;
        }
        cr_assert(v->n_seeds == 0 || v->n_seeds == s + 1, "seed counts differ in \"%s\"", spec);
        v->n_seeds = s + 1;
        p += *p == ' ';
    }
}

typedef struct judge_case {
    const char *exp;      /* an experiment of the full suite */
    const char *values;   /* see values_from */
    rep_verdict want;
    const char *why[3];   /* what the reasoning must contain */
} judge_case;

#define REPRODUCED REP_VERDICT_REPRODUCED
#define PARTLY     REP_VERDICT_PARTLY
#define NOT        REP_VERDICT_NOT
#define INCOMPLETE REP_VERDICT_INCOMPLETE

static void judge_on(const rep_experiment *x, const char *values, rep_verdict want,
                     const char *const *why_has, int n_why)
{
    rep_values v;
    char why[2048];
    values_from(&v, x, values);
    rep_verdict got = rep_judge_values(x, &v, why, sizeof why);
    cr_expect_eq(got, want, "%s {%s}: verdict '%s', want '%s'; why: %s", x->id, values,
                 rep_verdict_name(got), rep_verdict_name(want), why);
    for (int k = 0; k < n_why && why_has[k]; k++)
        cr_expect(strstr(why, why_has[k]) != NULL, "%s {%s}: the reasoning lacks \"%s\": %s",
                  x->id, values, why_has[k], why);
}

static void judge_cases(const judge_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        judge_on(full_exp(c[i].exp), c[i].values, c[i].want, c[i].why, 3);
}

#define JUDGE_CASES(cases) judge_cases(cases, sizeof cases / sizeof cases[0])

/* ---- statistics ------------------------------------------------------------ */

Test(replicate, stats_are_the_mean_and_sample_sd_of_the_finite_values)
{
    const rep_experiment *x = full_exp("short-vs-long");
    rep_values v;
    values_from(&v, x, "1cycle=0.80,0.82,-,0.84 step=-,0.5,-,- step-3x=-,-,-,-");
    double mean, sd;
    cr_expect_eq(rep_stats(&v, 0, &mean, &sd), 3);
    cr_expect(fabs(mean - 0.82) < 1e-12, "mean %g", mean);
    cr_expect(fabs(sd - 0.02) < 1e-12, "sd %g", sd);
    cr_expect_eq(rep_stats(&v, 1, &mean, &sd), 1);
    cr_expect(mean == 0.5 && isnan(sd), "one value: mean %g, sd %g (want NaN)", mean, sd);
    cr_expect_eq(rep_stats(&v, 2, &mean, &sd), 0);
    cr_expect(isnan(mean) && isnan(sd));
}

/* ---- the rules ------------------------------------------------------------- */

Test(replicate, signature_as_the_paper_expects_by_majority_of_seeds)
{
    static const judge_case cases[] = {
        { "signature", "mlp=A mlp-bn=P lenet=A cnn-bn=P resnet8=P", REPRODUCED,
          { "5 of 5 as the paper says", "mlp absent (expected absent)",
            "resnet8 present (expected present)" } },
        /* A network that should collapse holds up. */
        { "signature", "mlp=A mlp-bn=P lenet=P cnn-bn=P resnet8=P", PARTLY,
          { "lenet present (expected absent)", "4 of 5" } },
        { "signature", "mlp=A mlp-bn=A lenet=P cnn-bn=U resnet8=A", NOT,
          { "cnn-bn unknown (expected present)" } },
        /* The majority of seeds; a tie is no majority. */
        { "signature", "mlp=A,A,P mlp-bn=P,A,- lenet=A,-,- cnn-bn=P,P,A resnet8=P,-,P", PARTLY,
          { "mlp absent", "mlp-bn unknown", "4 of 5" } },
        { "signature", "mlp=A,A,P mlp-bn=P,A,- lenet=-,-,- cnn-bn=P,P,A resnet8=P,-,P",
          INCOMPLETE, { "no value for lenet yet" } },
    };
    JUDGE_CASES(cases);
}

Test(replicate, short_cycle_against_equal_and_longer_steps)
{
    static const judge_case cases[] = {
        { "short-vs-long", "1cycle=0.890 step=0.880 step-3x=0.892", REPRODUCED,
          { "1cycle - step = +1.00 points (noise 0.30)",
            "1cycle - step-3x = -0.20 points (noise 0.30)", "reaches the longer schedule" } },
        { "short-vs-long", "1cycle=0.890 step=0.880 step-3x=0.900", PARTLY,
          { "falls short of the longer schedule" } },
        { "short-vs-long", "1cycle=0.890 step=0.8879 step-3x=0.900", NOT,
          { "not better at equal iterations" } },
        { "short-vs-long", "1cycle=0.890 step=0.8879 step-3x=0.8869", PARTLY,
          { "reaches the longer schedule" } },
    };
    JUDGE_CASES(cases);
}

Test(replicate, noise_is_the_larger_of_the_seed_spreads_and_the_floor)
{
    static const judge_case cases[] = {
        /* 1 point better on the mean each time; only the spreads differ. */
        { "short-vs-long",
          "1cycle=0.899,0.900,0.901 step=0.890,0.890,0.890 step-3x=0.900,0.900,0.900",
          REPRODUCED, { "1cycle - step = +1.00 points (noise 0.30)" } },
        { "short-vs-long",
          "1cycle=0.880,0.900,0.920 step=0.890,0.890,0.890 step-3x=0.900,0.900,0.900", PARTLY,
          { "1cycle - step = +1.00 points (noise 2.00): not better" } },
        { "short-vs-long",
          "1cycle=0.899,0.900,0.901 step=0.870,0.890,0.910 step-3x=0.900,0.900,0.900", PARTLY,
          { "1cycle - step = +1.00 points (noise 2.00): not better" } },
        /* A difference exactly the size of the noise is not beyond it, either
         * way (0.003 and 0.006 are exactly 1 and 2 floors). */
        { "short-vs-long", "1cycle=0.003 step=0 step-3x=0.006", PARTLY,
          { "1cycle - step = +0.30 points (noise 0.30): not better",
            "1cycle - step-3x = -0.30 points (noise 0.30): reaches" } },
        { "short-vs-long", "1cycle=0.003 step=0 step-3x=0.009", NOT,
          { "falls short of the longer schedule" } },
    };
    JUDGE_CASES(cases);
}

Test(replicate, missing_values_wait_and_divergence_ranks_last)
{
    static const judge_case cases[] = {
        { "short-vs-long", "1cycle=0.89,0.89 step=-,- step-3x=0.89,0.89", INCOMPLETE,
          { "no value for step yet" } },
        /* One seed of a run is enough to compare. */
        { "short-vs-long", "1cycle=0.89,0.89 step=0.95,- step-3x=0.89,0.89", PARTLY,
          { "1cycle - step = -6.00 points" } },
        /* A run that diverged on one seed ranks below any that trained. */
        { "short-vs-long", "1cycle=0.89,0.89 step=0.95,div step-3x=0.89,0.89", REPRODUCED,
          { "step diverged, 1cycle did not" } },
        { "short-vs-long", "1cycle=div,0.89 step=0.95,div step-3x=0.89,0.89", NOT,
          { "1cycle and step both diverged", "1cycle diverged, step-3x did not" } },
    };
    JUDGE_CASES(cases);
}

/* The runs between 1e-3, 1e-4 and 1e-6 take no part in the rule. */
#define WD(w1e3, w1e4, w1e6) "wd-1e-3=" w1e3 " wd-3e-4=0.5 wd-1e-4=" w1e4 \
    " wd-3e-5=0.99 wd-1e-5=0.5 wd-1e-6=" w1e6

Test(replicate, weight_decay_1e_4_against_the_extremes)
{
    static const judge_case cases[] = {
        { "weight-decay", WD("0.85", "0.90", "0.88"), REPRODUCED,
          { "wd-1e-4 - wd-1e-3 = +5.00 points (noise 0.30): more weight decay hurts",
            "wd-1e-4 - wd-1e-6 = +2.00 points (noise 0.30): less weight decay hurts" } },
        { "weight-decay", WD("0.85", "0.90", "0.898"), PARTLY,
          { "less weight decay makes no clear difference" } },
        { "weight-decay", WD("0.8975", "0.90", "0.80"), NOT,
          { "more weight decay makes no clear difference" } },
        { "weight-decay", WD("0.92", "0.90", "0.93"), NOT,
          { "wd-1e-4 - wd-1e-3 = -2.00 points (noise 0.30): more weight decay helps",
            "wd-1e-4 - wd-1e-6 = -3.00 points (noise 0.30): less weight decay helps" } },
        { "weight-decay", WD("0.85", "-", "0.88"), INCOMPLETE, { "no value for wd-1e-4 yet" } },
        /* The paper's 1e-3 collapses: a divergence is a result. */
        { "weight-decay", WD("div", "0.90", "0.88"), REPRODUCED,
          { "wd-1e-3 diverged, wd-1e-4 did not: more weight decay hurts" } },
    };
    JUDGE_CASES(cases);
}

#define LIM(c5, s5, c10, s10, c20, s20, call, sall)                                        \
    "1cycle-5k=" c5 " step-3x-5k=" s5 " 1cycle-10k=" c10 " step-3x-10k=" s10               \
    " 1cycle-20k=" c20 " step-3x-20k=" s20 " 1cycle-all=" call " step-3x-all=" sall

Test(replicate, limited_data_gain_must_win_and_grow)
{
    static const judge_case cases[] = {
        { "limited-data", LIM("0.83", "0.80", "0.82", "0.80", "0.81", "0.80", "0.805", "0.80"),
          REPRODUCED, { "1cycle-5k - step-3x-5k",
                        "5000 images +3.00 points, 10000 images +2.00 points, 20000 images "
                        "+1.00 points, 60000 images +0.50 points (noise 0.30)",
                        "the gain grows as data shrinks" } },
        /* Wins on 5k, but about as much with all the data. */
        { "limited-data", LIM("0.81", "0.80", "0.82", "0.80", "0.81", "0.80", "0.809", "0.80"),
          PARTLY, { "it wins on little data", "does not clearly move in its favour" } },
        { "limited-data", LIM("0.802", "0.80", "0.82", "0.80", "0.81", "0.80", "0.78", "0.80"),
          NOT, { "no clear gain on little data" } },
        /* Behind everywhere, less so on little data: the shortfall narrows, no gain grows. */
        { "limited-data", LIM("0.796", "0.80", "0.82", "0.80", "0.81", "0.80", "0.776", "0.80"),
          NOT, { "no clear gain on little data", "its shortfall narrows as data shrinks" } },
        /* The sizes between are reported, not needed. */
        { "limited-data", LIM("0.83", "0.80", "0.82", "-", "0.81", "0.80", "0.805", "0.80"),
          REPRODUCED, { "10000 images no value" } },
        { "limited-data", LIM("0.83", "0.80", "0.82", "0.80", "0.81", "0.80", "0.805", "-"),
          INCOMPLETE, { "no value for step-3x-all yet" } },
        { "limited-data", LIM("0.80", "div", "0.82", "0.80", "0.81", "0.80", "0.805", "0.80"),
          REPRODUCED, { "5000 images the step run diverged" } },
    };
    JUDGE_CASES(cases);
}

/* Only A and B runs of equal size are paired: a run of another role (here a
 * reference at 5000 images, listed before the step run of that size) is no
 * step run. */
Test(replicate, limited_data_pairs_runs_by_role_and_size)
{
    rep_experiment x = *full_exp("limited-data");
    cr_assert_lt(x.n_runs, REP_MAX_RUNS);
    memmove(&x.runs[2], &x.runs[1], (size_t)(x.n_runs - 1) * sizeof x.runs[0]);
    x.runs[1] = (rep_run){ "reference-5k", REP_TRAIN, "--train-size 5000", REP_ROLE_NONE,
                           5000 };
    x.n_runs++;
    static const char *const why_has[] = { "5000 images +3.00 points" };
    judge_on(&x, "reference-5k=0.99 " LIM("0.83", "0.80", "0.82", "0.80", "0.81", "0.80",
                                          "0.805", "0.80"), REPRODUCED, why_has, 1);

    static const char *const one_size[] = { "two training-set sizes or more" };
    x.n_runs = 3;   /* one size only: nothing to compare */
    judge_on(&x, "1cycle-5k=0.83 step-3x-5k=0.80", INCOMPLETE, one_size, 1);
}

Test(replicate, better_than_the_best_of_the_others)
{
    static const judge_case cases[] = {
        { "momentum", "cyclical=0.900 const-0.85=0.880 const-0.9=0.890 const-0.95=0.870",
          REPRODUCED, { "cyclical - const-0.9 = +1.00 points (noise 0.30)",
                        "const-0.9 is the best of the others" } },
        { "momentum", "cyclical=0.900 const-0.85=0.8985 const-0.9=0.890 const-0.95=0.870",
          PARTLY, { "cyclical - const-0.85 = +0.15 points", "as good, within the noise" } },
        { "momentum", "cyclical=0.900 const-0.85=0.880 const-0.9=0.890 const-0.95=0.910", NOT,
          { "cyclical - const-0.95 = -1.00 points", "worse" } },
        /* A run not finished could still be the best. */
        { "momentum", "cyclical=0.900 const-0.85=0.880 const-0.9=0.890 const-0.95=-",
          INCOMPLETE, { "no value for const-0.95 yet" } },
        { "momentum", "cyclical=0.900 const-0.85=0.880 const-0.9=0.890 const-0.95=div",
          REPRODUCED, { "const-0.9 is the best of the others" } },
        { "momentum", "cyclical=div const-0.85=0.880 const-0.9=0.890 const-0.95=0.870", NOT,
          { "cyclical diverged, const-0.9 did not" } },
    };
    JUDGE_CASES(cases);
}

#define BATCH(b64, b128, b256, b512, b1024) "batch-64=" b64 " batch-128=" b128 \
    " batch-256=" b256 " batch-512=" b512 " batch-1024=" b1024

Test(replicate, larger_batch_best_of_the_larger_against_the_smallest)
{
    static const judge_case cases[] = {
        { "batch-size", BATCH("0.880", "0.885", "0.888", "0.890", "0.870"), REPRODUCED,
          { "batch 512, the best of the larger batches, against the smallest, 64",
            "batch-512 - batch-64 = +1.00 points (noise 0.30)" } },
        /* The smallest is best by less than the noise: as good, not worse. */
        { "batch-size", BATCH("0.890", "0.889", "0.888", "0.8885", "0.870"), PARTLY,
          { "batch-128 - batch-64 = -0.10 points", "as good, within the noise" } },
        { "batch-size", BATCH("0.900", "0.889", "0.888", "0.887", "0.870"), NOT,
          { "the smallest batch is better" } },
        { "batch-size", BATCH("0.900", "0.889", "-", "0.887", "0.870"), INCOMPLETE,
          { "no value for batch-256 yet" } },
        { "batch-size", BATCH("0.880", "0.885", "0.888", "div", "0.870"), REPRODUCED,
          { "batch 256, the best of the larger batches" } },
    };
    JUDGE_CASES(cases);
}

Test(replicate, larger_batch_needs_two_sizes)
{
    rep_experiment x = *full_exp("batch-size");
    x.n_runs = 1;
    static const char *const why_has[] = { "two batch sizes or more" };
    judge_on(&x, "batch-64=0.9", INCOMPLETE, why_has, 1);
}

Test(replicate, lr_estimate_large_and_above_the_constant_lr)
{
    static const judge_case cases[] = {
        { "lr-estimate", "clr=2.5 const=0.4", REPRODUCED,
          { "estimate under clr 2.5 (large: at least 1), under const 0.4",
            "clr - const = +2.1 (noise 0.003): higher under the cycle" } },
        /* Large, but so is the constant LR's. */
        { "lr-estimate", "clr=2.5 const=2.499", PARTLY,
          { "not clearly higher under the cycle" } },
        { "lr-estimate", "clr=0.8 const=0.1", NOT,
          { "estimate under clr 0.8 (not large: below 1)" } },
        { "lr-estimate", "clr=2.5,2.7 const=-,-", INCOMPLETE, { "no value for const yet" } },
        { "lr-estimate", "clr=-,- const=0.4,0.5", INCOMPLETE, { "no value for clr yet" } },
        { "lr-estimate", "clr=-,div const=0.4,0.5", NOT, { "clr diverged" } },
    };
    JUDGE_CASES(cases);
}

/* ---- the tables ------------------------------------------------------------ */

/* Every experiment of every suite can be judged once its runs have values:
 * its rule finds the runs it needs in the table. */
Test(replicate, every_experiment_of_every_suite_can_be_judged)
{
    for (int k = 0; k < rep_n_suites; k++) {
        const rep_suite *s = &rep_suites[k];
        cr_assert_leq(s->n_exps, REP_MAX_EXPERIMENTS, "suite %s: the report has room for %d",
                      s->name, REP_MAX_EXPERIMENTS);
        for (int e = 0; e < s->n_exps; e++) {
            const rep_experiment *x = &s->exps[e];
            rep_values v;
            char why[2048];
            memset(&v, 0, sizeof v);
            v.n_seeds = 2;
            for (int i = 0; i < x->n_runs; i++)
                for (int seed = 0; seed < 2; seed++) {
                    v.v[i][seed] = 0.8 + 0.01 * i + 0.001 * seed;
                    v.sig[i][seed] = x->runs[i].kind == REP_RANGE_TEST ? 'P' : 0;
                }
            rep_verdict got = rep_judge_values(x, &v, why, sizeof why);
            cr_expect_neq(got, REP_VERDICT_INCOMPLETE, "%s/%s cannot be judged: %s", s->name,
                          x->id, why);
            cr_expect(rep_judge_rule(x->judge)[0], "%s/%s: no rule text", s->name, x->id);
        }
    }
}
