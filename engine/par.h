/* par.h — the work of a training step, spread over threads.
 *
 * Every loop of a training step (a dense layer's GEMMs through gemm.h, a
 * convolution's slots of the batch, batch norm, ReLU, residual adds, the SGD
 * update) is split into contiguous ranges, one per thread: the caller runs the first,
 * a small pool of workers the others. OpenBLAS runs single-threaded inside
 * them, so no second pool competes for the cores.
 *
 * The split depends only on n and the thread count, so a run is
 * deterministic for a given --threads (sums split into per-slot partials
 * are added in slot order). One loop runs at a time: a par_for called
 * while another is running (a second thread of the process) runs its loop
 * whole on the calling thread. */
#ifndef LRSCOPE_PAR_H
#define LRSCOPE_PAR_H

#include <stddef.h>

#define PAR_MAX_THREADS 16

/* Runs items [lo, hi) of a loop; `slot` (0 .. par_threads()-1) tells which
 * part it is, for per-slot partial results. */
typedef void (*par_fn)(void *ctx, int slot, size_t lo, size_t hi);

/* Sets the number of threads (1 .. PAR_MAX_THREADS; more is capped),
 * starting or stopping workers. Not thread-safe: call it from one thread
 * while no par_for runs. Returns the count in use. */
int  par_init(int threads);
int  par_threads(void);

/* fn over [0, n) in par_threads() contiguous ranges; runs whole on the
 * caller when n < 2 * grain (too little work to pay for a wake-up). */
void par_for(size_t n, size_t grain, par_fn fn, void *ctx);

/* The range [lo, hi) of `slot` when [0, n) is split in `parts`. */
void par_range(size_t n, int parts, int slot, size_t *lo, size_t *hi);

#endif
