/* layers.h — the building blocks of a network, one table row per kind.
 *
 * Data layout: every activation is a batch of examples, each example an
 * H x W x C image stored channel-last (NHWC); a flat vector of n features is
 * the 1 x 1 x n image. Channel-last was chosen over channel-first (NCHW) for
 * what it does to the work around the products: batch norm over channels
 * becomes batch norm over features with B*H*W rows; a 1x1 convolution with
 * stride 1 needs no im2col at all; im2col copies whole channel runs with
 * memcpy; and the Winograd transforms, batch norm and pooling all run along
 * contiguous channels, which the compiler vectorises. A convolution over the
 * whole batch is then one GEMM (rows = B*Ho*Wo pixels, columns = output
 * channels) where NCHW needs one per image (rows = output channels, columns
 * = Ho*Wo pixels). Timed alone (one thread, batch 128, OpenBLAS 0.3.21 with
 * its Haswell kernels), those per-image NCHW products of a 3x3 im2col were
 * as fast or faster: 63 against 47 GFLOP/s at 28x28 16->16, 76 against 66
 * at 14x14 32->32, 80 against 83 at 7x7 64->64, OpenBLAS liking a wide N.
 * Channel-last is kept because the 3x3 and 5x5 stride-1 convolutions, most
 * of the work, go through Winograd (conv_winograd.c), whose products run over
 * channels in either layout and whose transforms want channels contiguous;
 * a channel-first engine was not built to time whole training steps.
 *
 * A kind describes itself through its layer_ops row:
 *   shape     output shape from the input shape and hyper-parameters, or an
 *             error naming the layer when the image would shrink below 1x1;
 *   sizes     how many floats it takes in each parameter region (weights,
 *             biases, batch-norm scale/shift), in the state block (running
 *             statistics) and in scratch, and how many im2col floats;
 *   bind      points its views into the network's blocks;
 *   init      initial parameter values (He normal or PyTorch's defaults);
 *   forward / backward over raw buffers (contract below);
 *   flops     multiply-adds x 2 of one training pass per example;
 *   gemms     the GEMM shapes of one training pass, for `lrscope bench`.
 *
 * Forward/backward contract (io->B examples):
 *   forward   reads in[0] (and in[1] for add) [B][in], writes out [B][out].
 *   backward  reads in, out, dout [B][out]; ACCUMULATES parameter gradients
 *             into the layer's gradient views (zeroing them is the caller's
 *             step); writes din[k] [B][in] when din[k] is not NULL, adding
 *             to it instead when din_acc[k] (a tensor that feeds several
 *             layers collects the sum of their gradients). It follows a
 *             training forward of the same batch at the same parameters,
 *             and uses what that forward kept (batch norm's statistics,
 *             Winograd's transformed filters).
 * Parameters, gradients and running statistics are views into the network's
 * flat blocks (see net.h); scratch is the network's too. All matrix products
 * go through cblas_sgemm. */
#ifndef LRSCOPE_LAYERS_H
#define LRSCOPE_LAYERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/err.h"
#include "engine/rng.h"

/* One example's shape: channels, height, width (stored H, W, C). */
typedef struct lr_shape {
    int c, h, w;
} lr_shape;

static inline size_t shape_size(lr_shape s) { return (size_t)s.c * s.h * s.w; }

typedef enum {
    LAYER_DENSE,
    LAYER_CONV,
    LAYER_MAXPOOL,
    LAYER_AVGPOOL,
    LAYER_GAP,          /* global average pool: H x W x C -> 1 x 1 x C */
    LAYER_BATCHNORM,    /* over features, or over channels of an image */
    LAYER_RELU,
    LAYER_ADD,          /* residual add of two inputs of one shape */
    LAYER_KIND_COUNT
} layer_kind;

/* Parameter regions of the flat blocks, in block order (see net.h). */
enum { REGION_WEIGHTS, REGION_BIASES, REGION_BN, REGION_COUNT };

typedef enum { INIT_HE, INIT_TORCH } net_init;

/* How a convolution is lowered to GEMMs. CONV_AUTO picks Winograd
 * (F(4x4, 3x3) or F(4x4, 5x5)) for 3x3 and 5x5 stride-1 convolutions of 8
 * or more input channels and im2col for the rest; CONV_WINOGRAD asks for
 * Winograd wherever it applies (stems included). */
typedef enum { CONV_AUTO, CONV_IM2COL, CONV_WINOGRAD } conv_algo;

typedef struct layer_sizes {
    size_t region[REGION_COUNT]; /* trainable floats per region */
    size_t state;                /* running statistics (not trained) */
    size_t scratch;              /* floats of private scratch, for max_batch examples */
    size_t col;                  /* floats of the shared im2col buffer it needs */
} layer_sizes;

/* The views a layer is given: the start of its slice of each block. */
typedef struct layer_views {
    float *param[REGION_COUNT], *grad[REGION_COUNT];
    float *state, *scratch, *col;
    int    max_batch;
} layer_views;

/* One GEMM of a training pass: C[m][n] (+)= op(A)[m][k] op(B)[k][n], `count`
 * times per step: each call's rows spread over the threads (gemm.h), or,
 * by_slot, the calls themselves, each whole on one thread (a convolution's
 * slots, layer_conv.c). */
typedef struct layer_gemm {
    int  m, n, k;
    bool trans_a, trans_b;
    int  count;
    bool by_slot;
} layer_gemm;
#define LAYER_MAX_GEMMS 9 /* a conv's three, for full chunks and two remainders */

typedef struct layer layer;

typedef struct layer_io {
    const float *in[2];
    float       *out;
    const float *dout;
    float       *din[2];
    bool         din_acc[2];
    int          B;
    bool         train;
} layer_io;

typedef struct layer_ops {
    const char *name;
    int      n_inputs;
    int      (*shape)(layer *l, lr_err *e);
    void     (*sizes)(const layer *l, int max_batch, layer_sizes *s);
    void     (*bind)(layer *l, const layer_views *v);
    void     (*init)(layer *l, lr_rng *rng, net_init mode);
    void     (*forward)(layer *l, const layer_io *io);
    void     (*backward)(layer *l, const layer_io *io);
    uint64_t (*flops)(const layer *l, bool needs_din);
    int      (*gemms)(const layer *l, int B, bool needs_din, layer_gemm *g);
} layer_ops;

struct layer {
    layer_kind        kind;
    const layer_ops  *ops;
    char              name[32];   /* "conv3", "stage2.block1.bn2": in messages */
    lr_shape          in, out;
    /* hyper-parameters: conv and pools use k, stride, pad; conv and dense
     * use out_c (output channels / features) and bias */
    int               k, stride, pad, out_c;
    bool              bias;
    /* batch norm, add and max pool: a ReLU on the output in the same pass
     * (forward writes max(y, 0); backward masks dout by out > 0 as it reads
     * it), which saves the separate ReLU its buffer and a read and a write
     * of the activations each way. Results equal the two layers'. */
    bool              relu;
    /* dense: w [in][out]; conv: w [k*k*in.c][out_c], rows (ky, kx, c);
     * batch norm: w = scale, b = shift [C] */
    float            *w, *b, *dw, *db;
    /* batch norm */
    float            *run_mean, *run_var;  /* [C], views into the state block */
    float            *mean, *inv_std;      /* [C] of the last training batch */
    float            *sum_a, *sum_b;       /* [C] per-channel sums */
    float            *part;                /* [PAR_MAX_THREADS][2][C] per-thread sums */
    float             bn_maf, bn_eps;      /* running = maf*running + (1-maf)*batch */
    /* max pool: index of the winning input of each output [max_batch][out] */
    int32_t          *argmax;
    /* conv: the lowering (resolved from CONV_AUTO by shape); the slots the
     * batch is cut into (fixed by shape, one per thread of the pool then,
     * see layer_conv.c), each with its part of the shared col buffer, which
     * holds col_images images at once */
    conv_algo         algo;
    int               slots;
    float            *col;
    int               col_images;
    /* conv: the gradients slots 1.. sum, added to dw and db in slot order
     * (slot 0 sums into them itself): weights [slots-1][K][N] by im2col
     * (Winograd sums dU instead), biases [slots-1][N] */
    float            *slot_dw, *slot_db;
    /* conv by Winograd (conv_winograd.c): transformed weights
     * [36 or 64][in.c][out_c] and per slot their gradient; a row of zeros, and
     * per slot a row of discarded writes, each max(in.c, out_c) floats */
    float            *wino_u, *wino_du, *wino_zero, *wino_sink;
};

extern const layer_ops *const layer_table[LAYER_KIND_COUNT];

/* How a convolution runs, for people reading a profile: "winograd",
 * "im2col", or "gemm" (a 1x1 stride-1 convolution, a product over the input
 * as it is). */
const char *conv_lowering(const layer *l);
/* The images [lo, hi) of a batch of B that slot s of a convolution takes;
 * one slot, the whole batch, for l->slots == 1. */
void        conv_slot_images(const layer *l, int B, int s, size_t *lo, size_t *hi);
/* Slot s's part of the col buffer: col_images images' worth. */
float      *conv_slot_col(const layer *l, int s);

/* Sets l->kind and l->ops, the common fields and hyper-parameters to their
 * defaults (stride 1, no padding, bias on). */
void layer_setup(layer *l, layer_kind kind, const char *name);

/* Mean softmax cross-entropy over a batch of logits [B][K] with labels y [B].
 * Writes dlogits = d(mean loss)/d(logits) [B][K] when dlogits is not NULL and
 * the number of argmax hits into *n_correct when not NULL. Stable for any
 * finite logits (max subtracted); returns NaN/Inf when the logits are. */
float softmax_xent(const float *logits, const int *y, int B, int K, float *dlogits,
                   int *n_correct);
/* The same, with the mean returned in double (for finite differences). */
double softmax_xent_mean(const float *logits, const int *y, int B, int K, float *dlogits,
                         int *n_correct);

/* Helpers the layer files share (engine/layers.c). */
void   layer_init_fan_in(float *w, size_t n, float *b, size_t nb, int fan_in,
                         lr_rng *rng, net_init mode);
/* Table entries for kinds without parameters, scratch or GEMMs. */
void     layer_no_sizes(const layer *l, int max_batch, layer_sizes *s);
void     layer_no_bind(layer *l, const layer_views *v);
void     layer_no_init(layer *l, lr_rng *rng, net_init mode);
uint64_t layer_no_flops(const layer *l, bool needs_din);
int      layer_no_gemms(const layer *l, int B, bool needs_din, layer_gemm *g);
/* Bias of a dense or conv layer over `rows` output rows of n values:
 * out[r] = b for every row (before a GEMM that adds with beta 1), and
 * db += the sum of the rows of dout. */
void   layer_bias_rows(float *out, const float *b, size_t rows, int n);
void   layer_bias_grad(float *db, const float *dout, size_t rows, int n);
/* A ReLU's output, and the gradient through a ReLU whose output was y. Both
 * compile without a branch: signs are random, so a branch would be
 * mispredicted half the time. */
static inline float relu_out(float x) { return x > 0.0f ? x : 0.0f; }
static inline float relu_grad(float dy, float y) { return dy * (float)(y > 0.0f); }
/* dst = src (acc false) or dst += src (acc true), n floats. Inline: col2im
 * calls it for runs of a pixel's channels. */
static inline void layer_put(float *restrict dst, const float *restrict src, size_t n, bool acc)
{
    if (acc)
        for (size_t i = 0; i < n; i++)
            dst[i] += src[i];
    else
        memcpy(dst, src, n * sizeof *dst);
}

#endif
