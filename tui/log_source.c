/* log_source.c — reading and following CSV logs (see log_source.h). */
#define _POSIX_C_SOURCE 200809L
#include "tui/log_source.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FIELDS 128

const char *log_format_name(log_format f)
{
    static const char *const names[] = { "lrscope", "lrscope range test", "Lightning",
                                         "fastai", "Keras", "CSV" };
    return names[f];
}

/* Splits a line in place at commas into at most cap fields, each trimmed
 * of blanks and surrounding quotes. Returns the number of fields. */
static int split(char *line, char **field, int cap)
{
    int n = 0;
    char *p = line;
    for (;;) {
        char *end = strchr(p, ',');
        if (end)
            *end = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strlen(p);
        while (len && strchr(" \t\r\n", p[len - 1]))
            p[--len] = '\0';
        if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
            p[len - 1] = '\0';
            p++;
        }
        if (n < cap)
            field[n++] = p;
        if (!end)
            return n;
        p = end + 1;
    }
}

/* The index of the first header name among `names` (exact, then ignoring
 * case), or -1. */
static int find(char **hdr, int n, const char *const *names)
{
    for (int k = 0; names[k]; k++)
        for (int i = 0; i < n; i++)
            if (!strcmp(hdr[i], names[k]))
                return i;
    for (int k = 0; names[k]; k++)
        for (int i = 0; i < n; i++)
            if (!strcasecmp(hdr[i], names[k]))
                return i;
    return -1;
}

/* Lightning's LearningRateMonitor: "lr-SGD", "lr-Adam/pg1", and with
 * log_momentum "lr-SGD-momentum". */
static int find_prefixed(char **hdr, int n, bool momentum)
{
    for (int i = 0; i < n; i++) {
        size_t len = strlen(hdr[i]);
        bool mom = len > 9 && !strcmp(hdr[i] + len - 9, "-momentum");
        if (!strncmp(hdr[i], "lr-", 3) && mom == momentum)
            return i;
    }
    return -1;
}

/* A user's column: a header name, or a 1-based column number. */
static int user_col(char **hdr, int n, const char *spec, lr_err *e)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(hdr[i], spec))
            return i;
    char *end;
    long k = strtol(spec, &end, 10);
    if (end != spec && !*end && k >= 1 && k <= n)
        return (int)k - 1;
    lr_fail(e, "no column '%s' in the header (%d columns: give a name or a number 1-%d)", spec,
            n, n);
    return -2;
}

static const char *const X_NAMES[] = { "iter", "step", "iteration", "global_step", "epoch",
                                        NULL };
static const char *const LOSS_NAMES[] = { "train_loss_step", "train_loss", "loss_step",
                                          "train/loss", "training_loss", "loss", NULL };
static const char *const TEST_LOSS_NAMES[] = { "val_loss", "val_loss_epoch", "valid_loss",
                                               "val/loss", "validation_loss", "test_loss",
                                               NULL };
static const char *const ACC_NAMES[] = { "train_acc_step", "train_acc", "train_accuracy",
                                         "train/acc", "acc", "accuracy", NULL };
static const char *const TEST_ACC_NAMES[] = { "val_acc", "val_accuracy", "val_acc_epoch",
                                              "valid_acc", "valid_accuracy", "val/acc",
                                              "test_acc", "test_accuracy", NULL };
static const char *const LR_NAMES[] = { "lr", "learning_rate", "lr_0", NULL };
static const char *const MOM_NAMES[] = { "momentum", "mom", NULL };

static log_format detect(char **h, int n)
{
    static const char *const iter[] = { "iter", NULL }, *const smooth[] = { "train_loss_smooth", NULL },
                             *const rsmooth[] = { "loss_smooth", NULL }, *const step[] = { "step", NULL },
                             *const epoch[] = { "epoch", NULL }, *const valid[] = { "valid_loss", NULL };
    if (find(h, n, iter) >= 0 && find(h, n, smooth) >= 0)
        return LOG_LRSCOPE;
    if (find(h, n, iter) >= 0 && find(h, n, rsmooth) >= 0)
        return LOG_LRSCOPE_RANGE;
    if (find(h, n, step) >= 0 && find(h, n, epoch) >= 0)
        return LOG_LIGHTNING;
    if (n > 0 && !strcmp(h[0], "epoch"))
        return find(h, n, valid) >= 0 ? LOG_FASTAI : LOG_KERAS;
    return LOG_CSV;
}

int log_map_header(log_map *m, const char *header, const log_columns *user, lr_err *e)
{
    char copy[4096], *h[MAX_FIELDS];
    snprintf(copy, sizeof copy, "%s", header);
    int n = split(copy, h, MAX_FIELDS);
    memset(m, 0, sizeof *m);
    for (int r = 0; r < LR_N; r++)
        m->col[r] = -1;
    m->n_cols = n;
    m->format = detect(h, n);
    static const char *const epoch[] = { "epoch", NULL };
    switch (m->format) {
    case LOG_LRSCOPE: {
        static const char *const it[] = { "iter", NULL }, *const lr[] = { "lr", NULL },
            *const mom[] = { "momentum", NULL }, *const loss[] = { "train_loss", NULL },
            *const sm[] = { "train_loss_smooth", NULL }, *const acc[] = { "train_acc", NULL },
            *const tl[] = { "test_loss", NULL }, *const ta[] = { "test_acc", NULL },
            *const es[] = { "lr_est_secant", NULL }, *const eh[] = { "lr_est_hvp", NULL };
        const char *const *names[LR_N] = { it, epoch, lr, mom, loss, sm, acc, tl, ta, es, eh };
        for (int r = 0; r < LR_N; r++)
            m->col[r] = find(h, n, names[r]);
        break;
    }
    case LOG_LRSCOPE_RANGE: {
        static const char *const it[] = { "iter", NULL }, *const lr[] = { "lr", NULL },
            *const loss[] = { "loss", NULL }, *const sm[] = { "loss_smooth", NULL },
            *const tl[] = { "test_loss", NULL }, *const ta[] = { "test_acc", NULL };
        m->col[LR_X] = find(h, n, it);
        m->col[LR_LR] = find(h, n, lr);
        m->col[LR_LOSS] = find(h, n, loss);
        m->col[LR_SMOOTH] = find(h, n, sm);
        m->col[LR_TEST_LOSS] = find(h, n, tl);
        m->col[LR_TEST_ACC] = find(h, n, ta);
        break;
    }
    case LOG_FASTAI: {
        /* fastai's metrics (accuracy, ...) are measured on the validation set. */
        static const char *const loss[] = { "train_loss", NULL }, *const tl[] = { "valid_loss", NULL },
            *const ta[] = { "accuracy", "valid_accuracy", "acc", NULL };
        m->col[LR_X] = m->col[LR_EPOCH] = 0;
        m->col[LR_LOSS] = m->col[LR_SMOOTH] = find(h, n, loss);
        m->col[LR_TEST_LOSS] = find(h, n, tl);
        m->col[LR_TEST_ACC] = find(h, n, ta);
        break;
    }
    case LOG_KERAS:
    case LOG_LIGHTNING:
    case LOG_CSV:
        m->col[LR_X] = m->format == LOG_KERAS ? 0 : find(h, n, X_NAMES);
        if (m->col[LR_X] < 0)
            m->col[LR_X] = 0;
        m->col[LR_EPOCH] = find(h, n, epoch);
        m->col[LR_LOSS] = find(h, n, LOSS_NAMES);
        m->col[LR_TEST_LOSS] = find(h, n, TEST_LOSS_NAMES);
        m->col[LR_ACC] = find(h, n, ACC_NAMES);
        m->col[LR_TEST_ACC] = find(h, n, TEST_ACC_NAMES);
        m->col[LR_LR] = find(h, n, LR_NAMES);
        if (m->col[LR_LR] < 0)
            m->col[LR_LR] = find_prefixed(h, n, false);
        m->col[LR_MOM] = find(h, n, MOM_NAMES);
        if (m->col[LR_MOM] < 0)
            m->col[LR_MOM] = find_prefixed(h, n, true);
        m->smooth = m->format != LOG_KERAS;
        if (m->col[LR_LOSS] >= 0 && strstr(h[m->col[LR_LOSS]], "_epoch"))
            m->smooth = false;  /* already an epoch's mean */
        if (!m->smooth)
            m->col[LR_SMOOTH] = m->col[LR_LOSS];
        break;
    }
    /* What the user named wins over what the format says. */
    const char *spec[] = { user->x, user->loss, user->acc, user->lr };
    const int role[] = { LR_X, LR_LOSS, LR_TEST_ACC, LR_LR };
    for (int k = 0; k < 4; k++) {
        if (!spec[k][0])
            continue;
        int c = user_col(h, n, spec[k], e);
        if (c < 0)
            return -1;
        m->col[role[k]] = c;
        if (role[k] == LR_LOSS) {
            m->smooth = m->format != LOG_KERAS && m->format != LOG_FASTAI;
            m->col[LR_SMOOTH] = m->smooth ? -1 : c;
        }
        if (role[k] == LR_TEST_ACC && m->col[LR_ACC] == c)
            m->col[LR_ACC] = -1;
    }
    if (m->col[LR_X] < 0 || m->col[LR_X] >= n)
        return lr_fail(e, "no x column: name one with --x COL");
    if (m->col[LR_LOSS] < 0 && m->col[LR_TEST_LOSS] < 0 && m->col[LR_ACC] < 0 &&
        m->col[LR_TEST_ACC] < 0 && m->col[LR_LR] < 0)
        return lr_fail(e, "no loss, accuracy or learning-rate column recognised in the "
                          "header: name them with --loss COL --acc COL --lr COL");
    snprintf(m->x_name, sizeof m->x_name, "%s", h[m->col[LR_X]]);
    return 0;
}

/* A cell as a number; NaN for blank or non-numeric cells. */
static double cell(char **f, int n, int c)
{
    if (c < 0 || c >= n || !f[c][0])
        return NAN;
    char *end;
    double v = strtod(f[c], &end);
    return end == f[c] || *end ? (double)NAN : v;
}

/* Accuracies as fractions: above 1 they were percentages. */
static double fraction(double v)
{
    return v > 1.0 ? v / 100.0 : v;
}

bool log_parse_row(const log_map *m, const char *line, log_smoother *s, double *x,
                   metrics_row *row)
{
    char copy[4096], *f[MAX_FIELDS];
    size_t len = strlen(line);
    if (len >= sizeof copy)
        return false;
    memcpy(copy, line, len + 1);
    int n = split(copy, f, MAX_FIELDS);
    if (n < m->n_cols)
        return false;                   /* a short row */
    double v[LR_N];
    for (int r = 0; r < LR_N; r++)
        v[r] = cell(f, n, m->col[r]);
    if (!isfinite(v[LR_X]))
        return false;
    *x = v[LR_X];
    *row = (metrics_row){
        .iter = (long)v[LR_X], .epoch = v[LR_EPOCH], .lr = v[LR_LR], .momentum = v[LR_MOM],
        .loss = v[LR_LOSS], .loss_smooth = v[LR_SMOOTH], .acc = fraction(v[LR_ACC]),
        .test_loss = v[LR_TEST_LOSS], .test_acc = fraction(v[LR_TEST_ACC]),
        .lr_est_secant = v[LR_EST_SECANT], .lr_est_hvp = v[LR_EST_HVP],
    };
    if (m->smooth && isfinite(row->loss)) {
        s->ema = 0.98 * s->ema + 0.02 * row->loss;
        s->weight = 0.98 * s->weight + 0.02;
        row->loss_smooth = s->ema / s->weight;
    }
    return isfinite(row->loss) || isfinite(row->lr) || isfinite(row->acc) ||
           isfinite(row->test_loss) || isfinite(row->test_acc) || isfinite(row->loss_smooth);
}

int log_append(run_trace *t, double x, const metrics_row *row)
{
    return trace_append_at(t, x, row);
}

/* ---- following ------------------------------------------------------------ */

void log_follow_init(log_follow *f, const char *path, const log_columns *user)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    f->user = *user;
    f->fd = -1;
}

void log_follow_close(log_follow *f)
{
    if (f->fd >= 0)
        close(f->fd);
    free(f->buf);
    f->fd = -1;
    f->buf = NULL;
    f->buf_len = f->buf_cap = 0;
}

/* Forgets what was read: the next poll starts at the file's beginning. */
static void restart(log_follow *f, run_trace *t)
{
    f->off = 0;
    f->buf_len = 0;
    f->have_header = f->bad_header = false;
    f->smooth = (log_smoother){ 0 };
    f->rows = f->skipped = 0;
    f->restarts++;
    bool range = t->range_test;
    char label[sizeof t->label];
    memcpy(label, t->label, sizeof label);
    trace_clear(t);
    t->range_test = range;
    memcpy(t->label, label, sizeof label);
}

/* Whether the file's first line is still the header we mapped. */
static bool header_changed(const log_follow *f)
{
    size_t len = strlen(f->header);
    char first[sizeof f->header + 1];
    ssize_t got = pread(f->fd, first, len + 1, 0);
    if (got < (ssize_t)len + 1)
        return true;
    return memcmp(first, f->header, len) || (first[len] != '\n' && first[len] != '\r');
}

/* One complete line (without its end). */
static long take_line(log_follow *f, run_trace *t, char *line, lr_err *e)
{
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r')
        line[--len] = '\0';
    if (!f->have_header) {
        if (!len)
            return 0;
        snprintf(f->header, sizeof f->header, "%s", line);
        f->have_header = true;
        if (log_map_header(&f->map, line, &f->user, e)) {
            f->bad_header = true;
            return -1;
        }
        if (f->map.format == LOG_LRSCOPE_RANGE)
            t->range_test = true;
        return 0;
    }
    double x;
    metrics_row row;
    if (!log_parse_row(&f->map, line, &f->smooth, &x, &row)) {
        f->skipped++;
        return 0;
    }
    if (log_append(t, x, &row))
        return 0;
    f->rows++;
    return 1;
}

long log_follow_poll(log_follow *f, run_trace *t, lr_err *e)
{
    struct stat path_st, fd_st;
    f->more = false;
    if (stat(f->path, &path_st) != 0) {
        snprintf(f->status, sizeof f->status, "waiting for %.200s: %s", f->path, strerror(errno));
        return 0;
    }
    if (f->fd >= 0 && (path_st.st_ino != f->ino || path_st.st_dev != f->dev)) {
        close(f->fd);                 /* replaced: follow the new file from its start */
        f->fd = -1;
        restart(f, t);
    }
    if (f->fd < 0) {
        f->fd = open(f->path, O_RDONLY);
        if (f->fd < 0) {
            snprintf(f->status, sizeof f->status, "cannot read %.200s: %s", f->path,
                     strerror(errno));
            return 0;
        }
        if (fstat(f->fd, &fd_st) == 0) {
            f->dev = fd_st.st_dev;
            f->ino = fd_st.st_ino;
        }
    }
    if (fstat(f->fd, &fd_st) != 0)
        return 0;
    off_t end = fd_st.st_size;
    off_t read_to = f->off + (off_t)f->buf_len;
    if (end < read_to || (f->have_header && end != read_to && header_changed(f))) {
        restart(f, t);                /* truncated or rewritten */
        read_to = 0;
    }
    f->status[0] = '\0';
    if (f->bad_header || end == read_to) {
        if (!f->have_header)
            snprintf(f->status, sizeof f->status, "waiting for %.200s's header line", f->path);
        return 0;
    }
    size_t want = (size_t)(end - read_to);
    if (want > LOG_POLL_BYTES) {
        want = LOG_POLL_BYTES;
        f->more = true;
    }
    if (f->buf_len + want + 1 > f->buf_cap) {
        size_t cap = f->buf_len + want + 1;
        char *p = realloc(f->buf, cap);
        if (!p)
            return 0;
        f->buf = p;
        f->buf_cap = cap;
    }
    ssize_t got = pread(f->fd, f->buf + f->buf_len, want, read_to);
    if (got <= 0)
        return 0;
    f->buf_len += (size_t)got;
    f->buf[f->buf_len] = '\0';
    long added = 0;
    char *p = f->buf, *nl;
    while ((nl = memchr(p, '\n', f->buf_len - (size_t)(p - f->buf))) != NULL) {
        *nl = '\0';
        long r = take_line(f, t, p, e);
        if (r < 0) {
            f->more = false;
            return -1;
        }
        added += r;
        f->off += nl + 1 - p;
        p = nl + 1;
    }
    /* What follows the last line end is a line still being written. */
    f->buf_len -= (size_t)(p - f->buf);
    memmove(f->buf, p, f->buf_len);
    if (f->buf_len > 64 * 1024) {
        f->off += (off_t)f->buf_len;   /* no line is this long: not a CSV log, drop it */
        f->buf_len = 0;
    }
    if (!f->have_header)
        snprintf(f->status, sizeof f->status, "waiting for %.200s's header line", f->path);
    return added;
}
