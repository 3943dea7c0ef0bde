/* sgd.h — stochastic gradient descent with momentum, in one of two forms.
 *
 * Caffe's form, which the Super-Convergence experiments used (the default):
 *
 *     v     <- mu * v - lr * (g + wd * theta)
 *     theta <- theta + v
 *
 * PyTorch's form (torch.optim.SGD with dampening 0; fastai's SGD with
 * decouple_wd=False is the same):
 *
 *     v     <- mu * v + (g + wd * theta)
 *     theta <- theta - lr * v
 *
 * At a constant LR the two are the same update (Caffe's v is PyTorch's v
 * times -lr). They differ when the LR changes: Caffe's velocity carries steps
 * already scaled by the LRs they were taken at, so after a sudden drop it
 * keeps moving the weights at about the old LR for ~1/(1-mu) steps; PyTorch's
 * velocity is a sum of gradients, and a new LR scales all of it at once.
 *
 * Weight decay is coupled L2 on the dense weights; whether it also applies to
 * dense biases and to batch-norm scale/shift is a named option (both off by
 * default). Nesterov is an option in both forms:
 *     Caffe:   v_new = mu * v - lr * (g + wd * theta);  theta += -mu * v + (1 + mu) * v_new
 *     PyTorch: d = g + wd * theta;  v = mu * v + d;    theta -= lr * (d + mu * v) */
#ifndef LRSCOPE_SGD_H
#define LRSCOPE_SGD_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/net.h"

typedef enum { SGD_CAFFE, SGD_TORCH, SGD_N_FORMS } sgd_form;

typedef struct sgd_opts {
    double   wd;
    bool     decay_bias;   /* apply wd to dense biases */
    bool     decay_bn;     /* apply wd to batch-norm scale and shift */
    bool     nesterov;
    sgd_form form;
} sgd_opts;

/* Weight decay 1e-4 on dense weights only, no Nesterov, Caffe's form. */
void sgd_opts_default(sgd_opts *o);

/* "caffe", "torch" ("?" out of range); the parser returns 0, or -1 leaving
 * *out unchanged. */
const char *sgd_form_name(sgd_form f);
int sgd_form_parse(const char *name, sgd_form *out);

/* One update of n->params from n->grads and n->velocity. */
void sgd_step(net *n, const sgd_opts *o, double lr, double momentum);

/* The update of one range of n parameters theta[n] with gradients g[n] and
 * velocity v[n], with weight decay wd, in form `form` (see above). sgd_step
 * is this on the three ranges of net.h. */
void sgd_update(float *theta, const float *g, float *v, size_t n, sgd_form form,
                bool nesterov, double lr, double momentum, double wd);

#endif
