/* rangetest.c — the range test's life cycle inside a trainer: snapshot,
 * sweep, stop rules, exact restore; and the curve it records. The contracts
 * are in rangetest.h, the suggestion maths in suggest.c, the files in
 * rangetest_io.c. */
#include "engine/rangetest.h"
#include "engine/checkpoint.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void rangetest_cfg_preset(rangetest_cfg *c, rangetest_preset p, long iters_per_epoch)
{
    bool exp_sweep = p != RANGETEST_PRESET_SMITH;
    *c = (rangetest_cfg){
        .policy = exp_sweep ? SCHED_SWEEP_EXP : SCHED_SWEEP_LINEAR,
        .lr_min = exp_sweep ? 1e-7 : 0.0,
        .lr_max = exp_sweep ? 10.0 : 3.0,
        .n_iters = exp_sweep ? 100 : (iters_per_epoch > 100 ? iters_per_epoch : 100),
        .end_at_max = p == RANGETEST_PRESET_LRFINDER,
        .stop_smoothing = p == RANGETEST_PRESET_LRFINDER ? RANGETEST_SMOOTH_LRFINDER
                                                         : RANGETEST_SMOOTH_EMA,
        .momentum = 0.9,
        .eval_n = RANGETEST_DEFAULT_EVAL_N,
        .stop_factor = p == RANGETEST_PRESET_LRFINDER ? 5.0 : 4.0,
    };
    c->eval_every = c->n_iters >= 80 ? c->n_iters / 40 : 2;
}

void rangetest_cfg_default(rangetest_cfg *c, sched_policy policy, long iters_per_epoch)
{
    rangetest_cfg_preset(c, policy == SCHED_SWEEP_EXP ? RANGETEST_PRESET_FASTAI
                                                      : RANGETEST_PRESET_SMITH,
                         iters_per_epoch);
}

static const char *const preset_names[RANGETEST_N_PRESETS] = {
    [RANGETEST_PRESET_SMITH] = "smith", [RANGETEST_PRESET_FASTAI] = "fastai",
    [RANGETEST_PRESET_LRFINDER] = "lr-finder",
};

const char *rangetest_preset_name(rangetest_preset p)
{
    return (unsigned)p < RANGETEST_N_PRESETS ? preset_names[p] : "?";
}

int rangetest_preset_parse(const char *name, rangetest_preset *p, lr_err *e)
{
    for (int i = 0; i < RANGETEST_N_PRESETS; i++)
        if (!strcmp(name, preset_names[i])) {
            *p = (rangetest_preset)i;
            return 0;
        }
    return lr_fail(e, "preset '%s' is unknown: use smith (linear 0 -> 3 over an epoch), "
                      "fastai (lr_find: exponential 1e-7 -> 10, 100 steps, stop at 4x) or "
                      "lr-finder (torch-lr-finder: 1e-7 -> 10 reached at step 100, stop at "
                      "5x)", name);
}

void rangetest_cfg_sched(const rangetest_cfg *c, sched *s)
{
    sched_defaults(s, c->policy);
    s->lr_min = c->lr_min;
    s->lr_max = c->lr_max;
    s->total = c->n_iters;
    s->stepsize = c->end_at_max ? c->n_iters - 1 : 0;
    s->origin = 0;
    s->mom_max = s->mom_min = c->momentum;
    s->cycle_momentum = false;
}

int rangetest_cfg_validate(const rangetest_cfg *c, lr_err *e)
{
    if (c->policy != SCHED_SWEEP_LINEAR && c->policy != SCHED_SWEEP_EXP)
        return lr_fail(e, "a range test sweeps the LR linearly (Smith) or exponentially "
                          "(fastai); policy %s is neither", sched_policy_name(c->policy));
    bool exp_sweep = c->policy == SCHED_SWEEP_EXP;
    if (!isfinite(c->lr_min) || !isfinite(c->lr_max))
        return lr_fail(e, "range test: the LR bounds must be finite numbers");
    if (exp_sweep && !(c->lr_min > 0.0))
        return lr_fail(e, "range test: lr_min %g is not allowed with an exponential sweep "
                          "(lr = lr_min*(lr_max/lr_min)^(i/N)): give lr_min > 0, e.g. 1e-7, "
                          "or use the linear sweep", c->lr_min);
    if (!(c->lr_min >= 0.0))
        return lr_fail(e, "range test: lr_min %g must be 0 or more", c->lr_min);
    if (!(c->lr_min < c->lr_max))
        return lr_fail(e, "range test: lr_min %g must be below lr_max %g (the sweep goes "
                          "from lr_min up to lr_max)", c->lr_min, c->lr_max);
    if (c->n_iters < RANGETEST_MIN_ITERS)
        return lr_fail(e, "range test: %ld iterations is too short; give at least %d "
                          "(fastai uses 100, Smith thousands)", c->n_iters, RANGETEST_MIN_ITERS);
    if (c->n_iters > RANGETEST_MAX_ITERS)
        return lr_fail(e, "range test: %ld iterations is more than the %ld allowed", c->n_iters,
                       RANGETEST_MAX_ITERS);
    if (!(c->momentum >= 0.0 && c->momentum < 1.0))
        return lr_fail(e, "range test: momentum %g must be in [0, 1)", c->momentum);
    if (c->eval_every < 0 || c->eval_n < 0)
        return lr_fail(e, "range test: evaluation every %ld iterations on %d images: both "
                          "must be 0 or more", c->eval_every, c->eval_n);
    if (c->stop_smoothing != RANGETEST_SMOOTH_EMA &&
        c->stop_smoothing != RANGETEST_SMOOTH_LRFINDER)
        return lr_fail(e, "range test: unknown stop smoothing %d", (int)c->stop_smoothing);
    if (!(c->stop_factor == 0.0 || (c->stop_factor > 1.0 && isfinite(c->stop_factor))))
        return lr_fail(e, "range test: stop factor %g must be above 1 (stop when the "
                          "smoothed loss exceeds that many times its best), or 0 to never "
                          "stop on it", c->stop_factor);
    sched s;
    rangetest_cfg_sched(c, &s);
    return sched_validate(&s, e);
}

/* ---- the curve ---------------------------------------------------------- */

int rangetest_curve_alloc(rangetest_curve *c, long cap, lr_err *e)
{
    memset(c, 0, sizeof *c);
    if (cap > RANGETEST_MAX_ITERS)
        return lr_fail(e, "a range-test curve of %ld points is more than the %ld allowed", cap,
                       RANGETEST_MAX_ITERS);
    size_t n = cap > 0 ? (size_t)cap : 1, m = n + 1;
    c->cap = (long)n;
    c->lr = malloc(n * sizeof *c->lr);
    c->loss = malloc(n * sizeof *c->loss);
    c->loss_smooth = malloc(n * sizeof *c->loss_smooth);
    c->test_acc = malloc(n * sizeof *c->test_acc);
    c->test_loss = malloc(n * sizeof *c->test_loss);
    c->eval_iter = malloc(m * sizeof *c->eval_iter);
    c->eval_lr = malloc(m * sizeof *c->eval_lr);
    c->eval_acc = malloc(m * sizeof *c->eval_acc);
    c->eval_loss = malloc(m * sizeof *c->eval_loss);
    c->work = malloc(3 * m * sizeof *c->work);
    c->iwork = malloc(2 * m * sizeof *c->iwork);
    if (!c->lr || !c->loss || !c->loss_smooth || !c->test_acc || !c->test_loss ||
        !c->eval_iter || !c->eval_lr || !c->eval_acc || !c->eval_loss || !c->work ||
        !c->iwork) {
        rangetest_curve_free(c);
        return lr_fail(e, "out of memory for a range-test curve of %ld points", cap);
    }
    c->stop = RANGETEST_RUNNING;
    c->stop_lr = c->stop_loss = c->stop_best = NAN;
    c->best_smooth = INFINITY;
    return 0;
}

void rangetest_curve_free(rangetest_curve *c)
{
    free(c->lr);
    free(c->loss);
    free(c->loss_smooth);
    free(c->test_acc);
    free(c->test_loss);
    free(c->eval_iter);
    free(c->eval_lr);
    free(c->eval_acc);
    free(c->eval_loss);
    free(c->work);
    free(c->iwork);
    memset(c, 0, sizeof *c);
}

static void push_eval(rangetest_curve *c, long iter, double lr, double acc, double loss)
{
    assert(c->n_eval <= c->cap);
    c->eval_iter[c->n_eval] = iter;
    c->eval_lr[c->n_eval] = lr;
    c->eval_acc[c->n_eval] = acc;
    c->eval_loss[c->n_eval] = loss;
    c->n_eval++;
}

void rangetest_curve_push(rangetest_curve *c, double lr, double loss, double loss_smooth,
                          double test_acc, double test_loss)
{
    assert(c->n < c->cap && isfinite(loss) && isfinite(loss_smooth) && isfinite(lr));
    long i = c->n++;
    c->lr[i] = lr;
    c->loss[i] = loss;
    c->loss_smooth[i] = loss_smooth;
    c->test_acc[i] = test_acc;
    c->test_loss[i] = test_loss;
    if (loss_smooth < c->best_smooth)
        c->best_smooth = loss_smooth;
    if (isfinite(test_acc))
        push_eval(c, i + 1, lr, test_acc, test_loss);
}

void rangetest_curve_push_eval(rangetest_curve *c, double lr, double acc, double loss)
{
    push_eval(c, 0, lr, acc, loss);
}

/* ---- the test ----------------------------------------------------------- */

static void snapshot_free(rangetest *rt)
{
    free(rt->saved_order);
    free(rt->saved_params);
    free(rt->saved_velocity);
    free(rt->saved_state);
    rt->saved_order = NULL;
    rt->saved_params = rt->saved_velocity = rt->saved_state = NULL;
}

/* Snapshots t (see Isolation), allocates the curve and installs the sweep:
 * everything rangetest_begin does but the first evaluation. */
static int start(rangetest *rt, trainer *t, const rangetest_cfg *cfg, lr_err *e)
{
    memset(rt, 0, sizeof *rt);
    if (rangetest_cfg_validate(cfg, e))
        return -1;
    if (t->state == TRAIN_DIVERGED)
        return lr_fail(e, "the run diverged at iteration %ld and its weights are not finite: "
                          "restart it before a range test", t->diverged_at);
    net *n = t->net;
    size_t n_order = (size_t)t->batches.d->n;
    rt->saved_order = malloc(n_order * sizeof *rt->saved_order);
    rt->saved_params = malloc(n->n_params * sizeof(float));
    rt->saved_velocity = malloc(n->n_params * sizeof(float));
    rt->saved_state = malloc((n->n_state ? n->n_state : 1) * sizeof(float));
    if (!rt->saved_order || !rt->saved_params || !rt->saved_velocity || !rt->saved_state) {
        snapshot_free(rt);
        return lr_fail(e, "out of memory for the range test's snapshot (%zu parameters)",
                       n->n_params);
    }
    if (rangetest_curve_alloc(&rt->curve, cfg->n_iters, e)) {
        snapshot_free(rt);
        return -1;
    }
    rt->t = t;
    rt->cfg = *cfg;
    rt->saved = *t;
    memcpy(rt->saved_order, t->batches.order, n_order * sizeof *rt->saved_order);
    memcpy(rt->saved_params, n->params, n->n_params * sizeof(float));
    memcpy(rt->saved_velocity, n->velocity, n->n_params * sizeof(float));
    if (n->n_state)
        memcpy(rt->saved_state, n->state, n->n_state * sizeof(float));

    rangetest_cfg_sched(cfg, &t->sched);
    t->iter = 0;
    t->state = TRAIN_RUNNING;
    t->diverged_at = -1;
    t->ema = t->ema_weight = 0.0;
    t->cfg.eval_every = cfg->eval_every;
    t->cfg.eval_max = t->cfg.eval_max_end = cfg->eval_n;  /* one subset for every point */
    t->lrest.every = 0;     /* off: the saved struct (and buffers) resume afterwards */
    memset(n->velocity, 0, n->n_params * sizeof(float));

    rangetest_curve *c = &rt->curve;
    c->policy = cfg->policy;
    c->lr_min = cfg->lr_min;
    c->lr_max = cfg->lr_max;
    c->n_planned = cfg->n_iters;
    c->stop_factor = cfg->stop_factor;
    c->stop_smoothing = cfg->stop_smoothing;
    rt->lrf_smooth = NAN;
    rt->lrf_best = INFINITY;
    rt->running = true;
    return 0;
}

/* Puts back the trainer start() snapshotted. */
static void restore(rangetest *rt)
{
    trainer *t = rt->t;
    net *n = t->net;
    *t = rt->saved;
    memcpy(t->batches.order, rt->saved_order, (size_t)t->batches.d->n * sizeof *rt->saved_order);
    memcpy(n->params, rt->saved_params, n->n_params * sizeof(float));
    memcpy(n->velocity, rt->saved_velocity, n->n_params * sizeof(float));
    if (n->n_state)
        memcpy(n->state, rt->saved_state, n->n_state * sizeof(float));
}

int rangetest_begin(rangetest *rt, trainer *t, const rangetest_cfg *cfg, lr_err *e)
{
    if (start(rt, t, cfg, e))
        return -1;
    if (cfg->eval_every > 0) {
        double loss, acc;
        trainer_evaluate(t, t->test, cfg->eval_n, &loss, &acc);
        rangetest_curve_push_eval(&rt->curve, cfg->lr_min, acc, loss);
    }
    return 0;
}

/* dst[0..n) = the n doubles at src (unaligned). */
static void copy_doubles(double *dst, const unsigned char *src, long n)
{
    memcpy(dst, src, (size_t)n * sizeof *dst);
}

int rangetest_resume(rangetest *rt, trainer *t, const checkpoint *c, const char *path,
                     lr_err *e)
{
    if (!c->has_range)
        return lr_fail(e, "the checkpoint %s is a training run's, not a range test's", path);
    const checkpoint_range *g = &c->range;
    if (start(rt, t, &g->cfg, e))
        return -1;
    if (checkpoint_restore(c, t, path, e)) {
        restore(rt);
        rangetest_curve_free(&rt->curve);
        snapshot_free(rt);
        memset(rt, 0, sizeof *rt);
        return -1;
    }
    rangetest_curve *v = &rt->curve;
    long n = g->n, m = g->n_eval;
    double *steps[] = { v->lr, v->loss, v->loss_smooth, v->test_acc, v->test_loss };
    for (int k = 0; k < 5; k++)
        copy_doubles(steps[k], g->steps + (size_t)k * n * sizeof(double), n);
    for (long k = 0; k < m; k++) {
        int64_t it;
        memcpy(&it, g->eval_iter + (size_t)k * sizeof it, sizeof it);
        v->eval_iter[k] = (long)it;
    }
    double *evals[] = { v->eval_lr, v->eval_acc, v->eval_loss };
    for (int k = 0; k < 3; k++)
        copy_doubles(evals[k], g->evals + (size_t)k * m * sizeof(double), m);
    v->n = n;
    v->n_eval = m;
    v->stop = g->stop;
    v->stop_iter = g->stop_iter;
    v->stop_lr = g->stop_lr;
    v->stop_loss = g->stop_loss;
    v->stop_best = g->stop_best;
    v->best_smooth = g->best_smooth;
    rt->lrf_smooth = g->lrf_smooth;
    rt->lrf_best = g->lrf_best;
    rt->running = g->stop == RANGETEST_RUNNING;
    return 0;
}

static void stop_at(rangetest *rt, rangetest_stop why, long iter, double lr, double loss)
{
    rt->curve.stop = why;
    rt->curve.stop_best = why == RANGETEST_LOSS_ROSE
        ? (rt->cfg.stop_smoothing == RANGETEST_SMOOTH_LRFINDER ? rt->lrf_best
                                                               : rt->curve.best_smooth)
        : (double)NAN;
    rt->curve.stop_iter = iter;
    rt->curve.stop_lr = lr;
    rt->curve.stop_loss = loss;
    rt->running = false;
}

bool rangetest_step(rangetest *rt, metrics_row *row)
{
    rangetest_curve *c = &rt->curve;
    if (!rt->running) {
        memset(row, 0, sizeof *row);
        row->iter = c->n;
        row->lr = row->momentum = row->loss = row->loss_smooth = row->acc = NAN;
        row->test_loss = row->test_acc = row->lr_est_secant = row->lr_est_hvp = NAN;
        return false;
    }
    trainer *t = rt->t;
    train_state st = trainer_step(t, row);
    if (!isfinite(row->loss)) {
        stop_at(rt, RANGETEST_NONFINITE, row->iter, row->lr, row->loss);
        return false;
    }
    /* Extra evaluations after steps 1, 2, 4, 8... below eval_every: on a
     * linear sweep accuracy often rises within the first few steps, and
     * these place Smith's base at a cost of log2(eval_every) evaluations. */
    long done = row->iter + 1;
    if (isnan(row->test_acc) && done < rt->cfg.eval_every && (done & (done - 1)) == 0)
        trainer_evaluate(t, t->test, rt->cfg.eval_n, &row->test_loss, &row->test_acc);
    rangetest_curve_push(c, row->lr, row->loss, row->loss_smooth, row->test_acc,
                         row->test_loss);
    /* torch-lr-finder's history: the first loss raw, then an EMA without
     * debiasing; its best includes the first point. */
    rt->lrf_smooth = c->n == 1 ? row->loss
                               : RANGETEST_LRFINDER_SMOOTH * row->loss +
                                 (1.0 - RANGETEST_LRFINDER_SMOOTH) * rt->lrf_smooth;
    if (rt->lrf_smooth < rt->lrf_best)
        rt->lrf_best = rt->lrf_smooth;
    bool lrf = rt->cfg.stop_smoothing == RANGETEST_SMOOTH_LRFINDER;
    double watched = lrf ? rt->lrf_smooth : row->loss_smooth;
    double best = lrf ? rt->lrf_best : c->best_smooth;
    if (rt->cfg.stop_factor > 0.0 && watched > rt->cfg.stop_factor * best)
        stop_at(rt, RANGETEST_LOSS_ROSE, row->iter, row->lr, watched);
    else if (st != TRAIN_RUNNING)
        stop_at(rt, RANGETEST_COMPLETED, c->n, NAN, NAN);
    return rt->running;
}

void rangetest_end(rangetest *rt, rangetest_result *res)
{
    memset(res, 0, sizeof *res);
    if (!rt->t)
        return;
    rangetest_curve *c = &rt->curve;
    if (rt->running)
        stop_at(rt, RANGETEST_CANCELLED, c->n, c->n ? c->lr[c->n - 1] : (double)NAN, NAN);

    restore(rt);
    rangetest_suggest(c, &res->sugg);
    res->curve = *c;
    snapshot_free(rt);
    memset(rt, 0, sizeof *rt);
}

void rangetest_result_free(rangetest_result *res)
{
    rangetest_curve_free(&res->curve);
    memset(res, 0, sizeof *res);
}

const char *rangetest_stop_name(rangetest_stop s)
{
    static const char *const names[] = {
        [RANGETEST_RUNNING] = "running", [RANGETEST_COMPLETED] = "completed",
        [RANGETEST_LOSS_ROSE] = "loss rose", [RANGETEST_NONFINITE] = "loss not finite",
        [RANGETEST_CANCELLED] = "cancelled",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

const char *rangetest_smoothing_name(rangetest_smoothing s)
{
    return s == RANGETEST_SMOOTH_LRFINDER ? "lr-finder" : "ema";
}

const char *rangetest_sig_name(rangetest_sig s)
{
    static const char *const names[] = {
        [RANGETEST_SIG_UNKNOWN] = "unknown", [RANGETEST_SIG_ABSENT] = "absent",
        [RANGETEST_SIG_PRESENT] = "present",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}
