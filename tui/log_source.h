/* log_source.h — a metrics source read from a CSV log that may still be
 * growing: lrscope's own metrics.csv and rangetest.csv, and the logs other
 * trainers write.
 *
 * A log's format is recognised by its header:
 *   lrscope      iter,epoch,lr,momentum,train_loss,train_loss_smooth,...
 *   lrscope range test  iter,lr,loss,loss_smooth,test_acc,test_loss
 *   Lightning    CSVLogger's metrics.csv: `step` and `epoch` columns, the
 *                rest train_loss / val_loss / val_acc style (sparse rows:
 *                training and validation values on separate rows)
 *   fastai       CSVLogger's history.csv: epoch,train_loss,valid_loss,<metrics>,time
 *   Keras        CSVLogger: epoch,loss,accuracy,val_loss,val_accuracy[,lr]
 *   CSV          anything else, with the columns named by the user
 * The user's --x, --loss, --acc and --lr (a header name, or a 1-based column
 * number) override what the format says. --acc is the accuracy drawn as the
 * held-out curve. Accuracies above 1 are read as percentages.
 *
 * Rows go into a run_trace (trace.h): training values (loss, lr, momentum,
 * training accuracy) as a step, held-out values as an evaluation. The loss
 * of step-level logs (Lightning, plain CSV) is smoothed as lrscope smooths
 * its own (EMA 0.98, bias-corrected); epoch-level logs (Keras, fastai) are
 * drawn as they are. Non-numeric cells are blank; a row with nothing to
 * draw, a short row or a half-written last line is skipped, never an error.
 *
 * Following (log_follow): each poll reads what was appended since the last
 * one (at most LOG_POLL_BYTES, so a huge log is read over several ticks
 * without freezing the screen). A file that shrank (truncated), was
 * replaced (rotated: another inode at the path) or whose header changed
 * (Lightning rewrites its file when a new metric appears) is read again
 * from its start into an emptied trace. */
#ifndef LRSCOPE_LOG_SOURCE_H
#define LRSCOPE_LOG_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine/err.h"
#include "tui/trace.h"

#define LOG_POLL_BYTES (4 << 20)
#define LOG_COL_NAME 48

typedef enum {
    LOG_LRSCOPE, LOG_LRSCOPE_RANGE, LOG_LIGHTNING, LOG_FASTAI, LOG_KERAS, LOG_CSV
} log_format;

/* Columns the user named (--x --loss --acc --lr); "" where not given. */
typedef struct log_columns {
    char x[LOG_COL_NAME], loss[LOG_COL_NAME], acc[LOG_COL_NAME], lr[LOG_COL_NAME];
} log_columns;

/* The roles a log's columns play; each a column index or -1. */
enum { LR_X, LR_EPOCH, LR_LR, LR_MOM, LR_LOSS, LR_SMOOTH, LR_ACC, LR_TEST_LOSS, LR_TEST_ACC,
       LR_EST_SECANT, LR_EST_HVP, LR_N };

typedef struct log_map {
    log_format format;
    int        col[LR_N];
    int        n_cols;
    bool       smooth;                 /* smooth the loss (step-level logs) */
    char       x_name[LOG_COL_NAME];   /* the x axis' label */
} log_map;

/* The format's name: "lrscope", "Lightning", ... */
const char *log_format_name(log_format f);

/* Maps a header line (without its line end) to roles. Returns 0, or -1 with
 * `e` saying what is missing (an unknown column named by the user, or no
 * loss nor accuracy column found: then the user must name them). */
int log_map_header(log_map *m, const char *header, const log_columns *user, lr_err *e);

/* The loss smoothing state of one log. */
typedef struct log_smoother {
    double ema, weight;
} log_smoother;

/* Parses one complete data line. Returns true with *x and *row filled
 * (NaN where not measured) when the row has an x and something to draw;
 * false for a row to skip. */
bool log_parse_row(const log_map *m, const char *line, log_smoother *s, double *x,
                   metrics_row *row);

/* Appends a parsed row to t (a step and/or an evaluation). -1: no memory. */
int log_append(run_trace *t, double x, const metrics_row *row);

typedef struct log_follow {
    char         path[1024];
    log_columns  user;
    int          fd;
    dev_t        dev;
    ino_t        ino;
    off_t        off;             /* bytes consumed (up to the last full line) */
    char        *buf;             /* a partly read line carried to the next poll */
    size_t       buf_len, buf_cap;
    char         header[1024];
    bool         have_header, bad_header;
    log_map      map;
    log_smoother smooth;
    size_t       rows, skipped, restarts;
    bool         more;            /* unread bytes remain after the last poll */
    char         status[256];     /* why nothing is read now ("waiting for ..."), or "" */
} log_follow;

void log_follow_init(log_follow *f, const char *path, const log_columns *user);
/* Reads what is new into t (emptied first when the file was truncated,
 * replaced or rewritten). Returns the number of rows added, or -1 with `e`
 * set when the header cannot be mapped (the file is then left alone until
 * it changes). A missing or unreadable file is no error: f->status says
 * so and the next poll tries again. */
long log_follow_poll(log_follow *f, run_trace *t, lr_err *e);
void log_follow_close(log_follow *f);

#endif
