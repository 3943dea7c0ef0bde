/* test_loaders.c — the loaders on files written here, good and corrupt (IDX,
 * plain and gzip; CIFAR-10), and resolving a --data argument to a folder.
 *
 * Each test of the suite gets its own fresh temporary folder (.init) which is
 * removed afterwards (.fini), pass or fail. The suite also holds the tests of
 * test_batches.c. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>

#include "datasets/dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/testutil.h"

static void tmp_setup(void)
{
    tmpdir_create("datasets");
}

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

TestSuite(datasets, .init = tmp_setup, .fini = tmpdir_remove);

Test(datasets, idx_round_trip_exact)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    dataset d;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_idx(&d, tmpdir_path("img"), tmpdir_path("lab"), &e), 0, "%s", e.msg);
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
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    write_good_pair(tmpdir_path("img.gz"), tmpdir_path("lab.gz"), true);
    dataset a, b;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_idx(&a, tmpdir_path("img"), tmpdir_path("lab"), &e), 0, "%s", e.msg);
    cr_assert_eq(dataset_load_idx(&b, tmpdir_path("img.gz"), tmpdir_path("lab.gz"), &e), 0,
                 "%s", e.msg);
    cr_assert(a.n == b.n && a.h == b.h && a.w == b.w);
    cr_assert(memcmp(a.pixels, b.pixels, IMG_BYTES) == 0);
    cr_assert(memcmp(a.labels, b.labels, N_IMG) == 0);
    cr_assert(a.mean[0] == b.mean[0] && a.std[0] == b.std[0]);
    dataset_free(&a);
    dataset_free(&b);
}

Test(datasets, idx_dir_mixes_plain_and_gzip_and_shares_stats)
{
    write_good_pair(tmpdir_path("train-images-idx3-ubyte.gz"),
                    tmpdir_path("train-labels-idx1-ubyte.gz"), true);
    write_images(tmpdir_path("t10k-images-idx3-ubyte"), 0x803, 2, ROWS, COLS, 2 * ROWS * COLS,
                 false);
    write_labels(tmpdir_path("t10k-labels-idx1-ubyte"), 0x801, 2, (const uint8_t[]){ 9, 0 }, 2,
                 false);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_idx_dir(&p, tmpdir_root(), &e), 0, "%s", e.msg);
    cr_assert_eq(p.train.n, N_IMG);
    cr_assert_eq(p.test.n, 2);
    cr_assert_eq(p.test.labels[0], 9);
    cr_assert(memcmp(p.test.pixels, ref_pixels, 2 * ROWS * COLS) == 0);
    cr_assert_str_eq(p.train.name, strrchr(tmpdir_root(), '/') + 1);
    cr_assert(p.test.mean[0] == p.train.mean[0] && p.test.std[0] == p.train.std[0],
              "test set must use the training statistics");
    dataset_pair_free(&p);
    cr_assert(p.train.pixels == NULL && p.test.pixels == NULL);
}

Test(datasets, idx_dir_missing_file_is_named)
{
    write_good_pair(tmpdir_path("train-images-idx3-ubyte"),
                    tmpdir_path("train-labels-idx1-ubyte"), false);
    write_good_pair(tmpdir_path("t10k-images-idx3-ubyte"), tmpdir_path("unrelated"), false);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_idx_dir(&p, tmpdir_root(), &e), -1);
    assert_has(e, "t10k-labels-idx1-ubyte");
    assert_has(e, "not found");
    cr_assert(p.train.pixels == NULL && p.test.pixels == NULL);
}

Test(datasets, idx_missing_file)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    lr_err e = load_bad(tmpdir_path("no-such-images"), tmpdir_path("lab"));
    assert_has(e, tmpdir_path("no-such-images"));
    assert_has(e, "cannot open");
    e = load_bad(tmpdir_path("img"), tmpdir_path("no-such-labels"));
    assert_has(e, tmpdir_path("no-such-labels"));
    assert_has(e, "cannot open");
}

Test(datasets, idx_bad_magic)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    write_images(tmpdir_path("swapped"), 0x801, N_IMG, ROWS, COLS, IMG_BYTES, false);
    lr_err e = load_bad(tmpdir_path("swapped"), tmpdir_path("lab"));
    assert_has(e, tmpdir_path("swapped"));
    assert_has(e, "bad magic number 0x00000801 (expected 0x00000803");
    write_labels(tmpdir_path("badlab"), 0x12345678, N_IMG, ref_labels, N_IMG, false);
    e = load_bad(tmpdir_path("img"), tmpdir_path("badlab"));
    assert_has(e, tmpdir_path("badlab"));
    assert_has(e, "bad magic number 0x12345678 (expected 0x00000801");
}

Test(datasets, idx_bad_dimensions)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    const uint32_t dims[][3] = { { N_IMG, 0, COLS }, { N_IMG, ROWS, 5000 }, { 0, ROWS, COLS } };
    for (int i = 0; i < 3; i++) {
        write_images(tmpdir_path("dims"), 0x803, dims[i][0], dims[i][1], dims[i][2], IMG_BYTES,
                     false);
        lr_err e = load_bad(tmpdir_path("dims"), tmpdir_path("lab"));
        assert_has(e, tmpdir_path("dims"));
        assert_has(e, "bad dimensions");
    }
}

Test(datasets, idx_truncated_images)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    for (int gz = 0; gz <= 1; gz++) {
        const char *path = tmpdir_path(gz ? "short.gz" : "short");
        write_images(path, 0x803, N_IMG, ROWS, COLS, IMG_BYTES - 17, gz);
        lr_err e = load_bad(path, tmpdir_path("lab"));
        assert_has(e, path);
        assert_has(e, "truncated: expected 390 bytes of pixels, got 373");
    }
    write_images(tmpdir_path("header-only"), 0x803, N_IMG, ROWS, COLS, 0, false);
    cr_assert_eq(truncate(tmpdir_path("header-only"), 9), 0);
    lr_err e = load_bad(tmpdir_path("header-only"), tmpdir_path("lab"));
    assert_has(e, "truncated: expected 16 bytes of header, got 9");
}

Test(datasets, idx_gzip_stream_cut_off)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    write_images(tmpdir_path("img.gz"), 0x803, N_IMG, ROWS, COLS, IMG_BYTES, true);
    struct stat st;
    cr_assert_eq(stat(tmpdir_path("img.gz"), &st), 0);
    cr_assert_eq(truncate(tmpdir_path("img.gz"), st.st_size / 2), 0);
    lr_err e = load_bad(tmpdir_path("img.gz"), tmpdir_path("lab"));
    assert_has(e, tmpdir_path("img.gz"));
    assert_has(e, "truncated");
}

Test(datasets, idx_truncated_labels)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    write_labels(tmpdir_path("short"), 0x801, N_IMG, ref_labels, N_IMG - 4, false);
    lr_err e = load_bad(tmpdir_path("img"), tmpdir_path("short"));
    assert_has(e, tmpdir_path("short"));
    assert_has(e, "truncated: expected 13 bytes of labels, got 9");
}

Test(datasets, idx_trailing_bytes_rejected)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    write_images(tmpdir_path("long"), 0x803, N_IMG - 1, ROWS, COLS, IMG_BYTES, false);
    write_labels(tmpdir_path("lab12"), 0x801, N_IMG - 1, ref_labels, N_IMG - 1, false);
    lr_err e = load_bad(tmpdir_path("long"), tmpdir_path("lab12"));
    assert_has(e, tmpdir_path("long"));
    assert_has(e, "extra bytes");
}

Test(datasets, idx_count_mismatch)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    write_labels(tmpdir_path("lab12"), 0x801, N_IMG - 1, ref_labels, N_IMG - 1, false);
    lr_err e = load_bad(tmpdir_path("img"), tmpdir_path("lab12"));
    assert_has(e, "count mismatch");
    assert_has(e, tmpdir_path("img"));
    assert_has(e, tmpdir_path("lab12"));
}

Test(datasets, idx_label_out_of_range)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    uint8_t labels[N_IMG];
    memcpy(labels, ref_labels, N_IMG);
    labels[4] = 10;
    write_labels(tmpdir_path("lab10"), 0x801, N_IMG, labels, N_IMG, false);
    lr_err e = load_bad(tmpdir_path("img"), tmpdir_path("lab10"));
    assert_has(e, tmpdir_path("lab10"));
    assert_has(e, "label 10 at index 4 is out of range");
}

/* A FIFO would block the loader forever if it were opened for reading: it is
 * refused at once (the timeout catches a hang), and so is a folder. */
Test(datasets, idx_refuses_fifo_and_folder, .timeout = 10)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    cr_assert_eq(mkfifo(tmpdir_path("fifo"), 0600), 0);
    lr_err e = load_bad(tmpdir_path("fifo"), tmpdir_path("lab"));
    assert_has(e, tmpdir_path("fifo"));
    assert_has(e, "is a FIFO");
    e = load_bad(tmpdir_path("img"), tmpdir_path("fifo"));
    assert_has(e, "is a FIFO");
    cr_assert_eq(mkdir(tmpdir_path("dir"), 0700), 0);
    e = load_bad(tmpdir_path("img"), tmpdir_path("dir"));
    assert_has(e, tmpdir_path("dir"));
    assert_has(e, "is a folder");

    mkdir(tmpdir_path("d"), 0700);
    write_good_pair(tmpdir_path("d/train-images-idx3-ubyte"),
                    tmpdir_path("d/train-labels-idx1-ubyte"), false);
    write_good_pair(tmpdir_path("d/t10k-images-idx3-ubyte"), tmpdir_path("d/x"), false);
    cr_assert_eq(mkfifo(tmpdir_path("d/t10k-labels-idx1-ubyte"), 0600), 0);
    dataset_pair p;
    char notice[256];
    cr_assert_eq(dataset_open(&p, tmpdir_path("d"), 1, notice, sizeof notice, &e), -1);
    assert_has(e, "t10k-labels-idx1-ubyte: is a FIFO");
}

/* The gzip trailer (CRC-32 and length, 8 bytes) is checked: cut off, or
 * with a wrong CRC or length, the file is refused. */
Test(datasets, idx_gzip_trailer_checked)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    char gz[4096];
    snprintf(gz, sizeof gz, "%s", tmpdir_path("img.gz"));
    write_images(gz, 0x803, N_IMG, ROWS, COLS, IMG_BYTES, true);
    FILE *f = fopen(gz, "rb");
    cr_assert(f != NULL);
    static uint8_t good[1 << 16];
    size_t len = fread(good, 1, sizeof good, f);
    fclose(f);
    cr_assert(len > 8);
    /* 1, 4, 7 and all 8 bytes of trailer missing: without any, zlib itself
     * sees a clean end of the stream, and the loader's own check refuses it */
    const size_t cuts[] = { 1, 4, 7, 8 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        size_t cut = cuts[i];
        cr_assert_eq(truncate(gz, (off_t)(len - cut)), 0);
        lr_err e = load_bad(gz, tmpdir_path("lab"));
        assert_has(e, gz);
        assert_has(e, "truncated");
    }
    const size_t at[] = { len - 8, len - 2 };       /* in the CRC, in the length */
    const char *why[] = { "incorrect data check", "incorrect length check" };
    for (int k = 0; k < 2; k++) {
        bytes b;
        memcpy(b.data, good, len);
        b.len = len;
        b.data[at[k]] ^= 0x40;
        write_file(gz, &b, false);
        lr_err e = load_bad(gz, tmpdir_path("lab"));
        assert_has(e, gz);
        assert_has(e, "corrupt gzip data");
        assert_has(e, why[k]);
    }
}

/* A gzip file cut right after its compressed data, the whole trailer gone:
 * at some sizes zlib reads that as a clean end without an error, so the
 * loader compares the trailer with what it read. Tried at several sizes. */
Test(datasets, idx_gzip_without_its_trailer_is_refused)
{
    static uint8_t pixels[81 * 28 * 28], labels[81];
    lr_rng r;
    rng_seed(&r, 11);
    for (size_t i = 0; i < sizeof pixels; i++)
        pixels[i] = (uint8_t)rng_below(&r, 256);
    for (int i = 0; i < 81; i++)
        labels[i] = (uint8_t)(i % 10);
    const uint32_t counts[] = { 20, 40, 60, 81 };
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        uint32_t n = counts[k];
        char img[4096], lab[4096];
        snprintf(img, sizeof img, "%s", tmpdir_path("big-img.gz"));
        snprintf(lab, sizeof lab, "%s", tmpdir_path("big-lab"));
        static bytes b;
        b.len = 0;
        put32(&b, 0x803);
        put32(&b, n);
        put32(&b, 28);
        put32(&b, 28);
        put(&b, pixels, (size_t)n * 28 * 28);
        write_file(img, &b, true);
        write_labels(lab, 0x801, n, labels, n, false);
        struct stat st;
        cr_assert_eq(stat(img, &st), 0);
        cr_assert_eq(truncate(img, st.st_size - 8), 0);
        lr_err e = load_bad(img, lab);
        assert_has(e, "truncated");
    }
}

/* A header that announces far more than the file holds is "truncated",
 * found from the file's size before anything is allocated. */
Test(datasets, idx_huge_count_in_short_file_is_truncated)
{
    write_good_pair(tmpdir_path("img"), tmpdir_path("lab"), false);
    for (int gz = 0; gz <= 1; gz++) {
        char img[4096], lab[4096];
        snprintf(img, sizeof img, "%s", tmpdir_path(gz ? "huge.gz" : "huge"));
        snprintf(lab, sizeof lab, "%s", tmpdir_path(gz ? "hugelab.gz" : "hugelab"));
        write_images(img, 0x803, 2000000, 32, 32, IMG_BYTES, gz);
        write_labels(lab, 0x801, 2000000, ref_labels, N_IMG, gz);
        lr_err e = load_bad(img, lab);
        assert_has(e, img);
        assert_has(e, "truncated: expected 2048000000 bytes of pixels");
        write_images(img, 0x803, N_IMG, ROWS, COLS, IMG_BYTES, gz);
        write_labels(lab, 0x801, N_IMG, ref_labels, N_IMG, gz);
        write_labels(lab, 0x801, 2000000, ref_labels, N_IMG, gz);
        e = load_bad(img, lab);
        assert_has(e, "count mismatch");
    }
}

Test(datasets, memory_check_names_both_sizes)
{
    lr_err e = { "" };
    cr_assert_eq(dataset_check_fits(100, 100, "x", &e), 0);
    cr_assert_eq(dataset_check_fits(3ull * 17 << 30, 1ull << 30, "data set D", &e), -1);
    cr_assert_str_eq(e.msg, "data set D needs 51.0 GB of memory but only 1.0 GB is "
                            "available");
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
    write_cifar(tmpdir_path("data_batch_1.bin"), 3, 0, 1, p1);
    write_cifar(tmpdir_path("data_batch_3.bin"), 2, 5, 3, p3);   /* batch 2 absent: skipped */
    write_cifar(tmpdir_path("test_batch.bin"), 4, 2, 9, NULL);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmpdir_root(), &e), 0, "%s", e.msg);
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
    write_cifar(tmpdir_path("data_batch_1.bin"), 2, 0, 1, NULL);
    write_cifar(tmpdir_path("test_batch.bin"), 2, 0, 2, NULL);
    cr_assert_eq(truncate(tmpdir_path("data_batch_1.bin"), 2 * 3073 - 100), 0);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmpdir_root(), &e), -1);
    assert_has(e, tmpdir_path("data_batch_1.bin"));
    assert_has(e, "is not a multiple of 3073");
    cr_assert(p.train.pixels == NULL);
}

Test(datasets, cifar_label_out_of_range)
{
    write_cifar(tmpdir_path("data_batch_1.bin"), 2, 0, 1, NULL);
    write_cifar(tmpdir_path("test_batch.bin"), 3, 0, 2, NULL);
    FILE *f = fopen(tmpdir_path("test_batch.bin"), "r+b");
    cr_assert(f != NULL);
    fseek(f, 2 * 3073, SEEK_SET);
    fputc(200, f);
    fclose(f);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmpdir_root(), &e), -1);
    assert_has(e, tmpdir_path("test_batch.bin"));
    assert_has(e, "label 200 in record 2 is out of range");
    cr_assert(p.train.pixels == NULL && p.test.pixels == NULL);
}

Test(datasets, cifar_missing_files)
{
    write_cifar(tmpdir_path("data_batch_2.bin"), 1, 0, 1, NULL);
    write_cifar(tmpdir_path("test_batch.bin"), 1, 0, 1, NULL);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmpdir_root(), &e), -1);
    assert_has(e, tmpdir_path("data_batch_1.bin"));
    assert_has(e, "not found");
    rename(tmpdir_path("data_batch_2.bin"), tmpdir_path("data_batch_1.bin"));
    unlink(tmpdir_path("test_batch.bin"));
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmpdir_root(), &e), -1);
    assert_has(e, tmpdir_path("test_batch.bin"));
    assert_has(e, "not found");
}

Test(datasets, cifar_broken_link_is_not_a_missing_batch)
{
    write_cifar(tmpdir_path("data_batch_1.bin"), 2, 0, 1, NULL);
    write_cifar(tmpdir_path("test_batch.bin"), 2, 0, 2, NULL);
    cr_assert_eq(symlink("gone.bin", tmpdir_path("data_batch_2.bin")), 0);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmpdir_root(), &e), -1);
    assert_has(e, "data_batch_2.bin: a link to a file that is not there");
    unlink(tmpdir_path("data_batch_2.bin"));
    cr_assert_eq(symlink("data_batch_3.bin", tmpdir_path("data_batch_2.bin")), 0);
    cr_assert_eq(symlink("data_batch_2.bin", tmpdir_path("data_batch_3.bin")), 0);
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmpdir_root(), &e), -1);
    assert_has(e, "data_batch_2.bin: Too many levels of symbolic links");
    cr_assert(p.train.pixels == NULL);
}

Test(datasets, cifar_refuses_fifo, .timeout = 10)
{
    write_cifar(tmpdir_path("data_batch_1.bin"), 2, 0, 1, NULL);
    cr_assert_eq(mkfifo(tmpdir_path("test_batch.bin"), 0600), 0);
    dataset_pair p;
    lr_err e = { "" };
    cr_assert_eq(dataset_load_cifar10_dir(&p, tmpdir_root(), &e), -1);
    assert_has(e, "test_batch.bin: is a FIFO");
    cr_assert(p.train.pixels == NULL && p.test.pixels == NULL);
}

/* ---- resolving --data ---- */

Test(datasets, open_detects_folder_kinds)
{
    dataset_pair p;
    lr_err e = { "" };
    char notice[256];
    mkdir(tmpdir_path("mnist"), 0700);
    write_good_pair(tmpdir_path("mnist/train-images-idx3-ubyte"),
                    tmpdir_path("mnist/train-labels-idx1-ubyte"), 0);
    write_good_pair(tmpdir_path("mnist/t10k-images-idx3-ubyte.gz"),
                    tmpdir_path("mnist/t10k-labels-idx1-ubyte.gz"), 1);
    cr_assert_eq(dataset_open(&p, tmpdir_path("mnist/"), 1, notice, sizeof notice, &e), 0,
                 "%s", e.msg);
    cr_assert_str_eq(p.train.name, "mnist");
    cr_assert_str_eq(notice, "");
    dataset_pair_free(&p);

    mkdir(tmpdir_path("cifar"), 0700);
    mkdir(tmpdir_path("cifar/cifar-10-batches-bin"), 0700);
    write_cifar(tmpdir_path("cifar/cifar-10-batches-bin/data_batch_1.bin"), 2, 0, 1, NULL);
    write_cifar(tmpdir_path("cifar/cifar-10-batches-bin/test_batch.bin"), 1, 0, 1, NULL);
    cr_assert_eq(dataset_open(&p, tmpdir_path("cifar"), 1, notice, sizeof notice, &e), 0,
                 "%s", e.msg);
    cr_assert(p.train.c == 3 && p.train.n == 2);
    dataset_pair_free(&p);

    mkdir(tmpdir_path("empty"), 0700);
    cr_assert_eq(dataset_open(&p, tmpdir_path("empty"), 1, notice, sizeof notice, &e), -1);
    assert_has(e, tmpdir_path("empty"));
    assert_has(e, "train-images-idx3-ubyte");
    assert_has(e, "data_batch_1.bin");
    cr_assert_eq(dataset_open(&p, tmpdir_path("absent"), 1, notice, sizeof notice, &e), -1);
    assert_has(e, tmpdir_path("absent"));
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
