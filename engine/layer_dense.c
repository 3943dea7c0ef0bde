/* layer_dense.c — fully connected: out [B][n_out] = in [B][n_in] W + b.
 * The input may be an image; it is read as its n_in = H*W*C flat features. */
#include "engine/layers.h"
#include "engine/gemm.h"

static int dense_shape(layer *l, lr_err *e)
{
    (void)e;
    l->out = (lr_shape){ l->out_c, 1, 1 };
    return 0;
}

static void dense_sizes(const layer *l, int max_batch, layer_sizes *s)
{
    (void)max_batch;
    s->region[REGION_WEIGHTS] = shape_size(l->in) * l->out_c;
    s->region[REGION_BIASES] = l->bias ? (size_t)l->out_c : 0;
}

static void dense_bind(layer *l, const layer_views *v)
{
    l->w = v->param[REGION_WEIGHTS];
    l->dw = v->grad[REGION_WEIGHTS];
    l->b = l->bias ? v->param[REGION_BIASES] : NULL;
    l->db = l->bias ? v->grad[REGION_BIASES] : NULL;
}

static void dense_init(layer *l, lr_rng *rng, net_init mode)
{
    size_t n_in = shape_size(l->in);
    layer_init_fan_in(l->w, n_in * l->out_c, l->b, l->bias ? (size_t)l->out_c : 0,
                      (int)n_in, rng, mode);
}

static void dense_forward(layer *l, const layer_io *io)
{
    int n = l->out_c, k = (int)shape_size(l->in), B = io->B;
    if (l->bias)
        layer_bias_rows(io->out, l->b, (size_t)B, n);
    gemm(false, false, B, n, k, 1.0f, io->in[0], k, l->w, n, l->bias ? 1.0f : 0.0f, io->out,
         n);
}

static void dense_backward(layer *l, const layer_io *io)
{
    int n = l->out_c, k = (int)shape_size(l->in), B = io->B;
    /* dW += in^T dout  [k][n] */
    gemm(true, false, k, n, B, 1.0f, io->in[0], k, io->dout, n, 1.0f, l->dw, n);
    if (l->bias)
        layer_bias_grad(l->db, io->dout, (size_t)B, n);
    /* din (+)= dout W^T  [B][k] */
    if (io->din[0])
        gemm(false, true, B, k, n, 1.0f, io->dout, n, l->w, n, io->din_acc[0] ? 1.0f : 0.0f,
             io->din[0], k);
}

static uint64_t dense_flops(const layer *l, bool needs_din)
{
    return 2 * (uint64_t)shape_size(l->in) * l->out_c * (needs_din ? 3 : 2);
}

static int dense_gemms(const layer *l, int B, bool needs_din, layer_gemm *g)
{
    int n = l->out_c, k = (int)shape_size(l->in);
    g[0] = (layer_gemm){ B, n, k, false, false, 1, false };
    g[1] = (layer_gemm){ k, n, B, true, false, 1, false };
    g[2] = (layer_gemm){ B, k, n, false, true, 1, false };
    return needs_din ? 3 : 2;
}

const layer_ops layer_dense_ops = {
    "dense", 1, dense_shape, dense_sizes, dense_bind, dense_init,
    dense_forward, dense_backward, dense_flops, dense_gemms,
};
