/* sched_check.h — what the schedule tests share: reference rows and the
 * check against them, the LR and momentum at one iteration, and schedules
 * built from a few numbers. Header-only; include after criterion.h. */
#ifndef LRSCOPE_SCHED_CHECK_H
#define LRSCOPE_SCHED_CHECK_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/sched.h"

/* The expected LR and momentum at iteration t. */
typedef struct { long t; double lr, mom; } ref_row;

/* Relative error below 1e-6; an expected 0 must be (almost) exactly 0. */
static inline bool close_to(double got, double want)
{
    if (want == 0.0)
        return fabs(got) <= 1e-12;
    return fabs(got - want) <= 1e-6 * fabs(want);
}

static inline void check_table(const sched *s, const ref_row *rows, size_t n, const char *name)
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

static inline double lr_at(const sched *s, long t)
{
    double lr;
    sched_at(s, t, &lr, NULL);
    return lr;
}

static inline double mom_at(const sched *s, long t)
{
    double mom;
    sched_at(s, t, NULL, &mom);
    return mom;
}

static inline sched make_clr(sched_policy p, double lo, double hi, long ss, long total)
{
    sched s;
    sched_defaults(&s, p);
    sched_set_bounds(&s, lo, hi);
    s.stepsize = ss;
    s.total = total;
    return s;
}

static inline sched make_smith(double b, double m, long ss, long total)
{
    sched s;
    sched_onecycle_defaults(&s, ONECYCLE_SMITH);
    sched_set_bounds(&s, b, m);
    s.stepsize = ss;
    s.total = total;
    return s;
}

static inline sched make_pytorch(double max_lr, long total, double pct, double div, double fdiv)
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

#endif
