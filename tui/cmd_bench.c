/* cmd_bench.c — `lrscope bench`: how close training comes to the machine's
 * matrix-multiply speed.
 *
 * Times full training steps (forward, loss, backward, SGD update) of the
 * chosen model on random inputs, then times the GEMMs alone at exactly the
 * shapes and counts of one step, in the same process, with the same thread
 * count and spread over the threads as training spreads them (by rows, or
 * by calls for a convolution's slots). The ratio of the two GFLOP/s
 * figures is the trainer's efficiency: what is lost to everything that is
 * not GEMM. Ratios measured in one run are the only fair comparison on a
 * noisy machine.
 *
 * When some convolutions go through Winograd, their products are fewer
 * and smaller than the direct convolution's, so a second reference times
 * the GEMMs the same net would multiply with every convolution lowered by
 * im2col: the fastest that lowering could train if all else cost nothing.
 *
 * With --lr-estimate K it also times the same steps with the optimal-LR
 * estimate (engine/lrest.h) measured every K steps, as `lrscope train
 * --lr-estimate K` runs it. An overhead of some per cent drowns in a busy
 * machine's noise unless both are timed alike: in whole windows of K steps,
 * alternating, keeping each one's fastest round.
 *
 * With --by-layer it then times every layer's forward and backward pass
 * (net.h's node_seconds) over the same kind of steps and prints them in
 * step order and summed by kind: where a step's time goes. */
#include "tui/commands.h"

#include <cblas.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gemm.h"
#include "engine/lrest.h"
#include "engine/par.h"
#include "engine/rng.h"
#include "engine/sgd.h"
#include "engine/clock.h"
#include "tui/headless.h"
#include "tui/setup.h"

#define BENCH_SECONDS 2.0
#define BENCH_CLASSES 10
#define BENCH_LREST_ROUNDS 4

typedef void (*bench_fn)(void *ctx);

/* Runs `fn` repeatedly for about `seconds`; returns seconds per call and
 * the number of calls in *calls. */
static double time_calls(bench_fn fn, void *ctx, double seconds, long *calls)
{
    *calls = 0;
    double t0 = clock_seconds(), t;
    do {
        fn(ctx);
        (*calls)++;
        t = clock_seconds();
    } while (t - t0 < seconds);
    return (t - t0) / (double)*calls;
}

/* The same after three calls that warm the caches and OpenBLAS's buffers. */
static double time_per_call(bench_fn fn, void *ctx, double seconds)
{
    for (int i = 0; i < 3; i++)
        fn(ctx);
    long calls;
    return time_calls(fn, ctx, seconds, &calls);
}

typedef struct step_ctx {
    net      *net;
    sgd_opts  opt;
    float    *x;
    int      *y;
    int       B;
    lrest    *est;      /* for train_step_estimate */
    long      iter;
} step_ctx;

static void train_step(void *p)
{
    step_ctx *c = p;
    net_train_pass(c->net, c->x, c->y, c->B, NULL);
    sgd_step(c->net, &c->opt, 1e-3, 0.9);
}

/* The step as the trainer takes it with the estimate on: every K-th call
 * adds the probe pass and the secant sums, the two calls before it a
 * parameter copy each. */
static void train_step_estimate(void *p)
{
    step_ctx *c = p;
    net_train_pass(c->net, c->x, c->y, c->B, NULL);
    lrest_before_step(c->est, c->net, &c->opt, c->iter, 1e-3, c->x, c->y, c->B);
    sgd_step(c->net, &c->opt, 1e-3, 0.9);
    lrest_after_step(c->est, c->net, c->iter);
    c->iter++;
}

/* One window of K steps, without and with the estimate. */
static void window_plain(void *p)
{
    for (int i = 0; i < ((step_ctx *)p)->est->every; i++)
        train_step(p);
}

static void window_estimate(void *p)
{
    for (int i = 0; i < ((step_ctx *)p)->est->every; i++)
        train_step_estimate(p);
}

typedef struct gemm_ctx {
    const net        *net;
    float            *in[2]; /* read-only operands, big enough for any GEMM of the net */
    float            *out;   /* results, one operand's size per thread, never read back,
                              * so values cannot blow up */
    size_t            big;   /* floats of each operand */
    int               B;
    const layer_gemm *m;     /* by_slot_calls: the GEMM whose calls are shared out */
} gemm_ctx;

/* One call of GEMM m into out: whole on this thread, or split by rows. */
static void one_call(const gemm_ctx *g, const layer_gemm *m, float *out, bool here)
{
    int lda = m->trans_a ? m->m : m->k, ldb = m->trans_b ? m->k : m->n;
    (here ? gemm_here : gemm)(m->trans_a, m->trans_b, m->m, m->n, m->k, 1.0f, g->in[0], lda,
                              g->in[1], ldb, 1.0f, out, m->n);
}

/* Calls [lo, hi) of g->m, on this thread alone, into its own out. */
static void by_slot_calls(void *p, int slot, size_t lo, size_t hi)
{
    const gemm_ctx *g = p;
    for (size_t c = lo; c < hi; c++)
        one_call(g, g->m, g->out + (size_t)slot * g->big, true);
}

/* The GEMMs of one training pass as the layer table lists them: shapes,
 * transposes and counts of engine/layer_*.c, spread over the threads as
 * training spreads them. */
static void gemms_only(void *p)
{
    gemm_ctx *g = p;
    for (int i = 0; i < g->net->n_nodes; i++) {
        const net_node *node = &g->net->nodes[i];
        layer_gemm list[LAYER_MAX_GEMMS];
        int n = node->l.ops->gemms(&node->l, g->B, node->input[0] >= 0, list);
        for (int j = 0; j < n; j++) {
            g->m = &list[j];
            if (g->m->by_slot)
                par_for((size_t)g->m->count, 1, by_slot_calls, g);
            else
                for (int c = 0; c < g->m->count; c++)
                    one_call(g, g->m, g->out, false);
        }
    }
}

/* Floats the largest operand of any GEMM of the net needs. */
static size_t largest_operand(const net *n, int B)
{
    size_t big = 1;
    for (int i = 0; i < n->n_nodes; i++) {
        layer_gemm list[LAYER_MAX_GEMMS];
        int k = n->nodes[i].l.ops->gemms(&n->nodes[i].l, B, true, list);
        for (int j = 0; j < k; j++) {
            size_t mk = (size_t)list[j].m * list[j].k, kn = (size_t)list[j].k * list[j].n,
                   mn = (size_t)list[j].m * list[j].n;
            big = mk > big ? mk : big;
            big = kn > big ? kn : big;
            big = mn > big ? mn : big;
        }
    }
    return big;
}

/* Whether any convolution of the net is lowered by Winograd. */
static bool has_winograd(const net *n)
{
    for (int i = 0; i < n->n_nodes; i++)
        if (n->nodes[i].l.kind == LAYER_CONV && n->nodes[i].l.algo == CONV_WINOGRAD)
            return true;
    return false;
}

/* Which kernels OpenBLAS runs, and the widest vectors the CPU has: what
 * bounds the sgemm rate above. OPENBLAS_CORETYPE, when set, picks the
 * kernels in place of the CPU's own (AVX2 ones on an AVX-512 CPU, say). */
static void print_blas(void)
{
    char version[32] = "";
    sscanf(openblas_get_config(), "OpenBLAS %31s", version);
    const char *forced = getenv("OPENBLAS_CORETYPE");
    if (forced && !*forced)
        forced = NULL; /* OpenBLAS ignores it empty */
    const char *cpu = "";
#if defined(__x86_64__) || defined(__i386__)
    cpu = __builtin_cpu_supports("avx512f") ? "; the CPU has AVX-512"
          : __builtin_cpu_supports("avx2") ? "; the CPU has AVX2" : "";
#endif
    printf("blas          OpenBLAS %s, %s kernels%s%s%s%s\n", version, openblas_get_corename(),
           forced ? " (set by OPENBLAS_CORETYPE=" : "", forced ? forced : "", forced ? ")" : "",
           cpu);
}

#define KIND_LEN 24 /* "conv winograd", "batchnorm" */

/* A layer's kind as the profile groups it: the lowering of a convolution
 * counts, a fused ReLU does not. */
static void kind_of(const layer *l, char kind[KIND_LEN])
{
    if (l->kind == LAYER_CONV)
        snprintf(kind, KIND_LEN, "conv %s", conv_lowering(l));
    else
        snprintf(kind, KIND_LEN, "%s", l->ops->name);
}

typedef struct kind_total {
    char   kind[KIND_LEN];
    double seconds;
    int    layers;
} kind_total;

static int by_share(const void *a, const void *b)
{
    double x = ((const kind_total *)a)->seconds, y = ((const kind_total *)b)->seconds;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Prints the layers' mean forward and backward milliseconds per step, in
 * step order, and their sums by kind (kinds: room for one per layer);
 * shares are of the step's wall clock, the rest being the input's
 * transposition, the loss and the SGD update. */
static void print_layers(const net *n, const double *sec, long steps, double t_step,
                         kind_total *kinds)
{
    int width = 5;
    for (int i = 0; i < n->n_nodes; i++) {
        int len = (int)strlen(n->nodes[i].l.name);
        width = len > width ? len : width;
    }
    printf("  %-*s  %-20s %-9s %9s %9s %7s\n", width, "layer", "kind", "output", "forward",
           "backward", "share");
    int n_kinds = 0;
    double in_layers = 0.0;
    for (int i = 0; i < n->n_nodes; i++) {
        const layer *l = &n->nodes[i].l;
        double f = sec[2 * i] / (double)steps, b = sec[2 * i + 1] / (double)steps;
        char kind[KIND_LEN], label[KIND_LEN + 8], shape[40];
        kind_of(l, kind);
        snprintf(label, sizeof label, "%s%s", kind, l->relu ? "+relu" : "");
        if (l->out.h == 1 && l->out.w == 1)
            snprintf(shape, sizeof shape, "%d", l->out.c);
        else
            snprintf(shape, sizeof shape, "%dx%dx%d", l->out.c, l->out.h, l->out.w);
        printf("  %-*s  %-20s %-9s %9.3f %9.3f %6.1f %%\n", width, l->name, label, shape, f * 1e3,
               b * 1e3, 100.0 * (f + b) / t_step);
        in_layers += f + b;
        int k = 0;
        while (k < n_kinds && strcmp(kinds[k].kind, kind))
            k++;
        if (k == n_kinds)
            memcpy(kinds[n_kinds++].kind, kind, KIND_LEN);
        kinds[k].seconds += f + b;
        kinds[k].layers++;
    }
    printf("  %-*s  %-20s %-9s %9s %9s %6.1f %%\n", width, "rest", "input, loss, update", "", "", "",
           100.0 * (t_step - in_layers) / t_step);
    qsort(kinds, (size_t)n_kinds, sizeof *kinds, by_share);
    for (int k = 0; k < n_kinds; k++)
        printf("%-13s %-15s %5.1f %%  (%d layer%s)\n", k ? "" : "by kind", kinds[k].kind,
               100.0 * kinds[k].seconds / t_step, kinds[k].layers, kinds[k].layers == 1 ? "" : "s");
}

/* --by-layer: times steps (already warm) for BENCH_SECONDS with every
 * node's passes timed (two clock reads each) and prints them; t_plain is the
 * untimed step, to show what the timing itself costs. Returns -1 when out of
 * memory. */
static int report_layers(net *n, step_ctx *sc, double t_plain)
{
    double *sec = calloc(2 * (size_t)n->n_nodes, sizeof *sec);
    kind_total *kinds = calloc((size_t)n->n_nodes, sizeof *kinds);
    if (!sec || !kinds) {
        free(sec);
        free(kinds);
        return -1;
    }
    n->node_seconds = sec;
    long steps;
    double t_step = time_calls(train_step, sc, BENCH_SECONDS, &steps);
    n->node_seconds = NULL;
    printf("by layer      ms per step over %ld steps (%.3f ms a step with its layers timed, "
           "%.3f without)\n", steps, t_step * 1e3, t_plain * 1e3);
    print_layers(n, sec, steps, t_step, kinds);
    free(sec);
    free(kinds);
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    cli_opts o;
    lr_err e;
    int rc = cli_parse(&o, CLI_BENCH, argc, argv, &e);
    if (rc)
        return rc > 0 ? EXIT_OK : commands_fail(&e, EXIT_BAD_INPUT);
    int threads = setup_threads(o.threads);
    lr_shape shape = o.input_shape.c ? o.input_shape : (lr_shape){ 1, 28, 28 };
    net n;
    if (net_build(&n, o.model, shape, BENCH_CLASSES, o.batch, &o.net, o.seed, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);

    /* the same net with every convolution lowered by im2col, for its GEMMs */
    net direct = { 0 };
    bool has_direct = has_winograd(&n);
    if (has_direct) {
        net_opts im2col = o.net;
        im2col.conv = CONV_IM2COL;
        if (net_build(&direct, o.model, shape, BENCH_CLASSES, o.batch, &im2col, o.seed, &e)) {
            net_free(&n);
            return commands_fail(&e, EXIT_FAILURE_RUN);
        }
    }

    int B = o.batch;
    size_t n_x = (size_t)B * n.n_in;
    step_ctx sc = { .net = &n, .opt = o.sgd, .B = B };
    sc.x = malloc(n_x * sizeof *sc.x);
    sc.y = malloc((size_t)B * sizeof *sc.y);
    size_t big = largest_operand(&n, B), big_direct = has_direct ? largest_operand(&direct, B) : 0;
    if (big_direct > big)
        big = big_direct;
    gemm_ctx gc = { .net = &n, .B = B, .big = big };
    gc.out = calloc(big * (size_t)par_threads(), sizeof(float));
    bool ok = sc.x && sc.y && gc.out;
    for (int k = 0; k < 2; k++) {
        gc.in[k] = calloc(big, sizeof(float));
        ok = ok && gc.in[k];
    }
    lrest est = { 0 };
    int every = o.lr_estimate > 0 ? o.lr_estimate : 0;
    if (!ok || (every && lrest_init(&est, &n, every, &e))) {
        fprintf(stderr, "lrscope: out of memory\n");
        return EXIT_FAILURE_RUN;
    }
    sc.est = &est;
    lr_rng rng;
    rng_seed(&rng, o.seed);
    for (size_t i = 0; i < n_x; i++)
        sc.x[i] = rng_normal(&rng);
    for (int i = 0; i < B; i++)
        sc.y[i] = (int)rng_below(&rng, BENCH_CLASSES);
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < big; i++)
            gc.in[k][i] = 0.01f * rng_normal(&rng);

    char model[160];
    net_describe(&n, model, sizeof model);
    printf("model %s, input %dx%dx%d, batch %d, %d thread%s\n", model, shape.c,
           shape.h, shape.w, B, threads, threads == 1 ? "" : "s");
    double flops = (double)n.flops_per_example * B;
    double t_step = time_per_call(train_step, &sc, BENCH_SECONDS);
    double t_gemm = time_per_call(gemms_only, &gc, BENCH_SECONDS);
    double train_gflops = flops / t_step * 1e-9, gemm_gflops = flops / t_gemm * 1e-9;
    printf("training      %9.0f images/s  %7.2f GFLOP/s  (%.3f ms/step)\n", B / t_step,
           train_gflops, t_step * 1e3);
    printf("sgemm alone                      %7.2f GFLOP/s  (same shapes, same process)\n",
           gemm_gflops);
    printf("efficiency    %.1f %% of sgemm\n", 100.0 * train_gflops / gemm_gflops);
    if (has_direct) {
        gemm_ctx dc = gc;
        dc.net = &direct;
        double direct_gflops = flops / time_per_call(gemms_only, &dc, BENCH_SECONDS) * 1e-9;
        printf("im2col sgemm                     %7.2f GFLOP/s  (the GEMMs of --conv im2col "
               "alone)\n", direct_gflops);
        printf("against it    %.1f %% of im2col's sgemm\n", 100.0 * train_gflops / direct_gflops);
    }
    print_blas();
    if (every) {
        double t_plain = INFINITY, t_est = INFINITY;
        for (int r = 0; r < BENCH_LREST_ROUNDS; r++) {
            double round = BENCH_SECONDS / BENCH_LREST_ROUNDS;
            t_plain = fmin(t_plain, time_per_call(window_plain, &sc, round) / every);
            t_est = fmin(t_est, time_per_call(window_estimate, &sc, round) / every);
        }
        printf("lr estimate   %9.0f images/s  (%.3f ms/step at K = %d against %.3f without: "
               "%+.1f %%)\n", B / t_est, t_est * 1e3, every, t_plain * 1e3,
               100.0 * (t_est / t_plain - 1.0));
    }
    int failed = o.by_layer ? report_layers(&n, &sc, t_step) : 0;
    if (failed)
        fprintf(stderr, "lrscope: out of memory\n");
    lrest_free(&est);
    free(sc.x);
    free(sc.y);
    for (int k = 0; k < 2; k++)
        free(gc.in[k]);
    free(gc.out);
    net_free(&n);
    if (has_direct)
        net_free(&direct);
    return failed ? EXIT_FAILURE_RUN : EXIT_OK;
}
