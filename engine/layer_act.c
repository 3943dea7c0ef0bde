/* layer_act.c — element-wise layers: ReLU, and the residual add of two
 * inputs of one shape (out = in0 + in1, or its ReLU when l->relu; the
 * gradient flows to both). */
#include "engine/layers.h"
#include "engine/par.h"

/* Element-wise loops go over threads in slices of at least this many floats. */
#define GRAIN 16384

typedef struct ew_ctx {
    const float *a, *b;
    float       *out, *out2; /* out2: the add's second input gradient, or NULL */
    bool         acc, acc2, relu;
} ew_ctx;

static int same_shape(layer *l, lr_err *e)
{
    (void)e;
    l->out = l->in;
    return 0;
}

/* The ReLU loops use relu_out and relu_grad (layers.h): a mispredicted
 * branch per element would make them cost as much as a GEMM. */
static void relu_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    ew_ctx *c = p;
    const float *restrict x = c->a;
    float *restrict y = c->out;
    for (size_t i = lo; i < hi; i++)
        y[i] = relu_out(x[i]);
}

static void relu_forward(layer *l, const layer_io *io)
{
    ew_ctx c = { .a = io->in[0], .out = io->out };
    par_for((size_t)io->B * shape_size(l->in), GRAIN, relu_slice, &c);
}

/* dx = relu_grad(dy, y), written or added (acc); with out2, dx2 the same
 * (acc2) in the same pass: a residual add's two inputs, y and dy read once.
 * a = y (the output), b = dy. */
static void relu_back_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    ew_ctx *c = p;
    const float *restrict y = c->a, *restrict dy = c->b;
    float *restrict dx = c->out, *restrict dx2 = c->out2;
    if (!dx2) {
        for (size_t i = lo; i < hi; i++) {
            float g = relu_grad(dy[i], y[i]);
            dx[i] = c->acc ? dx[i] + g : g;
        }
        return;
    }
    for (size_t i = lo; i < hi; i++) {
        float g = relu_grad(dy[i], y[i]);
        dx[i] = c->acc ? dx[i] + g : g;
        dx2[i] = c->acc2 ? dx2[i] + g : g;
    }
}

static void relu_backward(layer *l, const layer_io *io)
{
    if (!io->din[0])
        return;
    ew_ctx c = { .a = io->out, .b = io->dout, .out = io->din[0], .acc = io->din_acc[0] };
    par_for((size_t)io->B * shape_size(l->in), GRAIN, relu_back_slice, &c);
}

/* y = a + b, and max(y, 0) when relu (a fused ReLU) */
static void add_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    ew_ctx *c = p;
    const float *restrict a = c->a, *restrict b = c->b;
    float *restrict y = c->out;
    if (c->relu)
        for (size_t i = lo; i < hi; i++)
            y[i] = relu_out(a[i] + b[i]);
    else
        for (size_t i = lo; i < hi; i++)
            y[i] = a[i] + b[i];
}

static void add_forward(layer *l, const layer_io *io)
{
    ew_ctx c = { .a = io->in[0], .b = io->in[1], .out = io->out, .relu = l->relu };
    par_for((size_t)io->B * shape_size(l->in), GRAIN, add_slice, &c);
}

static void put_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    ew_ctx *c = p;
    layer_put(c->out + lo, c->a + lo, hi - lo, c->acc);
}

/* Both inputs get dout, through the fused ReLU's mask when there is one
 * (one pass for both). */
static void add_backward(layer *l, const layer_io *io)
{
    size_t n = (size_t)io->B * shape_size(l->in);
    if (l->relu) {
        int k = io->din[0] ? 0 : 1; /* the first input that wants a gradient */
        if (!io->din[k])
            return;
        ew_ctx c = { .a = io->out, .b = io->dout, .out = io->din[k], .acc = io->din_acc[k] };
        if (k == 0 && io->din[1]) {
            c.out2 = io->din[1];
            c.acc2 = io->din_acc[1];
        }
        par_for(n, GRAIN, relu_back_slice, &c);
        return;
    }
    for (int k = 0; k < 2; k++)
        if (io->din[k]) {
            ew_ctx c = { .a = io->dout, .out = io->din[k], .acc = io->din_acc[k] };
            par_for(n, GRAIN, put_slice, &c);
        }
}

const layer_ops layer_relu_ops = {
    "relu", 1, same_shape, layer_no_sizes, layer_no_bind, layer_no_init,
    relu_forward, relu_backward, layer_no_flops, layer_no_gemms,
};

const layer_ops layer_add_ops = {
    "add", 2, same_shape, layer_no_sizes, layer_no_bind, layer_no_init,
    add_forward, add_backward, layer_no_flops, layer_no_gemms,
};
