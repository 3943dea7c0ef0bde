/* layer_pool.c — max pool, average pool (k x k windows, a stride, no
 * padding) and global average pool, over channel-last images:
 * in [B][H][W][C] -> out [B][Ho][Wo][C], Ho = (H - k) / stride + 1.
 * Loops run over the channels innermost, where memory is contiguous. A max
 * pool may carry a fused ReLU (layers.h). */
#include "engine/layers.h"
#include "engine/par.h"

#include <string.h>

static int pool_shape(layer *l, lr_err *e)
{
    if (l->in.h < l->k || l->in.w < l->k)
        return lr_fail(e, "layer %s: a %dx%d pool does not fit a %dx%d input "
                          "(the image has shrunk too far)", l->name, l->k, l->k, l->in.h,
                       l->in.w);
    l->out = (lr_shape){ l->in.c, (l->in.h - l->k) / l->stride + 1,
                         (l->in.w - l->k) / l->stride + 1 };
    return 0;
}

static void maxpool_sizes(const layer *l, int max_batch, layer_sizes *s)
{
    /* the argmax of each output, stored as int32 in float-sized slots */
    s->scratch = (size_t)max_batch * shape_size(l->out);
}

static void maxpool_bind(layer *l, const layer_views *v)
{
    l->argmax = (int32_t *)v->scratch;
}

/* Offset of input pixel (b, oy*stride, ox*stride), channel 0. */
static size_t window_origin(const layer *l, int b, int oy, int ox)
{
    return (((size_t)b * l->in.h + (size_t)oy * l->stride) * l->in.w +
            (size_t)ox * l->stride) * l->in.c;
}

typedef struct pool_ctx {
    layer          *l;
    const layer_io *io;
} pool_ctx;

/* y[c] = the max of channel c over a 2x2 window, x[p] pointing at its
 * pixel p, and arg[c] = the index of that input (the first of equals),
 * ix[p] being pixel p's. Max and argmax stay in registers; the general
 * loop below updates y and arg in memory once per window pixel, which gcc
 * compiles to masked stores, and LeNet's pools took twice as long. */
static void max_of_four(const float *x[4], const int32_t ix[4], int C, bool relu, float *y,
                        int32_t *arg)
{
    for (int c = 0; c < C; c++) {
        float m = x[0][c];
        int32_t a = ix[0] + c;
        for (int p = 1; p < 4; p++) {
            float v = x[p][c];
            bool more = v > m;
            m = more ? v : m;
            a = more ? ix[p] + c : a;
        }
        y[c] = relu ? relu_out(m) : m;
        arg[c] = a;
    }
}

/* Images [b0, b1): y = the window's max (its ReLU when l->relu), and the
 * index of the input it came from (the first of equals). */
static void maxpool_images(void *p, int slot, size_t b0, size_t b1)
{
    (void)slot;
    layer *l = ((pool_ctx *)p)->l;
    const layer_io *io = ((pool_ctx *)p)->io;
    int C = l->in.c, W = l->in.w, k = l->k;
    size_t o = b0 * shape_size(l->out);
    for (int b = (int)b0; b < (int)b1; b++)
    for (int oy = 0; oy < l->out.h; oy++)
    for (int ox = 0; ox < l->out.w; ox++, o += (size_t)C) {
        int32_t i = (int32_t)window_origin(l, b, oy, ox);
        const float *x = io->in[0];
        float *y = io->out + o;
        int32_t *arg = l->argmax + o;
        if (k == 2) {
            const int32_t ix[4] = { i, i + C, i + W * C, i + (W + 1) * C };
            const float *px[4] = { x + ix[0], x + ix[1], x + ix[2], x + ix[3] };
            max_of_four(px, ix, C, l->relu, y, arg);
            continue;
        }
        for (int c = 0; c < C; c++) {
            y[c] = x[i + c];
            arg[c] = i + c;
        }
        for (int j = 1; j < k * k; j++) {
            int32_t at = i + (j / k * W + j % k) * C;
            for (int c = 0; c < C; c++) {
                bool more = x[at + c] > y[c];
                y[c] = more ? x[at + c] : y[c];
                arg[c] = more ? at + c : arg[c];
            }
        }
        if (l->relu)
            for (int c = 0; c < C; c++)
                y[c] = relu_out(y[c]);
    }
}

/* Spread over threads by image: every window lies inside its own image. */
static void maxpool_forward(layer *l, const layer_io *io)
{
    pool_ctx c = { l, io };
    par_for((size_t)io->B, 1, maxpool_images, &c);
}

/* Windows that cover the image exactly once (k = stride, sides multiples of
 * k): every input gets its one window's gradient or zero, written in one
 * pass with no memset. */
static bool windows_tile(const layer *l)
{
    return l->k == l->stride && l->out.h * l->k == l->in.h && l->out.w * l->k == l->in.w;
}

/* Gradient of output o, through the fused ReLU's mask when there is one. */
static inline float pool_grad(bool relu, const float *dy, const float *y, size_t o)
{
    return relu ? relu_grad(dy[o], y[o]) : dy[o];
}

static void maxpool_tiled_back(const layer *l, const layer_io *io, size_t b0, size_t b1)
{
    int C = l->in.c, W = l->in.w, k = l->k;
    bool acc = io->din_acc[0], relu = l->relu;
    size_t o = b0 * shape_size(l->out);
    for (size_t b = b0; b < b1; b++)
    for (int oy = 0; oy < l->out.h; oy++)
    for (int ox = 0; ox < l->out.w; ox++, o += (size_t)C) {
        const int32_t *restrict arg = l->argmax + o;
        const float *restrict dy = io->dout + o, *restrict y = io->out + o;
        int32_t i = (int32_t)window_origin(l, (int)b, oy, ox);
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++) {
                int32_t at = i + (ky * W + kx) * C;
                float *restrict dx = io->din[0] + at;
                if (acc)
                    for (int c = 0; c < C; c++)
                        dx[c] += arg[c] == at + c ? pool_grad(relu, dy, y, (size_t)c) : 0.0f;
                else
                    for (int c = 0; c < C; c++)
                        dx[c] = arg[c] == at + c ? pool_grad(relu, dy, y, (size_t)c) : 0.0f;
            }
    }
}

static void maxpool_back_images(void *p, int slot, size_t b0, size_t b1)
{
    (void)slot;
    layer *l = ((pool_ctx *)p)->l;
    const layer_io *io = ((pool_ctx *)p)->io;
    if (windows_tile(l)) {
        maxpool_tiled_back(l, io, b0, b1);
        return;
    }
    float *dx = io->din[0];
    size_t out = shape_size(l->out), in = shape_size(l->in);
    if (!io->din_acc[0])
        memset(dx + b0 * in, 0, (b1 - b0) * in * sizeof *dx);
    for (size_t j = b0 * out; j < b1 * out; j++)
        dx[l->argmax[j]] += pool_grad(l->relu, io->dout, io->out, j);
}

static void maxpool_backward(layer *l, const layer_io *io)
{
    if (!io->din[0])
        return;
    pool_ctx c = { l, io };
    par_for((size_t)io->B, 1, maxpool_back_images, &c);
}

static void avgpool_forward(layer *l, const layer_io *io)
{
    int C = l->in.c, W = l->in.w, k = l->k;
    float scale = 1.0f / (float)(k * k);
    const float *x = io->in[0];
    size_t o = 0;
    for (int b = 0; b < io->B; b++)
    for (int oy = 0; oy < l->out.h; oy++)
    for (int ox = 0; ox < l->out.w; ox++, o += (size_t)C) {
        size_t i = window_origin(l, b, oy, ox);
        float *y = io->out + o;
        memset(y, 0, (size_t)C * sizeof *y);
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++) {
                const float *src = x + i + ((size_t)ky * W + kx) * C;
                for (int c = 0; c < C; c++)
                    y[c] += src[c];
            }
        for (int c = 0; c < C; c++)
            y[c] *= scale;
    }
}

static void avgpool_backward(layer *l, const layer_io *io)
{
    float *dx = io->din[0];
    if (!dx)
        return;
    int C = l->in.c, W = l->in.w, k = l->k;
    float scale = 1.0f / (float)(k * k);
    if (!io->din_acc[0])
        memset(dx, 0, (size_t)io->B * shape_size(l->in) * sizeof *dx);
    size_t o = 0;
    for (int b = 0; b < io->B; b++)
    for (int oy = 0; oy < l->out.h; oy++)
    for (int ox = 0; ox < l->out.w; ox++, o += (size_t)C) {
        size_t i = window_origin(l, b, oy, ox);
        const float *dy = io->dout + o;
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++) {
                float *dst = dx + i + ((size_t)ky * W + kx) * C;
                for (int c = 0; c < C; c++)
                    dst[c] += scale * dy[c];
            }
    }
}

static int gap_shape(layer *l, lr_err *e)
{
    (void)e;
    l->out = (lr_shape){ l->in.c, 1, 1 };
    return 0;
}

static void gap_forward(layer *l, const layer_io *io)
{
    int C = l->in.c;
    size_t hw = (size_t)l->in.h * l->in.w;
    float scale = 1.0f / (float)hw;
    for (int b = 0; b < io->B; b++) {
        const float *x = io->in[0] + (size_t)b * hw * C;
        float *y = io->out + (size_t)b * C;
        memset(y, 0, (size_t)C * sizeof *y);
        for (size_t p = 0; p < hw; p++)
            for (int c = 0; c < C; c++)
                y[c] += x[p * C + c];
        for (int c = 0; c < C; c++)
            y[c] *= scale;
    }
}

static void gap_backward(layer *l, const layer_io *io)
{
    float *dx = io->din[0];
    if (!dx)
        return;
    int C = l->in.c;
    size_t hw = (size_t)l->in.h * l->in.w;
    float scale = 1.0f / (float)hw;
    bool acc = io->din_acc[0];
    for (int b = 0; b < io->B; b++) {
        const float *dy = io->dout + (size_t)b * C;
        float *d = dx + (size_t)b * hw * C;
        for (size_t p = 0; p < hw; p++)
            for (int c = 0; c < C; c++)
                d[p * C + c] = (acc ? d[p * C + c] : 0.0f) + scale * dy[c];
    }
}

const layer_ops layer_maxpool_ops = {
    "maxpool", 1, pool_shape, maxpool_sizes, maxpool_bind, layer_no_init,
    maxpool_forward, maxpool_backward, layer_no_flops, layer_no_gemms,
};

const layer_ops layer_avgpool_ops = {
    "avgpool", 1, pool_shape, layer_no_sizes, layer_no_bind, layer_no_init,
    avgpool_forward, avgpool_backward, layer_no_flops, layer_no_gemms,
};

const layer_ops layer_gap_ops = {
    "gap", 1, gap_shape, layer_no_sizes, layer_no_bind, layer_no_init,
    gap_forward, gap_backward, layer_no_flops, layer_no_gemms,
};
