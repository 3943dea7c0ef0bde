#include "engine/runlog.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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

static FILE *open_in(const char *dir, const char *name, const char *mode, lr_err *e)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, mode);
    if (!f)
        lr_fail(e, "cannot write %s: %s", path, strerror(errno));
    return f;
}

int runlog_open(runlog *r, const char *dir, lr_err *e)
{
    memset(r, 0, sizeof *r);
    if (make_dirs(dir, e))
        return -1;
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    r->metrics = open_in(dir, "metrics.csv", "w", e);
    if (!r->metrics)
        return -1;
    r->events = open_in(dir, "events.csv", "w", e);
    if (!r->events) {
        fclose(r->metrics);
        r->metrics = NULL;
        return -1;
    }
    fprintf(r->metrics, "%s\n", runlog_metrics_header);
    fprintf(r->events, "iter,kind,detail\n");
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

int runlog_write_config(const runlog *r, runlog_config_writer write, run_settings rs,
                        const void *ctx, lr_err *e)
{
    FILE *f = open_in(r->dir, "config", "w", e);
    if (!f)
        return -1;
    if (sched_policy_is_sweep(rs.sched->policy))
        rs.lr_estimate = 0;
    write(f, &rs, ctx);
    if (ferror(f) | fclose(f))
        return lr_fail(e, "cannot write %s/config (disk full?)", r->dir);
    return 0;
}

void csv_number(FILE *f, double v)
{
    if (!isnan(v))
        fprintf(f, "%.7g", v);
}

void runlog_metrics(runlog *r, const metrics_row *m)
{
    if (!r->metrics)
        return;
    FILE *f = r->metrics;
    fprintf(f, "%ld,", m->iter);
    const double cols[] = { m->epoch, m->lr, m->momentum, m->loss, m->loss_smooth, m->acc,
                            m->test_loss, m->test_acc, m->lr_est_secant, m->lr_est_hvp };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        csv_number(f, cols[i]);
        fputc(i + 1 < sizeof cols / sizeof cols[0] ? ',' : '\n', f);
    }
    if (!isnan(m->test_acc))
        fflush(f);
}

void runlog_event(runlog *r, long iter, const char *kind, const char *detail)
{
    if (!r->events)
        return;
    fprintf(r->events, "%ld,%s,\"", iter, kind);
    for (const char *p = detail; *p; p++) {
        if (*p == '"')
            fputc('"', r->events);
        fputc(*p, r->events);
    }
    fputs("\"\n", r->events);
    fflush(r->events);
}

void runlog_finished(runlog *r, long iters, double seconds, int batch)
{
    char detail[128];
    snprintf(detail, sizeof detail, "%ld iterations in %.2f s (%.0f images/s)", iters, seconds,
             seconds > 0 ? (double)iters * batch / seconds : 0.0);
    runlog_event(r, iters, "done", detail);
}

void runlog_flush(runlog *r)
{
    if (r->metrics)
        fflush(r->metrics);
    if (r->events)
        fflush(r->events);
}

int runlog_close(runlog *r, lr_err *e)
{
    int bad = 0;
    if (r->metrics)
        bad |= ferror(r->metrics) | fclose(r->metrics);
    if (r->events)
        bad |= ferror(r->events) | fclose(r->events);
    r->metrics = r->events = NULL;
    if (bad)
        return lr_fail(e, "writing the run files in %s failed (disk full?)", r->dir);
    return 0;
}
