/* conv_winograd.h — the Winograd lowering of layer_conv.c, F(4x4, 3x3) and
 * F(2x2, 5x5) (see conv_winograd.c for the algorithm, its buffers and its
 * error).
 * Same forward/backward contract as every layer (layers.h). */
#ifndef LRSCOPE_CONV_WINOGRAD_H
#define LRSCOPE_CONV_WINOGRAD_H

#include "engine/layers.h"

/* Whether the lowering applies: a 3x3 or 5x5 kernel, stride 1, any
 * padding. */
bool   wino_applies(const layer *l);
/* Whether it is worth it where it applies: with fewer than 8 input
 * channels (an RGB or grey stem) its 36 GEMMs have K = 1..3 and im2col's
 * one GEMM with K = 9 C or 25 C is faster. */
bool   wino_pays(const layer *l);
/* Floats of the shared col buffer one image needs (V and M of its tiles);
 * each of the l->wino_slots slots has a chunk of l->col_images images. */
size_t wino_col_floats_per_image(const layer *l);
/* Floats of private scratch: U, a dU per slot and rows. */
size_t wino_scratch_floats(const layer *l);
/* Points the layer's Winograd views into its scratch. */
void   wino_bind(layer *l, float *scratch);
void   wino_forward(layer *l, const layer_io *io);
/* Accumulates dw and writes (or adds to) din; the bias gradient is the
 * caller's (layer_conv.c takes it for both lowerings). */
void   wino_backward(layer *l, const layer_io *io);
/* The images [lo, hi) of a batch of B that slot s takes (conv_winograd.c:
 * slots); one slot, the whole batch, for l->wino_slots == 1. */
void   wino_slot_images(const layer *l, int B, int s, size_t *lo, size_t *hi);
/* Its products per chunk of images, for layer_ops.gemms: `times` GEMMs
 * with rows_per_image rows an image (tiles) and K = k (input channels). */
void   wino_gemm_shape(const layer *l, int *rows_per_image, int *k, int *times);

#endif
