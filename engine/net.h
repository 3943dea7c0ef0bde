/* net.h — a feed-forward network with all its numbers in flat blocks.
 *
 * A network owns three float arrays of n_params each — parameters, gradients
 * and optimizer velocity — laid out in three regions so that weight decay is
 * a choice of ranges, not a per-parameter flag:
 *     [0, n_weights)                 dense weights (always decayed)
 *     [n_weights, n_weights+n_bias)  dense biases (decayed when asked)
 *     [.., n_params)                 batch-norm scale and shift (decayed when asked)
 * plus a `state` block (batch-norm running statistics) that is not trained
 * but is part of a snapshot. Layers hold views into these blocks. Optimizer
 * steps, snapshots and checkpoints are therefore single loops or copies.
 *
 * Activation buffers are sized for `max_batch` at build time: forward and
 * backward never allocate.
 *
 * Model specs: "mlp:H1,H2,..." (dense + ReLU per hidden layer) and
 * "mlp-bn:H1,H2,..." (dense + batch norm + ReLU); "mlp" and "mlp-bn" alone
 * mean 512,512; "linear" is softmax regression. */
#ifndef LRSCOPE_NET_H
#define LRSCOPE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/layers.h"

#define NET_MAX_HIDDEN 16
/* dense + batch norm + ReLU per hidden layer, and the output layer */
#define NET_MAX_LAYERS (3 * NET_MAX_HIDDEN + 1)
#define NET_DEFAULT_MODEL "mlp-bn:512,512"

typedef struct net_opts {
    float bn_maf;       /* batch-norm moving-average fraction, in [0, 1) */
    float bn_eps;
} net_opts;

typedef struct net {
    char     spec[128];
    int      n_in, n_classes, max_batch;
    int      n_layers;
    layer    layers[NET_MAX_LAYERS];

    float   *params, *grads, *velocity;    /* [n_params] each */
    size_t   n_params, n_weights, n_bias;  /* region sizes, see above */
    float   *state;                         /* [n_state] BN running stats */
    size_t   n_state;

    float   *acts[NET_MAX_LAYERS];  /* acts[i]: output of layer i, [max_batch][n_out] */
    float   *grad_a, *grad_b;       /* ping-pong [max_batch][widest] for backward */
    float   *dlogits;               /* [max_batch][n_classes] */
    float   *scratch;               /* layer scratch, one allocation */
    uint64_t flops_per_example;     /* 2 x multiply-adds of the GEMMs of one training pass */
} net;

void net_opts_default(net_opts *o);

/* Parses `spec`, allocates every buffer and initialises weights (He normal,
 * from `seed`). Returns 0, or -1 with `e` set and `n` left freed. */
int  net_build(net *n, const char *spec, int n_in, int n_classes, int max_batch,
               const net_opts *o, uint64_t seed, lr_err *e);
void net_free(net *n);

/* (Re)initialises parameters (He normal from `seed`), batch-norm statistics
 * and zeroes the optimizer velocity: a fresh network of the same shape. */
void net_init_params(net *n, uint64_t seed);

/* Forward pass on x [B][n_in]; returns the logits [B][n_classes] (a view into
 * the net, valid until the next forward). B <= max_batch. */
const float *net_forward(net *n, const float *x, int B, bool train);

/* One training pass: zero gradients, forward in training mode, mean softmax
 * cross-entropy, backward. Gradients end in n->grads. Returns the loss (NaN
 * or Inf when the network has diverged) and the number of correct argmaxes. */
float net_train_pass(net *n, const float *x, const int *y, int B, int *n_correct);

/* Loss and correct count of x without touching gradients (evaluation mode). */
float net_eval_batch(net *n, const float *x, const int *y, int B, int *n_correct);

/* Human-readable one line: "mlp-bn:512,512 (671754 params)". */
void net_describe(const net *n, char *buf, size_t len);

#endif
