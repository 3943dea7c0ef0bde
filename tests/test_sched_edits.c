/* test_sched_edits.c — schedules at the edges of time (the first and last
 * iteration, past the end, before the origin, tiny runs, extreme iterations
 * that must never give NaN) and under live edits (new bounds or momentum keep
 * the position in the cycle; a restart starts a fresh cycle).
 *
 * The tables come from the same published definitions as those of
 * test_sched_tables.c. */
#include <criterion/criterion.h>

#include <limits.h>
#include <math.h>

#include "engine/sched.h"

#include "tests/sched_check.h"

static const ref_row ref_pt_total1[] = {
    { 0, 3.2e-06, 0.95 },
    { 5, 3.2e-06, 0.95 },
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
