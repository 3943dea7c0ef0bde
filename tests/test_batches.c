/* test_batches.c — data in memory: the generated set, class-balanced
 * subsets, mini-batches (order, shuffling, augmentation) and normalisation.
 *
 * These tests share the suite `datasets` with test_loaders.c, which declares
 * it. */
#include <criterion/criterion.h>

#include "datasets/dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/testutil.h"

/* ---- generated set ---- */

Test(datasets, synthetic_deterministic_per_seed)
{
    dataset_pair a, b, c;
    lr_err e = { "" };
    cr_assert_eq(dataset_make_synthetic(&a, 500, 100, 11, &e), 0, "%s", e.msg);
    cr_assert_eq(dataset_make_synthetic(&b, 500, 100, 11, &e), 0, "%s", e.msg);
    cr_assert_eq(dataset_make_synthetic(&c, 500, 100, 12, &e), 0, "%s", e.msg);
    cr_assert(a.train.c == 1 && a.train.h == 16 && a.train.w == 16 && a.train.n_classes == 10);
    cr_assert(memcmp(a.train.pixels, b.train.pixels, 500 * 256) == 0);
    cr_assert(memcmp(a.test.pixels, b.test.pixels, 100 * 256) == 0);
    cr_assert(memcmp(a.train.labels, b.train.labels, 500) == 0);
    cr_assert(memcmp(a.train.pixels, c.train.pixels, 500 * 256) != 0);
    cr_assert(memcmp(a.train.pixels, a.test.pixels, 100 * 256) != 0, "test repeats train");
    cr_assert(a.test.mean[0] == a.train.mean[0] && a.test.std[0] == a.train.std[0]);
    dataset_pair_free(&a);
    dataset_pair_free(&b);
    dataset_pair_free(&c);
    cr_assert_eq(dataset_make_synthetic(&c, 0, 100, 1, &e), -1);
    cr_assert(c.train.pixels == NULL);
}

/* All classes present and balanced; and no linear template solves the set:
 * nearest class mean (a linear classifier) stays far from perfect. */
Test(datasets, synthetic_balanced_and_not_linear)
{
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_make_synthetic(&p, 6000, 1000, 5, &e), 0, "%s", e.msg);
    int count[10] = { 0 };
    static double centroid[10][256];
    memset(centroid, 0, sizeof centroid);
    for (int i = 0; i < p.train.n; i++) {
        int y = p.train.labels[i];
        cr_assert(y < 10);
        count[y]++;
        for (int k = 0; k < 256; k++)
            centroid[y][k] += p.train.pixels[i * 256 + k];
    }
    for (int y = 0; y < 10; y++) {
        cr_assert(count[y] >= 540 && count[y] <= 660, "class %d has %d images", y, count[y]);
        for (int k = 0; k < 256; k++)
            centroid[y][k] /= count[y];
    }
    int correct = 0;
    for (int i = 0; i < p.test.n; i++) {
        int best = 0;
        double best_d = HUGE_VAL;
        for (int y = 0; y < 10; y++) {
            double d = 0;
            for (int k = 0; k < 256; k++) {
                double t = p.test.pixels[i * 256 + k] - centroid[y][k];
                d += t * t;
            }
            if (d < best_d) {
                best_d = d;
                best = y;
            }
        }
        correct += best == p.test.labels[i];
    }
    cr_assert(correct < 500, "nearest class mean gets %d/1000: the set is too easy", correct);
    dataset_pair_free(&p);
}

/* ---- subsets ---- */

/* n images of 2 pixels holding the image's index (low, high byte); class k
 * has 20 + 4k images, so the classes are unbalanced. */
static void make_tagged(dataset *d, int *n_out)
{
    int n = 0;
    for (int k = 0; k < 10; k++)
        n += 20 + 4 * k;
    memset(d, 0, sizeof *d);
    d->pixels = malloc((size_t)n * 2);
    d->labels = malloc((size_t)n);
    for (int i = 0, k = 0, left = 20; i < n; i++, left--) {
        if (left == 0)
            left = 20 + 4 * ++k;
        d->pixels[2 * i] = (uint8_t)(i & 255);
        d->pixels[2 * i + 1] = (uint8_t)(i >> 8);
        d->labels[i] = (uint8_t)k;
    }
    /* interleave classes so storage order is not class order */
    lr_rng r;
    rng_seed(&r, 99);
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(&r, (uint32_t)i + 1);
        uint8_t t = d->labels[i];
        d->labels[i] = d->labels[j];
        d->labels[j] = t;
    }
    d->n = n;
    d->c = d->h = 1;
    d->w = 2;
    d->n_classes = 10;
    d->std[0] = 1.0f;   /* mean 0, std 1: x = pixel / 255 */
    snprintf(d->name, sizeof d->name, "tagged");
    *n_out = n;
}

static int tag_of(const dataset *d, int i)
{
    return d->pixels[2 * i] | d->pixels[2 * i + 1] << 8;
}

Test(datasets, subset_class_balanced_and_seeded)
{
    dataset full, a, b, c;
    int n;
    make_tagged(&full, &n);
    make_tagged(&a, &n);
    make_tagged(&b, &n);
    make_tagged(&c, &n);
    lr_err e = { "" };
    cr_assert_eq(dataset_take_subset(&a, 205, 1, &e), 0, "%s", e.msg);
    cr_assert_eq(dataset_take_subset(&b, 205, 1, &e), 0, "%s", e.msg);
    cr_assert_eq(dataset_take_subset(&c, 205, 2, &e), 0, "%s", e.msg);
    cr_assert_eq(a.n, 205);
    int count[10] = { 0 }, prev = -1;
    for (int i = 0; i < a.n; i++) {
        int t = tag_of(&a, i);
        cr_assert(t > prev, "kept images must be distinct and in storage order");
        prev = t;
        cr_assert_eq(a.labels[i], full.labels[t], "label does not follow its image");
        count[a.labels[i]]++;
    }
    for (int k = 0; k < 10; k++)
        cr_assert(count[k] == 20 || count[k] == 21, "class %d: %d", k, count[k]);
    cr_assert(memcmp(a.pixels, b.pixels, 2 * 205) == 0, "same seed, different subset");
    cr_assert(memcmp(a.pixels, c.pixels, 2 * 205) != 0, "other seed, same subset");

    /* 10 per class: seeds must change which images, not only the remainder */
    dataset_free(&a);
    dataset_free(&c);
    make_tagged(&a, &n);
    make_tagged(&c, &n);
    cr_assert_eq(dataset_take_subset(&a, 100, 1, &e), 0, "%s", e.msg);
    cr_assert_eq(dataset_take_subset(&c, 100, 2, &e), 0, "%s", e.msg);
    cr_assert(memcmp(a.pixels, c.pixels, 2 * 100) != 0, "the seed does not pick the images");
    dataset_free(&full);
    dataset_free(&a);
    dataset_free(&b);
    dataset_free(&c);
}

Test(datasets, subset_small_class_and_bounds)
{
    dataset d;
    int n;
    make_tagged(&d, &n);   /* class 0 has 20 images */
    lr_err e = { "" };
    cr_assert_eq(dataset_take_subset(&d, 0, 1, &e), -1);
    assert_has(e, "out of range");
    cr_assert_eq(dataset_take_subset(&d, n + 1, 1, &e), -1);
    cr_assert_eq(dataset_take_subset(&d, n, 1, &e), 0);
    cr_assert_eq(d.n, n);
    /* classes 0-2 hold 20, 24, 28: they give all they have and the
     * other seven classes share the rest evenly (30 each) */
    cr_assert_eq(dataset_take_subset(&d, 20 + 24 + 28 + 7 * 30, 3, &e), 0, "%s", e.msg);
    int count[10] = { 0 };
    for (int i = 0; i < d.n; i++)
        count[d.labels[i]]++;
    for (int k = 0; k < 10; k++)
        cr_assert_eq(count[k], k < 3 ? 20 + 4 * k : 30, "class %d: %d", k, count[k]);
    dataset_free(&d);
}

/* ---- batches ---- */

static int tag_of_x(const float *x)
{
    return (int)lroundf(x[0] * 255.0f) | (int)lroundf(x[1] * 255.0f) << 8;
}

Test(datasets, batcher_each_epoch_is_a_permutation)
{
    dataset d;
    int n;
    make_tagged(&d, &n);
    batcher b;
    lr_err e = { "" };
    enum { B = 37, EPOCHS = 4 };
    cr_assert_eq(batcher_init(&b, &d, B, true, 5, &e), 0, "%s", e.msg);
    int *seq = malloc(sizeof(int) * (size_t)(n * EPOCHS + B));
    float x[B * 2];
    int y[B], total = 0;
    while (total < n * EPOCHS) {
        int done = batcher_next(&b, x, y);
        cr_assert_eq(done, (total + B) / n - total / n, "epochs reported at %d", total);
        for (int k = 0; k < B; k++) {
            seq[total + k] = tag_of_x(x + 2 * k);
            cr_assert_eq(y[k], d.labels[seq[total + k]]);
        }
        total += B;
    }
    cr_assert_eq(b.epoch, total / n);
    for (int ep = 0; ep < EPOCHS; ep++) {
        static int seen[400];
        memset(seen, 0, sizeof seen);
        for (int i = 0; i < n; i++)
            seen[seq[ep * n + i]]++;
        for (int i = 0; i < n; i++)
            cr_assert_eq(seen[i], 1, "epoch %d: example %d seen %d times", ep, i, seen[i]);
        if (ep > 0)
            cr_assert(memcmp(seq + ep * n, seq + (ep - 1) * n, sizeof(int) * (size_t)n) != 0,
                      "epoch %d repeats the previous order", ep);
    }
    bool identity = true;
    for (int i = 0; i < n; i++)
        identity = identity && seq[i] == i;
    cr_assert(!identity, "shuffle left the storage order");
    free(seq);
    batcher_free(&b);
    dataset_free(&d);
}

/* The first `steps` batches' tags, concatenated. */
static void batch_tags(const dataset *d, uint64_t seed, bool shuffle, int steps, int *tags)
{
    batcher b;
    lr_err e = { "" };
    cr_assert_eq(batcher_init(&b, d, 16, shuffle, seed, &e), 0, "%s", e.msg);
    float x[16 * 2];
    int y[16];
    for (int s = 0; s < steps; s++) {
        batcher_next(&b, x, y);
        for (int k = 0; k < 16; k++)
            tags[s * 16 + k] = tag_of_x(x + 2 * k);
    }
    batcher_free(&b);
}

Test(datasets, batcher_seeded_order)
{
    dataset d;
    int n;
    make_tagged(&d, &n);
    static int a[60 * 16], b[60 * 16], c[60 * 16], plain[60 * 16];
    batch_tags(&d, 8, true, 60, a);
    batch_tags(&d, 8, true, 60, b);
    batch_tags(&d, 9, true, 60, c);
    batch_tags(&d, 8, false, 60, plain);
    cr_assert(memcmp(a, b, sizeof a) == 0, "same seed, different order");
    cr_assert(memcmp(a, c, sizeof a) != 0, "other seed, same order");
    for (int i = 0; i < 60 * 16; i++)
        cr_assert_eq(plain[i], i % n, "without shuffle, storage order");
    dataset_free(&d);
}

Test(datasets, batcher_rejects_bad_sizes)
{
    dataset d;
    int n;
    make_tagged(&d, &n);
    batcher b;
    lr_err e = { "" };
    cr_assert_eq(batcher_init(&b, &d, 0, true, 1, &e), -1);
    cr_assert_eq(batcher_init(&b, &d, n + 1, true, 1, &e), -1);
    assert_has(e, "batch size");
    cr_assert(b.order == NULL);
    batcher_free(&b);
    dataset_free(&d);
}

/* 3x8x8 images whose pixel (ch, r, c) is 1 + ch*64 + r*8 + c: after
 * augmentation every output must be the original shifted by at most 4 and
 * maybe mirrored, the same way in every channel, with 0 where uncovered. */
Test(datasets, batcher_augment_is_crop_and_flip)
{
    dataset d = { .n = 4, .c = 3, .h = 8, .w = 8, .n_classes = 10 };
    d.pixels = malloc(4 * 192);
    d.labels = calloc(4, 1);
    for (int i = 0; i < 4 * 192; i++)
        d.pixels[i] = (uint8_t)(1 + i % 192);
    for (int ch = 0; ch < 3; ch++)
        d.std[ch] = 1.0f;
    batcher b;
    lr_err e = { "" };
    cr_assert_eq(batcher_init(&b, &d, 4, true, 3, &e), 0, "%s", e.msg);
    b.augment = true;
    float x[4 * 192];
    int y[4], n_flip = 0, shifts[9][9] = { { 0 } };
    for (int step = 0; step < 100; step++) {
        batcher_next(&b, x, y);
        for (int k = 0; k < 4; k++) {
            const float *img = x + k * 192;
            int found = 0;
            for (int flip = 0; flip <= 1 && !found; flip++)
                for (int dy = -4; dy <= 4 && !found; dy++)
                    for (int dx = -4; dx <= 4 && !found; dx++) {
                        bool ok = true;
                        for (int i = 0; i < 192 && ok; i++) {
                            int ch = i / 64, r = i / 8 % 8, c = i % 8;
                            int sc = flip ? 7 - c : c, rr = r + dy, cc = sc + dx;
                            int want = rr < 0 || rr > 7 || cc < 0 || cc > 7
                                       ? 0 : 1 + ch * 64 + rr * 8 + cc;
                            ok = lroundf(img[i] * 255.0f) == want;
                        }
                        if (ok) {
                            found = 1;
                            n_flip += flip;
                            shifts[dy + 4][dx + 4]++;
                        }
                    }
            cr_assert(found, "step %d image %d is not a crop/flip of its source", step, k);
        }
    }
    cr_assert(n_flip > 150 && n_flip < 250, "%d of 400 flipped", n_flip);
    int distinct = 0;
    for (int i = 0; i < 81; i++)
        distinct += shifts[i / 9][i % 9] > 0;
    cr_assert(distinct > 70, "only %d of 81 shifts drawn", distinct);
    batcher_free(&b);
    dataset_free(&d);
}

/* ---- normalisation ---- */

Test(datasets, batches_are_normalised_over_the_training_set)
{
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_make_synthetic(&p, 3000, 10, 4, &e), 0, "%s", e.msg);
    batcher b;
    cr_assert_eq(batcher_init(&b, &p.train, 100, true, 1, &e), 0, "%s", e.msg);
    static float x[100 * 256];
    int y[100];
    double sum = 0, sum_sq = 0;
    for (int s = 0; s < 30; s++) {
        cr_assert_eq(batcher_next(&b, x, y), s == 29 ? 1 : 0);
        for (int i = 0; i < 100 * 256; i++) {
            sum += (double)x[i];
            sum_sq += (double)x[i] * (double)x[i];
        }
    }
    double count = 3000.0 * 256, mean = sum / count, var = sum_sq / count - mean * mean;
    cr_assert(fabs(mean) < 1e-4, "mean %g", mean);
    cr_assert(fabs(sqrt(var) - 1.0) < 1e-4, "std %g", sqrt(var));
    batcher_free(&b);

    /* dataset_to_float agrees with the batcher and the formula */
    float one[256];
    int label;
    dataset_to_float(&p.train, 17, 1, one, &label);
    cr_assert_eq(label, p.train.labels[17]);
    for (int k = 0; k < 256; k++) {
        float want = (p.train.pixels[17 * 256 + k] / 255.0f - p.train.mean[0]) / p.train.std[0];
        cr_assert(fabsf(one[k] - want) < 1e-5f, "pixel %d: %f vs %f", k, (double)one[k],
                  (double)want);
    }
    dataset_pair_free(&p);
}

Test(datasets, stats_per_channel)
{
    /* channel 0 alternates 0/255 (mean .5, std .5); channel 1 is constant */
    dataset d = { .n = 3, .c = 2, .h = 2, .w = 2, .n_classes = 10 };
    uint8_t px[3 * 8];
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 8; k++)
            px[i * 8 + k] = k < 4 ? (uint8_t)(k % 2 ? 255 : 0) : 51;
    d.pixels = px;
    dataset_compute_stats(&d);
    cr_assert(fabsf(d.mean[0] - 0.5f) < 1e-6f && fabsf(d.std[0] - 0.5f) < 1e-6f);
    cr_assert(fabsf(d.mean[1] - 0.2f) < 1e-6f);
    cr_assert(d.std[1] == 1.0f, "a constant channel must not divide by zero");
    cr_assert(d.mean[2] == 0.0f && d.std[2] == 1.0f);

    dataset zero = { 0 };
    dataset_free(&zero);
    dataset_pair pz = { 0 };
    dataset_pair_free(&pz);
}
