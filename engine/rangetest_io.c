/* rangetest_io.c — a range test's files: the curve as CSV and the
 * suggestions as `key = value` lines. Formats are in rangetest.h. */
#include "engine/rangetest.h"

#include <math.h>

#include "engine/runlog.h"

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
        const double cols[] = { c->lr[i], c->loss[i], c->loss_smooth[i], c->test_acc[i],
                                c->test_loss[i] };
        fprintf(f, "%ld", i);
        for (size_t j = 0; j < sizeof cols / sizeof cols[0]; j++) {
            fputc(',', f);
            csv_number(f, cols[j]);
        }
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

static void kv_pick(FILE *f, const char *name, const rangetest_pick *p)
{
    char key[64];
    snprintf(key, sizeof key, "fastai.%s_lr", name);
    kv(f, key, p->lr);
    snprintf(key, sizeof key, "fastai.%s_curve_lr", name);
    kv(f, key, p->curve_lr);
    snprintf(key, sizeof key, "fastai.%s_loss", name);
    kv(f, key, p->loss);
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
    fprintf(f, "stop = %s\nstop.iter = %ld\n", rangetest_stop_name(c->stop), c->stop_iter);
    kv(f, "stop.lr", c->stop_lr);
    kv(f, "stop.loss", c->stop_loss);
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

    fputs("\n# fastai, on the smoothed training loss; the first 10% of the sweep and the\n"
          "# last 5 points are left out. minimum_lr = minimum_curve_lr / 10.\n", f);
    fprintf(f, "fastai.window = %ld %ld\n", s->from, s->to);
    if (s->loss_note[0])
        fprintf(f, "fastai.note = %s\n", s->loss_note);
    kv_pick(f, "valley", &s->valley);
    kv(f, "fastai.valley_span_lo", s->valley.span_lo);
    kv(f, "fastai.valley_span_hi", s->valley.span_hi);
    fprintf(f, "fastai.valley_points = %ld\n", s->valley.n_points);
    kv_pick(f, "steep", &s->steep);
    kv(f, "fastai.steep_slope", s->steep.slope);
    kv_pick(f, "minimum", &s->minimum);

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
