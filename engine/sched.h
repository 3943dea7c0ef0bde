/* sched.h — learning-rate and momentum schedules as pure functions.
 *
 * A schedule is a plain struct of parameters. sched_at() maps an absolute
 * training iteration to (learning rate, momentum) and keeps no state, so the
 * same struct drives training, draws the planned curve ahead of time, resumes
 * from any iteration and is tested against tables. It is not an optimizer and
 * knows nothing of networks. Formulas: Smith, "Cyclical Learning Rates"
 * (CLR, range test); Smith & Topin, "Super-Convergence", and the authors'
 * Caffe solvers (1cycle); PyTorch's OneCycleLR and CyclicLR and fastai's
 * fit_one_cycle documentation.
 *
 *     sched s;
 *     lr_err err;
 *     sched_onecycle_defaults(&s, ONECYCLE_SMITH);   // Caffe 1cycle, linear
 *     sched_set_bounds(&s, 0.08, 0.8);
 *     s.total = 10000;
 *     if (sched_validate(&s, &err) < 0)
 *         return report(err.msg);
 *     for (long t = 0; t < sched_end(&s); t++) {
 *         double lr, mom;
 *         sched_at(&s, t, &lr, &mom);
 *         ...one SGD step with lr, mom...
 *     }
 *
 * Time. t is the absolute iteration; every policy reads u = t - origin
 * (u = 0 for t before origin). The plan covers u = 0 .. total-1.
 *
 * Policies (u as above; "mom" is mom_max unless momentum is cycled):
 *   const         lr = lr_max
 *   step          lr = lr_max * gamma^floor(u/stepsize)                 (Caffe)
 *   multistep     lr = lr_max * gamma^(number of milestones <= u)       (duplicates count twice)
 *   inv           lr = lr_max * (1 + gamma*u)^(-power)                  (Caffe)
 *   clr           cycle = floor(1 + u/(2*stepsize)), x = |u/stepsize - 2*cycle + 1|,
 *                 s = max(0, 1-x); lr = lr_min + (lr_max - lr_min)*s
 *   triangular2   s = max(0, 1-x) / 2^(cycle-1)
 *   exp_range     s = max(0, 1-x) * gamma^u
 *                 (CLR momentum, as PyTorch CyclicLR: mom = mom_max - (mom_max - mom_min)*s)
 *   1cycle smith  ss = stepsize, or floor(cycle_frac*total/2) when stepsize is 0 (at least 1);
 *                 u <= ss: lr = lr_min + (lr_max - lr_min)*u/ss, mom mom_max -> mom_min
 *                 u <= 2ss: lr = lr_max*(1 - (u-ss)/ss) (a straight line toward 0: it passes
 *                 lr_min and reaches 0 at u = 2ss), mom mom_min -> mom_max
 *                 u > 2ss: lr = lr_min/smith_floor_div, mom = mom_max
 *   1cycle pytorch  torch.optim.lr_scheduler.OneCycleLR exactly: start = lr_max/div_factor,
 *                 end = start/final_div_factor; phases end at pct_start*total - 1 and
 *                 total - 1 (three_phase: pct_start*total - 1, 2*pct_start*total - 2,
 *                 total - 1, going start->max, max->start, start->end); a phase begins
 *                 where the previous one ends, p = (u - begin)/(end - begin), and it
 *                 goes from a to b as cos: b + (a - b)/2*(1 + cos(pi*p)) or linear:
 *                 a + (b - a)*p. A phase of length <= 0 (tiny totals) counts as done.
 *                 Momentum mom_max -> mom_min -> mom_max with the same anneal (three_phase:
 *                 it stays at mom_max in the third phase).
 *   1cycle fastai  fit_one_cycle: at pos = u/total, phase 1 (pos < pct_start) anneals
 *                 lr_max/div_factor -> lr_max, phase 2 anneals lr_max -> lr_max/final_div_factor
 *                 (note: from lr_max, not from the start LR as in PyTorch); momentum
 *                 mom_max -> mom_min -> mom_max.
 *   sweep-linear  lr = lr_min + (lr_max - lr_min)*u/span                 (Smith's range test)
 *   sweep-exp     lr = lr_min * (lr_max/lr_min)^(u/span)                 (fastai lr_find)
 *                 span = stepsize, or total when stepsize is 0 (fastai: lr_max is one
 *                 step past the plan); torch-lr-finder uses span = total-1 (lr_max at
 *                 the last step). stepsize is 0 or at least total-1.
 *
 * Bounds. const/step/multistep/inv use lr_max only (lr_min is ignored). For 1cycle
 * pytorch/fastai the primary parameters are lr_max and div_factor; lr_min is a mirror
 * of the start LR (lr_max/div_factor): sched_defaults, sched_onecycle_defaults and
 * sched_set_bounds keep it equal, sched_at ignores it, sched_validate does not
 * compare it with lr_max/div_factor, and
 * sched_write_config writes the effective value. To set the start LR directly, use
 * sched_set_bounds (it sets div_factor = lr_max/lr_min).
 *
 * Past the plan (u >= total). clr, triangular2 and exp_range are periodic and keep
 * cycling (triangular2 and exp_range keep shrinking); total only says where the run
 * stops. Every other policy holds the value of its last planned iteration
 * (u = total-1), so training past the plan never jumps and never reads a formula
 * outside its range.
 *
 * Live edits (the UI applies them between iterations):
 *   sched_set_bounds   new bounds, same origin: the position in the cycle is kept and
 *                      what remains of the curve is the formula with the new bounds.
 *                      The value at any t after the edit equals that of a schedule
 *                      created with the new bounds and the same origin.
 *   sched_set_momentum the same for the momentum range.
 *   sched_restart      a fresh cycle (or plan) from iteration t with the current
 *                      bounds: origin = t, total unchanged, so the plan now ends at
 *                      t + total and sched_at(t) is the policy's value at u = 0.
 * None of them validates; call sched_validate on the result (e.g. on a copy, before
 * applying it).
 *
 * Errors: functions that can fail return -1 and fill an lr_err (engine/err.h).
 * Nothing here prints, except sched_print_help, which writes to the FILE given. */
#ifndef LRSCOPE_SCHED_H
#define LRSCOPE_SCHED_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/err.h"

typedef enum {
    SCHED_CONST, SCHED_STEP, SCHED_MULTISTEP, SCHED_INV, SCHED_TRIANGULAR,
    SCHED_TRIANGULAR2, SCHED_EXP_RANGE, SCHED_1CYCLE, SCHED_SWEEP_LINEAR, SCHED_SWEEP_EXP,
    SCHED_N_POLICIES
} sched_policy;

typedef enum {
    ONECYCLE_SMITH, ONECYCLE_PYTORCH, ONECYCLE_FASTAI, ONECYCLE_N_STYLES
} onecycle_style;
typedef enum { ANNEAL_COS, ANNEAL_LINEAR, ANNEAL_N } sched_anneal;

#define SCHED_MAX_MILESTONES 16

typedef struct sched {
    sched_policy policy;
    double lr_min, lr_max;   /* roles per policy: see "Policies" and "Bounds" above */
    long   total;            /* planned iterations counted from origin, >= 1 */
    long   origin;           /* iteration where the current plan/cycle started, >= 0 */
    long   stepsize;         /* clr family, 1cycle smith: half a cycle; step: between drops */
    double gamma;            /* step, multistep: drop factor; exp_range: decay per iteration; inv */
    double power;            /* inv */
    long   milestones[SCHED_MAX_MILESTONES]; /* multistep, counted from origin, non-decreasing */
    int    n_milestones;
    onecycle_style style;
    double pct_start;        /* pytorch/fastai: fraction of the plan spent rising */
    double div_factor;       /* pytorch/fastai: start LR = lr_max/div_factor */
    double final_div_factor; /* pytorch: end = start/this; fastai: end = lr_max/this */
    sched_anneal anneal;     /* pytorch/fastai */
    bool   three_phase;      /* pytorch only */
    double smith_floor_div;  /* smith: tail LR = lr_min/this (Caffe: 1000) */
    double cycle_frac;       /* smith with stepsize 0: the cycle covers this fraction of total */
    double mom_max, mom_min; /* mom_max is the momentum when not cycling */
    bool   cycle_momentum;   /* clr family, 1cycle: mom_max while LR is low, mom_min when high */
} sched;

/* Resets every field to the policy's defaults (PyTorch, fastai, Caffe or the
 * paper's settings where they exist; sched_print_help lists them). For
 * SCHED_1CYCLE this is the Smith style. origin = 0. */
void sched_defaults(sched *s, sched_policy p);

/* Resets every field to the 1cycle defaults of one style: smith (0.08 -> 0.8,
 * stepsize derived from cycle_frac 0.9, tail lr_min/1000), pytorch (pct_start
 * 0.3, div 25, final div 1e4, cos) or fastai (pct_start 0.25, div 25, final div
 * 1e5, cos); momentum 0.95 -> 0.85 cycled. Use it, not a bare `s->style = ...`,
 * when the style is chosen: the styles' defaults differ. */
void sched_onecycle_defaults(sched *s, onecycle_style style);

/* Returns 0 when s describes a schedule sched_at can follow, or -1 with a
 * message naming the offending value and what is allowed. s is not changed.
 * A valid schedule gives finite lr and mom at every t. */
int sched_validate(const sched *s, lr_err *e);

/* The learning rate and momentum at absolute iteration t (see Time and Past the
 * plan above). Either output pointer may be NULL. Pure and O(n_milestones). */
void sched_at(const sched *s, long t, double *lr, double *mom);

/* origin + total: the first iteration after the plan. */
long sched_end(const sched *s);

/* True for the range test's sweeps (linear and exponential). */
static inline bool sched_policy_is_sweep(sched_policy p)
{
    return p == SCHED_SWEEP_LINEAR || p == SCHED_SWEEP_EXP;
}

/* Half a cycle in iterations as sched_at uses it (1cycle smith: derived when
 * stepsize is 0), or 0 for policies without cycles. */
long sched_half_cycle(const sched *s);

/* "const", "step", "multistep", "inv", "clr", "triangular2", "exp_range",
 * "1cycle", "sweep-linear", "sweep-exp"; "?" when p is out of range. */
const char *sched_policy_name(sched_policy p);

/* Accepts the names above and the aliases "triangular" (clr), "constant",
 * "onecycle", "exp-range", "sweep_linear", "sweep_exp". Returns 0, or -1 (out
 * unchanged) for an unknown name; sched_policy_list() is the text to show then. */
int sched_policy_parse(const char *name, sched_policy *out);

/* "const, step, multistep, inv, clr, triangular2, exp_range, 1cycle, sweep-linear, sweep-exp" */
const char *sched_policy_list(void);

/* "smith", "pytorch", "fastai" and "cos", "linear" ("?" out of range); the
 * parsers return 0, or -1 leaving out unchanged. */
const char *sched_style_name(onecycle_style st);
int sched_style_parse(const char *name, onecycle_style *out);
const char *sched_anneal_name(sched_anneal a);
int sched_anneal_parse(const char *name, sched_anneal *out);

/* Live edits: see "Live edits" above. sched_set_bounds on 1cycle pytorch/fastai
 * also sets div_factor = lr_max/lr_min (when both are > 0). sched_restart with
 * t < 0 restarts at 0. */
void sched_set_bounds(sched *s, double lr_min, double lr_max);
void sched_set_momentum(sched *s, double mom_max, double mom_min);
void sched_restart(sched *s, long t);

/* One line for a header, e.g. "1cycle smith 0.08->0.8 ss=1000 tail 8e-05 mom 0.95-0.85".
 * Writes at most len bytes including the NUL (nothing when len <= 0) and returns
 * the length of the full line, so a return >= len means it was cut short. */
int sched_describe(const sched *s, char *buf, int len);

/* Writes every field as "sched.<key> = <value>" lines, numbers with enough
 * digits to read back exactly. Returns 0, or -1 when the stream reports a
 * write error (the caller knows the file's name). */
int sched_write_config(const sched *s, FILE *f);

/* Sets one field from a config line's key and value (the key with or without
 * "sched."; surrounding blanks in the value are ignored). Returns 0, or -1 with
 * a message for an unknown key or a malformed value; s is then unchanged. No
 * cross-field checks: run sched_validate once every line is read. Reading back
 * what sched_write_config wrote gives the same schedule. */
int sched_set_param(sched *s, const char *key, const char *value, lr_err *e);

/* Whether a schedule of policy p (and, for 1cycle, style st) reads the field
 * named by config key `key`; false for an unknown key. */
bool sched_param_used(const char *key, sched_policy p, onecycle_style st);

/* Each policy's formula, parameters and defaults, for `lrscope train
 * --policy-help`. The one function here that prints: to f only. */
void sched_print_help(FILE *f);

#endif
