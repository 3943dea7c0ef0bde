/* quantity.c — the validators of quantity.h and the quantities' ranges. */
#include "tui/quantity.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REAL(name, words, low, high) const quantity name = { words, false, low, high, 0 }
#define WHOLE(name, words, low, high) const quantity name = { words, true, low, high, 0 }
#define TEXT(name, words, len) const quantity name = { words, false, 0, 0, len }

REAL(Q_LR, "a learning rate", 1e-12, 1e4);
REAL(Q_LR_MIN, "a minimum learning rate", 0.0, 1e4);
REAL(Q_MOMENTUM, "a momentum", 0.0, 0.999);
REAL(Q_WD, "a weight decay", 0.0, 0.999);
REAL(Q_EPOCHS, "a number of epochs", 0.001, 100000);
WHOLE(Q_ITERS, "a number of iterations", 1, 1e9);
WHOLE(Q_EVAL_EVERY, "an evaluation interval in iterations (0: epoch ends only)", 0, 1e9);
WHOLE(Q_EVAL_MAX, "a number of test images (0: all)", 0, 1e8);
WHOLE(Q_TRAIN_SIZE, "a number of training images (0: all)", 0, 1e8);
WHOLE(Q_BATCH, "a batch size", 1, 65536);
WHOLE(Q_THREADS, "a thread count (0: one per core)", 0, 256);
WHOLE(Q_SEED, "a seed", 0, 2147483647.0);
WHOLE(Q_STEPSIZE, "a half cycle in iterations", 1, 1e9);
REAL(Q_CYCLE_EPOCHS, "a cycle length in epochs", 0.001, 100000);
REAL(Q_CYCLE_FRAC, "a fraction of the run", 0.01, 1.0);
REAL(Q_PCT_START, "a fraction of the run", 0.001, 0.999);
REAL(Q_DIV_FACTOR, "a division factor", 1.0, 1e9);
REAL(Q_FINAL_DIV, "a division factor", 1.0, 1e12);
REAL(Q_GAMMA, "a factor", 0.0, 1e3);
REAL(Q_POWER, "a power", 0.0, 100);
REAL(Q_BN_MAF, "a moving-average fraction", 0.0, 0.9999);
REAL(Q_STOP_FACTOR, "a factor (0: never stop on the loss)", 0.0, 1e6);
REAL(Q_FPS, "a frame rate", 0.2, 60);
WHOLE(Q_FRAMES, "a number of frames", 1, 1e8);
WHOLE(Q_LR_ESTIMATE, "an interval in iterations (0: off)", 0, 1e6);
REAL(Q_CHECKPOINT_MINUTES, "an interval in minutes (0: only at epoch ends, the end and interruptions)", 0.0, 1e6);
WHOLE(Q_MILESTONE, "an iteration", 1, 1e9);
TEXT(Q_MODEL, "a model spec", 127);
TEXT(Q_PATH, "a path", 511);
TEXT(Q_PNG_NAME, "a file name", 255);

static int refuse(const quantity *q, const char *text, const char *why, lr_err *e)
{
    return lr_fail(e, "'%.60s%s' %s: give %s from %.15g to %.15g", text,
                   strlen(text) > 60 ? "..." : "", why, q->what, q->lo, q->hi);
}

int quantity_real(const quantity *q, const char *text, double *out, lr_err *e)
{
    if (!*text || isspace((unsigned char)*text))
        return refuse(q, text, "is not a number", e);
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (*end || strpbrk(text, "xX")) /* strtod reads hexadecimal too: 0x10 is not 10 */
        return refuse(q, text, "is not a number", e);
    if (!isfinite(v) || errno == ERANGE || v < q->lo || v > q->hi)
        return refuse(q, text, "is out of range", e);
    if (q->whole && v != floor(v))
        return refuse(q, text, "is not a whole number", e);
    *out = v;
    return 0;
}

int quantity_long(const quantity *q, const char *text, long *out, lr_err *e)
{
    if (!*text || isspace((unsigned char)*text))
        return refuse(q, text, "is not a whole number", e);
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (*end)
        return refuse(q, text, "is not a whole number", e);
    if (errno == ERANGE || (double)v < q->lo || (double)v > q->hi)
        return refuse(q, text, "is out of range", e);
    *out = v;
    return 0;
}

int quantity_text(const quantity *q, const char *text, char *out, size_t cap, lr_err *e)
{
    size_t n = strlen(text);
    if (n == 0)
        return lr_fail(e, "an empty value is not allowed: give %s", q->what);
    if (n > q->max_len || n >= cap)
        return lr_fail(e, "'%.40s...' is too long (%zu characters): give %s of at most %zu",
                       text, n, q->what, q->max_len < cap - 1 ? q->max_len : cap - 1);
    memcpy(out, text, n + 1);
    return 0;
}

int quantity_momentum_range(const char *text, double *max, double *min, lr_err *e)
{
    const char *colon = strchr(text, ':');
    char first[64];
    size_t n = colon ? (size_t)(colon - text) : strlen(text);
    if (n >= sizeof first)
        return refuse(&Q_MOMENTUM, text, "is not a number", e);
    memcpy(first, text, n);
    first[n] = '\0';
    double hi, lo;
    if (quantity_real(&Q_MOMENTUM, first, &hi, e))
        return -1;
    lo = hi;
    if (colon && quantity_real(&Q_MOMENTUM, colon + 1, &lo, e))
        return -1;
    if (lo > hi)
        return lr_fail(e, "'%s': write a momentum range as MAX:MIN with MAX >= MIN", text);
    *max = hi;
    *min = lo;
    return 0;
}

int quantity_milestones(const char *text, long *out, int cap, lr_err *e)
{
    int n = 0;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[32];
        if (len == 0)
            return lr_fail(e, "'%s' has an empty item: give increasing iterations separated "
                              "by commas, e.g. 5000,7000", text);
        if (len >= sizeof item)
            return refuse(&Q_MILESTONE, text, "has an item that is not a whole number", e);
        memcpy(item, p, len);
        item[len] = '\0';
        long v = 0;
        if (quantity_long(&Q_MILESTONE, item, &v, e))
            return -1;
        if (n == cap)
            return lr_fail(e, "'%s': at most %d milestones", text, cap);
        if (n && v <= out[n - 1])
            return lr_fail(e, "'%s': milestones must increase", text);
        out[n++] = v;
        if (!comma)
            return n;
        p = comma + 1;
    }
}
