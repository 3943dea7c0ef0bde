/* lrest.h — a live estimate of the optimal learning rate, two ways (Smith &
 * Topin, "Super-Convergence", section 4). It is a measurement beside training, not an optimizer: it never
 * changes the run it watches.
 *
 * Secant (the paper's global form). From three consecutive iterates
 * theta_i, theta_{i+1}, theta_{i+2} of SGD, the first step taken with LR eps_i:
 *     top = sum_j |theta_{i+1,j} - theta_{i,j}|
 *     bot = sum_j |2 theta_{i+1,j} - theta_{i,j} - theta_{i+2,j}|
 *     est = eps_i * top / bot
 * On f = k theta^2 / 2 with plain SGD this is exactly 1/k. On a general
 * quadratic it is sum_j |g_j| / sum_j k_j |g_j| (per-coordinate curvatures
 * k_j, gradient g at theta_i): an L1-weighted harmonic mean of 1/k_j. It
 * assumes plain SGD steps, theta_{i+1} - theta_i = -eps g. With momentum the
 * differences are velocities, not scaled gradients, and the estimate is an
 * approximation whose value depends on the momentum; a changing LR (a cycle)
 * adds a small bias, since only eps_i enters. The two steps see two different
 * mini-batches, and where the batch-to-batch noise of the gradient dominates
 * (most of a real run) the secant measures that noise, not the curvature:
 * for pure-noise gradients it is eps / sqrt(2 (1 - mu)) whatever the loss,
 * 0.71 eps for plain SGD and 2.24 eps at momentum 0.9 (tests/test_lrest.c
 * derives this). Read it beside the scheduled LR, and prefer the form below.
 *
 * Hessian-vector (the exact form of the same quantity). On the current
 * mini-batch, at theta, along the step direction v:
 *     est = v.v / v.Hv,   Hv ~ (grad(theta + d v) - grad(theta)) / d
 * computed as Dt.Dt / Dt.(grad(theta + Dt) - grad(theta)) with Dt the
 * displacement actually stored in float (theta + d v rounded), so the
 * rounding of theta + d v does not enter. The step size is
 *     d = LREST_FD_REL * max(|theta|, 1) / |v|
 * i.e. the probe moves the weights by LREST_FD_REL of their norm. 1e-3
 * balances the two errors of a one-sided difference in float: rounding,
 * about 1e-7 / LREST_FD_REL relative (1e-4 here), and truncation, first
 * order in d (0.6 % against softmax regression's closed form in the tests;
 * 5 % at 1e-2), both far below the batch-to-batch spread of the estimate.
 * The floor of 1 keeps d sensible for weights near zero.
 * v is the direction plain SGD takes: the loss gradient plus the coupled
 * weight decay wd*theta on the ranges the optimizer decays, and the curvature
 * then includes wd on those ranges, so both estimates measure the objective
 * that SGD descends. Zero, negative or non-finite curvature along v gives NaN
 * (one batch can curve down along its own gradient); a curvature just above
 * zero gives a very large sample, which shows as a spike in the average.
 *
 * Averaging. Each estimate has a running average, as in the authors'
 * scripts: avg <- 0.9 avg + 0.1 est, starting at LREST_AVG_START (0.1, their
 * value). A NaN sample is skipped: the average keeps its value. The raw
 * samples are kept too (lrest.secant, lrest.hvp).
 *
 * When. With every = K, both are measured at the steps s = K-1, 2K-1, 3K-1,
 * ... (for K = 1: every step from s = 1 on), that is after every K-th step.
 * The secant at step s uses theta_{s-1} (before step s-1), theta_s (before
 * step s) and theta_{s+1} (after step s), with eps = the LR of step s-1;
 * the Hessian-vector product uses step s's batch at theta_s. To do so the
 * parameters are copied before steps s-1 and s into two buffers allocated in
 * lrest_init: nothing is allocated per step.
 *
 * Invisibility. The Hessian-vector probe runs one extra training pass at
 * theta_s + d v. Before it, it copies the gradients and the batch-norm
 * running statistics; after it, it restores them and the parameters bit for
 * bit. The velocity is never touched, the batch is the one already drawn,
 * and no random stream is read, so a run with the estimate has exactly the
 * trajectory of a run without it.
 *
 * Use, around each SGD step (the trainer does this):
 *
 *     lrest le;
 *     if (lrest_init(&le, net, 10, &err) < 0) ...;
 *     for (long s = 0; ...; s++) {
 *         net_train_pass(net, x, y, B, NULL);
 *         double hvp = lrest_before_step(&le, net, &opt, s, lr, x, y, B);
 *         sgd_step(net, &opt, lr, mom);
 *         double sec = lrest_after_step(&le, net, s);   // NaN unless s was due
 *     }
 *     lrest_free(&le);
 */
#ifndef LRSCOPE_LREST_H
#define LRSCOPE_LREST_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/err.h"
#include "engine/net.h"
#include "engine/sgd.h"

#define LREST_AVG_START 0.1   /* first value of both running averages */
#define LREST_AVG_KEEP  0.9   /* avg <- KEEP * avg + (1 - KEEP) * est */
#define LREST_FD_REL    1e-3  /* finite-difference move, relative to |theta| */

typedef struct lrest {
    int     every;              /* K; 0: off, nothing allocated */
    float  *saved[2];           /* [n_params]: theta_s, the parameters before step s, in slot s & 1 */
    long    saved_iter[2];      /* the step each slot was saved before; -1: empty */
    double  saved_lr[2];        /* the LR that step took */
    float  *grads0;             /* [n_params]: the step's gradient, kept across the probe */
    float  *state0;             /* [n_state]: batch-norm running statistics, same */
    double  secant, hvp;        /* last raw samples (NaN: undefined or not yet measured) */
    double  secant_avg, hvp_avg;/* running averages */
    long    n_secant, n_hvp;    /* finite samples that entered the averages */
} lrest;

/* ---- the formulas, on raw parameter vectors (no network) ------------------ */

/* eps * top / bot from three consecutive iterates th0, th1, th2 [n] (see
 * above), summed in double. NaN when bot is 0 or a sum is not finite. */
double lrest_secant(const float *th0, const float *th1, const float *th2, size_t n,
                    double eps);

/* Dt.Dt / Dt.(g_d - g) with Dt = theta_d - theta [n]: the inverse curvature
 * along the displacement from theta to theta_d, given the gradients g at
 * theta and g_d at theta_d. NaN when the curvature is zero, negative or not
 * finite. */
double lrest_hvp_quotient(const float *theta, const float *theta_d, const float *g,
                          const float *g_d, size_t n);

/* The finite-difference step d for parameters of norm theta_norm and a
 * direction of norm dir_norm (> 0): LREST_FD_REL * max(theta_norm, 1) / dir_norm. */
double lrest_fd_step(double theta_norm, double dir_norm);

/* The running average after sample `est`: KEEP*avg + (1-KEEP)*est, or avg
 * unchanged when est is NaN or infinite. */
double lrest_average(double avg, double est);

/* ---- on a network, step by step --------------------------------------------- */

/* Allocates the buffers for n (two parameter copies, a gradient copy, a copy
 * of the running statistics) and sets both averages to LREST_AVG_START.
 * every >= 1. Returns 0, or -1 with `e` set and `le` left off (every 0, no
 * memory held). lrest_free() releases; it is safe on an `le` that is off. */
int  lrest_init(lrest *le, const net *n, int every, lr_err *e);
void lrest_free(lrest *le);

/* Whether step `iter` (0-based) is one the estimates are measured at. */
bool lrest_due(const lrest *le, long iter);

/* Call after net_train_pass of step `iter` and before its sgd_step, with the
 * step's LR and the batch x [B][n_in], y [B] the pass used. Saves theta_iter
 * when a later secant needs it; when the step is due, runs the Hessian-vector
 * probe and returns the updated running average of that estimate. Returns
 * NaN when the step is not due. Leaves the parameters, gradients, velocity
 * and running statistics of n exactly as it found them (the activation
 * buffers and batch-norm scratch then hold the probe's pass, which no step
 * reads: every pass rewrites them first). */
double lrest_before_step(lrest *le, net *n, const sgd_opts *o, long iter, double lr,
                         const float *x, const int *y, int B);

/* Call after the sgd_step of step `iter`. When the step is due and the two
 * earlier iterates were saved (they are unless the estimate was enabled in
 * the middle of a window), takes the secant sample and returns the updated
 * running average; NaN otherwise. Reads n only. */
double lrest_after_step(lrest *le, const net *n, long iter);

#endif
