/* commands.h — the subcommands main() dispatches to. Each takes the
 * arguments after its name (argv[0] is the subcommand) and returns the exit
 * status (see setup.h). */
#ifndef LRSCOPE_COMMANDS_H
#define LRSCOPE_COMMANDS_H

#include "engine/err.h"
#include "engine/rangetest.h"
#include "engine/sched_export.h"
#include "tui/cli.h"

int cmd_train(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_rangetest(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_export_weights(int argc, char **argv);
int cmd_replicate(int argc, char **argv);

/* Writes dir/schedule_pytorch.py and dir/schedule_fastai.py (sched_export.h)
 * and hands back both texts, which the caller frees. Returns 0, or -1 with
 * `e` naming the file that could not be written (nothing is handed back). */
int export_write_files(const char *dir, const sched *s, const sgd_opts *o,
                       const export_info *x, char **pytorch, char **fastai, lr_err *e);
int cmd_checkgrad(int argc, char **argv);

/* Prints "lrscope: <message>" to stderr and returns `status`. */
int commands_fail(const lr_err *e, int status);

/* The range test `lrscope range-test` runs for options o (o->policy a sweep)
 * on a training set of n_train images: the workbench asks for the same one,
 * so the same data, model, seed and length give the same suggestion in both.
 * Returns 0, or -1 with `e` saying what is allowed. */
int commands_rangetest_cfg(const cli_opts *o, long n_train, rangetest_cfg *c, lr_err *e);

#endif
