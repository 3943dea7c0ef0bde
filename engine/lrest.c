#include "engine/lrest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The sums below run over every parameter, several times per measurement.
 * A single double accumulator is a chain of dependent adds that cannot
 * vectorise (reordering would change the result); LANES independent partial
 * sums, added at the end in a fixed order, can, and stay deterministic. */
enum { LANES = 8 };

static double lanes_sum(const double *acc)
{
    double s = 0.0;
    for (int k = 0; k < LANES; k++)
        s += acc[k];
    return s;
}

/* ---- formulas --------------------------------------------------------------- */

double lrest_secant(const float *th0, const float *th1, const float *th2, size_t n,
                    double eps)
{
    /* Differences of floats are exact in double, so only the sums round. */
    double top_l[LANES] = { 0 }, bot_l[LANES] = { 0 };
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int k = 0; k < LANES; k++) {
            double a = (double)th0[j + k], b = (double)th1[j + k], c = (double)th2[j + k];
            top_l[k] += fabs(b - a);
            bot_l[k] += fabs(2.0 * b - a - c);
        }
    for (; j < n; j++) {
        double a = (double)th0[j], b = (double)th1[j], c = (double)th2[j];
        top_l[0] += fabs(b - a);
        bot_l[0] += fabs(2.0 * b - a - c);
    }
    double top = lanes_sum(top_l), bot = lanes_sum(bot_l);
    if (!(bot > 0.0) || !isfinite(top) || !isfinite(bot))
        return NAN;
    return eps * top / bot;
}

/* Adds Dt.Dt to *num and Dt.(g_d - g) + wd * Dt.Dt to *den over one range:
 * the curvature of loss + wd/2 |theta|^2 along the displacement Dt. */
static void hvp_sums(const float *theta, const float *theta_d, const float *g,
                     const float *g_d, size_t n, double wd, double *num, double *den)
{
    double dd_l[LANES] = { 0 }, dg_l[LANES] = { 0 };
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int k = 0; k < LANES; k++) {
            double dt = (double)theta_d[j + k] - (double)theta[j + k];
            dd_l[k] += dt * dt;
            dg_l[k] += dt * ((double)g_d[j + k] - (double)g[j + k]);
        }
    for (; j < n; j++) {
        double dt = (double)theta_d[j] - (double)theta[j];
        dd_l[0] += dt * dt;
        dg_l[0] += dt * ((double)g_d[j] - (double)g[j]);
    }
    double dd = lanes_sum(dd_l), dg = lanes_sum(dg_l);
    *num += dd;
    *den += dg + wd * dd;
}

static double hvp_estimate(double num, double den)
{
    if (!(den > 0.0) || !isfinite(num) || !isfinite(den))
        return NAN;
    return num / den;
}

double lrest_hvp_quotient(const float *theta, const float *theta_d, const float *g,
                          const float *g_d, size_t n)
{
    double num = 0.0, den = 0.0;
    hvp_sums(theta, theta_d, g, g_d, n, 0.0, &num, &den);
    return hvp_estimate(num, den);
}

double lrest_fd_step(double theta_norm, double dir_norm)
{
    return LREST_FD_REL * (theta_norm > 1.0 ? theta_norm : 1.0) / dir_norm;
}

double lrest_average(double avg, double est)
{
    if (!isfinite(est))
        return avg;
    return LREST_AVG_KEEP * avg + (1.0 - LREST_AVG_KEEP) * est;
}

/* ---- on a network ------------------------------------------------------------ */

int lrest_init(lrest *le, const net *n, int every, lr_err *e)
{
    memset(le, 0, sizeof *le);
    if (every < 1)
        return lr_fail(e, "the learning-rate estimate needs an interval of at least 1 "
                          "iteration (got %d)", every);
    le->saved[0] = malloc(n->n_params * sizeof(float));
    le->saved[1] = malloc(n->n_params * sizeof(float));
    le->grads0 = malloc(n->n_params * sizeof(float));
    le->state0 = malloc((n->n_state ? n->n_state : 1) * sizeof(float));
    if (!le->saved[0] || !le->saved[1] || !le->grads0 || !le->state0) {
        lrest_free(le);
        return lr_fail(e, "out of memory for the learning-rate estimate (%zu parameters)",
                       n->n_params);
    }
    le->every = every;
    le->saved_iter[0] = le->saved_iter[1] = -1;
    le->secant = le->hvp = NAN;
    le->secant_avg = le->hvp_avg = LREST_AVG_START;
    return 0;
}

void lrest_free(lrest *le)
{
    free(le->saved[0]);
    free(le->saved[1]);
    free(le->grads0);
    free(le->state0);
    memset(le, 0, sizeof *le);
}

bool lrest_due(const lrest *le, long iter)
{
    return le->every > 0 && iter >= 1 && (iter + 1) % le->every == 0;
}

/* The three optimizer ranges of net.h with the weight decay SGD applies to
 * each: the step direction is g + wd * theta there. */
typedef struct wd_range {
    size_t off, len;
    double wd;
} wd_range;

static void decay_ranges(const net *n, const sgd_opts *o, wd_range r[3])
{
    size_t w = n->n_weights, b = n->n_bias;
    r[0] = (wd_range){ 0, w, o->wd };
    r[1] = (wd_range){ w, b, o->decay_bias ? o->wd : 0.0 };
    r[2] = (wd_range){ w + b, n->n_params - w - b, o->decay_bn ? o->wd : 0.0 };
}

/* Adds |theta|^2 and |g + wd theta|^2 over one range to *tt and *vv. */
static void sq_norms(const float *theta, const float *g, size_t n, float wd, double *tt,
                     double *vv)
{
    double t_l[LANES] = { 0 }, v_l[LANES] = { 0 };
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int k = 0; k < LANES; k++) {
            double t = (double)theta[j + k], v = (double)(g[j + k] + wd * theta[j + k]);
            t_l[k] += t * t;
            v_l[k] += v * v;
        }
    for (; j < n; j++) {
        double t = (double)theta[j], v = (double)(g[j] + wd * theta[j]);
        t_l[0] += t * t;
        v_l[0] += v * v;
    }
    *tt += lanes_sum(t_l);
    *vv += lanes_sum(v_l);
}

/* The Hessian-vector probe at theta = n->params (a copy of which is in
 * `theta`), with the step's gradient in n->grads: returns v.v / v.Hv along the
 * SGD direction v, and leaves params, grads and state as they were. */
static double hvp_probe(lrest *le, net *n, const sgd_opts *o, const float *theta,
                        const float *x, const int *y, int B)
{
    wd_range r[3];
    decay_ranges(n, o, r);
    float *p = n->params, *g = n->grads;
    double tt = 0.0, vv = 0.0;
    for (int k = 0; k < 3; k++)
        sq_norms(p + r[k].off, g + r[k].off, r[k].len, (float)r[k].wd, &tt, &vv);
    if (!(vv > 0.0) || !isfinite(vv) || !isfinite(tt))
        return NAN;
    memcpy(le->grads0, g, n->n_params * sizeof *g);
    memcpy(le->state0, n->state, n->n_state * sizeof *n->state);

    float d = (float)lrest_fd_step(sqrt(tt), sqrt(vv));
    for (int k = 0; k < 3; k++) {
        float wd = (float)r[k].wd;
        for (size_t j = r[k].off; j < r[k].off + r[k].len; j++)
            p[j] = theta[j] + d * (g[j] + wd * theta[j]);
    }
    net_train_pass(n, x, y, B, NULL);   /* n->grads: the gradient at theta + d v */
    double num = 0.0, den = 0.0;
    for (int k = 0; k < 3; k++) {
        size_t off = r[k].off;
        hvp_sums(theta + off, p + off, le->grads0 + off, g + off, r[k].len, r[k].wd,
                 &num, &den);
    }

    memcpy(p, theta, n->n_params * sizeof *p);
    memcpy(g, le->grads0, n->n_params * sizeof *g);
    memcpy(n->state, le->state0, n->n_state * sizeof *n->state);
    return hvp_estimate(num, den);
}

double lrest_before_step(lrest *le, net *n, const sgd_opts *o, long iter, double lr,
                         const float *x, const int *y, int B)
{
    if (le->every < 1)
        return NAN;
    bool due = lrest_due(le, iter);
    if (!due && !lrest_due(le, iter + 1))
        return NAN;
    int slot = (int)(iter & 1);
    memcpy(le->saved[slot], n->params, n->n_params * sizeof *n->params);
    le->saved_iter[slot] = iter;
    le->saved_lr[slot] = lr;
    if (!due)
        return NAN;
    le->hvp = hvp_probe(le, n, o, le->saved[slot], x, y, B);
    le->hvp_avg = lrest_average(le->hvp_avg, le->hvp);
    le->n_hvp += isfinite(le->hvp);
    return le->hvp_avg;
}

double lrest_after_step(lrest *le, const net *n, long iter)
{
    if (!lrest_due(le, iter))
        return NAN;
    int now = (int)(iter & 1), prev = 1 - now;
    if (le->saved_iter[now] != iter || le->saved_iter[prev] != iter - 1)
        return NAN;
    le->secant = lrest_secant(le->saved[prev], le->saved[now], n->params, n->n_params,
                              le->saved_lr[prev]);
    le->secant_avg = lrest_average(le->secant_avg, le->secant);
    le->n_secant += isfinite(le->secant);
    return le->secant_avg;
}
