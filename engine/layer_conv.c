/* layer_conv.c — 2-D convolution, lowered to GEMM through im2col.
 *
 * Shapes (channel-last, see layers.h): in [B][H][W][C], out [B][Ho][Wo][N]
 * with N = out_c, Ho = (H + 2 pad - k) / stride + 1 (likewise Wo), weights
 * W [K][N] with K = k*k*C, rows ordered (ky, kx, c).
 *
 *   im2col   col [rows][K], one row per output pixel (b, oy, ox): the k x k
 *            input patch it sees, zeros where the patch leaves the image.
 *   forward  out = col W (+ b)                  one GEMM, M = rows
 *   backward dW += col^T dout, db += sum of dout rows, and
 *            dcol = dout W^T, scattered back by col2im into din.
 *
 * The batch is lowered a chunk of images at a time so that the col buffer
 * (shared by all convolutions of a network) stays near CONV_COL_FLOATS; the
 * GEMMs keep a thousand rows or more. A 1x1 convolution with stride 1 and no
 * padding reads the input directly: it is already col.
 *
 * 3x3 and 5x5 convolutions with stride 1 go through Winograd's F(4x4, 3x3)
 * and F(2x2, 5x5) instead unless im2col is asked for (conv_winograd.c): 4x
 * and 2.8x fewer multiplications, in the same col buffer. */
#include "engine/layers.h"
#include "engine/gemm.h"
#include "engine/conv_winograd.h"
#include "engine/par.h"

#include <stdio.h>
#include <string.h>

/* 2 MB: lowered a few images at a time, col and the GEMM's packed copies
 * stay near the caches. Timed side by side (images/s, 1 and 2 threads)
 * against 16, 4, 1 and 0.5 MB: 16 MB was slowest everywhere (LeNet 3617
 * against 4054 at one thread, 4834 against 6718 at two; resnet:8 873
 * against 1153 and 1263 against 1423); 1 MB and less left too few images
 * per chunk to split over two threads. */
#define CONV_COL_FLOATS (1u << 19)

static int out_size(int in, int k, int stride, int pad)
{
    int span = in + 2 * pad - k;
    return span < 0 ? 0 : span / stride + 1;
}

static bool winograd(const layer *l) { return l->algo == CONV_WINOGRAD; }

static int conv_shape(layer *l, lr_err *e)
{
    int ho = out_size(l->in.h, l->k, l->stride, l->pad);
    int wo = out_size(l->in.w, l->k, l->stride, l->pad);
    if (ho < 1 || wo < 1)
        return lr_fail(e, "layer %s: a %dx%d convolution does not fit a %dx%d input "
                          "(the image has shrunk too far)", l->name, l->k, l->k, l->in.h,
                       l->in.w);
    l->out = (lr_shape){ l->out_c, ho, wo };
    if (l->algo != CONV_IM2COL)
        l->algo = wino_applies(l) && (l->algo == CONV_WINOGRAD || wino_pays(l))
                      ? CONV_WINOGRAD : CONV_IM2COL;
    l->wino_slots = winograd(l) ? par_threads() : 1;
    return 0;
}

static bool reads_input_directly(const layer *l)
{
    return l->k == 1 && l->stride == 1 && l->pad == 0;
}

static size_t patch_len(const layer *l) { return (size_t)l->k * l->k * l->in.c; }

static size_t pixels_out(const layer *l) { return (size_t)l->out.h * l->out.w; }

static size_t col_floats_per_image(const layer *l)
{
    return winograd(l) ? wino_col_floats_per_image(l) : pixels_out(l) * patch_len(l);
}

/* Images per chunk: CONV_COL_FLOATS of col, and no more than a batch (a
 * Winograd slot's share of one) holds. */
static int col_images(const layer *l, int max_batch)
{
    size_t per_image = col_floats_per_image(l);
    size_t n = CONV_COL_FLOATS / per_image;
    int most = (max_batch + l->wino_slots - 1) / l->wino_slots;
    if (n < 1)
        n = 1;
    return n > (size_t)most ? most : (int)n;
}

static void conv_sizes(const layer *l, int max_batch, layer_sizes *s)
{
    s->region[REGION_WEIGHTS] = patch_len(l) * l->out_c;
    s->region[REGION_BIASES] = l->bias ? (size_t)l->out_c : 0;
    if (!reads_input_directly(l))
        s->col = (size_t)l->wino_slots * col_images(l, max_batch) * col_floats_per_image(l);
    if (winograd(l))
        s->scratch = wino_scratch_floats(l);
}

static void conv_bind(layer *l, const layer_views *v)
{
    l->w = v->param[REGION_WEIGHTS];
    l->dw = v->grad[REGION_WEIGHTS];
    l->b = l->bias ? v->param[REGION_BIASES] : NULL;
    l->db = l->bias ? v->grad[REGION_BIASES] : NULL;
    l->col = v->col;
    l->col_images = col_images(l, v->max_batch);
    if (winograd(l))
        wino_bind(l, v->scratch);
}

static void conv_init(layer *l, lr_rng *rng, net_init mode)
{
    layer_init_fan_in(l->w, patch_len(l) * l->out_c, l->b, l->bias ? (size_t)l->out_c : 0,
                      (int)patch_len(l), rng, mode);
}

/* dst[0..n) = src[0..n). A grey or RGB stem copies runs of 3 to 15
 * floats, for which a call to memcpy costs more than the copy itself: a
 * short run is copied as two fixed-size blocks that overlap in its middle
 * (one vector move each), as memcpy does inside. */
static inline void copy_run(float *dst, const float *src, size_t n)
{
    if (n > 16) {
        memcpy(dst, src, n * sizeof *dst);
    } else if (n >= 8) {
        memcpy(dst, src, 8 * sizeof *dst);
        memcpy(dst + n - 8, src + n - 8, 8 * sizeof *dst);
    } else if (n >= 4) {
        memcpy(dst, src, 4 * sizeof *dst);
        memcpy(dst + n - 4, src + n - 4, 4 * sizeof *dst);
    } else if (n >= 2) {
        memcpy(dst, src, 2 * sizeof *dst);
        memcpy(dst + n - 2, src + n - 2, 2 * sizeof *dst);
    } else if (n == 1) {
        dst[0] = src[0];
    }
}

/* col rows of images [b0, b1) of x [nb][H][W][C] (col [nb*Ho*Wo][K]). For one output pixel and
 * one kernel row ky, the k input pixels are adjacent in memory: one copy of
 * k*C floats when the row lies inside the image. */
static void im2col(const layer *l, const float *x, float *col, int b0, int b1)
{
    int H = l->in.h, W = l->in.w, C = l->in.c, k = l->k, s = l->stride, p = l->pad;
    size_t K = patch_len(l), run = (size_t)k * C;
    float *row = col + (size_t)b0 * pixels_out(l) * K;
    for (int b = b0; b < b1; b++) {
        const float *img = x + (size_t)b * H * W * C;
        for (int oy = 0; oy < l->out.h; oy++)
            for (int ox = 0; ox < l->out.w; ox++, row += K) {
                int x0 = ox * s - p;
                for (int ky = 0; ky < k; ky++) {
                    float *dst = row + (size_t)ky * run;
                    int iy = oy * s - p + ky;
                    if (iy < 0 || iy >= H) {
                        memset(dst, 0, run * sizeof *dst);
                        continue;
                    }
                    const float *src = img + ((size_t)iy * W) * C;
                    if (x0 >= 0 && x0 + k <= W) {
                        copy_run(dst, src + (size_t)x0 * C, run);
                        continue;
                    }
                    for (int kx = 0; kx < k; kx++) {
                        int ix = x0 + kx;
                        if (ix < 0 || ix >= W)
                            memset(dst + (size_t)kx * C, 0, (size_t)C * sizeof *dst);
                        else
                            copy_run(dst + (size_t)kx * C, src + (size_t)ix * C, (size_t)C);
                    }
                }
            }
    }
}

/* dx images [b0, b1) += their patches in col scattered back (im2col's adjoint). */
static void col2im(const layer *l, const float *col, float *dx, int b0, int b1)
{
    int H = l->in.h, W = l->in.w, C = l->in.c, k = l->k, s = l->stride, p = l->pad;
    size_t K = patch_len(l);
    const float *row = col + (size_t)b0 * pixels_out(l) * K;
    for (int b = b0; b < b1; b++) {
        float *img = dx + (size_t)b * H * W * C;
        for (int oy = 0; oy < l->out.h; oy++)
            for (int ox = 0; ox < l->out.w; ox++, row += K)
                for (int ky = 0; ky < k; ky++) {
                    int iy = oy * s - p + ky;
                    if (iy < 0 || iy >= H)
                        continue;
                    for (int kx = 0; kx < k; kx++) {
                        int ix = ox * s - p + kx;
                        if (ix < 0 || ix >= W)
                            continue;
                        const float *src = row + ((size_t)ky * k + kx) * C;
                        float *restrict dst = img + ((size_t)iy * W + ix) * C;
                        for (int c = 0; c < C; c++)
                            dst[c] += src[c];
                    }
                }
    }
}

/* im2col or col2im of a chunk, its images spread over threads. */
typedef struct lower_ctx {
    const layer *l;
    const float *x, *col_in;
    float       *col, *dx;
} lower_ctx;

static void im2col_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    lower_ctx *c = p;
    im2col(c->l, c->x, c->col, (int)lo, (int)hi);
}

static void col2im_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    lower_ctx *c = p;
    col2im(c->l, c->col_in, c->dx, (int)lo, (int)hi);
}

static void lower(const layer *l, const float *x, int nb)
{
    lower_ctx c = { .l = l, .x = x, .col = l->col };
    par_for((size_t)nb, 1, im2col_slice, &c);
}

static void raise_back(const layer *l, float *dx, int nb)
{
    lower_ctx c = { .l = l, .col_in = l->col, .dx = dx };
    par_for((size_t)nb, 1, col2im_slice, &c);
}

static void conv_forward(layer *l, const layer_io *io)
{
    if (winograd(l)) {
        wino_forward(l, io);
        return;
    }
    int N = l->out_c, K = (int)patch_len(l);
    size_t in_img = shape_size(l->in), out_img = shape_size(l->out);
    for (int b0 = 0; b0 < io->B; b0 += l->col_images) {
        int nb = io->B - b0 < l->col_images ? io->B - b0 : l->col_images;
        int M = nb * (int)pixels_out(l);
        const float *x = io->in[0] + (size_t)b0 * in_img;
        float *y = io->out + (size_t)b0 * out_img;
        const float *a = x;
        if (!reads_input_directly(l)) {
            lower(l, x, nb);
            a = l->col;
        }
        if (l->bias)
            layer_bias_rows(y, l->b, (size_t)M, N);
        gemm(false, false, M, N, K, 1.0f, a, K, l->w, N, l->bias ? 1.0f : 0.0f, y, N);
    }
}

static void conv_backward(layer *l, const layer_io *io)
{
    if (l->bias)
        layer_bias_grad(l->db, io->dout, (size_t)io->B * pixels_out(l), l->out_c);
    if (winograd(l)) {
        wino_backward(l, io);
        return;
    }
    int N = l->out_c, K = (int)patch_len(l);
    size_t in_img = shape_size(l->in), out_img = shape_size(l->out);
    bool direct = reads_input_directly(l);
    for (int b0 = 0; b0 < io->B; b0 += l->col_images) {
        int nb = io->B - b0 < l->col_images ? io->B - b0 : l->col_images;
        int M = nb * (int)pixels_out(l);
        const float *x = io->in[0] + (size_t)b0 * in_img;
        const float *dy = io->dout + (size_t)b0 * out_img;
        const float *a = x;
        if (!direct) {
            lower(l, x, nb);
            a = l->col;
        }
        gemm(true, false, K, N, M, 1.0f, a, K, dy, N, 1.0f, l->dw, N);
        if (!io->din[0])
            continue;
        float *dx = io->din[0] + (size_t)b0 * in_img;
        if (direct) {
            gemm(false, true, M, K, N, 1.0f, dy, N, l->w, N, io->din_acc[0] ? 1.0f : 0.0f, dx,
                 K);
            continue;
        }
        gemm(false, true, M, K, N, 1.0f, dy, N, l->w, N, 0.0f, l->col, K);
        if (!io->din_acc[0])
            memset(dx, 0, (size_t)nb * in_img * sizeof *dx);
        raise_back(l, dx, nb);
    }
}

/* The direct convolution's count, whatever the lowering: the work it stands
 * for (so Winograd shows as a higher rate, not as less work). */
static uint64_t conv_flops(const layer *l, bool needs_din)
{
    uint64_t macs = (uint64_t)pixels_out(l) * patch_len(l) * l->out_c;
    return 2 * macs * (needs_din ? 3 : 2);
}

static int conv_gemms(const layer *l, int B, bool needs_din, layer_gemm *g)
{
    /* per chunk of images, either lowering: `times` products of M x K by K x N */
    int rows = (int)pixels_out(l), K = (int)patch_len(l), times = 1;
    if (winograd(l))
        wino_gemm_shape(l, &rows, &K, &times);
    int N = l->out_c, per = l->col_images > 0 ? l->col_images : B;
    /* chunk sizes in images and how many of each: full chunks, and the
     * remainders of the slots' runs, which differ by one image at most */
    int size[3] = { per }, count[3] = { 0 }, sizes = 1;
    for (int s = 0; s < l->wino_slots; s++) {
        size_t lo, hi;
        wino_slot_images(l, B, s, &lo, &hi);
        int run = (int)(hi - lo), rest = run % per, k = 0;
        count[0] += run / per;
        while (k < sizes && size[k] != rest)
            k++;
        if (rest && k == sizes)
            size[sizes++] = rest;
        if (rest)
            count[k]++;
    }
    int n = 0;
    for (int k = 0; k < sizes; k++) {
        int M = size[k] * rows;
        if (count[k] == 0)
            continue;
        g[n++] = (layer_gemm){ M, N, K, false, false, times * count[k] };
        g[n++] = (layer_gemm){ K, N, M, true, false, times * count[k] };
        if (needs_din)
            g[n++] = (layer_gemm){ M, K, N, false, true, times * count[k] };
    }
    return n;
}

const char *conv_lowering(const layer *l)
{
    return winograd(l) ? "winograd" : reads_input_directly(l) ? "gemm" : "im2col";
}

const layer_ops layer_conv_ops = {
    "conv", 1, conv_shape, conv_sizes, conv_bind, conv_init,
    conv_forward, conv_backward, conv_flops, conv_gemms,
};
