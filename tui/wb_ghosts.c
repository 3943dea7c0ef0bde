/* wb_ghosts.c — past runs as ghosts: loading a finished run folder (through
 * the same log reader `lrscope watch` follows files with), removing one
 * ghost, listing recent runs and completing a folder name on the ':' line. */
#include "tui/workbench.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tui/log_source.h"
#include "tui/run_labels.h"

/* Reads the whole log at `path` into t. Returns 0, or -1 with e set. */
static int read_log(const char *path, run_trace *t, lr_err *e)
{
    log_follow f;
    log_columns none = { 0 };
    log_follow_init(&f, path, &none);
    int rc = 0;
    do {
        if (log_follow_poll(&f, t, e) < 0) {
            rc = -1;
            break;
        }
    } while (f.more);
    if (!rc && f.status[0])
        rc = lr_fail(e, "%s", f.status);
    else if (!rc && !t->steps.n && !t->evals.n)
        rc = lr_fail(e, "%s has no rows to draw", path);
    log_follow_close(&f);
    return rc;
}

/* The folder ghosts labelled together by what differs between them. */
static void relabel(wb *w)
{
    const char *dirs[WB_MAX_GHOSTS];
    int idx[WB_MAX_GHOSTS], n = 0;
    for (int g = 0; g < w->n_ghosts; g++)
        if (w->ghost_dir[g][0]) {
            idx[n] = g;
            dirs[n++] = w->ghost_dir[g];
        }
    char labels[WB_MAX_GHOSTS][CHART_NAME_LEN];
    run_folder_labels(dirs, n, labels);
    for (int i = 0; i < n; i++)
        snprintf(w->ghosts[idx[i]].label, sizeof w->ghosts[0].label, "%.23s", labels[i]);
}

int wb_ghost_load(wb *w, const char *dir, lr_err *e)
{
    struct stat st;
    char path[1100];
    if (stat(dir, &st) != 0)
        return lr_fail(e, "cannot read run folder %s: %s", dir, strerror(errno));
    bool folder = S_ISDIR(st.st_mode);
    if (folder) {
        snprintf(path, sizeof path, "%s/metrics.csv", dir);
        if (stat(path, &st) != 0)
            snprintf(path, sizeof path, "%s/rangetest.csv", dir);
        if (stat(path, &st) != 0)
            return lr_fail(e, "no metrics.csv nor rangetest.csv in %s: is it a run folder?",
                           dir);
    } else {
        snprintf(path, sizeof path, "%s", dir);
    }
    run_trace t;
    trace_init(&t);
    if (read_log(path, &t, e)) {
        trace_free(&t);
        return -1;
    }
    if (w->n_ghosts == WB_MAX_GHOSTS)
        wb_ghost_remove(w, 0);
    int g = w->n_ghosts++;
    trace_move(&w->ghosts[g], &t);
    w->ghost_hidden[g] = false;
    w->ghost_src[g] = -1;
    w->ghost_run[g][0] = '\0';
    const char *base = strrchr(dir, '/');
    base = base && base[1] ? base + 1 : dir;
    snprintf(w->ghosts[g].label, sizeof w->ghosts[g].label, "%.60s", base);
    snprintf(w->ghost_dir[g], sizeof w->ghost_dir[g], "%s", folder ? dir : "");
    if (folder)
        relabel(w);
    return 0;
}

void wb_ghost_remove(wb *w, int g)
{
    if (g < 0 || g >= w->n_ghosts)
        return;
    trace_free(&w->ghosts[g]);
    int after = w->n_ghosts - 1 - g;
    memmove(&w->ghosts[g], &w->ghosts[g + 1], (size_t)after * sizeof w->ghosts[0]);
    memmove(&w->ghost_hidden[g], &w->ghost_hidden[g + 1], (size_t)after * sizeof(bool));
    memmove(&w->ghost_dir[g], &w->ghost_dir[g + 1], (size_t)after * sizeof w->ghost_dir[0]);
    memmove(&w->ghost_src[g], &w->ghost_src[g + 1], (size_t)after * sizeof w->ghost_src[0]);
    memmove(&w->ghost_run[g], &w->ghost_run[g + 1], (size_t)after * sizeof w->ghost_run[0]);
    w->n_ghosts--;
    trace_init(&w->ghosts[w->n_ghosts]);
    w->ghost_hidden[w->n_ghosts] = false;
    w->ghost_dir[w->n_ghosts][0] = '\0';
    w->ghost_src[w->n_ghosts] = -1;
    w->ghost_run[w->n_ghosts][0] = '\0';
}

typedef struct recent {
    char   name[256];
    time_t when;
} recent;

static int newest_first(const void *a, const void *b)
{
    time_t x = ((const recent *)a)->when, y = ((const recent *)b)->when;
    return x < y ? 1 : x > y ? -1 : 0;
}

void wb_recent_runs(const char *root, char *out, size_t len)
{
    out[0] = '\0';
    DIR *d = opendir(root);
    if (!d)
        return;
    recent r[64];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 64) {
        char path[1400];
        struct stat st;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/metrics.csv", root, de->d_name);
        if (stat(path, &st) != 0) {
            snprintf(path, sizeof path, "%s/%s/rangetest.csv", root, de->d_name);
            if (stat(path, &st) != 0)
                continue;
        }
        snprintf(r[n].name, sizeof r[n].name, "%s", de->d_name);
        r[n++].when = st.st_mtime;
    }
    closedir(d);
    qsort(r, (size_t)n, sizeof r[0], newest_first);
    size_t at = 0;
    for (int i = 0; i < n && i < 5 && at < len; i++)
        at += (size_t)snprintf(out + at, len - at, "%s%s/%s", i ? ", " : "", root, r[i].name);
}

void wb_complete_path(char *line, size_t cap)
{
    char *word = strrchr(line, ' ');
    word = word ? word + 1 : line;
    char pattern[1100];
    snprintf(pattern, sizeof pattern, "%s*", word);
    glob_t g;
    if (glob(pattern, GLOB_MARK, NULL, &g) != 0)
        return;
    /* The longest prefix common to every match. */
    size_t common = strlen(g.gl_pathv[0]);
    for (size_t i = 1; i < g.gl_pathc; i++) {
        size_t k = 0;
        while (k < common && g.gl_pathv[i][k] == g.gl_pathv[0][k])
            k++;
        common = k;
    }
    size_t room = cap - (size_t)(word - line) - 1;
    if (common > room)
        common = room;
    memcpy(word, g.gl_pathv[0], common);
    word[common] = '\0';
    globfree(&g);
}
