/* watch.c — `lrscope watch PATH...`: the workbench, read-only, on logs that
 * are still being written.
 *
 * DESIGN. There is no session and no training here: the metrics source is
 * a set of followed files (log_source.h). The first PATH is the run the
 * panels draw in colour; every further PATH is followed live as a ghost.
 * A PATH is a CSV log or an lrscope run folder: its metrics.csv (or its
 * rangetest.csv alone, for a range test), its rangetest.csv as the range
 * panels, its events.csv as markers. A range test's folder (its config
 * sweeps the LR) is drawn as a range test from its metrics.csv while the
 * sweep runs, as the workbench draws its own. Once a range test's folder has its
 * suggestions.txt, the readings are computed again from the folder and
 * marked as the workbench marks them (offer, or :reading). Every tick
 * polls each file once (a stat, and a read when it grew); the screen is
 * drawn only when a row arrived, a key was pressed or a file's state
 * changed, so watching a finished log costs no CPU and sends nothing over
 * SSH. Signals only set term_signal, which the loop sees within a tick;
 * the terminal is restored on every way out. Nothing is ever written to
 * the followed files. */
#define _POSIX_C_SOURCE 200809L
#include "tui/workbench.h"

#include <curses.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tui/keyfile.h"
#include "tui/log_source.h"
#include "tui/run_labels.h"
#include "tui/setup.h"

#define MAX_SOURCES (1 + WB_MAX_GHOSTS)

typedef struct source {
    const char *path;            /* as given */
    bool        folder;
    bool        range_run;       /* a range test's folder: metrics.csv is its sweep */
    log_follow  log;             /* metrics.csv, or the file itself */
    log_follow  range;           /* a folder's rangetest.csv */
    char        events[1100];    /* a folder's events.csv, or "" */
    off_t       events_size;
    char        suggestions[1100]; /* a folder's suggestions.txt, or "" */
    size_t      readings_tried;  /* its size plus the rows read, at the last
                                    attempt that gave no readings */
    off_t       readings_size;   /* its size and time when the readings */
    time_t      readings_time;   /* shown were read */
} source;

struct watch {
    source src[MAX_SOURCES];
    int    n_src;
    char   last_row[16];         /* wall-clock time of the newest row, "" before */
    char   error[300];           /* a log whose header cannot be read */
};

static void usage(FILE *f)
{
    fputs("usage: lrscope watch [options] PATH [PATH...]\n"
          "\n"
          "Follows training logs while they are written (like tail -f) and draws them\n"
          "in the workbench's panels, read-only. PATH is an lrscope run folder (its\n"
          "metrics.csv, events.csv and rangetest.csv; a range test still sweeping is\n"
          "drawn against the LR) or a CSV log: PyTorch Lightning's CSVLogger metrics.csv,\n"
          "Keras' CSVLogger, fastai's CSVLogger history.csv, or any CSV with the columns\n"
          "named below. The first PATH is drawn in colour, the others as ghosts.\n"
          "Truncated, rotated and rewritten files are read again; bad cells, short rows\n"
          "and a half-written last line are skipped.\n"
          "\n"
          "  --x COL                the x axis column (a header name or a number from 1)\n"
          "  --loss COL             the training loss column\n"
          "  --acc COL              the held-out accuracy column (fractions or percent)\n"
          "  --lr COL               the learning-rate column\n"
          "  --ghost RUN            also show a finished run folder as a ghost (repeatable)\n"
          "  --ascii                ASCII plots instead of braille\n"
          "  --fps N                screen refreshes per second (default 5)\n"
          "  --frames N             exit after N frames (for scripted runs)\n"
          "  --screenshot FILE      on exit, write the screen as a PNG\n"
          "  --help                 this text\n"
          "\n"
          "Keys: l log/linear loss, A ASCII, P panels PNG, S screenshot, :ghost RUN,\n"
          ":ghost N (show/hide), :ghost rm N, :reading R (the reading a finished\n"
          "range test's panels mark, as in the workbench), ? help, q quit.\n", f);
}

typedef struct watch_opts {
    log_columns cols;
    const char *ghosts[WB_MAX_GHOSTS];
    int         n_ghosts;
    bool        ascii;
    double      fps;
    long        frames;
    const char *screenshot;
} watch_opts;

/* Returns 0 with *o filled and optind at the first PATH, 1 after --help,
 * -1 after printing what is wrong. */
static int parse(int argc, char **argv, watch_opts *o)
{
    static const struct option opts[] = {
        { "x", required_argument, NULL, 'x' },     { "loss", required_argument, NULL, 'L' },
        { "acc", required_argument, NULL, 'a' },   { "lr", required_argument, NULL, 'r' },
        { "ghost", required_argument, NULL, 'g' }, { "ascii", no_argument, NULL, 'A' },
        { "fps", required_argument, NULL, 'f' },   { "frames", required_argument, NULL, 'n' },
        { "screenshot", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->fps = 5.0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'x': snprintf(o->cols.x, sizeof o->cols.x, "%s", optarg); break;
        case 'L': snprintf(o->cols.loss, sizeof o->cols.loss, "%s", optarg); break;
        case 'a': snprintf(o->cols.acc, sizeof o->cols.acc, "%s", optarg); break;
        case 'r': snprintf(o->cols.lr, sizeof o->cols.lr, "%s", optarg); break;
        case 'A': o->ascii = true; break;
        case 's': o->screenshot = optarg; break;
        case 'g':
            if (o->n_ghosts == WB_MAX_GHOSTS) {
                fprintf(stderr, "lrscope watch: at most %d ghosts\n", WB_MAX_GHOSTS);
                return -1;
            }
            o->ghosts[o->n_ghosts++] = optarg;
            break;
        case 'f':
            o->fps = strtod(optarg, &end);
            if (*end || !(o->fps >= 0.2 && o->fps <= 60)) {
                fprintf(stderr, "lrscope watch: --fps takes 0.2 to 60, not '%s'\n", optarg);
                return -1;
            }
            break;
        case 'n':
            o->frames = strtol(optarg, &end, 10);
            if (*end || o->frames < 1) {
                fprintf(stderr, "lrscope watch: --frames takes a positive count\n");
                return -1;
            }
            break;
        case 'h': usage(stdout); return 1;
        default:
            fprintf(stderr, "lrscope watch: unknown or incomplete option '%s' (see lrscope "
                            "watch --help)\n", argv[optind - 1]);
            return -1;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "lrscope watch: give a log or run folder to follow (see lrscope "
                        "watch --help)\n");
        return -1;
    }
    if (argc - optind > MAX_SOURCES) {
        fprintf(stderr, "lrscope watch: at most %d paths (one run and %d ghosts)\n",
                MAX_SOURCES, WB_MAX_GHOSTS);
        return -1;
    }
    return 0;
}

/* Whether the run folder `dir` is a range test's: its config's schedule is
 * a sweep. */
static bool sweeps(const char *dir)
{
    char policy[32];
    return keyfile_get_in(dir, "config", "sched.policy", policy, sizeof policy) == 0 &&
           !strncmp(policy, "sweep-", 6);
}

/* Sets up source s for `path`; a path that does not exist is refused (a
 * file that is not written yet is waited for only inside a folder). */
static int open_source(source *s, const char *path, const log_columns *cols)
{
    struct stat st;
    memset(s, 0, sizeof *s);
    s->path = path;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "lrscope watch: cannot read %s: no such file or folder\n", path);
        return -1;
    }
    s->folder = S_ISDIR(st.st_mode);
    char file[1100];
    if (s->folder) {
        snprintf(file, sizeof file, "%s/metrics.csv", path);
        struct stat m, r;
        char rt[1100];
        snprintf(rt, sizeof rt, "%s/rangetest.csv", path);
        /* A range test's folder has only rangetest.csv: follow it as the run. */
        bool range_only = stat(file, &m) != 0 && stat(rt, &r) == 0;
        /* A range test's metrics.csv holds its whole curve, row by row. */
        s->range_run = !range_only && sweeps(path);
        log_follow_init(&s->log, range_only ? rt : file, cols);
        log_follow_init(&s->range, range_only || s->range_run ? "" : rt, cols);
        snprintf(s->events, sizeof s->events, "%s/events.csv", path);
        snprintf(s->suggestions, sizeof s->suggestions, "%s/suggestions.txt", path);
    } else {
        log_follow_init(&s->log, path, cols);
        log_follow_init(&s->range, "", cols);
    }
    s->log.fd = s->range.fd = -1;
    return 0;
}

/* A folder's events.csv as the edit markers (read again when it changes). */
static bool poll_events(wb *w, source *s)
{
    struct stat st;
    if (!s->events[0] || stat(s->events, &st) != 0 || st.st_size == s->events_size)
        return false;
    s->events_size = st.st_size;
    FILE *f = fopen(s->events, "r");
    if (!f)
        return false;
    session_status *ss = &w->st;
    ss->n_edits = 0;
    char line[512];
    while (fgets(line, sizeof line, f) && ss->n_edits < SESSION_MAX_EDITS) {
        char *end;
        long it = strtol(line, &end, 10);
        if (end == line || *end != ',' || !strchr(line, '\n'))
            continue;                 /* the header, a bad or a half-written row */
        char *kind = end + 1, *detail = kind + strcspn(kind, ",\n");
        if (*detail == ',')
            *detail++ = '\0';
        else
            *detail = '\0';
        if (*detail == '"')           /* the quoted detail, its quotes dropped */
            detail++;
        detail[strcspn(detail, "\"\n")] = '\0';
        if (!strcmp(kind, "done") || !kind[0])
            continue;
        ss->edit_iter[ss->n_edits] = it;
        if (!session_edit_label(kind, detail, ss->edit_label[ss->n_edits],
                                sizeof ss->edit_label[0]))
            snprintf(ss->edit_label[ss->n_edits], sizeof ss->edit_label[0], "%s", kind);
        ss->n_edits++;
    }
    fclose(f);
    return true;
}

/* A finished range test's readings, once its folder has them (again when
 * they change), into the status the panels mark them from; returns whether
 * they arrived. */
static bool poll_readings(wb *w, source *s)
{
    struct stat st;
    session_status *ss = &w->st;
    if (!s->suggestions[0] || stat(s->suggestions, &st) != 0)
        return false;
    /* tried again only when something changed: a finished log costs nothing;
     * readings shown are replaced when the file is (a resumed range test
     * writes its whole suggestions over the partial ones) */
    if (ss->have_range && st.st_size == s->readings_size && st.st_mtime == s->readings_time)
        return false;
    size_t now = (size_t)st.st_size + s->log.rows + s->range.rows;
    if (!ss->have_range && now == s->readings_tried)
        return false;
    s->readings_tried = now;
    s->readings_size = st.st_size;
    s->readings_time = st.st_mtime;
    lr_err e;
    int rc = run_range_suggestions(s->path, &ss->range, ss->range_model,
                                   sizeof ss->range_model, &e);
    if (rc < 0)
        snprintf(w->watch->error, sizeof w->watch->error, "%.290s", e.msg);
    if (rc <= 0)
        return false;
    ss->have_range = true;
    ss->range_max = rangetest_offer_max(&ss->range);
    ss->kind = RUN_RANGE_TEST;
    ss->state = SESSION_DONE;
    return true;
}

/* Polls one followed file into t; returns whether t changed. */
static bool poll_log(wb *w, log_follow *f, run_trace *t)
{
    if (!f->path[0])
        return false;
    size_t restarts = f->restarts;
    char status[sizeof f->status];
    memcpy(status, f->status, sizeof status);
    lr_err e;
    long n = log_follow_poll(f, t, &e);
    if (n < 0)
        snprintf(w->watch->error, sizeof w->watch->error, "%.100s: %.190s", f->path, e.msg);
    return n != 0 || restarts != f->restarts || strcmp(status, f->status);
}

/* Polls every source; returns whether anything on screen may change, and
 * sets *more when a file still has unread bytes. */
static bool poll_all(wb *w, bool *more)
{
    struct watch *wt = w->watch;
    bool changed = false;
    *more = false;
    source *s = &wt->src[0];
    size_t rows = s->log.rows;
    changed |= poll_log(w, &s->log, &w->cur);
    changed |= poll_log(w, &s->range, &w->range);
    changed |= poll_events(w, s);
    *more |= s->log.more || s->range.more;
    if (!*more)
        changed |= poll_readings(w, s);
    for (int g = 0; g < w->n_ghosts; g++) {
        int k = w->ghost_src[g];
        if (k > 0) {
            changed |= poll_log(w, &wt->src[k].log, &w->ghosts[g]);
            *more |= wt->src[k].log.more;
        }
    }
    if (s->log.rows != rows) {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(wt->last_row, sizeof wt->last_row, "%H:%M:%S", &tm);
    }
    run_kind kind = w->cur.range_test ? RUN_RANGE_TEST
                  : w->cur.steps.n || w->cur.evals.n ? RUN_TRAIN : RUN_NONE;
    if (kind != w->cur_kind)
        changed = true;
    w->cur_kind = kind;
    if (s->log.have_header && !s->log.bad_header) {
        const char *x = s->log.map.format == LOG_LRSCOPE ? "iteration" : s->log.map.x_name;
        snprintf(w->x_label, sizeof w->x_label, "%.23s", x);
    }
    return changed;
}

/* Whether a followed log's header lacks a column asked for (wt->error says
 * which). */
static bool any_bad_header(const struct watch *wt)
{
    for (int k = 0; k < wt->n_src; k++)
        if (wt->src[k].log.bad_header)
            return true;
    return false;
}

int watch_header(wb *w, bool draw)
{
    if (!draw)
        return 1;
    const source *s = &w->watch->src[0];
    const log_follow *f = &s->log;
    move(0, 0);
    clrtoeol();
    attron(A_BOLD);
    addstr(" lrscope watch ");
    attroff(A_BOLD);
    char text[512];
    int n = snprintf(text, sizeof text, " %s", s->path);
    if (f->have_header && !f->bad_header)
        n += snprintf(text + n, sizeof text - (size_t)n, " (%s)",
                      log_format_name(f->map.format));
    n += snprintf(text + n, sizeof text - (size_t)n, "  %zu rows", f->rows + s->range.rows);
    const table *st = &w->cur.steps;
    if (st->n)
        n += snprintf(text + n, sizeof text - (size_t)n, "  %s %.6g", w->x_label,
                      st->col[ST_ITER][st->n - 1]);
    if (w->watch->last_row[0])
        snprintf(text + n, sizeof text - (size_t)n, "  last row %s", w->watch->last_row);
    addnstr(text, COLS > 16 ? COLS - 16 : 0);
    return 1;
}

void watch_status_text(const wb *w, char *buf, size_t len)
{
    const struct watch *wt = w->watch;
    const log_follow *f = &wt->src[0].log;
    if (wt->error[0])
        snprintf(buf, len, "cannot read %s", wt->error);
    else if (f->status[0])
        snprintf(buf, len, "%s", f->status);
    else if (f->skipped)
        snprintf(buf, len, "%zu rows skipped (blank x, short or unreadable)%s", f->skipped,
                 f->restarts ? "; the file was truncated or replaced and read again" : "");
    else if (f->restarts)
        snprintf(buf, len, "the file was truncated or replaced: read again from its start");
    else
        buf[0] = '\0';
}

const char *watch_key_bar(void)
{
    return " l log/linear  A ascii  P png  S screen  : ghost RUN | N | rm N  ? help  q quit";
}

static void free_watch(wb *w, struct watch *wt)
{
    for (int i = 0; i < wt->n_src; i++) {
        log_follow_close(&wt->src[i].log);
        log_follow_close(&wt->src[i].range);
    }
    trace_free(&w->cur);
    trace_free(&w->range);
    for (int g = 0; g < WB_MAX_GHOSTS; g++)
        trace_free(&w->ghosts[g]);
    free(w->cells);
}

/* The run's label: as `lrscope plot` names a folder's run, else the file. */
static void label_source(const source *s, char *out, size_t len)
{
    char labels[1][CHART_NAME_LEN];
    const char *base = strrchr(s->path, '/');
    base = base && base[1] ? base + 1 : s->path;
    if (s->folder) {
        run_folder_labels(&s->path, 1, labels);
        snprintf(out, len, "%s", labels[0]);
    } else {
        snprintf(out, len, "%s", base);
    }
}

int watch_run(int argc, char **argv)
{
    watch_opts o;
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc > 0 ? EXIT_OK : EXIT_BAD_INPUT;
    static struct watch wt;
    static wb w;
    memset(&wt, 0, sizeof wt);
    memset(&w, 0, sizeof w);
    w.watch = &wt;
    trace_init(&w.cur);
    trace_init(&w.range);
    for (int g = 0; g < WB_MAX_GHOSTS; g++) {
        trace_init(&w.ghosts[g]);
        w.ghost_src[g] = -1;
    }
    w.log_y = true;
    w.ascii = o.ascii;
    w.show_est = true;
    snprintf(w.x_label, sizeof w.x_label, "iteration");
    for (int i = optind; i < argc; i++) {
        if (open_source(&wt.src[wt.n_src], argv[i], &o.cols)) {
            free_watch(&w, &wt);
            return EXIT_BAD_INPUT;
        }
        wt.n_src++;
    }
    label_source(&wt.src[0], w.cur.label, sizeof w.cur.label);
    snprintf(w.range.label, sizeof w.range.label, "%s", w.cur.label);
    w.cur.range_test = wt.src[0].range_run;
    for (int k = 1; k < wt.n_src; k++) {
        int g = w.n_ghosts++;
        w.ghost_src[g] = (signed char)k;
        label_source(&wt.src[k], w.ghosts[g].label, sizeof w.ghosts[g].label);
        w.ghosts[g].range_test = wt.src[k].range_run;
    }
    for (int i = 0; i < o.n_ghosts; i++) {
        lr_err e;
        if (wb_ghost_load(&w, o.ghosts[i], &e)) {
            fprintf(stderr, "lrscope watch: %s\n", e.msg);
            free_watch(&w, &wt);
            return EXIT_BAD_INPUT;
        }
    }
    /* A header without the columns asked for is refused before the screen
     * (a log that has none yet is waited for). */
    bool more;
    poll_all(&w, &more);
    if (any_bad_header(&wt)) {
        fprintf(stderr, "lrscope watch: %s\n", wt.error);
        free_watch(&w, &wt);
        return EXIT_BAD_INPUT;
    }
    const char *why = term_unusable_reason();
    if (why) {
        fprintf(stderr, "lrscope watch: %s\n", why);
        free_watch(&w, &wt);
        return EXIT_BAD_INPUT;
    }
    int tick_ms = (int)lround(1000.0 / o.fps);
    if (term_begin(&w.caps, o.ascii, tick_ms)) {
        fprintf(stderr, "lrscope watch: cannot start the terminal UI (TERM=%s)\n",
                getenv("TERM"));
        free_watch(&w, &wt);
        return EXIT_FAILURE_RUN;
    }
    long frames = 0;
    bool dirty = true;
    while (!w.quit && !term_signal) {
        dirty |= poll_all(&w, &more);
        if (dirty) {
            panels_draw(&w);
            refresh();
            dirty = false;
        }
        if (o.frames && ++frames >= o.frames)
            break;
        wint_t ch;
        timeout(more ? 0 : tick_ms);   /* a long log is read without waiting */
        int kind = get_wch(&ch);
        while (kind != ERR && !w.quit) {
            workbench_key(&w, ch, kind == KEY_CODE_YES);
            dirty = true;
            nodelay(stdscr, TRUE);
            kind = get_wch(&ch);
        }
    }
    char shot_err[256] = "";
    if (o.screenshot && term_screenshot(o.screenshot, shot_err, sizeof shot_err) == 0)
        shot_err[0] = '\0';
    term_end();
    if (shot_err[0])
        fprintf(stderr, "lrscope watch: %s\n", shot_err);
    if (term_signal)
        fprintf(stderr, "lrscope watch: stopped by %s\n", term_signal_name(term_signal));
    fprintf(stderr, "lrscope watch: %zu rows read from %s\n", wt.src[0].log.rows,
            wt.src[0].path);
    /* A log whose header turned bad while watched (replaced by another
     * file) was bad input: say why again, after the screen that showed it. */
    bool bad_header = any_bad_header(&wt);
    if (bad_header)
        fprintf(stderr, "lrscope watch: %s\n", wt.error);
    free_watch(&w, &wt);
    return term_signal ? EXIT_INTERRUPTED
           : bad_header ? EXIT_BAD_INPUT
           : shot_err[0] ? EXIT_FAILURE_RUN
                         : EXIT_OK;
}
