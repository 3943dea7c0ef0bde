/* net.c — building a network from its nodes, and running it.
 *
 * Building is three passes over the nodes, all reading the layer table:
 * shapes (each output from its inputs), sizes (regions, state, scratch,
 * im2col), then, once everything is allocated, views and initial values.
 * The backward pass is planned at build time too: which gradient buffer
 * holds each node's output gradient, and whether a layer writes or adds
 * into its input's buffer. */
#include "engine/net.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/rng.h"
#include "engine/sysmem.h"

void net_opts_default(net_opts *o)
{
    o->bn_maf = 0.9f;
    o->bn_eps = 1e-5f;
    o->init = INIT_HE;
    o->conv = CONV_AUTO;
}

int net_add_node(net *n, const layer *proto, int in0, int in1)
{
    int idx = n->n_nodes;
    if (in0 < NET_INPUT || in0 >= idx || in1 < NET_NO_INPUT || in1 >= idx)
        return -1;
    if (idx == n->cap_nodes) {
        int cap = n->cap_nodes ? 2 * n->cap_nodes : 16;
        net_node *grown = realloc(n->nodes, (size_t)cap * sizeof *grown);
        if (!grown)
            return -1;
        n->nodes = grown;
        n->cap_nodes = cap;
    }
    net_node *node = &n->nodes[idx];
    memset(node, 0, sizeof *node);
    node->l = *proto;
    node->input[0] = in0;
    node->input[1] = in1;
    node->grad_buf = -1;
    n->n_nodes++;
    return idx;
}

void net_free(net *n)
{
    free(n->params);
    free(n->grads);
    free(n->velocity);
    free(n->state);
    free(n->scratch);
    free(n->col);
    free(n->x_nhwc);
    for (int i = 0; i < n->n_nodes; i++)
        free(n->nodes[i].act);
    for (int i = 0; n->grad_bufs && i < n->n_grad_bufs; i++)
        free(n->grad_bufs[i]);
    free(n->grad_bufs);
    free(n->dlogits);
    free(n->nodes);
    memset(n, 0, sizeof *n);
}

static lr_shape input_shape(const net *n, int input)
{
    return input == NET_INPUT ? n->in : n->nodes[input].l.out;
}

/* Sets every node's input and output shape; fails naming the layer that
 * does not fit. */
static int plan_shapes(net *n, lr_err *e)
{
    for (int i = 0; i < n->n_nodes; i++) {
        net_node *node = &n->nodes[i];
        layer *l = &node->l;
        l->in = input_shape(n, node->input[0]);
        if (l->ops->n_inputs == 2) {
            lr_shape other = input_shape(n, node->input[1]);
            if (other.c != l->in.c || other.h != l->in.h || other.w != l->in.w)
                return lr_fail(e, "layer %s adds a %dx%dx%d tensor to a %dx%dx%d one", l->name,
                               other.h, other.w, other.c, l->in.h, l->in.w, l->in.c);
        }
        if (l->ops->shape(l, e))
            return -1;
    }
    lr_shape out = n->nodes[n->n_nodes - 1].l.out;
    if (shape_size(out) != (size_t)n->n_classes)
        return lr_fail(e, "model '%s' ends with %zu outputs but the data has %d classes",
                       n->spec, shape_size(out), n->n_classes);
    return 0;
}

/* Plans backward: node i's output gradient lives in a buffer from the
 * moment its last consumer's backward writes it (backward runs from the
 * last node down) until node i's own backward has read it. Buffers are
 * reused greedily; the first consumer to reach a buffer writes it, the
 * others add. Returns the number of buffers. */
static int plan_backward(net *n)
{
    int live_max = 0, n_free = 0;
    int *free_list = malloc((size_t)n->n_nodes * sizeof *free_list);
    if (!free_list)
        return -1;
    int next_new = 0;
    for (int i = n->n_nodes - 1; i >= 0; i--) {
        net_node *node = &n->nodes[i];
        for (int k = 0; k < node->l.ops->n_inputs; k++) {
            int src = node->input[k];
            node->din_acc[k] = false;
            if (src < 0)
                continue;
            net_node *from = &n->nodes[src];
            if (from->grad_buf >= 0) {
                node->din_acc[k] = true;
                continue;
            }
            from->grad_buf = n_free ? free_list[--n_free] : next_new++;
        }
        if (next_new > live_max)
            live_max = next_new;
        if (node->grad_buf >= 0 && i < n->n_nodes - 1)
            free_list[n_free++] = node->grad_buf;
    }
    free(free_list);
    return live_max;
}

typedef struct net_plan {
    size_t region[REGION_COUNT], state, scratch, col, widest;
} net_plan;

static void plan_sizes(net *n, net_plan *p)
{
    memset(p, 0, sizeof *p);
    p->widest = (size_t)n->n_in;
    uint64_t flops = 0;
    for (int i = 0; i < n->n_nodes; i++) {
        net_node *node = &n->nodes[i];
        layer_sizes s = { 0 };
        node->l.ops->sizes(&node->l, n->max_batch, &s);
        for (int r = 0; r < REGION_COUNT; r++)
            p->region[r] += s.region[r];
        p->state += s.state;
        p->scratch += s.scratch;
        if (s.col > p->col)
            p->col = s.col;
        size_t out = shape_size(node->l.out);
        if (out > p->widest)
            p->widest = out;
        bool needs_din = node->input[0] >= 0;
        flops += node->l.ops->flops(&node->l, needs_din);
    }
    n->n_weights = p->region[REGION_WEIGHTS];
    n->n_bias = p->region[REGION_BIASES];
    n->n_params = n->n_weights + n->n_bias + p->region[REGION_BN];
    n->n_state = p->state;
    n->flops_per_example = flops;
}

/* Bytes net_build will allocate for the plan. */
static size_t plan_bytes(const net *n, const net_plan *p, int n_grad_bufs)
{
    size_t B = (size_t)n->max_batch, floats = 3 * n->n_params + p->state + p->scratch + p->col;
    for (int i = 0; i < n->n_nodes; i++)
        floats += B * shape_size(n->nodes[i].l.out);
    floats += (size_t)n_grad_bufs * B * p->widest + B * (size_t)n->n_classes;
    if (n->in.c > 1)
        floats += B * (size_t)n->n_in;
    return floats * sizeof(float);
}

static void bind_views(net *n)
{
    size_t off[REGION_COUNT] = { 0, n->n_weights, n->n_weights + n->n_bias };
    size_t ost = 0, oscr = 0;
    for (int i = 0; i < n->n_nodes; i++) {
        layer *l = &n->nodes[i].l;
        layer_sizes s = { 0 };
        l->ops->sizes(l, n->max_batch, &s);
        layer_views v = { .state = n->state + ost, .scratch = n->scratch + oscr,
                          .col = n->col, .max_batch = n->max_batch };
        for (int r = 0; r < REGION_COUNT; r++) {
            v.param[r] = n->params + off[r];
            v.grad[r] = n->grads + off[r];
            off[r] += s.region[r];
        }
        ost += s.state;
        oscr += s.scratch;
        l->ops->bind(l, &v);
    }
}

void net_init_params(net *n, uint64_t seed)
{
    lr_rng rng;
    rng_seed(&rng, seed);
    memset(n->velocity, 0, n->n_params * sizeof *n->velocity);
    for (int i = 0; i < n->n_nodes; i++) {
        layer *l = &n->nodes[i].l;
        l->ops->init(l, &rng, n->init);
    }
}

/* Parses the spec and plans shapes and sizes into n (no big buffers yet). */
static int plan(net *n, const char *spec, lr_shape in, int n_classes, int max_batch,
                conv_algo conv, net_plan *p, lr_err *e)
{
    memset(n, 0, sizeof *n);
    if (in.c < 1 || in.h < 1 || in.w < 1 || n_classes < 2 || max_batch < 1)
        return lr_fail(e, "network needs inputs, at least 2 classes and a batch of at least 1");
    snprintf(n->spec, sizeof n->spec, "%s", spec);
    n->in = in;
    n->n_in = (int)shape_size(in);
    n->n_classes = n_classes;
    n->max_batch = max_batch;
    if (models_emit(n, spec, n_classes, e))
        return -1;
    for (int i = 0; i < n->n_nodes; i++)
        n->nodes[i].l.algo = conv;
    if (plan_shapes(n, e))
        return -1;
    plan_sizes(n, p);
    return 0;
}

int net_check_spec(const char *spec, lr_shape in, int n_classes, size_t *n_params, lr_err *e)
{
    net n;
    net_plan p;
    int rc = plan(&n, spec, in, n_classes, 1, CONV_AUTO, &p, e);
    if (!rc && n_params)
        *n_params = n.n_params;
    net_free(&n);
    return rc;
}

static float *alloc_floats(size_t n, bool *ok)
{
    float *p = calloc(n ? n : 1, sizeof(float));
    *ok = *ok && p;
    return p;
}

int net_build(net *n, const char *spec, lr_shape in, int n_classes, int max_batch,
              const net_opts *o, uint64_t seed, lr_err *e)
{
    net_plan p;
    if (o->bn_maf < 0.0f || o->bn_maf >= 1.0f) {
        memset(n, 0, sizeof *n);
        return lr_fail(e, "batch-norm moving-average fraction %g is outside [0, 1)",
                       (double)o->bn_maf);
    }
    if (plan(n, spec, in, n_classes, max_batch, o->conv, &p, e))
        goto fail;
    /* Batch norm over one value per channel gives zeros and no gradient. */
    for (int i = 0; i < n->n_nodes; i++) {
        const layer *l = &n->nodes[i].l;
        if (l->kind == LAYER_BATCHNORM && (long)max_batch * l->out.h * l->out.w < 2) {
            lr_fail(e, "model '%s': batch norm '%s' normalizes each feature over the batch "
                       "alone, which needs a batch of at least 2", spec, l->name);
            goto fail;
        }
    }
    n->n_grad_bufs = plan_backward(n);
    if (n->n_grad_bufs < 0) {
        lr_fail(e, "out of memory building model '%s'", spec);
        goto fail;
    }
    n->bytes = plan_bytes(n, &p, n->n_grad_bufs);
    size_t avail = sysmem_available();
    if (n->bytes > avail) {
        char need[32], have[32];
        sysmem_format(n->bytes, need, sizeof need);
        sysmem_format(avail, have, sizeof have);
        lr_fail(e, "model '%s' with batch %d needs about %s (%zu parameters with their "
                   "gradients and momentum, and activations for the batch) but only %s of "
                   "memory is available", spec, max_batch, need, n->n_params, have);
        goto fail;
    }
    bool ok = true;
    size_t B = (size_t)max_batch;
    n->params = alloc_floats(n->n_params, &ok);
    n->grads = alloc_floats(n->n_params, &ok);
    n->velocity = alloc_floats(n->n_params, &ok);
    n->state = alloc_floats(n->n_state, &ok);
    n->scratch = alloc_floats(p.scratch, &ok);
    n->col = alloc_floats(p.col, &ok);
    n->dlogits = alloc_floats(B * (size_t)n_classes, &ok);
    if (in.c > 1)
        n->x_nhwc = alloc_floats(B * (size_t)n->n_in, &ok);
    for (int i = 0; i < n->n_nodes && ok; i++)
        n->nodes[i].act = alloc_floats(B * shape_size(n->nodes[i].l.out), &ok);
    n->grad_bufs = calloc((size_t)n->n_grad_bufs + 1, sizeof *n->grad_bufs);
    ok = ok && n->grad_bufs;
    for (int i = 0; i < n->n_grad_bufs && ok; i++)
        n->grad_bufs[i] = alloc_floats(B * p.widest, &ok);
    if (!ok) {
        lr_fail(e, "out of memory building model '%s'", spec);
        goto fail;
    }
    for (int i = 0; i < n->n_nodes; i++) {
        n->nodes[i].l.bn_maf = o->bn_maf;
        n->nodes[i].l.bn_eps = o->bn_eps;
    }
    bind_views(n);
    n->init = o->init;
    net_init_params(n, seed);
    return 0;
fail:
    net_free(n);
    return -1;
}

/* x [B][C][H][W] -> n->x_nhwc [B][H][W][C]. */
static const float *to_channel_last(net *n, const float *x, int B)
{
    if (n->in.c == 1)
        return x;
    int C = n->in.c;
    size_t hw = (size_t)n->in.h * n->in.w;
    for (int b = 0; b < B; b++) {
        const float *src = x + (size_t)b * n->n_in;
        float *dst = n->x_nhwc + (size_t)b * n->n_in;
        for (int c = 0; c < C; c++)
            for (size_t p = 0; p < hw; p++)
                dst[p * C + c] = src[(size_t)c * hw + p];
    }
    return n->x_nhwc;
}

static const float *node_input(const net *n, const float *x, int input)
{
    return input == NET_INPUT ? x : input >= 0 ? n->nodes[input].act : NULL;
}

/* Node i's forward (pass 0) or backward (pass 1), timed into
 * n->node_seconds when that is set. */
static void run_node(net *n, int i, int pass, const layer_io *io)
{
    layer *l = &n->nodes[i].l;
    double t0 = n->node_seconds ? clock_seconds() : 0.0;
    if (pass == 0)
        l->ops->forward(l, io);
    else
        l->ops->backward(l, io);
    if (n->node_seconds)
        n->node_seconds[2 * i + pass] += clock_seconds() - t0;
}

static const float *forward_nodes(net *n, const float *x, int B, bool train)
{
    for (int i = 0; i < n->n_nodes; i++) {
        net_node *node = &n->nodes[i];
        layer_io io = { .in = { node_input(n, x, node->input[0]),
                                node_input(n, x, node->input[1]) },
                        .out = node->act, .B = B, .train = train };
        run_node(n, i, 0, &io);
    }
    return n->nodes[n->n_nodes - 1].act;
}

const float *net_forward(net *n, const float *x, int B, bool train)
{
    assert(B >= 1 && B <= n->max_batch);
    return forward_nodes(n, to_channel_last(n, x, B), B, train);
}

float net_train_pass(net *n, const float *x, const int *y, int B, int *n_correct)
{
    assert(B >= 1 && B <= n->max_batch);
    memset(n->grads, 0, n->n_params * sizeof *n->grads);
    const float *xin = to_channel_last(n, x, B);
    const float *logits = forward_nodes(n, xin, B, true);
    float loss = softmax_xent(logits, y, B, n->n_classes, n->dlogits, n_correct);
    for (int i = n->n_nodes - 1; i >= 0; i--) {
        net_node *node = &n->nodes[i];
        if (i < n->n_nodes - 1 && node->grad_buf < 0)
            continue; /* nothing reads its output: no gradient reaches it */
        layer_io io = { .out = node->act, .B = B, .train = true };
        io.dout = i == n->n_nodes - 1 ? n->dlogits : n->grad_bufs[node->grad_buf];
        for (int k = 0; k < 2; k++) {
            int src = node->input[k];
            io.in[k] = node_input(n, xin, src);
            io.din[k] = src >= 0 ? n->grad_bufs[n->nodes[src].grad_buf] : NULL;
            io.din_acc[k] = node->din_acc[k];
        }
        run_node(n, i, 1, &io);
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
