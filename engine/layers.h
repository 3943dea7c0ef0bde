/* layers.h — the building blocks of a network, as forward/backward pairs over
 * raw float buffers.
 *
 * Shapes: activations are row-major [B][n] with B examples per batch and n
 * features per example (a conv layer will read its [C][H][W] geometry from
 * the same flat n). Contract of every layer:
 *   forward(l, in [B][n_in], out [B][n_out], B, train)   writes out
 *   backward(l, in, out, dout [B][n_out], din [B][n_in], B)
 *       writes din (skipped when din is NULL, for the first layer) and
 *       ACCUMULATES parameter gradients into l's gradient views, so zeroing
 *       gradients is the caller's separate step.
 * Parameters, gradients and running statistics are views into the network's
 * flat blocks (see net.h); a layer owns only its scratch. All matrix products
 * go through cblas_sgemm. */
#ifndef LRSCOPE_LAYERS_H
#define LRSCOPE_LAYERS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct layer layer;

typedef struct layer_ops {
    const char *name;
    void (*forward)(layer *l, const float *in, float *out, int B, bool train);
    void (*backward)(layer *l, const float *in, const float *out, const float *dout,
                     float *din, int B);
} layer_ops;

typedef enum { LAYER_DENSE, LAYER_RELU, LAYER_BATCHNORM } layer_kind;

struct layer {
    layer_kind        kind;
    const layer_ops  *ops;
    int               n_in, n_out;
    /* dense: w [n_in][n_out], b [n_out]; batch norm: w = scale, b = shift [n] */
    float            *w, *b, *dw, *db;
    /* batch norm only */
    float            *run_mean, *run_var;   /* [n], views into the net's state block */
    float            *xhat;                 /* [max_batch][n] scratch */
    float            *inv_std;              /* [n]: 1/sqrt(var + eps) of the last training batch */
    float            *scratch;              /* [2][n] per-feature sums */
    float             bn_maf;               /* running = maf*running + (1-maf)*batch */
    float             bn_eps;
};

extern const layer_ops layer_dense_ops, layer_relu_ops, layer_batchnorm_ops;

/* Mean softmax cross-entropy over a batch of logits [B][K] with labels y [B].
 * Writes dlogits = d(mean loss)/d(logits) [B][K] when dlogits is not NULL and
 * the number of argmax hits into *n_correct when not NULL. Stable for any
 * finite logits (max subtracted); returns NaN/Inf when the logits are. */
float softmax_xent(const float *logits, const int *y, int B, int K, float *dlogits,
                   int *n_correct);

#endif
