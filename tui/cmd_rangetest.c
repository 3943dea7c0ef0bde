/* cmd_rangetest.c — `lrscope range-test`: one headless LR range test
 * (engine/rangetest.h). Progress goes to stderr; a compact table of the curve
 * and the suggestions with their numbers go to stdout; the run folder gets
 * metrics.csv, events.csv and config as for train, plus rangetest.csv and
 * suggestions.txt. A sweep that ends in divergence is a normal outcome of a
 * range test (exit 0); bad settings exit 2, an interrupt 130. */
#include "tui/commands.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rangetest.h"
#include "engine/run.h"
#include "tui/headless.h"
#include "tui/setup.h"

#define TABLE_ROWS 20

/* The preset the options ask for: --preset, else the one --sweep names. */
static rangetest_preset options_preset(const cli_opts *o)
{
    if (o->preset >= 0)
        return (rangetest_preset)o->preset;
    return o->policy == SCHED_SWEEP_EXP ? RANGETEST_PRESET_FASTAI : RANGETEST_PRESET_SMITH;
}

/* The sweep from the options; n_iters and eval_every are provisional until
 * the dataset's size is known (finish_cfg). */
static int options_cfg(const cli_opts *o, rangetest_cfg *c, lr_err *e)
{
    if (o->preset >= 0 && o->sweep_given)
        return lr_fail(e, "--preset %s sets the sweep: give it or --sweep, not both",
                       rangetest_preset_name((rangetest_preset)o->preset));
    rangetest_cfg_preset(c, options_preset(o), 100);
    if (!isnan(o->lr_min))
        c->lr_min = o->lr_min;
    if (!isnan(o->lr_max))
        c->lr_max = o->lr_max;
    if (o->iters > 0)
        c->n_iters = o->iters;
    if (!isnan(o->mom_max))
        c->momentum = o->mom_max;
    if (o->stop_factor_given)
        c->stop_factor = o->stop_factor;
    if (o->eval_max >= 0)
        c->eval_n = o->eval_max;
    if (c->policy == SCHED_SWEEP_EXP && !(c->lr_min > 0.0))
        return lr_fail(e, "--lr-min %g is not allowed with --sweep exp: the exponential sweep "
                          "needs --lr-min > 0 (fastai starts at 1e-7); use --sweep linear to "
                          "start from 0", c->lr_min);
    if (!(c->lr_min < c->lr_max))
        return lr_fail(e, "--lr-min %g must be below --lr-max %g: the sweep rises from "
                          "--lr-min to --lr-max", c->lr_min, c->lr_max);
    return rangetest_cfg_validate(c, e);
}

static void finish_cfg(const cli_opts *o, long n_train, rangetest_cfg *c)
{
    long per_epoch = (n_train + o->batch - 1) / o->batch;
    rangetest_cfg d;
    rangetest_cfg_preset(&d, options_preset(o), per_epoch);
    if (o->iters > 0)
        c->n_iters = o->iters;
    else if (o->epochs > 0)
        c->n_iters = (long)ceil(o->epochs * (double)n_train / o->batch);
    else
        c->n_iters = d.n_iters;
    if (o->eval_every >= 0)
        c->eval_every = o->eval_every;
    else
        c->eval_every = c->n_iters >= 80 ? c->n_iters / 40 : 2;
}

/* Appends the range test's own settings to the run's config, and takes the
 * config's digest again for the checkpoints. */
static int append_config(run *log, const rangetest_cfg *c, lr_err *e)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/config", log->log.dir);
    FILE *f = fopen(path, "a");
    if (!f)
        return lr_fail(e, "cannot append to %s: %s", path, strerror(errno));
    fprintf(f, "range_test.sweep = %s\nrange_test.lr_min = %.17g\nrange_test.lr_max = %.17g\n"
               "range_test.iters = %ld\nrange_test.momentum = %.17g\n"
               "range_test.eval_every = %ld\nrange_test.eval_n = %d\n"
               "range_test.stop_factor = %.17g\nrange_test.stop_smoothing = %s\n"
               "range_test.end_at_max = %d\n",
            c->policy == SCHED_SWEEP_EXP ? "exp" : "linear", c->lr_min, c->lr_max, c->n_iters,
            c->momentum, c->eval_every, c->eval_n, c->stop_factor,
            rangetest_smoothing_name(c->stop_smoothing),
            c->end_at_max);
    int bad = fflush(f) || ferror(f), err = errno;
    if (fclose(f) && !bad) {
        bad = 1;
        err = errno;
    }
    if (bad)
        return lr_fail(e, "cannot write %s: %s", path, strerror(err));
    return run_config_digest(log->log.dir, &log->config_digest, e);
}

typedef int (*file_writer)(const rangetest_result *r, FILE *f);

static int write_csv(const rangetest_result *r, FILE *f)
{
    return rangetest_write_csv(&r->curve, f);
}

static int write_file(const run *log, const char *name, file_writer w,
                      const rangetest_result *r, lr_err *e)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", log->log.dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return lr_fail(e, "cannot create %s: %s", path, strerror(errno));
    int bad = w(r, f) || fflush(f), err = errno;
    if (fclose(f) && !bad) {
        bad = 1;
        err = errno;
    }
    if (bad)
        return lr_fail(e, "cannot write %s: %s", path, strerror(err));
    return 0;
}

/* ---- stdout ------------------------------------------------------------- */

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Index of the evaluation point at LR `lr` (the first one), or -1. */
static long eval_index_at(const rangetest_curve *c, double lr)
{
    for (long k = 0; k < c->n_eval; k++)
        if (c->eval_lr[k] == lr)
            return k;
    return -1;
}

static const char *marker(const rangetest_suggestions *s, double lr)
{
    const rangetest_smith *m = &s->smith;
    if (m->basis != RANGETEST_FROM_ACC)
        return "";
    if (lr == m->base_lr)
        return "  <- base";
    if (lr == m->max_lr)
        return "  <- max";
    if (lr == m->peak_lr)
        return "  <- peak";
    if (lr == m->plateau_lr)
        return "  <- plateau";
    return "";
}

/* About TABLE_ROWS evaluation points spread over the sweep, plus the points
 * Smith's reading picked; without evaluations, steps instead. */
static void print_table(const rangetest_result *r)
{
    const rangetest_curve *c = &r->curve;
    const rangetest_smith *m = &r->sugg.smith;
    bool evals = c->n_eval >= 2;
    long total = evals ? c->n_eval : c->n;
    if (total == 0)
        return;
    long rows[TABLE_ROWS + 4];
    int n_rows = 0;
    for (int k = 0; k < TABLE_ROWS && k < total; k++)
        rows[n_rows++] = total <= TABLE_ROWS ? k
                         : lround((double)k * (double)(total - 1) / (TABLE_ROWS - 1));
    if (evals && m->basis == RANGETEST_FROM_ACC) {
        const double picks[] = { m->base_lr, m->plateau_lr, m->peak_lr, m->max_lr };
        for (size_t j = 0; j < 4; j++) {
            long k = eval_index_at(c, picks[j]);
            if (k >= 0)
                rows[n_rows++] = k;
        }
    }
    qsort(rows, (size_t)n_rows, sizeof rows[0], cmp_long);
    /* The markers are read on the smoothed accuracy: show it beside the raw. */
    double *acc_s = evals ? malloc(2 * (size_t)c->n_eval * sizeof *acc_s) : NULL;
    if (acc_s)
        rangetest_smoothed_accuracy(c, acc_s + c->n_eval, acc_s);
    printf("%7s  %10s  %11s  %8s  %10s  %9s\n", "iter", "lr", "smooth loss", "test acc",
           "smooth acc", "test loss");
    for (int j = 0; j < n_rows; j++) {
        if (j > 0 && rows[j] == rows[j - 1])
            continue;
        long k = rows[j];
        long step = evals ? c->eval_iter[k] - 1 : k;   /* -1: before the first step */
        double lr = evals ? c->eval_lr[k] : c->lr[k];
        char sl[16] = "-", acc[16] = "-", sacc[16] = "-", tl[16] = "-";
        if (step >= 0)
            snprintf(sl, sizeof sl, "%.4f", c->loss_smooth[step]);
        double a = evals ? c->eval_acc[k] : c->test_acc[k];
        double l = evals ? c->eval_loss[k] : c->test_loss[k];
        if (isfinite(a))
            snprintf(acc, sizeof acc, "%.2f%%", 100.0 * a);
        if (isfinite(l))
            snprintf(tl, sizeof tl, "%.4f", l);
        if (acc_s && isfinite(acc_s[k]))
            snprintf(sacc, sizeof sacc, "%.2f%%", 100.0 * acc_s[k]);
        printf("%7ld  %10.4g  %11s  %8s  %10s  %9s%s\n", step, lr, sl, acc, sacc, tl,
               evals ? marker(&r->sugg, lr) : "");
    }
    free(acc_s);
}

static void print_value(const char *label, double v, bool acc)
{
    if (acc)
        printf("%s %.1f%%", label, 100.0 * v);
    else
        printf("%s %.4f", label, v);
}

static void print_smith(const rangetest_smith *m)
{
    if (m->basis == RANGETEST_FROM_NONE) {
        printf("  smith     none: %s\n", m->note);
        return;
    }
    bool acc = m->basis == RANGETEST_FROM_ACC;
    const char *what = acc ? "acc" : "smoothed loss";
    printf("  smith     base %.4g (", m->base_lr);
    print_value(what, m->base_value, acc);
    printf(")  max %.4g (", m->max_lr);
    print_value(what, m->max_value, acc);
    printf(")\n           ");
    print_value(" from", m->start_value, acc);
    print_value(" to a peak of", m->peak_value, acc);
    printf(" at lr %.4g; plateau from lr %.4g; tolerance %.*f%s\n", m->peak_lr,
           m->plateau_lr, acc ? 1 : 4, acc ? 100.0 * m->tolerance : m->tolerance,
           acc ? " points" : "");
    if (!acc)
        printf("            %s\n", m->note);
    if (m->base_at_first)
        printf("            the rise happened between two evaluations: base <= %.4g "
               "(evaluate more often with --eval-every to place it)\n", m->base_lr);
    if (m->max_at_end)
        printf("            max is the last point: the curve never fell, the limit lies "
               "beyond the sweep\n");
    printf("            CLR base max/4..max/3 = %.3g..%.3g; 1cycle base max/20..max/10 = "
           "%.3g..%.3g\n", m->clr_base_lo, m->clr_base_hi, m->onecycle_base_lo,
           m->onecycle_base_hi);
}

/* "  NAME      LR        (details)" or "  NAME      none"; details follow the
 * format when the pick exists. */
static void print_pick(const char *name, const rangetest_pick *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void print_pick(const char *name, const rangetest_pick *p, const char *fmt, ...)
{
    if (!isfinite(p->lr)) {
        printf("  %-9s none\n", name);
        return;
    }
    printf("  %-9s %-9.4g (", name, p->lr);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(")\n");
}

/* The heading of one tool's readings: which points they read, and its note. */
static void print_window(const char *tool, const rangetest_curve *c,
                         const rangetest_window *w)
{
    if (w->to > w->from)
        printf("  %s, on points %ld-%ld of the %ld recorded (lr %.3g to %.3g):\n", tool,
               w->from, w->to - 1, c->n, c->lr[w->from], c->lr[w->to - 1]);
    else
        printf("  %s:\n", tool);
    if (w->note[0])
        printf("            %s\n", w->note);
}

static void print_tools(const rangetest_result *r)
{
    const rangetest_curve *c = &r->curve;
    const rangetest_suggestions *s = &r->sugg;
    print_window("fastai 2.7 lr_find", c, &s->fastai);
    print_pick("valley", &s->valley, "loss %.4f; longest descent: %ld points ending at lr %.4g",
               s->valley.loss, s->valley.n_points, s->valley.span_hi);
    print_pick("slide", &s->slide, "loss %.4f; gradient %.3g per step", s->slide.loss,
               s->slide.slope);
    print_pick("steep", &s->steep, "loss %.4f; slope %.3g per unit of ln lr", s->steep.loss,
               s->steep.slope);
    print_pick("minimum", &s->minimum, "lowest loss %.4f at lr %.4g, divided by 10",
               s->minimum.loss, s->minimum.curve_lr);
    print_window("torch-lr-finder 0.2.2", c, &s->lrfinder);
    print_pick("lr-finder", &s->lr_finder, "its smoothed loss %.4f; gradient %.3g per step",
               s->lr_finder.loss, s->lr_finder.slope);
    print_window("lrscope's variants", c, &s->own);
    print_pick("valley*", &s->valley_star, "loss %.4f; descent from its first point, lr "
               "%.4g-%.4g, %ld points", s->valley_star.loss, s->valley_star.span_lo,
               s->valley_star.span_hi, s->valley_star.n_points);
    print_pick("steep*", &s->steep_star, "loss %.4f; slope %.3g per unit of ln lr over 2%% "
               "of the span, before the minimum", s->steep_star.loss, s->steep_star.slope);
}

static void print_suggestions(const rangetest_result *r)
{
    const rangetest_suggestions *s = &r->sugg;
    printf("\nsuggestions (smith: smoothed held-out accuracy; the others: smoothed training "
           "loss)\n");
    print_smith(&s->smith);
    print_tools(r);
    const rangetest_signature *g = &s->sig;
    printf("  super-convergence signature: %s: %s", rangetest_sig_name(g->verdict), g->note);
    if (isfinite(g->tail_acc))
        printf(" (median %.1f%% over %d evaluations, peak %.1f%%)", 100.0 * g->tail_acc,
               g->n_tail, 100.0 * g->peak_acc);
    printf("\n");
    double offer = rangetest_offer_max(s);
    if (isfinite(offer))
        printf("  offer     1cycle/CLR bounds %.4g..%.4g (M/10, M with M = %s)\n",
               offer / 10.0, offer, s->smith.basis == RANGETEST_FROM_ACC
               ? "where accuracy stops improving" : s->smith.basis == RANGETEST_FROM_LOSS
               ? "where the smoothed loss stops improving" : "valley*");
}

static void print_header(const rangetest_curve *c, const rangetest_cfg *cfg)
{
    printf("range test: %s sweep %g -> %g over %ld iterations%s; ",
           c->policy == SCHED_SWEEP_EXP ? "exponential" : "linear", c->lr_min, c->lr_max,
           c->n_planned, cfg->end_at_max ? " (lr_max at the last)" : "");
    if (c->stop == RANGETEST_COMPLETED)
        printf("completed\n");
    else if (c->stop == RANGETEST_LOSS_ROSE)
        printf("stopped at iteration %ld, lr %.4g: %s %.4g > %g x best %.4g\n",
               c->stop_iter, c->stop_lr,
               c->stop_smoothing == RANGETEST_SMOOTH_LRFINDER ? "torch-lr-finder's smoothed "
                                                                "loss"
                                                              : "smoothed loss",
               c->stop_loss, cfg->stop_factor, c->stop_best);
    else if (c->stop == RANGETEST_NONFINITE)
        printf("stopped at iteration %ld, lr %.4g: the loss became %g\n", c->stop_iter,
               c->stop_lr, c->stop_loss);
    else if (c->stop == RANGETEST_CANCELLED)
        printf("interrupted after %ld iterations: PARTIAL, the suggestions are read from the "
               "part that ran\n", c->n);
    else
        printf("%s after %ld iterations\n", rangetest_stop_name(c->stop), c->n);
}

/* ---- the command -------------------------------------------------------- */

/* The trainer a range test runs in: the sweep as its schedule, evaluations
 * as the test takes them. */
static int sweep_trainer(trainer *t, const cli_opts *o, run_setup *r, const rangetest_cfg *cfg,
                         sched *sweep, train_cfg *tc, lr_err *e)
{
    rangetest_cfg_sched(cfg, sweep);
    *tc = r->train;
    tc->eval_every = cfg->eval_every;
    tc->eval_max = tc->eval_max_end = cfg->eval_n;
    return trainer_init(t, &r->net, &r->data.train, &r->data.test, sweep, &o->sgd, tc, e);
}

/* Runs the test that rt holds (begun or resumed) in the open run `log` to
 * its end or a signal, writes the files and reports; closes the run, ends
 * the test. Reports its own errors; returns the exit status. */
static int sweep(const cli_opts *o, run *log, rangetest *rt, trainer *t)
{
    lr_err e;
    const rangetest_cfg cfg_copy = rt->cfg, *cfg = &cfg_copy; /* rangetest_end clears rt */
    progress p;
    progress_init(&p, t, cfg->n_iters, o->quiet);
    metrics_row m = { .iter = t->iter };
    bool going = rt->running;
    int status = EXIT_OK;
    while (going && !headless_stop) {
        going = rangetest_step(rt, &m);
        if (isnan(m.lr))
            continue;
        if (run_after_range_step(log, t, &m, &e)) {
            progress_done(&p);
            fprintf(stderr, "lrscope: %s; the range test stopped at iteration %ld, the rows "
                            "before it are complete\n", e.msg, m.iter);
            status = EXIT_FAILURE_RUN;
            break;
        }
        progress_checkpoint_problem(&p, log, "the range test");
        progress_step(&p, &m, o->batch, t->train_seconds);
    }
    progress_done(&p);
    bool interrupted = status == EXIT_OK && rt->running && headless_stop;
    if (interrupted) {
        if (run_interrupt(log, t, "stopped by a signal", &e))
            fprintf(stderr, "lrscope: %s\n", e.msg);
        status = EXIT_INTERRUPTED;
    }
    log->range = NULL;
    rangetest_result res;
    rangetest_end(rt, &res);
    if (status == EXIT_FAILURE_RUN) {
        run_close(log, NULL);
        rangetest_result_free(&res);
        return status;
    }
    if (write_file(log, "rangetest.csv", write_csv, &res, &e) ||
        write_file(log, "suggestions.txt", rangetest_write_suggestions, &res, &e)) {
        run_close(log, NULL);
        status = commands_fail(&e, EXIT_FAILURE_RUN);
    } else if (run_close(log, &e)) {
        status = commands_fail(&e, EXIT_FAILURE_RUN);
    }
    if (!o->quiet) {
        print_header(&res.curve, cfg);
        print_table(&res);
        print_suggestions(&res);
    }
    if (interrupted)
        fprintf(stderr, "lrscope: interrupted at iteration %ld; suggestions are from the "
                        "curve so far; continue with: lrscope resume %s\n", res.curve.n,
                log->log.dir);
    rangetest_result_free(&res);
    return status;
}

/* Begins the test in a new run folder and runs it. */
static int run_range_test(const cli_opts *o, run_setup *r, const rangetest_cfg *cfg)
{
    lr_err e;
    sched sweep_sched;
    train_cfg tc;
    trainer t;
    if (sweep_trainer(&t, o, r, cfg, &sweep_sched, &tc, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);
    run log;
    const char *tag = cfg->end_at_max ? "range-test-lr-finder"
                      : cfg->policy == SCHED_SWEEP_EXP ? "range-test-exp" : "range-test";
    headless_install_signals();   /* from here a signal is written to the run's files */
    if (commands_open_run(&log, o, &sweep_sched, &tc, tag, &e)) {
        trainer_free(&t);
        return commands_fail(&e, EXIT_FAILURE_RUN);
    }
    rangetest rt;
    if (append_config(&log, cfg, &e) || rangetest_begin(&rt, &t, cfg, &e)) {
        run_close(&log, NULL);
        trainer_free(&t);
        return commands_fail(&e, EXIT_FAILURE_RUN);
    }
    log.range = &rt;
    char desc[160], model[160];
    sched_describe(&sweep_sched, desc, sizeof desc);
    net_describe(&r->net, model, sizeof model);
    if (!o->quiet)
        fprintf(stderr, "lrscope: range test, %s on %s (%d train), %s, batch %d, wd %g, "
                        "%d thread%s\nlrscope: held-out evaluation every %ld iterations on "
                        "the first %d test images\nlrscope: writing %s/\n",
                model, r->data.train.name, r->data.train.n, desc, o->batch, o->sgd.wd,
                r->threads, r->threads == 1 ? "" : "s", cfg->eval_every,
                cfg->eval_n && cfg->eval_n < r->data.test.n ? cfg->eval_n : r->data.test.n,
                log.log.dir);
    int status = sweep(o, &log, &rt, &t);
    trainer_free(&t);
    return status;
}

int commands_resume_rangetest(const char *dir, const cli_opts *o, run_setup *r,
                              checkpoint *c, lr_err *e)
{
    char path[1100];
    run_path(path, sizeof path, dir, CHECKPOINT_FILE);
    sched sweep_sched;
    train_cfg tc;
    trainer t;
    if (sweep_trainer(&t, o, r, &c->range.cfg, &sweep_sched, &tc, e))
        return -1;
    run log;
    run_spec spec;
    cli_run_spec(o, &sweep_sched, &tc, &spec);
    rangetest rt;
    headless_install_signals();   /* from here a signal is written to the run's files */
    if (rangetest_resume(&rt, &t, c, path, e)) {
        trainer_free(&t);
        return -1;
    }
    if (run_resume(&log, &spec, dir, c, cli_write_config, e)) {
        rangetest_result res;
        rangetest_end(&rt, &res);
        rangetest_result_free(&res);
        trainer_free(&t);
        return -1;
    }
    checkpoint_free(c);   /* restored: its weights need not stay in memory */
    log.range = &rt;
    double lr, mom;
    sched_at(&t.sched, t.iter, &lr, &mom);
    if (!o->quiet && rt.running)
        fprintf(stderr, "lrscope: resuming the range test %s at iteration %ld of %ld (lr "
                        "%.4g), %d thread%s\n", dir, t.iter, rt.cfg.n_iters, lr, r->threads,
                r->threads == 1 ? "" : "s");
    else if (!o->quiet)
        fprintf(stderr, "lrscope: the range test %s ended at iteration %ld; writing its "
                        "rangetest.csv and suggestions.txt from its checkpoint\n", dir,
                t.iter);
    int status = sweep(o, &log, &rt, &t);
    trainer_free(&t);
    return status;
}

int cmd_rangetest(int argc, char **argv)
{
    cli_opts o;
    lr_err e;
    int rc = cli_parse(&o, CLI_RANGE_TEST, argc, argv, &e);
    if (rc)
        return rc > 0 ? EXIT_OK : commands_fail(&e, EXIT_BAD_INPUT);
    if (o.out && runlog_refuse_used(o.out, &e)) /* before the data is loaded */
        return commands_fail(&e, EXIT_BAD_INPUT);
    rangetest_cfg cfg;
    if (options_cfg(&o, &cfg, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);
    run_setup r;
    if (setup_run(&r, &o, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);
    if (r.notice[0] && !o.quiet)
        fprintf(stderr, "lrscope: %s\n", r.notice);
    finish_cfg(&o, r.data.train.n, &cfg);
    int status = rangetest_cfg_validate(&cfg, &e) ? commands_fail(&e, EXIT_BAD_INPUT)
                                                  : run_range_test(&o, &r, &cfg);
    setup_free(&r);
    return status;
}

int commands_rangetest_cfg(const cli_opts *o, long n_train, rangetest_cfg *c, lr_err *e)
{
    if (options_cfg(o, c, e))
        return -1;
    finish_cfg(o, n_train, c);
    return rangetest_cfg_validate(c, e);
}
