/* sgd.c — the two momentum SGD forms of sgd.h over the net's flat blocks. */
#include "engine/sgd.h"
#include "engine/par.h"

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

typedef struct step_ctx {
    net            *n;
    const sgd_opts *o;
    double          lr, momentum;
} step_ctx;

/* Parameters [lo, hi) of the whole block, each with its region's decay. */
static void step_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    step_ctx *c = p;
    net *n = c->n;
    const sgd_opts *o = c->o;
    size_t end[3] = { n->n_weights, n->n_weights + n->n_bias, n->n_params };
    double wd[3] = { o->wd, o->decay_bias ? o->wd : 0.0, o->decay_bn ? o->wd : 0.0 };
    size_t start = 0;
    for (int r = 0; r < 3; start = end[r++]) {
        size_t a = lo > start ? lo : start, b = hi < end[r] ? hi : end[r];
        if (a < b)
            sgd_update(n->params + a, n->grads + a, n->velocity + a, b - a, o->form,
                       o->nesterov, c->lr, c->momentum, wd[r]);
    }
}

/* The update is spread over threads (par.h): it is memory-bound, and at
 * two threads it would otherwise cost as much as a GEMM. */
void sgd_step(net *n, const sgd_opts *o, double lr, double momentum)
{
    step_ctx c = { n, o, lr, momentum };
    par_for(n->n_params, 32768, step_slice, &c);
}
