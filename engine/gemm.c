/* gemm.c — gemm.h: row blocks of C over the pool of par.h. */
#include "engine/gemm.h"

#include <cblas.h>

#include "engine/par.h"

/* A block must hold this many multiply-adds (some 10 µs of work) to be
 * worth handing to another thread. */
#define MIN_BLOCK_MACS (1u << 18)

typedef struct gemm_ctx {
    bool         ta, tb;
    int          n, k, lda, ldb, ldc;
    float        alpha, beta;
    const float *a, *b;
    float       *c;
} gemm_ctx;

void gemm_here(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float *a,
               int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c,
                ldc);
}

static void rows_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    const gemm_ctx *g = p;
    /* rows [lo, hi) of op(A): rows of A, or columns of A when transposed */
    const float *a = g->ta ? g->a + lo : g->a + lo * (size_t)g->lda;
    gemm_here(g->ta, g->tb, (int)(hi - lo), g->n, g->k, g->alpha, a, g->lda, g->b, g->ldb,
              g->beta, g->c + lo * (size_t)g->ldc, g->ldc);
}

void gemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float *a,
          int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    if (m <= 0 || n <= 0)
        return;
    gemm_ctx g = { trans_a, trans_b, n, k, lda, ldb, ldc, alpha, beta, a, b, c };
    size_t per_row = (size_t)n * (size_t)(k > 0 ? k : 1);
    size_t grain = MIN_BLOCK_MACS / per_row + 1;
    par_for((size_t)m, grain < 8 ? 8 : grain, rows_slice, &g);
}

static void first_product(void *p, int slot, size_t lo, size_t hi)
{
    (void)p, (void)slot, (void)lo, (void)hi;
    float a = 1, b = 1, c = 0;
    gemm_here(false, false, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1);
}

int gemm_threads(int threads)
{
    openblas_set_num_threads(1);
    int rc = par_init(threads);
    /* OpenBLAS takes a work buffer (some 128 MB of address space) in each
     * thread at its first product. Taken now, before a net's memory is
     * checked against what is left (sysmem.h), so that an address-space
     * limit (ulimit -v) refuses the model with a message instead of leaving
     * OpenBLAS to retry its allocation for ever in the middle of a step. */
    par_for((size_t)par_threads(), 1, first_product, NULL);
    return rc;
}
