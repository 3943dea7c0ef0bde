/* gemm.c — gemm.h: row blocks of C over the pool of par.h. */
#include "engine/gemm.h"

#include <cblas.h>
#include <stdint.h>

#include "engine/par.h"
#include "engine/sysmem.h"

/* A block must hold this many multiply-adds (some 10 µs of work) to be
 * worth handing to another thread. */
#define MIN_BLOCK_MACS (1u << 18)

/* OpenBLAS's work buffer on x86-64 (its BUFFER_SIZE, 32 << 22 bytes). */
#define OPENBLAS_BUFFER ((size_t)128 << 20)

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

int gemm_threads(int threads)
{
    openblas_set_num_threads(1);
    int rc = par_init(threads);
    /* OpenBLAS maps a work buffer for each product running at once, the
     * first time that many run, and keeps it. Under an address-space limit
     * (ulimit -v) with no room left for one, it retries for ever in the
     * middle of a step. At most one product per thread runs at once, so
     * the memory a net's check sees (sysmem.h) leaves out one buffer per
     * thread: such a limit refuses the model with a message instead. The
     * buffer's size is measured at the first product; when that maps
     * nothing (a buffer was free already), it is OpenBLAS's x86-64 default. */
    static size_t buffer_bytes;
    size_t before = sysmem_mapped();
    float a = 1, b = 1, c = 0;
    gemm_here(false, false, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1);
    size_t after = sysmem_mapped();
    if (!buffer_bytes && before != SIZE_MAX && after != SIZE_MAX && after > before)
        buffer_bytes = after - before;
    sysmem_reserve((size_t)par_threads() * (buffer_bytes ? buffer_bytes : OPENBLAS_BUFFER));
    return rc;
}
