/* cifar.c — the CIFAR-10 binary format.
 *
 * A file is a sequence of 3073-byte records: one label byte (0-9), then a
 * 32x32 colour image as 1024 red, 1024 green and 1024 blue bytes — already
 * the CHW layout the dataset keeps, so pixels are read straight into place.
 * The training set is data_batch_1.bin .. data_batch_5.bin (10000 records
 * each in the official release); data_batch_1.bin is required and whichever
 * of the others are present are appended in order, so a trimmed copy of the
 * data set still loads. The test set is test_batch.bin. */
#define _POSIX_C_SOURCE 200809L

#include "datasets/dataset.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/sysmem.h"

#define CIFAR_SIDE      32
#define CIFAR_DIM       (3 * CIFAR_SIDE * CIFAR_SIDE)
#define CIFAR_RECORD    (1 + CIFAR_DIM)
#define CIFAR_N_CLASSES 10
#define CIFAR_N_BATCHES 5
#define CIFAR_PATH_LEN  4096

#define CIFAR_EXPECTED "a CIFAR-10 folder holds data_batch_1.bin to data_batch_5.bin " \
                       "and test_batch.bin"

/* Number of records in `path`, from its size. */
static int cifar_count(const char *path, int *n, lr_err *e)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return lr_fail(e, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return lr_fail(e, "%s: is %s; expected a regular CIFAR-10 binary file", path,
                       lr_file_kind(st.st_mode));
    long long size = (long long)st.st_size;
    if (size == 0)
        return lr_fail(e, "%s: empty file (expected records of %d bytes)", path, CIFAR_RECORD);
    if (size % CIFAR_RECORD != 0)
        return lr_fail(e, "%s: size %lld bytes is not a multiple of %d (1 label byte + %d "
                       "pixel bytes per record): not a CIFAR-10 binary file, or truncated",
                       path, size, CIFAR_RECORD, CIFAR_DIM);
    if (size / CIFAR_RECORD > INT_MAX / CIFAR_DIM)
        return lr_fail(e, "%s: %lld records is more than this program holds", path,
                       size / CIFAR_RECORD);
    *n = (int)(size / CIFAR_RECORD);
    return 0;
}

/* Reads n records of `path` into pixels [n][3][32][32] and labels [n]. */
static int cifar_read(const char *path, int n, uint8_t *pixels, uint8_t *labels, lr_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return lr_fail(e, "%s: cannot open: %s", path, strerror(errno));
    for (int i = 0; i < n; i++) {
        int label = getc(f);
        size_t got = label == EOF ? 0 : fread(pixels + (size_t)i * CIFAR_DIM, 1, CIFAR_DIM, f);
        if (got != CIFAR_DIM) {
            int failed = ferror(f);
            fclose(f);
            if (failed)
                return lr_fail(e, "%s: cannot read record %d: %s", path, i, strerror(errno));
            return lr_fail(e, "%s: truncated: ends inside record %d of %d", path, i, n);
        }
        if (label >= CIFAR_N_CLASSES) {
            fclose(f);
            return lr_fail(e, "%s: label %d in record %d is out of range (expected 0 to %d)",
                           path, label, i, CIFAR_N_CLASSES - 1);
        }
        labels[i] = (uint8_t)label;
    }
    fclose(f);
    return 0;
}

/* Loads the concatenation of n_paths files into `out`. */
static int cifar_load_files(dataset *out, char (*paths)[CIFAR_PATH_LEN], int n_paths,
                            lr_err *e)
{
    int counts[CIFAR_N_BATCHES], total = 0;
    for (int i = 0; i < n_paths; i++) {
        if (cifar_count(paths[i], &counts[i], e) != 0)
            return -1;
        if (counts[i] > INT_MAX / CIFAR_DIM - total)
            return lr_fail(e, "%s: too many records in total for this program", paths[i]);
        total += counts[i];
    }
    char what[CIFAR_PATH_LEN + 64];
    snprintf(what, sizeof what, "%s%s: %d images of 3 x 32 x 32 pixels", paths[0],
             n_paths > 1 ? " and the other batches" : "", total);
    if (dataset_check_fits((size_t)total * CIFAR_RECORD, sysmem_available(), what, e))
        return -1;
    uint8_t *pixels = malloc((size_t)total * CIFAR_DIM);
    uint8_t *labels = malloc((size_t)total);
    if (!pixels || !labels) {
        free(pixels);
        free(labels);
        return lr_fail(e, "%s: out of memory for %d images", paths[0], total);
    }
    for (int i = 0, at = 0; i < n_paths; at += counts[i], i++) {
        if (cifar_read(paths[i], counts[i], pixels + (size_t)at * CIFAR_DIM, labels + at, e)) {
            free(pixels);
            free(labels);
            return -1;
        }
    }
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "cifar-10");
    out->pixels = pixels;
    out->labels = labels;
    out->n = total;
    out->c = 3;
    out->h = CIFAR_SIDE;
    out->w = CIFAR_SIDE;
    out->n_classes = CIFAR_N_CLASSES;
    return 0;
}

static bool cifar_path(char *path, const char *dir, const char *name)
{
    size_t len = strlen(dir);
    int w = snprintf(path, CIFAR_PATH_LEN, "%s%s%s", dir,
                     len > 0 && dir[len - 1] == '/' ? "" : "/", name);
    return w > 0 && w < CIFAR_PATH_LEN;
}

/* 1 when `path` names a file to read, 0 when there is no such entry, -1
 * (with `e` set) when there is one that cannot be followed: a dangling or
 * looping link, a folder without search permission. A missing training
 * batch is skipped; a broken one is not taken for missing. */
static int batch_present(const char *path, lr_err *e)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return 1;
    int err = errno;
    if (err == ENOENT && lstat(path, &st) != 0 && errno == ENOENT)
        return 0;
    lr_fail(e, "%s: %s", path, err == ENOENT ? "a link to a file that is not there"
                                              : strerror(err));
    return -1;
}

int dataset_load_cifar10_dir(dataset_pair *out, const char *dir, lr_err *e)
{
    memset(out, 0, sizeof *out);
    char train[CIFAR_N_BATCHES][CIFAR_PATH_LEN], test[1][CIFAR_PATH_LEN];
    int n_train = 0;
    for (int b = 1; b <= CIFAR_N_BATCHES; b++) {
        char name[32];
        snprintf(name, sizeof name, "data_batch_%d.bin", b);
        if (!cifar_path(train[n_train], dir, name))
            return lr_fail(e, "%s: folder path too long", dir);
        int present = batch_present(train[n_train], e);
        if (present < 0)
            return -1;
        if (present)
            n_train++;
        else if (b == 1)
            return lr_fail(e, "%s: not found (" CIFAR_EXPECTED ")", train[0]);
    }
    if (!cifar_path(test[0], dir, "test_batch.bin"))
        return lr_fail(e, "%s: folder path too long", dir);
    int present = batch_present(test[0], e);
    if (present <= 0)
        return present < 0 ? -1 : lr_fail(e, "%s: not found (" CIFAR_EXPECTED ")", test[0]);

    if (cifar_load_files(&out->train, train, n_train, e) != 0)
        return -1;
    if (cifar_load_files(&out->test, test, 1, e) != 0) {
        dataset_pair_free(out);
        return -1;
    }
    dataset_compute_stats(&out->train);
    dataset_pair_share_train_stats(out);
    return 0;
}
