/* dataset.c — what every data set shares: freeing, statistics, subsets,
 * conversion to floats, and resolving a --data argument to a loader.
 *
 * The format loaders live beside this file (idx.c, cifar.c, synthetic.c);
 * this file only decides which one to call. */
#define _POSIX_C_SOURCE 200809L

#include "datasets/dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/sysmem.h"

/* Debian/Ubuntu's dataset-fashion-mnist package installs here; a build for
 * another layout may define it on the command line. */
#ifndef DATASET_FASHION_DIR
#define DATASET_FASHION_DIR "/usr/share/datasets/fashion-mnist/"
#endif
/* Size of the generated set used for "synthetic" and as the fallback. */
#define DATASET_SYNTH_TRAIN 6000
#define DATASET_SYNTH_TEST  1000
/* A std below this is a constant channel: normalise by 1 instead of
 * dividing by almost zero. */
#define DATASET_MIN_STD 1e-6f

void dataset_free(dataset *d)
{
    if (!d)
        return;
    free(d->pixels);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

void dataset_pair_free(dataset_pair *p)
{
    if (!p)
        return;
    dataset_free(&p->train);
    dataset_free(&p->test);
}

/* Sums in double: 47 million pixels would lose precision in a float sum. */
void dataset_compute_stats(dataset *d)
{
    int plane = d->h * d->w, dim = dataset_dim(d);
    for (int ch = 0; ch < d->c && ch < DATASET_MAX_CHANNELS; ch++) {
        double sum = 0.0, sum_sq = 0.0;
        for (int i = 0; i < d->n; i++) {
            const uint8_t *p = d->pixels + (size_t)i * (size_t)dim + (size_t)ch * (size_t)plane;
            uint64_t s = 0, s2 = 0;     /* exact per image */
            for (int k = 0; k < plane; k++) {
                s += p[k];
                s2 += (uint32_t)p[k] * p[k];
            }
            sum += (double)s;
            sum_sq += (double)s2;
        }
        double count = (double)d->n * plane;
        double mean = 0.0, var = 0.0;
        if (count > 0) {
            mean = sum / count;
            var = sum_sq / count - mean * mean;
        }
        if (var < 0.0)
            var = 0.0;
        float m = (float)(mean / 255.0), s = (float)(sqrt(var) / 255.0);
        d->mean[ch] = m;
        d->std[ch] = s < DATASET_MIN_STD ? 1.0f : s;
    }
    /* Unused channels normalise to the identity. */
    for (int ch = d->c < 0 ? 0 : d->c; ch < DATASET_MAX_CHANNELS; ch++) {
        d->mean[ch] = 0.0f;
        d->std[ch] = 1.0f;
    }
}

void dataset_pair_share_train_stats(dataset_pair *p)
{
    memcpy(p->test.mean, p->train.mean, sizeof p->test.mean);
    memcpy(p->test.std, p->train.std, sizeof p->test.std);
}

void dataset_to_float(const dataset *d, int start, int n, float *x, int *y)
{
    /* x = (p/255 - mean) / std, as one multiply-add per pixel. */
    float scale[DATASET_MAX_CHANNELS], offset[DATASET_MAX_CHANNELS];
    for (int ch = 0; ch < d->c; ch++) {
        scale[ch] = 1.0f / (255.0f * d->std[ch]);
        offset[ch] = -d->mean[ch] / d->std[ch];
    }
    size_t plane = (size_t)d->h * (size_t)d->w, dim = (size_t)dataset_dim(d);
    for (int i = 0; i < n; i++) {
        const uint8_t *p = d->pixels + (size_t)(start + i) * dim;
        float *out = x + (size_t)i * dim;
        for (int ch = 0; ch < d->c; ch++) {
            const uint8_t *pc = p + (size_t)ch * plane;
            float *oc = out + (size_t)ch * plane;
            for (size_t k = 0; k < plane; k++)
                oc[k] = (float)pc[k] * scale[ch] + offset[ch];
        }
        if (y)
            y[i] = d->labels[start + i];
    }
}

/* Chooses how many images of each class to keep: one at a time, round-robin
 * over the classes in a seeded order, skipping classes that ran out. Every
 * class gets floor or ceil of its fair share, unless it has fewer images. */
static void subset_quotas(const int *count, int n_classes, int n, lr_rng *r, int *quota)
{
    uint32_t order[256];
    for (int k = 0; k < n_classes; k++) {
        order[k] = (uint32_t)k;
        quota[k] = 0;
    }
    rng_shuffle(r, order, (uint32_t)n_classes);
    int taken = 0;
    while (taken < n) {
        for (int j = 0; j < n_classes && taken < n; j++) {
            int k = (int)order[j];
            if (quota[k] < count[k]) {
                quota[k]++;
                taken++;
            }
        }
    }
}

/* Kept images stay in storage order; the batcher shuffles them anyway. */
int dataset_take_subset(dataset *d, int n, uint64_t seed, lr_err *e)
{
    if (n < 1 || n > d->n)
        return lr_fail(e, "subset size %d is out of range: %s has %d training images",
                       n, d->name, d->n);
    if (d->n_classes < 1 || d->n_classes > 256)
        return lr_fail(e, "%s: cannot take a subset of %d classes", d->name, d->n_classes);
    if (n == d->n)
        return 0;

    int n_classes = d->n_classes;
    int count[256] = {0}, first[256], quota[256];
    for (int i = 0; i < d->n; i++) {
        if (d->labels[i] >= n_classes)
            return lr_fail(e, "%s: label %d at index %d is out of range (expected 0 to %d)",
                           d->name, d->labels[i], i, n_classes - 1);
        count[d->labels[i]]++;
    }
    uint32_t *by_class = malloc((size_t)d->n * sizeof *by_class);
    uint8_t *keep = calloc((size_t)d->n, 1);
    if (!by_class || !keep) {
        free(by_class);
        free(keep);
        return lr_fail(e, "%s: out of memory taking a subset of %d images", d->name, n);
    }
    /* Indices grouped by class (a counting sort), then each group shuffled:
     * the first quota[k] of group k are the kept images of class k. */
    for (int k = 0, at = 0; k < n_classes; k++) {
        first[k] = at;
        at += count[k];
    }
    int fill[256];
    memcpy(fill, first, sizeof fill);
    for (int i = 0; i < d->n; i++)
        by_class[fill[d->labels[i]]++] = (uint32_t)i;

    lr_rng r;
    rng_seed(&r, seed);
    subset_quotas(count, n_classes, n, &r, quota);
    for (int k = 0; k < n_classes; k++) {
        rng_shuffle(&r, by_class + first[k], (uint32_t)count[k]);
        for (int j = 0; j < quota[k]; j++)
            keep[by_class[first[k] + j]] = 1;
    }
    free(by_class);

    /* Compact in place: destination index never passes the source. */
    size_t dim = (size_t)dataset_dim(d);
    int out = 0;
    for (int i = 0; i < d->n; i++) {
        if (!keep[i])
            continue;
        if (out != i) {
            memcpy(d->pixels + (size_t)out * dim, d->pixels + (size_t)i * dim, dim);
            d->labels[out] = d->labels[i];
        }
        out++;
    }
    free(keep);
    d->n = n;
    /* Shrinking cannot lose data; if realloc declines, the larger block stays. */
    uint8_t *p = realloc(d->pixels, (size_t)n * dim);
    if (p)
        d->pixels = p;
    uint8_t *l = realloc(d->labels, (size_t)n);
    if (l)
        d->labels = l;
    return 0;
}

int dataset_check_fits(size_t need, size_t available, const char *what, lr_err *e)
{
    if (need <= available)
        return 0;
    char n[32], a[32];
    sysmem_format(need, n, sizeof n);
    sysmem_format(available, a, sizeof a);
    return lr_fail(e, "%s needs %s of memory but only %s is available", what, n, a);
}

static bool path_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* True when dir/name exists (any kind of file). */
static bool dir_has(const char *dir, const char *name)
{
    char path[4096];
    size_t len = strlen(dir);
    const char *sep = len > 0 && dir[len - 1] == '/' ? "" : "/";
    int w = snprintf(path, sizeof path, "%s%s%s", dir, sep, name);
    return w > 0 && (size_t)w < sizeof path && access(path, F_OK) == 0;
}

static bool dir_has_idx(const char *dir)
{
    static const char *const names[] = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char gz[64];
        snprintf(gz, sizeof gz, "%s.gz", names[i]);
        if (dir_has(dir, names[i]) || dir_has(dir, gz))
            return true;
    }
    return false;
}

static bool dir_has_cifar(const char *dir)
{
    return dir_has(dir, "data_batch_1.bin") || dir_has(dir, "test_batch.bin");
}

static int open_synthetic(dataset_pair *out, uint64_t seed, lr_err *e)
{
    return dataset_make_synthetic(out, DATASET_SYNTH_TRAIN, DATASET_SYNTH_TEST, seed, e);
}

/* A folder given by path: IDX files, CIFAR-10 files, or CIFAR-10's archive
 * unpacked inside it (cifar-10-batches-bin/). */
static int open_folder(dataset_pair *out, const char *dir, lr_err *e)
{
    if (!path_is_dir(dir)) {
        if (access(dir, F_OK) == 0)
            return lr_fail(e, "--data %s: not a folder (expected \"synthetic\", "
                           "\"fashion-mnist\" or a folder of IDX or CIFAR-10 files)", dir);
        return lr_fail(e, "--data %s: no such folder (expected \"synthetic\", "
                       "\"fashion-mnist\" or a folder of IDX or CIFAR-10 files)", dir);
    }
    if (dir_has_idx(dir))
        return dataset_load_idx_dir(out, dir, e);
    if (dir_has_cifar(dir))
        return dataset_load_cifar10_dir(out, dir, e);

    char sub[4096];
    size_t len = strlen(dir);
    int w = snprintf(sub, sizeof sub, "%s%scifar-10-batches-bin", dir,
                     len > 0 && dir[len - 1] == '/' ? "" : "/");
    if (w > 0 && (size_t)w < sizeof sub && path_is_dir(sub) && dir_has_cifar(sub))
        return dataset_load_cifar10_dir(out, sub, e);

    return lr_fail(e, "%s: no data set found in this folder (expected the IDX files "
                   "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte "
                   "and t10k-labels-idx1-ubyte, each optionally .gz; or the CIFAR-10 binary "
                   "files data_batch_1.bin to data_batch_5.bin and test_batch.bin)", dir);
}

int dataset_open(dataset_pair *out, const char *spec, uint64_t seed,
                 char *notice, int notice_len, lr_err *e)
{
    memset(out, 0, sizeof *out);
    if (notice && notice_len > 0)
        notice[0] = '\0';

    if (spec && strcmp(spec, "synthetic") == 0)
        return open_synthetic(out, seed, e);
    if (spec && strcmp(spec, "fashion-mnist") != 0)
        return open_folder(out, spec, e);

    /* The default. A folder that exists but is incomplete or corrupt is an
     * error worth reporting; only a missing installation falls back. */
    if (path_is_dir(DATASET_FASHION_DIR) && dir_has_idx(DATASET_FASHION_DIR))
        return dataset_load_idx_dir(out, DATASET_FASHION_DIR, e);
    if (open_synthetic(out, seed, e) != 0)
        return -1;
    if (notice && notice_len > 0)
        snprintf(notice, (size_t)notice_len,
                 "Fashion-MNIST is not installed (no files in " DATASET_FASHION_DIR "); "
                 "using the generated synthetic set instead (%d train / %d test images). "
                 "To install Fashion-MNIST: make deps, or apt-get install dataset-fashion-mnist.",
                 DATASET_SYNTH_TRAIN, DATASET_SYNTH_TEST);
    return 0;
}
