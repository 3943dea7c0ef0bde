/* run_folder.h — reading lrscope's run folders back: metrics.csv and
 * rangetest.csv as columns found by header name (column order and extra
 * columns do not matter; a blank cell is NaN, "not measured"), the config's
 * policy, bounds and model, events.csv's live edits, and suggestions.txt's
 * suggested LRs. Used by `lrscope plot`. */
#ifndef LRSCOPE_RUN_FOLDER_H
#define LRSCOPE_RUN_FOLDER_H

#include <stddef.h>

#include "engine/err.h"
#include "tui/chart.h"

#define RUN_FOLDER_MAX_COLS 32
#define RUN_FOLDER_MAX_RUNS 6     /* folders one figure overlays */

/* A CSV file as columns of numbers (NaN for blank or non-numeric cells). */
typedef struct table {
    int     n_cols;
    char    names[RUN_FOLDER_MAX_COLS][32];
    double *col[RUN_FOLDER_MAX_COLS];
    size_t  n, cap;
} table;

/* Column `name`, or NULL when the file has none. */
const double *table_col(const table *t, const char *name);
int table_has(const table *t, const char *name);

/* One run folder, read. */
typedef struct run {
    const char *dir;
    char        label[CHART_NAME_LEN];
    char        policy[32], model[48];
    double      lr_min, lr_max;
    table       m, rt;                     /* metrics.csv, rangetest.csv */
    double     *buf;                       /* the compacted columns below */
    double     *acc_x, *acc_y, *racc_x, *racc_y;   /* test_acc where measured */
    double     *est_x, *est_y;             /* lr_est_secant where measured */
    size_t      n_acc, n_racc, n_est;
    double      ev_iter[CHART_MAX_MARKERS];        /* events.csv: iteration, kind */
    char        ev_kind[CHART_MAX_MARKERS][CHART_LABEL_LEN];
    int         n_ev;
    double      base_lr, max_lr, valley_lr; /* range test suggestions */
} run;

/* Reads the folder `dir` (borrowed: it must outlive r). Returns 0, or -1
 * with `e` naming the file and the problem (no metrics.csv nor
 * rangetest.csv, unreadable or malformed CSV); run_free releases r either
 * way. */
int  run_read(run *r, const char *dir, lr_err *e);
/* Reads only the folder's config (policy, bounds, model) into r, which the
 * caller zeroed: enough for make_labels. */
void run_read_config(run *r, const char *dir);
void run_free(run *r);

/* Legend labels for n runs shown together: what differs between them (the
 * policy with its LR, the model, or both), or the folder's name. */
void make_labels(run *runs, int n);

#endif
