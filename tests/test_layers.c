/* Every layer kind but the convolution (tests/test_conv.c) alone, against
 * finite differences (layer_fixture.h); batch norm on data far from zero;
 * fused ReLUs against the layer followed by a ReLU layer; shapes that do not
 * fit. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/layers.h"
#include "engine/rng.h"
#include "layer_fixture.h"

Test(layers, dense_on_features)
{
    layer l = proto(LAYER_DENSE, 5, 0, 1, 0, true);
    check_layer(&l, (lr_shape){ 7, 1, 1 }, 4, 0.0f);
}

Test(layers, dense_on_an_image)
{
    layer l = proto(LAYER_DENSE, 3, 0, 1, 0, true);
    check_layer(&l, (lr_shape){ 2, 3, 3 }, 3, 0.0f);
}

Test(layers, maxpool)
{
    layer l = proto(LAYER_MAXPOOL, 0, 2, 2, 0, false);
    check_layer(&l, (lr_shape){ 3, 6, 5 }, 2, 0.0f);
}

Test(layers, maxpool_tiling_the_image)
{
    layer l = proto(LAYER_MAXPOOL, 0, 2, 2, 0, false);
    check_layer(&l, (lr_shape){ 11, 4, 6 }, 2, 0.0f);
}

Test(layers, maxpool_overlapping)
{
    layer l = proto(LAYER_MAXPOOL, 0, 3, 2, 0, false);
    check_layer(&l, (lr_shape){ 2, 7, 7 }, 2, 0.0f);
}

Test(layers, avgpool)
{
    layer l = proto(LAYER_AVGPOOL, 0, 2, 2, 0, false);
    check_layer(&l, (lr_shape){ 3, 4, 6 }, 2, 0.0f);
}

Test(layers, global_average_pool)
{
    layer l = proto(LAYER_GAP, 0, 0, 1, 0, false);
    check_layer(&l, (lr_shape){ 4, 3, 5 }, 3, 0.0f);
}

Test(layers, batchnorm_over_features_training)
{
    layer l = proto(LAYER_BATCHNORM, 0, 0, 1, 0, false);
    check_layer(&l, (lr_shape){ 5, 1, 1 }, 6, 0.0f);
}

Test(layers, batchnorm_over_channels_training)
{
    layer l = proto(LAYER_BATCHNORM, 0, 0, 1, 0, false);
    check_layer(&l, (lr_shape){ 3, 4, 3 }, 2, 0.0f);
}

/* Activations far from zero (channel c around 1000 c, spread 1): the
 * batch's mean and variance taken in one read of x still normalise them.
 * Sums of squares from zero would cancel: float partials of about
 * 1e6 per row lose the whole variance. */
Test(layers, batchnorm_normalises_data_far_from_zero)
{
    const int B = 64, C = 4, side = 8;
    layer p = proto(LAYER_BATCHNORM, 0, 0, 1, 0, false);
    lr_rng r;
    rng_seed(&r, 3);
    lone t;
    lone_make(&t, &p, (lr_shape){ C, side, side }, B, &r);
    size_t rows = (size_t)B * side * side, n = rows * C;
    float *x = randn(&r, n, 1.0f), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        x[i] += 1000.0f * (float)(i % C + 1);
    for (int c = 0; c < C; c++) {
        t.l.w[c] = 1.0f; /* scale and shift that leave xhat as it is */
        t.l.b[c] = 0.0f;
    }
    layer_io io = { .in = { x }, .out = y, .B = B, .train = true };
    t.l.ops->forward(&t.l, &io);
    for (int c = 0; c < C; c++) {
        double sum = 0.0, sq = 0.0;
        for (size_t i = 0; i < rows; i++) {
            double v = y[i * C + c];
            sum += v;
            sq += v * v;
        }
        double mean = sum / rows, var = sq / rows - mean * mean;
        cr_expect(fabs(mean) < 1e-3, "channel %d: mean %g after normalising", c, mean);
        cr_expect(fabs(var - 1.0) < 1e-2, "channel %d: variance %g after normalising", c, var);
    }
    free(x);
    free(y);
    lone_free(&t);
}

Test(layers, relu)
{
    layer l = proto(LAYER_RELU, 0, 0, 1, 0, false);
    check_layer(&l, (lr_shape){ 2, 3, 3 }, 3, 0.1f);
}

Test(layers, residual_add)
{
    layer l = proto(LAYER_ADD, 0, 0, 1, 0, false);
    check_layer(&l, (lr_shape){ 2, 3, 2 }, 2, 0.0f);
}

/* A layer with its ReLU fused (l->relu) gives, bit for bit, the output and
 * every gradient of the same layer followed by a ReLU layer, and adds into
 * din when asked to. */
static void check_fused_relu(layer plain_proto, lr_shape in, int B)
{
    layer fused_proto = plain_proto, relu_proto = proto(LAYER_RELU, 0, 0, 1, 0, false);
    fused_proto.relu = true;
    lone plain, fused, relu;
    lr_rng r;
    rng_seed(&r, 7);
    lone_make(&plain, &plain_proto, in, B, &r);
    rng_seed(&r, 7);
    lone_make(&fused, &fused_proto, in, B, &r);
    lone_make(&relu, &relu_proto, plain.l.out, B, &r);
    size_t n = (size_t)B * shape_size(in), bytes = n * sizeof(float);
    size_t n_out = (size_t)B * shape_size(plain.l.out), out_bytes = n_out * sizeof(float);
    int n_inputs = plain.l.ops->n_inputs;
    float *x[2] = { randn(&r, n, 1.0f), randn(&r, n, 1.0f) }, *dout = randn(&r, n_out, 1.0f);
    float *mid = malloc(out_bytes), *y_ref = malloc(out_bytes), *y = malloc(out_bytes);
    float *dmid = malloc(out_bytes);
    float *din_ref[2] = { malloc(bytes), malloc(bytes) }, *din[2] = { malloc(bytes), malloc(bytes) };

    layer_io io = { .in = { x[0], x[1] }, .out = mid, .B = B, .train = true };
    plain.l.ops->forward(&plain.l, &io);
    layer_io rio = { .in = { mid }, .out = y_ref, .dout = dout, .din = { dmid }, .B = B,
                     .train = true };
    relu.l.ops->forward(&relu.l, &rio);
    relu.l.ops->backward(&relu.l, &rio);
    io.dout = dmid;
    io.din[0] = din_ref[0];
    io.din[1] = n_inputs > 1 ? din_ref[1] : NULL;
    plain.l.ops->backward(&plain.l, &io);

    layer_io fio = { .in = { x[0], x[1] }, .out = y, .dout = dout,
                     .din = { din[0], n_inputs > 1 ? din[1] : NULL }, .B = B, .train = true };
    fused.l.ops->forward(&fused.l, &fio);
    fused.l.ops->backward(&fused.l, &fio);
    cr_expect(!memcmp(y, y_ref, out_bytes), "%s: fused forward differs", plain.l.name);
    for (int k = 0; k < n_inputs; k++)
        cr_expect(!memcmp(din[k], din_ref[k], bytes), "%s: fused din%d differs", plain.l.name, k);
    layer_sizes sz = { 0 };
    plain.l.ops->sizes(&plain.l, B, &sz);
    size_t n_param = sz.region[0] + sz.region[1] + sz.region[2];
    cr_expect(!memcmp(fused.grad, plain.grad, n_param * sizeof(float)),
              "%s: fused parameter gradients differ", plain.l.name);

    for (int k = 0; k < n_inputs; k++) { /* din_acc adds */
        for (size_t i = 0; i < n; i++)
            din[k][i] = 1.0f;
        fio.din_acc[k] = true;
    }
    fused.l.ops->backward(&fused.l, &fio);
    for (int k = 0; k < n_inputs; k++)
        for (size_t i = 0; i < n; i++)
            cr_expect(fabsf(din[k][i] - 1.0f - din_ref[k][i]) <= 1e-6f * (1.0f + fabsf(din_ref[k][i])),
                      "%s: fused din%d[%zu] does not accumulate", plain.l.name, k, i);
    for (int k = 0; k < 2; k++) {
        free(x[k]);
        free(din_ref[k]);
        free(din[k]);
    }
    free(dout);
    free(mid);
    free(y_ref);
    free(y);
    free(dmid);
    lone_free(&plain);
    lone_free(&fused);
    lone_free(&relu);
}

Test(layers, batchnorm_with_fused_relu_equals_batchnorm_then_relu)
{
    layer bn = proto(LAYER_BATCHNORM, 0, 0, 1, 0, false);
    check_fused_relu(bn, (lr_shape){ 6, 5, 4 }, 3);
    check_fused_relu(bn, (lr_shape){ 9, 1, 1 }, 8);
}

Test(layers, add_with_fused_relu_equals_add_then_relu)
{
    check_fused_relu(proto(LAYER_ADD, 0, 0, 1, 0, false), (lr_shape){ 3, 4, 5 }, 2);
}

/* LeNet runs each conv's ReLU in the max pool after it; a ReLU on the
 * pool's output equals one on its input. Pools that tile the image
 * (backward writes every input) and pools that do not (it scatters). */
Test(layers, maxpool_with_fused_relu_equals_maxpool_then_relu)
{
    check_fused_relu(proto(LAYER_MAXPOOL, 0, 2, 2, 0, false), (lr_shape){ 11, 6, 4 }, 3);
    check_fused_relu(proto(LAYER_MAXPOOL, 0, 2, 2, 0, false), (lr_shape){ 3, 5, 7 }, 2);
    check_fused_relu(proto(LAYER_MAXPOOL, 0, 3, 2, 0, false), (lr_shape){ 2, 7, 7 }, 2);
}

Test(layers, shapes_that_do_not_fit_are_refused_by_name)
{
    lr_err e;
    layer l = proto(LAYER_CONV, 4, 5, 1, 0, true);
    snprintf(l.name, sizeof l.name, "conv2");
    l.in = (lr_shape){ 1, 4, 4 };
    cr_expect_eq(l.ops->shape(&l, &e), -1);
    cr_expect(strstr(e.msg, "conv2"), "%s", e.msg);
    layer p = proto(LAYER_MAXPOOL, 0, 2, 2, 0, false);
    snprintf(p.name, sizeof p.name, "pool1");
    p.in = (lr_shape){ 3, 1, 1 };
    cr_expect_eq(p.ops->shape(&p, &e), -1);
    cr_expect(strstr(e.msg, "pool1"), "%s", e.msg);
}
