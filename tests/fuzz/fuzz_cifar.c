/* fuzz_cifar.c — libFuzzer harness for the CIFAR-10 loader
 * (datasets/cifar.c): data_batch_1.bin and test_batch.bin of a folder, from
 * one input (layout in memfile.h). The folder holds links to two memory
 * files, so the loader's stat, size checks and reads run as on disk. Either
 * the pair loads with consistent sizes and labels, or it is refused with a
 * message and nothing allocated. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datasets/dataset.h"
#include "tests/fuzz/memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];
static fuzz_file train, test;

static void cleanup(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/data_batch_1.bin", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/test_batch.bin", dir);
    unlink(path);
    rmdir(dir);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/lrscope-fuzz-cifar-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        abort();
    fuzz_file_init(&train, "train");
    fuzz_file_init(&test, "test");
    char path[300];
    snprintf(path, sizeof path, "%s/data_batch_1.bin", dir);
    if (symlink(train.path, path))
        abort();
    snprintf(path, sizeof path, "%s/test_batch.bin", dir);
    if (symlink(test.path, path))
        abort();
    atexit(cleanup);
}

static void check_loaded(const dataset *d)
{
    if (d->n < 1 || d->c != 3 || d->h != 32 || d->w != 32 || !d->pixels || !d->labels)
        abort();
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] >= d->n_classes)
            abort();
    static float x[3 * 32 * 32];
    int y;
    dataset_to_float(d, d->n - 1, 1, x, &y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0])
        setup();
    const uint8_t *a, *b;
    size_t a_len, b_len;
    if (!fuzz_split(data, size, &a, &a_len, &b, &b_len))
        return 0;
    fuzz_file_set(&train, a, a_len);
    fuzz_file_set(&test, b, b_len);
    dataset_pair p;
    lr_err e = { "" };
    if (dataset_load_cifar10_dir(&p, dir, &e) == 0) {
        check_loaded(&p.train);
        check_loaded(&p.test);
        dataset_pair_free(&p);
    } else if (!e.msg[0] || p.train.pixels || p.test.pixels) {
        abort();
    }
    return 0;
}
