#include "engine/net.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "engine/rng.h"


void net_opts_default(net_opts *o)
{
    o->bn_maf = 0.9f;
    o->bn_eps = 1e-5f;
}

/* Parses "mlp:512,512" style specs into hidden sizes. */
static int parse_spec(const char *spec, bool *bn, int *hidden, int *n_hidden, lr_err *e)
{
    const char *colon = strchr(spec, ':');
    size_t kind_len = colon ? (size_t)(colon - spec) : strlen(spec);
    *n_hidden = 0;
    if (kind_len == 6 && !strncmp(spec, "linear", 6)) {
        *bn = false;
        if (colon)
            return lr_fail(e, "model '%s': 'linear' takes no layer sizes", spec);
        return 0;
    }
    if (kind_len == 3 && !strncmp(spec, "mlp", 3))
        *bn = false;
    else if (kind_len == 6 && !strncmp(spec, "mlp-bn", 6))
        *bn = true;
    else
        return lr_fail(e, "unknown model '%s': use mlp:H1,H2,..., mlp-bn:H1,H2,... or linear",
                       spec);
    if (!colon) {
        hidden[0] = hidden[1] = 512;
        *n_hidden = 2;
        return 0;
    }
    const char *p = colon + 1;
    while (*p) {
        char *end;
        long h = strtol(p, &end, 10);
        if (end == p || h < 1 || h > 65536)
            return lr_fail(e, "model '%s': layer sizes must be integers from 1 to 65536", spec);
        if (*n_hidden == NET_MAX_HIDDEN)
            return lr_fail(e, "model '%s': at most %d hidden layers", spec, NET_MAX_HIDDEN);
        hidden[(*n_hidden)++] = (int)h;
        if (*end == ',')
            end++;
        else if (*end)
            return lr_fail(e, "model '%s': expected a comma between layer sizes", spec);
        p = end;
    }
    if (*n_hidden == 0)
        return lr_fail(e, "model '%s': give at least one layer size", spec);
    return 0;
}

static void add_layer(net *n, layer_kind kind, int n_in, int n_out)
{
    static const layer_ops *ops[] = {
        [LAYER_DENSE] = &layer_dense_ops,
        [LAYER_RELU] = &layer_relu_ops,
        [LAYER_BATCHNORM] = &layer_batchnorm_ops,
    };
    assert(n->n_layers < NET_MAX_LAYERS); /* parse_spec bounds the hidden layers */
    layer *l = &n->layers[n->n_layers++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->ops = ops[kind];
    l->n_in = n_in;
    l->n_out = n_out;
}

void net_free(net *n)
{
    free(n->params);
    free(n->grads);
    free(n->velocity);
    free(n->state);
    for (int i = 0; i < n->n_layers; i++)
        free(n->acts[i]);
    free(n->grad_a);
    free(n->grad_b);
    free(n->dlogits);
    free(n->scratch);
    memset(n, 0, sizeof *n);
}

/* Sets the block sizes from the layer list; returns the scratch floats. */
static size_t count_blocks(net *n)
{
    size_t w = 0, b = 0, bn = 0, st = 0, scr = 0;
    for (int i = 0; i < n->n_layers; i++) {
        layer *l = &n->layers[i];
        if (l->kind == LAYER_DENSE) {
            w += (size_t)l->n_in * l->n_out;
            b += (size_t)l->n_out;
        } else if (l->kind == LAYER_BATCHNORM) {
            bn += 2 * (size_t)l->n_out;
            st += 2 * (size_t)l->n_out;
            scr += (size_t)l->n_out * (3 + (size_t)n->max_batch);
        }
    }
    n->n_weights = w;
    n->n_bias = b;
    n->n_params = w + b + bn;
    n->n_state = st;
    return scr;
}

/* Points every layer's views into the blocks, in the three regions. */
static void assign_views(net *n)
{
    size_t w = n->n_weights, b = n->n_bias;
    size_t ow = 0, ob = w, obn = w + b, ost = 0, oscr = 0;
    for (int i = 0; i < n->n_layers; i++) {
        layer *l = &n->layers[i];
        size_t k = (size_t)l->n_out;
        if (l->kind == LAYER_DENSE) {
            l->w = n->params + ow;
            l->dw = n->grads + ow;
            ow += (size_t)l->n_in * k;
            l->b = n->params + ob;
            l->db = n->grads + ob;
            ob += k;
        } else if (l->kind == LAYER_BATCHNORM) {
            l->w = n->params + obn;
            l->dw = n->grads + obn;
            l->b = n->params + obn + k;
            l->db = n->grads + obn + k;
            obn += 2 * k;
            l->run_mean = n->state + ost;
            l->run_var = n->state + ost + k;
            ost += 2 * k;
            l->inv_std = n->scratch + oscr;
            l->scratch = n->scratch + oscr + k;
            l->xhat = n->scratch + oscr + 3 * k;
            oscr += k * (3 + (size_t)n->max_batch);
        }
    }
}

void net_init_params(net *n, uint64_t seed)
{
    lr_rng rng;
    rng_seed(&rng, seed);
    memset(n->velocity, 0, n->n_params * sizeof *n->velocity);
    for (int i = 0; i < n->n_layers; i++) {
        layer *l = &n->layers[i];
        if (l->kind == LAYER_DENSE) {
            /* He initialisation: N(0, 2/fan_in), suited to ReLU. */
            float sd = sqrtf(2.0f / (float)l->n_in);
            size_t nw = (size_t)l->n_in * l->n_out;
            for (size_t k = 0; k < nw; k++)
                l->w[k] = sd * rng_normal(&rng);
            memset(l->b, 0, (size_t)l->n_out * sizeof *l->b);
        } else if (l->kind == LAYER_BATCHNORM) {
            for (int k = 0; k < l->n_out; k++) {
                l->w[k] = 1.0f;
                l->b[k] = 0.0f;
                l->run_mean[k] = 0.0f;
                l->run_var[k] = 1.0f;
            }
        }
    }
}

int net_build(net *n, const char *spec, int n_in, int n_classes, int max_batch,
              const net_opts *o, uint64_t seed, lr_err *e)
{
    memset(n, 0, sizeof *n);
    bool bn;
    int hidden[NET_MAX_HIDDEN], n_hidden;
    if (parse_spec(spec, &bn, hidden, &n_hidden, e))
        return -1;
    if (n_in < 1 || n_classes < 2 || max_batch < 1)
        return lr_fail(e, "network needs inputs, at least 2 classes and a batch of at least 1");
    if (o->bn_maf < 0.0f || o->bn_maf >= 1.0f)
        return lr_fail(e, "batch-norm moving-average fraction %g is outside [0, 1)",
                       (double)o->bn_maf);
    snprintf(n->spec, sizeof n->spec, "%s", spec);
    n->n_in = n_in;
    n->n_classes = n_classes;
    n->max_batch = max_batch;

    int width = n_in, widest = n_in;
    uint64_t macs = 0, first_macs = 0;
    for (int h = 0; h < n_hidden; h++) {
        add_layer(n, LAYER_DENSE, width, hidden[h]);
        macs += (uint64_t)width * hidden[h];
        if (h == 0)
            first_macs = macs;
        if (bn)
            add_layer(n, LAYER_BATCHNORM, hidden[h], hidden[h]);
        add_layer(n, LAYER_RELU, hidden[h], hidden[h]);
        width = hidden[h];
        if (width > widest)
            widest = width;
    }
    add_layer(n, LAYER_DENSE, width, n_classes);
    macs += (uint64_t)width * n_classes;
    if (n_hidden == 0)
        first_macs = macs;
    if (n_classes > widest)
        widest = n_classes;
    /* Per dense layer: one GEMM forward, two backward (weights, input),
     * except the first layer, whose input gradient is never needed. */
    n->flops_per_example = 2 * (3 * macs - first_macs);

    size_t scratch = count_blocks(n);
    n->params = calloc(n->n_params, sizeof(float));
    n->grads = calloc(n->n_params, sizeof(float));
    n->velocity = calloc(n->n_params, sizeof(float));
    n->state = calloc(n->n_state ? n->n_state : 1, sizeof(float));
    n->scratch = calloc(scratch ? scratch : 1, sizeof(float));
    n->grad_a = malloc((size_t)max_batch * widest * sizeof(float));
    n->grad_b = malloc((size_t)max_batch * widest * sizeof(float));
    n->dlogits = malloc((size_t)max_batch * n_classes * sizeof(float));
    bool ok = n->params && n->grads && n->velocity && n->state && n->scratch &&
              n->grad_a && n->grad_b && n->dlogits;
    for (int i = 0; i < n->n_layers; i++) {
        n->acts[i] = malloc((size_t)max_batch * n->layers[i].n_out * sizeof(float));
        ok = ok && n->acts[i];
    }
    if (!ok) {
        net_free(n);
        return lr_fail(e, "out of memory building model '%s'", spec);
    }
    for (int i = 0; i < n->n_layers; i++) {
        n->layers[i].bn_maf = o->bn_maf;
        n->layers[i].bn_eps = o->bn_eps;
    }
    assign_views(n);
    net_init_params(n, seed);
    return 0;
}

const float *net_forward(net *n, const float *x, int B, bool train)
{
    const float *in = x;
    for (int i = 0; i < n->n_layers; i++) {
        layer *l = &n->layers[i];
        l->ops->forward(l, in, n->acts[i], B, train);
        in = n->acts[i];
    }
    return in;
}

float net_train_pass(net *n, const float *x, const int *y, int B, int *n_correct)
{
    memset(n->grads, 0, n->n_params * sizeof *n->grads);
    const float *logits = net_forward(n, x, B, true);
    float loss = softmax_xent(logits, y, B, n->n_classes, n->dlogits, n_correct);
    const float *dout = n->dlogits;
    for (int i = n->n_layers - 1; i >= 0; i--) {
        layer *l = &n->layers[i];
        const float *in = i > 0 ? n->acts[i - 1] : x;
        float *din = i > 0 ? (dout == n->grad_a ? n->grad_b : n->grad_a) : NULL;
        l->ops->backward(l, in, n->acts[i], dout, din, B);
        dout = din;
    }
    return loss;
}

float net_eval_batch(net *n, const float *x, const int *y, int B, int *n_correct)
{
    const float *logits = net_forward(n, x, B, false);
    return softmax_xent(logits, y, B, n->n_classes, NULL, n_correct);
}

void net_describe(const net *n, char *buf, size_t len)
{
    snprintf(buf, len, "%s (%zu params)", n->spec, n->n_params);
}
