/* gemm.h — every matrix product of the engine.
 *
 * lrscope runs OpenBLAS single-threaded and spreads the work itself
 * (par.h): OpenBLAS's own pool would spin between GEMMs while the pool of
 * par.h runs batch norm and friends, and on two cores the two pools then
 * take turns instead of working. gemm() splits C's rows into one block per
 * thread, each a cblas_sgemm of its own; a product too small to pay for a
 * hand-off runs whole on the caller. gemm_here() runs a product whole on
 * the calling thread: a convolution's, whose threads each take a slot of
 * the batch (layer_conv.c).
 *
 * Row-major, as cblas_sgemm with CblasRowMajor:
 *   C[m][n] = alpha op(A)[m][k] op(B)[k][n] + beta C,
 *   op(A) = A [m][k] (lda) or, with trans_a, A^T of A [k][m] (lda). */
#ifndef LRSCOPE_GEMM_H
#define LRSCOPE_GEMM_H

#include <stdbool.h>

void gemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float *a,
          int lda, const float *b, int ldb, float beta, float *c, int ldc);
void gemm_here(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float *a,
               int lda, const float *b, int ldb, float beta, float *c, int ldc);

/* Sets OpenBLAS to one thread and the pool of par.h to `threads`. */
int  gemm_threads(int threads);

#endif
