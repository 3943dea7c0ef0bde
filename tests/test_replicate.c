/* test_replicate.c — the verdict rules of `lrscope replicate`
 * (engine/replicate.c) on values set by hand, for the experiments of the
 * real suites: each rule's reproduced / partly / not / incomplete, the noise
 * rule (a difference counts only beyond the larger of the seed spread and
 * REP_NOISE_FLOOR), divergence, and that the reasoning names the numbers it
 * compared. Accuracies are fractions; the reasoning gives them in points. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/replicate.h"

#define NA ((double)NAN)   /* not measured */

static const rep_experiment *exp_of(const char *suite, const char *id)
{
    const rep_suite *s = rep_suite_find(suite);
    cr_assert_not_null(s, "no suite %s", suite);
    const rep_experiment *x = rep_experiment_find(s, id);
    cr_assert_not_null(x, "suite %s has no experiment %s", suite, id);
    return x;
}

static int run_of(const rep_experiment *x, const char *name)
{
    for (int i = 0; i < x->n_runs; i++)
        if (!strcmp(x->runs[i].name, name))
            return i;
    cr_assert_fail("%s has no run %s", x->id, name);
    return -1;
}

/* Values for n_seeds seeds, none measured yet. */
static void values_init(rep_values *v, int n_seeds)
{
    memset(v, 0, sizeof *v);
    v->n_seeds = n_seeds;
    for (int i = 0; i < REP_MAX_RUNS; i++)
        for (int s = 0; s < REP_MAX_SEEDS; s++)
            v->v[i][s] = NA;
}

/* Run `name`'s value for each of v's seeds (v->n_seeds doubles follow). */
static void set(rep_values *v, const rep_experiment *x, const char *name, ...)
{
    int i = run_of(x, name);
    va_list ap;
    va_start(ap, name);
    for (int s = 0; s < v->n_seeds; s++)
        v->v[i][s] = va_arg(ap, double);
    va_end(ap);
}

static void set_diverged(rep_values *v, const rep_experiment *x, const char *name, int seed)
{
    int i = run_of(x, name);
    v->v[i][seed] = NA;
    v->diverged[i][seed] = true;
}

static char why[2048];

static rep_verdict judge(const rep_experiment *x, const rep_values *v)
{
    why[0] = '\0';
    return rep_judge_values(x, v, why, sizeof why);
}

#define expect_verdict(x, v, want)                                                            \
    do {                                                                                      \
        rep_verdict got_ = judge(x, v);                                                       \
        cr_expect_eq(got_, want, "%s: verdict '%s', want '%s'; why: %s", (x)->id,             \
                     rep_verdict_name(got_), rep_verdict_name(want), why);                    \
    } while (0)

#define expect_why(text)                                                                      \
    cr_expect(strstr(why, text) != NULL, "the reasoning lacks \"%s\": %s", text, why)

/* ---- statistics ------------------------------------------------------------ */

Test(replicate, stats_are_the_mean_and_sample_sd_of_the_finite_values)
{
    const rep_experiment *x = exp_of("full", "short-vs-long");
    rep_values v;
    values_init(&v, 4);
    set(&v, x, "1cycle", 0.80, 0.82, NA, 0.84);
    double mean, sd;
    cr_expect_eq(rep_stats(&v, run_of(x, "1cycle"), &mean, &sd), 3);
    cr_expect(fabs(mean - 0.82) < 1e-12, "mean %g", mean);
    cr_expect(fabs(sd - 0.02) < 1e-12, "sd %g", sd);
    set(&v, x, "step", NA, 0.5, NA, NA);
    cr_expect_eq(rep_stats(&v, run_of(x, "step"), &mean, &sd), 1);
    cr_expect(mean == 0.5 && isnan(sd), "one value: mean %g, sd %g (want NaN)", mean, sd);
    cr_expect_eq(rep_stats(&v, run_of(x, "step-3x"), &mean, &sd), 0);
    cr_expect(isnan(mean) && isnan(sd));
}

/* ---- signature ------------------------------------------------------------- */

static void set_sig(rep_values *v, const rep_experiment *x, const char *name, const char *sigs)
{
    int i = run_of(x, name);
    for (int s = 0; s < v->n_seeds; s++) {
        v->sig[i][s] = sigs[s] == '-' ? 0 : sigs[s];
        v->v[i][s] = sigs[s] == 'P' ? 0.95 : sigs[s] == 'A' ? 0.1 : NA;
    }
}

Test(replicate, signature_as_the_paper_expects_is_reproduced)
{
    const rep_experiment *x = exp_of("full", "signature");
    rep_values v;
    values_init(&v, 1);
    set_sig(&v, x, "mlp", "A");
    set_sig(&v, x, "mlp-bn", "P");
    set_sig(&v, x, "lenet", "A");
    set_sig(&v, x, "cnn-bn", "P");
    set_sig(&v, x, "resnet8", "P");
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("5 of 5 as the paper says");
    expect_why("mlp absent (expected absent)");
    expect_why("resnet8 present (expected present)");

    set_sig(&v, x, "lenet", "P");   /* one network that should collapse holds up */
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
    expect_why("lenet present (expected absent)");
    expect_why("4 of 5");

    set_sig(&v, x, "mlp-bn", "A");
    set_sig(&v, x, "cnn-bn", "U");
    set_sig(&v, x, "resnet8", "A");
    expect_verdict(x, &v, REP_VERDICT_NOT);
    expect_why("cnn-bn unknown (expected present)");
}

Test(replicate, signature_takes_the_majority_of_seeds_and_waits_for_every_network)
{
    const rep_experiment *x = exp_of("full", "signature");
    rep_values v;
    values_init(&v, 3);
    set_sig(&v, x, "mlp", "AAP");
    set_sig(&v, x, "mlp-bn", "PA-");   /* a tie is no majority: unknown */
    set_sig(&v, x, "lenet", "A--");
    set_sig(&v, x, "cnn-bn", "PPA");
    set_sig(&v, x, "resnet8", "P-P");
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
    expect_why("mlp absent");
    expect_why("mlp-bn unknown");
    expect_why("4 of 5");

    set_sig(&v, x, "lenet", "---");
    expect_verdict(x, &v, REP_VERDICT_INCOMPLETE);
    expect_why("lenet");
}

/* ---- short cycle against step schedules ----------------------------------- */

Test(replicate, short_cycle_beats_equal_and_reaches_long)
{
    const rep_experiment *x = exp_of("full", "short-vs-long");
    rep_values v;
    values_init(&v, 1);
    set(&v, x, "1cycle", 0.890);
    set(&v, x, "step", 0.880);
    set(&v, x, "step-3x", 0.892);
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("1cycle - step = +1.00 points (noise 0.30)");
    expect_why("1cycle - step-3x = -0.20 points (noise 0.30)");
    expect_why("reaches the longer schedule");

    set(&v, x, "step-3x", 0.900);   /* falls short by 1 point */
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
    expect_why("falls short of the longer schedule");

    set(&v, x, "step", 0.8879);     /* +0.21 points: within the floor */
    expect_verdict(x, &v, REP_VERDICT_NOT);
    expect_why("not better at equal iterations");

    set(&v, x, "step-3x", 0.8869);  /* the longer schedule is no better: reached */
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
}

Test(replicate, noise_is_the_larger_of_the_seed_spread_and_the_floor)
{
    const rep_experiment *x = exp_of("full", "short-vs-long");
    rep_values v;
    values_init(&v, 3);
    /* 1 point better on the mean in both cases; only the spread differs. */
    set(&v, x, "1cycle", 0.899, 0.900, 0.901);
    set(&v, x, "step", 0.890, 0.890, 0.890);
    set(&v, x, "step-3x", 0.900, 0.900, 0.900);
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("+1.00 points (noise 0.30)");

    set(&v, x, "1cycle", 0.880, 0.900, 0.920);   /* sd 2 points */
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
    expect_why("1cycle - step = +1.00 points (noise 2.00)");
    expect_why("not better at equal iterations");

    set(&v, x, "1cycle", 0.899, 0.900, 0.901);
    set(&v, x, "step", 0.870, 0.890, 0.910);     /* the other run's spread counts too */
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
    expect_why("(noise 2.00)");
}

/* A difference exactly the size of the noise is not beyond it. */
Test(replicate, a_difference_equal_to_the_noise_does_not_count)
{
    const rep_experiment *x = exp_of("full", "short-vs-long");
    rep_values v;
    values_init(&v, 1);
    set(&v, x, "1cycle", REP_NOISE_FLOOR);
    set(&v, x, "step", 0.0);
    set(&v, x, "step-3x", 2 * REP_NOISE_FLOOR);
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
    expect_why("1cycle - step = +0.30 points (noise 0.30): not better");
    expect_why("1cycle - step-3x = -0.30 points (noise 0.30): reaches");
    set(&v, x, "step-3x", 3 * REP_NOISE_FLOOR);
    expect_verdict(x, &v, REP_VERDICT_NOT);
}

Test(replicate, short_long_needs_all_three_and_ranks_divergence_last)
{
    const rep_experiment *x = exp_of("full", "short-vs-long");
    rep_values v;
    values_init(&v, 2);
    set(&v, x, "1cycle", 0.89, 0.89);
    set(&v, x, "step", NA, NA);
    set(&v, x, "step-3x", 0.89, 0.89);
    expect_verdict(x, &v, REP_VERDICT_INCOMPLETE);
    expect_why("no value for step yet");

    set(&v, x, "step", 0.95, NA);   /* one seed is enough to compare */
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
    expect_why("1cycle - step = -6.00 points");

    set_diverged(&v, x, "step", 1);  /* a seed diverged: the run ranks last */
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("step diverged, 1cycle did not");

    set_diverged(&v, x, "1cycle", 0);
    expect_verdict(x, &v, REP_VERDICT_NOT);
    expect_why("1cycle and step both diverged");
    expect_why("1cycle diverged, step-3x did not");
}

/* ---- weight decay ---------------------------------------------------------- */

static void set_wd(rep_values *v, const rep_experiment *x, double w1e3, double w1e4,
                   double w1e6)
{
    set(v, x, "wd-1e-3", w1e3);
    set(v, x, "wd-3e-4", 0.5);   /* the runs between take no part in the rule */
    set(v, x, "wd-1e-4", w1e4);
    set(v, x, "wd-3e-5", 0.99);
    set(v, x, "wd-1e-5", 0.5);
    set(v, x, "wd-1e-6", w1e6);
}

Test(replicate, weight_decay_compares_1e_4_with_the_extremes)
{
    const rep_experiment *x = exp_of("full", "weight-decay");
    rep_values v;
    values_init(&v, 1);
    set_wd(&v, x, 0.85, 0.90, 0.88);
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("wd-1e-4 - wd-1e-3 = +5.00 points (noise 0.30): more weight decay hurts");
    expect_why("wd-1e-4 - wd-1e-6 = +2.00 points (noise 0.30): less weight decay hurts");

    set_wd(&v, x, 0.85, 0.90, 0.8980);
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
    expect_why("less weight decay makes no clear difference");

    set_wd(&v, x, 0.8975, 0.90, 0.80);   /* only less weight decay hurts */
    expect_verdict(x, &v, REP_VERDICT_NOT);
    expect_why("more weight decay makes no clear difference");

    set_wd(&v, x, 0.92, 0.90, 0.93);     /* both others are better */
    expect_verdict(x, &v, REP_VERDICT_NOT);
    expect_why("wd-1e-4 - wd-1e-3 = -2.00 points (noise 0.30): more weight decay helps");
    expect_why("wd-1e-4 - wd-1e-6 = -3.00 points (noise 0.30): less weight decay helps");

    set_wd(&v, x, 0.85, NA, 0.88);
    expect_verdict(x, &v, REP_VERDICT_INCOMPLETE);
    expect_why("wd-1e-4");
}

Test(replicate, weight_decay_that_diverges_hurts)
{
    const rep_experiment *x = exp_of("full", "weight-decay");
    rep_values v;
    values_init(&v, 1);
    set_wd(&v, x, NA, 0.90, 0.88);
    set_diverged(&v, x, "wd-1e-3", 0);
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("wd-1e-3 diverged, wd-1e-4 did not: more weight decay hurts");
}

/* ---- limited data ---------------------------------------------------------- */

/* Gains of 1cycle over step-3x at 5k, 10k, 20k and all, in points. */
static void set_gains(rep_values *v, const rep_experiment *x, double g5, double g10,
                      double g20, double gall)
{
    static const char *sizes[] = { "5k", "10k", "20k", "all" };
    double g[] = { g5, g10, g20, gall };
    for (int k = 0; k < 4; k++) {
        char a[32], b[32];
        snprintf(a, sizeof a, "1cycle-%s", sizes[k]);
        snprintf(b, sizeof b, "step-3x-%s", sizes[k]);
        set(v, x, b, 0.80);
        set(v, x, a, 0.80 + g[k] / 100.0);
    }
}

Test(replicate, limited_data_gain_must_win_and_grow)
{
    const rep_experiment *x = exp_of("full", "limited-data");
    rep_values v;
    values_init(&v, 1);
    set_gains(&v, x, 3.0, 2.0, 1.0, 0.5);
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("1cycle-5k - step-3x-5k");
    expect_why("5000 images +3.00 points, 10000 images +2.00 points, 20000 images +1.00 "
               "points, 60000 images +0.50 points (noise 0.30)");
    expect_why("the gain grows as data shrinks");

    set_gains(&v, x, 1.0, 2.0, 1.0, 0.9);   /* wins, but as much with all the data */
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
    expect_why("the gain does not clearly grow");

    set_gains(&v, x, 0.2, 2.0, 1.0, -2.0);  /* grows, but no clear win on 5k */
    expect_verdict(x, &v, REP_VERDICT_NOT);
    expect_why("no clear gain on little data");
}

Test(replicate, limited_data_needs_the_ends_and_ignores_gaps_between)
{
    const rep_experiment *x = exp_of("full", "limited-data");
    rep_values v;
    values_init(&v, 1);
    set_gains(&v, x, 3.0, 2.0, 1.0, 0.5);
    set(&v, x, "step-3x-10k", NA);
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("10000 images no value");

    set(&v, x, "step-3x-all", NA);
    expect_verdict(x, &v, REP_VERDICT_INCOMPLETE);
    expect_why("no value for step-3x-all yet");

    set_gains(&v, x, 0.0, 2.0, 1.0, 0.5);
    set_diverged(&v, x, "step-3x-5k", 0);
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("5000 images the step run diverged");
}

/* Only A and B runs of equal size are paired: a run of another role (here a
 * reference at 5000 images, listed before the step run of that size) is no
 * step run. */
Test(replicate, limited_data_pairs_runs_by_role_and_size)
{
    rep_experiment x = *exp_of("full", "limited-data");
    cr_assert_lt(x.n_runs, REP_MAX_RUNS);
    memmove(&x.runs[2], &x.runs[1], (size_t)(x.n_runs - 1) * sizeof x.runs[0]);
    x.runs[1] = (rep_run){ "reference-5k", REP_TRAIN, "--train-size 5000", REP_ROLE_NONE,
                           5000 };
    x.n_runs++;
    rep_values v;
    values_init(&v, 1);
    set_gains(&v, &x, 3.0, 2.0, 1.0, 0.5);
    set(&v, &x, "reference-5k", 0.99);
    expect_verdict(&x, &v, REP_VERDICT_REPRODUCED);
    expect_why("5000 images +3.00 points");

    rep_experiment one = x;   /* one size only: nothing to compare */
    one.n_runs = 3;
    expect_verdict(&one, &v, REP_VERDICT_INCOMPLETE);
    expect_why("two training-set sizes or more");
}

/* ---- one run against the best of the others (momentum) -------------------- */

Test(replicate, better_compares_with_the_best_of_the_others)
{
    const rep_experiment *x = exp_of("full", "momentum");
    rep_values v;
    values_init(&v, 1);
    set(&v, x, "cyclical", 0.900);
    set(&v, x, "const-0.85", 0.880);
    set(&v, x, "const-0.9", 0.890);
    set(&v, x, "const-0.95", 0.870);
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("cyclical - const-0.9 = +1.00 points (noise 0.30)");
    expect_why("const-0.9 is the best of the others");

    set(&v, x, "const-0.85", 0.8985);
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
    expect_why("cyclical - const-0.85 = +0.15 points");
    expect_why("as good, within the noise");

    set(&v, x, "const-0.95", 0.910);
    expect_verdict(x, &v, REP_VERDICT_NOT);
    expect_why("-1.00 points");
    expect_why("worse");
}

Test(replicate, better_waits_for_every_other_run_and_ranks_divergence_last)
{
    const rep_experiment *x = exp_of("full", "momentum");
    rep_values v;
    values_init(&v, 1);
    set(&v, x, "cyclical", 0.900);
    set(&v, x, "const-0.85", 0.880);
    set(&v, x, "const-0.9", 0.890);
    set(&v, x, "const-0.95", NA);   /* not finished: it could still be the best */
    expect_verdict(x, &v, REP_VERDICT_INCOMPLETE);
    expect_why("no value for const-0.95 yet");

    set_diverged(&v, x, "const-0.95", 0);
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("const-0.9 is the best of the others");

    set_diverged(&v, x, "cyclical", 0);
    expect_verdict(x, &v, REP_VERDICT_NOT);
    expect_why("cyclical diverged, const-0.9 did not");
}

/* ---- batch size ------------------------------------------------------------ */

static void set_batches(rep_values *v, const rep_experiment *x, double b64, double b128,
                        double b256, double b512, double b1024)
{
    set(v, x, "batch-64", b64);
    set(v, x, "batch-128", b128);
    set(v, x, "batch-256", b256);
    set(v, x, "batch-512", b512);
    set(v, x, "batch-1024", b1024);
}

Test(replicate, larger_batch_best_of_the_larger_against_the_smallest)
{
    const rep_experiment *x = exp_of("full", "batch-size");
    rep_values v;
    values_init(&v, 1);
    set_batches(&v, x, 0.880, 0.885, 0.888, 0.890, 0.870);
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("batch 512, the best of the larger batches, against the smallest, 64");
    expect_why("batch-512 - batch-64 = +1.00 points (noise 0.30)");

    /* The smallest is best, by less than the noise: as good, not worse. */
    set_batches(&v, x, 0.890, 0.889, 0.888, 0.8885, 0.870);
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
    expect_why("batch-128 - batch-64 = -0.10 points");
    expect_why("as good, within the noise");

    set_batches(&v, x, 0.900, 0.889, 0.888, 0.887, 0.870);
    expect_verdict(x, &v, REP_VERDICT_NOT);
    expect_why("the smallest batch is better");

    set_batches(&v, x, 0.900, 0.889, NA, 0.887, 0.870);
    expect_verdict(x, &v, REP_VERDICT_INCOMPLETE);
    expect_why("batch-256");
}

Test(replicate, larger_batch_needs_two_sizes)
{
    rep_experiment x = *exp_of("full", "batch-size");
    x.n_runs = 1;
    rep_values v;
    values_init(&v, 1);
    set(&v, &x, "batch-64", 0.9);
    expect_verdict(&x, &v, REP_VERDICT_INCOMPLETE);
    expect_why("two batch sizes or more");

    x = *exp_of("full", "batch-size");
    set_batches(&v, &x, 0.880, 0.885, 0.888, NA, 0.870);
    set_diverged(&v, &x, "batch-512", 0);
    expect_verdict(&x, &v, REP_VERDICT_REPRODUCED);
    expect_why("batch 256, the best of the larger batches");
}

/* ---- the LR estimate ------------------------------------------------------- */

Test(replicate, lr_estimate_is_large_and_above_the_constant_lr)
{
    const rep_experiment *x = exp_of("full", "lr-estimate");
    rep_values v;
    values_init(&v, 1);
    set(&v, x, "clr", 2.5);
    set(&v, x, "const", 0.4);
    expect_verdict(x, &v, REP_VERDICT_REPRODUCED);
    expect_why("estimate under clr 2.5 (large: at least 1), under const 0.4");
    expect_why("clr - const = +2.1 (noise 0.003): higher under the cycle");

    set(&v, x, "const", 2.499);   /* large, but so is the constant LR's */
    expect_verdict(x, &v, REP_VERDICT_PARTLY);
    expect_why("not clearly higher under the cycle");

    set(&v, x, "clr", 0.8);
    set(&v, x, "const", 0.1);
    expect_verdict(x, &v, REP_VERDICT_NOT);
    expect_why("estimate under clr 0.8 (not large: below 1)");
}

Test(replicate, lr_estimate_needs_both_runs)
{
    const rep_experiment *x = exp_of("full", "lr-estimate");
    rep_values v;
    values_init(&v, 2);
    set(&v, x, "clr", 2.5, 2.7);
    set(&v, x, "const", NA, NA);
    expect_verdict(x, &v, REP_VERDICT_INCOMPLETE);
    expect_why("no value for const yet");

    set(&v, x, "clr", NA, NA);
    set(&v, x, "const", 0.4, 0.5);
    expect_verdict(x, &v, REP_VERDICT_INCOMPLETE);
    expect_why("no value for clr yet");

    set_diverged(&v, x, "clr", 1);
    expect_verdict(x, &v, REP_VERDICT_NOT);
    expect_why("clr diverged");
}

/* ---- the tables ------------------------------------------------------------ */

/* Every experiment of every suite can be judged once its runs have values:
 * its rule finds the runs it needs in the table. */
Test(replicate, every_experiment_of_every_suite_can_be_judged)
{
    for (int k = 0; k < rep_n_suites; k++) {
        const rep_suite *s = &rep_suites[k];
        for (int e = 0; e < s->n_exps; e++) {
            const rep_experiment *x = &s->exps[e];
            rep_values v;
            values_init(&v, 2);
            for (int i = 0; i < x->n_runs; i++)
                for (int seed = 0; seed < 2; seed++) {
                    v.v[i][seed] = 0.8 + 0.01 * i + 0.001 * seed;
                    v.sig[i][seed] = x->runs[i].kind == REP_RANGE_TEST ? 'P' : 0;
                }
            rep_verdict got = judge(x, &v);
            cr_expect_neq(got, REP_VERDICT_INCOMPLETE, "%s/%s cannot be judged: %s", s->name,
                          x->id, why);
            cr_expect(rep_judge_rule(x->judge)[0], "%s/%s: no rule text", s->name, x->id);
        }
    }
}
