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

#include "engine/clock.h"
#include "engine/gradcheck.h"
#include "engine/layers.h"
#include "engine/net.h"
#include "engine/rng.h"
#include "engine/sgd.h"

static float *randn(lr_rng *r, size_t n, float scale)
{
    float *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = scale * rng_normal(r);
    return p;
}

static void check_close(const char *what, size_t i, double analytic, double numeric)
{
    double tol = 1e-3 * fmax(1e-2, fmax(fabs(analytic), fabs(numeric)));
    cr_expect(fabs(analytic - numeric) <= tol, "%s[%zu]: analytic %.6g vs numeric %.6g", what,
              i, analytic, numeric);
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

/* Whole networks through the engine's gradient checker, on a small batch
 * of random images of `in`; every tensor is sampled. */
static void check_net(const char *spec, lr_shape in, int per_tensor)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    int B = 6, K = 4;
    cr_assert_eq(net_build(&n, spec, in, K, B, &o, 11, &e), 0, "%s", e.msg);
    lr_rng r;
    rng_seed(&r, 5);
    float *x = randn(&r, (size_t)B * n.n_in, 1.0f);
    int y[6] = { 0, 1, 2, 3, 1, 2 };
    gradcheck_opts go;
    gradcheck_opts_default(&go);
    go.per_tensor = per_tensor;
    gradcheck_report rep;
    cr_assert_eq(gradcheck_net(&n, x, y, B, &go, &rep, &e), 0, "%s", e.msg);
    for (int i = 0; i < rep.n_tensors; i++)
        cr_expect(rep.tensors[i].n_bad == 0 || rep.passed, "%s %s: %d of %d entries off, "
                  "worst %.3g", spec, rep.tensors[i].name, rep.tensors[i].n_bad,
                  rep.tensors[i].n_checked, rep.tensors[i].max_err);
    cr_expect(rep.passed, "%s: %d of %d entries off (worst %.3g)", spec, rep.n_bad,
              rep.n_checked, rep.max_err);
    cr_expect(rep.n_checked > 0);
    gradcheck_report_free(&rep);
    free(x);
    net_free(&n);
}

#define FLAT(n) ((lr_shape){ n, 1, 1 })
#define IMAGE(c, h, w) ((lr_shape){ c, h, w })

Test(gradients, whole_mlp) { check_net("mlp:6,5", FLAT(5), 64); }
Test(gradients, whole_mlp_bn) { check_net("mlp-bn:6,5", FLAT(5), 64); }
Test(gradients, linear_model) { check_net("linear", FLAT(5), 64); }
Test(gradients, whole_lenet) { check_net("lenet", IMAGE(1, 16, 16), 12); }
Test(gradients, whole_cnn_bn) { check_net("cnn-bn", IMAGE(1, 8, 8), 12); }
Test(gradients, whole_resnet_8) { check_net("resnet:8", IMAGE(3, 8, 8), 8); }
Test(gradients, whole_resnet_8_narrow) { check_net("resnet:8,4", IMAGE(2, 9, 7), 16); }

/* The checker itself: a backward that loses a layer's gradient fails it. */
Test(gradients, checker_catches_a_missing_gradient)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    int B = 4;
    cr_assert_eq(net_build(&n, "mlp:5", FLAT(3), 3, B, &o, 2, &e), 0, "%s", e.msg);
    lr_rng r;
    rng_seed(&r, 1);
    float *x = randn(&r, (size_t)B * 3, 1.0f);
    int y[4] = { 0, 1, 2, 0 };
    /* a "layer" whose backward drops its weight gradient */
    layer_ops broken = *n.nodes[0].l.ops;
    broken.backward = n.nodes[1].l.ops->backward; /* relu's: touches no parameter */
    n.nodes[0].l.ops = &broken;
    gradcheck_opts go;
    gradcheck_opts_default(&go);
    gradcheck_report rep;
    cr_assert_eq(gradcheck_net(&n, x, y, B, &go, &rep, &e), 0);
    cr_expect(!rep.passed);
    cr_expect_eq(rep.tensors[0].n_bad, rep.tensors[0].n_checked);
    gradcheck_report_free(&rep);
    free(x);
    net_free(&n);
}

Test(net, parameter_regions_and_counts)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    cr_assert_eq(net_build(&n, "mlp-bn:512,512", IMAGE(1, 28, 28), 10, 128, &o, 1, &e), 0, "%s", e.msg);
    cr_expect_eq(n.n_weights, (size_t)(784 * 512 + 512 * 512 + 512 * 10));
    cr_expect_eq(n.n_bias, (size_t)(512 + 512 + 10));
    cr_expect_eq(n.n_params - n.n_weights - n.n_bias, (size_t)(2 * 512 * 2));
    cr_expect_eq(n.n_nodes, 5); /* dense bn+relu dense bn+relu dense */
    net_free(&n);
}

/* Dense batch norm over a batch of one is zeros with no gradient: refused.
 * A conv net's batch norm also reads the positions of the image, so its
 * batch of one trains. */
Test(net, batch_norm_needs_two_values_per_feature)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    cr_expect_eq(net_build(&n, "mlp-bn:8", FLAT(5), 3, 1, &o, 1, &e), -1);
    cr_expect(strstr(e.msg, "batch norm 'bn1'") && strstr(e.msg, "at least 2"), "%s", e.msg);
    cr_assert_eq(net_build(&n, "mlp-bn:8", FLAT(5), 3, 2, &o, 1, &e), 0, "%s", e.msg);
    net_free(&n);
    cr_assert_eq(net_build(&n, "cnn-bn", IMAGE(1, 28, 28), 10, 1, &o, 1, &e), 0, "%s", e.msg);
    net_free(&n);
}

/* Parameter counts of the presets, by hand from their definitions. */
Test(net, preset_parameter_counts)
{
    size_t n;
    lr_err e;
    cr_assert_eq(net_check_spec("resnet:8", IMAGE(1, 28, 28), 10, &n, &e), 0, "%s", e.msg);
    cr_expect_eq(n, (size_t)77754);
    /* ResNet-20 on CIFAR-10: 0.27 M */
    cr_assert_eq(net_check_spec("resnet:20", IMAGE(3, 32, 32), 10, &n, &e), 0, "%s", e.msg);
    cr_expect_eq(n, (size_t)272474);
    /* LeNet: 5*5*20+20 + 5*5*20*50+50 + 800*500+500 + 500*10+10 */
    cr_assert_eq(net_check_spec("lenet", IMAGE(1, 28, 28), 10, &n, &e), 0, "%s", e.msg);
    cr_expect_eq(n, (size_t)(520 + 25050 + 400500 + 5010));
    /* cnn-bn: convs without bias, BN 2 per channel */
    cr_assert_eq(net_check_spec("cnn-bn", IMAGE(1, 28, 28), 10, &n, &e), 0, "%s", e.msg);
    cr_expect_eq(n, (size_t)(9 * 32 + 9 * 32 * 32 + 9 * 32 * 64 + 9 * 64 * 64 +
                             2 * (32 + 32 + 64 + 64) + 64 * 10 + 10));
}

Test(net, bad_specs_are_refused_with_reasons)
{
    lr_err e;
    lr_shape img = IMAGE(1, 28, 28);
    cr_expect_eq(net_check_spec("vgg", img, 10, NULL, &e), -1);
    cr_expect(strstr(e.msg, "unknown model"), "%s", e.msg);
    cr_expect_eq(net_check_spec("resnet", img, 10, NULL, &e), -1);
    cr_expect(strstr(e.msg, "depth"), "%s", e.msg);
    cr_expect_eq(net_check_spec("resnet:21", img, 10, NULL, &e), -1);
    cr_expect(strstr(e.msg, "6n+2"), "%s", e.msg);
    cr_expect_eq(net_check_spec("mlp:0", img, 10, NULL, &e), -1);
    cr_expect(strstr(e.msg, "1 to 65536"), "%s", e.msg);
    cr_expect_eq(net_check_spec("mlp:12x", img, 10, NULL, &e), -1);
    cr_expect(strstr(e.msg, "comma"), "%s", e.msg);
    cr_expect_eq(net_check_spec("mlp:12,", img, 10, NULL, &e), -1);
    cr_expect(strstr(e.msg, "missing"), "%s", e.msg);
    cr_expect_eq(net_check_spec("lenet:5", img, 10, NULL, &e), -1);
    cr_expect(strstr(e.msg, "no arguments"), "%s", e.msg);
}

/* A model whose convolutions and pools shrink the image below 1x1 is
 * refused, naming the layer. */
Test(net, images_too_small_for_the_model_are_refused)
{
    lr_err e;
    cr_expect_eq(net_check_spec("lenet", IMAGE(1, 12, 12), 10, NULL, &e), -1);
    cr_expect(strstr(e.msg, "conv2"), "%s", e.msg);
    cr_expect_eq(net_check_spec("cnn-bn", IMAGE(3, 3, 3), 10, NULL, &e), -1);
    cr_expect(strstr(e.msg, "pool2"), "%s", e.msg);
    cr_expect_eq(net_check_spec("resnet:8", IMAGE(1, 4, 4), 10, NULL, &e), 0, "%s", e.msg);
    cr_expect_eq(net_check_spec("lenet", IMAGE(1, 16, 16), 10, NULL, &e), 0, "%s", e.msg);
}

Test(net, memory_beyond_what_is_available_is_refused_before_allocating)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    cr_expect_eq(net_build(&n, "mlp:65536,65536,65536", IMAGE(1, 28, 28), 10, 128, &o, 1, &e),
                 -1);
    cr_expect(strstr(e.msg, "available"), "%s", e.msg);
    cr_expect(strstr(e.msg, "GB"), "%s", e.msg);
}

/* A deep chain needs only a few gradient buffers, however deep. */
Test(net, gradient_buffers_are_shared_along_the_graph)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    cr_assert_eq(net_build(&n, "resnet:56", IMAGE(3, 8, 8), 10, 2, &o, 1, &e), 0, "%s", e.msg);
    cr_expect_eq(n.n_nodes, 143); /* stem 2, 27 blocks of 5, 2 projections of 2, gap, dense */
    cr_expect(n.n_grad_bufs <= 4, "%d buffers", n.n_grad_bufs);
    net_free(&n);
}

/* Evaluation in chunks gives what one big batch gives. */
Test(net, evaluation_does_not_depend_on_the_chunk_size)
{
    net small, big;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    cr_assert_eq(net_build(&small, "resnet:8,4", IMAGE(3, 8, 8), 10, 3, &o, 4, &e), 0);
    cr_assert_eq(net_build(&big, "resnet:8,4", IMAGE(3, 8, 8), 10, 9, &o, 4, &e), 0);
    lr_rng r;
    rng_seed(&r, 3);
    float *x = randn(&r, 9 * 3 * 8 * 8, 1.0f);
    const float *all = net_forward(&big, x, 9, false);
    for (int c = 0; c < 3; c++) {
        const float *part = net_forward(&small, x + c * 3 * 192, 3, false);
        for (int i = 0; i < 30; i++)
            cr_expect(fabsf(part[i] - all[c * 30 + i]) <= 1e-5f * (1.0f + fabsf(part[i])),
                      "chunk %d logit %d: %g vs %g", c, i, (double)part[i],
                      (double)all[c * 30 + i]);
    }
    free(x);
    net_free(&small);
    net_free(&big);
}

/* bench --by-layer's timing: every node's forward and backward add their
 * own time, inside the pass's wall clock; evaluation only times forward;
 * nothing is timed without the array. */
Test(net, node_seconds_time_each_pass_of_each_node)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    lr_err e;
    cr_assert_eq(net_build(&n, "resnet:8,4", IMAGE(3, 8, 8), 10, 4, &o, 4, &e), 0);
    lr_rng r;
    rng_seed(&r, 5);
    float *x = randn(&r, 4 * 3 * 8 * 8, 1.0f);
    int y[4] = { 1, 2, 3, 4 };
    double *sec = calloc(2 * (size_t)n.n_nodes, sizeof *sec);
    n.node_seconds = sec;
    double t0 = clock_seconds();
    net_train_pass(&n, x, y, 4, NULL);
    double wall = clock_seconds() - t0, sum = 0.0;
    for (int i = 0; i < n.n_nodes; i++) {
        cr_expect(sec[2 * i] > 0.0, "%s: no forward time", n.nodes[i].l.name);
        cr_expect(sec[2 * i + 1] > 0.0, "%s: no backward time", n.nodes[i].l.name);
        sum += sec[2 * i] + sec[2 * i + 1];
    }
    cr_expect(sum <= wall, "the nodes took %g s of a %g s pass", sum, wall);
    memset(sec, 0, 2 * (size_t)n.n_nodes * sizeof *sec);
    net_forward(&n, x, 4, false);
    for (int i = 0; i < n.n_nodes; i++) {
        cr_expect(sec[2 * i] > 0.0, "%s: evaluation not timed", n.nodes[i].l.name);
        cr_expect_eq(sec[2 * i + 1], 0.0, "%s: evaluation timed as backward", n.nodes[i].l.name);
    }
    n.node_seconds = NULL;
    double first = sec[0];
    net_train_pass(&n, x, y, 4, NULL);
    cr_expect_eq(sec[0], first, "timed with node_seconds unset");
    free(sec);
    free(x);
    net_free(&n);
}

Test(net, batchnorm_eval_uses_running_statistics)
{
    net n;
    net_opts o;
    net_opts_default(&o);
    o.bn_maf = 0.0f; /* running stats = last batch's */
    lr_err e;
    cr_assert_eq(net_build(&n, "mlp-bn:4", FLAT(3), 2, 64, &o, 2, &e), 0, "%s", e.msg);
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
    cr_assert_eq(net_build(&n, "mlp-bn:2", FLAT(2), 2, 4, &o, 1, &e), 0, "%s", e.msg);
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
