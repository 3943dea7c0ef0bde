/* test_sched.c — schedules against reference tables, edge cases, live edits,
 * validation, names, the one-line description and the config round trip.
 *
 * The tables were computed once, outside this code, from the published
 * definitions (PAPER.md sections 1-3): PyTorch's CyclicLR and OneCycleLR
 * get_lr, fastai's combine_scheds/SchedCos, Smith's Caffe 1cycle, Caffe's
 * step/multistep/inv, and the two sweep formulas. Past the plan the tables hold
 * the value at total-1, except for the periodic CLR policies. */
#include <criterion/criterion.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/sched.h"

typedef struct { long t; double lr, mom; } ref_row;

static const ref_row ref_const[] = {
    { 0, 0.1, 0.9 },
    { 50, 0.1, 0.9 },
    { 99, 0.1, 0.9 },
    { 1000, 0.1, 0.9 },
};
static const ref_row ref_step[] = {
    { 0, 0.1, 0.9 },
    { 2, 0.1, 0.9 },
    { 3, 0.05, 0.9 },
    { 5, 0.05, 0.9 },
    { 6, 0.025, 0.9 },
    { 17, 0.003125, 0.9 },
    { 18, 0.0015625, 0.9 },
    { 19, 0.0015625, 0.9 },
    { 25, 0.0015625, 0.9 },
    { 1000000, 0.0015625, 0.9 },
};
static const ref_row ref_multistep[] = {
    { 0, 0.35, 0.9 },
    { 49999, 0.35, 0.9 },
    { 50000, 0.034999999999999996, 0.9 },
    { 69999, 0.034999999999999996, 0.9 },
    { 70000, 0.0035000000000000005, 0.9 },
    { 79999, 0.0035000000000000005, 0.9 },
    { 90000, 0.0035000000000000005, 0.9 },
};
static const ref_row ref_multistep_dup[] = {
    { 0, 1.0, 0.9 },
    { 2, 1.0, 0.9 },
    { 3, 0.25, 0.9 },
    { 7, 0.25, 0.9 },
    { 8, 0.125, 0.9 },
    { 9, 0.125, 0.9 },
    { 50, 0.125, 0.9 },
};
static const ref_row ref_inv[] = {
    { 0, 0.01, 0.9 },
    { 1, 0.009999250065618985, 0.9 },
    { 100, 0.009925650290240803, 0.9 },
    { 5000, 0.007377879464668811, 0.9 },
    { 9999, 0.005946258561103331, 0.9 },
    { 20000, 0.005946258561103331, 0.9 },
};
static const ref_row ref_clr[] = {
    { 0, 0.1, 0.9 },
    { 1, 0.10057999999999995, 0.89998 },
    { 2500, 1.55, 0.8500000000000001 },
    { 4999, 2.99942, 0.8000200000000001 },
    { 5000, 3.0, 0.8 },
    { 5001, 2.99942, 0.8000200000000001 },
    { 7500, 1.55, 0.8500000000000001 },
    { 9999, 0.10057999999999995, 0.89998 },
    { 10000, 0.1, 0.9 },
    { 12500, 1.55, 0.8500000000000001 },
    { 15000, 3.0, 0.8 },
};
static const ref_row ref_tri2[] = {
    { 0, 0.01, 0.9 },
    { 2, 0.05500000000000001, 0.8500000000000001 },
    { 4, 0.1, 0.8 },
    { 6, 0.05500000000000001, 0.8500000000000001 },
    { 8, 0.01, 0.9 },
    { 10, 0.0325, 0.875 },
    { 12, 0.05500000000000001, 0.8500000000000001 },
    { 16, 0.01, 0.9 },
    { 20, 0.0325, 0.875 },
    { 24, 0.01, 0.9 },
    { 40, 0.01, 0.9 },
};
static const ref_row ref_exp_range[] = {
    { 0, 0.001, 0.9 },
    { 1000, 0.00335440709585463, 0.8529118580829075 },
    { 2000, 0.0054345862184085065, 0.81130827563183 },
    { 3000, 0.0030881642519600275, 0.8582367149607995 },
    { 4000, 0.001, 0.9 },
    { 6000, 0.004488343954531024, 0.8302331209093795 },
    { 10000, 0.0037440087858930434, 0.8451198242821392 },
    { 50000, 0.00124891293777122, 0.8950217412445757 },
};
static const ref_row ref_smith[] = {
    { 0, 0.08, 0.95 },
    { 250, 0.26, 0.9249999999999999 },
    { 1000, 0.8, 0.85 },
    { 1001, 0.7992, 0.8501 },
    { 1500, 0.4, 0.8999999999999999 },
    { 1999, 0.0008000000000000008, 0.9499 },
    { 2000, 0.0, 0.95 },
    { 2001, 8e-05, 0.95 },
    { 2499, 8e-05, 0.95 },
    { 5000, 8e-05, 0.95 },
};
static const ref_row ref_smith_derived[] = {
    { 0, 0.08, 0.95 },
    { 4500, 0.8, 0.85 },
    { 8999, 0.00017777777777778782, 0.9499777777777777 },
    { 9000, 0.0, 0.95 },
    { 9001, 8e-05, 0.95 },
    { 9999, 8e-05, 0.95 },
    { 12000, 8e-05, 0.95 },
};
static const ref_row ref_pt_cos[] = {
    { 0, 0.03200000000000003, 0.95 },
    { 1, 0.03425102445272599, 0.9497068978577179 },
    { 10, 0.23613115877128066, 0.9234204220349895 },
    { 28, 0.7977489755472741, 0.850293102142282 },
    { 29, 0.8, 0.85 },
    { 30, 0.7995972282276195, 0.8500503466729342 },
    { 31, 0.7983897240392254, 0.850201285300238 },
    { 50, 0.6351147604605856, 0.8706107373853763 },
    { 98, 0.0004059717723806304, 0.9499496533270657 },
    { 99, 3.2e-06, 0.95 },
    { 150, 3.2e-06, 0.95 },
};
static const ref_row ref_pt_linear[] = {
    { 0, 0.04, 0.95 },
    { 100, 0.42554216867469874, 0.9098393574297189 },
    { 248, 0.996144578313253, 0.8504016064257028 },
    { 249, 1.0, 0.85 },
    { 250, 0.998666672, 0.8501333333333333 },
    { 500, 0.665334672, 0.8834666666666666 },
    { 999, 4.000000000004e-06, 0.95 },
};
static const ref_row ref_pt_three[] = {
    { 0, 0.04999999999999999, 0.95 },
    { 30, 0.2809896173234993, 0.8986689739281112 },
    { 59, 0.5, 0.85 },
    { 60, 0.49968110652727143, 0.8500708652161619 },
    { 80, 0.3733941471032425, 0.8781346339770572 },
    { 118, 0.05, 0.95 },
    { 119, 0.0499813868244797, 0.95 },
    { 150, 0.03326241506594345, 0.95 },
    { 199, 0.0005, 0.95 },
    { 400, 0.0005, 0.95 },
};
static const ref_row ref_pt_total1[] = {
    { 0, 3.2e-06, 0.95 },
    { 5, 3.2e-06, 0.95 },
};
static const ref_row ref_fastai[] = {
    { 0, 0.032, 0.95 },
    { 1, 0.03203031902573461, 0.9499960522101908 },
    { 100, 0.2973374741600202, 0.9154508497187474 },
    { 249, 0.7999696809742655, 0.8500039477898091 },
    { 250, 0.8, 0.85 },
    { 251, 0.799996490847547, 0.8500004386484431 },
    { 600, 0.44181496719320845, 0.8947735768366173 },
    { 998, 2.2036548240844667e-05, 0.949998245413924 },
    { 999, 1.1509152453070826e-05, 0.9499995613515568 },
    { 2000, 1.1509152453070826e-05, 0.9499995613515568 },
};
static const ref_row ref_sweep_lin[] = {
    { 0, 0.0, 0.9 },
    { 1, 0.0006, 0.9 },
    { 2500, 1.5, 0.9 },
    { 4999, 2.9994, 0.9 },
    { 6000, 2.9994, 0.9 },
};
static const ref_row ref_sweep_exp[] = {
    { 0, 1e-07, 0.9 },
    { 1, 1.202264434617413e-07, 0.9 },
    { 50, 0.001, 0.9 },
    { 99, 8.317637711026709, 0.9 },
    { 200, 8.317637711026709, 0.9 },
};
static const ref_row ref_edit_clr[] = {
    { 2500, 1.1, 0.8500000000000001 },
    { 7000, 1.2800000000000002, 0.8400000000000001 },
};
static const ref_row ref_edit_pt[] = {
    { 50, 0.3969465191804921, 0.8706107373853763 },
    { 99, 1e-06, 0.95 },
};
static const ref_row ref_edit_smith[] = {
    { 1500, 0.6, 0.8999999999999999 },
    { 2200, 5e-05, 0.95 },
};
static const ref_row ref_edit_mom_clr[] = {
    { 2500, 1.55, 0.825 },
    { 7000, 1.8400000000000003, 0.7999999999999999 },
};

/* Relative error below 1e-6; an expected 0 must be (almost) exactly 0. */
static bool close_to(double got, double want)
{
    if (want == 0.0)
        return fabs(got) <= 1e-12;
    return fabs(got - want) <= 1e-6 * fabs(want);
}

static void check_table(const sched *s, const ref_row *rows, size_t n, const char *name)
{
    lr_err e = { "" };
    cr_assert(sched_validate(s, &e) == 0, "%s: schedule refused: %s", name, e.msg);
    for (size_t i = 0; i < n; i++) {
        double lr = (double)NAN, mom = (double)NAN;
        sched_at(s, rows[i].t, &lr, &mom);
        cr_expect(close_to(lr, rows[i].lr), "%s: lr at t=%ld is %.17g, expected %.17g",
                  name, rows[i].t, lr, rows[i].lr);
        cr_expect(close_to(mom, rows[i].mom), "%s: momentum at t=%ld is %.17g, expected %.17g",
                  name, rows[i].t, mom, rows[i].mom);
    }
}
#define CHECK_TABLE(s, table) check_table((s), (table), sizeof (table) / sizeof (table)[0], #table)

static double lr_at(const sched *s, long t)
{
    double lr;
    sched_at(s, t, &lr, NULL);
    return lr;
}

static double mom_at(const sched *s, long t)
{
    double mom;
    sched_at(s, t, NULL, &mom);
    return mom;
}

static sched make_clr(sched_policy p, double lo, double hi, long ss, long total)
{
    sched s;
    sched_defaults(&s, p);
    sched_set_bounds(&s, lo, hi);
    s.stepsize = ss;
    s.total = total;
    return s;
}

static sched make_smith(double b, double m, long ss, long total)
{
    sched s;
    sched_onecycle_defaults(&s, ONECYCLE_SMITH);
    sched_set_bounds(&s, b, m);
    s.stepsize = ss;
    s.total = total;
    return s;
}

static sched make_pytorch(double max_lr, long total, double pct, double div, double fdiv)
{
    sched s;
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    s.lr_max = max_lr;
    s.div_factor = div;
    sched_set_bounds(&s, max_lr / div, max_lr);
    s.total = total;
    s.pct_start = pct;
    s.final_div_factor = fdiv;
    return s;
}

/* ---- reference tables, one policy at a time ---------------------------- */

Test(sched, const_table)
{
    sched s;
    sched_defaults(&s, SCHED_CONST);
    s.lr_max = 0.1;
    s.total = 100;
    CHECK_TABLE(&s, ref_const);
}

Test(sched, step_table)
{
    sched s;
    sched_defaults(&s, SCHED_STEP);
    s.lr_max = 0.1;
    s.gamma = 0.5;
    s.stepsize = 3;
    s.total = 20;
    CHECK_TABLE(&s, ref_step);
}

Test(sched, multistep_table)
{
    /* The paper's step baseline: 0.35, divided by 10 at 50k and 70k of 80k. */
    sched s;
    sched_defaults(&s, SCHED_MULTISTEP);
    s.lr_max = 0.35;
    s.gamma = 0.1;
    s.total = 80000;
    s.milestones[0] = 50000;
    s.milestones[1] = 70000;
    s.n_milestones = 2;
    CHECK_TABLE(&s, ref_multistep);

    /* A repeated milestone drops twice, as PyTorch's MultiStepLR does. */
    s.lr_max = 1.0;
    s.gamma = 0.5;
    s.total = 10;
    s.milestones[0] = 3;
    s.milestones[1] = 3;
    s.milestones[2] = 8;
    s.n_milestones = 3;
    CHECK_TABLE(&s, ref_multistep_dup);
}

Test(sched, inv_table)
{
    sched s;
    sched_defaults(&s, SCHED_INV); /* Caffe LeNet: 0.01, gamma 1e-4, power 0.75 */
    s.total = 10000;
    CHECK_TABLE(&s, ref_inv);
}

Test(sched, clr_table)
{
    /* The headline CIFAR-10 run: 0.1 -> 3 -> 0.1, stepsize 5000, 10k iterations;
     * momentum cycled 0.9 <-> 0.8 as PyTorch's CyclicLR does. */
    sched s = make_clr(SCHED_TRIANGULAR, 0.1, 3.0, 5000, 10000);
    CHECK_TABLE(&s, ref_clr);
}

Test(sched, triangular2_table)
{
    sched s = make_clr(SCHED_TRIANGULAR2, 0.01, 0.1, 4, 32);
    CHECK_TABLE(&s, ref_tri2);
}

Test(sched, exp_range_table)
{
    sched s = make_clr(SCHED_EXP_RANGE, 0.001, 0.006, 2000, 8000);
    s.gamma = 0.99994;
    CHECK_TABLE(&s, ref_exp_range);
}

Test(sched, smith_1cycle_table)
{
    sched s = make_smith(0.08, 0.8, 1000, 2500);
    CHECK_TABLE(&s, ref_smith);
    cr_expect_eq(sched_half_cycle(&s), 1000);
}

Test(sched, smith_1cycle_stepsize_from_cycle_frac)
{
    sched s = make_smith(0.08, 0.8, 0, 10000);
    s.cycle_frac = 0.9;
    cr_expect_eq(sched_half_cycle(&s), 4500, "0.9 of 10000 is a cycle of 9000, ss 4500");
    CHECK_TABLE(&s, ref_smith_derived);
    s.total = 999;
    cr_expect_eq(sched_half_cycle(&s), 449, "floor(0.9*999/2) = floor(449.55) = 449");
    s.total = 1;
    cr_expect_eq(sched_half_cycle(&s), 1, "never below one iteration");
}

Test(sched, pytorch_1cycle_cos_table)
{
    sched s = make_pytorch(0.8, 100, 0.3, 25.0, 1e4);
    CHECK_TABLE(&s, ref_pt_cos);
}

Test(sched, pytorch_1cycle_linear_table)
{
    sched s = make_pytorch(1.0, 1000, 0.25, 25.0, 1e4);
    s.anneal = ANNEAL_LINEAR;
    CHECK_TABLE(&s, ref_pt_linear);
}

Test(sched, pytorch_1cycle_three_phase_table)
{
    sched s = make_pytorch(0.5, 200, 0.3, 10.0, 100.0);
    s.three_phase = true;
    CHECK_TABLE(&s, ref_pt_three);
}

Test(sched, fastai_1cycle_table)
{
    sched s;
    sched_onecycle_defaults(&s, ONECYCLE_FASTAI); /* 0.25, div 25, div_final 1e5, cos */
    s.total = 1000;
    CHECK_TABLE(&s, ref_fastai);
}

Test(sched, sweep_tables)
{
    sched s;
    sched_defaults(&s, SCHED_SWEEP_LINEAR); /* 0 -> 3 over 5000, the authors' setting */
    CHECK_TABLE(&s, ref_sweep_lin);
    sched_defaults(&s, SCHED_SWEEP_EXP);    /* fastai: 1e-7 -> 10 over 100 */
    CHECK_TABLE(&s, ref_sweep_exp);
}

/* ---- edge cases ---------------------------------------------------------- */

Test(sched, stepsize_one)
{
    sched s = make_clr(SCHED_TRIANGULAR, 0.1, 1.0, 1, 10);
    s.cycle_momentum = false;
    const double want[] = { 0.1, 1.0, 0.1, 1.0, 0.1 };
    for (long t = 0; t < 5; t++)
        cr_expect(close_to(lr_at(&s, t), want[t]), "clr ss=1 t=%ld: %g", t, lr_at(&s, t));
    cr_expect_eq(mom_at(&s, 1), s.mom_max, "momentum not cycled: mom_max");

    s = make_smith(0.1, 1.0, 1, 5);
    const double smith[] = { 0.1, 1.0, 0.0, 1e-4, 1e-4, 1e-4 };
    for (long t = 0; t < 6; t++)
        cr_expect(close_to(lr_at(&s, t), smith[t]), "smith ss=1 t=%ld: %g", t, lr_at(&s, t));
}

Test(sched, run_shorter_than_one_cycle)
{
    /* CLR is periodic: past the plan it keeps cycling. */
    sched s = make_clr(SCHED_TRIANGULAR, 0.0, 1.0, 100, 50);
    cr_expect(close_to(lr_at(&s, 49), 0.49));
    cr_expect(close_to(lr_at(&s, 150), 0.5), "t=150 is half-way down: %g", lr_at(&s, 150));
    /* 1cycle holds its last planned value, even mid-rise. */
    s = make_smith(0.1, 1.1, 100, 50);
    cr_expect(close_to(lr_at(&s, 49), 0.59));
    cr_expect_eq(lr_at(&s, 80), lr_at(&s, 49));
    cr_expect_eq(mom_at(&s, 80), mom_at(&s, 49));
}

Test(sched, first_and_last_iteration)
{
    sched s = make_pytorch(0.8, 100, 0.3, 25.0, 1e4);
    cr_expect(close_to(lr_at(&s, 0), 0.8 / 25.0), "starts at max/div_factor");
    cr_expect(close_to(lr_at(&s, 99), 0.8 / 25.0 / 1e4), "ends at start/final_div_factor");
    sched_onecycle_defaults(&s, ONECYCLE_FASTAI);
    s.total = 1000;
    cr_expect(close_to(lr_at(&s, 0), 0.8 / 25.0));
    cr_expect(lr_at(&s, 999) < 0.8 / 25.0 / 1000.0, "fastai ends near lr_max/1e5");
    cr_expect(lr_at(&s, 999) > 0.8 / 1e5);
}

Test(sched, past_end_holds_last_planned_value)
{
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        if (p == SCHED_TRIANGULAR || p == SCHED_TRIANGULAR2 || p == SCHED_EXP_RANGE)
            continue;
        sched s;
        sched_defaults(&s, (sched_policy)p);
        s.origin = 7;
        long last = sched_end(&s) - 1;
        const long later[] = { last + 1, last + 2, 10 * last, LONG_MAX };
        for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
            cr_expect_eq(lr_at(&s, later[i]), lr_at(&s, last), "%s at t=%ld",
                         sched_policy_name(s.policy), later[i]);
            cr_expect_eq(mom_at(&s, later[i]), mom_at(&s, last));
        }
    }
}

Test(sched, before_origin_is_origin)
{
    sched s = make_clr(SCHED_TRIANGULAR, 0.1, 3.0, 5000, 10000);
    s.origin = 300;
    cr_expect_eq(lr_at(&s, 0), lr_at(&s, 300));
    cr_expect_eq(lr_at(&s, LONG_MIN), lr_at(&s, 300));
    cr_expect(close_to(lr_at(&s, 300 + 2500), 1.55));
    cr_expect_eq(sched_end(&s), 10300);
}

Test(sched, tiny_runs)
{
    /* PyTorch with total 1: the rise phase ends at -0.7, so step 0 is the end of
     * the annealing phase (PyTorch computes the same). */
    sched s = make_pytorch(0.8, 1, 0.3, 25.0, 1e4);
    CHECK_TABLE(&s, ref_pt_total1);
    /* pct_start*total = 1: a rise phase of zero length, where PyTorch would divide
     * by zero; it counts as finished, so step 0 is at lr_max. */
    s = make_pytorch(0.8, 10, 0.1, 25.0, 1e4);
    cr_expect(close_to(lr_at(&s, 0), 0.8), "got %g", lr_at(&s, 0));
    cr_expect(close_to(lr_at(&s, 9), 0.8 / 25.0 / 1e4));
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        sched d;
        sched_defaults(&d, (sched_policy)p);
        d.total = 1;
        d.stepsize = d.stepsize > 0 ? 1 : 0;
        lr_err e = { "" };
        cr_expect(sched_validate(&d, &e) == 0, "%s total=1: %s", sched_policy_name(d.policy),
                  e.msg);
        cr_expect(isfinite(lr_at(&d, 0)) && isfinite(mom_at(&d, 0)));
        cr_expect(lr_at(&d, 0) >= 0.0);
    }
}

static void expect_finite_everywhere(const sched *s, const char *what)
{
    long end = sched_end(s);
    const long ts[] = { LONG_MIN, -1, 0, 1, end - 2, end - 1, end, end + 1, 3 * end,
                        LONG_MAX / 3, LONG_MAX - 1, LONG_MAX };
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        double lr = (double)NAN, mom = (double)NAN;
        sched_at(s, ts[i], &lr, &mom);
        cr_expect(isfinite(lr) && isfinite(mom), "%s at t=%ld: lr %g mom %g", what, ts[i],
                  lr, mom);
        cr_expect(lr >= 0.0, "%s at t=%ld: negative lr %g", what, ts[i], lr);
    }
}

Test(sched, never_nan)
{
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        sched s;
        sched_defaults(&s, (sched_policy)p);
        expect_finite_everywhere(&s, sched_policy_name(s.policy));
        s.origin = 1000000;
        expect_finite_everywhere(&s, sched_policy_name(s.policy));
        if (s.stepsize > 0) {
            s.stepsize = 1;
            expect_finite_everywhere(&s, "stepsize 1");
        }
    }
    for (int st = 0; st < ONECYCLE_N_STYLES; st++) {
        sched s;
        sched_onecycle_defaults(&s, (onecycle_style)st);
        expect_finite_everywhere(&s, sched_style_name(s.style));
        s.total = 1;
        expect_finite_everywhere(&s, "1cycle total 1");
        s.total = 3;
        s.three_phase = st == ONECYCLE_PYTORCH;
        expect_finite_everywhere(&s, "1cycle total 3");
    }
}

/* ---- live edits ---------------------------------------------------------- */

Test(sched, set_bounds_keeps_cycle_position)
{
    sched s = make_clr(SCHED_TRIANGULAR, 0.1, 3.0, 5000, 10000);
    s.origin = 0;
    cr_expect(close_to(lr_at(&s, 2500), 1.55));
    sched_set_bounds(&s, 0.2, 2.0);
    cr_expect_eq(s.origin, 0, "origin unchanged");
    CHECK_TABLE(&s, ref_edit_clr);
    sched fresh = make_clr(SCHED_TRIANGULAR, 0.2, 2.0, 5000, 10000);
    for (long t = 2500; t < 10000; t += 777)
        cr_expect_eq(lr_at(&s, t), lr_at(&fresh, t));

    s = make_smith(0.08, 0.8, 1000, 2500);
    sched_set_bounds(&s, 0.05, 1.2);  /* mid-fall, at t = 1500 */
    CHECK_TABLE(&s, ref_edit_smith);
}

Test(sched, set_bounds_on_pytorch_moves_div_factor)
{
    sched s = make_pytorch(0.8, 100, 0.3, 25.0, 1e4);
    sched_set_bounds(&s, 0.01, 0.5);
    cr_expect(close_to(s.div_factor, 50.0), "div_factor %g", s.div_factor);
    cr_expect_eq(s.lr_min, 0.01);
    CHECK_TABLE(&s, ref_edit_pt);
}

Test(sched, set_momentum_keeps_cycle_position)
{
    sched s = make_clr(SCHED_TRIANGULAR, 0.1, 3.0, 5000, 10000);
    sched_set_momentum(&s, 0.95, 0.7);
    CHECK_TABLE(&s, ref_edit_mom_clr);
    sched_onecycle_defaults(&s, ONECYCLE_SMITH);
    s.stepsize = 100;
    sched_set_momentum(&s, 0.9, 0.8);
    cr_expect(close_to(mom_at(&s, 50), 0.85));
    cr_expect(close_to(mom_at(&s, 100), 0.8));
    cr_expect(close_to(mom_at(&s, 500), 0.9), "the tail stays at the maximum");
}

static void expect_restart(const sched *fresh, long tr)
{
    sched s = *fresh;
    sched_at(&s, tr / 2, NULL, NULL);
    sched_restart(&s, tr);
    const char *name = sched_policy_name(s.policy);
    cr_expect_eq(s.origin, tr);
    cr_expect_eq(sched_end(&s), tr + fresh->total, "%s: total unchanged", name);
    cr_expect_eq(lr_at(&s, tr), lr_at(fresh, 0), "%s: restart starts a fresh cycle", name);
    cr_expect_eq(mom_at(&s, tr), mom_at(fresh, 0));
    for (long k = 1; k < 3 * fresh->total; k += 1 + fresh->total / 7)
        cr_expect_eq(lr_at(&s, tr + k), lr_at(fresh, k), "%s: u=%ld", name, k);
}

Test(sched, restart_starts_fresh_cycle)
{
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        sched s;
        sched_defaults(&s, (sched_policy)p);
        expect_restart(&s, 1234);
    }
    for (int st = 0; st < ONECYCLE_N_STYLES; st++) {
        sched s;
        sched_onecycle_defaults(&s, (onecycle_style)st);
        s.total = 500;
        expect_restart(&s, 2500);
    }
    sched s;
    sched_defaults(&s, SCHED_CONST);
    sched_restart(&s, -5);
    cr_expect_eq(s.origin, 0);
}

/* ---- validation ---------------------------------------------------------- */

Test(sched, defaults_are_valid)
{
    lr_err e = { "" };
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        sched s;
        sched_defaults(&s, (sched_policy)p);
        cr_expect(sched_validate(&s, &e) == 0, "%s: %s", sched_policy_name(s.policy), e.msg);
        cr_expect_eq(s.policy, (sched_policy)p);
    }
    for (int st = 0; st < ONECYCLE_N_STYLES; st++) {
        sched s;
        sched_onecycle_defaults(&s, (onecycle_style)st);
        cr_expect(sched_validate(&s, &e) == 0, "%s: %s", sched_style_name(s.style), e.msg);
        cr_expect_eq(s.style, (onecycle_style)st);
    }
    sched s;
    sched_defaults(&s, SCHED_1CYCLE);
    cr_expect_eq(s.style, ONECYCLE_SMITH);
    cr_expect_eq(s.stepsize, 0);
    cr_expect_eq(s.smith_floor_div, 1000.0);
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    cr_expect(s.pct_start == 0.3 && s.div_factor == 25.0 && s.final_div_factor == 1e4);
    cr_expect(s.mom_max == 0.95 && s.mom_min == 0.85 && s.cycle_momentum);
    cr_expect(close_to(s.lr_min, s.lr_max / 25.0), "lr_min mirrors the start LR");
    sched_onecycle_defaults(&s, ONECYCLE_FASTAI);
    cr_expect(s.pct_start == 0.25 && s.div_factor == 25.0 && s.final_div_factor == 1e5);
    sched_defaults(&s, SCHED_TRIANGULAR);
    cr_expect(s.stepsize == 2000 && s.mom_max == 0.9 && s.mom_min == 0.8);
}

static const struct bad_case {
    sched_policy policy;
    onecycle_style style;
    const char *key1, *val1, *key2, *val2;
    const char *needle;       /* the message must contain this */
} bad_cases[] = {
    { SCHED_CONST, 0, "total", "0", NULL, NULL, "at least 1" },
    { SCHED_CONST, 0, "total", "-3", NULL, NULL, "total" },
    { SCHED_CONST, 0, "origin", "-5", NULL, NULL, "origin" },
    { SCHED_CONST, 0, "lr_max", "0", NULL, NULL, "greater than 0" },
    { SCHED_STEP, 0, "lr_max", "-0.1", NULL, NULL, "greater than 0" },
    { SCHED_CONST, 0, "lr_max", "nan", NULL, NULL, "finite" },
    { SCHED_CONST, 0, "lr_max", "inf", NULL, NULL, "finite" },
    { SCHED_STEP, 0, "stepsize", "0", NULL, NULL, "at least 1" },
    { SCHED_STEP, 0, "gamma", "0", NULL, NULL, "gamma" },
    { SCHED_STEP, 0, "gamma", "1e10", "stepsize", "1", "overflow" },
    { SCHED_MULTISTEP, 0, "milestones", "7500,5000", NULL, NULL, "increasing order" },
    { SCHED_MULTISTEP, 0, "milestones", "-1,5", NULL, NULL, "negative" },
    { SCHED_MULTISTEP, 0, "gamma", "-0.1", NULL, NULL, "gamma" },
    { SCHED_INV, 0, "power", "-1", NULL, NULL, "0 or more" },
    { SCHED_INV, 0, "gamma", "-1e-4", NULL, NULL, "0 or more" },
    { SCHED_TRIANGULAR, 0, "stepsize", "0", NULL, NULL, "at least 1" },
    { SCHED_TRIANGULAR2, 0, "stepsize", "-4", NULL, NULL, "half a cycle" },
    { SCHED_TRIANGULAR, 0, "lr_min", "0.5", "lr_max", "0.1", "must not exceed" },
    { SCHED_TRIANGULAR, 0, "lr_min", "-0.01", NULL, NULL, "0 or more" },
    { SCHED_TRIANGULAR, 0, "lr_max", "0", "lr_min", "0", "greater than 0" },
    { SCHED_EXP_RANGE, 0, "gamma", "1.5", NULL, NULL, "(0, 1]" },
    { SCHED_EXP_RANGE, 0, "gamma", "0", NULL, NULL, "(0, 1]" },
    { SCHED_TRIANGULAR, 0, "mom_max", "1", NULL, NULL, "[0, 1)" },
    { SCHED_TRIANGULAR, 0, "mom_max", "-0.1", NULL, NULL, "[0, 1)" },
    { SCHED_TRIANGULAR, 0, "mom_min", "1.2", "mom_max", "0.9", "[0, 1)" },
    { SCHED_TRIANGULAR, 0, "mom_min", "0.95", "mom_max", "0.85", "reversed" },
    { SCHED_CONST, 0, "cycle_momentum", "true", "mom_min", "0.8", "cannot cycle momentum" },
    { SCHED_1CYCLE, ONECYCLE_SMITH, "lr_min", "0", NULL, NULL, "greater than 0" },
    { SCHED_1CYCLE, ONECYCLE_SMITH, "lr_min", "1", "lr_max", "0.5", "must not exceed" },
    { SCHED_1CYCLE, ONECYCLE_SMITH, "stepsize", "-1", NULL, NULL, "at least 1" },
    { SCHED_1CYCLE, ONECYCLE_SMITH, "cycle_frac", "0", NULL, NULL, "(0, 1]" },
    { SCHED_1CYCLE, ONECYCLE_SMITH, "cycle_frac", "1.5", NULL, NULL, "(0, 1]" },
    { SCHED_1CYCLE, ONECYCLE_SMITH, "smith_floor_div", "0.5", NULL, NULL, "at least 1" },
    { SCHED_1CYCLE, ONECYCLE_PYTORCH, "pct_start", "0", NULL, NULL, "(0, 1)" },
    { SCHED_1CYCLE, ONECYCLE_PYTORCH, "pct_start", "1", NULL, NULL, "(0, 1)" },
    { SCHED_1CYCLE, ONECYCLE_FASTAI, "pct_start", "-0.2", NULL, NULL, "(0, 1)" },
    { SCHED_1CYCLE, ONECYCLE_PYTORCH, "three_phase", "true", "pct_start", "0.5", "below 0.5" },
    { SCHED_1CYCLE, ONECYCLE_FASTAI, "three_phase", "true", NULL, NULL, "two phases" },
    { SCHED_1CYCLE, ONECYCLE_PYTORCH, "div_factor", "0.5", NULL, NULL, "div_factor" },
    { SCHED_1CYCLE, ONECYCLE_FASTAI, "final_div_factor", "0", NULL, NULL, "final_div_factor" },
    { SCHED_1CYCLE, ONECYCLE_PYTORCH, "lr_max", "0", NULL, NULL, "greater than 0" },
    { SCHED_1CYCLE, ONECYCLE_PYTORCH, "mom_min", "0.99", NULL, NULL, "reversed" },
    { SCHED_SWEEP_EXP, 0, "lr_min", "0", NULL, NULL, "greater than 0" },
    { SCHED_SWEEP_LINEAR, 0, "lr_min", "-1", NULL, NULL, "0 or more" },
    { SCHED_SWEEP_LINEAR, 0, "lr_min", "4", NULL, NULL, "must not exceed" },
};

Test(sched, validate_refuses_bad_settings)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        sched s, before;
        lr_err e = { "" };
        if (c->policy == SCHED_1CYCLE)
            sched_onecycle_defaults(&s, c->style);
        else
            sched_defaults(&s, c->policy);
        cr_assert(sched_set_param(&s, c->key1, c->val1, &e) == 0, "%s", e.msg);
        if (c->key2)
            cr_assert(sched_set_param(&s, c->key2, c->val2, &e) == 0, "%s", e.msg);
        memcpy(&before, &s, sizeof s);
        e.msg[0] = '\0';
        int rc = sched_validate(&s, &e);
        cr_expect_eq(rc, -1, "case %zu (%s %s=%s) was accepted", i,
                     sched_policy_name(c->policy), c->key1, c->val1);
        cr_expect(strstr(e.msg, c->needle) != NULL,
                  "case %zu (%s %s=%s): message \"%s\" lacks \"%s\"", i,
                  sched_policy_name(c->policy), c->key1, c->val1, e.msg, c->needle);
        cr_expect(memcmp(&before, &s, sizeof s) == 0, "validate changed the schedule");
    }
}

Test(sched, validate_refuses_out_of_range_enums)
{
    sched s;
    lr_err e = { "" };
    sched_defaults(&s, SCHED_CONST);
    s.policy = (sched_policy)99;
    cr_expect_eq(sched_validate(&s, &e), -1);
    cr_expect(strstr(e.msg, "1cycle") != NULL, "lists the policies: %s", e.msg);
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    s.style = (onecycle_style)7;
    cr_expect_eq(sched_validate(&s, &e), -1);
    cr_expect(strstr(e.msg, "smith, pytorch or fastai") != NULL, "%s", e.msg);
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    s.anneal = (sched_anneal)9;
    cr_expect_eq(sched_validate(&s, &e), -1);
    cr_expect(strstr(e.msg, "cos or linear") != NULL, "%s", e.msg);
    sched_defaults(&s, SCHED_MULTISTEP);
    s.n_milestones = SCHED_MAX_MILESTONES + 1;
    cr_expect_eq(sched_validate(&s, &e), -1);
    cr_expect(strstr(e.msg, "milestones") != NULL, "%s", e.msg);
    cr_expect_eq(sched_validate(&s, NULL), -1, "a NULL lr_err is allowed");
}

Test(sched, validate_accepts_edges)
{
    lr_err e = { "" };
    sched s = make_clr(SCHED_TRIANGULAR, 0.0, 0.1, 1, 1);  /* base 0, ss 1, total 1 */
    cr_expect(sched_validate(&s, &e) == 0, "%s", e.msg);
    s = make_clr(SCHED_TRIANGULAR, 0.1, 0.1, 10, 100);     /* flat cycle */
    cr_expect(sched_validate(&s, &e) == 0, "%s", e.msg);
    sched_defaults(&s, SCHED_MULTISTEP);
    s.n_milestones = 0;                                    /* no drops */
    cr_expect(sched_validate(&s, &e) == 0, "%s", e.msg);
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    s.lr_min = 123.0;  /* a stale mirror: ignored, the start is lr_max/div_factor */
    cr_expect(sched_validate(&s, &e) == 0, "%s", e.msg);
    cr_expect(close_to(lr_at(&s, 0), s.lr_max / s.div_factor));
    sched_defaults(&s, SCHED_CONST);
    s.mom_max = 0.0;
    cr_expect(sched_validate(&s, &e) == 0, "%s", e.msg);
}

/* ---- names, description, config, help ----------------------------------- */

Test(sched, policy_names_round_trip)
{
    const char *names[] = { "const", "step", "multistep", "inv", "clr", "triangular2",
                            "exp_range", "1cycle", "sweep-linear", "sweep-exp" };
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        sched_policy out = SCHED_N_POLICIES;
        cr_expect_str_eq(sched_policy_name((sched_policy)p), names[p]);
        cr_expect_eq(sched_policy_parse(names[p], &out), 0);
        cr_expect_eq(out, (sched_policy)p);
        cr_expect(strstr(sched_policy_list(), names[p]) != NULL);
    }
    sched_policy out = SCHED_N_POLICIES;
    cr_expect(sched_policy_parse("triangular", &out) == 0 && out == SCHED_TRIANGULAR);
    cr_expect(sched_policy_parse("constant", &out) == 0 && out == SCHED_CONST);
    out = SCHED_STEP;
    cr_expect_eq(sched_policy_parse("cosine", &out), -1);
    cr_expect_eq(out, SCHED_STEP, "unchanged on failure");
    cr_expect_eq(sched_policy_parse("", &out), -1);
    cr_expect_str_eq(sched_policy_name((sched_policy)42), "?");

    onecycle_style st;
    cr_expect(sched_style_parse("fastai", &st) == 0 && st == ONECYCLE_FASTAI);
    cr_expect_eq(sched_style_parse("keras", &st), -1);
    sched_anneal an;
    cr_expect(sched_anneal_parse("linear", &an) == 0 && an == ANNEAL_LINEAR);
    cr_expect_str_eq(sched_anneal_name(ANNEAL_COS), "cos");
}

Test(sched, describe_one_line)
{
    char buf[128];
    sched s = make_smith(0.08, 0.8, 1000, 2500);
    int n = sched_describe(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "1cycle smith 0.08->0.8 ss=1000 tail 8e-05 mom 0.95-0.85");
    cr_expect_eq(n, (int)strlen(buf));

    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    sched_describe(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "1cycle pytorch 0.032->0.8->3.2e-06 pct=0.3 cos mom 0.95-0.85");
    sched_onecycle_defaults(&s, ONECYCLE_FASTAI);
    sched_describe(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "1cycle fastai 0.032->0.8->8e-06 pct=0.25 cos mom 0.95-0.85");
    sched_defaults(&s, SCHED_TRIANGULAR);
    sched_describe(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "clr 0.01->0.1 ss=2000 mom 0.9-0.8");
    sched_defaults(&s, SCHED_MULTISTEP);
    sched_describe(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "multistep lr=0.1 x0.1 at 5000,7500 mom 0.9");
    sched_defaults(&s, SCHED_SWEEP_EXP);
    sched_describe(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "sweep-exp 1e-07->10 over 100 mom 0.9");

    /* Cut short: still terminated, and the return says how long the line is. */
    sched_defaults(&s, SCHED_TRIANGULAR);
    char small[10];
    n = sched_describe(&s, small, sizeof small);
    cr_expect_eq(n, (int)strlen("clr 0.01->0.1 ss=2000 mom 0.9-0.8"));
    cr_expect_str_eq(small, "clr 0.01-");
    cr_expect_eq(sched_describe(&s, NULL, 0), n);
}

/* Reads a whole stream into buf (NUL-terminated). */
static void slurp(FILE *f, char *buf, size_t len)
{
    rewind(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
}

static void expect_config_round_trip(const sched *s)
{
    FILE *f = tmpfile();
    cr_assert(f);
    cr_assert_eq(sched_write_config(s, f), 0);
    rewind(f);
    sched back;
    sched_defaults(&back, SCHED_SWEEP_EXP);  /* different from everything written */
    back.milestones[5] = 99;
    char line[512];
    int n_lines = 0;
    lr_err e = { "" };
    while (fgets(line, sizeof line, f)) {
        char *eq = strstr(line, " = ");
        cr_assert(eq, "config line without ' = ': %s", line);
        *eq = '\0';
        cr_expect(strncmp(line, "sched.", 6) == 0, "key %s is not namespaced", line);
        cr_expect(sched_set_param(&back, line, eq + 3, &e) == 0, "%s", e.msg);
        n_lines++;
    }
    cr_expect_geq(n_lines, 20, "every field is written");

    char a[4096], b[4096];
    slurp(f, a, sizeof a);
    fclose(f);
    f = tmpfile();
    cr_assert(f);
    sched_write_config(&back, f);
    slurp(f, b, sizeof b);
    fclose(f);
    cr_expect_str_eq(a, b);
    for (long t = 0; t < sched_end(s) + 50; t += 1 + sched_end(s) / 37) {
        cr_expect_eq(lr_at(&back, t), lr_at(s, t), "lr differs at t=%ld after reading back", t);
        cr_expect_eq(mom_at(&back, t), mom_at(s, t));
    }
}

Test(sched, config_round_trip)
{
    sched s;
    sched_defaults(&s, SCHED_MULTISTEP);
    s.lr_max = 0.1 + 0.2;  /* needs 17 digits */
    s.milestones[2] = 9000;
    s.n_milestones = 3;
    s.origin = 42;
    expect_config_round_trip(&s);
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        sched_defaults(&s, (sched_policy)p);
        expect_config_round_trip(&s);
    }
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    s.three_phase = true;
    s.anneal = ANNEAL_LINEAR;
    s.lr_max = 1.0 / 3.0;
    s.lr_min = 7.0;  /* stale mirror: the written value is the effective start */
    expect_config_round_trip(&s);
    sched_onecycle_defaults(&s, ONECYCLE_FASTAI);
    s.cycle_momentum = false;
    expect_config_round_trip(&s);
    sched_defaults(&s, SCHED_MULTISTEP);
    s.n_milestones = 0;
    expect_config_round_trip(&s);

    FILE *f = tmpfile();
    cr_assert(f);
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    s.lr_min = 7.0;
    sched_write_config(&s, f);
    char text[4096];
    slurp(f, text, sizeof text);
    fclose(f);
    cr_expect(strstr(text, "sched.lr_min = 0.032\n") != NULL, "%s", text);
    cr_expect(strstr(text, "sched.policy = 1cycle\n") != NULL);
    cr_expect(strstr(text, "sched.style = pytorch\n") != NULL);
    cr_expect(strstr(text, "sched.three_phase = false\n") != NULL);
}

Test(sched, set_param_refuses_bad_values)
{
    sched s, before;
    lr_err e = { "" };
    sched_defaults(&s, SCHED_MULTISTEP);
    memcpy(&before, &s, sizeof s);
    const struct { const char *key, *value, *needle; } bad[] = {
        { "warmup", "3", "unknown schedule setting" },
        { "sched.lr_max", "abc", "not a number" },
        { "lr_max", "0.1x", "not a number" },
        { "lr_max", "", "not a number" },
        { "total", "12a", "whole number" },
        { "total", "1e3", "whole number" },
        { "total", "99999999999999999999999", "whole number" },
        { "three_phase", "maybe", "true or false" },
        { "policy", "cosine", "const, step" },
        { "style", "keras", "smith, pytorch or fastai" },
        { "anneal", "poly", "cos or linear" },
        { "milestones", "100,x", "whole number" },
        { "milestones", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", "at most 16" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        e.msg[0] = '\0';
        cr_expect_eq(sched_set_param(&s, bad[i].key, bad[i].value, &e), -1, "%s = %s",
                     bad[i].key, bad[i].value);
        cr_expect(strstr(e.msg, bad[i].needle) != NULL, "%s = %s: \"%s\" lacks \"%s\"",
                  bad[i].key, bad[i].value, e.msg, bad[i].needle);
        cr_expect(memcmp(&before, &s, sizeof s) == 0, "%s = %s changed the schedule",
                  bad[i].key, bad[i].value);
    }
    cr_expect_eq(sched_set_param(&s, "milestones", " 10, 20 ,30 \n", &e), 0, "%s", e.msg);
    cr_expect(s.n_milestones == 3 && s.milestones[1] == 20 && s.milestones[2] == 30);
    cr_expect_eq(sched_set_param(&s, "policy", "triangular", &e), 0);
    cr_expect_eq(s.policy, SCHED_TRIANGULAR);
    cr_expect_eq(sched_set_param(&s, "sched.anneal", "linear\n", &e), 0);
    cr_expect_eq(s.anneal, ANNEAL_LINEAR);
}

Test(sched, help_lists_every_policy)
{
    FILE *f = tmpfile();
    cr_assert(f);
    sched_print_help(f);
    static char text[32768];
    slurp(f, text, sizeof text);
    fclose(f);
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        char head[32];
        snprintf(head, sizeof head, "\n%s: ", sched_policy_name((sched_policy)p));
        cr_expect(strstr(text, head) != NULL, "help lacks %s", head + 1);
    }
    cr_expect(strstr(text, "style smith") && strstr(text, "style pytorch") &&
              strstr(text, "style fastai"));
    cr_expect(strstr(text, "smith_floor_div") && strstr(text, "final_div_factor") &&
              strstr(text, "milestones") && strstr(text, "100000"));
    cr_expect(strlen(text) < sizeof text - 1, "help fits");
}
