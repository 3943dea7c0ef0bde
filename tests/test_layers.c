/* Each layer kind alone, built through the layer table, against central
 * finite differences of the scalar objective L = sum(out * R) for a fixed
 * random R: dL/dout = R is fed to backward, and every analytic gradient
 * (inputs, weights, biases, batch-norm scale and shift) is compared with
 * (L(p+h) - L(p-h)) / 2h, L summed in double from float outputs. An entry's
 * error is measured against the RMS of its tensor's gradient, so a layer
 * that returns zeros, or a gradient off by a constant factor, fails. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gemm.h"
#include "engine/layers.h"
#include "engine/rng.h"

#define H   1e-2f
#define TOL 5e-3

/* A layer with buffers of its own. */
typedef struct lone {
    layer  l;
    float *param, *grad, *state, *scratch, *col;
    int    B;
} lone;

static float *randn(lr_rng *r, size_t n, float scale)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = scale * rng_normal(r);
    return p;
}

static void lone_make(lone *t, const layer *proto, lr_shape in, int B, lr_rng *r)
{
    memset(t, 0, sizeof *t);
    t->l = *proto;
    t->l.in = in;
    t->l.bn_maf = 0.9f;
    t->l.bn_eps = 1e-5f;
    t->B = B;
    lr_err e;
    cr_assert_eq(t->l.ops->shape(&t->l, &e), 0, "%s", e.msg);
    layer_sizes s = { 0 };
    t->l.ops->sizes(&t->l, B, &s);
    size_t n_param = s.region[0] + s.region[1] + s.region[2];
    t->param = randn(r, n_param, 0.5f);
    t->grad = calloc(n_param + 1, sizeof(float));
    t->state = calloc(s.state + 1, sizeof(float));
    t->scratch = calloc(s.scratch + 1, sizeof(float));
    t->col = calloc(s.col + 1, sizeof(float));
    layer_views v = { .state = t->state, .scratch = t->scratch, .col = t->col, .max_batch = B };
    size_t off = 0;
    for (int k = 0; k < REGION_COUNT; k++) {
        v.param[k] = t->param + off;
        v.grad[k] = t->grad + off;
        off += s.region[k];
    }
    t->l.ops->bind(&t->l, &v);
    if (t->l.kind == LAYER_BATCHNORM)
        for (int c = 0; c < in.c; c++) {
            t->l.w[c] += 1.0f; /* scale around 1 */
            t->l.run_var[c] = 1.0f;
        }
}

static void lone_free(lone *t)
{
    free(t->param);
    free(t->grad);
    free(t->state);
    free(t->scratch);
    free(t->col);
}

typedef struct problem {
    lone   *t;
    float  *x[2], *out, *R;
} problem;

static double objective(problem *p)
{
    layer_io io = { .in = { p->x[0], p->x[1] }, .out = p->out, .B = p->t->B, .train = true };
    p->t->l.ops->forward(&p->t->l, &io);
    double s = 0.0;
    for (size_t i = 0; i < (size_t)p->t->B * shape_size(p->t->l.out); i++)
        s += (double)p->out[i] * (double)p->R[i];
    return s;
}

static double rms(const float *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)v[i] * (double)v[i];
    return sqrt(s / (double)n);
}

/* Perturbs every entry of v (n of them) and compares with grad. */
static void check_entries(const char *what, problem *p, float *v, const float *grad, size_t n)
{
    double scale = rms(grad, n);
    cr_assert(scale > 0.0, "%s %s: the analytic gradient is all zeros", p->t->l.name, what);
    for (size_t i = 0; i < n; i++) {
        float keep = v[i];
        v[i] = keep + H;
        double up = objective(p);
        v[i] = keep - H;
        double down = objective(p);
        v[i] = keep;
        double num = (up - down) / (2.0 * (double)H);
        cr_expect(fabs(num - (double)grad[i]) <= TOL * scale,
                  "%s %s[%zu]: analytic %.6g vs numeric %.6g (scale %.3g)", p->t->l.name, what,
                  i, (double)grad[i], num, scale);
    }
}

/* Inputs for max pooling: distinct values 0.05 apart in a shuffled order, so
 * no +-h perturbation changes which input of a window wins. */
static void make_distinct(lr_rng *r, float *x, size_t n)
{
    uint32_t *order = malloc(n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    rng_shuffle(r, order, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        x[i] = 0.05f * (float)order[i] - 0.025f * (float)n;
    free(order);
}

/* Builds the layer on input `in` with batch B, runs forward and backward
 * once (into a din that starts as garbage, so "write" must overwrite), and
 * checks every gradient. `away` moves inputs away from zero (ReLU's kink). */
static void check_layer(const layer *proto, lr_shape in, int B, float away)
{
    lr_rng r;
    rng_seed(&r, 42 + proto->kind);
    lone t;
    lone_make(&t, proto, in, B, &r);
    size_t n_in = (size_t)B * shape_size(in), n_out = (size_t)B * shape_size(t.l.out);
    problem p = { .t = &t, .R = randn(&r, n_out, 1.0f), .out = malloc(n_out * sizeof(float)) };
    int n_inputs = t.l.ops->n_inputs;
    float *din[2] = { 0 };
    for (int k = 0; k < n_inputs; k++) {
        p.x[k] = randn(&r, n_in, 1.0f);
        for (size_t i = 0; i < n_in; i++)
            p.x[k][i] += p.x[k][i] > 0 ? away : -away;
        if (t.l.kind == LAYER_MAXPOOL)
            make_distinct(&r, p.x[k], n_in);
        din[k] = randn(&r, n_in, 100.0f);
    }
    objective(&p);
    layer_io io = { .in = { p.x[0], p.x[1] }, .out = p.out, .dout = p.R,
                    .din = { din[0], din[1] }, .B = B, .train = true };
    t.l.ops->backward(&t.l, &io);
    for (int k = 0; k < n_inputs; k++)
        check_entries(k ? "din1" : "din0", &p, p.x[k], din[k], n_in);
    layer_sizes s = { 0 };
    t.l.ops->sizes(&t.l, B, &s);
    size_t nw = s.region[REGION_WEIGHTS] ? s.region[REGION_WEIGHTS] : s.region[REGION_BN] / 2;
    size_t nb = s.region[REGION_BIASES] ? s.region[REGION_BIASES] : s.region[REGION_BN] / 2;
    if (nw)
        check_entries("dw", &p, t.l.w, t.l.dw, nw);
    if (nb)
        check_entries("db", &p, t.l.b, t.l.db, nb);

    /* din_acc adds to what is there */
    for (int k = 0; k < n_inputs; k++) {
        float *again = malloc(n_in * sizeof *again);
        for (size_t i = 0; i < n_in; i++)
            again[i] = 1.0f;
        io.din[k] = again;
        io.din_acc[k] = true;
        t.l.ops->backward(&t.l, &io);
        for (size_t i = 0; i < n_in; i++)
            cr_expect(fabsf(again[i] - 1.0f - din[k][i]) <= 1e-5f * (1.0f + fabsf(din[k][i])),
                      "%s din%d[%zu] does not accumulate", t.l.name, k, i);
        /* The next pass writes every input's gradient again: point this one
         * back at a live buffer before `again` goes. */
        io.din[k] = din[k];
        io.din_acc[k] = false;
        free(again);
    }
    for (int k = 0; k < n_inputs; k++) {
        free(din[k]);
        free(p.x[k]);
    }
    free(p.R);
    free(p.out);
    lone_free(&t);
}

static layer proto(layer_kind kind, int out_c, int k, int stride, int pad, bool bias)
{
    layer l;
    layer_setup(&l, kind, layer_table[kind]->name);
    l.out_c = out_c;
    l.k = k;
    l.stride = stride;
    l.pad = pad;
    l.bias = bias;
    return l;
}

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

Test(layers, conv_3x3_padded_im2col)
{
    layer l = proto(LAYER_CONV, 4, 3, 1, 1, true);
    l.algo = CONV_IM2COL;
    check_layer(&l, (lr_shape){ 3, 5, 6 }, 2, 0.0f);
}

/* Winograd against finite differences: F(4x4, 3x3) and F(2x2, 5x5), padded
 * and not (LeNet's second convolution is unpadded), on sizes the tiles do
 * not cover exactly, an image one pixel high, with and without bias. */
Test(layers, conv_winograd_every_variant)
{
    const struct { const char *name; int out_c, k, pad; bool bias; lr_shape in; int B; } cases[] = {
        { "3x3 pad 1, 5x7", 4, 3, 1, true, { 3, 5, 7 }, 2 },
        { "3x3 pad 1, 1x3, no bias", 2, 3, 1, false, { 5, 1, 3 }, 3 },
        { "3x3 pad 0, 7x9", 3, 3, 0, true, { 2, 7, 9 }, 2 },
        { "5x5 pad 0, 7x8", 4, 5, 0, true, { 3, 7, 8 }, 2 },
        { "5x5 pad 2, 5x6, no bias", 3, 5, 2, false, { 2, 5, 6 }, 2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        layer l = proto(LAYER_CONV, cases[i].out_c, cases[i].k, 1, cases[i].pad, cases[i].bias);
        l.algo = CONV_WINOGRAD;
        snprintf(l.name, sizeof l.name, "%s", cases[i].name);
        check_layer(&l, cases[i].in, cases[i].B, 0.0f);
    }
}

Test(layers, conv_auto_lowering)
{
    struct { int c, k, stride, pad; conv_algo want; } cases[] = {
        { 16, 3, 1, 1, CONV_WINOGRAD }, { 8, 3, 1, 1, CONV_WINOGRAD },
        { 3, 3, 1, 1, CONV_IM2COL },    /* a stem: K = 3 GEMMs would not pay */
        { 16, 3, 2, 1, CONV_IM2COL },   { 16, 3, 1, 0, CONV_WINOGRAD },
        { 20, 5, 1, 0, CONV_WINOGRAD }, { 16, 5, 1, 2, CONV_WINOGRAD },
        { 1, 5, 1, 0, CONV_IM2COL },    /* LeNet's first: K = 1 */
        { 16, 5, 2, 2, CONV_IM2COL },   { 16, 7, 1, 3, CONV_IM2COL },
        { 16, 1, 1, 0, CONV_IM2COL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lr_err e;
        layer l = proto(LAYER_CONV, 8, cases[i].k, cases[i].stride, cases[i].pad, true);
        l.in = (lr_shape){ cases[i].c, 9, 9 };
        cr_assert_eq(l.ops->shape(&l, &e), 0, "%s", e.msg);
        cr_expect_eq(l.algo, cases[i].want, "case %zu", i);
    }
}

/* The GEMM list `lrscope bench` times is the work each lowering does, run
 * by slots as training runs it, over full chunks of images and the
 * remainders: im2col's products multiply-add exactly the direct
 * convolution's count, Winograd's 36/144 of it for 3x3 kernels and 36/100
 * for 5x5 (on sizes that the tiles cover exactly). Each case has chunks of
 * two sizes (three GEMMs each), or, with the batch in two slots, of three:
 * runs of 5 and 4 images in chunks of 3 leave remainders of 2 and 1. */
Test(layers, conv_gemm_lists_add_up_to_the_lowerings_work)
{
    const double wino3 = 36.0 / (9.0 * 16.0), wino5 = 36.0 / (25.0 * 4.0);
    const struct { conv_algo algo; double share; int c, k, B, threads, gemms; } cases[] = {
        { CONV_IM2COL, 1.0, 32, 3, 5, 1, 6 },
        { CONV_WINOGRAD, wino3, 32, 3, 5, 1, 6 },
        { CONV_WINOGRAD, wino3, 48, 3, 9, 2, 9 },
        { CONV_WINOGRAD, wino5, 8, 5, 5, 1, 6 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int B = cases[i].B, C = cases[i].c, side = cases[i].k;
        lr_rng r;
        rng_seed(&r, 1);
        gemm_threads(cases[i].threads);
        layer l = proto(LAYER_CONV, C, side, 1, side / 2, false);
        l.algo = cases[i].algo;
        lone t;
        lone_make(&t, &l, (lr_shape){ C, 28, 28 }, B, &r);
        cr_expect_eq(t.l.slots, cases[i].threads, "case %zu", i);
        layer_gemm g[LAYER_MAX_GEMMS];
        int n = t.l.ops->gemms(&t.l, B, true, g);
        cr_expect_eq(n, cases[i].gemms, "case %zu: %d GEMM shapes", i, n);
        double macs = 0.0;
        for (int k = 0; k < n; k++) {
            macs += (double)g[k].count * g[k].m * g[k].n * g[k].k;
            cr_expect(g[k].by_slot, "case %zu: GEMM %d is not run by slots", i, k);
        }
        double direct = 3.0 * B * 28 * 28 * (side * side * C) * C; /* forward, dW, din */
        cr_expect(fabs(macs - cases[i].share * direct) < 0.5, "case %zu: %.0f multiply-adds, "
                  "want %.0f", i, macs, cases[i].share * direct);
        lone_free(&t);
        gemm_threads(1);
    }
}

/* im2col copies the rows of a patch in runs of k*C floats inside the
 * image and C at its edges, each length by its own path (copy_run): the
 * forward pass equals the convolution summed directly, for runs of 1 to
 * 9, 12, 15 to 17, 20 and 51 floats. */
Test(layers, conv_im2col_equals_the_direct_sum_for_every_run_length)
{
    const struct { int c, k, stride, pad; } cases[] = {
        { 1, 1, 1, 0 }, { 1, 3, 1, 1 }, { 1, 5, 1, 0 }, { 2, 3, 2, 1 }, { 3, 3, 1, 1 },
        { 5, 3, 1, 1 }, { 7, 1, 2, 0 }, { 8, 1, 1, 0 }, { 4, 3, 1, 1 }, { 16, 1, 2, 0 },
        { 17, 3, 1, 1 }, { 4, 5, 1, 2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int C = cases[i].c, N = 3, B = 2, k = cases[i].k;
        lr_shape in = { C, 7, 6 };
        lr_rng r;
        rng_seed(&r, 11 + (uint64_t)i);
        layer l = proto(LAYER_CONV, N, k, cases[i].stride, cases[i].pad, true);
        l.algo = CONV_IM2COL;
        lone t;
        lone_make(&t, &l, in, B, &r);
        lr_shape out = t.l.out;
        float *x = randn(&r, (size_t)B * shape_size(in), 1.0f);
        float *y = malloc((size_t)B * shape_size(out) * sizeof *y);
        layer_io io = { .in = { x }, .out = y, .B = B, .train = true };
        t.l.ops->forward(&t.l, &io);
        double worst = 0.0;
        for (int b = 0; b < B; b++)
            for (int oy = 0; oy < out.h; oy++)
                for (int ox = 0; ox < out.w; ox++)
                    for (int n = 0; n < N; n++) {
                        double sum = (double)t.l.b[n];
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++)
                                for (int c = 0; c < C; c++) {
                                    int iy = oy * cases[i].stride - cases[i].pad + ky;
                                    int ix = ox * cases[i].stride - cases[i].pad + kx;
                                    if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w)
                                        continue;
                                    sum += (double)x[((b * in.h + iy) * in.w + ix) * C + c] *
                                           (double)t.l.w[((ky * k + kx) * C + c) * N + n];
                                }
                        float got = y[((b * out.h + oy) * out.w + ox) * N + n];
                        worst = fmax(worst, fabs((double)got - sum));
                    }
        cr_expect(worst < 1e-4, "case %zu (C %d, k %d): off by %g", i, C, k, worst);
        free(x);
        free(y);
        lone_free(&t);
    }
}

Test(layers, conv_strided_padded_no_bias)
{
    layer l = proto(LAYER_CONV, 3, 3, 2, 1, false);
    check_layer(&l, (lr_shape){ 2, 7, 6 }, 3, 0.0f);
}

Test(layers, conv_5x5_valid)
{
    layer l = proto(LAYER_CONV, 2, 5, 1, 0, true);
    check_layer(&l, (lr_shape){ 1, 8, 8 }, 2, 0.0f);
}

Test(layers, conv_1x1_direct)
{
    layer l = proto(LAYER_CONV, 5, 1, 1, 0, false);
    check_layer(&l, (lr_shape){ 3, 4, 4 }, 2, 0.0f);
}

Test(layers, conv_1x1_strided_projection)
{
    layer l = proto(LAYER_CONV, 4, 1, 2, 0, false);
    check_layer(&l, (lr_shape){ 2, 5, 5 }, 2, 0.0f);
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

Test(layers, conv_output_shape)
{
    lr_err e;
    layer l = proto(LAYER_CONV, 16, 3, 2, 1, false);
    l.in = (lr_shape){ 16, 32, 32 };
    cr_assert_eq(l.ops->shape(&l, &e), 0);
    cr_expect_eq(l.out.c, 16);
    cr_expect_eq(l.out.h, 16);
    cr_expect_eq(l.out.w, 16);
}

/* One forward and backward of `proto` lowered as `algo`, from seed 7: the
 * output, din, dw and db, each [n], in one allocation. */
typedef struct pass_result {
    float *out, *din, *dw, *db;
    size_t n_out, n_in, n_w, n_b;
} pass_result;

/* One training pass of B images through a layer lowered by `algo`, its
 * gradients zeroed first. A layer sized for max_B > B images first runs a
 * pass of max_B other images: what the pass of B leaves must not depend on
 * it. */
static void run_pass(layer proto_l, conv_algo algo, lr_shape in, int B, int max_B,
                     pass_result *res)
{
    lr_rng r, other;
    rng_seed(&r, 7);
    rng_seed(&other, 11);
    proto_l.algo = algo;
    lone t;
    lone_make(&t, &proto_l, in, max_B > B ? max_B : B, &r);
    cr_assert_eq(t.l.algo, algo, "the layer is not lowered as asked");
    res->n_w = (size_t)t.l.k * t.l.k * in.c * t.l.out_c;
    res->n_b = (size_t)t.l.out_c;
    for (int pass = max_B > B ? 0 : 1; pass < 2; pass++) {
        int nb = pass ? B : max_B;
        lr_rng *src = pass ? &r : &other;
        res->n_in = (size_t)nb * shape_size(in);
        res->n_out = (size_t)nb * shape_size(t.l.out);
        float *x = randn(src, res->n_in, 1.0f), *R = randn(src, res->n_out, 1.0f);
        res->out = malloc(res->n_out * sizeof(float));
        res->din = malloc(res->n_in * sizeof(float));
        layer_io io = { .in = { x }, .out = res->out, .dout = R, .din = { res->din }, .B = nb,
                        .train = true };
        memset(t.l.dw, 0, res->n_w * sizeof(float));
        memset(t.l.db, 0, res->n_b * sizeof(float));
        t.l.ops->forward(&t.l, &io);
        t.l.ops->backward(&t.l, &io);
        free(x);
        free(R);
        if (!pass) {
            free(res->out);
            free(res->din);
        }
    }
    res->dw = malloc(res->n_w * sizeof(float));
    res->db = malloc(res->n_b * sizeof(float));
    memcpy(res->dw, t.l.dw, res->n_w * sizeof(float));
    memcpy(res->db, t.l.db, res->n_b * sizeof(float));
    lone_free(&t);
}

static void pass_free(pass_result *r)
{
    free(r->out);
    free(r->din);
    free(r->dw);
    free(r->db);
}

/* a and b within tol of a's RMS */
static void expect_close(const char *what, const float *a, const float *b, size_t n, double tol)
{
    double scale = rms(a, n), worst = 0.0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs((double)a[i] - (double)b[i]));
    cr_expect(scale > 0.0 && worst <= tol * scale, "%s: the two passes differ by %.3g (scale %.3g)",
              what, worst, scale);
}

/* Both passes' outputs and gradients within tol of the first's RMS; frees
 * both. */
static void expect_passes_close(pass_result *a, pass_result *b, double tol)
{
    expect_close("out", a->out, b->out, a->n_out, tol);
    expect_close("din", a->din, b->din, a->n_in, tol);
    expect_close("dw", a->dw, b->dw, a->n_w, tol);
    expect_close("db", a->db, b->db, a->n_b, tol);
    pass_free(a);
    pass_free(b);
}

/* Winograd against im2col on a batch lowered in many chunks: F(4x4, 3x3)
 * on 64 + 64 channels at 28x28 (the col buffer fills with one image or a
 * few) and F(2x2, 5x5) on LeNet's second convolution (20 channels of 12x12
 * to 50, unpadded). The same outputs and gradients up to float rounding
 * (1e-3 of each tensor's RMS, far below any real error). */
Test(layers, winograd_equals_im2col_across_chunks)
{
    const struct { int c, out_c, k, pad, side, B; } cases[] = {
        { 64, 64, 3, 1, 28, 23 },
        { 20, 50, 5, 0, 12, 70 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        layer l = proto(LAYER_CONV, cases[i].out_c, cases[i].k, 1, cases[i].pad, true);
        lr_shape in = { cases[i].c, cases[i].side, cases[i].side };
        pass_result a, b;
        run_pass(l, CONV_IM2COL, in, cases[i].B, 0, &a);
        run_pass(l, CONV_WINOGRAD, in, cases[i].B, 0, &b);
        expect_passes_close(&a, &b, 1e-3);
    }
}

/* A convolution with the batch in three slots (layer_conv.c) against one
 * slot, on two images: the third slot has none and must add nothing to dw,
 * though a batch of six filled it before. Chunks of other sizes round the
 * products differently, which F(4x4)'s transforms magnify to some 2e-5. */
Test(layers, conv_slots_equal_one_slot_even_when_one_is_empty)
{
    const struct { conv_algo algo; int stride; } cases[] = {
        { CONV_WINOGRAD, 1 },
        { CONV_IM2COL, 1 },
        { CONV_IM2COL, 2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        layer l = proto(LAYER_CONV, 16, 3, cases[i].stride, 1, true);
        lr_shape in = { 16, 9, 11 };
        pass_result a, b;
        run_pass(l, cases[i].algo, in, 2, 0, &a);
        gemm_threads(3);
        run_pass(l, cases[i].algo, in, 2, 6, &b);
        gemm_threads(1);
        expect_passes_close(&a, &b, 1e-4);
    }
}
