/* sched.c — schedule formulas, defaults, validation and live edits. The
 * contracts are in sched.h; the formulas and their sources are listed there.
 * Names, the one-line description, config lines and help text are in
 * sched_text.c. */
#include "engine/sched.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#define PI 3.14159265358979323846


/* ---- defaults ----------------------------------------------------------- */

void sched_defaults(sched *s, sched_policy p)
{
    /* Fields a policy does not use still get the values they would have under
     * the policy that uses them, so a written config is complete and stable. */
    *s = (sched){
        .policy = p, .lr_min = 0.1, .lr_max = 0.1, .total = 10000, .origin = 0,
        .stepsize = 3000, .gamma = 0.1, .power = 0.75,
        .milestones = { 5000, 7500 }, .n_milestones = 2,
        .style = ONECYCLE_SMITH, .pct_start = 0.3, .div_factor = 25.0,
        .final_div_factor = 1e4, .anneal = ANNEAL_COS, .three_phase = false,
        .smith_floor_div = 1000.0, .cycle_frac = 0.9,
        .mom_max = 0.9, .mom_min = 0.9, .cycle_momentum = false,
    };
    switch (p) {
    case SCHED_INV:               /* Caffe's LeNet solver */
        s->lr_min = s->lr_max = 0.01;
        s->gamma = 1e-4;
        break;
    case SCHED_TRIANGULAR:        /* PyTorch CyclicLR: step_size_up 2000, momentum 0.8-0.9 */
    case SCHED_TRIANGULAR2:
    case SCHED_EXP_RANGE:
        s->lr_min = 0.01;
        s->lr_max = 0.1;
        s->stepsize = 2000;
        s->total = 4 * s->stepsize; /* two whole cycles: stop at the end of a cycle */
        s->gamma = p == SCHED_EXP_RANGE ? 0.99994 : 1.0; /* Smith's Caffe exp_range */
        s->mom_max = 0.9;
        s->mom_min = 0.8;
        s->cycle_momentum = true;
        break;
    case SCHED_1CYCLE:
        sched_onecycle_defaults(s, ONECYCLE_SMITH);
        break;
    case SCHED_SWEEP_LINEAR:      /* the authors' CIFAR-10 range test: 0 -> 3 */
        s->lr_min = 0.0;
        s->lr_max = 3.0;
        s->total = 5000;
        s->stepsize = 0;          /* lr_max one step past the plan */
        break;
    case SCHED_SWEEP_EXP:         /* fastai lr_find: 1e-7 -> 10 over 100 iterations */
        s->lr_min = 1e-7;
        s->lr_max = 10.0;
        s->total = 100;
        s->stepsize = 0;
        break;
    default:
        break;
    }
}

void sched_onecycle_defaults(sched *s, onecycle_style style)
{
    sched_defaults(s, SCHED_CONST);
    s->policy = SCHED_1CYCLE;
    s->style = style;
    s->lr_max = 0.8;
    s->mom_max = 0.95;
    s->mom_min = 0.85;
    s->cycle_momentum = true;
    s->stepsize = 0;   /* smith: derived from cycle_frac */
    s->lr_min = 0.08;
    if (style == ONECYCLE_PYTORCH || style == ONECYCLE_FASTAI) {
        s->pct_start = style == ONECYCLE_FASTAI ? 0.25 : 0.3;
        s->final_div_factor = style == ONECYCLE_FASTAI ? 1e5 : 1e4;
        s->lr_min = s->lr_max / s->div_factor;   /* the mirror of the start LR */
    }
}

/* ---- evaluation --------------------------------------------------------- */

/* u = t - origin, clamped to >= 0 without overflowing for any t. */
static long rel_iter(const sched *s, long t)
{
    long o = s->origin > 0 ? s->origin : 0;
    return t <= o ? 0 : t - o;
}

static long plan_len(const sched *s)
{
    return s->total > 0 ? s->total : 1;
}

/* Steps from lr_min to lr_max in a sweep: stepsize, or total when it is 0. */
static long sweep_span(const sched *s)
{
    return s->stepsize > 0 ? s->stepsize : plan_len(s);
}

long sched_end(const sched *s)
{
    return s->origin + s->total;
}

long sched_half_cycle(const sched *s)
{
    switch (s->policy) {
    case SCHED_TRIANGULAR:
    case SCHED_TRIANGULAR2:
    case SCHED_EXP_RANGE:
        return s->stepsize > 0 ? s->stepsize : 1;
    case SCHED_1CYCLE:
        if (s->style != ONECYCLE_SMITH)
            return 0;
        if (s->stepsize > 0)
            return s->stepsize;
        {
            double ss = floor(s->cycle_frac * (double)plan_len(s) / 2.0);
            return ss >= 1.0 ? (long)ss : 1;
        }
    default:
        return 0;
    }
}

static double anneal(sched_anneal a, double start, double end, double p)
{
    if (a == ANNEAL_LINEAR)
        return (end - start) * p + start;
    return end + (start - end) / 2.0 * (cos(PI * p) + 1.0);
}

/* The CLR scale in [0, 1]: triangle times the policy's amplitude factor. */
static double clr_scale(const sched *s, long u)
{
    double ss = (double)sched_half_cycle(s);
    double cycle = floor(1.0 + (double)u / (2.0 * ss));
    double x = fabs((double)u / ss - 2.0 * cycle + 1.0);
    double tri = fmax(0.0, 1.0 - x);
    if (s->policy == SCHED_TRIANGULAR2)
        return tri * pow(0.5, cycle - 1.0);
    if (s->policy == SCHED_EXP_RANGE)
        return tri * pow(s->gamma, (double)u);
    return tri;
}

static void smith_at(const sched *s, long u, double *lr, double *mom)
{
    double ss = (double)sched_half_cycle(s), du = (double)u;
    double dm = s->mom_max - s->mom_min;
    if (du <= ss) {
        *lr = s->lr_min + (s->lr_max - s->lr_min) * du / ss;
        *mom = s->mom_max - dm * du / ss;
    } else if (du <= 2.0 * ss) {
        *lr = s->lr_max * (1.0 - (du - ss) / ss);
        *mom = s->mom_min + dm * (du - ss) / ss;
    } else {
        *lr = s->lr_min / s->smith_floor_div;
        *mom = s->mom_max;
    }
}

/* PyTorch's OneCycleLR.get_lr: the first phase whose end_step >= u (or the
 * last) is used, and a phase starts at the previous one's end_step. A phase
 * of zero or negative length (tiny totals) counts as finished: p = 1. */
static void pytorch_at(const sched *s, long u, double *lr, double *mom)
{
    double T = (double)plan_len(s), pct = s->pct_start, du = (double)u;
    double start = s->lr_max / s->div_factor, end = start / s->final_div_factor;
    double hi = s->mom_max, lo = s->mom_min;
    double ends[3], lr_a[3], lr_b[3], m_a[3], m_b[3];
    int n;
    if (s->three_phase) {
        n = 3;
        ends[0] = pct * T - 1.0;       lr_a[0] = start;     lr_b[0] = s->lr_max;
        ends[1] = 2.0 * pct * T - 2.0; lr_a[1] = s->lr_max; lr_b[1] = start;
        ends[2] = T - 1.0;             lr_a[2] = start;     lr_b[2] = end;
        m_a[0] = hi; m_b[0] = lo; m_a[1] = lo; m_b[1] = hi; m_a[2] = hi; m_b[2] = hi;
    } else {
        n = 2;
        ends[0] = pct * T - 1.0; lr_a[0] = start;     lr_b[0] = s->lr_max;
        ends[1] = T - 1.0;       lr_a[1] = s->lr_max; lr_b[1] = end;
        m_a[0] = hi; m_b[0] = lo; m_a[1] = lo; m_b[1] = hi;
    }
    double from = 0.0;
    for (int i = 0; i < n; i++) {
        if (du <= ends[i] || i == n - 1) {
            double span = ends[i] - from;
            double p = span > 0.0 ? (du - from) / span : 1.0;
            p = fmin(1.0, fmax(0.0, p));
            *lr = anneal(s->anneal, lr_a[i], lr_b[i], p);
            *mom = anneal(s->anneal, m_a[i], m_b[i], p);
            return;
        }
        from = ends[i];
    }
}

/* fastai: combined_cos(pct_start, lr_max/div, lr_max, lr_max/div_final) at
 * pos = u/total; phase 2 starts at pos == pct_start. */
static void fastai_at(const sched *s, long u, double *lr, double *mom)
{
    double pos = (double)u / (double)plan_len(s), pct = s->pct_start;
    if (pos < pct) {
        double p = pos / pct;
        *lr = anneal(s->anneal, s->lr_max / s->div_factor, s->lr_max, p);
        *mom = anneal(s->anneal, s->mom_max, s->mom_min, p);
    } else {
        double p = pct < 1.0 ? (pos - pct) / (1.0 - pct) : 1.0;
        *lr = anneal(s->anneal, s->lr_max, s->lr_max / s->final_div_factor, p);
        *mom = anneal(s->anneal, s->mom_min, s->mom_max, p);
    }
}

void sched_at(const sched *s, long t, double *lr_out, double *mom_out)
{
    long u = rel_iter(s, t);
    long last = plan_len(s) - 1;
    bool periodic = s->policy == SCHED_TRIANGULAR || s->policy == SCHED_TRIANGULAR2 ||
                    s->policy == SCHED_EXP_RANGE;
    if (!periodic && u > last)
        u = last;
    double du = (double)u;
    double lr = s->lr_max, mom = s->mom_max, scale;

    switch (s->policy) {
    case SCHED_CONST:
        break;
    case SCHED_STEP:
        lr = s->lr_max * pow(s->gamma, (double)(u / (s->stepsize > 0 ? s->stepsize : 1)));
        break;
    case SCHED_MULTISTEP: {
        int k = 0;
        for (int i = 0; i < s->n_milestones && i < SCHED_MAX_MILESTONES; i++)
            k += s->milestones[i] <= u;
        lr = s->lr_max * pow(s->gamma, (double)k);
        break;
    }
    case SCHED_INV:
        lr = s->lr_max * pow(1.0 + s->gamma * du, -s->power);
        break;
    case SCHED_TRIANGULAR:
    case SCHED_TRIANGULAR2:
    case SCHED_EXP_RANGE:
        scale = clr_scale(s, u);
        lr = s->lr_min + (s->lr_max - s->lr_min) * scale;
        mom = s->mom_max - (s->mom_max - s->mom_min) * scale;
        break;
    case SCHED_1CYCLE:
        if (s->style == ONECYCLE_PYTORCH)
            pytorch_at(s, u, &lr, &mom);
        else if (s->style == ONECYCLE_FASTAI)
            fastai_at(s, u, &lr, &mom);
        else
            smith_at(s, u, &lr, &mom);
        break;
    case SCHED_SWEEP_LINEAR:
        lr = s->lr_min + (s->lr_max - s->lr_min) * du / (double)sweep_span(s);
        break;
    case SCHED_SWEEP_EXP:
        lr = s->lr_min * pow(s->lr_max / s->lr_min, du / (double)sweep_span(s));
        break;
    default:
        break;
    }
    if (!s->cycle_momentum)
        mom = s->mom_max;
    if (lr_out)
        *lr_out = lr;
    if (mom_out)
        *mom_out = mom;
}

/* ---- validation --------------------------------------------------------- */

static bool is_clr(sched_policy p)
{
    return p == SCHED_TRIANGULAR || p == SCHED_TRIANGULAR2 || p == SCHED_EXP_RANGE;
}

/* The schedule's name for messages: "clr", "1cycle pytorch"... */
static const char *label(const sched *s, char *buf, size_t len)
{
    if (s->policy == SCHED_1CYCLE)
        snprintf(buf, len, "1cycle %s", sched_style_name(s->style));
    else
        snprintf(buf, len, "%s", sched_policy_name(s->policy));
    return buf;
}

static int check_finite(const sched *s, lr_err *e)
{
    const struct { const char *name; double v; } f[] = {
        { "lr_min", s->lr_min }, { "lr_max", s->lr_max }, { "gamma", s->gamma },
        { "power", s->power }, { "pct_start", s->pct_start }, { "div_factor", s->div_factor },
        { "final_div_factor", s->final_div_factor }, { "smith_floor_div", s->smith_floor_div },
        { "cycle_frac", s->cycle_frac }, { "mom_max", s->mom_max }, { "mom_min", s->mom_min },
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (!isfinite(f[i].v))
            return lr_fail(e, "%s is %g; it must be a finite number", f[i].name, f[i].v);
    return 0;
}

static int check_momentum(const sched *s, const char *name, lr_err *e)
{
    if (!(s->mom_max >= 0.0 && s->mom_max < 1.0))
        return lr_fail(e, "momentum %g is out of range: it must be in [0, 1) (0.9 is usual)",
                       s->mom_max);
    if (!s->cycle_momentum)
        return 0;
    if (!is_clr(s->policy) && s->policy != SCHED_1CYCLE)
        return lr_fail(e, "%s cannot cycle momentum: only clr, triangular2, exp_range and "
                          "1cycle do; give one momentum value", name);
    if (!(s->mom_min >= 0.0 && s->mom_min < 1.0))
        return lr_fail(e, "minimum momentum %g is out of range: it must be in [0, 1) "
                          "(0.85 is usual)", s->mom_min);
    if (s->mom_min > s->mom_max)
        return lr_fail(e, "momentum range %g-%g is reversed: mom_max (used while the LR is "
                          "low) must be >= mom_min (used while it is high), e.g. 0.95-0.85",
                       s->mom_max, s->mom_min);
    return 0;
}

static int check_lr_range(const sched *s, const char *name, bool min_positive, lr_err *e)
{
    if (min_positive ? !(s->lr_min > 0.0) : !(s->lr_min >= 0.0))
        return lr_fail(e, "%s: lr_min %g must be %s", name, s->lr_min,
                       min_positive ? "greater than 0" : "0 or more");
    if (!(s->lr_max > 0.0))
        return lr_fail(e, "%s: lr_max %g must be greater than 0", name, s->lr_max);
    if (s->lr_min > s->lr_max)
        return lr_fail(e, "%s: lr_min %g is above lr_max %g; the minimum must not exceed "
                          "the maximum", name, s->lr_min, s->lr_max);
    return 0;
}

static int check_1cycle(const sched *s, const char *name, lr_err *e)
{
    if ((unsigned)s->style >= ONECYCLE_N_STYLES)
        return lr_fail(e, "1cycle style %d is unknown: use smith, pytorch or fastai",
                       (int)s->style);
    if (s->style == ONECYCLE_SMITH) {
        if (check_lr_range(s, name, true, e))
            return -1;
        if (s->stepsize < 0)
            return lr_fail(e, "%s: stepsize %ld must be at least 1 iteration (half the "
                              "cycle), or 0 to derive it from cycle_frac", name, s->stepsize);
        if (s->stepsize == 0 && !(s->cycle_frac > 0.0 && s->cycle_frac <= 1.0))
            return lr_fail(e, "%s: cycle_frac %g must be in (0, 1]: the fraction of the run "
                              "the cycle covers (the paper: 0.85-0.98)", name, s->cycle_frac);
        if (!(s->smith_floor_div >= 1.0))
            return lr_fail(e, "%s: smith_floor_div %g must be at least 1 (the tail runs at "
                              "lr_min/smith_floor_div; Caffe used 1000)", name,
                           s->smith_floor_div);
        return 0;
    }
    if (!(s->lr_max > 0.0))
        return lr_fail(e, "%s: lr_max %g must be greater than 0", name, s->lr_max);
    if (!(s->div_factor >= 1.0))
        return lr_fail(e, "%s: div_factor %g must be at least 1 (start LR = lr_max/div_factor; "
                          "default 25)", name, s->div_factor);
    if (!(s->final_div_factor >= 1.0))
        return lr_fail(e, "%s: final_div_factor %g must be at least 1 (default %g)", name,
                       s->final_div_factor, s->style == ONECYCLE_FASTAI ? 1e5 : 1e4);
    if (!(s->pct_start > 0.0 && s->pct_start < 1.0))
        return lr_fail(e, "%s: pct_start %g must be in (0, 1): the fraction of the run spent "
                          "raising the LR (default %g)", name, s->pct_start,
                       s->style == ONECYCLE_FASTAI ? 0.25 : 0.3);
    if ((unsigned)s->anneal >= ANNEAL_N)
        return lr_fail(e, "%s: anneal %d is unknown: use cos or linear", name, (int)s->anneal);
    if (s->three_phase && s->style != ONECYCLE_PYTORCH)
        return lr_fail(e, "%s: three_phase is a PyTorch OneCycleLR option; fastai's "
                          "fit_one_cycle has two phases (use style pytorch)", name);
    if (s->three_phase && !(s->pct_start < 0.5))
        return lr_fail(e, "%s: with three_phase, pct_start %g must be below 0.5 (rise and "
                          "descent each take pct_start of the run)", name, s->pct_start);
    return 0;
}

int sched_validate(const sched *s, lr_err *e)
{
    char name[32];
    if ((unsigned)s->policy >= SCHED_N_POLICIES)
        return lr_fail(e, "schedule policy %d is unknown: use one of %s", (int)s->policy,
                       sched_policy_list());
    label(s, name, sizeof name);
    if (s->total < 1)
        return lr_fail(e, "%s: the run length (total) is %ld iterations; it must be at "
                          "least 1", name, s->total);
    if (s->origin < 0 || s->origin > LONG_MAX - s->total)
        return lr_fail(e, "%s: origin %ld must be an iteration >= 0 (with origin + total "
                          "representable)", name, s->origin);
    if (check_finite(s, e) || check_momentum(s, name, e))
        return -1;

    switch (s->policy) {
    case SCHED_CONST:
    case SCHED_STEP:
    case SCHED_MULTISTEP:
    case SCHED_INV:
        if (!(s->lr_max > 0.0))
            return lr_fail(e, "%s: the learning rate (lr_max) is %g; it must be greater "
                              "than 0", name, s->lr_max);
        break;
    default:
        break;
    }

    switch (s->policy) {
    case SCHED_STEP:
        if (s->stepsize < 1)
            return lr_fail(e, "step: stepsize %ld must be at least 1 iteration between "
                              "drops", s->stepsize);
        if (!(s->gamma > 0.0))
            return lr_fail(e, "step: gamma %g must be greater than 0 (the LR is multiplied by "
                              "gamma every stepsize iterations; 0.1 is usual)", s->gamma);
        break;
    case SCHED_MULTISTEP:
        if (s->n_milestones < 0 || s->n_milestones > SCHED_MAX_MILESTONES)
            return lr_fail(e, "multistep: %d milestones; between 0 and %d are allowed",
                           s->n_milestones, SCHED_MAX_MILESTONES);
        if (!(s->gamma > 0.0))
            return lr_fail(e, "multistep: gamma %g must be greater than 0 (the LR is "
                              "multiplied by gamma at each milestone; 0.1 is usual)", s->gamma);
        for (int i = 0; i < s->n_milestones; i++) {
            if (s->milestones[i] < 0)
                return lr_fail(e, "multistep: milestone %ld is negative; milestones are "
                                  "iterations counted from the start of the plan",
                               s->milestones[i]);
            if (i > 0 && s->milestones[i] < s->milestones[i - 1])
                return lr_fail(e, "multistep: milestones must be in increasing order, but "
                                  "%ld comes after %ld", s->milestones[i], s->milestones[i - 1]);
        }
        break;
    case SCHED_INV:
        if (!(s->gamma >= 0.0) || !(s->power >= 0.0))
            return lr_fail(e, "inv: gamma %g and power %g must both be 0 or more "
                              "(lr = lr_max*(1 + gamma*t)^-power; Caffe: 1e-4 and 0.75)",
                           s->gamma, s->power);
        break;
    case SCHED_TRIANGULAR:
    case SCHED_TRIANGULAR2:
    case SCHED_EXP_RANGE:
        if (check_lr_range(s, name, false, e))
            return -1;
        if (s->stepsize < 1)
            return lr_fail(e, "%s: stepsize %ld must be at least 1 iteration (half a cycle; "
                              "the paper advises 2-10 epochs' worth)", name, s->stepsize);
        if (s->policy == SCHED_EXP_RANGE && !(s->gamma > 0.0 && s->gamma <= 1.0))
            return lr_fail(e, "exp_range: gamma %g must be in (0, 1]: the amplitude shrinks by "
                              "gamma every iteration (e.g. 0.99994)", s->gamma);
        break;
    case SCHED_1CYCLE:
        if (check_1cycle(s, name, e))
            return -1;
        break;
    case SCHED_SWEEP_LINEAR:
    case SCHED_SWEEP_EXP:
        if (check_lr_range(s, name, s->policy == SCHED_SWEEP_EXP, e))
            return -1;
        if (s->stepsize != 0 && s->stepsize < s->total - 1)
            return lr_fail(e, "%s: stepsize %ld would pass lr_max before the end of the "
                              "sweep: give 0 (lr_max one step past the end, as fastai) or "
                              "at least total-1 = %ld (lr_max at the last step)", name,
                           s->stepsize, s->total - 1);
        break;
    default:
        break;
    }

    /* A safety net for overflow (e.g. a huge gamma^k): both ends must be finite. */
    double lr0, m0, lr1, m1;
    sched_at(s, s->origin, &lr0, &m0);
    sched_at(s, sched_end(s) - 1, &lr1, &m1);
    if (!isfinite(lr0) || !isfinite(lr1) || !isfinite(m0) || !isfinite(m1))
        return lr_fail(e, "%s: these settings overflow (the LR reaches %g); use smaller "
                          "factors", name, isfinite(lr0) ? lr1 : lr0);
    return 0;
}

/* ---- live edits --------------------------------------------------------- */

void sched_set_bounds(sched *s, double lr_min, double lr_max)
{
    s->lr_min = lr_min;
    s->lr_max = lr_max;
    if (s->policy == SCHED_1CYCLE && s->style != ONECYCLE_SMITH && lr_min > 0.0 && lr_max > 0.0)
        s->div_factor = lr_max / lr_min;
}

void sched_set_momentum(sched *s, double mom_max, double mom_min)
{
    s->mom_max = mom_max;
    s->mom_min = mom_min;
}

void sched_restart(sched *s, long t)
{
    s->origin = t > 0 ? t : 0;
}
