/* runlog.c — a run's folder and its CSV files (runlog.h). */
#define _POSIX_C_SOURCE 200809L
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* flock */
#endif
#include "engine/runlog.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char runlog_metrics_header[] =
    "iter,epoch,lr,momentum,train_loss,train_loss_smooth,train_acc,test_loss,test_acc,"
    "lr_est_secant,lr_est_hvp";

static int make_dirs(const char *path, lr_err *e)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return lr_fail(e, "run folder path is too long: %s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) && errno != EEXIST)
            return lr_fail(e, "cannot create folder %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) && errno != EEXIST)
        return lr_fail(e, "cannot create folder %s: %s", buf, strerror(errno));
    return 0;
}

/* Records the first write failure; later ones are consequences of it. */
static int fail_write(runlog *r, const char *name, int err)
{
    if (!r->failed) {
        r->failed = true;
        r->failed_file = name;
        r->failed_errno = err;
        lr_fail(&r->error, "cannot write %s/%s: %s", r->dir, name, strerror(err));
    }
    return -1;
}

/* Writes one whole row with write(2). A row cut short (the disk filled up
 * inside it) is removed again, so the file ends with its last complete row. */
static int write_row(runlog *r, runlog_file *lf, const char *name, const char *row, size_t len)
{
    if (r->failed)
        return -1;
    if (lf->fd < 0)
        return 0;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(lf->fd, row + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = w < 0 ? errno : EIO;
            if (done > 0 && ftruncate(lf->fd, (off_t)lf->good) != 0) {
                /* Nothing more can be done: the message still names the cause. */
            }
            return fail_write(r, name, err);
        }
        done += (size_t)w;
    }
    lf->good += (long)len;
    return 0;
}

/* The folder's lock: an exclusive flock on its events.csv (fd), held while
 * that file is open and dropped by the kernel when the process ends. A
 * second lrscope writing the same folder (a resume typed in another SSH
 * session) would interleave its rows and checkpoints with this one's: it is
 * refused before it changes a file. A file system without flock goes on
 * unguarded. */
static int lock_folder(const runlog *r, int fd, lr_err *e)
{
    if (flock(fd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK)
        return 0;
    return lr_fail(e, "%s is being written by another lrscope process: stop it, or let it "
                      "finish, first", r->dir);
}

/* Opens `name` for writing; the events file takes the folder's lock before
 * anything is cut. */
static int open_for_writing(runlog *r, runlog_file *lf, const char *name, int flags, lr_err *e)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", r->dir, name);
    lf->fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0666);
    if (lf->fd < 0)
        return lr_fail(e, "cannot write %s: %s", path, strerror(errno));
    if (lf == &r->events && lock_folder(r, lf->fd, e)) {
        close(lf->fd);
        lf->fd = -1;
        return -1;
    }
    return 0;
}

static int open_csv(runlog *r, runlog_file *lf, const char *name, const char *header, lr_err *e)
{
    lf->good = 0;
    if (open_for_writing(r, lf, name, O_CREAT, e))
        return -1;
    /* cut after the lock (a device, which O_TRUNC would leave alone too,
     * cannot be cut: EINVAL) */
    if (ftruncate(lf->fd, 0) != 0 && errno != EINVAL)
        return lr_fail(e, "cannot write %s/%s: %s", r->dir, name, strerror(errno));
    if (write_row(r, lf, name, header, strlen(header))) {
        if (e)
            *e = r->error;
        return -1;
    }
    return 0;
}

static void close_csv(runlog *r, runlog_file *lf, const char *name)
{
    if (lf->fd >= 0 && close(lf->fd) != 0 && errno != EINTR)
        fail_write(r, name, errno);
    lf->fd = -1;
}

int runlog_refuse_used(const char *dir, lr_err *e)
{
    static const char *const names[] = { "metrics.csv", "events.csv", "checkpoint",
                                         "rangetest.csv", "config" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[1100];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) /* not a device or folder in its place */
            return lr_fail(e, "%s already holds a run (its %s): choose another folder, "
                           "continue that run with: lrscope resume %s, or remove it",
                           dir, names[i], dir);
    }
    return 0;
}

int runlog_open(runlog *r, const char *dir, lr_err *e)
{
    memset(r, 0, sizeof *r);
    r->metrics.fd = r->events.fd = -1;
    if (make_dirs(dir, e) || runlog_refuse_used(dir, e))
        return -1;
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    char header[512];
    snprintf(header, sizeof header, "%s\n", runlog_metrics_header);
    if (open_csv(r, &r->events, "events.csv", "iter,kind,detail\n", e) ||
        open_csv(r, &r->metrics, "metrics.csv", header, e)) {
        close_csv(r, &r->metrics, "metrics.csv");
        close_csv(r, &r->events, "events.csv");
        return -1;
    }
    r->open = true;
    return 0;
}

/* Cuts `path` after its header and the rows whose first field (an
 * iteration) is below `limit`; a partial last line goes too. Returns the
 * length kept, or -1 with `e` set. */
static long keep_rows_before(const char *path, long limit, lr_err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return lr_fail(e, "cannot read %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    long keep = 0;
    ssize_t n;
    for (bool header = true; (n = getline(&line, &cap, f)) > 0; header = false) {
        if (line[n - 1] != '\n')
            break;
        if (!header && strtol(line, NULL, 10) >= limit)
            break;
        keep += n;
    }
    free(line);
    fclose(f);
    if (truncate(path, keep))
        return lr_fail(e, "cannot shorten %s: %s", path, strerror(errno));
    return keep;
}

static int reopen_csv(runlog *r, runlog_file *lf, const char *name, long limit, lr_err *e)
{
    if (open_for_writing(r, lf, name, O_APPEND, e))
        return -1;
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", r->dir, name);
    long keep = keep_rows_before(path, limit, e);
    if (keep < 0)
        return -1;
    lf->good = keep;
    return 0;
}

/* Whether metrics.csv in `dir` holds one row for each iteration before
 * `iter` (0, 1, ..., iter - 1), so that rows appended from `iter` on leave
 * no gap. Returns 0, or -1 with `e` saying what is missing. */
static int check_rows_before(const char *dir, long iter, lr_err *e)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return lr_fail(e, "cannot read %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    long expect = 0;
    ssize_t n;
    bool header = true, gap = false;
    for (; expect < iter && (n = getline(&line, &cap, f)) > 0; header = false) {
        if (line[n - 1] != '\n')
            break;
        if (header)
            continue;
        if (strtol(line, NULL, 10) != expect) {
            gap = true;
            break;
        }
        expect++;
    }
    free(line);
    fclose(f);
    if (expect == 0 && expect < iter)
        return lr_fail(e, "%s has no rows, but the checkpoint continues from iteration %ld: "
                          "resuming would leave a gap", path, iter);
    if (expect < iter)
        return lr_fail(e, "%s has the rows of iterations 0 to %ld%s, but the checkpoint "
                          "continues from iteration %ld: resuming would leave a gap", path,
                       expect - 1, gap ? " and then a gap" : "", iter);
    return 0;
}

int runlog_reopen(runlog *r, const char *dir, long iter, lr_err *e)
{
    memset(r, 0, sizeof *r);
    r->metrics.fd = r->events.fd = -1;
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    if (check_rows_before(dir, iter, e))
        return -1;
    if (reopen_csv(r, &r->events, "events.csv", iter + 1, e) ||
        reopen_csv(r, &r->metrics, "metrics.csv", iter, e)) {
        close_csv(r, &r->metrics, "metrics.csv");
        close_csv(r, &r->events, "events.csv");
        return -1;
    }
    r->open = true;
    return 0;
}

void runlog_default_dir(char *buf, size_t len, const char *root, const char *tag)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(buf, len, "%s/%s-%s", root, stamp, tag);
    struct stat st;
    for (int k = 2; stat(buf, &st) == 0 && k < 1000; k++)
        snprintf(buf, len, "%s/%s-%s-%d", root, stamp, tag, k);
}

void csv_number(FILE *f, double v)
{
    if (!isnan(v))
        fprintf(f, "%.7g", v);
}

/* A row being formatted; the buffer fits the longest row with room to
 * spare, and an event's detail is cut rather than overflow it. */
typedef struct row_buf {
    char   s[1024];
    size_t n;
} row_buf;

static void row_add(row_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void row_add(row_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);
    va_end(ap);
    if (w > 0)
        b->n = b->n + (size_t)w < sizeof b->s ? b->n + (size_t)w : sizeof b->s - 1;
}

int runlog_metrics(runlog *r, const metrics_row *m)
{
    if (!r->open)
        return 0;
    row_buf b = { .n = 0 };
    row_add(&b, "%ld,", m->iter);
    const double cols[] = { m->epoch, m->lr, m->momentum, m->loss, m->loss_smooth, m->acc,
                            m->test_loss, m->test_acc, m->lr_est_secant, m->lr_est_hvp };
    const size_t n_cols = sizeof cols / sizeof cols[0];
    for (size_t i = 0; i < n_cols; i++) {
        if (!isnan(cols[i]))
            row_add(&b, "%.7g", cols[i]);
        row_add(&b, "%c", i + 1 < n_cols ? ',' : '\n');
    }
    return write_row(r, &r->metrics, "metrics.csv", b.s, b.n);
}

int runlog_event(runlog *r, long iter, const char *kind, const char *detail)
{
    if (!r->open)
        return 0;
    row_buf b = { .n = 0 };
    row_add(&b, "%ld,%s,\"", iter, kind);
    /* Quotes doubled; keep room for the closing quote and newline. */
    for (const char *p = detail; *p && b.n + 4 < sizeof b.s; p++) {
        if (*p == '"')
            b.s[b.n++] = '"';
        b.s[b.n++] = *p;
    }
    b.s[b.n] = '\0';
    row_add(&b, "\"\n");
    return write_row(r, &r->events, "events.csv", b.s, b.n);
}

int runlog_flush(runlog *r)
{
    return r->failed ? -1 : 0;
}

const char *runlog_failed(const runlog *r)
{
    return r->failed ? r->error.msg : NULL;
}

int runlog_close(runlog *r, lr_err *e)
{
    if (r->open) {
        close_csv(r, &r->metrics, "metrics.csv");
        close_csv(r, &r->events, "events.csv");
        r->open = false;
    }
    if (r->failed) {
        if (e)
            *e = r->error;
        return -1;
    }
    return 0;
}
/* A cell of a metrics row: a number, or NaN when blank. */
static double cell(const char **p)
{
    double v = (double)NAN;
    if (**p != ',' && **p != '\n' && **p) {
        char *end;
        v = strtod(*p, &end);
        *p = end;
    }
    if (**p == ',')
        (*p)++;
    return v;
}

long runlog_read_metrics(const char *dir, void (*row)(const metrics_row *m, void *ctx),
                         void *ctx, lr_err *e)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return lr_fail(e, "cannot read %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    long n = 0;
    ssize_t len = getline(&line, &cap, f);
    if (len <= 0 || strncmp(line, runlog_metrics_header, strlen(runlog_metrics_header))) {
        free(line);
        fclose(f);
        return lr_fail(e, "%s does not start with lrscope's metrics header", path);
    }
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] != '\n')
            break; /* a partial last row */
        const char *p = line;
        metrics_row m;
        m.iter = (long)cell(&p);
        double *cols[] = { &m.epoch, &m.lr, &m.momentum, &m.loss, &m.loss_smooth, &m.acc,
                           &m.test_loss, &m.test_acc, &m.lr_est_secant, &m.lr_est_hvp };
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
            *cols[i] = cell(&p);
        row(&m, ctx);
        n++;
    }
    free(line);
    fclose(f);
    return n;
}

long runlog_read_events(const char *dir,
                        void (*event)(long iter, const char *kind, const char *detail,
                                      void *ctx),
                        void *ctx, lr_err *e)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/events.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return lr_fail(e, "cannot read %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    long n = 0;
    ssize_t len;
    for (bool header = true; (len = getline(&line, &cap, f)) > 0; header = false) {
        if (header || line[len - 1] != '\n')
            continue;
        line[len - 1] = '\0';
        char *end, *kind, *detail;
        long iter = strtol(line, &end, 10);
        if (*end != ',')
            continue;
        kind = end + 1;
        detail = strchr(kind, ',');
        if (!detail)
            continue;
        *detail++ = '\0';
        /* Unquote: "a ""b""" -> a "b" */
        if (*detail == '"') {
            char *w = detail;
            for (char *r = detail + 1; *r; r++) {
                if (*r == '"' && r[1] == '"')
                    r++;
                else if (*r == '"')
                    break;
                *w++ = *r;
            }
            *w = '\0';
        }
        event(iter, kind, detail, ctx);
        n++;
    }
    free(line);
    fclose(f);
    return n;
}
