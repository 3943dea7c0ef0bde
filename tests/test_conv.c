/* The convolution alone: each lowering (im2col, Winograd F(4x4, 3x3) and
 * F(4x4, 5x5)) against finite differences (layer_fixture.h), against the
 * direct sum and against each other, which lowering a shape gets, the GEMM
 * list bench times, and the batch in slots. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gemm.h"
#include "engine/layers.h"
#include "engine/rng.h"
#include "layer_fixture.h"

Test(conv, im2col_3x3_padded)
{
    layer l = proto(LAYER_CONV, 4, 3, 1, 1, true);
    l.algo = CONV_IM2COL;
    check_layer(&l, (lr_shape){ 3, 5, 6 }, 2, 0.0f);
}

/* Winograd against finite differences: F(4x4, 3x3) and F(4x4, 5x5), padded
 * and not (LeNet's second convolution is unpadded), on sizes the tiles do
 * not cover exactly, an image one pixel high, with and without bias. */
Test(conv, winograd_every_variant)
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

Test(conv, auto_lowering)
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
 * convolution's count, Winograd's 36/144 of it for 3x3 kernels and 64/400
 * for 5x5 (on sizes that the tiles cover exactly). Each case has chunks of
 * two sizes (three GEMMs each), or, with the batch in two slots, of three:
 * runs of 5 and 4 images in chunks of 3 leave remainders of 2 and 1. */
Test(conv, gemm_lists_add_up_to_the_lowerings_work)
{
    const double wino3 = 36.0 / (9.0 * 16.0), wino5 = 64.0 / (25.0 * 16.0);
    const struct { conv_algo algo; double share; int c, k, B, threads, gemms; } cases[] = {
        { CONV_IM2COL, 1.0, 32, 3, 5, 1, 6 },
        { CONV_WINOGRAD, wino3, 32, 3, 5, 1, 6 },
        { CONV_WINOGRAD, wino3, 48, 3, 9, 2, 9 },
        { CONV_WINOGRAD, wino5, 8, 5, 13, 1, 6 },
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
Test(conv, im2col_equals_the_direct_sum_for_every_run_length)
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

Test(conv, strided_padded_no_bias)
{
    layer l = proto(LAYER_CONV, 3, 3, 2, 1, false);
    check_layer(&l, (lr_shape){ 2, 7, 6 }, 3, 0.0f);
}

Test(conv, valid_5x5)
{
    layer l = proto(LAYER_CONV, 2, 5, 1, 0, true);
    check_layer(&l, (lr_shape){ 1, 8, 8 }, 2, 0.0f);
}

Test(conv, direct_1x1)
{
    layer l = proto(LAYER_CONV, 5, 1, 1, 0, false);
    check_layer(&l, (lr_shape){ 3, 4, 4 }, 2, 0.0f);
}

Test(conv, strided_1x1_projection)
{
    layer l = proto(LAYER_CONV, 4, 1, 2, 0, false);
    check_layer(&l, (lr_shape){ 2, 5, 5 }, 2, 0.0f);
}

Test(conv, output_shape)
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
 * few) and F(4x4, 5x5) on LeNet's second convolution (20 channels of 12x12
 * to 50, unpadded). 12 to 28 channels take the transforms' 16-lane steps
 * part full (64 fill them, 20 and 50 take 8-lane steps). The same outputs
 * and gradients up to float rounding (1e-3 of each tensor's RMS, far below
 * any real error). */
Test(conv, winograd_equals_im2col_across_chunks)
{
    const struct { int c, out_c, k, pad, side, B; } cases[] = {
        { 64, 64, 3, 1, 28, 23 },
        { 20, 50, 5, 0, 12, 70 },
        { 12, 28, 3, 1, 10, 5 },
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
Test(conv, slots_equal_one_slot_even_when_one_is_empty)
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
