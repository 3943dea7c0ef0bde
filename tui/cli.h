/* cli.h — the command line shared by the workbench and the headless
 * subcommands (train, range-test, bench).
 *
 * Parsing only records what the user typed; cli_resolve() turns it into a
 * schedule once the dataset (and so the iterations per epoch) is known. Every
 * refusal explains what is allowed. */
#ifndef LRSCOPE_CLI_H
#define LRSCOPE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/err.h"
#include "engine/net.h"
#include "engine/sched.h"
#include "engine/sgd.h"
#include "engine/trainer.h"

typedef enum { CLI_WORKBENCH, CLI_TRAIN, CLI_RANGE_TEST, CLI_BENCH } cli_mode;

typedef struct cli_opts {
    cli_mode     mode;
    const char  *data;          /* NULL: Fashion-MNIST, falling back to synthetic */
    const char  *model;
    const char  *out;           /* run folder; NULL: runs/<date>-<time>-<policy> */
    int          train_size;    /* 0: all */
    int          batch;
    int          threads;       /* 0: number of cores */
    uint64_t     seed;
    double       epochs;        /* <= 0: unset */
    long         iters;         /* <= 0: unset */
    long         eval_every;    /* -1: unset (default: about 10 evaluations per epoch) */
    int          eval_max;      /* -1: unset (2000) */
    bool         quiet;
    bool         augment;       /* CIFAR-style crop and flip */
    lr_shape     input_shape;   /* bench, check-grad: one example; c == 0: 1x28x28 */

    /* schedule, as typed; NaN / negative mean "not given" */
    bool         policy_given;
    sched_policy policy;
    double       lr_min, lr_max, gamma, power, pct_start, div_factor, final_div_factor;
    double       cycle_frac, cycle_epochs, mom_max, mom_min;
    long         stepsize;
    int          style;         /* onecycle_style, -1 unset */
    int          anneal;        /* sched_anneal, -1 unset */
    bool         three_phase;
    long         milestones[16];
    int          n_milestones;

    sgd_opts     sgd;
    net_opts     net;

    /* range test */
    bool         sweep_exp;
    double       stop_factor;
    bool         stop_factor_given;
    int          preset;        /* rangetest_preset from --preset, -1 unset */

    /* workbench */
    bool         ascii;
    double       fps;
    long         frames;        /* 0: run until quit */
    const char  *screenshot;    /* PNG of the screen written on exit, or NULL */
    int          lr_estimate;   /* every K iterations; 0: off; -1: unset */
} cli_opts;

/* Parses argv (argv[0] is the subcommand or program name). Returns 0 to go
 * on, 1 when help or version was printed (exit 0), -1 on a bad option with
 * `e` set (exit 2). */
int  cli_parse(cli_opts *o, cli_mode mode, int argc, char **argv, lr_err *e);

/* Builds the schedule from the options given `n_train` images per epoch.
 * Returns 0, or -1 with `e` set when values conflict. */
int  cli_resolve_sched(const cli_opts *o, long n_train, sched *s, lr_err *e);

/* A runlog_config_writer: every setting as `key = value` lines (the run
 * folder's config). opts is the cli_opts: data and seeds come from there, the
 * rest as the run used it (rs), which in the workbench may differ from the
 * command line after live changes. */
void cli_write_config(FILE *f, const run_settings *rs, const void *opts);

void cli_print_usage(FILE *f, cli_mode mode);

#endif
