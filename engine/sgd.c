/* sgd.c — the two momentum SGD forms of sgd.h over the net's flat blocks. */
#include "engine/sgd.h"

#include <string.h>

static const char *const form_names[SGD_N_FORMS] = { "caffe", "torch" };

void sgd_opts_default(sgd_opts *o)
{
    o->wd = 1e-4; /* Smith & Topin's setting for super-convergence */
    o->decay_bias = false;
    o->decay_bn = false;
    o->nesterov = false;
    o->form = SGD_CAFFE;
}

const char *sgd_form_name(sgd_form f)
{
    return (unsigned)f < SGD_N_FORMS ? form_names[f] : "?";
}

int sgd_form_parse(const char *name, sgd_form *out)
{
    for (int i = 0; i < SGD_N_FORMS; i++)
        if (!strcmp(name, form_names[i])) {
            *out = (sgd_form)i;
            return 0;
        }
    return -1;
}

void sgd_update(float *restrict theta, const float *restrict g, float *restrict v, size_t n,
                sgd_form form, bool nesterov, double lr, double momentum, double wd)
{
    float flr = (float)lr, mu = (float)momentum, fwd = (float)wd;
    if (form == SGD_TORCH && nesterov) {
        for (size_t i = 0; i < n; i++) {
            float d = g[i] + fwd * theta[i];
            v[i] = mu * v[i] + d;
            theta[i] -= flr * (d + mu * v[i]);
        }
    } else if (form == SGD_TORCH) {
        for (size_t i = 0; i < n; i++) {
            v[i] = mu * v[i] + (g[i] + fwd * theta[i]);
            theta[i] -= flr * v[i];
        }
    } else if (nesterov) {
        for (size_t i = 0; i < n; i++) {
            float v_old = v[i];
            v[i] = mu * v_old - flr * (g[i] + fwd * theta[i]);
            theta[i] += -mu * v_old + (1.0f + mu) * v[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            v[i] = mu * v[i] - flr * (g[i] + fwd * theta[i]);
            theta[i] += v[i];
        }
    }
}

void sgd_step(net *n, const sgd_opts *o, double lr, double momentum)
{
    size_t w = n->n_weights, b = n->n_bias, rest = n->n_params - w - b;
    sgd_update(n->params, n->grads, n->velocity, w, o->form, o->nesterov, lr, momentum,
               o->wd);
    sgd_update(n->params + w, n->grads + w, n->velocity + w, b, o->form, o->nesterov, lr,
               momentum, o->decay_bias ? o->wd : 0.0);
    sgd_update(n->params + w + b, n->grads + w + b, n->velocity + w + b, rest, o->form,
               o->nesterov, lr, momentum, o->decay_bn ? o->wd : 0.0);
}
