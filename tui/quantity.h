/* quantity.h — one validator per quantity a user types, shared by the command
 * line, the workbench's ':' command line and config files.
 *
 * Parsing is exact: the whole text must be the value (no trailing junk, no
 * silent truncation of long text, no integer overflow, no empty items), and
 * the value must lie in the quantity's range. A refusal says what is allowed,
 * without naming where the text came from: the caller prefixes that
 * ("--lr-max: ", ":lr: ", "RUN/config line 7 (wd): "). */
#ifndef LRSCOPE_QUANTITY_H
#define LRSCOPE_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/err.h"

typedef struct quantity {
    const char *what;      /* "a learning rate", for messages */
    bool        whole;     /* integers only */
    double      lo, hi;    /* inclusive range */
    size_t      max_len;   /* text: longest accepted (0: not text) */
} quantity;

extern const quantity Q_LR, Q_LR_MIN, Q_MOMENTUM, Q_WD, Q_EPOCHS, Q_ITERS, Q_EVAL_EVERY,
    Q_EVAL_MAX, Q_TRAIN_SIZE, Q_BATCH, Q_THREADS, Q_SEED, Q_STEPSIZE, Q_CYCLE_EPOCHS,
    Q_CYCLE_FRAC, Q_PCT_START, Q_DIV_FACTOR, Q_FINAL_DIV, Q_GAMMA, Q_POWER, Q_BN_MAF,
    Q_STOP_FACTOR, Q_FPS, Q_FRAMES, Q_LR_ESTIMATE, Q_CHECKPOINT_MINUTES, Q_MILESTONE,
    Q_MODEL, Q_PATH, Q_PNG_NAME;

/* A real number in q's range (whole numbers only when q->whole). Returns 0,
 * or -1 with `e` saying what is allowed; *out is then unchanged. */
int quantity_real(const quantity *q, const char *text, double *out, lr_err *e);

/* A whole number in q's range, refused on overflow. */
int quantity_long(const quantity *q, const char *text, long *out, lr_err *e);

/* Text of 1 to q->max_len bytes, copied into out[cap] (cap > max_len). */
int quantity_text(const quantity *q, const char *text, char *out, size_t cap, lr_err *e);

/* "MAX" or "MAX:MIN" momentum, MIN <= MAX. */
int quantity_momentum_range(const char *text, double *max, double *min, lr_err *e);

/* Comma-separated increasing iterations "I1,I2,...", at most `cap` of them:
 * no empty items, each a Q_MILESTONE. Returns the count, or -1 with `e`. */
int quantity_milestones(const char *text, long *out, int cap, lr_err *e);

#endif
