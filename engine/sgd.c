#include "engine/sgd.h"

void sgd_opts_default(sgd_opts *o)
{
    o->wd = 1e-4; /* Smith & Topin's setting for super-convergence */
    o->decay_bias = false;
    o->decay_bn = false;
    o->nesterov = false;
}

static void update_range(float *restrict theta, const float *restrict g, float *restrict v,
                         size_t n, float lr,
                         float mu, float wd, bool nesterov)
{
    if (nesterov) {
        for (size_t i = 0; i < n; i++) {
            float v_old = v[i];
            v[i] = mu * v_old - lr * (g[i] + wd * theta[i]);
            theta[i] += -mu * v_old + (1.0f + mu) * v[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            v[i] = mu * v[i] - lr * (g[i] + wd * theta[i]);
            theta[i] += v[i];
        }
    }
}

void sgd_step(net *n, const sgd_opts *o, double lr, double momentum)
{
    float flr = (float)lr, mu = (float)momentum, wd = (float)o->wd;
    size_t w = n->n_weights, b = n->n_bias, rest = n->n_params - w - b;
    update_range(n->params, n->grads, n->velocity, w, flr, mu, wd, o->nesterov);
    update_range(n->params + w, n->grads + w, n->velocity + w, b, flr, mu,
                 o->decay_bias ? wd : 0.0f, o->nesterov);
    update_range(n->params + w + b, n->grads + w + b, n->velocity + w + b, rest, flr, mu,
                 o->decay_bn ? wd : 0.0f, o->nesterov);
}
