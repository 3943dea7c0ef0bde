/* test_sched_export.c — exported schedules give lrscope's LR and momentum.
 *
 * For every policy with a framework scheduler of the same formula, the test
 * reads the parameters back out of the exported text (the numbers a user's
 * script would run with), computes the framework's LR and momentum at every
 * iteration of the plan with the framework's published formula — PyTorch's
 * OneCycleLR, CyclicLR, StepLR and MultiStepLR as their get_lr define them,
 * fastai's fit_one_cycle as combined_cos/SchedCos define it — and compares
 * them with sched_at (itself checked against the reference tables of
 * test_sched_tables.c) to 1e-6 relative. The Python functions the other
 * policies export are run against lrscope's own metrics by
 * tests/e2e/export.sh. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sched.h"
#include "engine/sched_export.h"
#include "engine/sgd.h"

#include "tests/sched_check.h"

#define PI 3.14159265358979323846
/* The optimizer call of the PyTorch snippet: "CaffeSGD(" or "torch.optim.SGD(". */
#define OPTIMIZER "SGD(\n"

/* ---- reading the exported text -------------------------------------------- */

/* The text of `call(...)`, from the name to its closing parenthesis. */
static const char *call_span(const char *text, const char *call, size_t *len)
{
    const char *p = strstr(text, call);
    cr_assert(p, "the export has no %s(...): \n%s", call, text);
    const char *q = strchr(p, '(');
    int depth = 0;
    for (; *q; q++) {
        depth += (*q == '(') - (*q == ')');
        if (depth == 0)
            break;
    }
    *len = (size_t)(q - p);
    return p;
}

/* The value of a module-level constant `NAME = value`. */
static double constant(const char *text, const char *name)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\n%s = ", name);
    const char *p = strstr(text, pat);
    cr_assert(p, "the export defines no %s", name);
    return strtod(p + strlen(pat), NULL);
}

/* The raw text of keyword argument `key` of `call`, into buf. */
static const char *kw_raw(const char *text, const char *call, const char *key, char *buf,
                          size_t cap)
{
    size_t len;
    const char *p = call_span(text, call, &len), *end = p + len;
    char pat[64];
    snprintf(pat, sizeof pat, "%s=", key);
    for (const char *q = p; (q = strstr(q, pat)) && q < end; q++) {
        if (q > p && (isalnum((unsigned char)q[-1]) || q[-1] == '_'))
            continue;
        q += strlen(pat);
        size_t n = 0;
        int depth = 0;
        while (q + n < end && (depth > 0 || (q[n] != ',' && q[n] != ')'))) {
            depth += (q[n] == '(' || q[n] == '[') - (q[n] == ')' || q[n] == ']');
            n++;
        }
        snprintf(buf, cap, "%.*s", (int)n, q);
        return buf;
    }
    cr_assert_fail("%s has no %s=: \n%.*s", call, key, (int)len, p);
    return NULL;
}

/* A number, a constant's name, True/False. */
static double kw(const char *text, const char *call, const char *key)
{
    char buf[256];
    const char *v = kw_raw(text, call, key, buf, sizeof buf);
    if (!strcmp(v, "True") || !strcmp(v, "False"))
        return v[0] == 'T';
    if (isalpha((unsigned char)v[0]))
        return constant(text, v);
    char *end;
    double d = strtod(v, &end);
    cr_assert(end != v && !*end, "%s=%s is not a number", key, v);
    return d;
}

static void kw_str(const char *text, const char *call, const char *key, char *out, size_t cap)
{
    char buf[256];
    const char *v = kw_raw(text, call, key, buf, sizeof buf);
    cr_assert(v[0] == '"', "%s=%s is not a string", key, v);
    snprintf(out, cap, "%.*s", (int)strlen(v) - 2, v + 1);
}

/* A list or tuple of numbers: [a, b] or (a, b, c). Returns how many. */
static int kw_list(const char *text, const char *call, const char *key, double *out, int max)
{
    char buf[256];
    const char *v = kw_raw(text, call, key, buf, sizeof buf) + 1;
    int n = 0;
    while (*v && *v != ']' && *v != ')' && n < max) {
        char *end;
        out[n++] = strtod(v, &end);
        v = end;
        while (*v == ',' || *v == ' ')
            v++;
    }
    return n;
}

static char *export_torch(const sched *s, const sgd_opts *o)
{
    export_info x = { .batch = 128, .iters_per_epoch = 100 };
    char *text;
    lr_err e;
    cr_assert(sched_export_pytorch(s, o, &x, &text, &e) == 0, "%s", e.msg);
    return text;
}

static char *export_fastai(const sched *s, const sgd_opts *o, long ipe)
{
    export_info x = { .batch = 128, .iters_per_epoch = ipe };
    char *text;
    lr_err e;
    cr_assert(sched_export_fastai(s, o, &x, &text, &e) == 0, "%s", e.msg);
    return text;
}

/* Every iteration of the plan (and a few past it): framework vs lrscope. */
typedef void (*framework_fn)(const char *text, long step, double *lr, double *mom);

static void check_every_step(const sched *s, const char *text, framework_fn f, long extra,
                             const char *name)
{
    int bad = 0;
    for (long u = 0; u < s->total + extra && bad < 5; u++) {
        double lr, mom, want_lr, want_mom;
        f(text, u, &lr, &mom);
        sched_at(s, s->origin + u, &want_lr, &want_mom);
        if (!close_to(lr, want_lr) || !close_to(mom, want_mom)) {
            bad++;
            cr_expect_fail("%s at step %ld: framework lr %.17g mom %.17g, lrscope %.17g %.17g",
                           name, u, lr, mom, want_lr, want_mom);
        }
    }
}

/* ---- PyTorch's schedulers, from their get_lr ------------------------------- */

static double torch_anneal(const char *strategy, double start, double end, double pct)
{
    if (!strcmp(strategy, "linear"))
        return (end - start) * pct + start;
    return end + (start - end) / 2.0 * (cos(PI * pct) + 1.0);
}

/* OneCycleLR: phases end at float(pct_start * total_steps) - 1 (and
 * 2 * that - 2 with three_phase) and total_steps - 1; momentum runs
 * max -> base -> max (-> max). The optimizer's momentum when not cycled. */
static void torch_onecycle(const char *t, long step, double *lr, double *mom)
{
    const char *c = "OneCycleLR(";
    double max_lr = kw(t, c, "max_lr"), total = kw(t, c, "total_steps");
    double pct = kw(t, c, "pct_start"), div = kw(t, c, "div_factor");
    double fdiv = kw(t, c, "final_div_factor"), hi = kw(t, c, "max_momentum");
    double lo = kw(t, c, "base_momentum");
    bool three = kw(t, c, "three_phase") != 0.0, cyc = kw(t, c, "cycle_momentum") != 0.0;
    char strategy[16];
    kw_str(t, c, "anneal_strategy", strategy, sizeof strategy);
    double initial = max_lr / div, min_lr = initial / fdiv;
    typedef struct { double end, lr0, lr1, m0, m1; } phase;
    phase ph[3];
    int n;
    if (three) {
        ph[0] = (phase){ pct * total - 1, initial, max_lr, hi, lo };
        ph[1] = (phase){ 2 * pct * total - 2, max_lr, initial, lo, hi };
        ph[2] = (phase){ total - 1, initial, min_lr, hi, hi };
        n = 3;
    } else {
        ph[0] = (phase){ pct * total - 1, initial, max_lr, hi, lo };
        ph[1] = (phase){ total - 1, max_lr, min_lr, lo, hi };
        n = 2;
    }
    double start = 0.0;
    for (int i = 0; i < n; i++) {
        if ((double)step <= ph[i].end || i == n - 1) {
            double p = ((double)step - start) / (ph[i].end - start);
            *lr = torch_anneal(strategy, ph[i].lr0, ph[i].lr1, p);
            *mom = cyc ? torch_anneal(strategy, ph[i].m0, ph[i].m1, p)
                       : kw(t, OPTIMIZER, "momentum");
            return;
        }
        start = ph[i].end;
    }
}

/* CyclicLR: cycle = floor(1 + step/total_size), x = 1 + step/total_size -
 * cycle, scale = x/ratio or (x-1)/(ratio-1); triangular2 scales by
 * 1/2^(cycle-1), exp_range by gamma^step. */
static void torch_cyclic(const char *t, long step, double *lr, double *mom)
{
    const char *c = "CyclicLR(";
    double base = kw(t, c, "base_lr"), max_lr = kw(t, c, "max_lr");
    double up = kw(t, c, "step_size_up"), down = kw(t, c, "step_size_down");
    double gamma = kw(t, c, "gamma"), bm = kw(t, c, "base_momentum");
    double mm = kw(t, c, "max_momentum");
    char mode[16];
    kw_str(t, c, "mode", mode, sizeof mode);
    double total = up + down, ratio = up / total;
    double cycle = floor(1.0 + (double)step / total);
    double x = 1.0 + (double)step / total - cycle;
    double sf = x <= ratio ? x / ratio : (x - 1.0) / (ratio - 1.0);
    double scale = !strcmp(mode, "triangular2") ? 1.0 / pow(2.0, cycle - 1.0)
                 : !strcmp(mode, "exp_range") ? pow(gamma, (double)step) : 1.0;
    *lr = base + (max_lr - base) * sf * scale;
    *mom = kw(t, c, "cycle_momentum") != 0.0 ? mm - (mm - bm) * sf * scale
                                              : kw(t, OPTIMIZER, "momentum");
}

static void torch_step(const char *t, long step, double *lr, double *mom)
{
    double base = kw(t, OPTIMIZER, "lr");
    *lr = base * pow(kw(t, "StepLR(", "gamma"), floor((double)step / kw(t, "StepLR(",
                                                                           "step_size")));
    *mom = kw(t, OPTIMIZER, "momentum");
}

/* MultiStepLR: base * gamma^bisect_right(milestones, step). */
static void torch_multistep(const char *t, long step, double *lr, double *mom)
{
    double ms[32];
    int n = kw_list(t, "MultiStepLR(", "milestones", ms, 32), k = 0;
    for (int i = 0; i < n; i++)
        k += ms[i] <= (double)step;
    *lr = kw(t, OPTIMIZER, "lr") * pow(kw(t, "MultiStepLR(", "gamma"), k);
    *mom = kw(t, OPTIMIZER, "momentum");
}

/* ---- fastai ----------------------------------------------------------------- */

/* SchedCos(start, end)(pos) = start + (1 + cos(pi * (1 - pos))) * (end - start) / 2 */
static double sched_cos(double start, double end, double pos)
{
    return start + (1.0 + cos(PI * (1.0 - pos))) * (end - start) / 2.0;
}

/* combined_cos(pct, a, b, c) at pos: SchedCos(a, b) over [0, pct),
 * SchedCos(b, c) over [pct, 1]. */
static double combined_cos(double pct, double a, double b, double c, double pos)
{
    if (pos < pct)
        return sched_cos(a, b, pos / pct);
    return sched_cos(b, c, (pos - pct) / (1.0 - pct));
}

/* fit_one_cycle over N_EPOCH * iters_per_epoch iterations (the test's
 * iters_per_epoch: 100). */
static void fastai_one_cycle(const char *t, long step, double *lr, double *mom)
{
    const char *c = "fit_one_cycle(";
    double lr_max = kw(t, c, "lr_max"), div = kw(t, c, "div"), fin = kw(t, c, "div_final");
    double pct = kw(t, c, "pct_start"), moms[3];
    cr_assert_eq(kw_list(t, c, "moms", moms, 3), 3);
    double pos = (double)step / (constant(t, "N_EPOCH") * 100.0);
    *lr = combined_cos(pct, lr_max / div, lr_max, lr_max / fin, pos);
    *mom = combined_cos(pct, moms[0], moms[1], moms[2], pos);
}

static void fastai_fit(const char *t, long step, double *lr, double *mom)
{
    (void)step;
    *lr = kw(t, "learn.fit(", "lr");
    *mom = kw(t, "partial(SGD", "mom");
}

/* ---- the tests -------------------------------------------------------------- */

static sgd_opts default_sgd(void)
{
    sgd_opts o;
    sgd_opts_default(&o);
    return o;
}

Test(export, pytorch_onecycle_gives_lrscopes_schedule)
{
    sgd_opts o = default_sgd();
    sched s = make_pytorch(0.8, 100, 0.3, 25.0, 1e4);   /* test_sched_tables' ref_pt_cos */
    char *t = export_torch(&s, &o);
    cr_expect(strstr(t, "total_steps=TOTAL_STEPS"), "the iteration count is filled in");
    check_every_step(&s, t, torch_onecycle, 0, "OneCycleLR cos");
    free(t);

    s = make_pytorch(1.0, 1000, 0.25, 25.0, 1e4);        /* ref_pt_linear */
    s.anneal = ANNEAL_LINEAR;
    t = export_torch(&s, &o);
    check_every_step(&s, t, torch_onecycle, 0, "OneCycleLR linear");
    free(t);

    s = make_pytorch(0.5, 200, 0.3, 10.0, 100.0);        /* ref_pt_three */
    s.three_phase = true;
    t = export_torch(&s, &o);
    check_every_step(&s, t, torch_onecycle, 0, "OneCycleLR three-phase");
    free(t);

    s = make_pytorch(0.3, 777, 0.4, 7.0, 300.0);         /* momentum held */
    s.cycle_momentum = false;
    s.mom_max = 0.8;
    t = export_torch(&s, &o);
    check_every_step(&s, t, torch_onecycle, 0, "OneCycleLR constant momentum");
    free(t);
}

Test(export, pytorch_cycliclr_gives_lrscopes_clr_policies)
{
    sgd_opts o = default_sgd();
    sched s = make_clr(SCHED_TRIANGULAR, 0.1, 3.0, 500, 2000);
    char *t = export_torch(&s, &o);
    check_every_step(&s, t, torch_cyclic, 1500, "CyclicLR triangular");  /* keeps cycling */
    free(t);

    s = make_clr(SCHED_TRIANGULAR2, 0.01, 0.1, 4, 32);  /* ref_tri2 */
    t = export_torch(&s, &o);
    check_every_step(&s, t, torch_cyclic, 40, "CyclicLR triangular2");
    free(t);

    s = make_clr(SCHED_EXP_RANGE, 0.001, 0.006, 2000, 8000);   /* ref_exp_range */
    s.gamma = 0.99994;
    t = export_torch(&s, &o);
    check_every_step(&s, t, torch_cyclic, 0, "CyclicLR exp_range");
    free(t);

    s = make_clr(SCHED_TRIANGULAR, 0.2, 0.9, 37, 300);
    s.cycle_momentum = false;
    s.mom_max = 0.85;
    t = export_torch(&s, &o);
    check_every_step(&s, t, torch_cyclic, 0, "CyclicLR constant momentum");
    free(t);
}

Test(export, pytorch_step_schedules_give_lrscopes)
{
    sgd_opts o = default_sgd();
    sched s;
    sched_defaults(&s, SCHED_STEP);
    s.lr_max = 0.1;
    s.gamma = 0.5;
    s.stepsize = 3;
    s.total = 20;                                        /* ref_step */
    char *t = export_torch(&s, &o);
    check_every_step(&s, t, torch_step, 0, "StepLR");
    free(t);

    sched_defaults(&s, SCHED_MULTISTEP);                 /* the paper's step baseline */
    s.lr_max = 0.35;
    s.total = 8000;
    s.milestones[0] = 5000;
    s.milestones[1] = 7000;
    s.milestones[2] = 7000;                              /* a repeated one drops twice */
    s.n_milestones = 3;
    t = export_torch(&s, &o);
    check_every_step(&s, t, torch_multistep, 0, "MultiStepLR");
    free(t);
}

Test(export, restarted_cycle_exports_the_cycle_in_force)
{
    sgd_opts o = default_sgd();
    sched s = make_pytorch(0.8, 300, 0.3, 25.0, 1e4);
    sched_set_bounds(&s, 0.05, 1.2);                     /* a live edit */
    sched_restart(&s, 450);                              /* R at iteration 450 */
    char *t = export_torch(&s, &o);
    check_every_step(&s, t, torch_onecycle, 0, "OneCycleLR after a restart");
    cr_expect(strstr(t, "restarted its cycle at iteration 450"));
    free(t);
}

Test(export, fastai_fit_one_cycle_gives_lrscopes_fastai_style)
{
    sgd_opts o = default_sgd();
    sched s;
    sched_onecycle_defaults(&s, ONECYCLE_FASTAI);
    s.total = 1000;                                      /* ref_fastai: 10 epochs of 100 */
    char *t = export_fastai(&s, &o, 100);
    cr_expect_eq(constant(t, "N_EPOCH"), 10.0);
    check_every_step(&s, t, fastai_one_cycle, 0, "fit_one_cycle");
    free(t);

    sched_set_bounds(&s, 0.01, 2.0);
    s.pct_start = 0.4;
    s.final_div_factor = 3e3;
    s.cycle_momentum = false;
    s.mom_max = 0.9;
    s.total = 700;
    t = export_fastai(&s, &o, 100);
    check_every_step(&s, t, fastai_one_cycle, 0, "fit_one_cycle, held momentum");
    free(t);
}

Test(export, fastai_fit_gives_a_constant_lr)
{
    sgd_opts o = default_sgd();
    sched s;
    sched_defaults(&s, SCHED_CONST);
    s.lr_max = 0.07;
    s.mom_max = 0.8;
    s.total = 300;
    char *t = export_fastai(&s, &o, 100);
    check_every_step(&s, t, fastai_fit, 0, "fit");
    free(t);
}

/* Where no framework scheduler has the formula, the snippets carry it as a
 * Python function and use it: LambdaLR (plus the momentum, when it cycles)
 * and a callback in fastai. */
Test(export, other_policies_use_the_formula)
{
    sgd_opts o = default_sgd();
    sched s = make_smith(0.08, 0.8, 1000, 2500);         /* ref_smith */
    char *t = export_torch(&s, &o);
    cr_expect(strstr(t, "def lr_and_momentum(step):"));
    cr_expect(strstr(t, "LambdaLR("));
    cr_expect(strstr(t, "set_momentum(optimizer, step)"), "cycled momentum is set each step");
    cr_expect_eq(kw(t, OPTIMIZER, "lr"), 1.0, "LambdaLR's factor is the LR itself");
    free(t);
    t = export_fastai(&s, &o, 100);
    cr_expect(strstr(t, "cbs=LrscopeSchedule()"));
    cr_expect(!strstr(t, "fit_one_cycle("), "Smith's 1cycle is not fastai's");
    free(t);

    sched_defaults(&s, SCHED_INV);
    t = export_torch(&s, &o);
    cr_expect(strstr(t, "LambdaLR(") && !strstr(t, "def set_momentum"),
              "a constant momentum needs no per-step setting");
    free(t);
}

Test(export, optimizer_settings_follow_the_run)
{
    sgd_opts o = default_sgd();
    sched s;
    sched_defaults(&s, SCHED_CONST);
    char *t = export_torch(&s, &o);
    cr_expect(strstr(t, "class CaffeSGD(torch.optim.Optimizer)"), "Caffe's form by default");
    cr_expect(strstr(t, "return CaffeSGD(\n        param_groups(model)"));
    cr_expect(strstr(t, "def init_like_lrscope(model):"), "He normal unless --init torch");
    cr_expect_eq(constant(t, "WEIGHT_DECAY"), 1e-4);
    cr_expect_eq(constant(t, "BATCH_SIZE"), 128.0);
    cr_expect(strstr(t, "p.ndim > 1"), "decay on weights only");
    free(t);

    o.form = SGD_TORCH;
    o.wd = 3e-4;
    o.decay_bias = true;
    o.nesterov = true;
    t = export_torch(&s, &o);
    cr_expect(!strstr(t, "CaffeSGD"), "--sgd torch is torch.optim.SGD");
    cr_expect(strstr(t, "return torch.optim.SGD(\n        param_groups(model)"));
    cr_expect_eq(kw(t, OPTIMIZER, "nesterov"), 1.0);
    cr_expect_eq(constant(t, "WEIGHT_DECAY"), 3e-4);
    cr_expect(strstr(t, "not is_bn"), "--decay-bias decays biases but not batch norm");
    free(t);
    t = export_fastai(&s, &o, 100);
    cr_expect(strstr(t, "decouple_wd=False"), "coupled L2 in fastai");
    cr_expect(strstr(t, "wd_bn_bias=True"));
    free(t);
}

Test(export, refuses_invalid_input)
{
    sgd_opts o = default_sgd();
    sched s = make_clr(SCHED_TRIANGULAR, 0.5, 0.1, 10, 100);   /* min above max */
    export_info x = { .batch = 128 };
    char *t = (char *)1;
    lr_err e;
    cr_expect_eq(sched_export_pytorch(&s, &o, &x, &t, &e), -1);
    cr_expect_null(t);
    cr_expect(strstr(e.msg, "above"), "%s", e.msg);
    s = make_clr(SCHED_TRIANGULAR, 0.1, 0.5, 10, 100);
    x.batch = 0;
    cr_expect_eq(sched_export_fastai(&s, &o, &x, &t, &e), -1);
    cr_expect(strstr(e.msg, "batch"), "%s", e.msg);
}
