/* par.c — the pool behind par.h.
 *
 * A job is published by bumping a generation counter under the pool's
 * mutex; workers spin briefly on the counter (the next loop of a step
 * usually follows within microseconds), then sleep on a condition
 * variable. The caller runs slot 0, then waits for the workers' count to
 * reach zero the same way. */
#include "engine/par.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>

#define SPINS 4000 /* polls before sleeping: some microseconds */

static struct {
    int             threads;             /* including the caller */
    pthread_t       tid[PAR_MAX_THREADS];
    pthread_mutex_t mu;
    pthread_cond_t  wake, done;
    atomic_uint     gen;                 /* bumped once per job */
    atomic_int      pending;             /* workers still running the job */
    atomic_flag     busy;                /* a par_for is in progress */
    atomic_bool     quit;                /* set with gen bumped: workers exit */
    unsigned        start_gen;           /* gen when the workers were started */
    par_fn          fn;
    void           *ctx;
    size_t          n;
} pool = { .threads = 1, .mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
           .done = PTHREAD_COND_INITIALIZER, .busy = ATOMIC_FLAG_INIT };

static void relax(int i)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (i % 256 == 255)
        sched_yield();
}

void par_range(size_t n, int parts, int slot, size_t *lo, size_t *hi)
{
    size_t base = n / (size_t)parts, extra = n % (size_t)parts, s = (size_t)slot;
    *lo = s * base + (s < extra ? s : extra);
    *hi = *lo + base + (s < extra);
}

/* Waits until the generation differs from `seen` (or quit); returns it. */
static unsigned wait_job(unsigned seen)
{
    for (int i = 0; i < SPINS; i++) {
        unsigned g = atomic_load_explicit(&pool.gen, memory_order_acquire);
        if (g != seen)
            return g;
        relax(i);
    }
    pthread_mutex_lock(&pool.mu);
    unsigned g;
    while ((g = atomic_load_explicit(&pool.gen, memory_order_acquire)) == seen &&
           !atomic_load_explicit(&pool.quit, memory_order_relaxed))
        pthread_cond_wait(&pool.wake, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
    return g;
}

static void *worker(void *arg)
{
    int slot = (int)(size_t)arg;
    unsigned seen = pool.start_gen; /* jobs published after par_init */
    for (;;) {
        seen = wait_job(seen); /* its acquire load orders the read of quit */
        if (atomic_load_explicit(&pool.quit, memory_order_relaxed))
            return NULL;
        size_t lo, hi;
        par_range(pool.n, pool.threads, slot, &lo, &hi);
        if (lo < hi)
            pool.fn(pool.ctx, slot, lo, hi);
        if (atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&pool.mu);
            pthread_cond_signal(&pool.done);
            pthread_mutex_unlock(&pool.mu);
        }
    }
}

static void stop_workers(void)
{
    pthread_mutex_lock(&pool.mu);
    atomic_store_explicit(&pool.quit, true, memory_order_relaxed);
    atomic_fetch_add_explicit(&pool.gen, 1, memory_order_release);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mu);
    for (int i = 1; i < pool.threads; i++)
        pthread_join(pool.tid[i], NULL);
    atomic_store(&pool.quit, false);
    pool.threads = 1;
}

int par_init(int threads)
{
    if (threads < 1)
        threads = 1;
    if (threads > PAR_MAX_THREADS)
        threads = PAR_MAX_THREADS;
    if (threads == pool.threads)
        return threads;
    stop_workers();
    pool.threads = threads;
    pool.start_gen = atomic_load(&pool.gen);
    for (int i = 1; i < threads; i++)
        if (pthread_create(&pool.tid[i], NULL, worker, (void *)(size_t)i)) {
            pool.threads = i; /* run with the workers that did start */
            break;
        }
    return pool.threads;
}

int par_threads(void) { return pool.threads; }

void par_for(size_t n, size_t grain, par_fn fn, void *ctx)
{
    if (pool.threads == 1 || n < 2 * grain || atomic_flag_test_and_set(&pool.busy)) {
        if (n)
            fn(ctx, 0, 0, n);
        return;
    }
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n = n;
    atomic_store_explicit(&pool.pending, pool.threads - 1, memory_order_relaxed);
    pthread_mutex_lock(&pool.mu);
    atomic_fetch_add_explicit(&pool.gen, 1, memory_order_release);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mu);
    size_t lo, hi;
    par_range(n, pool.threads, 0, &lo, &hi);
    if (lo < hi)
        fn(ctx, 0, lo, hi);
    int i = 0;
    while (atomic_load_explicit(&pool.pending, memory_order_acquire) > 0 && i < SPINS)
        relax(i++);
    pthread_mutex_lock(&pool.mu);
    while (atomic_load_explicit(&pool.pending, memory_order_acquire) > 0)
        pthread_cond_wait(&pool.done, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
    atomic_flag_clear(&pool.busy);
}
