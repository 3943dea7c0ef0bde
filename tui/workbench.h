/* workbench.h — the interactive front end's state, shared by its files:
 * workbench.c (event loop, keys, actions), panels.c (layout and drawing).
 * Everything here belongs to the UI thread. */
#ifndef LRSCOPE_WORKBENCH_H
#define LRSCOPE_WORKBENCH_H

#include <stdbool.h>

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

typedef struct wb {
    session        *session;
    int             n_train;         /* training images: epochs <-> iterations */
    lr_shape        data_shape;      /* one image, as models are checked against it */
    int             n_classes;
    session_status  st;
    const cli_opts *opts;
    char            notice[256];     /* shown once at start (e.g. data fallback) */

    run_trace           cur;             /* the run of the current generation */
    run_trace           range;           /* the latest finished range test */
    run_trace           ghosts[WB_MAX_GHOSTS];
    int             n_ghosts;
    size_t          read_pos;
    unsigned        generation;
    run_kind        cur_kind;
    metrics_row    *rows;            /* scratch for copying from the store */
    size_t          rows_cap;

    /* Bounds for the next run (and for edits of this one). */
    double          lr_min, lr_max, mom_max, mom_min, wd;
    long            plan_iters;      /* length of the next runs */

    bool            log_y, ascii, show_est, help, confirm_quit, in_cmdline, quit;
    char            cmdline[128];
    int             cmd_len;
    char            msg[256];
    bool            msg_error;
    unsigned        msg_seq_seen;
    unsigned        range_seq_seen;
    unsigned        diverged_gen;    /* generation whose divergence was answered */

    term_caps       caps;
    chart_cell     *cells;
    size_t          cells_cap;
    double          plan_x[WB_PLAN_POINTS], plan_lr[WB_PLAN_POINTS],
                    plan_mom[WB_PLAN_POINTS];
} wb;

/* Draws the whole screen from w's state (no refresh). */
void panels_draw(wb *w);

/* Writes the panels as a PNG figure; returns 0 or -1 with `err` set. */
int  panels_write_png(wb *w, const char *path, char *err, size_t err_len);

int  workbench_run(int argc, char **argv);

#endif
