/* run_spec.c — the run spec's defaults and its edits as config text. */
#include "engine/run_spec.h"

#include <math.h>
#include <string.h>

static const char *const edit_names[RUN_N_EDIT_KINDS] = {
    [RUN_EDIT_BOUNDS] = "set_bounds", [RUN_EDIT_MOMENTUM] = "set_momentum",
    [RUN_EDIT_WD] = "set_wd", [RUN_EDIT_RESTART] = "restart",
};

const char *run_edit_name(run_edit_kind k)
{
    return k < RUN_N_EDIT_KINDS ? edit_names[k] : "?";
}

int run_edit_parse(const char *name, run_edit_kind *out)
{
    for (int k = 0; k < RUN_N_EDIT_KINDS; k++)
        if (!strcmp(name, edit_names[k])) {
            *out = (run_edit_kind)k;
            return 0;
        }
    return -1;
}

/* How many values each kind carries. */
static int edit_arity(run_edit_kind k)
{
    return k == RUN_EDIT_RESTART ? 0 : k == RUN_EDIT_WD ? 1 : 2;
}

void run_edit_format(const run_edit *ed, char *buf, size_t len)
{
    int n = edit_arity(ed->kind);
    snprintf(buf, len, n == 2 ? "%ld %s %.17g %.17g" : n == 1 ? "%ld %s %.17g" : "%ld %s",
             ed->iter, run_edit_name(ed->kind), ed->a, ed->b);
}

int run_edit_read(const char *text, run_edit *out, lr_err *e)
{
    char kind[32], extra[2];
    long iter;
    double a = 0.0, b = 0.0;
    int got = sscanf(text, "%ld %31s %lf %lf %1s", &iter, kind, &a, &b, extra);
    run_edit_kind k;
    if (got < 2 || iter < 0 || run_edit_parse(kind, &k) || got - 2 != edit_arity(k) ||
        !isfinite(a) || !isfinite(b))
        return lr_fail(e, "'%s' is not an edit: write ITER set_bounds MIN MAX, ITER "
                          "set_momentum MAX MIN, ITER set_wd X or ITER restart", text);
    *out = (run_edit){ .iter = iter, .kind = k, .a = a, .b = b };
    return 0;
}

void run_spec_default(run_spec *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->model, sizeof s->model, "%s", NET_DEFAULT_MODEL);
    s->seed = 1;
    net_opts_default(&s->net);
    sgd_opts_default(&s->sgd);
    train_cfg_default(&s->train);
    sched_defaults(&s->sched, SCHED_CONST);
    s->checkpoint_minutes = RUN_CHECKPOINT_MINUTES;
}

