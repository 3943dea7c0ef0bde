/* batcher.c — mini-batches in a seeded order, reshuffled every epoch.
 *
 * Conversion to floats goes through dataset_to_float, one example at a time,
 * so evaluation and training normalise identically. Augmentation then works
 * in place on the example's floats:
 *   - random crop with 4-pixel padding: the image is shifted by (dy, dx),
 *     each uniform in [-4, 4], and uncovered pixels become 0 — the channel
 *     mean after normalisation (padding with the normalised value of a black
 *     pixel would add a dark frame that the test images never have);
 *   - horizontal flip with probability 1/2.
 * All randomness (shuffles and augmentation) comes from the batcher's rng,
 * so one seed fixes the whole sequence of batches. */
#include "datasets/dataset.h"

#include <stdlib.h>

#define BATCHER_PAD 4

int batcher_init(batcher *b, const dataset *d, int batch, bool shuffle, uint64_t seed,
                 lr_err *e)
{
    *b = (batcher){ 0 };
    if (d->n < 1)
        return lr_fail(e, "%s: no examples to make batches of", d->name);
    if (batch < 1 || batch > d->n)
        return lr_fail(e, "batch size %d is out of range: %s has %d examples "
                       "(expected 1 to %d)", batch, d->name, d->n, d->n);
    b->order = malloc((size_t)d->n * sizeof *b->order);
    if (!b->order)
        return lr_fail(e, "%s: out of memory for a batch order of %d examples", d->name, d->n);
    for (int i = 0; i < d->n; i++)
        b->order[i] = (uint32_t)i;
    b->d = d;
    b->batch = batch;
    b->shuffle = shuffle;
    rng_seed(&b->rng, seed);
    if (shuffle)
        rng_shuffle(&b->rng, b->order, (uint32_t)d->n);
    return 0;
}

void batcher_free(batcher *b)
{
    if (!b)
        return;
    free(b->order);
    *b = (batcher){ 0 };
}

/* Moves plane p [h][w] by (dy, dx) in place: out(r, c) = in(r + dy, c + dx),
 * 0 where that falls outside. Each write reads a source the loop has not yet
 * overwritten: forwards when the source lies ahead, backwards otherwise. */
static void plane_shift(float *p, int h, int w, int dy, int dx)
{
    long ahead = (long)dy * w + dx;
    for (long k = 0; k < (long)h * w; k++) {
        long i = ahead >= 0 ? k : (long)h * w - 1 - k;
        int r = (int)(i / w) + dy, c = (int)(i % w) + dx;
        p[i] = r >= 0 && r < h && c >= 0 && c < w ? p[(long)r * w + c] : 0.0f;
    }
}

static void plane_flip(float *p, int h, int w)
{
    for (int r = 0; r < h; r++) {
        float *row = p + (long)r * w;
        for (int a = 0, z = w - 1; a < z; a++, z--) {
            float t = row[a];
            row[a] = row[z];
            row[z] = t;
        }
    }
}

/* x [c][h][w]: one example, augmented in place. */
static void batcher_augment(batcher *b, float *x)
{
    const dataset *d = b->d;
    int span = 2 * BATCHER_PAD + 1;
    int dy = (int)rng_below(&b->rng, (uint32_t)span) - BATCHER_PAD;
    int dx = (int)rng_below(&b->rng, (uint32_t)span) - BATCHER_PAD;
    bool flip = rng_below(&b->rng, 2) == 1;
    long plane = (long)d->h * d->w;
    for (int ch = 0; ch < d->c; ch++) {
        if (dy != 0 || dx != 0)
            plane_shift(x + ch * plane, d->h, d->w, dy, dx);
        if (flip)
            plane_flip(x + ch * plane, d->h, d->w);
    }
}

int batcher_next(batcher *b, float *x, int *y)
{
    const dataset *d = b->d;
    size_t dim = (size_t)dataset_dim(d);
    int completed = 0;
    /* batch <= n (checked at init), so at most one epoch ends per call. */
    for (int k = 0; k < b->batch; k++) {
        float *xk = x + (size_t)k * dim;
        dataset_to_float(d, (int)b->order[b->pos], 1, xk, y ? y + k : NULL);
        if (b->augment)
            batcher_augment(b, xk);
        if (++b->pos == d->n) {
            b->pos = 0;
            b->epoch++;
            completed++;
            if (b->shuffle)
                rng_shuffle(&b->rng, b->order, (uint32_t)d->n);
        }
    }
    return completed;
}
