/* replicate.h — the paper's checkable claims as a table: `lrscope replicate`.
 *
 * A suite is a list of experiments; an experiment is one claim of Smith &
 * Topin's Super-Convergence paper (or of Smith's 1803.09820), the paper's
 * statement with its number and where it is, the runs that test it (each an
 * ordinary `lrscope train` or `lrscope range-test` command line) and a rule
 * that turns what the runs measured into a verdict. The rules are fixed
 * before anything runs and stated in the report beside the verdict: nothing
 * here is tuned to the outcome.
 *
 * A run's measurement is one number per seed: the final held-out accuracy
 * of a training run (the whole test set, at its end), the signature ratio of
 * a range test (tail accuracy / peak accuracy, with its verdict), or the
 * final running average of the optimal-LR estimate. Seeds are 1..n.
 *
 * This module only knows the table and the arithmetic of verdicts; the front
 * end (tui/cmd_replicate.c) launches the runs and reads their folders. */
#ifndef LRSCOPE_REPLICATE_H
#define LRSCOPE_REPLICATE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/err.h"

#define REP_MAX_RUNS   10    /* runs of one experiment (per seed) */
#define REP_MAX_SEEDS  10
#define REP_MAX_EXPERIMENTS 16 /* of one suite */
#define REP_NOISE_FLOOR 0.003  /* accuracy differences below 0.3 points are noise
                                  whatever the seeds say: Fashion-MNIST runs of the
                                  same settings differ by that much between seeds
                                  (LR estimates get the same floor, 0.003) */

typedef enum { REP_RANGE_TEST, REP_TRAIN } rep_kind;

/* What a run's number is. */
typedef enum {
    REP_MEASURE_ACC,       /* final test accuracy (0..1) */
    REP_MEASURE_SIGNATURE, /* signature ratio; the verdict is kept beside it */
    REP_MEASURE_LREST      /* final running average of the secant LR estimate */
} rep_measure;

/* How an experiment's verdict is decided (replicate.c states each rule in words). */
typedef enum {
    REP_JUDGE_SIGNATURE,   /* each range test shows the signature it is expected to */
    REP_JUDGE_SHORT_LONG,  /* roles: short cycle, step at equal iterations, longer step */
    REP_JUDGE_WD,          /* roles: wd 1e-4 against more and against less */
    REP_JUDGE_LIMITED,     /* pairs (1cycle, step) per training-set size x */
    REP_JUDGE_BETTER,      /* role A against role B: A should be better */
    REP_JUDGE_LARGER_BATCH,/* accuracy against batch size x */
    REP_JUDGE_LREST        /* estimate under CLR stays large */
} rep_judge;

typedef enum { REP_VERDICT_REPRODUCED, REP_VERDICT_PARTLY, REP_VERDICT_NOT,
               REP_VERDICT_INCOMPLETE } rep_verdict;

/* Roles a run plays in its experiment's rule. */
enum { REP_ROLE_NONE, REP_ROLE_SHORT, REP_ROLE_EQUAL, REP_ROLE_LONG,
       REP_ROLE_A, REP_ROLE_B, REP_ROLE_EXPECT_PRESENT, REP_ROLE_EXPECT_ABSENT };

typedef struct rep_run {
    const char *name;      /* folder name within the experiment's folder */
    rep_kind    kind;
    const char *args;      /* lrscope options (space-separated, no quoting needed);
                              --data, --seed, --threads and --out come from the suite */
    int         role;
    double      x;         /* the swept value: weight decay, training-set size, batch */
} rep_run;

typedef struct rep_experiment {
    const char *id;        /* folder name, --only argument */
    const char *title;
    const char *claim;     /* the claim tested, in one sentence */
    const char *paper;     /* the paper's statement, numbers and where (table/figure) */
    rep_judge   judge;
    rep_measure measure;
    const char *panels;    /* for `lrscope plot --panels` */
    int         max_seeds; /* 0: the suite's seeds; else at most this many (costly runs) */
    rep_run     runs[REP_MAX_RUNS];
    int         n_runs;
} rep_experiment;

typedef struct rep_suite {
    const char *name;
    const char *about;     /* what it costs and what it needs */
    int         seeds;     /* default --seeds */
    int         needs_data;/* 1: --data must be given (CIFAR-10) */
    const char *data;      /* default --data */
    const rep_experiment *exps;
    int         n_exps;
} rep_suite;

/* The suites: mini, quick, full, cifar. */
extern const rep_suite rep_suites[];
extern const int rep_n_suites;

/* The suite called `name`, or NULL. */
const rep_suite *rep_suite_find(const char *name);

/* The experiment `id` of suite s, or NULL. */
const rep_experiment *rep_experiment_find(const rep_suite *s, const char *id);

/* The iterations a run's arguments ask for (its --iters), or 0 when absent. */
long rep_run_iters(const rep_run *r);
/* Its batch (--batch, else 128) and its model (--model, else "mlp-bn:512,512"). */
int  rep_run_batch(const rep_run *r);
void rep_run_model(const rep_run *r, char *buf, size_t len);

/* One measured value per run and seed (NaN: not measured: the run is
 * missing, unfinished or diverged); diverged[][] marks the seeds whose
 * training run diverged (their value is NaN); for range tests, sig[][]
 * holds the signature verdict: 'P' present, 'A' absent, 'U' unknown, 0
 * missing. */
typedef struct rep_values {
    int    n_seeds;
    double v[REP_MAX_RUNS][REP_MAX_SEEDS];
    bool   diverged[REP_MAX_RUNS][REP_MAX_SEEDS];
    char   sig[REP_MAX_RUNS][REP_MAX_SEEDS];
} rep_values;

/* Mean and sample standard deviation over the finite values of run i
 * (std NaN with fewer than two); returns how many there were. */
int  rep_stats(const rep_values *v, int i, double *mean, double *std);

/* The verdict of experiment x on values v, with the reasoning (the numbers
 * compared, the thresholds) in why[len]. A difference counts only when it
 * exceeds the noise: the larger of the two runs' seed spreads and
 * REP_NOISE_FLOOR. A run that diverged on any seed ranks below every run
 * that did not (two such runs tie). REP_VERDICT_INCOMPLETE when a run the
 * rule needs has neither a value nor a divergence, or when the table gives
 * the rule nothing to compare (say, one batch size). */
rep_verdict rep_judge_values(const rep_experiment *x, const rep_values *v, char *why,
                             size_t len);

/* The rule of a judge in one sentence, for the report. */
const char *rep_judge_rule(rep_judge j);

/* "reproduced", "partly reproduced", "not reproduced at this budget",
 * "incomplete". */
const char *rep_verdict_name(rep_verdict v);

#endif
