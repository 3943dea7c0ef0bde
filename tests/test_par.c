/* The thread pool of engine/par.h, and what it must not change: a training
 * pass spread over two threads computes what one thread computes, up to the
 * order of float sums. */
#include <cblas.h>
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gemm.h"
#include "engine/net.h"
#include "engine/par.h"
#include "engine/rng.h"

static void stop_pool(void) { gemm_threads(1); }

TestSuite(par, .fini = stop_pool);

Test(par, ranges_cover_the_loop_once_in_order)
{
    for (size_t n = 0; n < 40; n++)
        for (int parts = 1; parts <= 5; parts++) {
            size_t next = 0;
            for (int s = 0; s < parts; s++) {
                size_t lo, hi;
                par_range(n, parts, s, &lo, &hi);
                cr_assert_eq(lo, next, "n %zu parts %d slot %d", n, parts, s);
                cr_assert(hi >= lo && hi - lo <= n / (size_t)parts + 1);
                next = hi;
            }
            cr_assert_eq(next, n);
        }
}

typedef struct visit_ctx {
    int *seen;     /* [n]: how often each item ran */
    int *slot_of;  /* [n]: which slot ran it */
} visit_ctx;

static void visit(void *p, int slot, size_t lo, size_t hi)
{
    visit_ctx *c = p;
    for (size_t i = lo; i < hi; i++) {
        c->seen[i]++;
        c->slot_of[i] = slot;
    }
}

Test(par, two_threads_run_every_item_once_in_two_slots)
{
    cr_assert_eq(par_init(2), 2);
    size_t n = 1001;
    visit_ctx c = { calloc(n, sizeof(int)), calloc(n, sizeof(int)) };
    for (int round = 0; round < 200; round++) /* wake-ups after spinning and after sleeping */
        par_for(n, 1, visit, &c);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(c.seen[i], 200, "item %zu ran %d times", i, c.seen[i]);
        cr_assert_eq(c.slot_of[i], i < 501 ? 0 : 1);
    }
    memset(c.seen, 0, n * sizeof(int));
    par_for(n, 600, visit, &c); /* too little work: all on the caller */
    for (size_t i = 0; i < n; i++)
        cr_assert(c.seen[i] == 1 && c.slot_of[i] == 0);
    free(c.seen);
    free(c.slot_of);
}

static void *loop_from_a_thread(void *p)
{
    for (int round = 0; round < 100; round++)
        par_for(777, 1, visit, p);
    return NULL;
}

Test(par, loops_from_two_threads_at_once_each_run_whole)
{
    par_init(2);
    visit_ctx a = { calloc(777, sizeof(int)), calloc(777, sizeof(int)) };
    visit_ctx b = { calloc(777, sizeof(int)), calloc(777, sizeof(int)) };
    pthread_t t;
    pthread_create(&t, NULL, loop_from_a_thread, &a);
    loop_from_a_thread(&b);
    pthread_join(t, NULL);
    for (int i = 0; i < 777; i++)
        cr_assert(a.seen[i] == 100 && b.seen[i] == 100, "item %d: %d and %d", i, a.seen[i],
                  b.seen[i]);
    free(a.seen);
    free(a.slot_of);
    free(b.seen);
    free(b.slot_of);
}

/* gemm() split in row blocks over two threads against one cblas_sgemm, for
 * every transpose, with leading dimensions wider than the matrices. */
Test(par, gemm_in_row_blocks_equals_one_sgemm)
{
    gemm_threads(2);
    int m = 301, n = 67, k = 129, pad = 3;
    lr_rng r;
    rng_seed(&r, 9);
    float *a = malloc((size_t)(m + pad) * (k + pad) * sizeof *a);
    float *b = malloc((size_t)(k + pad) * (n + pad) * sizeof *b);
    float *c1 = malloc((size_t)m * (n + pad) * sizeof *c1);
    float *c2 = malloc((size_t)m * (n + pad) * sizeof *c2);
    for (size_t i = 0; i < (size_t)(m + pad) * (k + pad); i++)
        a[i] = rng_normal(&r);
    for (size_t i = 0; i < (size_t)(k + pad) * (n + pad); i++)
        b[i] = rng_normal(&r);
    for (int t = 0; t < 4; t++) {
        bool ta = t & 1, tb = t & 2;
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        for (size_t i = 0; i < (size_t)m * ldc; i++)
            c1[i] = c2[i] = 0.5f;
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    m, n, k, 0.7f, a, lda, b, ldb, 0.3f, c1, ldc);
        gemm(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, c2, ldc);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < ldc; j++)
                cr_assert(fabsf(c1[i * ldc + j] - c2[i * ldc + j]) <= 1e-4f,
                          "transposes %d: C[%d][%d] %g vs %g", t, i, j,
                          (double)c1[i * ldc + j], (double)c2[i * ldc + j]);
    }
    free(a);
    free(b);
    free(c1);
    free(c2);
}

/* Loss, gradients and the batch-norm running statistics of one training
 * pass of `spec`, at `threads`. */
typedef struct pass_out {
    float  loss;
    float *grads, *state;
    size_t n_params, n_state;
} pass_out;

static void one_pass(const char *spec, lr_shape in, int threads, pass_out *o)
{
    gemm_threads(threads);
    net_opts opts;
    net_opts_default(&opts);
    net n;
    lr_err e;
    int B = 24;
    cr_assert_eq(net_build(&n, spec, in, 10, B, &opts, 3, &e), 0, "%s", e.msg);
    size_t nx = (size_t)B * n.n_in;
    float *x = malloc(nx * sizeof *x);
    int y[24];
    lr_rng r;
    rng_seed(&r, 5);
    for (size_t i = 0; i < nx; i++)
        x[i] = rng_normal(&r);
    for (int i = 0; i < B; i++)
        y[i] = (int)rng_below(&r, 10);
    o->loss = net_train_pass(&n, x, y, B, NULL);
    o->n_params = n.n_params;
    o->n_state = n.n_state;
    o->grads = malloc(n.n_params * sizeof(float));
    o->state = malloc((n.n_state + 1) * sizeof(float));
    memcpy(o->grads, n.grads, n.n_params * sizeof(float));
    memcpy(o->state, n.state, n.n_state * sizeof(float));
    free(x);
    net_free(&n);
}

/* Gradients of two threads against one: the largest difference within `tol`
 * of the largest gradient. */
static void expect_same_pass(const char *spec, lr_shape in, double tol)
{
    pass_out one, two;
    one_pass(spec, in, 1, &one);
    one_pass(spec, in, 2, &two);
    cr_expect(fabsf(one.loss - two.loss) <= 1e-5f * fabsf(one.loss), "%s loss %.8g vs %.8g",
              spec, (double)one.loss, (double)two.loss);
    double scale = 0.0, worst = 0.0;
    for (size_t i = 0; i < one.n_params; i++) {
        scale = fmax(scale, fabs((double)one.grads[i]));
        worst = fmax(worst, fabs((double)one.grads[i] - (double)two.grads[i]));
    }
    cr_expect(scale > 0.0 && worst <= tol * scale, "%s: gradients differ by %.3g (largest %.3g)",
              spec, worst, scale);
    for (size_t i = 0; i < one.n_state; i++)
        cr_expect(fabsf(one.state[i] - two.state[i]) <= 1e-5f * (1.0f + fabsf(one.state[i])),
                  "%s: running statistic %zu differs", spec, i);
    free(one.grads);
    free(one.state);
    free(two.grads);
    free(two.state);
}

/* Two threads split batch-norm's sums over rows in two; they are taken in
 * double, so the order leaves only the final rounding to float. Winograd's
 * weight gradient is summed over two slots of the batch (conv_winograd.c).
 * Every other loop is split exactly. */
Test(par, a_pass_on_two_threads_equals_one_on_one)
{
    expect_same_pass("mlp-bn:64,32", (lr_shape){ 1, 8, 8 }, 1e-5);
    expect_same_pass("lenet", (lr_shape){ 1, 28, 28 }, 1e-5);
    expect_same_pass("cnn-bn", (lr_shape){ 3, 12, 12 }, 1e-5);
    expect_same_pass("resnet:8", (lr_shape){ 1, 14, 14 }, 1e-5);
}
