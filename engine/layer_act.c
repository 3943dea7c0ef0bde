/* layer_act.c — element-wise layers: ReLU, and the residual add of two
 * inputs of one shape (out = in0 + in1; its gradient flows to both). */
#include "engine/layers.h"

static int same_shape(layer *l, lr_err *e)
{
    (void)e;
    l->out = l->in;
    return 0;
}

/* Both ReLU loops are written without branches: signs are random, so a
 * branch would be mispredicted half the time, and these loops then cost as
 * much as a GEMM. */
static void relu_forward(layer *l, const layer_io *io)
{
    size_t n = (size_t)io->B * shape_size(l->in);
    const float *restrict x = io->in[0];
    float *restrict y = io->out;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

static void relu_backward(layer *l, const layer_io *io)
{
    float *restrict dx = io->din[0];
    if (!dx)
        return;
    size_t n = (size_t)io->B * shape_size(l->in);
    const float *restrict y = io->out, *restrict dy = io->dout;
    if (io->din_acc[0])
        for (size_t i = 0; i < n; i++)
            dx[i] += dy[i] * (float)(y[i] > 0.0f);
    else
        for (size_t i = 0; i < n; i++)
            dx[i] = dy[i] * (float)(y[i] > 0.0f);
}

static void add_forward(layer *l, const layer_io *io)
{
    size_t n = (size_t)io->B * shape_size(l->in);
    const float *restrict a = io->in[0], *restrict b = io->in[1];
    float *restrict y = io->out;
    for (size_t i = 0; i < n; i++)
        y[i] = a[i] + b[i];
}

static void add_backward(layer *l, const layer_io *io)
{
    size_t n = (size_t)io->B * shape_size(l->in);
    for (int k = 0; k < 2; k++)
        if (io->din[k])
            layer_put(io->din[k], io->dout, n, io->din_acc[k]);
}

const layer_ops layer_relu_ops = {
    "relu", 1, same_shape, layer_no_sizes, layer_no_bind, layer_no_init,
    relu_forward, relu_backward, layer_no_flops, layer_no_gemms,
};

const layer_ops layer_add_ops = {
    "add", 2, same_shape, layer_no_sizes, layer_no_bind, layer_no_init,
    add_forward, add_backward, layer_no_flops, layer_no_gemms,
};
