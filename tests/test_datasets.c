/* test_datasets.c — loaders on files written here (good and corrupt), the
 * generated set, subsets, batching and normalisation.
 *
 * Each test that touches files gets its own fresh temporary folder (.init)
 * which is removed afterwards (.fini), pass or fail. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>

#include "datasets/dataset.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- temporary folder ---- */

static char tmp_dir[1024];

static void tmp_setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/lrscope-datasets-XXXXXX", base && *base ? base : "/tmp");
    cr_assert(mkdtemp(tmp_dir) != NULL, "cannot create a temporary folder in %s", tmp_dir);
}

static void rm_tree(const char *path)
{
    DIR *dir = opendir(path);
    if (dir) {
        struct dirent *ent;
        while ((ent = readdir(dir)) != NULL) {
            if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
                continue;
            char sub[2048];
            snprintf(sub, sizeof sub, "%s/%s", path, ent->d_name);
            rm_tree(sub);
        }
        closedir(dir);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void tmp_teardown(void)
{
    if (tmp_dir[0])
        rm_tree(tmp_dir);
}

/* tmp_dir/name in a rotating static buffer (a few alive at once). */
static const char *tmp(const char *name)
{
    static char bufs[4][2048];
    static int next;
    char *p = bufs[next++ % 4];
    snprintf(p, sizeof bufs[0], "%s/%s", tmp_dir, name);
    return p;
}

#define assert_has(e, phrase) \
    cr_assert(strstr((e).msg, (phrase)) != NULL, "expected \"%s\" in: %s", (phrase), (e).msg)

/* ---- writing files ---- */

typedef struct bytes {
    uint8_t data[1 << 16];
    size_t  len;
} bytes;

static void put32(bytes *b, uint32_t v)
{
    for (int s = 24; s >= 0; s -= 8)
        b->data[b->len++] = (uint8_t)(v >> s);
}

static void put(bytes *b, const uint8_t *p, size_t n)
{
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void write_file(const char *path, const bytes *b, bool gz)
{
    if (gz) {
        gzFile f = gzopen(path, "wb");
        cr_assert(f != NULL);
        cr_assert_eq(gzwrite(f, b->data, (unsigned)b->len), (int)b->len);
        cr_assert_eq(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        cr_assert(f != NULL);
        cr_assert_eq(fwrite(b->data, 1, b->len, f), b->len);
        cr_assert_eq(fclose(f), 0);
    }
}

/* The reference content: N_IMG images of ROWS x COLS, labels cycling 0-9. */
enum { N_IMG = 13, ROWS = 5, COLS = 6, IMG_BYTES = N_IMG * ROWS * COLS };
static uint8_t ref_pixels[IMG_BYTES], ref_labels[N_IMG];

static void make_ref(void)
{
    lr_rng r;
    rng_seed(&r, 7);
    for (int i = 0; i < IMG_BYTES; i++)
        ref_pixels[i] = (uint8_t)rng_below(&r, 256);
    for (int i = 0; i < N_IMG; i++)
        ref_labels[i] = (uint8_t)(i * 3 % 10);
}

/* An IDX image file with the given header and the first n_bytes reference pixels. */
static void write_images(const char *path, uint32_t magic, uint32_t n, uint32_t rows,
                         uint32_t cols, size_t n_bytes, bool gz)
{
    static bytes b;
    b.len = 0;
    put32(&b, magic);
    put32(&b, n);
    put32(&b, rows);
    put32(&b, cols);
    put(&b, ref_pixels, n_bytes);
    write_file(path, &b, gz);
}

static void write_labels(const char *path, uint32_t magic, uint32_t n, const uint8_t *labels,
                         size_t n_bytes, bool gz)
{
    static bytes b;
    b.len = 0;
    put32(&b, magic);
    put32(&b, n);
    put(&b, labels, n_bytes);
    write_file(path, &b, gz);
}

static void write_good_pair(const char *img, const char *lab, bool gz)
{
    make_ref();
    write_images(img, 0x803, N_IMG, ROWS, COLS, IMG_BYTES, gz);
    write_labels(lab, 0x801, N_IMG, ref_labels, N_IMG, gz);
}

/* Loads a pair expected to be rejected; checks the contract on failure. */
static lr_err load_bad(const char *img, const char *lab)
{
    dataset d;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_idx(&d, img, lab, &e), -1, "a corrupt pair was accepted");
    cr_assert(d.pixels == NULL && d.labels == NULL && d.n == 0, "half-loaded on failure");
    return e;
}

/* ---- IDX ---- */

TestSuite(datasets, .init = tmp_setup, .fini = tmp_teardown);

Test(datasets, idx_round_trip_exact)
{
    write_good_pair(tmp("img"), tmp("lab"), false);
    dataset d;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_idx(&d, tmp("img"), tmp("lab"), &e), 0, "%s", e.msg);
    cr_assert(d.n == N_IMG && d.c == 1 && d.h == ROWS && d.w == COLS && d.n_classes == 10);
    cr_assert(memcmp(d.pixels, ref_pixels, IMG_BYTES) == 0, "pixels differ");
    cr_assert(memcmp(d.labels, ref_labels, N_IMG) == 0, "labels differ");
    double sum = 0;
    for (int i = 0; i < IMG_BYTES; i++)
        sum += ref_pixels[i] / 255.0;
    cr_assert(fabs((double)d.mean[0] - sum / IMG_BYTES) < 1e-6, "mean %f", (double)d.mean[0]);
    dataset_free(&d);
}

Test(datasets, idx_gzip_matches_plain)
{
    write_good_pair(tmp("img"), tmp("lab"), false);
    write_good_pair(tmp("img.gz"), tmp("lab.gz"), true);
    dataset a, b;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_idx(&a, tmp("img"), tmp("lab"), &e), 0, "%s", e.msg);
    cr_assert_eq(dataset_load_idx(&b, tmp("img.gz"), tmp("lab.gz"), &e), 0, "%s", e.msg);
    cr_assert(a.n == b.n && a.h == b.h && a.w == b.w);
    cr_assert(memcmp(a.pixels, b.pixels, IMG_BYTES) == 0);
    cr_assert(memcmp(a.labels, b.labels, N_IMG) == 0);
    cr_assert(a.mean[0] == b.mean[0] && a.std[0] == b.std[0]);
    dataset_free(&a);
    dataset_free(&b);
}

Test(datasets, idx_dir_mixes_plain_and_gzip_and_shares_stats)
{
    write_good_pair(tmp("train-images-idx3-ubyte.gz"), tmp("train-labels-idx1-ubyte.gz"), true);
    write_images(tmp("t10k-images-idx3-ubyte"), 0x803, 2, ROWS, COLS, 2 * ROWS * COLS, false);
    write_labels(tmp("t10k-labels-idx1-ubyte"), 0x801, 2, (const uint8_t[]){ 9, 0 }, 2, false);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_idx_dir(&p, tmp_dir, &e), 0, "%s", e.msg);
    cr_assert_eq(p.train.n, N_IMG);
    cr_assert_eq(p.test.n, 2);
    cr_assert_eq(p.test.labels[0], 9);
    cr_assert(memcmp(p.test.pixels, ref_pixels, 2 * ROWS * COLS) == 0);
    cr_assert_str_eq(p.train.name, strrchr(tmp_dir, '/') + 1);
    cr_assert(p.test.mean[0] == p.train.mean[0] && p.test.std[0] == p.train.std[0],
              "test set must use the training statistics");
    dataset_pair_free(&p);
    cr_assert(p.train.pixels == NULL && p.test.pixels == NULL);
}

Test(datasets, idx_dir_missing_file_is_named)
{
    write_good_pair(tmp("train-images-idx3-ubyte"), tmp("train-labels-idx1-ubyte"), false);
    write_good_pair(tmp("t10k-images-idx3-ubyte"), tmp("unrelated"), false);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_idx_dir(&p, tmp_dir, &e), -1);
    assert_has(e, "t10k-labels-idx1-ubyte");
    assert_has(e, "not found");
    cr_assert(p.train.pixels == NULL && p.test.pixels == NULL);
}

Test(datasets, idx_missing_file)
{
    write_good_pair(tmp("img"), tmp("lab"), false);
    lr_err e = load_bad(tmp("no-such-images"), tmp("lab"));
    assert_has(e, tmp("no-such-images"));
    assert_has(e, "cannot open");
    e = load_bad(tmp("img"), tmp("no-such-labels"));
    assert_has(e, tmp("no-such-labels"));
    assert_has(e, "cannot open");
}

Test(datasets, idx_bad_magic)
{
    write_good_pair(tmp("img"), tmp("lab"), false);
    write_images(tmp("swapped"), 0x801, N_IMG, ROWS, COLS, IMG_BYTES, false);
    lr_err e = load_bad(tmp("swapped"), tmp("lab"));
    assert_has(e, tmp("swapped"));
    assert_has(e, "bad magic number 0x00000801 (expected 0x00000803");
    write_labels(tmp("badlab"), 0x12345678, N_IMG, ref_labels, N_IMG, false);
    e = load_bad(tmp("img"), tmp("badlab"));
    assert_has(e, tmp("badlab"));
    assert_has(e, "bad magic number 0x12345678 (expected 0x00000801");
}

Test(datasets, idx_bad_dimensions)
{
    write_good_pair(tmp("img"), tmp("lab"), false);
    const uint32_t dims[][3] = { { N_IMG, 0, COLS }, { N_IMG, ROWS, 5000 }, { 0, ROWS, COLS } };
    for (int i = 0; i < 3; i++) {
        write_images(tmp("dims"), 0x803, dims[i][0], dims[i][1], dims[i][2], IMG_BYTES, false);
        lr_err e = load_bad(tmp("dims"), tmp("lab"));
        assert_has(e, tmp("dims"));
        assert_has(e, "bad dimensions");
    }
}

Test(datasets, idx_truncated_images)
{
    write_good_pair(tmp("img"), tmp("lab"), false);
    for (int gz = 0; gz <= 1; gz++) {
        const char *path = tmp(gz ? "short.gz" : "short");
        write_images(path, 0x803, N_IMG, ROWS, COLS, IMG_BYTES - 17, gz);
        lr_err e = load_bad(path, tmp("lab"));
        assert_has(e, path);
        assert_has(e, "truncated: expected 390 bytes of pixels, got 373");
    }
    write_images(tmp("header-only"), 0x803, N_IMG, ROWS, COLS, 0, false);
    cr_assert_eq(truncate(tmp("header-only"), 9), 0);
    lr_err e = load_bad(tmp("header-only"), tmp("lab"));
    assert_has(e, "truncated: expected 16 bytes of header, got 9");
}

Test(datasets, idx_gzip_stream_cut_off)
{
    write_good_pair(tmp("img"), tmp("lab"), false);
    write_images(tmp("img.gz"), 0x803, N_IMG, ROWS, COLS, IMG_BYTES, true);
    struct stat st;
    cr_assert_eq(stat(tmp("img.gz"), &st), 0);
    cr_assert_eq(truncate(tmp("img.gz"), st.st_size / 2), 0);
    lr_err e = load_bad(tmp("img.gz"), tmp("lab"));
    assert_has(e, tmp("img.gz"));
    assert_has(e, "truncated");
}

Test(datasets, idx_truncated_labels)
{
    write_good_pair(tmp("img"), tmp("lab"), false);
    write_labels(tmp("short"), 0x801, N_IMG, ref_labels, N_IMG - 4, false);
    lr_err e = load_bad(tmp("img"), tmp("short"));
    assert_has(e, tmp("short"));
    assert_has(e, "truncated: expected 13 bytes of labels, got 9");
}

Test(datasets, idx_trailing_bytes_rejected)
{
    write_good_pair(tmp("img"), tmp("lab"), false);
    write_images(tmp("long"), 0x803, N_IMG - 1, ROWS, COLS, IMG_BYTES, false);
    write_labels(tmp("lab12"), 0x801, N_IMG - 1, ref_labels, N_IMG - 1, false);
    lr_err e = load_bad(tmp("long"), tmp("lab12"));
    assert_has(e, tmp("long"));
    assert_has(e, "extra bytes");
}

Test(datasets, idx_count_mismatch)
{
    write_good_pair(tmp("img"), tmp("lab"), false);
    write_labels(tmp("lab12"), 0x801, N_IMG - 1, ref_labels, N_IMG - 1, false);
    lr_err e = load_bad(tmp("img"), tmp("lab12"));
    assert_has(e, "count mismatch");
    assert_has(e, tmp("img"));
    assert_has(e, tmp("lab12"));
}

Test(datasets, idx_label_out_of_range)
{
    write_good_pair(tmp("img"), tmp("lab"), false);
    uint8_t labels[N_IMG];
    memcpy(labels, ref_labels, N_IMG);
    labels[4] = 10;
    write_labels(tmp("lab10"), 0x801, N_IMG, labels, N_IMG, false);
    lr_err e = load_bad(tmp("img"), tmp("lab10"));
    assert_has(e, tmp("lab10"));
    assert_has(e, "label 10 at index 4 is out of range");
}

/* ---- CIFAR-10 ---- */

/* n records with labels (first + i) % 10 and pixel bytes from `seed`. */
static void write_cifar(const char *path, int n, int first, uint64_t seed, uint8_t *pix_out)
{
    static bytes b;
    lr_rng r;
    rng_seed(&r, seed);
    b.len = 0;
    for (int i = 0; i < n; i++) {
        b.data[b.len++] = (uint8_t)((first + i) % 10);
        for (int k = 0; k < 3072; k++) {
            /* channel-dependent brightness: red bright, blue dark */
            uint8_t v = (uint8_t)(k < 1024 ? 128 + rng_below(&r, 128) : k < 2048
                                  ? rng_below(&r, 256) : rng_below(&r, 64));
            b.data[b.len++] = v;
            if (pix_out)
                pix_out[i * 3072 + k] = v;
        }
    }
    write_file(path, &b, false);
}

Test(datasets, cifar_round_trip_and_batch_order)
{
    static uint8_t p1[3 * 3072], p3[2 * 3072];
    write_cifar(tmp("data_batch_1.bin"), 3, 0, 1, p1);
    write_cifar(tmp("data_batch_3.bin"), 2, 5, 3, p3);   /* batch 2 absent: skipped */
    write_cifar(tmp("test_batch.bin"), 4, 2, 9, NULL);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmp_dir, &e), 0, "%s", e.msg);
    cr_assert(p.train.n == 5 && p.train.c == 3 && p.train.h == 32 && p.train.w == 32);
    cr_assert(p.test.n == 4 && p.train.n_classes == 10);
    cr_assert(memcmp(p.train.pixels, p1, sizeof p1) == 0);
    cr_assert(memcmp(p.train.pixels + sizeof p1, p3, sizeof p3) == 0);
    const uint8_t want[5] = { 0, 1, 2, 5, 6 };
    cr_assert(memcmp(p.train.labels, want, 5) == 0);
    cr_assert_eq(p.test.labels[3], 5);
    cr_assert(p.train.mean[0] > 0.6f && p.train.mean[2] < 0.15f, "channel means %f %f",
              (double)p.train.mean[0], (double)p.train.mean[2]);
    cr_assert(memcmp(p.test.mean, p.train.mean, sizeof p.test.mean) == 0);
    dataset_pair_free(&p);
}

Test(datasets, cifar_bad_size)
{
    write_cifar(tmp("data_batch_1.bin"), 2, 0, 1, NULL);
    write_cifar(tmp("test_batch.bin"), 2, 0, 2, NULL);
    cr_assert_eq(truncate(tmp("data_batch_1.bin"), 2 * 3073 - 100), 0);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmp_dir, &e), -1);
    assert_has(e, tmp("data_batch_1.bin"));
    assert_has(e, "is not a multiple of 3073");
    cr_assert(p.train.pixels == NULL);
}

Test(datasets, cifar_label_out_of_range)
{
    write_cifar(tmp("data_batch_1.bin"), 2, 0, 1, NULL);
    write_cifar(tmp("test_batch.bin"), 3, 0, 2, NULL);
    FILE *f = fopen(tmp("test_batch.bin"), "r+b");
    cr_assert(f != NULL);
    fseek(f, 2 * 3073, SEEK_SET);
    fputc(200, f);
    fclose(f);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmp_dir, &e), -1);
    assert_has(e, tmp("test_batch.bin"));
    assert_has(e, "label 200 in record 2 is out of range");
    cr_assert(p.train.pixels == NULL && p.test.pixels == NULL);
}

Test(datasets, cifar_missing_files)
{
    write_cifar(tmp("data_batch_2.bin"), 1, 0, 1, NULL);
    write_cifar(tmp("test_batch.bin"), 1, 0, 1, NULL);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmp_dir, &e), -1);
    assert_has(e, tmp("data_batch_1.bin"));
    assert_has(e, "not found");
    rename(tmp("data_batch_2.bin"), tmp("data_batch_1.bin"));
    unlink(tmp("test_batch.bin"));
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmp_dir, &e), -1);
    assert_has(e, tmp("test_batch.bin"));
    assert_has(e, "not found");
}

/* ---- resolving --data ---- */

Test(datasets, open_detects_folder_kinds)
{
    dataset_pair p;
    lr_err e = { "" };
    char notice[256];
    mkdir(tmp("mnist"), 0700);
    write_good_pair(tmp("mnist/train-images-idx3-ubyte"), tmp("mnist/train-labels-idx1-ubyte"), 0);
    write_good_pair(tmp("mnist/t10k-images-idx3-ubyte.gz"), tmp("mnist/t10k-labels-idx1-ubyte.gz"),
                    1);
    cr_assert_eq(dataset_open(&p, tmp("mnist/"), 1, notice, sizeof notice, &e), 0, "%s", e.msg);
    cr_assert_str_eq(p.train.name, "mnist");
    cr_assert_str_eq(notice, "");
    dataset_pair_free(&p);

    mkdir(tmp("cifar"), 0700);
    mkdir(tmp("cifar/cifar-10-batches-bin"), 0700);
    write_cifar(tmp("cifar/cifar-10-batches-bin/data_batch_1.bin"), 2, 0, 1, NULL);
    write_cifar(tmp("cifar/cifar-10-batches-bin/test_batch.bin"), 1, 0, 1, NULL);
    cr_assert_eq(dataset_open(&p, tmp("cifar"), 1, notice, sizeof notice, &e), 0, "%s", e.msg);
    cr_assert(p.train.c == 3 && p.train.n == 2);
    dataset_pair_free(&p);

    mkdir(tmp("empty"), 0700);
    cr_assert_eq(dataset_open(&p, tmp("empty"), 1, notice, sizeof notice, &e), -1);
    assert_has(e, tmp("empty"));
    assert_has(e, "train-images-idx3-ubyte");
    assert_has(e, "data_batch_1.bin");
    cr_assert_eq(dataset_open(&p, tmp("absent"), 1, notice, sizeof notice, &e), -1);
    assert_has(e, tmp("absent"));
    assert_has(e, "no such folder");
}

Test(datasets, open_synthetic_and_default)
{
    dataset_pair p;
    lr_err e = { "" };
    char notice[512] = "stale";
    cr_assert_eq(dataset_open(&p, "synthetic", 3, notice, sizeof notice, &e), 0, "%s", e.msg);
    cr_assert_str_eq(p.train.name, "synthetic");
    cr_assert(p.train.n == 6000 && p.test.n == 1000);
    cr_assert_str_eq(notice, "");
    dataset_pair_free(&p);

    /* Either Fashion-MNIST is installed, or the fallback says how to get it. */
    cr_assert_eq(dataset_open(&p, NULL, 3, notice, sizeof notice, &e), 0, "%s", e.msg);
    if (strcmp(p.train.name, "fashion-mnist") == 0) {
        cr_assert(p.train.n == 60000 && p.test.n == 10000 && p.train.h == 28);
        cr_assert_str_eq(notice, "");
    } else {
        cr_assert_str_eq(p.train.name, "synthetic");
        cr_assert(strstr(notice, "make deps") && strstr(notice, "dataset-fashion-mnist"),
                  "notice: %s", notice);
    }
    dataset_pair_free(&p);
}

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
