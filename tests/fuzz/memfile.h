/* memfile.h — what the loader harnesses share: a fuzz input cut into two
 * files, each held in a memory file (memfd) and reached through a path, so
 * the loaders run exactly as on disk (open, fstat, gzip detection) without
 * touching the disk.
 *
 * Input layout: two bytes (big-endian) giving the first file's length, the
 * first file, then the second file (the rest). */
#ifndef LRSCOPE_FUZZ_MEMFILE_H
#define LRSCOPE_FUZZ_MEMFILE_H

#include <stddef.h>
#include <stdint.h>

typedef struct fuzz_file {
    int  fd;
    char path[64];    /* /proc/self/fd/N */
} fuzz_file;

/* Creates the memory file once; aborts when the system has no memfd. */
void fuzz_file_init(fuzz_file *f, const char *name);
/* Replaces the file's content with data[0..len). */
void fuzz_file_set(fuzz_file *f, const uint8_t *data, size_t len);

/* Splits the input as described above; false when it is too short. */
int  fuzz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *a_len,
                const uint8_t **b, size_t *b_len);

#endif
