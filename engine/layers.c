#include "engine/layers.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* ---- dense: out = in W + b ------------------------------------------------ */

static void dense_forward(layer *l, const float *in, float *out, int B, bool train)
{
    (void)train;
    int n = l->n_out;
    for (int i = 0; i < B; i++)
        memcpy(out + (size_t)i * n, l->b, (size_t)n * sizeof *out);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, n, l->n_in,
                1.0f, in, l->n_in, l->w, n, 1.0f, out, n);
}

static void dense_backward(layer *l, const float *in, const float *out, const float *dout,
                           float *din, int B)
{
    (void)out;
    int n = l->n_out;
    /* dW += in^T dout  [n_in][n] */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, l->n_in, n, B,
                1.0f, in, l->n_in, dout, n, 1.0f, l->dw, n);
    for (int i = 0; i < B; i++) {
        const float *d = dout + (size_t)i * n;
        for (int j = 0; j < n; j++)
            l->db[j] += d[j];
    }
    /* din = dout W^T  [B][n_in] */
    if (din)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, l->n_in, n,
                    1.0f, dout, n, l->w, n, 0.0f, din, l->n_in);
}

const layer_ops layer_dense_ops = { "dense", dense_forward, dense_backward };

/* ---- ReLU ----------------------------------------------------------------- */

/* Both loops are written without branches: signs are random, so a branch
 * would be mispredicted half the time, and these loops then cost as much as a
 * GEMM. */
static void relu_forward(layer *l, const float *restrict in, float *restrict out, int B,
                         bool train)
{
    (void)train;
    size_t n = (size_t)B * l->n_out;
    for (size_t i = 0; i < n; i++)
        out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

static void relu_backward(layer *l, const float *in, const float *restrict out,
                          const float *restrict dout, float *restrict din, int B)
{
    (void)in;
    if (!din)
        return;
    size_t n = (size_t)B * l->n_out;
    for (size_t i = 0; i < n; i++)
        din[i] = dout[i] * (float)(out[i] > 0.0f);
}

const layer_ops layer_relu_ops = { "relu", relu_forward, relu_backward };

/* ---- batch norm over features ---------------------------------------------
 * Training: normalise with the batch's mean and (biased) variance and update
 * the running statistics, which take the unbiased variance as Caffe and
 * PyTorch do. Evaluation: normalise with the running statistics. Loops run
 * along rows so they vectorise; per-feature sums live in l->scratch [2][n]. */

static void bn_forward(layer *l, const float *in, float *out, int B, bool train)
{
    int n = l->n_out;
    float *a = l->scratch, *c = l->scratch + n;
    if (!train) {
        for (int j = 0; j < n; j++) {
            a[j] = l->w[j] / sqrtf(l->run_var[j] + l->bn_eps);
            c[j] = l->b[j] - l->run_mean[j] * a[j];
        }
        for (int i = 0; i < B; i++) {
            const float *x = in + (size_t)i * n;
            float *y = out + (size_t)i * n;
            for (int j = 0; j < n; j++)
                y[j] = x[j] * a[j] + c[j];
        }
        return;
    }
    float *mean = a, *var = c;
    memset(l->scratch, 0, 2 * (size_t)n * sizeof *l->scratch);
    for (int i = 0; i < B; i++) {
        const float *x = in + (size_t)i * n;
        for (int j = 0; j < n; j++)
            mean[j] += x[j];
    }
    float inv_b = 1.0f / (float)B;
    for (int j = 0; j < n; j++)
        mean[j] *= inv_b;
    for (int i = 0; i < B; i++) {
        const float *x = in + (size_t)i * n;
        float *xc = l->xhat + (size_t)i * n;
        for (int j = 0; j < n; j++) {
            xc[j] = x[j] - mean[j];
            var[j] += xc[j] * xc[j];
        }
    }
    float maf = l->bn_maf;
    float unbias = B > 1 ? (float)B / (float)(B - 1) : 1.0f;
    for (int j = 0; j < n; j++) {
        var[j] *= inv_b;
        l->run_mean[j] = maf * l->run_mean[j] + (1.0f - maf) * mean[j];
        l->run_var[j] = maf * l->run_var[j] + (1.0f - maf) * var[j] * unbias;
        l->inv_std[j] = 1.0f / sqrtf(var[j] + l->bn_eps);
    }
    for (int i = 0; i < B; i++) {
        float *xh = l->xhat + (size_t)i * n;
        float *y = out + (size_t)i * n;
        for (int j = 0; j < n; j++) {
            xh[j] *= l->inv_std[j];
            y[j] = l->w[j] * xh[j] + l->b[j];
        }
    }
}

static void bn_backward(layer *l, const float *in, const float *out, const float *dout,
                        float *din, int B)
{
    (void)in;
    (void)out;
    int n = l->n_out;
    /* sum_d = sum over the batch of dout, sum_dx = of dout*xhat; they are the
     * shift and scale gradients, and give
     * din = w*inv_std/B * (B*dout - sum_d - xhat*sum_dx). */
    float *sum_d = l->scratch, *sum_dx = l->scratch + n;
    memset(l->scratch, 0, 2 * (size_t)n * sizeof *l->scratch);
    for (int i = 0; i < B; i++) {
        const float *d = dout + (size_t)i * n;
        const float *xh = l->xhat + (size_t)i * n;
        for (int j = 0; j < n; j++) {
            sum_d[j] += d[j];
            sum_dx[j] += d[j] * xh[j];
        }
    }
    for (int j = 0; j < n; j++) {
        l->db[j] += sum_d[j];
        l->dw[j] += sum_dx[j];
    }
    if (!din)
        return;
    float inv_b = 1.0f / (float)B;
    for (int i = 0; i < B; i++) {
        const float *d = dout + (size_t)i * n;
        const float *xh = l->xhat + (size_t)i * n;
        float *dx = din + (size_t)i * n;
        for (int j = 0; j < n; j++)
            dx[j] = l->w[j] * l->inv_std[j] * inv_b *
                    ((float)B * d[j] - sum_d[j] - xh[j] * sum_dx[j]);
    }
}

const layer_ops layer_batchnorm_ops = { "batchnorm", bn_forward, bn_backward };

/* ---- loss ----------------------------------------------------------------- */

float softmax_xent(const float *logits, const int *y, int B, int K, float *dlogits,
                   int *n_correct)
{
    double total = 0.0;
    int correct = 0;
    float inv_b = 1.0f / (float)B;
    for (int i = 0; i < B; i++) {
        const float *z = logits + (size_t)i * K;
        int arg = 0;
        for (int k = 1; k < K; k++)
            if (z[k] > z[arg])
                arg = k;
        correct += arg == y[i];
        float zmax = z[arg];
        double sum = 0.0;
        for (int k = 0; k < K; k++)
            sum += exp((double)(z[k] - zmax));
        double log_sum = log(sum);
        total += log_sum - (double)(z[y[i]] - zmax);
        if (dlogits) {
            float *dz = dlogits + (size_t)i * K;
            for (int k = 0; k < K; k++)
                dz[k] = (float)(exp((double)(z[k] - zmax) - log_sum)) * inv_b;
            dz[y[i]] -= inv_b;
        }
    }
    if (n_correct)
        *n_correct = correct;
    return (float)(total / B);
}
