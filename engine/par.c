/* par.c — the pool behind par.h.
 *
 * A job is published by bumping a generation counter; workers poll the
 * counter for up to SPIN_NS (the next loop of a step usually follows within
 * microseconds), then sleep on a condition variable. The caller runs slot 0,
 * then polls the workers' count the same way. A side that goes to sleep
 * says so first (sleepers, caller_asleep), and the other side takes the
 * mutex to wake it only then: loops that follow each other closely take no
 * lock and make no system call. On two cores that differ by 5-10 %, a
 * convolution's slots end hundreds of microseconds apart; a few thousand
 * polls (the earlier bound) then put the caller to sleep about 15 times a
 * resnet:8 step, where 1 ms of polling leaves one or two, and resnet:8
 * trained 1-4 % faster at two threads (median of 12 alternated runs). */
#include "engine/par.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#define SPIN_NS 1000000L /* polling before sleeping: 1 ms, yielding now and then */

static struct {
    int             threads;             /* including the caller */
    pthread_t       tid[PAR_MAX_THREADS];
    pthread_mutex_t mu;
    pthread_cond_t  wake, done;
    atomic_uint     gen;                 /* bumped once per job */
    atomic_int      pending;             /* workers still running the job */
    atomic_int      sleepers;            /* workers asleep on wake, or about to be */
    atomic_bool     caller_asleep;       /* the caller is asleep on done, or about to be */
    atomic_flag     busy;                /* a par_for is in progress */
    atomic_bool     quit;                /* set with gen bumped: workers exit */
    unsigned        start_gen;           /* gen when the workers were started */
    par_fn          fn;
    void           *ctx;
    size_t          n;
} pool = { .threads = 1, .mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
           .done = PTHREAD_COND_INITIALIZER, .busy = ATOMIC_FLAG_INIT };

static long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

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

/* Polls until done() holds, for up to SPIN_NS; false if it still does not. */
static bool spin_until(bool (*done)(unsigned), unsigned arg)
{
    long deadline = 0;
    for (int i = 0;; i++) {
        if (done(arg))
            return true;
        relax(i);
        if (i % 256 == 0) {
            long t = now_ns();
            if (!deadline)
                deadline = t + SPIN_NS;
            else if (t > deadline)
                return false;
        }
    }
}

static bool job_after(unsigned seen)
{
    return atomic_load_explicit(&pool.gen, memory_order_acquire) != seen;
}

static bool workers_done(unsigned unused)
{
    (void)unused;
    return atomic_load_explicit(&pool.pending, memory_order_acquire) == 0;
}

/* Waits until the generation differs from `seen` (or quit); returns it.
 * sleepers and gen are sequentially consistent, so either the publisher
 * sees this worker in sleepers or this worker sees the new generation. */
static unsigned wait_job(unsigned seen)
{
    if (!spin_until(job_after, seen)) {
        pthread_mutex_lock(&pool.mu);
        atomic_fetch_add(&pool.sleepers, 1);
        while (atomic_load(&pool.gen) == seen && !atomic_load(&pool.quit))
            pthread_cond_wait(&pool.wake, &pool.mu);
        atomic_fetch_sub(&pool.sleepers, 1);
        pthread_mutex_unlock(&pool.mu);
    }
    return atomic_load_explicit(&pool.gen, memory_order_acquire);
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
        if (atomic_fetch_sub(&pool.pending, 1) == 1 && atomic_load(&pool.caller_asleep)) {
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
    atomic_fetch_add(&pool.gen, 1); /* publishes fn, ctx, n and pending */
    if (atomic_load(&pool.sleepers)) {
        pthread_mutex_lock(&pool.mu);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.mu);
    }
    size_t lo, hi;
    par_range(n, pool.threads, 0, &lo, &hi);
    if (lo < hi)
        fn(ctx, 0, lo, hi);
    if (!spin_until(workers_done, 0)) {
        pthread_mutex_lock(&pool.mu);
        atomic_store(&pool.caller_asleep, true);
        while (atomic_load(&pool.pending) > 0)
            pthread_cond_wait(&pool.done, &pool.mu);
        atomic_store(&pool.caller_asleep, false);
        pthread_mutex_unlock(&pool.mu);
    }
    atomic_flag_clear(&pool.busy);
}
