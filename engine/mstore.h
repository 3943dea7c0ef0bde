/* mstore.h — an append-only store of metric rows shared by two threads.
 *
 * DESIGN. The training thread appends one row per iteration under a short
 * lock; the UI thread copies only the rows added since its last read
 * (mstore_read_since). Storage grows by doubling, outside the reader's view:
 * the reader never holds a pointer into the store, it copies. Appends are
 * amortised O(1) and allocate only when the capacity doubles, never per step
 * in the steady state.
 *
 * The store keeps the newest MSTORE_KEEP rows, not the whole run: once full
 * it is a ring, so a run of millions of iterations holds a few MB here (the
 * run's metrics.csv has every row). A reader copies every few tens of
 * milliseconds, far fewer rows than that; one that fell further behind
 * resumes at the oldest row kept (mstore_read_kept says where).
 *
 * A store belongs to one run; a new run starts a new generation
 * (mstore_reset), and readers compare generations to know they must drop
 * what they copied. */
#ifndef LRSCOPE_MSTORE_H
#define LRSCOPE_MSTORE_H

#include <pthread.h>
#include <stddef.h>

#include "engine/trainer.h"

#define MSTORE_KEEP 65536   /* a power of two, as the capacity doubles to it */

typedef struct mstore {
    pthread_mutex_t lock;
    metrics_row    *rows;           /* row i of the run at rows[i % cap] */
    size_t          n, cap;         /* rows appended this generation; slots */
    unsigned        generation;
} mstore;

/* An empty store (generation 0). Returns 0, or -1 when memory or the mutex
 * could not be had. mstore_free releases it. */
int  mstore_init(mstore *s);
void mstore_free(mstore *s);

/* Appends a copy of r. Returns 0, or -1 when memory ran out (the row is
 * dropped; the run goes on). */
int  mstore_append(mstore *s, const metrics_row *r);

/* Empties the store and starts a new generation. */
void mstore_reset(mstore *s);

/* Copies rows [from, from + max) that exist into out; returns how many were
 * copied and sets *generation. A reader whose generation differs from the
 * returned one must restart from 0. */
size_t mstore_read_since(mstore *s, size_t from, metrics_row *out, size_t max,
                         unsigned *generation);
/* The same, moving *from to the first row copied: later than asked when the
 * rows asked for are no longer kept. */
size_t mstore_read_kept(mstore *s, size_t *from, metrics_row *out, size_t max,
                        unsigned *generation);

#endif
