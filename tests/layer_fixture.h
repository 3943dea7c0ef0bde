/* layer_fixture.h — one layer kind alone, built through the layer table,
 * for tests/test_layers.c and tests/test_conv.c. */
#ifndef LRSCOPE_TEST_LAYER_FIXTURE_H
#define LRSCOPE_TEST_LAYER_FIXTURE_H

#include <stdbool.h>

#include "engine/layers.h"
#include "engine/rng.h"

/* A layer with buffers of its own: parameters random (batch-norm scales
 * around 1), gradients, state, scratch and col zeroed. */
typedef struct lone {
    layer  l;
    float *param, *grad, *state, *scratch, *col;
    int    B;
} lone;

void  lone_make(lone *t, const layer *proto, lr_shape in, int B, lr_rng *r);
void  lone_free(lone *t);
/* n normal floats times scale, malloc'd */
float *randn(lr_rng *r, size_t n, float scale);
/* The root mean square of v[0..n), in double */
double rms(const float *v, size_t n);
/* A layer of `kind` with the common hyper-parameters set. */
layer proto(layer_kind kind, int out_c, int k, int stride, int pad, bool bias);
/* Builds the layer on input `in` with batch B, runs forward and backward
 * once, and checks every gradient against finite differences, and that
 * din_acc adds (layer_fixture.c). `away` moves inputs away from zero
 * (ReLU's kink). */
void  check_layer(const layer *proto, lr_shape in, int B, float away);

#endif
