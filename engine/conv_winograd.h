/* conv_winograd.h — the Winograd lowering of layer_conv.c, F(4x4, 3x3) and
 * F(4x4, 5x5) (see conv_winograd.c for the algorithm, its buffers and its
 * error).
 * Same forward/backward contract as every layer (layers.h). */
#ifndef LRSCOPE_CONV_WINOGRAD_H
#define LRSCOPE_CONV_WINOGRAD_H

#include "engine/layers.h"

/* Whether the lowering applies: a 3x3 or 5x5 kernel, stride 1, any
 * padding. */
bool   wino_applies(const layer *l);
/* Whether it is worth it where it applies: with fewer than 8 input
 * channels (an RGB or grey stem) its 36 or 64 GEMMs have K = 1..3 and im2col's
 * one GEMM with K = 9 C or 25 C is faster. */
bool   wino_pays(const layer *l);
/* Floats of the shared col buffer one image needs (V and M of its tiles);
 * each of the l->slots slots has a chunk of l->col_images images. */
size_t wino_col_floats_per_image(const layer *l);
/* Floats of private scratch: U, a dU per slot and rows. */
size_t wino_scratch_floats(const layer *l);
/* Points the layer's Winograd views into its scratch. */
void   wino_bind(layer *l, float *scratch);
/* A forward pass is: the filters transformed (U from w), then each slot's
 * images (layer_conv.c runs the slots over the threads). Backward reuses
 * that U, and after the slots adds their dU to dw. Forward writes the
 * slot's images' out. Backward sums their dU in the slot's own (zero when
 * it has none) and writes or adds their din; the bias gradient is the
 * caller's (layer_conv.c takes it for both lowerings). */
void   wino_transform_filters(layer *l);
void   wino_forward_slot(const layer *l, const layer_io *io, int s);
void   wino_backward_slot(const layer *l, const layer_io *io, int s);
void   wino_gather_filter_grads(layer *l);
/* Its products per chunk of images, for layer_ops.gemms: `times` GEMMs
 * with rows_per_image rows an image (tiles) and K = k (input channels). */
void   wino_gemm_shape(const layer *l, int *rows_per_image, int *k, int *times);

#endif
