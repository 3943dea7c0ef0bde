/* layer_norm.c — batch normalisation over the channels of an image, or over
 * the features of a flat vector (the 1 x 1 x n image): channel-last storage
 * makes both the same loop over R = B*H*W rows of C values.
 *
 * Training: normalise with the batch's mean and (biased) variance per
 * channel, and update the running statistics, which take the unbiased
 * variance (R / (R-1)) as Caffe and PyTorch do. Evaluation: normalise with
 * the running statistics. Backward recomputes xhat = (x - mean) * inv_std
 * from the input instead of storing it, so a batch-norm layer keeps only
 * four numbers per channel.
 * Scale and shift live in the batch-norm parameter region (no weight decay
 * by default); running mean and variance in the state block. */
#include "engine/layers.h"

#include <math.h>
#include <string.h>

static int bn_shape(layer *l, lr_err *e)
{
    (void)e;
    l->out = l->in;
    return 0;
}

static void bn_sizes(const layer *l, int max_batch, layer_sizes *s)
{
    (void)max_batch;
    size_t C = (size_t)l->in.c;
    s->region[REGION_BN] = 2 * C;
    s->state = 2 * C;
    s->scratch = 4 * C;
}

static void bn_bind(layer *l, const layer_views *v)
{
    size_t C = (size_t)l->in.c;
    l->w = v->param[REGION_BN];
    l->b = v->param[REGION_BN] + C;
    l->dw = v->grad[REGION_BN];
    l->db = v->grad[REGION_BN] + C;
    l->run_mean = v->state;
    l->run_var = v->state + C;
    l->mean = v->scratch;
    l->inv_std = v->scratch + C;
    l->sum_a = v->scratch + 2 * C;
    l->sum_b = v->scratch + 3 * C;
}

static void bn_init(layer *l, lr_rng *rng, net_init mode)
{
    (void)rng;
    (void)mode;
    for (int c = 0; c < l->in.c; c++) {
        l->w[c] = 1.0f;
        l->b[c] = 0.0f;
        l->run_mean[c] = 0.0f;
        l->run_var[c] = 1.0f;
    }
}

static size_t rows(const layer *l, int B) { return (size_t)B * l->in.h * l->in.w; }

/* out = x * a + c per channel, over R rows. */
static void affine(const float *restrict x, float *restrict out, size_t R, int C,
                   const float *restrict a, const float *restrict c)
{
    for (size_t r = 0; r < R; r++) {
        const float *xr = x + r * C;
        float *yr = out + r * C;
        for (int j = 0; j < C; j++)
            yr[j] = xr[j] * a[j] + c[j];
    }
}

static void bn_forward(layer *l, const layer_io *io)
{
    int C = l->in.c;
    size_t R = rows(l, io->B);
    const float *x = io->in[0];
    float *a = l->sum_a, *c = l->sum_b;
    if (!io->train) {
        for (int j = 0; j < C; j++) {
            a[j] = l->w[j] / sqrtf(l->run_var[j] + l->bn_eps);
            c[j] = l->b[j] - l->run_mean[j] * a[j];
        }
        affine(x, io->out, R, C, a, c);
        return;
    }
    float *mean = l->mean, *var = l->sum_b;
    memset(mean, 0, (size_t)C * sizeof *mean);
    memset(var, 0, (size_t)C * sizeof *var);
    for (size_t r = 0; r < R; r++) {
        const float *xr = x + r * C;
        for (int j = 0; j < C; j++)
            mean[j] += xr[j];
    }
    float inv_r = 1.0f / (float)R;
    for (int j = 0; j < C; j++)
        mean[j] *= inv_r;
    for (size_t r = 0; r < R; r++) {
        const float *xr = x + r * C;
        for (int j = 0; j < C; j++) {
            float d = xr[j] - mean[j];
            var[j] += d * d;
        }
    }
    float maf = l->bn_maf, unbias = R > 1 ? (float)R / (float)(R - 1) : 1.0f;
    for (int j = 0; j < C; j++) {
        var[j] *= inv_r;
        l->run_mean[j] = maf * l->run_mean[j] + (1.0f - maf) * mean[j];
        l->run_var[j] = maf * l->run_var[j] + (1.0f - maf) * var[j] * unbias;
        l->inv_std[j] = 1.0f / sqrtf(var[j] + l->bn_eps);
        a[j] = l->w[j] * l->inv_std[j];
        c[j] = l->b[j] - mean[j] * a[j];
    }
    affine(x, io->out, R, C, a, c);
}

static void bn_backward(layer *l, const layer_io *io)
{
    int C = l->in.c;
    size_t R = rows(l, io->B);
    const float *x = io->in[0], *dy = io->dout;
    const float *mean = l->mean, *inv_std = l->inv_std;
    /* sum_d = sum over rows of dout, sum_dx = of dout * xhat: the shift and
     * scale gradients; they give
     * din = w * inv_std / R * (R * dout - sum_d - xhat * sum_dx). */
    float *sum_d = l->sum_a, *sum_dx = l->sum_b;
    memset(sum_d, 0, (size_t)C * sizeof *sum_d);
    memset(sum_dx, 0, (size_t)C * sizeof *sum_dx);
    for (size_t r = 0; r < R; r++) {
        const float *xr = x + r * C, *d = dy + r * C;
        for (int j = 0; j < C; j++) {
            sum_d[j] += d[j];
            sum_dx[j] += d[j] * (xr[j] - mean[j]);
        }
    }
    for (int j = 0; j < C; j++) {
        sum_dx[j] *= inv_std[j];
        l->db[j] += sum_d[j];
        l->dw[j] += sum_dx[j];
    }
    float *dx = io->din[0];
    if (!dx)
        return;
    float inv_r = 1.0f / (float)R, fr = (float)R;
    bool acc = io->din_acc[0];
    for (size_t r = 0; r < R; r++) {
        const float *xr = x + r * C, *d = dy + r * C;
        float *o = dx + r * C;
        for (int j = 0; j < C; j++) {
            float xhat = (xr[j] - mean[j]) * inv_std[j];
            float g = l->w[j] * inv_std[j] * inv_r * (fr * d[j] - sum_d[j] - xhat * sum_dx[j]);
            o[j] = acc ? o[j] + g : g;
        }
    }
}

const layer_ops layer_batchnorm_ops = {
    "batchnorm", 1, bn_shape, bn_sizes, bn_bind, bn_init,
    bn_forward, bn_backward, layer_no_flops, layer_no_gemms,
};
