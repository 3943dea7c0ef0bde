/* cmd_replicate.c — `lrscope replicate [SUITE]`: runs a suite of the paper's
 * claims (engine/replicate.h) as ordinary run folders, then writes report.md.
 *
 * DESIGN. Each run is a child process: the very `lrscope train` or `lrscope
 * range-test` command the report prints (or `lrscope resume DIR` for one
 * that stopped), one thread each, `--jobs` at once. Processes, not
 * threads, because OpenBLAS's thread count and the stop flag are per process,
 * because a run that fails (out of memory, bad data) must not take the suite
 * with it, and because a child that gets a signal checkpoints itself exactly
 * as `lrscope train` does. This process only launches, watches and reports:
 * it reads each running child's progress from the last row of its
 * metrics.csv. A signal to it is passed on to the children; it waits for
 * their checkpoints, rewrites the report with what finished, and exits 130.
 * Rerunning the same command continues: finished runs are kept, stopped
 * runs (range tests too) resume from their checkpoints. */
#define _POSIX_C_SOURCE 200809L
#include "tui/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "datasets/dataset.h"
#include "engine/clock.h"
#include "tui/headless.h"
#include "tui/replicate.h"
#include "tui/setup.h"

#define MAX_JOBS  8
#define MAX_WORK  256

typedef struct work {
    const rep_experiment *x;
    const rep_run        *r;
    int                   seed;
    char                  dir[1024];
    rep_status            status;
    double                cost;      /* relative cost of the whole run */
    long                  total;     /* iterations */
    long                  iter;      /* latest seen */
    long                  iter0;     /* when this process started it */
    pid_t                 pid;       /* 0: not running */
    double                started;
} work;

static const char usage[] =
    "usage: lrscope replicate [SUITE] [--data D] [--seeds N] [--out DIR] [--jobs N]\n"
    "                         [--only EXPERIMENT] [--list]\n"
    "       lrscope replicate --report DIR\n\n"
    "Tests the Super-Convergence paper's claims with ordinary lrscope runs and writes\n"
    "DIR/report.md: the paper's numbers, lrscope's (per seed, mean, spread), a verdict.\n"
    "  SUITE              mini, quick (default), full, cifar, cifar-resnet56 (see --list)\n"
    "  --data D           the suite's data (quick and full: fashion-mnist; cifar: required)\n"
    "  --seeds N          seeds per run, 1-10 (default: the suite's); the report also\n"
    "                     uses further seeds whose runs have all finished in DIR\n"
    "  --out DIR          output folder (default runs/replicate-SUITE); rerunning the same\n"
    "                     command continues an interrupted suite\n"
    "  --jobs N           runs at once, one thread each, 1-8 (default 1)\n"
    "  --only ID          one experiment of the suite\n"
    "  --list             the suites, their experiments and runs, and exit\n"
    "  --report DIR       rebuild DIR/report.md from the run folders there, and exit\n";

/* Relative cost of one image of `model` (the BN MLP 512,512 is 1), for the
 * ETA; measured roughly on Fashion-MNIST, one thread. */
static double model_cost(const char *model)
{
    if (!strncmp(model, "resnet:", 7))
        return 3.5 * atof(model + 7);
    if (!strcmp(model, "lenet"))
        return 5.0;
    if (!strcmp(model, "cnn-bn"))
        return 15.0;
    if (!strncmp(model, "mlp", 3) && strlen(model) < 9)   /* mlp:64 and such */
        return 0.2;
    return 1.0;
}

static void list_suites(const rep_suite *only)
{
    for (int i = 0; i < rep_n_suites; i++) {
        const rep_suite *s = &rep_suites[i];
        if (only && s != only)
            continue;
        printf("%s: %s; %d seed%s by default\n", s->name, s->about, s->seeds,
               s->seeds == 1 ? "" : "s");
        for (int k = 0; k < s->n_exps; k++) {
            const rep_experiment *x = &s->exps[k];
            printf("  %-22s %d run%s%s  %s\n", x->id, x->n_runs, x->n_runs == 1 ? "" : "s",
                   x->max_seeds ? " (1 seed)" : "", x->title);
            if (only)
                for (int j = 0; j < x->n_runs; j++)
                    printf("      %-12s lrscope %s %s\n", x->runs[j].name,
                           x->runs[j].kind == REP_RANGE_TEST ? "range-test" : "train",
                           x->runs[j].args);
        }
    }
}

/* The last iteration in dir/metrics.csv, or -1. */
static long last_iter(const char *dir)
{
    char path[1100], buf[512];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    off_t end = lseek(fd, 0, SEEK_END);
    off_t from = end > (off_t)sizeof buf - 1 ? end - (off_t)sizeof buf + 1 : 0;
    ssize_t n = pread(fd, buf, sizeof buf - 1, from);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    if (buf[n - 1] == '\n')
        buf[--n] = '\0';
    char *line = strrchr(buf, '\n');
    line = line ? line + 1 : buf;
    char *endp;
    long it = strtol(line, &endp, 10);
    return endp != line && *endp == ',' ? it : -1;
}

/* Removes what a run left before it is started afresh. */
static void clear_run(const char *dir)
{
    static const char *const files[] = { "metrics.csv", "events.csv", "config", "checkpoint",
                                         "rangetest.csv", "suggestions.txt" };
    char path[1100];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
}

static int make_dirs(const char *dir)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
}

/* Starts w's run (fresh or resumed) with its output in dir/output.txt. */
static int launch(const rep_ctx *c, work *w, lr_err *e)
{
    char buf[2048], path[1100];
    char *argv[64];
    if (make_dirs(w->dir))
        return lr_fail(e, "cannot create %s: %s", w->dir, strerror(errno));
    if (w->status == REP_RESUMABLE) {
        argv[0] = (char *)c->exe;
        argv[1] = "resume";
        argv[2] = w->dir;
        argv[3] = "--threads";
        argv[4] = "1";
        argv[5] = NULL;
    } else {
        clear_run(w->dir);
        if (rep_run_argv(c, w->r, w->seed, w->dir, argv, 64, buf, sizeof buf) < 0)
            return lr_fail(e, "%s: the run's command is too long", w->dir);
    }
    snprintf(path, sizeof path, "%s/output.txt", w->dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0666);
    if (fd < 0)
        return lr_fail(e, "cannot write %s: %s", path, strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(fd);
        return lr_fail(e, "cannot start a run: %s", strerror(errno));
    }
    if (pid == 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0)
            dup2(nul, STDIN_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd);
    w->pid = pid;
    w->started = clock_seconds();
    w->iter0 = w->status == REP_RESUMABLE ? last_iter(w->dir) : 0;
    if (w->iter0 < 0)
        w->iter0 = 0;
    w->iter = w->iter0;
    return 0;
}

/* The last line of dir/output.txt that says something, into buf. */
static void last_message(const char *dir, char *buf, size_t len)
{
    char path[1100], line[512];
    snprintf(path, sizeof path, "%s/output.txt", dir);
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "lrscope: ", 9)) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(buf, len, "%.300s", line + 9);
        }
    fclose(f);
}

typedef struct suite_run {
    work   w[MAX_WORK];
    int    n, n_done_before;
    double cost_total, cost_before, t0;
    bool   tty;
    double last_line;
} suite_run;

/* One line: finished runs, each running run's iteration, the suite's share
 * done (by cost) and the ETA at the pace of this process's runs. */
static void progress_line(suite_run *s, bool force)
{
    double now = clock_seconds();
    if (!force && now - s->last_line < (s->tty ? 0.5 : 15.0))
        return;
    s->last_line = now;
    double done = 0.0;
    int finished = 0;
    char running[600] = "";
    size_t used = 0;
    for (int i = 0; i < s->n; i++) {
        work *w = &s->w[i];
        if (w->status == REP_FINISHED) {
            finished++;
            done += w->cost;
            continue;
        }
        if (!w->pid)
            continue;
        long it = last_iter(w->dir);
        if (it >= 0)
            w->iter = it + 1;
        done += w->total > 0 ? w->cost * (double)w->iter / (double)w->total : 0.0;
        if (used < sizeof running - 1)
            used += (size_t)snprintf(running + used, sizeof running - used,
                                     "%s%s/%s-s%d %ld/%ld", used ? ", " : "", w->x->id,
                                     w->r->name, w->seed, w->iter, w->total);
    }
    double elapsed = now - s->t0, here = done - s->cost_before;
    char eta[32];
    format_duration(eta, sizeof eta, here > 0 && elapsed > 3.0
                                     ? elapsed / here * (s->cost_total - done) : -1.0);
    char line[800];
    int n = snprintf(line, sizeof line, "[%d/%d runs done] %s | suite %3.0f%%  ETA %s",
                     finished, s->n, running[0] ? running : "-",
                     s->cost_total > 0 ? 100.0 * done / s->cost_total : 100.0, eta);
    struct winsize ws;
    /* A live line longer than the terminal would wrap and never be erased. */
    if (s->tty && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 &&
        n >= ws.ws_col)
        line[ws.ws_col - 1] = '\0';
    fprintf(stderr, "%s%s%s", s->tty ? "\r\033[K" : "", line, s->tty ? "" : "\n");
    fflush(stderr);
}

static void plan(suite_run *s, const rep_ctx *c)
{
    memset(s, 0, sizeof *s);
    for (int k = 0; k < c->suite->n_exps; k++) {
        const rep_experiment *x = &c->suite->exps[k];
        if (c->only && strcmp(c->only, x->id))
            continue;
        int seeds = rep_seeds_of(c, x);
        for (int seed = 1; seed <= seeds; seed++)
            for (int i = 0; i < x->n_runs && s->n < MAX_WORK; i++) {
                work *w = &s->w[s->n++];
                char model[64];
                w->x = x;
                w->r = &x->runs[i];
                w->seed = seed;
                rep_run_dir(c, x, w->r, seed, w->dir, sizeof w->dir);
                w->status = rep_run_status(w->dir, w->r->kind);
                w->total = rep_run_iters(w->r);
                rep_run_model(w->r, model, sizeof model);
                w->cost = (double)w->total * rep_run_batch(w->r) * model_cost(model);
                s->cost_total += w->cost;
                if (w->status == REP_FINISHED) {
                    s->cost_before += w->cost;
                    s->n_done_before++;
                }
            }
    }
}

/* Passes the signal on to every running child. */
static void stop_children(suite_run *s, int sig)
{
    for (int i = 0; i < s->n; i++)
        if (s->w[i].pid > 0)
            kill(s->w[i].pid, sig);
}

/* Handles a child that ended with wait status `st`. Returns 0, or -1 with
 * `e` when it failed (not a signal this process passed on). */
static int reap(suite_run *s, work *w, int st, lr_err *e)
{
    w->pid = 0;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    w->status = rep_run_status(w->dir, w->r->kind);
    if (w->status == REP_FINISHED) {
        fprintf(stderr, "%s%s/%s-s%d finished in %.0f s%s\n", s->tty ? "\r\033[K" : "",
                w->x->id, w->r->name, w->seed, clock_seconds() - w->started,
                code == EXIT_DIVERGED ? " (diverged)" : "");
        return 0;
    }
    if (headless_stop && (code == EXIT_INTERRUPTED || code == 128 + headless_stop))
        return 0;
    char msg[400];
    last_message(w->dir, msg, sizeof msg);
    return lr_fail(e, "%s/%s-s%d failed (exit status %d): %s; its output is in %s/output.txt",
                   w->x->id, w->r->name, w->seed, code, msg[0] ? msg : "no message", w->dir);
}

/* Runs every unfinished run, `jobs` at once. Returns the exit status. */
static int run_suite(const rep_ctx *c, suite_run *s, int jobs)
{
    lr_err e;
    int status = EXIT_OK, running = 0, next = 0;
    bool failed = false;
    s->tty = isatty(STDERR_FILENO);
    s->t0 = clock_seconds();
    fprintf(stderr, "lrscope: replicate %s on %s, %d seed%s: %d runs (%d finished before), "
                    "%d job%s; writing %s/\n", c->suite->name, c->data, c->seeds,
            c->seeds == 1 ? "" : "s", s->n, s->n_done_before, jobs, jobs == 1 ? "" : "s",
            c->out);
    headless_install_signals();
    for (;;) {
        while (!failed && !headless_stop && running < jobs && next < s->n) {
            work *w = &s->w[next++];
            if (w->status == REP_FINISHED)
                continue;
            if (launch(c, w, &e)) {
                status = commands_fail(&e, EXIT_FAILURE_RUN);
                failed = true;
                break;
            }
            running++;
            if (!s->tty)
                fprintf(stderr, "%s %s/%s-s%d\n", w->status == REP_RESUMABLE ? "resuming"
                                                                              : "starting",
                        w->x->id, w->r->name, w->seed);
        }
        if (running == 0)
            break;
        int st;
        pid_t pid = waitpid(-1, &st, WNOHANG);
        if (pid > 0) {
            for (int i = 0; i < s->n; i++)
                if (s->w[i].pid == pid) {
                    running--;
                    if (reap(s, &s->w[i], st, &e) && !failed) {
                        if (s->tty)
                            fputc('\n', stderr);
                        status = commands_fail(&e, EXIT_FAILURE_RUN);
                        failed = true;
                        stop_children(s, SIGTERM);
                    }
                }
            continue;
        }
        if (headless_stop) {
            static bool passed;
            if (!passed)
                stop_children(s, headless_stop);
            passed = true;
        }
        progress_line(s, false);
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    progress_line(s, true);
    if (s->tty)
        fputc('\n', stderr);
    if (headless_stop && status == EXIT_OK) {
        fprintf(stderr, "lrscope: interrupted; the runs keep their checkpoints; continue with "
                        "the same command\n");
        status = EXIT_INTERRUPTED;
    }
    return status;
}

/* The rest of the options, after SUITE. */
typedef struct rep_opts {
    const char *suite, *data, *out, *only, *report;
    int seeds, jobs;
    bool list;
} rep_opts;

static int parse_int(const char *opt, const char *v, int lo, int hi, int *out, lr_err *e)
{
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || end == v || *end || n < lo || n > hi)
        return lr_fail(e, "%s %s: give a whole number from %d to %d", opt, v ? v : "(missing)",
                       lo, hi);
    *out = (int)n;
    return 0;
}

static int parse(rep_opts *o, int argc, char **argv, lr_err *e)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return 1;
        if (!strcmp(a, "--list")) {
            o->list = true;
            continue;
        }
        const char **str = !strcmp(a, "--data") ? &o->data : !strcmp(a, "--out") ? &o->out
                         : !strcmp(a, "--only") ? &o->only : !strcmp(a, "--report") ? &o->report
                         : NULL;
        if (str) {
            if (!v || !*v)
                return lr_fail(e, "%s needs a value", a);
            *str = v;
            i++;
        } else if (!strcmp(a, "--seeds")) {
            if (parse_int(a, v, 1, REP_MAX_SEEDS, &o->seeds, e))
                return -1;
            i++;
        } else if (!strcmp(a, "--jobs")) {
            if (parse_int(a, v, 1, MAX_JOBS, &o->jobs, e))
                return -1;
            i++;
        } else if (a[0] == '-') {
            return lr_fail(e, "unknown option %s (see lrscope replicate --help)", a);
        } else if (!o->suite) {
            o->suite = a;
        } else {
            return lr_fail(e, "one suite at a time: '%s' and '%s'", o->suite, a);
        }
    }
    return 0;
}

static int find_exe(rep_ctx *c, const char *argv0, lr_err *e)
{
    ssize_t n = readlink("/proc/self/exe", c->exe, sizeof c->exe - 1);
    if (n > 0) {
        c->exe[n] = '\0';
        return 0;
    }
    if (strchr(argv0, '/')) {
        snprintf(c->exe, sizeof c->exe, "%s", argv0);
        return 0;
    }
    return lr_fail(e, "cannot tell where the lrscope program is (no /proc/self/exe): run it "
                      "by its path");
}

/* Refuses data that is missing, and Fashion-MNIST's fallback to the
 * generated set: a report must be about the data it names. */
static int check_data(const rep_ctx *c, lr_err *e)
{
    dataset_pair d;
    char notice[256] = "";
    if (dataset_open(&d, c->data, 1, notice, sizeof notice, e))
        return -1;
    dataset_pair_free(&d);
    if (notice[0])
        return lr_fail(e, "%s; give --data synthetic to replicate on the generated set",
                       notice);
    return 0;
}

/* The command as typed, for the report. */
static void record_command(rep_ctx *c, int argc, char **argv)
{
    size_t used = (size_t)snprintf(c->command, sizeof c->command, "lrscope replicate");
    for (int i = 1; i < argc && used < sizeof c->command; i++)
        used += (size_t)snprintf(c->command + used, sizeof c->command - used, " %s", argv[i]);
}

int cmd_replicate(int argc, char **argv)
{
    lr_err e;
    rep_opts o;
    int rc = parse(&o, argc, argv, &e);
    if (rc > 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (rc)
        return commands_fail(&e, EXIT_BAD_INPUT);
    rep_ctx c;
    memset(&c, 0, sizeof c);
    if (find_exe(&c, argv[0], &e))
        return commands_fail(&e, EXIT_BAD_INPUT);
    if (o.report) {
        snprintf(c.out, sizeof c.out, "%s", o.report);
        if (rep_read_suite_file(&c, &e) || rep_report_write(&c, &e))
            return commands_fail(&e, EXIT_BAD_INPUT);
        printf("%s/report.md\n", c.out);
        return EXIT_OK;
    }
    c.suite = rep_suite_find(o.suite ? o.suite : "quick");
    if (!c.suite) {
        lr_fail(&e, "unknown suite '%s': use mini, quick, full, cifar or cifar-resnet56 (see "
                    "lrscope replicate --list)", o.suite);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    if (o.list) {
        list_suites(o.suite ? c.suite : NULL);
        return EXIT_OK;
    }
    if (o.only && !rep_experiment_find(c.suite, o.only)) {
        lr_fail(&e, "suite %s has no experiment '%s' (see lrscope replicate %s --list)",
                c.suite->name, o.only, c.suite->name);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    if (c.suite->needs_data && !o.data) {
        lr_fail(&e, "suite %s needs --data: a folder with the CIFAR-10 binary files "
                    "(data_batch_1.bin ... test_batch.bin)", c.suite->name);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    snprintf(c.data, sizeof c.data, "%s", o.data ? o.data : c.suite->data);
    c.seeds = o.seeds ? o.seeds : c.suite->seeds;
    c.only = o.only;
    if (o.out)
        snprintf(c.out, sizeof c.out, "%s", o.out);
    else
        snprintf(c.out, sizeof c.out, "runs/replicate-%s", c.suite->name);
    record_command(&c, argc, argv);

    /* A folder holds one suite on one data set. */
    rep_ctx was = c;
    if (rep_read_suite_file(&was, &e) == 0) {
        if (was.suite != c.suite || strcmp(was.data, c.data)) {
            lr_fail(&e, "%s holds the %s suite on %s: give another --out for the %s suite on "
                        "%s", c.out, was.suite->name, was.data, c.suite->name, c.data);
            return commands_fail(&e, EXIT_BAD_INPUT);
        }
        if (was.seeds > c.seeds && !o.seeds)
            c.seeds = was.seeds;
    }
    if (check_data(&c, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);
    if (make_dirs(c.out)) {
        lr_fail(&e, "cannot create %s: %s", c.out, strerror(errno));
        return commands_fail(&e, EXIT_FAILURE_RUN);
    }
    if (rep_write_suite_file(&c, &e))
        return commands_fail(&e, EXIT_FAILURE_RUN);

    static suite_run s;
    plan(&s, &c);
    int status = run_suite(&c, &s, o.jobs ? o.jobs : 1);
    rep_ctx whole = c;
    whole.only = NULL;   /* the report covers the suite, whatever this command ran */
    if (rep_report_write(&whole, &e))
        return commands_fail(&e, EXIT_FAILURE_RUN);
    printf("%s/report.md\n", c.out);
    return status;
}
