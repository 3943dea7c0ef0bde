/* setup.h — from parsed options to a ready run: data loaded (with its
 * notice), model built, schedule resolved, threads set. Shared by
 * the workbench and the headless subcommands. */
#ifndef LRSCOPE_SETUP_H
#define LRSCOPE_SETUP_H

#include "datasets/dataset.h"
#include "engine/net.h"
#include "engine/sched.h"
#include "engine/trainer.h"
#include "tui/cli.h"

typedef struct run_setup {
    dataset_pair data;
    net          net;
    sched        sched;
    train_cfg    train;
    char         notice[256];   /* e.g. "Fashion-MNIST not installed: using synthetic data" */
    int          threads;       /* threads actually set (gemm.h) */
} run_setup;

/* Exit statuses shared by the subcommands. */
enum { EXIT_OK = 0, EXIT_FAILURE_RUN = 1, EXIT_BAD_INPUT = 2, EXIT_DIVERGED = 3,
       EXIT_INTERRUPTED = 130 };

/* Sets the thread count (gemm_threads): `threads`, or the number of cores when 0.
 * Returns the number set. */
int  setup_threads(int threads);

/* Loads data, builds the model (not for the workbench, whose session builds
 * its own) and resolves the schedule. Returns 0, or -1 with `e` set and
 * nothing left allocated. */
int  setup_run(run_setup *r, const cli_opts *o, lr_err *e);
void setup_free(run_setup *r);

#endif
