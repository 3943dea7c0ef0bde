/* workbench.h — the interactive front end's state, shared by its files:
 * workbench.c (event loop, reading the session), workbench_actions.c (keys
 * and what they ask of the session), panels.c (the charts and their
 * layout), panels_lines.c (header, result, offer and message lines, key bar,
 * help). Everything here belongs to the UI thread. The session's values
 * (bounds, momentum, wd, the offer) are read from its status, never kept
 * here: the screen shows what the session holds. */
#ifndef LRSCOPE_WORKBENCH_H
#define LRSCOPE_WORKBENCH_H

#include <stdbool.h>
#include <wchar.h>

#include "engine/session.h"
#include "tui/chart_text.h"
#include "tui/cli.h"
#include "tui/keys.h"
#include "tui/term.h"
#include "tui/trace.h"

#define WB_MAX_GHOSTS 3
/* The optimal-LR estimate costs one extra forward/backward pass per sample:
 * every 50 iterations that is about 3 % of training (every 10, about 15 %). */
#define WB_LR_ESTIMATE_EVERY 50
#define WB_PLAN_POINTS 1024

/* The smallest screen the panels fit in; below it a notice is shown. */
#define WB_MIN_COLS 60
#define WB_MIN_LINES 18

struct watch; /* watch.c: the followed logs of `lrscope watch` */

typedef struct wb {
    session        *session;         /* NULL under `lrscope watch` */
    struct watch   *watch;           /* non-NULL: read-only on followed logs */
    int             n_train;         /* training images: epochs <-> iterations */
    lr_shape        data_shape;      /* one image, as models are checked against it */
    int             n_classes;
    session_status  st;
    session_status  st_drawn;        /* the status the screen last showed */
    const cli_opts *opts;
    char            notice[256];     /* start-up notice (e.g. data fallback), shown
                                        while no message is, through the first run */

    run_trace           cur;             /* the run of the current generation */
    run_trace           range;           /* the latest finished range test */
    run_trace           ghosts[WB_MAX_GHOSTS];
    int             n_ghosts;
    bool            ghost_hidden[WB_MAX_GHOSTS];  /* toggled one by one */
    char            ghost_dir[WB_MAX_GHOSTS][512]; /* loaded from a folder, or "" */
    signed char     ghost_src[WB_MAX_GHOSTS];  /* watch: the followed file feeding it, or -1 */
    char            ghost_run[WB_MAX_GHOSTS][256]; /* kept with g: the run's folder, or "" */
    char            x_label[24];     /* the iteration panels' x axis */
    size_t          read_pos;
    unsigned        generation;
    run_kind        cur_kind;
    metrics_row    *rows;            /* scratch for copying from the store */
    size_t          rows_cap;

    long            plan_iters;      /* length of the next runs */
    /* :sweep, over the options' sweep for the next range tests: its kind
     * when kind_set, its bounds (NaN: the kind's default) when bounds_set */
    struct wb_sweep {
        bool         kind_set, bounds_set;
        sched_policy kind;
        double       lr_min, lr_max;
        long         iters;          /* 0: one epoch, or --iters given at start */
    } sweep;
    rangetest_reading reading;       /* what the range-test panels mark (:reading) */

    bool            log_y, ascii, show_est, confirm_quit, in_cmdline, quit;
    int             help_page;       /* 0: no help; else the page shown (1-based) */
    char           *export_text[2];  /* :export's PyTorch and fastai code while shown */
    int             export_which, export_top; /* which one, its first line on screen */
    char            cmdline[128];
    int             cmd_len;
    char            msg[256];        /* the latest message (the session's or ours) */
    bool            msg_error;
    unsigned        msg_seq_seen;

    term_caps       caps;
    chart_cell     *cells;
    size_t          cells_cap;
    double          plan_x[WB_PLAN_POINTS], plan_lr[WB_PLAN_POINTS],
                    plan_mom[WB_PLAN_POINTS];
} wb;

/* Draws the whole screen from w's state (no refresh). */
void panels_draw(wb *w);

/* The text lines around the panels (panels_lines.c). lines_header and
 * lines_bottom return how many screen lines they take (the header from the
 * top, the bottom lines up to the last line), drawing them when `draw`;
 * lines_help draws the help page w->help_page over the panels;
 * lines_help_pages is how many pages the help takes at this screen size. */
int  lines_header(wb *w, bool draw);
int  lines_bottom(wb *w, bool draw);
void lines_help(wb *w);
int  lines_help_pages(void);

/* Applies a key (workbench_actions.c). */
void workbench_key(wb *w, wint_t ch, bool is_key);
/* Sets the message line (the session's messages replace it too). */
void workbench_say(wb *w, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A start of `policy` (1cycle, CLR, the step baseline, or any policy). */
void workbench_start(wb *w, sched_policy policy, bool baseline);
void workbench_range_test(wb *w);

/* Draws the panels between `top` lines from the top and `bottom` lines
 * from the bottom (panels_draw's body, for watch.c). */
void panels_draw_body(wb *w, int top, int bottom);

/* Ghosts (wb_ghosts.c). Loads the finished run in folder `dir` (its
 * metrics.csv, else its rangetest.csv) as a new ghost, the oldest giving
 * way when all are used; the folder ghosts are labelled as `lrscope plot`
 * labels runs (by what differs). Returns 0, or -1 with `e` set. */
int  wb_ghost_load(wb *w, const char *dir, lr_err *e);
/* Removes ghost g (0-based), keeping the others' order. */
void wb_ghost_remove(wb *w, int g);
/* The finished runs under `root`, newest first, as "a, b, c" in out. */
void wb_recent_runs(const char *root, char *out, size_t len);
/* Completes the last word of a ':ghost PATH' line in place (Tab). */
void wb_complete_path(char *line, size_t cap);

/* watch.c: the header and status line, and the key bar, under `watch`. */
int  watch_header(wb *w, bool draw);
void watch_status_text(const wb *w, char *buf, size_t len);
const char *watch_key_bar(void);
int  watch_run(int argc, char **argv);

/* Writes the panels as a PNG figure; returns 0 or -1 with `err` set. */
int  panels_write_png(wb *w, const char *path, char *err, size_t err_len);

int  workbench_run(int argc, char **argv);

/* :export (wb_export.c): writes the schedule in force as code next to the
 * run and opens a scrollable view of it; the view's keys and drawing; close
 * frees the texts. */
void wb_export_code(wb *w);
void wb_export_key(wb *w, wint_t ch, bool is_key);
void wb_export_draw(const wb *w);
void wb_export_close(wb *w);

#endif
