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
 * by default); running mean and variance in the state block.
 *
 * Every loop over rows is spread over threads (par.h); sums over rows are
 * taken per slot into `part` (in double, see SUM_BLOCK) and added in slot
 * order. */
#include "engine/layers.h"
#include "engine/par.h"

#include <math.h>
#include <string.h>

#define GRAIN_FLOATS 16384 /* rows per thread: at least this many floats */

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
    s->scratch = 4 * C + 2 * C * PAR_MAX_THREADS;
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
    l->part = v->scratch + 4 * C;
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

/* The loops of one pass: x [R][C] (and dy), per-channel vectors, and the
 * per-slot partial sums part[slot][2][C]. */
typedef struct bn_ctx {
    const layer *l;
    const float *x, *dy;
    const float *y;         /* backward of a fused ReLU: the output, masking dy */
    float       *out;
    const float *a, *c;     /* affine: out = x * a + c; moments: a is the shift */
    bool         acc;       /* backward: add into out */
    float        rows;      /* R, for din */
    int          C;
} bn_ctx;

static size_t grain_rows(int C) { return GRAIN_FLOATS / (size_t)C + 1; }

static float *part_of(const bn_ctx *c, int slot) { return c->l->part + (size_t)slot * 2 * c->C; }

/* Sums over rows are accumulated in double, a block of channels at a time:
 * float sums over thousands of rows lose digits that batch norm's
 * backward (a difference of nearly equal terms) then magnifies, and would
 * make results depend on how the rows are split between threads. */
#define SUM_BLOCK 128

/* part[slot][0] = sum over the slot's rows of d = x - shift, part[slot][1]
 * = of d^2, with shift = c->a (a row of the batch): the mean and the
 * variance in one read of x. Shifted by a value of the data, the variance
 * E[d^2] - E[d]^2 subtracts numbers of the variance's own size, not the
 * squared mean's. */
static void moment_slice(void *p, int slot, size_t lo, size_t hi)
{
    bn_ctx *c = p;
    int C = c->C;
    float *sum = part_of(c, slot), *sum_sq = sum + C;
    for (int c0 = 0; c0 < C; c0 += SUM_BLOCK) {
        int w = C - c0 < SUM_BLOCK ? C - c0 : SUM_BLOCK;
        double acc[SUM_BLOCK] = { 0 }, acc_sq[SUM_BLOCK] = { 0 };
        const float *shift = c->a + c0;
        for (size_t r = lo; r < hi; r++) {
            const float *xr = c->x + r * C + c0;
            for (int j = 0; j < w; j++) {
                double d = (double)xr[j] - (double)shift[j];
                acc[j] += d;
                acc_sq[j] += d * d;
            }
        }
        for (int j = 0; j < w; j++) {
            sum[c0 + j] = (float)acc[j];
            sum_sq[c0 + j] = (float)acc_sq[j];
        }
    }
}

/* part[slot][0] = sum of dy, part[slot][1] = sum of dy * (x - mean), dy
 * masked by the fused ReLU's output when c->y is given */
static void dsum_slice(void *p, int slot, size_t lo, size_t hi)
{
    bn_ctx *c = p;
    int C = c->C;
    float *sum_d = part_of(c, slot), *sum_dx = sum_d + C;
    for (int c0 = 0; c0 < C; c0 += SUM_BLOCK) {
        int w = C - c0 < SUM_BLOCK ? C - c0 : SUM_BLOCK;
        double acc_d[SUM_BLOCK] = { 0 }, acc_dx[SUM_BLOCK] = { 0 };
        const float *mean = c->l->mean + c0;
        for (size_t r = lo; r < hi; r++) {
            const float *xr = c->x + r * C + c0, *d = c->dy + r * C + c0;
            const float *yr = c->y ? c->y + r * C + c0 : NULL;
            for (int j = 0; j < w; j++) {
                float dj = yr ? relu_grad(d[j], yr[j]) : d[j];
                acc_d[j] += (double)dj;
                acc_dx[j] += (double)dj * (double)(xr[j] - mean[j]);
            }
        }
        for (int j = 0; j < w; j++) {
            sum_d[c0 + j] = (float)acc_d[j];
            sum_dx[c0 + j] = (float)acc_dx[j];
        }
    }
}

/* Runs fn over the R rows and adds the slots' partials into to[0..C) (and
 * to2 when given). */
static void row_sums(bn_ctx *c, size_t R, par_fn fn, float *to, float *to2)
{
    int C = c->C, slots = par_threads();
    memset(c->l->part, 0, (size_t)slots * 2 * C * sizeof *c->l->part);
    par_for(R, grain_rows(C), fn, c);
    memset(to, 0, (size_t)C * sizeof *to);
    if (to2)
        memset(to2, 0, (size_t)C * sizeof *to2);
    for (int s = 0; s < slots; s++) {
        const float *pt = part_of(c, s);
        for (int j = 0; j < C; j++) {
            to[j] += pt[j];
            if (to2)
                to2[j] += pt[C + j];
        }
    }
}

/* out = x * a + c per channel, then max(out, 0) for a fused ReLU */
static void affine_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    bn_ctx *c = p;
    int C = c->C;
    const float *restrict a = c->a, *restrict sh = c->c;
    for (size_t r = lo; r < hi; r++) {
        const float *restrict xr = c->x + r * C;
        float *restrict yr = c->out + r * C;
        if (c->l->relu)
            for (int j = 0; j < C; j++)
                yr[j] = relu_out(xr[j] * a[j] + sh[j]);
        else
            for (int j = 0; j < C; j++)
                yr[j] = xr[j] * a[j] + sh[j];
    }
}

static void bn_forward(layer *l, const layer_io *io)
{
    int C = l->in.c;
    size_t R = rows(l, io->B);
    float *a = l->sum_a, *c = l->sum_b;
    bn_ctx ctx = { .l = l, .x = io->in[0], .out = io->out, .a = a, .c = c, .C = C };
    if (!io->train) {
        for (int j = 0; j < C; j++) {
            a[j] = l->w[j] / sqrtf(l->run_var[j] + l->bn_eps);
            c[j] = l->b[j] - l->run_mean[j] * a[j];
        }
        par_for(R, grain_rows(C), affine_slice, &ctx);
        return;
    }
    float *mean = l->mean, *var = l->sum_b;
    const float *shift = io->in[0]; /* the first row */
    ctx.a = shift;
    row_sums(&ctx, R, moment_slice, mean, var);
    float maf = l->bn_maf, unbias = R > 1 ? (float)R / (float)(R - 1) : 1.0f;
    for (int j = 0; j < C; j++) {
        double d_mean = (double)mean[j] / (double)R;
        double v = (double)var[j] / (double)R - d_mean * d_mean; /* rounding can make it < 0 */
        mean[j] = (float)((double)shift[j] + d_mean);
        var[j] = v < 0.0 ? 0.0f : (float)v; /* a NaN stays NaN: the run diverged */
        l->run_mean[j] = maf * l->run_mean[j] + (1.0f - maf) * mean[j];
        l->run_var[j] = maf * l->run_var[j] + (1.0f - maf) * var[j] * unbias;
        l->inv_std[j] = 1.0f / sqrtf(var[j] + l->bn_eps);
        a[j] = l->w[j] * l->inv_std[j];
        c[j] = l->b[j] - mean[j] * a[j];
    }
    ctx.a = a;
    par_for(R, grain_rows(C), affine_slice, &ctx);
}

/* din = w * inv_std / R * (R * dout - sum_d - xhat * sum_dx), written or added
 * (dout masked as in dsum_slice) */
static void din_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    bn_ctx *c = p;
    const layer *l = c->l;
    int C = c->C;
    const float *mean = l->mean, *inv_std = l->inv_std, *sum_d = l->sum_a, *sum_dx = l->sum_b;
    float fr = c->rows, inv_r = 1.0f / fr;
    for (size_t r = lo; r < hi; r++) {
        const float *xr = c->x + r * C, *d = c->dy + r * C;
        const float *yr = c->y ? c->y + r * C : NULL;
        float *o = c->out + r * C;
        for (int j = 0; j < C; j++) {
            float xhat = (xr[j] - mean[j]) * inv_std[j];
            float dj = yr ? relu_grad(d[j], yr[j]) : d[j];
            float g = l->w[j] * inv_std[j] * inv_r * (fr * dj - sum_d[j] - xhat * sum_dx[j]);
            o[j] = c->acc ? o[j] + g : g;
        }
    }
}

static void bn_backward(layer *l, const layer_io *io)
{
    int C = l->in.c;
    size_t R = rows(l, io->B);
    /* sum_d = sum over rows of dout, sum_dx = of dout * xhat: the shift and
     * scale gradients; they give din (din_slice). */
    float *sum_d = l->sum_a, *sum_dx = l->sum_b;
    bn_ctx ctx = { .l = l, .x = io->in[0], .dy = io->dout, .y = l->relu ? io->out : NULL,
                   .out = io->din[0], .acc = io->din_acc[0], .C = C };
    row_sums(&ctx, R, dsum_slice, sum_d, sum_dx);
    for (int j = 0; j < C; j++) {
        sum_dx[j] *= l->inv_std[j];
        l->db[j] += sum_d[j];
        l->dw[j] += sum_dx[j];
    }
    if (!io->din[0])
        return;
    ctx.rows = (float)R;
    par_for(R, grain_rows(C), din_slice, &ctx);
}

const layer_ops layer_batchnorm_ops = {
    "batchnorm", 1, bn_shape, bn_sizes, bn_bind, bn_init,
    bn_forward, bn_backward, layer_no_flops, layer_no_gemms,
};
