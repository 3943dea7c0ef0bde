/* replicate_report.c — report.md of a replicate suite, built only from what
 * the run folders hold (so `--report DIR` rebuilds the same text): for each
 * claim the paper's statement, every run's value per seed with mean and
 * spread, the verdict with its reasoning and rule, figures drawn by
 * `lrscope plot` (every run, in as many figures as it takes), and the
 * commands that rerun it. */
#define _POSIX_C_SOURCE 200809L
#include "tui/replicate.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tui/run_folder.h"

/* Runs argv to its end with stdout and stderr to /dev/null; returns its
 * exit status, or -1 when it could not be started. */
static int run_quietly(char **argv)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* One figure: `lrscope plot` of seed 1 of runs idx[0..n) of x into png
 * (a name in OUT). Returns 0 when it was written. */
static int draw_figure(const rep_ctx *c, const rep_experiment *x, const int *idx, int n,
                       const char *png)
{
    char dirs[RUN_FOLDER_MAX_RUNS][1024], path[1024];
    char *argv[RUN_FOLDER_MAX_RUNS + 8];
    int argc = 0;
    argv[argc++] = (char *)c->exe;
    argv[argc++] = "plot";
    for (int k = 0; k < n; k++) {
        rep_run_dir(c, x, &x->runs[idx[k]], 1, dirs[k], sizeof dirs[k]);
        argv[argc++] = dirs[k];
    }
    snprintf(path, sizeof path, "%s/%s", c->out, png);
    argv[argc++] = "-o";
    argv[argc++] = path;
    argv[argc++] = "--panels";
    argv[argc++] = (char *)x->panels;
    argv[argc] = NULL;
    if (run_quietly(argv) == 0)
        return 0;
    unlink(path);
    return -1;
}

/* The figure file k of x (0: the only one; 1..: one of several). */
static void figure_name(const rep_experiment *x, int k, char *buf, size_t len)
{
    if (k)
        snprintf(buf, len, "fig-%s-%d.png", x->id, k);
    else
        snprintf(buf, len, "fig-%s.png", x->id);
}

/* The figures of x, with their captions, into the report: seed 1 of every
 * finished run. One `lrscope plot` overlays at most RUN_FOLDER_MAX_RUNS
 * runs, so more are split in table order into figures of equal size
 * (8 runs: two of 4), each naming its runs; runs not finished are named as
 * not drawn. Figure files of x that this report does not use are removed,
 * so none is left from an earlier state of the folder. */
static void write_figures(FILE *f, const rep_ctx *c, const rep_experiment *x)
{
    int done[REP_MAX_RUNS], n_done = 0;
    char missing[512] = "";
    size_t used = 0;
    for (int i = 0; i < x->n_runs; i++) {
        char dir[1024];
        if (rep_run_dir(c, x, &x->runs[i], 1, dir, sizeof dir) == 0 &&
            rep_run_status(dir, x->runs[i].kind) == REP_FINISHED)
            done[n_done++] = i;
        else if (used < sizeof missing)
            used += (size_t)snprintf(missing + used, sizeof missing - used, "%s%s",
                                     used ? ", " : "", x->runs[i].name);
    }
    int n_figs = (n_done + RUN_FOLDER_MAX_RUNS - 1) / RUN_FOLDER_MAX_RUNS;
    int per = n_figs ? (n_done + n_figs - 1) / n_figs : 0, drawn = 0;
    for (int k = 0; k < n_figs; k++) {
        int from = k * per, n = n_done - from < per ? n_done - from : per;
        char png[160];
        figure_name(x, n_figs > 1 ? k + 1 : 0, png, sizeof png);
        if (draw_figure(c, x, done + from, n, png))
            continue;
        drawn++;
        fprintf(f, "![%s, seed 1](%s)\n\n", x->title, png);
        if (n_figs > 1 || missing[0]) {
            fprintf(f, "*Figure %d of %d, seed 1:", k + 1, n_figs);
            for (int j = 0; j < n; j++)
                fprintf(f, "%s %s", j ? "," : "", x->runs[done[from + j]].name);
            fputs(".*\n\n", f);
        }
    }
    if (!drawn)
        fputs(n_done ? "No figure: `lrscope plot` could not draw the finished runs of seed "
                       "1.\n\n"
                     : "No figure: no run of seed 1 has finished.\n\n", f);
    else if (missing[0])
        fprintf(f, "Not drawn (seed 1 not finished): %s.\n\n", missing);
    for (int k = 0; k <= REP_MAX_RUNS; k++) {
        char png[160], path[1024];
        bool in_use = n_figs > 1 ? k >= 1 && k <= n_figs : k == 0 && n_figs == 1;
        if (in_use)
            continue;
        figure_name(x, k, png, sizeof png);
        snprintf(path, sizeof path, "%s/%s", c->out, png);
        unlink(path);
    }
}

/* A value of x's measure: an accuracy in %, an LR estimate, or a signature
 * ratio; `sig` marks a range test's own cell (its verdict first). */
static void print_value(FILE *f, const rep_experiment *x, double v, char sig)
{
    if (!sig && !isfinite(v))
        fputs("-", f);
    else if (x->measure == REP_MEASURE_ACC)
        fprintf(f, "%.2f %%", 100.0 * v);
    else if (x->measure == REP_MEASURE_LREST)
        fprintf(f, "%.4g", v);
    else if (!sig)
        fprintf(f, "%.3f", v);   /* a mean or spread of ratios */
    else
        fputs(sig == 'P' ? "present" : sig == 'A' ? "absent" : "unknown", f);
}

/* A range test's cell: verdict (ratio; peak accuracy; how it stopped). */
static void print_range_cell(FILE *f, const rep_experiment *x, double v, char sig,
                             const char *dir)
{
    print_value(f, x, v, sig);
    if (!sig)
        return;
    double peak, peak_lr;
    char stop[160];
    rep_range_details(dir, &peak, &peak_lr, stop, sizeof stop);
    const char *sep = " (";
    if (isfinite(v)) {
        fprintf(f, "%s%.3f", sep, v);
        sep = "; ";
    }
    if (isfinite(peak)) {
        fprintf(f, "%speak %.1f %% at lr %.3g", sep, 100.0 * peak, peak_lr);
        sep = "; ";
    }
    if (stop[0]) {
        fprintf(f, "%s%s", sep, stop);
        sep = "; ";
    }
    if (strcmp(sep, " ("))
        fputc(')', f);
}

/* A spread: accuracy in points, the rest in its own unit. */
static void print_spread(FILE *f, const rep_experiment *x, double sd)
{
    if (x->measure == REP_MEASURE_ACC)
        fprintf(f, "%.2f points", 100.0 * sd);
    else
        print_value(f, x, sd, 0);
}

static const char *measure_name(const rep_experiment *x)
{
    return x->measure == REP_MEASURE_ACC ? "final test accuracy (whole test set)"
         : x->measure == REP_MEASURE_LREST ? "optimal-LR estimate, secant, final running "
                                             "average"
         : "the super-convergence signature (range-test verdict; in brackets the median "
           "held-out accuracy at the largest LRs over the peak, the peak of the smoothed "
           "held-out accuracy and its LR, and how the sweep stopped when it stopped early)";
}

static void write_table(FILE *f, const rep_ctx *c, const rep_experiment *x, rep_values *v)
{
    int seeds = v->n_seeds;
    fprintf(f, "Measured: %s.\n\n| run |", measure_name(x));
    for (int s = 1; s <= seeds; s++)
        fprintf(f, " seed %d |", s);
    fputs(" mean | spread (sd) |\n|---|", f);
    for (int s = 0; s <= seeds + 1; s++)
        fputs("---|", f);
    fputc('\n', f);
    for (int i = 0; i < x->n_runs; i++) {
        fprintf(f, "| %s |", x->runs[i].name);
        for (int s = 1; s <= seeds; s++) {
            char dir[1024];
            fputc(' ', f);
            if (x->runs[i].kind == REP_RANGE_TEST && v->sig[i][s - 1] &&
                rep_run_dir(c, x, &x->runs[i], s, dir, sizeof dir) == 0)
                print_range_cell(f, x, v->v[i][s - 1], v->sig[i][s - 1], dir);
            else if (v->diverged[i][s - 1])
                fputs("diverged", f);
            else
                print_value(f, x, v->v[i][s - 1], v->sig[i][s - 1]);
            fputs(" |", f);
        }
        double mean, sd;
        int n = rep_stats(v, i, &mean, &sd);
        fputc(' ', f);
        print_value(f, x, mean, 0);
        if (n < seeds && n > 0)
            fprintf(f, " (%d of %d)", n, seeds);
        fputs(" | ", f);
        if (isfinite(sd))
            print_spread(f, x, sd);
        else
            fputs(n == 1 ? "one seed" : "-", f);
        fputs(" |\n", f);
    }
}

/* Which seeds the table shows, when it is not simply those asked. */
static void write_seeds_note(FILE *f, const rep_ctx *c, const rep_experiment *x, int seeds,
                             int partial, int n_partial)
{
    int asked = rep_seeds_of(c, x);
    if (seeds == asked + 1)
        fprintf(f, "Seeds 1-%d: %d asked; seed %d was finished in this folder by an earlier "
                   "command and is used too.\n\n", seeds, asked, seeds);
    else if (seeds > asked)
        fprintf(f, "Seeds 1-%d: %d asked; seeds %d-%d were finished in this folder by an "
                   "earlier command and are used too.\n\n", seeds, asked, asked + 1, seeds);
    if (partial && n_partial < x->n_runs)
        fprintf(f, "Seed %d is in this folder with %d of %d runs finished; it is left out "
                   "until all are (`--seeds %d --only %s` finishes them).\n\n", partial,
                n_partial, x->n_runs, partial, x->id);
    else if (partial)
        fprintf(f, "Seed %d is finished in this folder but seed %d is not; it is left out "
                   "until the seeds before it are (`--seeds %d --only %s` finishes them).\n\n",
                partial, seeds + 1, partial, x->id);
}

/* Experiment x as section k; *verdict and *seeds get its verdict and the
 * seeds its table shows. */
static void write_experiment(FILE *f, const rep_ctx *c, const rep_experiment *x, int k,
                             rep_verdict *verdict, int *seeds)
{
    rep_values v;
    int partial, n_partial;
    memset(&v, 0, sizeof v);
    v.n_seeds = *seeds = rep_seeds_found(c, x, &partial, &n_partial);
    for (int i = 0; i < x->n_runs; i++)
        for (int s = 1; s <= v.n_seeds; s++) {
            char dir[1024];
            v.v[i][s - 1] = NAN;
            if (rep_run_dir(c, x, &x->runs[i], s, dir, sizeof dir) == 0)
                v.v[i][s - 1] = rep_measure_run(x, &x->runs[i], dir, &v.sig[i][s - 1],
                                                &v.diverged[i][s - 1]);
        }
    char why[1024];
    *verdict = rep_judge_values(x, &v, why, sizeof why);

    fprintf(f, "## %d. %s\n\n**Claim.** %s\n\n**The paper.** %s\n\n", k, x->title, x->claim,
            x->paper);
    write_table(f, c, x, &v);
    fputc('\n', f);
    write_seeds_note(f, c, x, v.n_seeds, partial, n_partial);
    fprintf(f, "**Verdict: %s.** %s.\n\nRule (fixed before the runs): %s\n\n",
            rep_verdict_name(*verdict), why, rep_judge_rule(x->judge));
    write_figures(f, c, x);

    char data[600];
    snprintf(data, sizeof data, "%s", c->data);
    fprintf(f, "Rerun this experiment (finished runs in the folder are kept):\n\n"
               "    lrscope replicate %s --data %s --seeds %d --out %s --only %s\n\n"
               "Its runs, one command each:\n\n", c->suite->name, data,
            v.n_seeds > c->seeds ? v.n_seeds : c->seeds, c->out, x->id);
    for (int i = 0; i < x->n_runs; i++)
        for (int s = 1; s <= v.n_seeds; s++) {
            char dir[1024], cmd[2048];
            if (rep_run_dir(c, x, &x->runs[i], s, dir, sizeof dir))
                continue;
            rep_run_command(c, &x->runs[i], s, dir, cmd, sizeof cmd);
            fprintf(f, "    %s\n", cmd);
        }
    fputc('\n', f);
}

int rep_report_write(const rep_ctx *c, lr_err *e)
{
    char path[600], tmp[620];
    snprintf(path, sizeof path, "%s/report.md", c->out);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return lr_fail(e, "cannot write %s: %s", tmp, strerror(errno));
    /* The summary and the header need every section's verdict and seeds:
     * write the sections to a buffer first. */
    rep_verdict verdicts[REP_MAX_EXPERIMENTS];
    int seeds[REP_MAX_EXPERIMENTS], k = 0;
    char *body = NULL;
    size_t body_len = 0;
    FILE *b = open_memstream(&body, &body_len);
    if (!b) {
        fclose(f);
        remove(tmp);
        return lr_fail(e, "out of memory writing the report");
    }
    for (; k < c->suite->n_exps && k < REP_MAX_EXPERIMENTS; k++)
        write_experiment(b, c, &c->suite->exps[k], k + 1, &verdicts[k], &seeds[k]);
    fclose(b);

    time_t now = time(NULL);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    fprintf(f, "# lrscope replicate: the %s suite\n\n"
               "Suite `%s` (%s) on `%s`, %d seed%s; report written %s by lrscope %s.\n",
            c->suite->name, c->suite->name, c->suite->about, c->data, c->seeds,
            c->seeds == 1 ? "" : "s", date, LRSCOPE_VERSION);
    int more = 0;
    for (int i = 0; i < k; i++)
        if (seeds[i] > rep_seeds_of(c, &c->suite->exps[i]))
            fprintf(f, "%s %s (seeds 1-%d)", more++ ? "," : "\nSeeds beyond those asked, "
                                                            "finished in this folder by an "
                                                            "earlier command, are used too:",
                    c->suite->exps[i].id, seeds[i]);
    if (more)
        fputs(".\n", f);
    if (c->command[0])
        fprintf(f, "\nCommand:\n\n    %s\n", c->command);
    fputs("\nEach claim below is tested by ordinary lrscope runs (one folder each, beside "
          "this file). A difference between two runs counts only when it exceeds the noise: "
          "the larger of their standard deviations over seeds and 0.3 points of accuracy "
          "(0.003 for LR estimates; with one seed there is no spread to measure, so that is "
          "all the margin). A run that diverged on any seed ranks below every run that did "
          "not. The verdicts say what happened at this budget on this data; they are not "
          "tuned.\n\n", f);
    fputs("| # | claim | verdict |\n|---|---|---|\n", f);
    for (int i = 0; i < k; i++)
        fprintf(f, "| %d | %s | %s |\n", i + 1, c->suite->exps[i].title,
                rep_verdict_name(verdicts[i]));
    fputc('\n', f);
    fwrite(body, 1, body_len, f);
    free(body);
    int bad = ferror(f), err = errno;
    if (fclose(f) || bad) {
        remove(tmp);
        return lr_fail(e, "cannot write %s: %s", tmp, strerror(bad ? err : errno));
    }
    if (rename(tmp, path))
        return lr_fail(e, "cannot write %s: %s", path, strerror(errno));
    return 0;
}
