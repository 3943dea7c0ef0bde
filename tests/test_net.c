/* Gradient checks by central finite differences, for each layer alone and
 * for whole networks, plus the optimizer's update rule.
 *
 * Each layer check uses the scalar objective L = sum(out * R) for a fixed
 * random R, so dL/dout = R is fed to backward and every analytic gradient
 * (input, weights, biases) is compared with (L(p+h) - L(p-h)) / 2h computed
 * in double from float forward passes. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/layers.h"
#include "engine/net.h"
#include "engine/rng.h"
#include "engine/sgd.h"

#define H 1e-2f

static float *randn(lr_rng *r, size_t n, float scale)
{
    float *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = scale * rng_normal(r);
    return p;
}

/* A standalone layer with its own parameter, gradient and scratch buffers. */
typedef struct test_layer {
    layer l;
    float *mem;
} test_layer;

static void make_layer(test_layer *t, layer_kind kind, int n_in, int n_out, int B, lr_rng *r)
{
    static const layer_ops *ops[] = { &layer_dense_ops, &layer_relu_ops, &layer_batchnorm_ops };
    memset(t, 0, sizeof *t);
    layer *l = &t->l;
    l->kind = kind;
    l->ops = ops[kind];
    l->n_in = n_in;
    l->n_out = n_out;
    size_t nw = kind == LAYER_DENSE ? (size_t)n_in * n_out : (size_t)n_out;
    size_t total = 2 * nw + 2 * (size_t)n_out + 5 * (size_t)n_out + (size_t)B * n_out;
    t->mem = calloc(total, sizeof(float));
    float *p = t->mem;
    l->w = p; p += nw;
    l->dw = p; p += nw;
    l->b = p; p += n_out;
    l->db = p; p += n_out;
    l->run_mean = p; p += n_out;
    l->run_var = p; p += n_out;
    l->inv_std = p; p += n_out;
    l->scratch = p; p += 2 * (size_t)n_out;
    l->xhat = p;
    l->bn_maf = 0.9f;
    l->bn_eps = 1e-5f;
    for (size_t i = 0; i < nw; i++)
        l->w[i] = kind == LAYER_BATCHNORM ? 1.0f + 0.3f * rng_normal(r) : 0.5f * rng_normal(r);
    for (int i = 0; i < n_out; i++) {
        l->b[i] = 0.3f * rng_normal(r);
        l->run_var[i] = 1.0f;
    }
}

static double objective(layer *l, const float *x, float *out, const float *R, int B)
{
    l->ops->forward(l, x, out, B, true);
    double s = 0.0;
    for (size_t i = 0; i < (size_t)B * l->n_out; i++)
        s += (double)out[i] * (double)R[i];
    return s;
}

static void check_close(const char *what, size_t i, double analytic, double numeric)
{
    double tol = 2e-2 * fmax(1.0, fmax(fabs(analytic), fabs(numeric)));
    cr_expect(fabs(analytic - numeric) <= tol, "%s[%zu]: analytic %.6g vs numeric %.6g", what,
              i, analytic, numeric);
}

/* Perturbs each entry of p (n of them) and compares with grad. */
static void check_entries(const char *what, float *p, const float *grad, size_t n, layer *l,
                          const float *x, float *out, const float *R, int B)
{
    for (size_t i = 0; i < n; i++) {
        float keep = p[i];
        p[i] = keep + H;
        double up = objective(l, x, out, R, B);
        p[i] = keep - H;
        double down = objective(l, x, out, R, B);
        p[i] = keep;
        check_close(what, i, grad[i], (up - down) / (2.0 * (double)H));
    }
}

static void check_layer(layer_kind kind, int n_in, int n_out, int B)
{
    lr_rng r;
    rng_seed(&r, 42 + kind);
    test_layer t;
    make_layer(&t, kind, n_in, n_out, B, &r);
    layer *l = &t.l;
    float *x = randn(&r, (size_t)B * n_in, 1.0f);
    if (kind == LAYER_RELU) /* keep inputs away from the kink */
        for (int i = 0; i < B * n_in; i++)
            x[i] += x[i] > 0 ? 0.1f : -0.1f;
    float *R = randn(&r, (size_t)B * n_out, 1.0f);
    float *out = malloc((size_t)B * n_out * sizeof *out);
    float *din = malloc((size_t)B * n_in * sizeof *din);
    objective(l, x, out, R, B);
    l->ops->backward(l, x, out, R, din, B);
    check_entries("din", x, din, (size_t)B * n_in, l, x, out, R, B);
    if (kind != LAYER_RELU) {
        size_t nw = kind == LAYER_DENSE ? (size_t)n_in * n_out : (size_t)n_out;
        check_entries("dw", l->w, l->dw, nw, l, x, out, R, B);
        check_entries("db", l->b, l->db, (size_t)n_out, l, x, out, R, B);
    }
    free(x);
    free(R);
    free(out);
    free(din);
    free(t.mem);
}

Test(gradients, dense) { check_layer(LAYER_DENSE, 7, 5, 4); }
Test(gradients, relu) { check_layer(LAYER_RELU, 6, 6, 3); }
Test(gradients, batchnorm_training) { check_layer(LAYER_BATCHNORM, 5, 5, 6); }

Test(gradients, backward_accumulates_parameter_gradients)
{
    lr_rng r;
    rng_seed(&r, 7);
    test_layer t;
    make_layer(&t, LAYER_DENSE, 3, 2, 2, &r);
    float x[6] = { 1, 2, 3, 4, 5, 6 }, R[4] = { 1, -1, 0.5f, 2 }, out[4];
    objective(&t.l, x, out, R, 2);
    t.l.ops->backward(&t.l, x, out, R, NULL, 2);
    float once = t.l.dw[0];
    t.l.ops->backward(&t.l, x, out, R, NULL, 2);
    cr_expect_float_eq(t.l.dw[0], 2 * once, 1e-5f);
    free(t.mem);
}

Test(gradients, softmax_xent)
{
    lr_rng r;
    rng_seed(&r, 3);
    int B = 4, K = 5;
    float *z = randn(&r, (size_t)B * K, 2.0f);
    int y[4] = { 0, 3, 4, 1 };
    float dz[20];
    softmax_xent(z, y, B, K, dz, NULL);
    for (int i = 0; i < B * K; i++) {
        float keep = z[i];
        z[i] = keep + 1e-2f;
        double up = softmax_xent(z, y, B, K, NULL, NULL);
        z[i] = keep - 1e-2f;
        double down = softmax_xent(z, y, B, K, NULL, NULL);
        z[i] = keep;
        check_close("dlogits", (size_t)i, dz[i], (up - down) / 2e-2);
    }
    free(z);
}

Test(gradients, softmax_xent_is_stable_for_huge_logits)
{
    float z[3] = { 1e4f, -1e4f, 0.0f };
    int y[1] = { 1 }, hits;
    float loss = softmax_xent(z, y, 1, 3, NULL, &hits);
    cr_expect(isfinite(loss), "loss %g", (double)loss);
    cr_expect_float_eq(loss, 2e4f, 1.0f);
    cr_expect_eq(hits, 0);
}

/* Whole network: every parameter's gradient against finite differences of
 * the mean cross-entropy (a smaller step: ReLU kinks must not fall inside). */
static void check_net(const char *spec)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    int B = 6, n_in = 5, K = 4;
    cr_assert_eq(net_build(&n, spec, n_in, K, B, &o, 11, &e), 0, "%s", e.msg);
    lr_rng r;
    rng_seed(&r, 5);
    float *x = randn(&r, (size_t)B * n_in, 1.0f);
    int y[6] = { 0, 1, 2, 3, 1, 2 };
    net_train_pass(&n, x, y, B, NULL);
    float *g = malloc(n.n_params * sizeof *g);
    memcpy(g, n.grads, n.n_params * sizeof *g);
    for (size_t i = 0; i < n.n_params; i++) {
        float keep = n.params[i];
        n.params[i] = keep + 1e-3f;
        double up = net_train_pass(&n, x, y, B, NULL);
        n.params[i] = keep - 1e-3f;
        double down = net_train_pass(&n, x, y, B, NULL);
        n.params[i] = keep;
        check_close(spec, i, g[i], (up - down) / 2e-3);
    }
    free(g);
    free(x);
    net_free(&n);
}

Test(gradients, whole_mlp) { check_net("mlp:6,5"); }
Test(gradients, whole_mlp_bn) { check_net("mlp-bn:6,5"); }
Test(gradients, linear_model) { check_net("linear"); }

Test(net, parameter_regions_and_counts)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    cr_assert_eq(net_build(&n, "mlp-bn:512,512", 784, 10, 128, &o, 1, &e), 0, "%s", e.msg);
    cr_expect_eq(n.n_weights, (size_t)(784 * 512 + 512 * 512 + 512 * 10));
    cr_expect_eq(n.n_bias, (size_t)(512 + 512 + 10));
    cr_expect_eq(n.n_params - n.n_weights - n.n_bias, (size_t)(2 * 512 * 2));
    cr_expect_eq(n.n_layers, 7); /* dense bn relu dense bn relu dense */
    net_free(&n);
}

Test(net, bad_specs_are_refused_with_reasons)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    cr_expect_eq(net_build(&n, "resnet", 784, 10, 8, &o, 1, &e), -1);
    cr_expect(strstr(e.msg, "unknown model"), "%s", e.msg);
    cr_expect_eq(net_build(&n, "mlp:0", 784, 10, 8, &o, 1, &e), -1);
    cr_expect(strstr(e.msg, "1 to 65536"), "%s", e.msg);
    cr_expect_eq(net_build(&n, "mlp:12x", 784, 10, 8, &o, 1, &e), -1);
    cr_expect(strstr(e.msg, "comma"), "%s", e.msg);
}

Test(net, deepest_spec_fits_and_one_more_is_refused)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    char spec[128] = "mlp-bn:4";
    for (int i = 1; i < NET_MAX_HIDDEN; i++)
        strcat(spec, ",4");
    cr_assert_eq(net_build(&n, spec, 3, 2, 4, &o, 1, &e), 0, "%s", e.msg);
    cr_expect_eq(n.n_layers, 3 * NET_MAX_HIDDEN + 1);
    net_free(&n);
    strcat(spec, ",4");
    cr_expect_eq(net_build(&n, spec, 3, 2, 4, &o, 1, &e), -1);
    cr_expect(strstr(e.msg, "hidden layers"), "%s", e.msg);
}

Test(net, batchnorm_eval_uses_running_statistics)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    o.bn_maf = 0.0f; /* running stats = last batch's */
    lr_err e;
    cr_assert_eq(net_build(&n, "mlp-bn:4", 3, 2, 64, &o, 2, &e), 0, "%s", e.msg);
    lr_rng r;
    rng_seed(&r, 9);
    float *x = randn(&r, 64 * 3, 1.0f);
    const float *train = net_forward(&n, x, 64, true);
    float keep[128];
    memcpy(keep, train, sizeof keep);
    const float *eval = net_forward(&n, x, 64, false);
    /* Same batch: eval (unbiased running var) is close to train (biased). */
    for (int i = 0; i < 128; i++)
        cr_expect(fabsf(eval[i] - keep[i]) < 0.05f * (1.0f + fabsf(keep[i])), "%d: %g vs %g",
                  i, (double)eval[i], (double)keep[i]);
    free(x);
    net_free(&n);
}

Test(sgd, caffe_update_rule_and_decay_regions)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    cr_assert_eq(net_build(&n, "mlp-bn:2", 2, 2, 4, &o, 1, &e), 0, "%s", e.msg);
    sgd_opts s = { .wd = 0.1, .decay_bias = false, .decay_bn = false, .nesterov = false };
    for (size_t i = 0; i < n.n_params; i++) {
        n.params[i] = 1.0f;
        n.grads[i] = 0.5f;
        n.velocity[i] = 0.2f;
    }
    sgd_step(&n, &s, 0.1, 0.9);
    /* weights: v = 0.9*0.2 - 0.1*(0.5 + 0.1*1) = 0.12, theta = 1.12 */
    cr_expect_float_eq(n.velocity[0], 0.12f, 1e-6f);
    cr_expect_float_eq(n.params[0], 1.12f, 1e-6f);
    /* biases and BN: no decay: v = 0.18 - 0.05 = 0.13 */
    cr_expect_float_eq(n.params[n.n_weights], 1.13f, 1e-6f);
    cr_expect_float_eq(n.params[n.n_params - 1], 1.13f, 1e-6f);

    s.decay_bias = s.decay_bn = true;
    s.nesterov = true;
    for (size_t i = 0; i < n.n_params; i++) {
        n.params[i] = 1.0f;
        n.velocity[i] = 0.2f;
    }
    sgd_step(&n, &s, 0.1, 0.9);
    /* v_new = 0.12; theta = 1 - 0.9*0.2 + 1.9*0.12 = 1.048 */
    cr_expect_float_eq(n.params[n.n_params - 1], 1.048f, 1e-6f);
    net_free(&n);
}
