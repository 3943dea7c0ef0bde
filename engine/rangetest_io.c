/* rangetest_io.c — a range test's files: the curve as CSV and the
 * suggestions as `key = value` lines. Formats are in rangetest.h. */
#include "engine/rangetest.h"

#include <math.h>
#include <stdlib.h>

#include "engine/runlog.h"

/* v with the fewest significant digits (up to 17) that read back as v. */
static void exact_number(FILE *f, double v)
{
    char buf[32];
    for (int digits = 7; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, f);
}

int rangetest_write_csv(const rangetest_curve *c, FILE *f)
{
    fputs("iter,lr,loss,loss_smooth,test_acc,test_loss\n", f);
    if (c->n_eval > 0 && c->eval_iter[0] == 0) {   /* the evaluation before any step */
        fputs("-1,", f);
        csv_number(f, c->eval_lr[0]);
        fputs(",,,", f);
        csv_number(f, c->eval_acc[0]);
        fputc(',', f);
        csv_number(f, c->eval_loss[0]);
        fputc('\n', f);
    }
    for (long i = 0; i < c->n; i++) {
        fprintf(f, "%ld,", i);
        exact_number(f, c->lr[i]);
        fputc(',', f);
        exact_number(f, c->loss[i]);
        fputc(',', f);
        exact_number(f, c->loss_smooth[i]);
        fputc(',', f);
        csv_number(f, c->test_acc[i]);
        fputc(',', f);
        csv_number(f, c->test_loss[i]);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

/* "key = value", with "nan" for values a rule could not give. */
static void kv(FILE *f, const char *key, double v)
{
    if (isfinite(v))
        fprintf(f, "%s = %.6g\n", key, v);
    else
        fprintf(f, "%s = nan\n", key);
}

/* "key = yes" or "key = no". */
static void kv_flag(FILE *f, const char *key, bool yes)
{
    fprintf(f, "%s = %s\n", key, yes ? "yes" : "no");
}

/* prefix.name_lr, _curve_lr (where it was read), _loss and _index. */
static void kv_pick(FILE *f, const char *prefix, const char *name, const rangetest_pick *p)
{
    char key[64];
    snprintf(key, sizeof key, "%s.%s_lr", prefix, name);
    kv(f, key, p->lr);
    snprintf(key, sizeof key, "%s.%s_curve_lr", prefix, name);
    kv(f, key, p->curve_lr);
    snprintf(key, sizeof key, "%s.%s_loss", prefix, name);
    kv(f, key, p->loss);
    fprintf(f, "%s.%s_index = %ld\n", prefix, name, p->index);
}

/* A valley's pick and its descent: prefix.valley_* keys. */
static void kv_valley(FILE *f, const char *prefix, const rangetest_pick *p)
{
    char key[64];
    kv_pick(f, prefix, "valley", p);
    snprintf(key, sizeof key, "%s.valley_span_lo", prefix);
    kv(f, key, p->span_lo);
    snprintf(key, sizeof key, "%s.valley_span_hi", prefix);
    kv(f, key, p->span_hi);
    fprintf(f, "%s.valley_points = %ld\n", prefix, p->n_points);
}

/* prefix.window = FROM TO and prefix.note, when there is one. */
static void kv_window(FILE *f, const char *prefix, const rangetest_window *w)
{
    fprintf(f, "%s.window = %ld %ld\n", prefix, w->from, w->to > w->from ? w->to : w->from);
    if (w->note[0])
        fprintf(f, "%s.note = %s\n", prefix, w->note);
}

static const char *basis_name(rangetest_basis b)
{
    return b == RANGETEST_FROM_ACC ? "accuracy" : b == RANGETEST_FROM_LOSS ? "loss" : "none";
}

int rangetest_write_suggestions(const rangetest_result *r, FILE *f)
{
    const rangetest_curve *c = &r->curve;
    const rangetest_suggestions *s = &r->sugg;
    const rangetest_smith *m = &s->smith;
    const rangetest_signature *g = &s->sig;
    fputs("# lrscope range test: suggestions and the numbers behind them.\n"
          "# LRs are points of the curve in rangetest.csv; accuracies are fractions.\n", f);
    fprintf(f, "sweep = %s\n", c->policy == SCHED_SWEEP_EXP ? "exp" : "linear");
    kv(f, "sweep.lr_min", c->lr_min);
    kv(f, "sweep.lr_max", c->lr_max);
    fprintf(f, "sweep.iters = %ld\n", c->n_planned);
    kv(f, "sweep.stop_factor", c->stop_factor);
    fprintf(f, "sweep.stop_smoothing = %s\n", rangetest_smoothing_name(c->stop_smoothing));
    fprintf(f, "stop = %s\nstop.iter = %ld\n", rangetest_stop_name(c->stop), c->stop_iter);
    kv(f, "stop.lr", c->stop_lr);
    kv(f, "stop.loss", c->stop_loss);
    kv(f, "stop.best", c->stop_best);
    fprintf(f, "steps = %ld\nevaluations = %ld\n", c->n, c->n_eval);
    if (c->stop == RANGETEST_CANCELLED)
        fputs("# partial: interrupted before the sweep ended; every suggestion below is\n"
              "# read from the part of the curve that ran.\n", f);
    fprintf(f, "partial = %s\n", c->stop == RANGETEST_CANCELLED ? "yes" : "no");

    fputs("\n# Smith: base = where accuracy starts to rise, max = the largest LR before it\n"
          "# falls below the peak (values are smoothed accuracy, or smoothed loss when\n"
          "# basis = loss). For CLR use (base, max) or (clr_base, max); for 1cycle\n"
          "# (onecycle_base, max).\n", f);
    fprintf(f, "smith.basis = %s\nsmith.note = %s\n", basis_name(m->basis), m->note);
    kv_flag(f, "smith.did_not_learn", m->did_not_learn);
    kv(f, "smith.base_lr", m->base_lr);
    kv(f, "smith.base_value", m->base_value);
    kv_flag(f, "smith.base_before_first_point", m->base_at_first);
    kv(f, "smith.max_lr", m->max_lr);
    kv(f, "smith.max_value", m->max_value);
    kv_flag(f, "smith.max_is_sweep_end", m->max_at_end);
    kv(f, "smith.plateau_lr", m->plateau_lr);
    kv(f, "smith.plateau_value", m->plateau_value);
    kv(f, "smith.peak_lr", m->peak_lr);
    kv(f, "smith.peak_value", m->peak_value);
    kv(f, "smith.start_value", m->start_value);
    kv(f, "smith.tolerance", m->tolerance);
    kv(f, "clr_base.lo", m->clr_base_lo);
    kv(f, "clr_base.hi", m->clr_base_hi);
    kv(f, "onecycle_base.lo", m->onecycle_base_lo);
    kv(f, "onecycle_base.hi", m->onecycle_base_hi);

    fputs("\n# fastai 2.7 lr_find's suggestions, as fastai computes them: on its smoothed\n"
          "# loss (loss_smooth), points [num_it/10, len-5) of what it would have\n"
          "# recorded, cut at the first NaN. minimum_lr = minimum_curve_lr / 10.\n"
          "# _index: the row of rangetest.csv (iter) the rule picked.\n", f);
    kv_window(f, "fastai", &s->fastai);
    kv_valley(f, "fastai", &s->valley);
    kv_pick(f, "fastai", "slide", &s->slide);
    kv_pick(f, "fastai", "steep", &s->steep);
    kv(f, "fastai.steep_slope", s->steep.slope);
    kv_pick(f, "fastai", "minimum", &s->minimum);

    fputs("\n# torch-lr-finder 0.2.2's suggestion (plot: steepest gradient), as it\n"
          "# computes it: on its own smoothing (0.05 loss + 0.95 previous, first point\n"
          "# raw; lr_finder_loss), points [10, len-5), argmin of numpy.gradient.\n", f);
    kv_window(f, "lr_finder", &s->lrfinder);
    kv_pick(f, "lr_finder", "steepest", &s->lr_finder);
    kv(f, "lr_finder.steepest_gradient", s->lr_finder.slope);

    fputs("\n# lrscope's variants (valley*, steep*): on loss_smooth without the first\n"
          "# 10% of the recorded points and the last 5. valley* starts the longest\n"
          "# descent at its true first point (fastai: end - length); steep* takes each\n"
          "# slope over 2% of the log-LR span and only before the minimum (fastai:\n"
          "# neighbouring points, anywhere).\n", f);
    kv_window(f, "lrscope", &s->own);
    kv_valley(f, "lrscope", &s->valley_star);
    kv_pick(f, "lrscope", "steep", &s->steep_star);
    kv(f, "lrscope.steep_slope", s->steep_star.slope);

    fputs("\n# Super-convergence signature: at least 20 steps at lr >= 1, and the median\n"
          "# held-out accuracy over the tail (lr >= tail_from_lr) >= 2/3 of the peak.\n", f);
    fprintf(f, "signature = %s\nsignature.note = %s\n", rangetest_sig_name(g->verdict),
            g->note);
    kv(f, "signature.lr_reached", g->lr_reached);
    fprintf(f, "signature.steps_at_large_lr = %ld\n", g->n_large);
    kv(f, "signature.tail_from_lr", g->tail_from);
    fprintf(f, "signature.tail_evaluations = %d\n", g->n_tail);
    kv(f, "signature.tail_acc", g->tail_acc);
    kv(f, "signature.peak_acc", g->peak_acc);
    kv(f, "signature.ratio", g->ratio);

    fputs("\n# What the workbench offers for 1cycle and CLR: (M/10, M), M = where\n"
          "# accuracy stops improving (rangetest_offer_max).\n", f);
    double offer = rangetest_offer_max(s);
    kv(f, "offer.lr_min", offer / 10.0);
    kv(f, "offer.lr_max", offer);
    return ferror(f) ? -1 : 0;
}
