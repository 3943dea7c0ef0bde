/* fuzz_idx.c — libFuzzer harness for the IDX loader (datasets/idx.c): an
 * image file and a label file, plain or gzip, from one input (layout in
 * memfile.h). Whatever the bytes, the loader must either load a
 * consistent dataset or refuse with a message, never crash, leak or read out
 * of bounds; a loaded set is then normalised and subsampled to touch every
 * pixel it claims to have. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/dataset.h"
#include "tests/fuzz/memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_loaded(dataset *d)
{
    if (d->n < 1 || d->c != 1 || d->h < 1 || d->w < 1 || !d->pixels || !d->labels)
        abort();
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] >= d->n_classes)
            abort();
    int n = d->n < 4 ? d->n : 4, dim = dataset_dim(d);
    float *x = malloc((size_t)n * (size_t)dim * sizeof *x);
    int y[4];
    if (!x)
        abort();
    dataset_to_float(d, d->n - n, n, x, y);
    free(x);
    lr_err e;
    if (dataset_take_subset(d, (d->n + 1) / 2, 1, &e))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file images, labels;
    if (!images.path[0]) {
        fuzz_file_init(&images, "images");
        fuzz_file_init(&labels, "labels");
    }
    const uint8_t *a, *b;
    size_t a_len, b_len;
    if (!fuzz_split(data, size, &a, &a_len, &b, &b_len))
        return 0;
    fuzz_file_set(&images, a, a_len);
    fuzz_file_set(&labels, b, b_len);
    dataset d;
    lr_err e = { "" };
    if (dataset_load_idx(&d, images.path, labels.path, &e) == 0) {
        check_loaded(&d);
        dataset_free(&d);
    } else if (!e.msg[0] || d.pixels || d.labels || d.n) {
        abort();   /* a refusal says why and leaves nothing behind */
    }
    return 0;
}
