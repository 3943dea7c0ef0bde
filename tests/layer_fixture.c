/* layer_fixture.c — layer_fixture.h: one layer with buffers of its own,
 * checked against central finite differences of the scalar objective
 * L = sum(out * R) for a fixed random R: dL/dout = R is fed to backward, and
 * every analytic gradient (inputs, weights, biases, batch-norm scale and
 * shift) is compared with (L(p+h) - L(p-h)) / 2h, L summed in double from
 * float outputs. An entry's error is measured against the RMS of its
 * tensor's gradient, so a layer that returns zeros, or a gradient off by a
 * constant factor, fails. */
#include "layer_fixture.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define H   1e-2f
#define TOL 5e-3

float *randn(lr_rng *r, size_t n, float scale)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = scale * rng_normal(r);
    return p;
}

void lone_make(lone *t, const layer *proto, lr_shape in, int B, lr_rng *r)
{
    memset(t, 0, sizeof *t);
    t->l = *proto;
    t->l.in = in;
    t->l.bn_maf = 0.9f;
    t->l.bn_eps = 1e-5f;
    t->B = B;
    lr_err e;
    cr_assert_eq(t->l.ops->shape(&t->l, &e), 0, "%s", e.msg);
    layer_sizes s = { 0 };
    t->l.ops->sizes(&t->l, B, &s);
    size_t n_param = s.region[0] + s.region[1] + s.region[2];
    t->param = randn(r, n_param, 0.5f);
    t->grad = calloc(n_param + 1, sizeof(float));
    t->state = calloc(s.state + 1, sizeof(float));
    t->scratch = calloc(s.scratch + 1, sizeof(float));
    t->col = calloc(s.col + 1, sizeof(float));
    layer_views v = { .state = t->state, .scratch = t->scratch, .col = t->col, .max_batch = B };
    size_t off = 0;
    for (int k = 0; k < REGION_COUNT; k++) {
        v.param[k] = t->param + off;
        v.grad[k] = t->grad + off;
        off += s.region[k];
    }
    t->l.ops->bind(&t->l, &v);
    if (t->l.kind == LAYER_BATCHNORM)
        for (int c = 0; c < in.c; c++) {
            t->l.w[c] += 1.0f; /* scale around 1 */
            t->l.run_var[c] = 1.0f;
        }
}

void lone_free(lone *t)
{
    free(t->param);
    free(t->grad);
    free(t->state);
    free(t->scratch);
    free(t->col);
}

typedef struct problem {
    lone   *t;
    float  *x[2], *out, *R;
} problem;

static double objective(problem *p)
{
    layer_io io = { .in = { p->x[0], p->x[1] }, .out = p->out, .B = p->t->B, .train = true };
    p->t->l.ops->forward(&p->t->l, &io);
    double s = 0.0;
    for (size_t i = 0; i < (size_t)p->t->B * shape_size(p->t->l.out); i++)
        s += (double)p->out[i] * (double)p->R[i];
    return s;
}

double rms(const float *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)v[i] * (double)v[i];
    return sqrt(s / (double)n);
}

/* Perturbs every entry of v (n of them) and compares with grad. */
static void check_entries(const char *what, problem *p, float *v, const float *grad, size_t n)
{
    double scale = rms(grad, n);
    cr_assert(scale > 0.0, "%s %s: the analytic gradient is all zeros", p->t->l.name, what);
    for (size_t i = 0; i < n; i++) {
        float keep = v[i];
        v[i] = keep + H;
        double up = objective(p);
        v[i] = keep - H;
        double down = objective(p);
        v[i] = keep;
        double num = (up - down) / (2.0 * (double)H);
        cr_expect(fabs(num - (double)grad[i]) <= TOL * scale,
                  "%s %s[%zu]: analytic %.6g vs numeric %.6g (scale %.3g)", p->t->l.name, what,
                  i, (double)grad[i], num, scale);
    }
}

/* Inputs for max pooling: distinct values 0.05 apart in a shuffled order, so
 * no +-h perturbation changes which input of a window wins. */
static void make_distinct(lr_rng *r, float *x, size_t n)
{
    uint32_t *order = malloc(n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    rng_shuffle(r, order, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        x[i] = 0.05f * (float)order[i] - 0.025f * (float)n;
    free(order);
}

/* Builds the layer on input `in` with batch B, runs forward and backward
 * once (into a din that starts as garbage, so "write" must overwrite), and
 * checks every gradient. `away` moves inputs away from zero (ReLU's kink). */
void check_layer(const layer *proto, lr_shape in, int B, float away)
{
    lr_rng r;
    rng_seed(&r, 42 + proto->kind);
    lone t;
    lone_make(&t, proto, in, B, &r);
    size_t n_in = (size_t)B * shape_size(in), n_out = (size_t)B * shape_size(t.l.out);
    problem p = { .t = &t, .R = randn(&r, n_out, 1.0f), .out = malloc(n_out * sizeof(float)) };
    int n_inputs = t.l.ops->n_inputs;
    float *din[2] = { 0 };
    for (int k = 0; k < n_inputs; k++) {
        p.x[k] = randn(&r, n_in, 1.0f);
        for (size_t i = 0; i < n_in; i++)
            p.x[k][i] += p.x[k][i] > 0 ? away : -away;
        if (t.l.kind == LAYER_MAXPOOL)
            make_distinct(&r, p.x[k], n_in);
        din[k] = randn(&r, n_in, 100.0f);
    }
    objective(&p);
    layer_io io = { .in = { p.x[0], p.x[1] }, .out = p.out, .dout = p.R,
                    .din = { din[0], din[1] }, .B = B, .train = true };
    t.l.ops->backward(&t.l, &io);
    for (int k = 0; k < n_inputs; k++)
        check_entries(k ? "din1" : "din0", &p, p.x[k], din[k], n_in);
    layer_sizes s = { 0 };
    t.l.ops->sizes(&t.l, B, &s);
    size_t nw = s.region[REGION_WEIGHTS] ? s.region[REGION_WEIGHTS] : s.region[REGION_BN] / 2;
    size_t nb = s.region[REGION_BIASES] ? s.region[REGION_BIASES] : s.region[REGION_BN] / 2;
    if (nw)
        check_entries("dw", &p, t.l.w, t.l.dw, nw);
    if (nb)
        check_entries("db", &p, t.l.b, t.l.db, nb);

    /* din_acc adds to what is there, after a forward pass at the unmoved
     * parameters (the checks above left the last one moved by -H) */
    objective(&p);
    for (int k = 0; k < n_inputs; k++) {
        float *again = malloc(n_in * sizeof *again);
        for (size_t i = 0; i < n_in; i++)
            again[i] = 1.0f;
        io.din[k] = again;
        io.din_acc[k] = true;
        t.l.ops->backward(&t.l, &io);
        for (size_t i = 0; i < n_in; i++)
            cr_expect(fabsf(again[i] - 1.0f - din[k][i]) <= 1e-5f * (1.0f + fabsf(din[k][i])),
                      "%s din%d[%zu] does not accumulate", t.l.name, k, i);
        /* The next pass writes every input's gradient again: point this one
         * back at a live buffer before `again` goes. */
        io.din[k] = din[k];
        io.din_acc[k] = false;
        free(again);
    }
    for (int k = 0; k < n_inputs; k++) {
        free(din[k]);
        free(p.x[k]);
    }
    free(p.R);
    free(p.out);
    lone_free(&t);
}

layer proto(layer_kind kind, int out_c, int k, int stride, int pad, bool bias)
{
    layer l;
    layer_setup(&l, kind, layer_table[kind]->name);
    l.out_c = out_c;
    l.k = k;
    l.stride = stride;
    l.pad = pad;
    l.bias = bias;
    return l;
}
