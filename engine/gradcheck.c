#include "engine/gradcheck.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"

void gradcheck_opts_default(gradcheck_opts *o)
{
    o->per_tensor = 8;
    o->h = 1e-3f;
    o->tol = 5e-2;
    o->seed = 1;
}

void gradcheck_report_free(gradcheck_report *r)
{
    free(r->tensors);
    memset(r, 0, sizeof *r);
}

/* A parameter tensor: its values and analytic gradient in the net's blocks. */
typedef struct tensor_ref {
    float *p, *g;
    size_t n;
} tensor_ref;

/* The (at most two) tensors of a layer, named after it. */
static int layer_tensors(const layer *l, tensor_ref t[2], const char *names[2])
{
    layer_sizes s = { 0 };
    l->ops->sizes(l, 1, &s);
    int k = 0;
    if (s.region[REGION_BN]) {
        size_t C = s.region[REGION_BN] / 2;
        t[k] = (tensor_ref){ l->w, l->dw, C };
        names[k++] = "scale";
        t[k] = (tensor_ref){ l->b, l->db, C };
        names[k++] = "shift";
        return k;
    }
    if (s.region[REGION_WEIGHTS]) {
        t[k] = (tensor_ref){ l->w, l->dw, s.region[REGION_WEIGHTS] };
        names[k++] = "w";
    }
    if (s.region[REGION_BIASES]) {
        t[k] = (tensor_ref){ l->b, l->db, s.region[REGION_BIASES] };
        names[k++] = "b";
    }
    return k;
}

static double rms(const float *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)v[i] * (double)v[i];
    return n ? sqrt(s / (double)n) : 0.0;
}

/* What every difference quotient of a check shares: the batch, the loss at
 * the unmoved parameters, and the floors and tolerance of entry_error. */
typedef struct fd_probe {
    net         *n;
    const float *x;
    const int   *y;
    int          B;
    double       mid, resolution, tol;
} fd_probe;

static double loss_at(const fd_probe *f)
{
    const float *logits = net_forward(f->n, f->x, f->B, true);
    return softmax_xent_mean(logits, f->y, f->B, f->n->n_classes, NULL, NULL);
}

/* The loss with *p moved by dp, *p restored. */
static double loss_moved(const fd_probe *f, float *p, float dp)
{
    float keep = *p;
    *p = keep + dp;
    double l = loss_at(f);
    *p = keep;
    return l;
}

/* The error of the analytic gradient g of entry p against difference
 * quotients, relative to `scale`: the central one with step h; when that
 * fails, the central one with h/4 and the one-sided ones on each side of p.
 * A kink (a ReLU or a max pool switching) inside [p-h, p+h] is not an error
 * of the layer: a smaller step may leave it out, and when it lies on one
 * side of p the other side's quotient is free of it. Smaller steps resolve
 * less (the loss's rounding over a shorter step): their scale is floored at
 * that noise, `resolution` being the central step h's. */
static double entry_error(const fd_probe *f, float *p, float h, double g, double scale)
{
    double up = loss_moved(f, p, h), down = loss_moved(f, p, -h);
    double err = fabs((up - down) / (2.0 * (double)h) - g) / scale;
    if (err <= f->tol)
        return err;
    double q = (double)h / 4.0;
    up = loss_moved(f, p, (float)q);
    down = loss_moved(f, p, (float)-q);
    err = fmin(err, fabs((up - down) / (2.0 * q) - g) / fmax(scale, 4 * f->resolution));
    double one_side = fmax(scale, 8 * f->resolution);
    err = fmin(err, fabs((up - f->mid) / q - g) / one_side);
    return fmin(err, fabs((f->mid - down) / q - g) / one_side);
}

static int count_tensors(const net *n)
{
    int total = 0;
    for (int i = 0; i < n->n_nodes; i++) {
        tensor_ref t[2];
        const char *names[2];
        total += layer_tensors(&n->nodes[i].l, t, names);
    }
    return total;
}

int gradcheck_net(net *n, const float *x, const int *y, int B, const gradcheck_opts *o,
                  gradcheck_report *r, lr_err *e)
{
    memset(r, 0, sizeof *r);
    int n_tensors = count_tensors(n);
    float *grads = malloc((n->n_params ? n->n_params : 1) * sizeof *grads);
    float *state = malloc((n->n_state ? n->n_state : 1) * sizeof *state);
    r->tensors = calloc(n_tensors ? (size_t)n_tensors : 1, sizeof *r->tensors);
    if (!grads || !state || !r->tensors) {
        free(grads);
        free(state);
        gradcheck_report_free(r);
        return lr_fail(e, "out of memory checking gradients");
    }
    memcpy(state, n->state, n->n_state * sizeof *state);
    double loss = net_train_pass(n, x, y, B, NULL);
    memcpy(grads, n->grads, n->n_params * sizeof *grads);
    double floor_scale = 1e-2 * rms(grads, n->n_params);
    /* The smallest gradient a difference quotient of float forward passes
     * resolves: the loss carries rounding of some ulps of itself, divided
     * by 2h. Below it (a bias right before batch norm, whose true gradient
     * is zero) the numeric side is only noise. */
    fd_probe f = { n, x, y, B, 0.0, 0.0, o->tol };
    f.resolution = 4.0 * (double)FLT_EPSILON * fmax(fabs(loss), 1.0) / (double)o->h;
    f.mid = loss_at(&f);
    lr_rng rng;
    rng_seed(&rng, o->seed);
    for (int i = 0; i < n->n_nodes; i++) {
        tensor_ref t[2];
        const char *names[2];
        int k = layer_tensors(&n->nodes[i].l, t, names);
        for (int j = 0; j < k; j++) {
            gradcheck_tensor *out = &r->tensors[r->n_tensors++];
            snprintf(out->name, sizeof out->name, "%s.%s", n->nodes[i].l.name, names[j]);
            out->n = t[j].n;
            /* the analytic gradient, from the copy: t[j].g is overwritten */
            const float *g = grads + (t[j].g - n->grads);
            out->scale = fmax(fmax(rms(g, t[j].n), floor_scale), f.resolution);
            int samples = (size_t)o->per_tensor < t[j].n ? o->per_tensor : (int)t[j].n;
            for (int s = 0; s < samples; s++) {
                size_t at = samples == (int)t[j].n ? (size_t)s
                                                   : rng_below(&rng, (uint32_t)t[j].n);
                double err = entry_error(&f, t[j].p + at, o->h, (double)g[at], out->scale);
                out->n_checked++;
                out->n_bad += err > o->tol;
                out->max_err = fmax(out->max_err, err);
            }
            r->n_checked += out->n_checked;
            r->n_bad += out->n_bad;
            r->max_err = fmax(r->max_err, out->max_err);
        }
    }
    r->passed = r->n_bad * 100 <= r->n_checked;
    memcpy(n->state, state, n->n_state * sizeof *state);
    free(state);
    free(grads);
    return 0;
}
