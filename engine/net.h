/* net.h — a network as a graph of layers, with all its numbers in flat blocks.
 *
 * A network is a list of nodes in topological order; each node is a layer
 * (engine/layers.h) naming its inputs: earlier nodes, or NET_INPUT for the
 * network's input. A residual add is a node with two inputs; a tensor that
 * feeds several nodes (a block's input, read by the block and its shortcut)
 * collects the sum of their gradients in backward. The last node's output
 * is the logits, [B][n_classes].
 *
 * A network owns three float arrays of n_params each — parameters,
 * gradients and optimizer velocity — laid out in three regions so that
 * weight decay is a choice of ranges, not a per-parameter flag:
 *     [0, n_weights)                 dense and conv weights (always decayed)
 *     [n_weights, n_weights+n_bias)  dense and conv biases (decayed when asked)
 *     [.., n_params)                 batch-norm scale and shift (decayed when asked)
 * plus a `state` block (batch-norm running statistics) that is not trained
 * but is part of a snapshot. Layers hold views into these blocks. Optimizer
 * steps, snapshots and checkpoints are therefore single loops or copies.
 *
 * Every buffer is planned and allocated at build time for `max_batch`
 * examples (the training batch; evaluation runs in chunks of it): forward
 * and backward never allocate. Gradient buffers are shared between nodes
 * whose gradients are never alive at the same time, so a deep chain needs
 * only a few.
 *
 * Inputs arrive as the datasets store them, channel-first per image
 * ([B][C][H][W]); the network reads them channel-last (see layers.h), so an
 * input with more than one channel is transposed on the way in.
 *
 * Model specs (net_presets_help lists them for --help):
 *   linear                 softmax regression
 *   mlp[:H1,H2,...]        dense + ReLU per hidden layer (default 512,512)
 *   mlp-bn[:H1,H2,...]     dense + batch norm + ReLU per hidden layer
 *   lenet                  Caffe's LeNet: conv5x5x20 ReLU maxpool2 conv5x5x50
 *                          ReLU maxpool2 dense500 ReLU dense
 *   cnn-bn                 [conv3x3 BN ReLU] x 32, 32, maxpool2, x 64, 64,
 *                          maxpool2, global average pool, dense
 *   resnet:N[,W]           the CIFAR ResNet of He et al. (2016, section 4.2),
 *                          depth N = 6n+2, stem width W (default 16) */
#ifndef LRSCOPE_NET_H
#define LRSCOPE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/layers.h"

#define NET_DEFAULT_MODEL "mlp-bn:512,512"
#define NET_INPUT (-1)     /* a node input that is the network's input */
#define NET_NO_INPUT (-2)  /* an unused second input */

extern const char net_presets_help[];

typedef struct net_opts {
    float    bn_maf;    /* batch-norm moving-average fraction, in [0, 1) */
    float    bn_eps;
    net_init init;      /* INIT_HE (default) or INIT_TORCH (PyTorch's defaults) */
    conv_algo conv;     /* how convolutions are lowered (CONV_AUTO by default) */
} net_opts;

typedef struct net_node {
    layer  l;
    int    input[2];     /* node index, NET_INPUT or NET_NO_INPUT */
    float *act;          /* [max_batch][out]: this node's output */
    int    grad_buf;     /* index into grad_bufs of d(loss)/d(act) in backward */
    bool   din_acc[2];   /* backward adds into the input's gradient buffer */
} net_node;

typedef struct net {
    char      spec[128];
    lr_shape  in;                  /* one example's shape */
    int       n_in;                /* shape_size(in) */
    int       n_classes, max_batch;
    net_node *nodes;
    int       n_nodes, cap_nodes;

    float    *params, *grads, *velocity;    /* [n_params] each */
    size_t    n_params, n_weights, n_bias;  /* region sizes, see above */
    float    *state;                        /* [n_state] BN running stats */
    size_t    n_state;

    float    *scratch;           /* the layers' scratch, one allocation */
    float    *col;               /* the im2col buffer all convolutions share */
    float    *x_nhwc;            /* [max_batch][n_in] transposed input, when C > 1 */
    float   **grad_bufs;         /* [n_grad_bufs][max_batch * widest] */
    int       n_grad_bufs;
    float    *dlogits;           /* [max_batch][n_classes] */
    uint64_t  flops_per_example; /* 2 x multiply-adds of the GEMMs of one training pass */
    size_t    bytes;             /* everything allocated for it */
    /* NULL, or [n_nodes][2] set by the caller (lrscope bench --by-layer):
     * each pass adds every node's forward [i][0] and backward [i][1] wall
     * clock seconds. Two clock reads per node; never set in training. */
    double   *node_seconds;
    net_init  init;              /* how net_init_params draws parameters */
} net;

void net_opts_default(net_opts *o);

/* Parses `spec`, plans the graph for inputs of shape `in` and `max_batch`
 * examples, checks that the memory it needs is available, allocates every
 * buffer and initialises the parameters from `seed`. Returns 0, or -1 with
 * `e` set (an unknown spec, a layer the image shrinks away in, not enough
 * memory) and `n` left freed. */
int  net_build(net *n, const char *spec, lr_shape in, int n_classes, int max_batch,
               const net_opts *o, uint64_t seed, lr_err *e);
void net_free(net *n);

/* Checks that `spec` builds for inputs of shape `in` (the same messages as
 * net_build), without allocating its buffers; *n_params gets its parameter
 * count when not NULL. */
int  net_check_spec(const char *spec, lr_shape in, int n_classes, size_t *n_params,
                    lr_err *e);

/* (Re)initialises parameters from `seed`, batch-norm statistics, and zeroes
 * the optimizer velocity: a fresh network of the same shape. */
void net_init_params(net *n, uint64_t seed);

/* Forward pass on x [B][C][H][W]; returns the logits [B][n_classes] (a view
 * into the net, valid until the next forward). B <= max_batch. */
const float *net_forward(net *n, const float *x, int B, bool train);

/* One training pass: zero gradients, forward in training mode, mean softmax
 * cross-entropy, backward. Gradients end in n->grads. Returns the loss (NaN
 * or Inf when the network has diverged) and the number of correct argmaxes. */
float net_train_pass(net *n, const float *x, const int *y, int B, int *n_correct);

/* Loss and correct count of x without touching gradients (evaluation mode). */
float net_eval_batch(net *n, const float *x, const int *y, int B, int *n_correct);

/* Human-readable one line: "resnet:8 (77754 params)". */
void net_describe(const net *n, char *buf, size_t len);

/* Appends a node to a network being built (engine/models.c): `proto` gives
 * the kind, name and hyper-parameters. Returns its index, or -1 when out of
 * memory or when an input is not an earlier node. */
int  net_add_node(net *n, const layer *proto, int in0, int in1);

/* Emits the nodes of `spec` into n (engine/models.c). */
int  models_emit(net *n, const char *spec, int n_classes, lr_err *e);

#endif
