/* replicate_runs.c — the run folders of a replicate suite (tui/replicate.h). */
#include "tui/replicate.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/runlog.h"
#include "tui/keyfile.h"

#define SUITE_FILE "suite.txt"

int rep_seeds_of(const rep_ctx *c, const rep_experiment *x)
{
    return x->max_seeds > 0 && x->max_seeds < c->seeds ? x->max_seeds : c->seeds;
}

int rep_seeds_found(const rep_ctx *c, const rep_experiment *x, int *partial, int *n_partial)
{
    int n = rep_seeds_of(c, x);
    *partial = *n_partial = 0;
    for (int s = n + 1; s <= REP_MAX_SEEDS; s++) {
        int finished = 0;
        for (int i = 0; i < x->n_runs; i++) {
            char dir[1024];
            finished += rep_run_dir(c, x, &x->runs[i], s, dir, sizeof dir) == 0 &&
                        rep_run_status(dir, x->runs[i].kind) == REP_FINISHED;
        }
        if (finished == x->n_runs && !*partial && n == s - 1)
            n = s;
        else if (finished > 0 && !*partial) {
            *partial = s;
            *n_partial = finished;
        }
    }
    return n;
}

int rep_run_dir(const rep_ctx *c, const rep_experiment *x, const rep_run *r, int seed,
                char *buf, size_t len)
{
    return snprintf(buf, len, "%s/%s/%s-s%d", c->out, x->id, r->name, seed) >= (int)len ? -1
                                                                                        : 0;
}

static bool exists(const char *dir, const char *name)
{
    char path[1200];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

typedef struct ended { bool done, diverged; } ended;

static void on_event(long iter, const char *kind, const char *detail, void *ctx)
{
    (void)iter, (void)detail;
    ended *d = ctx;
    d->done |= !strcmp(kind, "done");
    d->diverged |= !strcmp(kind, "diverged");
}

static ended run_ended(const char *dir)
{
    ended d = { false, false };
    if (exists(dir, "events.csv"))
        runlog_read_events(dir, on_event, &d, NULL);
    return d;
}

rep_status rep_run_status(const char *dir, rep_kind kind)
{
    char v[16];
    if (kind == REP_RANGE_TEST) {
        if (keyfile_get_in(dir, "suggestions.txt", "partial", v, sizeof v) == 0 && !strcmp(v, "no"))
            return REP_FINISHED;
    } else {
        ended d = run_ended(dir);
        if (d.done || d.diverged)
            return REP_FINISHED;
    }
    return exists(dir, "checkpoint") && exists(dir, "config") ? REP_RESUMABLE : REP_FRESH;
}

int rep_run_argv(const rep_ctx *c, const rep_run *r, int seed, const char *dir,
                 char **argv, int max, char *buf, size_t len)
{
    char seed_text[16];
    snprintf(seed_text, sizeof seed_text, "%d", seed);
    int n = snprintf(buf, len, "%s %s", r->kind == REP_RANGE_TEST ? "range-test" : "train",
                     r->args);
    if (n < 0 || (size_t)n + 1 >= len)
        return -1;
    int argc = 0;
    argv[argc++] = (char *)c->exe;
    for (char *p = strtok(buf, " "); p; p = strtok(NULL, " ")) {
        if (argc + 11 > max)
            return -1;
        argv[argc++] = p;
    }
    const char *tail[] = { "--data", c->data, "--seed", NULL, "--threads", "1", "--out", dir };
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) {
        if (!tail[i]) {
            char *s = buf + n + 1;
            if ((size_t)n + 1 + sizeof seed_text > len)
                return -1;
            snprintf(s, sizeof seed_text, "%s", seed_text);
            argv[argc++] = s;
        } else {
            argv[argc++] = (char *)tail[i];
        }
    }
    argv[argc] = NULL;
    return argc;
}

/* `s` quoted for a POSIX shell when it needs it. */
static void shell_word(char *buf, size_t len, const char *s)
{
    if (s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                    "-_./:,=+@%")] == '\0' && *s) {
        snprintf(buf, len, "%s", s);
        return;
    }
    size_t k = 0;
    if (k + 1 < len)
        buf[k++] = '\'';
    for (; *s && k + 5 < len; s++) {
        if (*s == '\'') {
            memcpy(buf + k, "'\\''", 4);
            k += 4;
        } else {
            buf[k++] = *s;
        }
    }
    if (k + 1 < len)
        buf[k++] = '\'';
    buf[k] = '\0';
}

void rep_run_command(const rep_ctx *c, const rep_run *r, int seed, const char *dir,
                     char *buf, size_t len)
{
    char data[600], out[1200];
    shell_word(data, sizeof data, c->data);
    shell_word(out, sizeof out, dir);
    snprintf(buf, len, "lrscope %s %s --data %s --seed %d --threads 1 --out %s",
             r->kind == REP_RANGE_TEST ? "range-test" : "train", r->args, data, seed, out);
}

typedef struct last_values { double acc, est; } last_values;

static void on_row(const metrics_row *m, void *ctx)
{
    last_values *l = ctx;
    if (isfinite(m->test_acc))
        l->acc = m->test_acc;
    if (isfinite(m->lr_est_secant))
        l->est = m->lr_est_secant;
}

double rep_measure_run(const rep_experiment *x, const rep_run *r, const char *dir, char *sig,
                       bool *diverged)
{
    *sig = 0;
    *diverged = false;
    if (rep_run_status(dir, r->kind) != REP_FINISHED)
        return NAN;
    if (r->kind == REP_RANGE_TEST) {
        char v[64];
        if (keyfile_get_in(dir, "suggestions.txt", "signature", v, sizeof v))
            return NAN;
        *sig = !strcmp(v, "present") ? 'P' : !strcmp(v, "absent") ? 'A' : 'U';
        if (keyfile_get_in(dir, "suggestions.txt", "signature.ratio", v, sizeof v))
            return NAN;
        return strtod(v, NULL);   /* "nan" reads as NaN */
    }
    if (run_ended(dir).diverged) {
        *diverged = true;
        return NAN;
    }
    last_values l = { NAN, NAN };
    if (runlog_read_metrics(dir, on_row, &l, NULL) < 0)
        return NAN;
    return x->measure == REP_MEASURE_LREST ? l.est : l.acc;
}

void rep_range_details(const char *dir, double *peak_acc, double *peak_lr, char *stop,
                       size_t len)
{
    char v[64], lr[64];
    *peak_acc = *peak_lr = NAN;
    if (keyfile_get_in(dir, "suggestions.txt", "smith.basis", v, sizeof v) == 0 &&
        !strcmp(v, "accuracy") &&
        keyfile_get_in(dir, "suggestions.txt", "smith.peak_value", v, sizeof v) == 0 &&
        keyfile_get_in(dir, "suggestions.txt", "smith.peak_lr", lr, sizeof lr) == 0) {
        *peak_acc = strtod(v, NULL);
        *peak_lr = strtod(lr, NULL);
    }
    stop[0] = '\0';
    if (keyfile_get_in(dir, "suggestions.txt", "stop", v, sizeof v) || !strcmp(v, "completed"))
        return;
    double at = keyfile_get_in(dir, "suggestions.txt", "stop.lr", lr, sizeof lr) ? (double)NAN
                                                                             : strtod(lr, NULL);
    if (isfinite(at))
        snprintf(stop, len, "%s at lr %.3g", v, at); /* as the peak's LR is printed */
    else
        snprintf(stop, len, "%s at an unknown lr", v);
}

int rep_read_suite_file(rep_ctx *c, lr_err *e)
{
    char path[600], v[512];
    snprintf(path, sizeof path, "%s/%s", c->out, SUITE_FILE);
    if (keyfile_get_in(c->out, SUITE_FILE, "suite", v, sizeof v))
        return lr_fail(e, "%s: no replicate suite here (%s is missing or has no suite line)",
                       c->out, path);
    c->suite = rep_suite_find(v);
    if (!c->suite)
        return lr_fail(e, "%s names an unknown suite '%s'", path, v);
    if (keyfile_get_in(c->out, SUITE_FILE, "data", c->data, sizeof c->data))
        return lr_fail(e, "%s has no data line", path);
    if (keyfile_get_in(c->out, SUITE_FILE, "seeds", v, sizeof v) || (c->seeds = atoi(v)) < 1 ||
        c->seeds > REP_MAX_SEEDS)
        return lr_fail(e, "%s: the seeds line is missing or not 1..%d", path, REP_MAX_SEEDS);
    if (keyfile_get_in(c->out, SUITE_FILE, "command", c->command, sizeof c->command))
        c->command[0] = '\0';
    return 0;
}

int rep_write_suite_file(const rep_ctx *c, lr_err *e)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", c->out, SUITE_FILE);
    FILE *f = fopen(path, "w");
    if (!f)
        return lr_fail(e, "cannot write %s: %s", path, strerror(errno));
    fprintf(f, "suite = %s\ndata = %s\nseeds = %d\ncommand = %s\n", c->suite->name, c->data,
            c->seeds, c->command);
    int bad = ferror(f), err = errno;
    if (fclose(f) || bad)
        return lr_fail(e, "cannot write %s: %s", path, strerror(bad ? err : errno));
    return 0;
}
