/* cli.h — the command line shared by the workbench and the headless
 * subcommands (train, range-test, bench, resume), and the run folder's
 * `config` file.
 *
 * One table of options (cli.c: name, type, quantity, config key, help)
 * drives getopt_long, --help, the config writer and the config reader, and
 * every value goes through the validator of its quantity (quantity.h), the
 * same one the workbench's ':' command line uses. Parsing only records what
 * the user typed; cli_resolve_sched() turns it into a schedule once the
 * dataset (and so the iterations per epoch) is known. Every refusal explains
 * what is allowed. */
#ifndef LRSCOPE_CLI_H
#define LRSCOPE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/err.h"
#include "engine/run_spec.h"
#include "engine/net.h"
#include "engine/sched.h"
#include "engine/sgd.h"
#include "engine/trainer.h"

typedef enum {
    CLI_WORKBENCH, CLI_TRAIN, CLI_RANGE_TEST, CLI_BENCH, CLI_CHECK_GRAD, CLI_RESUME
} cli_mode;

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
    bool         by_layer;      /* bench: time every layer too */

    /* schedule, as typed; NaN / negative mean "not given" */
    bool         policy_given;
    sched_policy policy;
    double       lr_min, lr_max, gamma, power, pct_start, div_factor, final_div_factor;
    bool         lr_given, lr_max_given;   /* which of --lr, --lr-max set lr_max */
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
    bool         sweep_given;   /* --sweep was on the command line */
    double       stop_factor;
    bool         stop_factor_given;
    int          preset;        /* rangetest_preset from --preset, -1 unset */

    /* workbench */
    bool         ascii;
    double       fps;
    long         frames;        /* 0: run until quit */
    const char  *screenshot;    /* PNG of the screen written on exit, or NULL */
    int          lr_estimate;   /* every K iterations; 0: off; -1: unset */

    /* runs */
    int          eval_max_end;  /* config only: end-of-epoch evaluations (0: all) */
    double       checkpoint_minutes;
    const char  *resume;        /* workbench --resume RUN */
    const char  *ghosts[3];     /* workbench --ghost RUN (repeatable) */
    int          n_ghosts;
    /* A config file read with --config: its schedule is the base that later
     * schedule options change, and its edits are replayed. */
    bool         have_base_sched;
    sched        base_sched;
    run_edit     edits[RUN_MAX_EDITS];
    int          n_edits;
    char         strings[4096]; /* text values read from a config file */
    size_t       strings_used;
} cli_opts;

/* Parses argv (argv[0] is the subcommand or program name). Returns 0 to go
 * on, 1 when help or version was printed (exit 0), -1 on a bad option with
 * `e` set (exit 2). */
int  cli_parse(cli_opts *o, cli_mode mode, int argc, char **argv, lr_err *e);

/* Builds the schedule from the options given `n_train` images per epoch.
 * Returns 0, or -1 with `e` set when values conflict. */
int  cli_resolve_sched(const cli_opts *o, long n_train, sched *s, lr_err *e);

/* Reads a run's config file into o, as if its settings were typed at this
 * point of the command line. Returns 0, or -1 with `e` naming the file, the
 * line and the key (unknown key, bad value, missing file). */
int  cli_read_config(cli_opts *o, const char *path, lr_err *e);

/* A run_config_writer: every setting of spec as `key = value` lines, the
 * keys of the option table, then the schedule and the edits. */
int  cli_write_config(FILE *f, const run_spec *spec);

/* The run spec of options o once setup resolved the schedule `s` and the
 * training settings `tc`. */
void cli_run_spec(const cli_opts *o, const sched *s, const train_cfg *tc, run_spec *out);

void cli_print_usage(FILE *f, cli_mode mode);

/* Whether `mode` takes the option arg ("--name", "--name=value" or -h);
 * cli_parse refuses the others by name. */
bool cli_mode_takes(cli_mode mode, const char *arg);

#endif
