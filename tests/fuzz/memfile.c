/* memfile.c — memory files for the loader harnesses (memfile.h). */
#define _GNU_SOURCE
#include "tests/fuzz/memfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

void fuzz_file_init(fuzz_file *f, const char *name)
{
    f->fd = memfd_create(name, MFD_CLOEXEC);
    if (f->fd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

void fuzz_file_set(fuzz_file *f, const uint8_t *data, size_t len)
{
    if (ftruncate(f->fd, 0) != 0 || (len && pwrite(f->fd, data, len, 0) != (ssize_t)len)) {
        perror("fuzz_file_set");
        abort();
    }
}

int fuzz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *a_len,
               const uint8_t **b, size_t *b_len)
{
    if (size < 2)
        return 0;
    size_t n = (size_t)data[0] << 8 | data[1];
    size -= 2;
    data += 2;
    if (n > size)
        n = size;
    *a = data;
    *a_len = n;
    *b = data + n;
    *b_len = size - n;
    return 1;
}
