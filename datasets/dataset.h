/* dataset.h — image classification data in memory, and mini-batches of it.
 *
 * Images are kept as uint8 pixels (four times less memory than floats) and
 * converted to normalised floats one mini-batch at a time. Pixel layout is
 * channel-major per image (CHW): image i starts at pixels + i * dim, where
 * dim = c * h * w. Loaders report errors through lr_err (see engine/err.h):
 * the message names the file and the problem; nothing is half-loaded. */
#ifndef LRSCOPE_DATASET_H
#define LRSCOPE_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/rng.h"

#define DATASET_MAX_CHANNELS 3

typedef struct dataset {
    char     name[64];      /* "fashion-mnist", "synthetic", a folder name... */
    uint8_t *pixels;        /* [n][c][h][w] */
    uint8_t *labels;        /* [n], each < n_classes */
    int      n, c, h, w;
    int      n_classes;
    /* Per-channel statistics of pixel/255 on the training set, used to
     * normalise: x = (pixel/255 - mean[ch]) / std[ch]. */
    float    mean[DATASET_MAX_CHANNELS];
    float    std[DATASET_MAX_CHANNELS];
} dataset;

/* The train and test halves of one source. Test uses train's statistics. */
typedef struct dataset_pair {
    dataset train, test;
} dataset_pair;

static inline int dataset_dim(const dataset *d) { return d->c * d->h * d->w; }

/* Frees the buffers of d (not d itself); safe on a zeroed struct. */
void dataset_free(dataset *d);
void dataset_pair_free(dataset_pair *p);

/* Computes mean/std per channel from d's pixels and stores them in d. */
void dataset_compute_stats(dataset *d);

/* Gives the test set the training set's statistics (computed already), so
 * both are normalised alike: the test set must not lend its own. */
void dataset_pair_share_train_stats(dataset_pair *p);

/* For the loaders, before a large allocation: 0 when `need` bytes fit in
 * `available` (sysmem_available() in the loaders), otherwise -1 with `e`
 * saying "<what> needs N of memory but only M is available". */
int dataset_check_fits(size_t need, size_t available, const char *what, lr_err *e);

/* Loads an IDX folder (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
 * t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]). Returns 0, or -1
 * with `e` set and `out` zeroed. */
int dataset_load_idx_dir(dataset_pair *out, const char *dir, lr_err *e);

/* Loads one IDX image file and one IDX label file (plain or gzip, detected by
 * content) into `out`. Errors: missing file, bad magic, wrong dimensions,
 * truncated data, image/label count mismatch, label out of range (>= 10). */
int dataset_load_idx(dataset *out, const char *images_path, const char *labels_path,
                     lr_err *e);

/* Loads a CIFAR-10 binary folder (data_batch_1..5.bin, test_batch.bin). */
int dataset_load_cifar10_dir(dataset_pair *out, const char *dir, lr_err *e);

/* A generated set compiled into the program: n_train + n_test images of
 * 1x16x16 in 10 classes, deterministic from `seed`. Each class is a pattern
 * (orientation/frequency of strokes) drawn at a random position with noise,
 * so no single pixel separates the classes and a network must learn. */
int dataset_make_synthetic(dataset_pair *out, int n_train, int n_test, uint64_t seed,
                           lr_err *e);

/* Resolves a --data argument: "synthetic", "fashion-mnist" (the default Debian
 * location), or a folder holding IDX or CIFAR-10 binary files. When `spec` is
 * NULL or "fashion-mnist" and that is not installed, falls back to the
 * synthetic set and writes a notice into `notice` (empty otherwise). */
int dataset_open(dataset_pair *out, const char *spec, uint64_t seed,
                 char *notice, int notice_len, lr_err *e);

/* Keeps a class-balanced, seeded subset of n images of d (in place); n must be
 * between 1 and d->n. The paper's limited-data experiments. */
int dataset_take_subset(dataset *d, int n, uint64_t seed, lr_err *e);

/* Iterates mini-batches in a seeded order reshuffled at each epoch.
 * A batcher borrows its dataset; it owns only its index permutation. */
typedef struct batcher {
    const dataset *d;
    uint32_t *order;      /* [d->n] */
    int       pos;        /* next index in order */
    int       batch;      /* batch size */
    bool      shuffle;
    bool      augment;    /* random crop (pad 4) + horizontal flip, for CIFAR */
    long      epoch;      /* completed epochs */
    lr_rng    rng;
} batcher;

/* Prepares batches of `batch` examples of d (1 <= batch <= d->n), shuffled
 * from `seed` when asked, augmentation off. Returns 0, or -1 with `e` set;
 * batcher_free releases the order array. */
int  batcher_init(batcher *b, const dataset *d, int batch, bool shuffle, uint64_t seed,
                  lr_err *e);
void batcher_free(batcher *b);

/* Fills x [batch][dim] with normalised floats and y [batch] with labels, from
 * the next `batch` examples. When fewer than `batch` remain in the epoch, the
 * order is reshuffled and the batch is completed from the next epoch (every
 * batch is full). Returns the number of epochs completed during this call (0
 * or 1). No allocation. */
int  batcher_next(batcher *b, float *x, int *y);

/* Converts examples [start, start+n) of d, in storage order, to normalised
 * floats (for evaluation). */
void dataset_to_float(const dataset *d, int start, int n, float *x, int *y);

#endif
