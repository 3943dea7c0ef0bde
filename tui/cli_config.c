/* cli_config.c — the run folder's `config` file, read and written through
 * the option table (cli_table.h), and the schedule resolved from options. */
#include "tui/cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cli_table.h"

static const opt_row *row_by_key(const char *key)
{
    for (size_t i = 0; i < cli_table_len; i++)
        if (cli_table[i].key && !strcmp(cli_table[i].key, key))
            return &cli_table[i];
    return NULL;
}

/* Keeps a config value alive as long as o (text options point into it). */
static const char *keep_string(cli_opts *o, const char *s)
{
    size_t n = strlen(s) + 1;
    if (n > sizeof o->strings - o->strings_used)
        return NULL;
    char *at = o->strings + o->strings_used;
    memcpy(at, s, n);
    o->strings_used += n;
    return at;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && strchr(" \t\r\n", s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* One `key = value` line. */
static int read_line(cli_opts *o, char *key, char *value, lr_err *e)
{
    if (!strncmp(key, "sched.", 6)) {
        if (!o->have_base_sched)
            sched_defaults(&o->base_sched, SCHED_CONST);
        o->have_base_sched = true;
        if (sched_set_param(&o->base_sched, key, value, e))
            return -1;
        o->policy = o->base_sched.policy;
        return 0;
    }
    if (!strcmp(key, "edit")) {
        run_edit ed;
        if (run_edit_read(value, &ed, e))
            return -1;
        if (o->n_edits == RUN_MAX_EDITS)
            return lr_fail(e, "more than %d edits", RUN_MAX_EDITS);
        if (o->n_edits && ed.iter < o->edits[o->n_edits - 1].iter)
            return lr_fail(e, "edits must come in iteration order");
        o->edits[o->n_edits++] = ed;
        return 0;
    }
    if (!strncmp(key, "range_test.", 11)) {
        if (o->mode == CLI_RESUME || o->resume)
            return 0; /* a resumed range test's sweep is in its checkpoint */
        return lr_fail(e, "this is a range test's setting: a range test is repeated with "
                          "lrscope range-test and its options");
    }
    const opt_row *row = row_by_key(key);
    if (!row)
        return lr_fail(e, "unknown key");
    if (row->type == OT_TEXT && !(value = (char *)keep_string(o, value)))
        return lr_fail(e, "too much text in this config");
    return cli_set_option(o, row, value, e);
}

int cli_read_config(cli_opts *o, const char *path, lr_err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return lr_fail(e, "cannot read the config %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    long n = 0;
    o->n_edits = 0;
    while (rc == 0 && getline(&line, &cap, f) > 0) {
        n++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = lr_fail(e, "%s line %ld: '%.60s' is not a 'key = value' line", path, n, s);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        lr_err why;
        if (read_line(o, key, value, &why)) {
            size_t k = strlen(key); /* schedule settings name their key themselves */
            bool named = !strncmp(why.msg, key, k) && why.msg[k] == ':';
            rc = named ? lr_fail(e, "%s line %ld: %s", path, n, why.msg)
                       : lr_fail(e, "%s line %ld: %s: %s", path, n, key, why.msg);
        }
    }
    if (rc == 0 && ferror(f))
        rc = lr_fail(e, "cannot read the config %s: %s", path, strerror(errno));
    free(line);
    fclose(f);
    lr_err why;
    if (rc == 0 && o->have_base_sched && sched_validate(&o->base_sched, &why))
        rc = lr_fail(e, "%s: the schedule it describes is not valid: %s", path, why.msg);
    return rc;
}

/* The options a spec came from, so the table can format it. */
static void opts_of_spec(const run_spec *s, cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->data = s->data[0] ? s->data : "fashion-mnist";
    o->model = s->model;
    o->train_size = s->train_size;
    o->batch = s->train.batch;
    o->seed = s->seed;
    o->threads = s->threads;
    o->net = s->net;
    o->augment = s->train.augment;
    o->eval_every = s->train.eval_every;
    o->eval_max = s->train.eval_max;
    o->eval_max_end = s->train.eval_max_end;
    o->lr_estimate = s->lr_estimate;
    o->sgd = s->sgd;
    o->checkpoint_minutes = s->checkpoint_minutes;
}

int cli_write_config(FILE *f, const run_spec *spec)
{
    cli_opts o;
    opts_of_spec(spec, &o);
    fprintf(f, "# lrscope %s run settings: lrscope train --config THIS_FILE repeats the run\n",
            LRSCOPE_VERSION);
    for (size_t i = 0; i < cli_table_len; i++) {
        const opt_row *r = &cli_table[i];
        if (!r->key)
            continue;
        const char *field = (const char *)&o + r->off;
        fprintf(f, "%s = ", r->key);
        switch (r->type) {
        case OT_FLAG: fprintf(f, "%d\n", *(const bool *)field); break;
        case OT_INT: fprintf(f, "%d\n", *(const int *)field); break;
        case OT_LONG: fprintf(f, "%ld\n", *(const long *)field); break;
        case OT_U64: fprintf(f, "%llu\n", (unsigned long long)*(const uint64_t *)field); break;
        case OT_REAL: fprintf(f, "%.17g\n", *(const double *)field); break;
        case OT_FLOAT: fprintf(f, "%.9g\n", (double)*(const float *)field); break;
        case OT_TEXT: fprintf(f, "%s\n", *(const char *const *)field); break;
        default:
            if (r->format)
                r->format(f, &o);
            else
                fputc('\n', f);
            break;
        }
    }
    int rc = sched_write_config(&spec->sched, f);
    for (int i = 0; i < spec->n_edits; i++) {
        char line[160];
        run_edit_format(&spec->edits[i], line, sizeof line);
        fprintf(f, "edit = %s\n", line);
    }
    return (rc | ferror(f)) ? -1 : 0;
}

void cli_run_spec(const cli_opts *o, const sched *s, const train_cfg *tc, run_spec *out)
{
    run_spec_default(out);
    snprintf(out->data, sizeof out->data, "%s", o->data ? o->data : "");
    snprintf(out->model, sizeof out->model, "%s", o->model);
    out->train_size = o->train_size;
    out->threads = o->threads;
    out->seed = o->seed;
    out->net = o->net;
    out->sgd = o->sgd;
    out->train = *tc;
    out->sched = *s;
    out->lr_estimate = o->lr_estimate > 0 ? o->lr_estimate : 0;
    out->checkpoint_minutes = o->checkpoint_minutes;
    memcpy(out->edits, o->edits, (size_t)o->n_edits * sizeof *o->edits);
    out->n_edits = o->n_edits;
}

int cli_resolve_sched(const cli_opts *o, long n_train, sched *s, lr_err *e)
{
    /* A config's schedule is the base unless another policy is asked for. */
    bool based = o->have_base_sched && o->base_sched.policy == o->policy;
    if (based)
        *s = o->base_sched;
    else
        sched_defaults(s, o->policy);
    long per_epoch = (n_train + o->batch - 1) / o->batch;
    if (per_epoch < 1)
        per_epoch = 1;
    if (o->iters > 0)
        s->total = o->iters;
    else if (o->epochs > 0)
        s->total = (long)ceil(o->epochs * (double)n_train / o->batch);
    else if (based)
        ;
    else if (sched_policy_is_sweep(o->policy))
        s->total = per_epoch;  /* a range test: one epoch's worth */
    else
        s->total = 3 * per_epoch;
    if (s->total < 1)
        s->total = 1;
    if (o->style >= 0 && o->policy == SCHED_1CYCLE && (!based || o->style != (int)s->style)) {
        long total = s->total;
        sched_onecycle_defaults(s, (onecycle_style)o->style);
        s->total = total;
    }
    /* For PyTorch/fastai 1cycle the start LR is lr_max/div_factor: a new
     * maximum alone keeps the factor, as those libraries do; a minimum sets
     * the factor (sched_set_bounds). */
    if (!isnan(o->lr_min))
        sched_set_bounds(s, o->lr_min, isnan(o->lr_max) ? s->lr_max : o->lr_max);
    else if (!isnan(o->lr_max))
        s->lr_max = o->lr_max;
    if (s->policy == SCHED_1CYCLE && s->style != ONECYCLE_SMITH)
        s->lr_min = s->lr_max / s->div_factor;
    if (!isnan(o->gamma))
        s->gamma = o->gamma;
    if (!isnan(o->power))
        s->power = o->power;
    if (!isnan(o->pct_start))
        s->pct_start = o->pct_start;
    if (!isnan(o->div_factor))
        s->div_factor = o->div_factor;
    if (!isnan(o->final_div_factor))
        s->final_div_factor = o->final_div_factor;
    if (!isnan(o->cycle_frac))
        s->cycle_frac = o->cycle_frac;
    if (o->anneal >= 0)
        s->anneal = (sched_anneal)o->anneal;
    if (o->three_phase)
        s->three_phase = true;
    if (!isnan(o->mom_max)) {
        s->mom_max = o->mom_max;
        s->mom_min = o->mom_min;
        s->cycle_momentum = o->mom_min < o->mom_max;
    }
    bool clr = s->policy == SCHED_TRIANGULAR || s->policy == SCHED_TRIANGULAR2 ||
               s->policy == SCHED_EXP_RANGE;
    if (o->stepsize > 0)
        s->stepsize = o->stepsize;
    else if (!isnan(o->cycle_epochs))
        s->stepsize = (long)fmax(1.0, round(o->cycle_epochs * (double)per_epoch / 2.0));
    else if (clr && !based) /* 2 epochs per half cycle (the paper's lower end), one cycle at least */
        s->stepsize = (long)fmax(1.0, fmin(2.0 * (double)per_epoch, (double)(s->total / 2)));
    if (o->n_milestones) {
        memcpy(s->milestones, o->milestones, sizeof o->milestones);
        s->n_milestones = o->n_milestones;
    }
    /* A cycle's maximum below its default (or config's) minimum: say which
     * option to add. */
    bool cycles = clr || (s->policy == SCHED_1CYCLE && s->style == ONECYCLE_SMITH);
    if (cycles && isnan(o->lr_min) && !isnan(o->lr_max) && s->lr_min > s->lr_max)
        return lr_fail(e, "--lr-max %g is below %s's minimum LR %g%s: give --lr-min as well "
                          "(a tenth of the maximum, --lr-min %g, is usual)",
                       s->lr_max, sched_policy_name(s->policy), s->lr_min,
                       based ? " (from the config)" : " (its default)", s->lr_max / 10.0);
    return sched_validate(s, e);
}

