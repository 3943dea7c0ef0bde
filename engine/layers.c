/* layers.c — the table of layer kinds, the loss, and what the kinds share. */
#include "engine/layers.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

extern const layer_ops layer_dense_ops, layer_conv_ops, layer_maxpool_ops,
    layer_avgpool_ops, layer_gap_ops, layer_batchnorm_ops, layer_relu_ops, layer_add_ops;

const layer_ops *const layer_table[LAYER_KIND_COUNT] = {
    [LAYER_DENSE] = &layer_dense_ops,
    [LAYER_CONV] = &layer_conv_ops,
    [LAYER_MAXPOOL] = &layer_maxpool_ops,
    [LAYER_AVGPOOL] = &layer_avgpool_ops,
    [LAYER_GAP] = &layer_gap_ops,
    [LAYER_BATCHNORM] = &layer_batchnorm_ops,
    [LAYER_RELU] = &layer_relu_ops,
    [LAYER_ADD] = &layer_add_ops,
};

void layer_setup(layer *l, layer_kind kind, const char *name)
{
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->ops = layer_table[kind];
    snprintf(l->name, sizeof l->name, "%s", name);
    l->stride = 1;
    l->bias = true;
}

/* Weights and biases of a layer with `fan_in` inputs per output.
 * He (the default): weights N(0, 2/fan_in), biases 0, suited to ReLU.
 * PyTorch's nn.Linear / nn.Conv2d defaults: weights kaiming_uniform with
 * a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and biases the same
 * uniform. */
void layer_init_fan_in(float *w, size_t n, float *b, size_t nb, int fan_in, lr_rng *rng,
                       net_init mode)
{
    if (mode == INIT_TORCH) {
        float bound = 1.0f / sqrtf((float)fan_in);
        for (size_t i = 0; i < n; i++)
            w[i] = bound * (2.0f * rng_uniform(rng) - 1.0f);
        for (size_t i = 0; i < nb; i++)
            b[i] = bound * (2.0f * rng_uniform(rng) - 1.0f);
        return;
    }
    float sd = sqrtf(2.0f / (float)fan_in);
    for (size_t i = 0; i < n; i++)
        w[i] = sd * rng_normal(rng);
    if (nb)
        memset(b, 0, nb * sizeof *b);
}

void layer_no_sizes(const layer *l, int max_batch, layer_sizes *s)
{
    (void)l;
    (void)max_batch;
    (void)s;
}

void layer_no_bind(layer *l, const layer_views *v)
{
    (void)l;
    (void)v;
}

void layer_no_init(layer *l, lr_rng *rng, net_init mode)
{
    (void)l;
    (void)rng;
    (void)mode;
}

uint64_t layer_no_flops(const layer *l, bool needs_din)
{
    (void)l;
    (void)needs_din;
    return 0;
}

int layer_no_gemms(const layer *l, int B, bool needs_din, layer_gemm *g)
{
    (void)l;
    (void)B;
    (void)needs_din;
    (void)g;
    return 0;
}

float softmax_xent(const float *logits, const int *y, int B, int K, float *dlogits,
                   int *n_correct)
{
    return (float)softmax_xent_mean(logits, y, B, K, dlogits, n_correct);
}

double softmax_xent_mean(const float *logits, const int *y, int B, int K, float *dlogits,
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
    return total / B;
}

void layer_bias_rows(float *out, const float *b, size_t rows, int n)
{
    for (size_t r = 0; r < rows; r++)
        memcpy(out + r * (size_t)n, b, (size_t)n * sizeof *out);
}

void layer_bias_grad(float *db, const float *dout, size_t rows, int n)
{
    for (size_t r = 0; r < rows; r++) {
        const float *d = dout + r * (size_t)n;
        for (int j = 0; j < n; j++)
            db[j] += d[j];
    }
}
