/* run_folder.c — reading run folders back (see run_folder.h). */
#define _POSIX_C_SOURCE 200809L
#include "tui/run_folder.h"
#include "tui/keyfile.h"
#include "tui/run_labels.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>



static void table_free(table *t)
{
    for (int c = 0; c < t->n_cols; c++)
        free(t->col[c]);
    memset(t, 0, sizeof *t);
}

/* The column named name, or NULL. */
const double *table_col(const table *t, const char *name)
{
    for (int c = 0; c < t->n_cols; c++)
        if (!strcmp(t->names[c], name))
            return t->col[c];
    return NULL;
}

/* Whether column name has at least one number. */
int table_has(const table *t, const char *name)
{
    const double *v = table_col(t, name);
    for (size_t i = 0; v && i < t->n; i++)
        if (isfinite(v[i]))
            return 1;
    return 0;
}

/* Drops surrounding blanks and the line end. */
static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
    size_t k = strspn(s, " ");
    memmove(s, s + k, n - k + 1);
}

/* Reads path into t. Returns 1 when read, 0 when the file does not exist,
 * -1 with e set when it cannot be read or has no header. */
static int table_read(table *t, const char *path, lr_err *e)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : lr_fail(e, "cannot read %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t len = 0;
    int rc = 1;
    if (getline(&line, &len, f) < 0) {
        rc = lr_fail(e, "%s is empty: expected a header line", path);
        goto done;
    }
    for (char *tok = strtok(line, ","); tok && t->n_cols < RUN_FOLDER_MAX_COLS; tok = strtok(NULL, ",")) {
        snprintf(t->names[t->n_cols], sizeof t->names[0], "%s", tok);
        trim(t->names[t->n_cols++]);
    }
    while (getline(&line, &len, f) >= 0) {
        if (t->n == t->cap) {
            size_t cap = t->cap ? 2 * t->cap : 1024;
            for (int c = 0; c < t->n_cols; c++) {
                double *p = realloc(t->col[c], cap * sizeof *p);
                if (!p) {
                    rc = lr_fail(e, "out of memory reading %s", path);
                    goto done;
                }
                t->col[c] = p;
            }
            t->cap = cap;
        }
        const char *p = line;
        for (int c = 0; c < t->n_cols; c++) {
            char *end;
            double v = strtod(p, &end);
            t->col[c][t->n] = end == p ? (double)NAN : v;
            p = strchr(end, ',');
            p = p ? p + 1 : "";
        }
        t->n++;
    }
done:
    free(line);
    fclose(f);
    if (rc < 0)
        table_free(t);
    return rc;
}

static double read_number(const char *path, const char *key)
{
    char buf[64];
    keyfile_get(path, key, buf, sizeof buf);
    char *end;
    double v = strtod(buf, &end);
    return end != buf && isfinite(v) ? v : (double)NAN;
}

/* Copies the rows where y is finite into x_out/y_out (capacity t->n): a
 * line through sparse measurements must not break at every blank cell. */
static size_t compact(const table *t, const char *xname, const char *yname, double *x_out,
                      double *y_out)
{
    const double *x = table_col(t, xname), *y = table_col(t, yname);
    size_t k = 0;
    for (size_t i = 0; x && y && i < t->n; i++)
        if (isfinite(y[i]) && isfinite(x[i])) {
            x_out[k] = x[i];
            y_out[k++] = y[i];
        }
    return k;
}

static void read_events(run *r, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f) && r->n_ev < CHART_MAX_MARKERS) {
        char *end, *kind;
        double it = strtod(line, &end);
        if (end == line || *end != ',')
            continue;                        /* the header, or a malformed row */
        kind = end + 1;
        kind[strcspn(kind, ",\n")] = '\0';
        if (!strcmp(kind, "done"))
            continue;                        /* the end of a run is no event to mark */
        r->ev_iter[r->n_ev] = it;
        snprintf(r->ev_kind[r->n_ev], sizeof r->ev_kind[0], "%s", kind);
        r->n_ev++;
    }
    fclose(f);
}

void run_read_config(run *r, const char *dir)
{
    char path[4200];
    r->dir = dir;
    snprintf(path, sizeof path, "%s/config", dir);
    keyfile_get(path, "sched.policy", r->policy, sizeof r->policy);
    keyfile_get(path, "model", r->model, sizeof r->model);
    r->lr_min = read_number(path, "sched.lr_min");
    r->lr_max = read_number(path, "sched.lr_max");
}

/* The value of rangetest_stop_name's `name`, RANGETEST_COMPLETED when unknown. */
static rangetest_stop stop_named(const char *name)
{
    for (int k = RANGETEST_RUNNING; k <= RANGETEST_CANCELLED; k++)
        if (!strcmp(name, rangetest_stop_name((rangetest_stop)k)))
            return (rangetest_stop)k;
    return RANGETEST_COMPLETED;
}

/* run_range_suggestions on the folder's rangetest.csv, already read into t
 * (empty when the folder has none). */
static int readings_from(const table *t, const char *dir, rangetest_suggestions *s, lr_err *e)
{
    char sugg[1100], kind[16], stop[32];
    snprintf(sugg, sizeof sugg, "%s/suggestions.txt", dir);
    keyfile_get(sugg, "sweep", kind, sizeof kind);
    double steps = read_number(sugg, "steps");
    if (!kind[0] || !(steps >= 0.0 && steps < 1e12) || !t->n)
        return 0;
    const double *it = table_col(t, "iter"), *lr = table_col(t, "lr"),
                 *loss = table_col(t, "loss"), *smooth = table_col(t, "loss_smooth"),
                 *acc = table_col(t, "test_acc"), *tloss = table_col(t, "test_loss");
    if (!it || !lr || !loss || !smooth || !acc || !tloss)
        return lr_fail(e, "%s/rangetest.csv: expected the columns iter, lr, loss, "
                          "loss_smooth, test_acc and test_loss", dir);
    rangetest_curve c;
    if (rangetest_curve_alloc(&c, (long)t->n + 1, e))
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        if (it[i] < 0.0 && c.n == 0 && isfinite(acc[i]))
            rangetest_curve_push_eval(&c, lr[i], acc[i], tloss[i]);
        else if (it[i] >= 0.0 && isfinite(loss[i]) && isfinite(smooth[i]))
            rangetest_curve_push(&c, lr[i], loss[i], smooth[i], acc[i], tloss[i]);
    }
    int rc = 0;
    if (c.n >= (long)steps) { /* else the CSV is still being written */
        c.policy = strcmp(kind, "exp") ? SCHED_SWEEP_LINEAR : SCHED_SWEEP_EXP;
        c.lr_min = read_number(sugg, "sweep.lr_min");
        c.lr_max = read_number(sugg, "sweep.lr_max");
        double planned = read_number(sugg, "sweep.iters"), at = read_number(sugg, "stop.iter");
        c.n_planned = planned >= 1.0 ? (long)planned : c.n;
        keyfile_get(sugg, "stop", stop, sizeof stop);
        c.stop = stop_named(stop);
        c.stop_iter = at >= 0.0 ? (long)at : c.n;
        c.stop_lr = read_number(sugg, "stop.lr");
        c.stop_loss = read_number(sugg, "stop.loss");
        rangetest_suggest(&c, s);
        rc = 1;
    }
    rangetest_curve_free(&c);
    return rc;
}

int run_range_suggestions(const char *dir, rangetest_suggestions *s, char *model,
                          size_t model_len, lr_err *e)
{
    char csv[1100];
    snprintf(csv, sizeof csv, "%s/rangetest.csv", dir);
    table t;
    int rc = table_read(&t, csv, e);
    if (rc > 0)
        rc = readings_from(&t, dir, s, e);
    table_free(&t);
    if (rc > 0) {
        run r = { 0 };
        run_read_config(&r, dir);
        snprintf(model, model_len, "%s", r.model);
    }
    return rc;
}

int run_read(run *r, const char *dir, lr_err *e)
{
    char path[4200];
    struct stat st;
    memset(r, 0, sizeof *r);
    r->dir = dir;
    if (stat(dir, &st) != 0)
        return lr_fail(e, "cannot read run folder %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return lr_fail(e, "%s is not a folder: give run folders (lrscope train --out DIR)", dir);
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    int has_m = table_read(&r->m, path, e);
    if (has_m < 0)
        return -1;
    snprintf(path, sizeof path, "%s/rangetest.csv", dir);
    int has_rt = table_read(&r->rt, path, e);
    if (has_rt < 0)
        return -1;
    if (!has_m && !has_rt)
        return lr_fail(e, "no metrics.csv in %s: is it a run folder (lrscope train --out DIR)?",
                       dir);
    if (has_m && !table_col(&r->m, "iter"))
        return lr_fail(e, "%s/metrics.csv has no iter column", dir);
    if (has_rt && !table_col(&r->rt, "lr"))
        return lr_fail(e, "%s/rangetest.csv has no lr column", dir);

    size_t n = r->m.n, nr = r->rt.n;
    r->buf = malloc((4 * n + 2 * nr + 1) * sizeof *r->buf);
    if (!r->buf)
        return lr_fail(e, "out of memory reading %s", dir);
    r->acc_x = r->buf;
    r->acc_y = r->acc_x + n;
    r->racc_x = r->acc_y + n;
    r->racc_y = r->racc_x + nr;
    r->est_x = r->racc_y + nr;
    r->est_y = r->est_x + n;
    r->n_acc = compact(&r->m, "iter", "test_acc", r->acc_x, r->acc_y);
    r->n_est = compact(&r->m, "iter", "lr_est_secant", r->est_x, r->est_y);
    r->n_racc = compact(&r->rt, "lr", "test_acc", r->racc_x, r->racc_y);
    for (size_t i = 0; i < r->n_acc; i++)
        r->acc_y[i] *= 100.0;     /* accuracies are drawn in percent */
    for (size_t i = 0; i < r->n_racc; i++)
        r->racc_y[i] *= 100.0;

    run_read_config(r, dir);
    snprintf(path, sizeof path, "%s/events.csv", dir);
    read_events(r, path);
    /* the readings as the run read them (a folder that gives none, or that
     * a reading cannot be taken from, is still drawn, without markers) */
    rangetest_suggestions s;
    lr_err ignored;
    r->base_lr = r->max_lr = r->valley_lr = NAN;
    if (readings_from(&r->rt, dir, &s, &ignored) > 0) {
        r->base_lr = s.smith.base_lr;
        r->max_lr = s.smith.max_lr;
        /* a net that did not learn in the sweep has no LR worth marking */
        r->valley_lr = s.smith.did_not_learn ? (double)NAN : s.valley.lr;
    }
    return 0;
}

void run_free(run *r)
{
    table_free(&r->m);
    table_free(&r->rt);
    free(r->buf);
}

/* The policy with its LR: "1cycle lr 0.05-0.5", "multistep lr 0.3", or
 * "range test" for a sweep. */
static void policy_label(const run *r, char *buf, size_t len)
{
    bool one_lr = !strcmp(r->policy, "const") || !strcmp(r->policy, "step") ||
                  !strcmp(r->policy, "multistep") || !strcmp(r->policy, "inv");
    if (!strncmp(r->policy, "sweep", 5))
        snprintf(buf, len, "range test");
    else if (one_lr && isfinite(r->lr_max))
        snprintf(buf, len, "%s lr %g", r->policy, r->lr_max);
    else if (isfinite(r->lr_min) && isfinite(r->lr_max))
        snprintf(buf, len, "%s lr %g-%g", r->policy, r->lr_min, r->lr_max);
    else
        snprintf(buf, len, "%s", r->policy);
}

/* Legend labels say what differs between the runs: the policy (with its
 * LR), the model, or both; the folder's name when that still leaves two
 * alike or there is no config. */
void make_labels(run *runs, int n)
{
    char pol[RUN_FOLDER_MAX_RUNS][64];
    bool models_differ = false, policies_differ = false;
    for (int i = 0; i < n; i++) {
        policy_label(&runs[i], pol[i], sizeof pol[i]);
        models_differ |= strcmp(runs[i].model, runs[0].model) != 0;
        policies_differ |= strcmp(pol[i], pol[0]) != 0;
    }
    for (int i = 0; i < n; i++) {
        run *r = &runs[i];
        char full[128];
        if (models_differ && !policies_differ)
            snprintf(full, sizeof full, "%.47s", r->model);
        else if (models_differ)
            snprintf(full, sizeof full, "%.63s %.47s", pol[i], r->model);
        else
            snprintf(full, sizeof full, "%.63s", pol[i]);
        snprintf(r->label, sizeof r->label, "%.*s", (int)sizeof r->label - 1, full);
    }
    bool dup[RUN_FOLDER_MAX_RUNS];
    for (int i = 0; i < n; i++) {
        dup[i] = !runs[i].policy[0];
        for (int j = 0; j < n; j++)
            dup[i] |= j != i && !strcmp(runs[j].label, runs[i].label);
    }
    for (int i = 0; i < n; i++) {
        if (!dup[i])
            continue;
        const char *base = strrchr(runs[i].dir, '/');
        base = base && base[1] ? base + 1 : runs[i].dir;
        snprintf(runs[i].label, sizeof runs[i].label, "%s", base);
    }
}


void run_folder_labels(const char *const *dirs, int n, char (*labels)[CHART_NAME_LEN])
{
    run runs[RUN_FOLDER_MAX_RUNS];
    if (n > RUN_FOLDER_MAX_RUNS)
        n = RUN_FOLDER_MAX_RUNS;
    for (int i = 0; i < n; i++) {
        memset(&runs[i], 0, sizeof runs[i]);
        run_read_config(&runs[i], dirs[i]);
    }
    make_labels(runs, n);
    for (int i = 0; i < n; i++)
        memcpy(labels[i], runs[i].label, CHART_NAME_LEN);
}
