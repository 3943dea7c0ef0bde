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
 *            dcol = dout W^T, summed back by col2im into din.
 *
 * Each slot (below) lowers its images a chunk at a time, so that its part of
 * the col buffer (shared by all convolutions of a network) stays near
 * CONV_COL_FLOATS; the GEMMs keep a few hundred rows or more. A 1x1
 * convolution with stride 1 and no padding reads the input directly: it is
 * already col.
 *
 * Threads share the work by slots: the batch is cut into l->slots equal
 * runs of images, fixed when the layer is shaped (one per thread of the
 * pool then). Each slot lowers its run a chunk at a time in its own part of
 * the col buffer and sums its own weight gradient, so a thread takes whole
 * slots and runs the lowering and the products of its images with no other
 * thread's data and no barrier between the stages. Splitting each chunk's
 * lowering and products over the threads instead took two or three barriers
 * per chunk, and its weight gradient (K x N, small beside its M rows) came
 * out slower at two threads than at one. The slots' sums are added in slot
 * order: results depend on the number of slots (by float rounding), not on
 * the threads that run them.
 *
 * 3x3 and 5x5 convolutions with stride 1 go through Winograd's F(4x4, 3x3)
 * and F(4x4, 5x5) instead unless im2col is asked for (conv_winograd.c): 4x
 * and 6.25x fewer multiplications, in the same col buffer. */
#include "engine/layers.h"
#include "engine/conv_winograd.h"
#include "engine/gemm.h"
#include "engine/par.h"

#include <string.h>

/* 2 MB a slot: lowered a few images at a time, col and the GEMM's packed
 * copies stay near the caches. Timed side by side (images/s, 1 and 2
 * threads) against 16, 4, 1 and 0.5 MB: 16 MB was slowest everywhere
 * (LeNet 3617 against 4054 at one thread, 4834 against 6718 at two;
 * resnet:8 873 against 1153 and 1263 against 1423). With the batch in
 * slots, 1 MB a slot timed the same as 2 at two threads (resnet:8, by
 * layer). */
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
    l->slots = par_threads();
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

/* Images per chunk: CONV_COL_FLOATS of col, and no more than a slot's share
 * of a batch holds. */
static int col_images(const layer *l, int max_batch)
{
    size_t per_image = col_floats_per_image(l);
    size_t n = CONV_COL_FLOATS / per_image;
    int most = (max_batch + l->slots - 1) / l->slots;
    if (n < 1)
        n = 1;
    return n > (size_t)most ? most : (int)n;
}

/* Floats of one slot's own weight gradient (Winograd sums dU instead) and
 * of the sums of slots 1.. (slot 0 sums into dw and db themselves). */
static size_t slot_dw_floats(const layer *l)
{
    return winograd(l) ? 0 : patch_len(l) * l->out_c;
}

static size_t slot_partial_floats(const layer *l)
{
    return (size_t)(l->slots - 1) * (slot_dw_floats(l) + (l->bias ? (size_t)l->out_c : 0));
}

static void conv_sizes(const layer *l, int max_batch, layer_sizes *s)
{
    s->region[REGION_WEIGHTS] = patch_len(l) * l->out_c;
    s->region[REGION_BIASES] = l->bias ? (size_t)l->out_c : 0;
    if (!reads_input_directly(l))
        s->col = (size_t)l->slots * col_images(l, max_batch) * col_floats_per_image(l);
    s->scratch = slot_partial_floats(l) + (winograd(l) ? wino_scratch_floats(l) : 0);
}

static void conv_bind(layer *l, const layer_views *v)
{
    l->w = v->param[REGION_WEIGHTS];
    l->dw = v->grad[REGION_WEIGHTS];
    l->b = l->bias ? v->param[REGION_BIASES] : NULL;
    l->db = l->bias ? v->grad[REGION_BIASES] : NULL;
    l->col = v->col;
    l->col_images = col_images(l, v->max_batch);
    l->slot_dw = v->scratch;
    l->slot_db = l->slot_dw + (size_t)(l->slots - 1) * slot_dw_floats(l);
    if (winograd(l))
        wino_bind(l, v->scratch + slot_partial_floats(l));
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

/* col [nb*Ho*Wo][K] of images x [nb][H][W][C]. For one output pixel and
 * one kernel row ky, the k input pixels are adjacent in memory: one copy of
 * k*C floats when the row lies inside the image. */
static void im2col(const layer *l, const float *x, float *col, int nb)
{
    int H = l->in.h, W = l->in.w, C = l->in.c, k = l->k, s = l->stride, p = l->pad;
    size_t K = patch_len(l), run = (size_t)k * C;
    float *row = col;
    for (int b = 0; b < nb; b++) {
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

/* dx [nb][H][W][C] = (or += when acc) the patches in col summed back into
 * the pixels they read: im2col's adjoint. Each input pixel gathers the
 * entries that read it, so it is written once and needs no zeroing first.
 * Along an axis, pixel i (i + pad = q s + r) is read by kernel taps
 * r, r + s, ... at outputs q, q - 1, ...: q and r step with i, no division
 * per pixel. Against scattering each patch back into a zeroed dx, resnet:8's
 * stride-2 convolutions ran their backward 6-8 % faster (3x3) and up to
 * 15 % (1x1), side by side. */
static void col2im(const layer *l, const float *col, float *dx, int nb, bool acc)
{
    int H = l->in.h, W = l->in.w, C = l->in.c, k = l->k, s = l->stride, p = l->pad;
    int Ho = l->out.h, Wo = l->out.w;
    size_t K = patch_len(l);
    for (int b = 0; b < nb; b++) {
        const float *rows = col + (size_t)b * Ho * Wo * K;
        float *dst = dx + (size_t)b * H * W * C;
        for (int iy = 0, qy = p / s, ry = p % s; iy < H; iy++, dst += (size_t)W * C) {
            for (int ix = 0, qx = p / s, rx = p % s; ix < W; ix++) {
                float *d = dst + (size_t)ix * C;
                bool add = acc;
                for (int ky = ry, oy = qy; ky < k && oy >= 0; ky += s, oy--) {
                    if (oy >= Ho)
                        continue;
                    for (int kx = rx, ox = qx; kx < k && ox >= 0; kx += s, ox--) {
                        if (ox >= Wo)
                            continue;
                        layer_put(d, rows + ((size_t)oy * Wo + ox) * K + ((size_t)ky * k + kx) * C,
                                  (size_t)C, add);
                        add = true;
                    }
                }
                if (!add)
                    memset(d, 0, (size_t)C * sizeof *d);
                if (++rx == s) {
                    rx = 0;
                    qx++;
                }
            }
            if (++ry == s) {
                ry = 0;
                qy++;
            }
        }
    }
}

void conv_slot_images(const layer *l, int B, int s, size_t *lo, size_t *hi)
{
    par_range((size_t)B, l->slots, s, lo, hi);
}

float *conv_slot_col(const layer *l, int s)
{
    return l->col + (size_t)s * l->col_images * col_floats_per_image(l);
}

/* Where slot s sums its weight and bias gradients: dw and db themselves
 * for slot 0. */
static float *slot_dw(const layer *l, int s)
{
    return s == 0 ? l->dw : l->slot_dw + (size_t)(s - 1) * slot_dw_floats(l);
}

static float *slot_db(const layer *l, int s)
{
    return s == 0 ? l->db : l->slot_db + (size_t)(s - 1) * l->out_c;
}

/* slot_db(l, s) += the bias gradient of the slot's images. */
static void bias_grad_slot(const layer *l, const layer_io *io, int s)
{
    size_t lo, hi, N = (size_t)l->out_c;
    conv_slot_images(l, io->B, s, &lo, &hi);
    layer_bias_grad(slot_db(l, s), io->dout + lo * shape_size(l->out),
                    (hi - lo) * pixels_out(l), (int)N);
}

/* dw and db += the sums of slots 1.., in slot order. */
static void add_slot_sums(layer *l)
{
    size_t kn = slot_dw_floats(l), N = (size_t)l->out_c;
    for (int s = 1; s < l->slots; s++) {
        const float *dw = slot_dw(l, s), *db = slot_db(l, s);
        for (size_t i = 0; i < kn; i++)
            l->dw[i] += dw[i];
        for (size_t i = 0; l->bias && i < N; i++)
            l->db[i] += db[i];
    }
}

static void forward_slot(const layer *l, const layer_io *io, int s)
{
    int N = l->out_c, K = (int)patch_len(l);
    size_t in_img = shape_size(l->in), out_img = shape_size(l->out), lo, hi;
    conv_slot_images(l, io->B, s, &lo, &hi);
    float *col = conv_slot_col(l, s);
    for (size_t b0 = lo; b0 < hi; b0 += (size_t)l->col_images) {
        int nb = hi - b0 < (size_t)l->col_images ? (int)(hi - b0) : l->col_images;
        int M = nb * (int)pixels_out(l);
        const float *x = io->in[0] + b0 * in_img, *a = x;
        float *y = io->out + b0 * out_img;
        if (!reads_input_directly(l)) {
            im2col(l, x, col, nb);
            a = col;
        }
        if (l->bias)
            layer_bias_rows(y, l->b, (size_t)M, N);
        gemm_here(false, false, M, N, K, 1.0f, a, K, l->w, N, l->bias ? 1.0f : 0.0f, y, N);
    }
}

/* slot_dw(l, s) += the weight gradient of the slot's images; writes or
 * adds their din. */
static void backward_slot(const layer *l, const layer_io *io, int s)
{
    int N = l->out_c, K = (int)patch_len(l);
    size_t in_img = shape_size(l->in), out_img = shape_size(l->out), lo, hi;
    conv_slot_images(l, io->B, s, &lo, &hi);
    bool direct = reads_input_directly(l);
    float *col = conv_slot_col(l, s), *dw = slot_dw(l, s);
    for (size_t b0 = lo; b0 < hi; b0 += (size_t)l->col_images) {
        int nb = hi - b0 < (size_t)l->col_images ? (int)(hi - b0) : l->col_images;
        int M = nb * (int)pixels_out(l);
        const float *x = io->in[0] + b0 * in_img, *a = x;
        const float *dy = io->dout + b0 * out_img;
        if (!direct) {
            im2col(l, x, col, nb);
            a = col;
        }
        gemm_here(true, false, K, N, M, 1.0f, a, K, dy, N, 1.0f, dw, N);
        if (!io->din[0])
            continue;
        float *dx = io->din[0] + b0 * in_img;
        if (direct) {
            gemm_here(false, true, M, K, N, 1.0f, dy, N, l->w, N,
                      io->din_acc[0] ? 1.0f : 0.0f, dx, K);
            continue;
        }
        gemm_here(false, true, M, K, N, 1.0f, dy, N, l->w, N, 0.0f, col, K);
        col2im(l, col, dx, nb, io->din_acc[0]);
    }
}

typedef struct slots_ctx {
    const layer    *l;
    const layer_io *io;
    bool            backward;
} slots_ctx;

static void slots_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    const slots_ctx *c = p;
    bool wino = winograd(c->l);
    for (size_t s = lo; s < hi; s++) {
        if (!c->backward) {
            (wino ? wino_forward_slot : forward_slot)(c->l, c->io, (int)s);
            continue;
        }
        (wino ? wino_backward_slot : backward_slot)(c->l, c->io, (int)s);
        if (c->l->bias)
            bias_grad_slot(c->l, c->io, (int)s);
    }
}

static void run_slots(const layer *l, const layer_io *io, bool backward)
{
    slots_ctx c = { l, io, backward };
    par_for((size_t)l->slots, 1, slots_slice, &c);
}

static void conv_forward(layer *l, const layer_io *io)
{
    if (winograd(l))
        wino_transform_filters(l);
    run_slots(l, io, false);
}

/* Winograd's transformed filters are the forward pass's: the weights have
 * not changed since (layers.h). */
static void conv_backward(layer *l, const layer_io *io)
{
    memset(l->slot_dw, 0, slot_partial_floats(l) * sizeof *l->slot_dw);
    run_slots(l, io, true);
    if (winograd(l))
        wino_gather_filter_grads(l);
    add_slot_sums(l);
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
    for (int s = 0; s < l->slots; s++) {
        size_t lo, hi;
        conv_slot_images(l, B, s, &lo, &hi);
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
        g[n++] = (layer_gemm){ M, N, K, false, false, times * count[k], true };
        g[n++] = (layer_gemm){ K, N, M, true, false, times * count[k], true };
        if (needs_din)
            g[n++] = (layer_gemm){ M, K, N, false, true, times * count[k], true };
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
