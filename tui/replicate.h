/* replicate.h (front end) — `lrscope replicate`'s runs as folders: where
 * each lives, whether it is finished, the command that makes it, what it
 * measured, and the report built from them. The table of claims is
 * engine/replicate.h; launching and progress are cmd_replicate.c.
 *
 * Layout of the output folder OUT:
 *     OUT/suite.txt                    suite, data and seeds it was started with
 *     OUT/EXPERIMENT/RUN-sSEED/        an ordinary run folder (+ output.txt,
 *                                      the run's own stdout and stderr)
 *     OUT/report.md, OUT/fig-*.png     the report and its figures */
#ifndef LRSCOPE_TUI_REPLICATE_H
#define LRSCOPE_TUI_REPLICATE_H

#include <stddef.h>

#include "engine/err.h"
#include "engine/replicate.h"

typedef struct rep_ctx {
    const rep_suite *suite;
    char        out[512];
    char        data[512];     /* passed to every run as --data */
    int         seeds;
    const char *only;          /* one experiment's id, or NULL */
    char        exe[1024];     /* the lrscope binary that runs them */
    char        command[1024]; /* the replicate command, for the report */
} rep_ctx;

typedef enum { REP_FRESH, REP_RESUMABLE, REP_FINISHED } rep_status;

/* The seeds experiment x runs under ctx (its max_seeds caps ctx->seeds). */
int  rep_seeds_of(const rep_ctx *c, const rep_experiment *x);

/* The seeds a report shows for x, 1..n (returned): those ctx asks for
 * (rep_seeds_of) and, beyond them, each next seed whose runs have all
 * finished in the folder, so that runs of an earlier command with more
 * seeds are kept in view. *partial gets the first seed beyond those with
 * some runs finished (0: none) and *n_partial how many of its runs. */
int  rep_seeds_found(const rep_ctx *c, const rep_experiment *x, int *partial, int *n_partial);

/* OUT/EXPERIMENT/RUN-sSEED into buf (-1 when it does not fit). */
int  rep_run_dir(const rep_ctx *c, const rep_experiment *x, const rep_run *r, int seed,
                 char *buf, size_t len);

/* Where the run in `dir` stands: finished (a range test whose suggestions
 * are whole; a training run that is done or diverged), resumable (any other
 * run with a checkpoint: `lrscope resume` continues it, or writes the files
 * of a range test that ended without them), or to start afresh. */
rep_status rep_run_status(const char *dir, rep_kind kind);

/* The argument vector of a fresh run (exe, subcommand, the run's options,
 * --data, --seed, --threads 1, --out dir), into argv[max] with its strings
 * in buf[len]; returns argc, or -1 when it does not fit. */
int  rep_run_argv(const rep_ctx *c, const rep_run *r, int seed, const char *dir,
                  char **argv, int max, char *buf, size_t len);

/* The same as a shell command starting with "lrscope". */
void rep_run_command(const rep_ctx *c, const rep_run *r, int seed, const char *dir,
                     char *buf, size_t len);

/* The value run `dir` measured for x (NaN when unfinished or diverged;
 * *diverged says which); for range tests *sig gets 'P', 'A' or 'U' (0 when
 * unfinished). */
double rep_measure_run(const rep_experiment *x, const rep_run *r, const char *dir, char *sig,
                       bool *diverged);

/* A finished range test's peak of smoothed held-out accuracy and the LR of
 * it (NaN when unknown), and how it stopped when it stopped early ("loss
 * rose at lr 0.468"; "" when it completed). */
void rep_range_details(const char *dir, double *peak_acc, double *peak_lr, char *stop,
                       size_t len);

/* Reads OUT/suite.txt into c (suite, data, seeds). Returns 0, or -1 with `e`. */
int  rep_read_suite_file(rep_ctx *c, lr_err *e);
/* Writes it. Returns 0, or -1 with `e`. */
int  rep_write_suite_file(const rep_ctx *c, lr_err *e);

/* Writes OUT/report.md and its figures (through `lrscope plot`) from the run
 * folders as they are. Returns 0, or -1 with `e` naming what failed. */
int  rep_report_write(const rep_ctx *c, lr_err *e);

#endif
