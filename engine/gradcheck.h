/* gradcheck.h — the network's analytic gradients against central finite
 * differences, for users adding layers (`lrscope check-grad`) and for tests.
 *
 * For each parameter tensor (a layer's weights, biases, batch-norm scale,
 * shift) a seeded sample of entries is perturbed by +-h and the mean
 * cross-entropy of a training-mode forward pass (computed in double) gives
 * the numeric gradient. An entry's error is |analytic - numeric| divided by
 * the tensor's own gradient scale: the RMS of its analytic gradient, floored
 * at 1e-2 x the RMS over the whole network and at the finite difference's
 * resolution, 4 float ulps of the loss over 2h (so a tensor whose true
 * gradient is zero, like a bias just before batch norm, is not judged on
 * noise, and a layer that wrongly returns zeros fails on every entry). An
 * entry that fails is tried again with h/4, centrally and on each side of p
 * alone, because a ReLU or max-pool kink inside [p-h, p+h] is not an error
 * of the layer. A check passes when at most 1 % of the entries still fail.
 * The tolerance, 5 %, is what float rounding and kinks leave on a correct
 * deep network with batch norm (the layer tests hold each kind alone to
 * 0.5 %); a wrong gradient is off by far more.
 * Batch-norm running statistics are restored. */
#ifndef LRSCOPE_GRADCHECK_H
#define LRSCOPE_GRADCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "engine/net.h"

typedef struct gradcheck_opts {
    int      per_tensor;   /* entries sampled per tensor (all when fewer) */
    float    h;            /* perturbation */
    double   tol;          /* largest error an entry may have */
    uint64_t seed;         /* which entries */
} gradcheck_opts;

typedef struct gradcheck_tensor {
    char   name[48];       /* "s2b1.1.conv.w" */
    size_t n;              /* entries in the tensor */
    int    n_checked, n_bad;
    double max_err;
    double scale;          /* the error's denominator */
} gradcheck_tensor;

typedef struct gradcheck_report {
    gradcheck_tensor *tensors;   /* [n_tensors], owned: gradcheck_report_free */
    int    n_tensors;
    int    n_checked, n_bad;
    double max_err;
    int    passed;               /* n_bad <= n_checked / 100 */
} gradcheck_report;

/* 8 entries per tensor, h 1e-3, tolerance 5e-2, seed 1. */
void gradcheck_opts_default(gradcheck_opts *o);

/* Checks n on the batch x [B][C][H][W], y [B] (B <= n->max_batch). The
 * parameters and running statistics are left as they were; gradients and
 * activations are overwritten. Returns 0 (see r->passed), or -1 with `e`
 * set when out of memory. */
int  gradcheck_net(net *n, const float *x, const int *y, int B, const gradcheck_opts *o,
                   gradcheck_report *r, lr_err *e);
void gradcheck_report_free(gradcheck_report *r);

#endif
