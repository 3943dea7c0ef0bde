/* The optimal-LR estimate: both formulas against closed forms on quadratics
 * (SGD written out here on raw parameter vectors, no network), and on a real
 * network the promise that measuring does not change the run. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>

#include "datasets/dataset.h"
#include "engine/lrest.h"
#include "engine/net.h"
#include "engine/rng.h"
#include "engine/sched.h"
#include "engine/trainer.h"

/* ---- a diagonal quadratic f = sum_j k_j theta_j^2 / 2 ------------------------ */

static void quad_grad(const double *k, const float *theta, float *g, size_t n)
{
    for (size_t j = 0; j < n; j++)
        g[j] = (float)(k[j] * (double)theta[j]);
}

/* theta_next = theta - eps * grad, plain SGD. */
static void quad_sgd(const double *k, const float *theta, float *next, size_t n, double eps)
{
    for (size_t j = 0; j < n; j++)
        next[j] = (float)((double)theta[j] - eps * k[j] * (double)theta[j]);
}

/* The Hessian-vector estimate the way the trainer takes it: move along the
 * gradient by lrest_fd_step, take the gradient there, form the quotient. */
static double quad_hvp(const double *k, const float *theta, size_t n)
{
    float g[8], theta_d[8], g_d[8];
    cr_assert_leq(n, 8);
    quad_grad(k, theta, g, n);
    double tt = 0.0, gg = 0.0;
    for (size_t j = 0; j < n; j++) {
        tt += (double)theta[j] * (double)theta[j];
        gg += (double)g[j] * (double)g[j];
    }
    float d = (float)lrest_fd_step(sqrt(tt), sqrt(gg));
    for (size_t j = 0; j < n; j++)
        theta_d[j] = theta[j] + d * g[j];
    quad_grad(k, theta_d, g_d, n);
    return lrest_hvp_quotient(theta, theta_d, g, g_d, n);
}

static void expect_rel(double got, double want, double tol, const char *what)
{
    cr_expect(fabs(got - want) <= tol * fabs(want), "%s: got %.9g, want %.9g (rel err %.2g)",
              what, got, want, fabs(got - want) / fabs(want));
}

/* On f = k theta^2 / 2 both forms give 1/k, for curvatures and step sizes
 * that contract (eps k < 1), oscillate (1 < eps k < 2) and diverge (> 2):
 * the estimate does not depend on the LR used. */
Test(lrest, one_dimensional_quadratic_gives_inverse_curvature)
{
    static const double ks[] = { 0.37, 1.0, 2.5, 7.3, 40.0 };
    static const double eps_k[] = { 0.1, 0.45, 1.3, 2.4 };
    static const float starts[] = { 1.0f, -0.8125f, 3.7f, 0.05f };
    for (size_t a = 0; a < sizeof ks / sizeof *ks; a++)
        for (size_t b = 0; b < sizeof eps_k / sizeof *eps_k; b++)
            for (size_t c = 0; c < sizeof starts / sizeof *starts; c++) {
                double k = ks[a], eps = eps_k[b] / k;
                float th[3] = { starts[c] };
                quad_sgd(&k, &th[0], &th[1], 1, eps);
                quad_sgd(&k, &th[1], &th[2], 1, eps);
                expect_rel(lrest_secant(&th[0], &th[1], &th[2], 1, eps), 1.0 / k, 1e-4,
                           "secant");
                expect_rel(quad_hvp(&k, &th[0], 1), 1.0 / k, 1e-4, "hvp");
            }
}

/* Two coordinates with curvatures k1, k2 from theta0, plain SGD at eps. With
 * q_j = 1 - eps k_j, theta_{i,j} = q_j^i theta0_j and the gradient
 * g_j = k_j theta_{i,j}:
 *     theta_{i+1,j} - theta_{i,j}              = -eps k_j theta_{i,j}
 *     2 theta_{i+1,j} - theta_{i,j} - theta_{i+2,j} = -(theta_{i+2,j} - 2 theta_{i+1,j} + theta_{i,j})
 *                                               = -(q_j - 1)^2 theta_{i,j} = -(eps k_j)^2 theta_{i,j}
 * so top = eps sum_j k_j |theta_{i,j}|, bot = eps^2 sum_j k_j^2 |theta_{i,j}| and
 *     secant = sum_j |g_j| / sum_j k_j |g_j|,
 * while the exact form is
 *     hvp = g.g / g.Hg = sum_j g_j^2 / sum_j k_j g_j^2.
 * The two weight the curvatures differently (|g| against g^2) and differ. */
Test(lrest, two_curvatures_match_the_closed_forms)
{
    static const struct { double k1, k2, eps; float t1, t2; int i; } cases[] = {
        { 1.0, 10.0, 0.05, 1.0f, 1.0f, 0 },
        { 1.0, 10.0, 0.05, 1.0f, 1.0f, 3 },
        { 0.5, 30.0, 0.05, -2.0f, 0.25f, 2 },   /* q2 = -0.5: the stiff coordinate oscillates */
        { 4.0, 0.2, 0.3, 0.1f, -1.5f, 1 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        double k[2] = { cases[c].k1, cases[c].k2 }, eps = cases[c].eps;
        float th[6][2] = { { cases[c].t1, cases[c].t2 } };
        for (int i = 0; i < 5; i++)
            quad_sgd(k, th[i], th[i + 1], 2, eps);
        int i = cases[c].i;
        double g1 = k[0] * (double)th[i][0], g2 = k[1] * (double)th[i][1];
        double want_secant = (fabs(g1) + fabs(g2)) / (k[0] * fabs(g1) + k[1] * fabs(g2));
        double want_hvp = (g1 * g1 + g2 * g2) / (k[0] * g1 * g1 + k[1] * g2 * g2);
        expect_rel(lrest_secant(th[i], th[i + 1], th[i + 2], 2, eps), want_secant, 1e-4,
                   "secant");
        expect_rel(quad_hvp(k, th[i], 2), want_hvp, 1e-4, "hvp");
        cr_expect(fabs(want_secant - want_hvp) > 1e-3 * want_hvp,
                  "case %zu should tell the two weightings apart", c);
    }
}

/* When mini-batch noise dominates the gradient the secant measures the
 * noise, not the curvature. With gradients g_t iid N(0, s^2) per coordinate
 * and Caffe momentum (v <- mu v - eps g, theta += v), stationary velocities
 * have variance eps^2 s^2 / (1 - mu^2); the second difference is
 * v_{i+1} - v_{i+2} = (1 - mu) v_{i+1} + eps g_{i+1}, of variance
 * 2 eps^2 s^2 / (1 + mu). Both sums are of |Gaussians|, so
 *     secant = eps / sqrt(2 (1 - mu))     (0.71 eps plain, 2.24 eps at mu 0.9)
 * whatever the loss: what the header warns about. */
Test(lrest, secant_of_pure_noise_is_a_multiple_of_the_lr)
{
    enum { N = 50000, STEPS = 120 };
    static const double mus[] = { 0.0, 0.8, 0.9 };
    float *th[3], *v = calloc(N, sizeof *v);
    for (int i = 0; i < 3; i++)
        th[i] = calloc(N, sizeof *th[i]);
    cr_assert(v && th[0] && th[1] && th[2]);
    for (size_t m = 0; m < sizeof mus / sizeof *mus; m++) {
        float mu = (float)mus[m], eps = 0.3f;
        lr_rng rng;
        rng_seed(&rng, 42 + m);
        memset(v, 0, N * sizeof *v);
        memset(th[0], 0, N * sizeof *th[0]);
        /* run to stationarity, then keep the last three iterates */
        for (int s = 0; s < STEPS; s++) {
            float *cur = th[s % 3], *next = th[(s + 1) % 3];
            for (size_t j = 0; j < N; j++) {
                v[j] = mu * v[j] - eps * rng_normal(&rng);
                next[j] = cur[j] + v[j];
            }
        }
        const float *a = th[(STEPS - 2) % 3], *b = th[(STEPS - 1) % 3], *c = th[STEPS % 3];
        double want = (double)eps / sqrt(2.0 * (1.0 - (double)mu));
        expect_rel(lrest_secant(a, b, c, N, (double)eps), want, 0.02, "secant of noise");
    }
    for (int i = 0; i < 3; i++)
        free(th[i]);
    free(v);
}

Test(lrest, undefined_samples_are_nan_and_skipped)
{
    /* a fixed point: no movement, bot = 0 */
    float same[2] = { 1.0f, -2.0f };
    cr_expect(isnan(lrest_secant(same, same, same, 2, 0.1)));
    /* negative curvature (f = -theta^2/2): the gradient decreases along the move */
    double k = -1.0;
    float theta = 0.5f;
    cr_expect(isnan(quad_hvp(&k, &theta, 1)));
    /* zero curvature: the gradient does not change */
    float th0 = 1.0f, th1 = 1.5f, g = 0.25f;
    cr_expect(isnan(lrest_hvp_quotient(&th0, &th1, &g, &g, 1)));
    /* the running average: 0.9 avg + 0.1 est, a NaN sample leaves it alone */
    double avg = LREST_AVG_START;
    avg = lrest_average(avg, 2.1);
    cr_expect_float_eq(avg, 0.9 * 0.1 + 0.1 * 2.1, 1e-15);
    cr_expect_eq(lrest_average(avg, NAN), avg);
    cr_expect_eq(lrest_average(avg, INFINITY), avg);
}

Test(lrest, steps_due_every_k)
{
    lrest le;
    memset(&le, 0, sizeof le);
    le.every = 10;
    for (long s = 0; s < 40; s++)
        cr_expect_eq(lrest_due(&le, s), s == 9 || s == 19 || s == 29 || s == 39, "step %ld", s);
    le.every = 1;
    cr_expect(!lrest_due(&le, 0));
    cr_expect(lrest_due(&le, 1) && lrest_due(&le, 2));
    le.every = 0;
    cr_expect(!lrest_due(&le, 9));
}

/* ---- on a network: measuring must not change the run ------------------------ */

typedef struct run {
    dataset_pair data;
    net          n;
    trainer      t;
} run;

static void run_start(run *r, sched_policy p, double momentum, int every)
{
    lr_err e;
    openblas_set_num_threads(1);
    cr_assert_eq(dataset_make_synthetic(&r->data, 2000, 500, 11, &e), 0, "%s", e.msg);
    net_opts no;
    net_opts_default(&no);
    cr_assert_eq(net_build(&r->n, "mlp-bn:32", trainer_data_shape(&r->data.train), 10, 256, &no, 5, &e),
                 0, "%s", e.msg);
    sched s;
    sched_defaults(&s, p);
    s.lr_min = 0.05;
    s.lr_max = 0.5;
    s.stepsize = 20;
    s.mom_max = s.mom_min = momentum;
    s.total = 80;
    sgd_opts o;
    sgd_opts_default(&o);
    o.decay_bn = true;      /* all three weight-decay ranges in play */
    train_cfg c;
    train_cfg_default(&c);
    c.batch = 32;
    c.seed = 9;
    c.eval_every = 15;
    cr_assert_eq(trainer_init(&r->t, &r->n, &r->data.train, &r->data.test, &s, &o, &c, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(trainer_enable_lr_estimate(&r->t, every, &e), 0, "%s", e.msg);
}

static void run_end(run *r)
{
    trainer_free(&r->t);
    net_free(&r->n);
    dataset_pair_free(&r->data);
}

static void check_invisible(sched_policy p, double momentum, int every)
{
    enum { N = 80 };
    metrics_row *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
    cr_assert(a && b);
    run plain, measured;
    run_start(&plain, p, momentum, 0);
    run_start(&measured, p, momentum, every);
    for (long i = 0; i < N; i++) {
        trainer_step(&plain.t, &a[i]);
        trainer_step(&measured.t, &b[i]);
    }
    long n_secant = 0, n_hvp = 0;
    for (long i = 0; i < N; i++) {
        cr_expect(isnan(a[i].lr_est_secant) && isnan(a[i].lr_est_hvp),
                  "off: no estimate at step %ld", i);
        bool due = i >= 1 && (i + 1) % every == 0;
        if (due) {
            cr_expect(isfinite(b[i].lr_est_secant) && b[i].lr_est_secant > 0.0,
                      "secant at step %ld: %g", i, b[i].lr_est_secant);
            cr_expect(isfinite(b[i].lr_est_hvp) && b[i].lr_est_hvp > 0.0,
                      "hvp at step %ld: %g", i, b[i].lr_est_hvp);
        } else {
            cr_expect(isnan(b[i].lr_est_secant) && isnan(b[i].lr_est_hvp),
                      "not due at step %ld", i);
        }
        n_secant += !isnan(b[i].lr_est_secant);
        n_hvp += !isnan(b[i].lr_est_hvp);
        /* everything else identical, byte for byte (NaN cells included) */
        b[i].lr_est_secant = a[i].lr_est_secant;
        b[i].lr_est_hvp = a[i].lr_est_hvp;
        cr_expect_eq(memcmp(&a[i], &b[i], sizeof a[i]), 0, "row %ld differs", i);
    }
    cr_expect_eq(n_secant, every == 1 ? N - 1 : N / every);
    cr_expect_eq(n_hvp, n_secant);
    /* Raw samples may be undefined (a batch can have negative curvature along
     * its gradient), but most are not, and the secant's sum never vanishes. */
    cr_expect_eq(measured.t.lrest.n_secant, n_secant);
    cr_expect_gt(measured.t.lrest.n_hvp, n_hvp / 2, "%ld of %ld hvp samples defined",
                 measured.t.lrest.n_hvp, n_hvp);
    /* and the state the next step would read */
    cr_expect_eq(memcmp(plain.n.params, measured.n.params, plain.n.n_params * sizeof(float)), 0);
    cr_expect_eq(memcmp(plain.n.velocity, measured.n.velocity,
                        plain.n.n_params * sizeof(float)), 0);
    cr_expect_eq(memcmp(plain.n.state, measured.n.state, plain.n.n_state * sizeof(float)), 0);
    run_end(&plain);
    run_end(&measured);
    free(a);
    free(b);
}

Test(lrest, measuring_every_step_does_not_change_the_run)
{
    check_invisible(SCHED_TRIANGULAR, 0.0, 1);
}

Test(lrest, measuring_with_momentum_does_not_change_the_run)
{
    check_invisible(SCHED_CONST, 0.9, 7);
}


/* The probe on a real network against an independent closed form. For
 * softmax regression, logits z_i = x_i W + b, and a direction V = (V_W, V_b)
 * moves them by u_i = x_i V_W + V_b; with p_i = softmax(z_i) the curvature of
 * the mean cross-entropy along V is
 *     V.HV = 1/B sum_i ( sum_k p_ik u_ik^2 - (sum_k p_ik u_ik)^2 )
 * plus wd |V_W|^2 from the weight decay on the weights. The direction is the
 * SGD step's: V = g + wd theta on W, g on b (biases not decayed). */
Test(lrest, hvp_probe_matches_softmax_regression_in_closed_form)
{
    enum { B = 64 };
    lr_err e;
    openblas_set_num_threads(1);
    dataset_pair data;
    cr_assert_eq(dataset_make_synthetic(&data, 500, 10, 3, &e), 0, "%s", e.msg);
    int D = dataset_dim(&data.train), K = 10;
    net n;
    net_opts no;
    net_opts_default(&no);
    cr_assert_eq(net_build(&n, "linear", trainer_data_shape(&data.train), K, B, &no, 2, &e), 0, "%s", e.msg);
    sgd_opts o;
    sgd_opts_default(&o);
    float *x = malloc((size_t)B * D * sizeof *x);
    int y[B];
    cr_assert(x);
    dataset_to_float(&data.train, 0, B, x, y);
    /* move off the initialisation so the probabilities are not uniform */
    for (int s = 0; s < 5; s++) {
        net_train_pass(&n, x, y, B, NULL);
        sgd_step(&n, &o, 0.5, 0.0);
    }
    net_train_pass(&n, x, y, B, NULL);

    const layer *l = &n.nodes[0].l;
    double vv = 0.0, vhv = 0.0, wd = o.wd;
    for (size_t j = 0; j < n.n_weights; j++) {
        double v = (double)l->dw[j] + wd * (double)l->w[j];
        vv += v * v;
        vhv += wd * v * v;
    }
    for (int k = 0; k < K; k++)
        vv += (double)l->db[k] * (double)l->db[k];
    double curv = 0.0;
    for (int i = 0; i < B; i++) {
        double z[10], u[10], zmax = -INFINITY, sum = 0.0;
        for (int k = 0; k < K; k++) {
            z[k] = (double)l->b[k];
            u[k] = (double)l->db[k];
            for (int j = 0; j < D; j++) {
                size_t w = (size_t)j * K + (size_t)k;
                z[k] += (double)x[(size_t)i * D + j] * (double)l->w[w];
                u[k] += (double)x[(size_t)i * D + j] * ((double)l->dw[w] + wd * (double)l->w[w]);
            }
            zmax = fmax(zmax, z[k]);
        }
        for (int k = 0; k < K; k++)
            sum += exp(z[k] - zmax);
        double pu = 0.0, puu = 0.0;
        for (int k = 0; k < K; k++) {
            double p = exp(z[k] - zmax) / sum;
            pu += p * u[k];
            puu += p * u[k] * u[k];
        }
        curv += puu - pu * pu;
    }
    vhv += curv / B;
    double want = vv / vhv;

    float *params = malloc(n.n_params * sizeof *params), *grads = malloc(n.n_params * sizeof *grads);
    cr_assert(params && grads);
    memcpy(params, n.params, n.n_params * sizeof *params);
    memcpy(grads, n.grads, n.n_params * sizeof *grads);
    lrest le;
    cr_assert_eq(lrest_init(&le, &n, 1, &e), 0, "%s", e.msg);
    lrest_before_step(&le, &n, &o, 1, 0.5, x, y, B);
    /* The forward difference is off by a term first order in d: here 0.6 %
     * at LREST_FD_REL = 1e-3 (5 % at 1e-2), far below the batch-to-batch
     * spread of the estimate. */
    expect_rel(le.hvp, want, 1e-2, "probe against closed form");
    cr_expect_eq(memcmp(params, n.params, n.n_params * sizeof *params), 0, "parameters restored");
    cr_expect_eq(memcmp(grads, n.grads, n.n_params * sizeof *grads), 0, "gradients restored");
    lrest_free(&le);
    free(params);
    free(grads);
    free(x);
    net_free(&n);
    dataset_pair_free(&data);
}
