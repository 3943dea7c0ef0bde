/* sgd.h — stochastic gradient descent with momentum, in Caffe's form, which
 * the Super-Convergence experiments used:
 *
 *     v     <- mu * v - lr * (g + wd * theta)
 *     theta <- theta + v
 *
 * Weight decay is coupled L2 on the dense weights; whether it also applies to
 * dense biases and to batch-norm scale/shift is a named option (both off by
 * default). Nesterov (Caffe's "Nesterov" solver) is an option:
 *     v_new = mu * v - lr * (g + wd * theta);  theta += -mu * v + (1 + mu) * v_new */
#ifndef LRSCOPE_SGD_H
#define LRSCOPE_SGD_H

#include <stdbool.h>

#include "engine/net.h"

typedef struct sgd_opts {
    double wd;
    bool   decay_bias;   /* apply wd to dense biases */
    bool   decay_bn;     /* apply wd to batch-norm scale and shift */
    bool   nesterov;
} sgd_opts;

/* Weight decay 1e-4 on dense weights only, no Nesterov. */
void sgd_opts_default(sgd_opts *o);

/* One update of n->params from n->grads and n->velocity. */
void sgd_step(net *n, const sgd_opts *o, double lr, double momentum);

#endif
