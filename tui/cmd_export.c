/* cmd_export.c — `lrscope export RUN`: a run's schedule as PyTorch and
 * fastai code (engine/sched_export.h), written next to the run as
 * schedule_pytorch.py and schedule_fastai.py; the PyTorch snippet goes to
 * stdout. The schedule, optimizer settings and batch size come from the run's
 * config; iterations per epoch from its metrics.csv. The workbench's :export
 * writes the same two files through export_write_files. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

typedef struct run_export {
    sched    sched;
    sgd_opts sgd;
    int      batch, train_size;
    char     model[128], init[32];
    long     iters_per_epoch;
    int      n_edits;
} run_export;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && strchr(" \t\r\n", s[n - 1]))
        s[--n] = '\0';
    return s;
}

static bool is_true(const char *v)
{
    return !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes");
}

/* One `key = value` line of the config; keys it does not need are skipped
 * (the config also holds data, seeds and evaluation settings). */
static int read_setting(run_export *r, const char *path, int line_no, const char *key,
                        const char *v, lr_err *e)
{
    lr_err sub;
    if (!strncmp(key, "sched.", 6)) {
        if (sched_set_param(&r->sched, key, v, &sub))
            return lr_fail(e, "%s line %d: %s", path, line_no, sub.msg);
    } else if (!strcmp(key, "wd")) {
        char *end;
        r->sgd.wd = strtod(v, &end);
        if (end == v || *end || !(r->sgd.wd >= 0.0) || !isfinite(r->sgd.wd))
            return lr_fail(e, "%s line %d: wd '%s' is not a weight decay", path, line_no, v);
    } else if (!strcmp(key, "batch") || !strcmp(key, "train_size")) {
        char *end;
        long n = strtol(v, &end, 10);
        if (end == v || *end || n < 0 || n > 100000000)
            return lr_fail(e, "%s line %d: %s '%s' is not a count", path, line_no, key, v);
        *(!strcmp(key, "batch") ? &r->batch : &r->train_size) = (int)n;
    } else if (!strcmp(key, "decay_bias")) {
        r->sgd.decay_bias = is_true(v);
    } else if (!strcmp(key, "decay_bn")) {
        r->sgd.decay_bn = is_true(v);
    } else if (!strcmp(key, "nesterov")) {
        r->sgd.nesterov = is_true(v);
    } else if (!strcmp(key, "sgd")) {
        if (sgd_form_parse(v, &r->sgd.form))
            return lr_fail(e, "%s line %d: sgd '%s' is unknown (caffe or torch)", path,
                           line_no, v);
    } else if (!strcmp(key, "model")) {
        snprintf(r->model, sizeof r->model, "%s", v);
    } else if (!strcmp(key, "init")) {
        snprintf(r->init, sizeof r->init, "%s", v);
    }
    return 0;
}

static int read_config(run_export *r, const char *dir, lr_err *e)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/config", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return lr_fail(e, "%s has no config file (%s): is it an lrscope run folder?", dir,
                       path);
    char line[1024];
    int n = 0, rc = 0;
    bool have_policy = false;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        n++;
        char *s = trim(line);
        char *eq = strchr(s, '=');
        if (!*s || *s == '#' || !eq)
            continue;
        *eq = '\0';
        char *key = trim(s), *v = trim(eq + 1);
        have_policy |= !strcmp(key, "sched.policy");
        rc = read_setting(r, path, n, key, v, e);
    }
    fclose(f);
    if (rc)
        return -1;
    if (!have_policy)
        return lr_fail(e, "%s holds no schedule (sched.policy); was it written by lrscope?",
                       path);
    lr_err sub;
    if (sched_validate(&r->sched, &sub))
        return lr_fail(e, "%s: %s", path, sub.msg);
    if (r->batch < 1)
        return lr_fail(e, "%s: the batch size is missing or 0", path);
    return 0;
}

/* Iterations per epoch: from train_size when the run used a subset, else from
 * metrics.csv's first row (epoch = (iter + 1) * batch / n_train). 0 when
 * neither says. */
static long read_iters_per_epoch(const run_export *r, const char *dir)
{
    long n_train = r->train_size;
    char path[1100], line[1024];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *f = n_train > 0 ? NULL : fopen(path, "r");
    if (f && fgets(line, sizeof line, f) && !strncmp(line, "iter,epoch,", 11) &&
        fgets(line, sizeof line, f)) {
        char *end;
        long iter = strtol(line, &end, 10);
        double epoch = *end == ',' ? strtod(end + 1, NULL) : 0.0;
        if (iter >= 0 && epoch > 0.0 && isfinite(epoch))
            n_train = lround((double)(iter + 1) * r->batch / epoch);
    }
    if (f)
        fclose(f);
    return n_train > 0 ? (n_train + r->batch - 1) / r->batch : 0;
}

/* Live edits recorded in events.csv. */
static int count_edits(const char *dir)
{
    char path[1100], line[512];
    snprintf(path, sizeof path, "%s/events.csv", dir);
    FILE *f = fopen(path, "r");
    int n = 0;
    while (f && fgets(line, sizeof line, f)) {
        const char *kind = strchr(line, ',');
        if (kind && (!strncmp(kind + 1, "set_", 4) || !strncmp(kind + 1, "restart,", 8)))
            n++;
    }
    if (f)
        fclose(f);
    return n;
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

    run_export r = { .batch = 0 };
    sched_defaults(&r.sched, SCHED_CONST);
    sgd_opts_default(&r.sgd);
    lr_err e;
    if (read_config(&r, dir, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);
    r.iters_per_epoch = read_iters_per_epoch(&r, dir);
    r.n_edits = count_edits(dir);
    char note[200];
    snprintf(note, sizeof note, "The run had %d live edit%s (events.csv); this is the schedule "
             "it started with.", r.n_edits, r.n_edits == 1 ? "" : "s");
    export_info x = { .source = dir, .model = r.model[0] ? r.model : NULL,
                      .init = r.init[0] ? r.init : NULL, .batch = r.batch,
                      .iters_per_epoch = r.iters_per_epoch, .note = r.n_edits ? note : NULL };
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
