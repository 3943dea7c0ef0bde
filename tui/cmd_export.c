/* cmd_export.c — `lrscope export RUN`: a run's schedule as PyTorch and
 * fastai code (engine/sched_export.h), written next to the run as
 * schedule_pytorch.py and schedule_fastai.py; the PyTorch snippet goes to
 * stdout. The schedule, its live edits, the optimizer settings and the batch
 * size come from the run's config; iterations per epoch from its
 * metrics.csv. The workbench's :export
 * writes the same two files through export_write_files. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/run.h"
#include "engine/sched_export.h"
#include "tui/commands.h"
#include "tui/setup.h"

int export_write_files(const char *dir, const sched *s, const sgd_opts *o,
                       const export_info *x, char **pytorch, char **fastai, lr_err *e)
{
    const char *names[2] = { "schedule_pytorch.py", "schedule_fastai.py" };
    char *text[2] = { NULL, NULL };
    *pytorch = *fastai = NULL;
    if (sched_export_pytorch(s, o, x, &text[0], e) || sched_export_fastai(s, o, x, &text[1], e)) {
        free(text[0]);
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "w");
        bool ok = f && fputs(text[i], f) >= 0;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok) {
            free(text[0]);
            free(text[1]);
            return lr_fail(e, "cannot write %s", path);
        }
    }
    *pytorch = text[0];
    *fastai = text[1];
    return 0;
}

/* ---- reading a run folder back ---------------------------------------------- */

/* The run's settings from its config (read through the option table), with
 * its live edits replayed on the schedule and the weight decay: what was in
 * force when the run ended. */
typedef struct run_export {
    cli_opts o;
    sched    sched;
    sgd_opts sgd;
    long     iters_per_epoch;
} run_export;

static int replay_edit(run_export *r, const run_edit *ed, lr_err *e)
{
    switch (ed->kind) {
    case RUN_EDIT_BOUNDS: sched_set_bounds(&r->sched, ed->a, ed->b); break;
    case RUN_EDIT_MOMENTUM: sched_set_momentum(&r->sched, ed->a, ed->b); break;
    case RUN_EDIT_WD: r->sgd.wd = ed->a; break;
    case RUN_EDIT_RESTART: sched_restart(&r->sched, ed->iter); break;
    default: return lr_fail(e, "unknown edit at iteration %ld", ed->iter);
    }
    lr_err why;
    if (sched_validate(&r->sched, &why))
        return lr_fail(e, "the edit at iteration %ld gives no valid schedule: %s", ed->iter,
                       why.msg);
    return 0;
}

static int read_run(run_export *r, const char *dir, lr_err *e)
{
    char path[1100];
    char *no_args[] = { "export", NULL };
    if (cli_parse(&r->o, CLI_TRAIN, 1, no_args, e))
        return -1;
    if (run_path(path, sizeof path, dir, "rangetest.csv") == 0 && access(path, F_OK) == 0)
        return lr_fail(e, "%s is a range test: export the runs you train with its bounds "
                          "(lrscope train, or the workbench)", dir);
    if (run_path(path, sizeof path, dir, "config") || access(path, F_OK))
        return lr_fail(e, "%s has no config file: is it an lrscope run folder?", dir);
    if (cli_read_config(&r->o, path, e))
        return -1;
    if (!r->o.have_base_sched)
        return lr_fail(e, "%s holds no schedule (sched.* lines)", path);
    r->sched = r->o.base_sched;
    r->sgd = r->o.sgd;
    for (int i = 0; i < r->o.n_edits; i++)
        if (replay_edit(r, &r->o.edits[i], e))
            return -1;
    return 0;
}

/* Iterations per epoch: from train_size when the run used a subset, else from
 * metrics.csv's first row (epoch = (iter + 1) * batch / n_train). 0 when
 * neither says. */
static long read_iters_per_epoch(const cli_opts *o, const char *dir)
{
    long n_train = o->train_size;
    char path[1100], line[1024];
    FILE *f = n_train > 0 || run_path(path, sizeof path, dir, "metrics.csv")
              ? NULL : fopen(path, "r");
    if (f && fgets(line, sizeof line, f) && !strncmp(line, "iter,epoch,", 11) &&
        fgets(line, sizeof line, f)) {
        char *end;
        long iter = strtol(line, &end, 10);
        double epoch = *end == ',' ? strtod(end + 1, NULL) : 0.0;
        if (iter >= 0 && epoch > 0.0 && isfinite(epoch))
            n_train = lround((double)(iter + 1) * o->batch / epoch);
    }
    if (f)
        fclose(f);
    return n_train > 0 ? (n_train + o->batch - 1) / o->batch : 0;
}

static void usage(FILE *f)
{
    fputs("usage: lrscope export RUN [--fastai] [--quiet]\n"
          "\n"
          "Writes RUN/schedule_pytorch.py and RUN/schedule_fastai.py: the run's schedule,\n"
          "weight decay, momentum and batch size as PyTorch and fastai code that gives the\n"
          "same learning rate and momentum at every iteration. Prints the PyTorch one.\n"
          "\n"
          "  --fastai   print the fastai snippet instead\n"
          "  --quiet    print nothing but errors\n"
          "  --help\n", f);
}

int cmd_export(int argc, char **argv)
{
    const char *dir = NULL;
    bool fastai = false, quiet = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--fastai")) {
            fastai = true;
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = true;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "lrscope export: unknown option '%s' (see lrscope export --help)\n",
                    argv[i]);
            return EXIT_BAD_INPUT;
        } else if (dir) {
            fprintf(stderr, "lrscope export: one run folder at a time ('%s' and '%s')\n", dir,
                    argv[i]);
            return EXIT_BAD_INPUT;
        } else {
            dir = argv[i];
        }
    }
    if (!dir) {
        usage(stderr);
        return EXIT_BAD_INPUT;
    }

    static run_export r;   /* large (the options' text buffer): not on the stack */
    lr_err e;
    if (read_run(&r, dir, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);
    r.iters_per_epoch = read_iters_per_epoch(&r.o, dir);
    char note[200];
    snprintf(note, sizeof note, "This is the schedule in force at the end of the run, after "
             "%d live edit%s.", r.o.n_edits, r.o.n_edits == 1 ? "" : "s");
    export_info x = { .source = dir, .model = r.o.model,
                      .init = r.o.net.init == INIT_TORCH ? "torch" : "he",
                      .batch = r.o.batch, .iters_per_epoch = r.iters_per_epoch,
                      .note = r.o.n_edits ? note : NULL };
    char *py, *fa;
    if (export_write_files(dir, &r.sched, &r.sgd, &x, &py, &fa, &e))
        return commands_fail(&e, EXIT_FAILURE_RUN);
    if (!quiet) {
        fputs(fastai ? fa : py, stdout);
        fprintf(stderr, "lrscope: wrote %s/schedule_pytorch.py and %s/schedule_fastai.py\n",
                dir, dir);
    }
    free(py);
    free(fa);
    return EXIT_OK;
}
