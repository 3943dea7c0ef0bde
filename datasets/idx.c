/* idx.c — the IDX format of MNIST-style data sets (MNIST, Fashion-MNIST,
 * KMNIST...), plain or gzip-compressed.
 *
 * An IDX file is a big-endian header — a magic number whose low byte is the
 * number of dimensions, then one 32-bit size per dimension — followed by the
 * data as unsigned bytes. zlib's gzread reads gzip and plain files alike, so
 * one code path serves both. Both headers are validated before any pixel is
 * read, and pixels go from the stream straight into the dataset's buffer.
 *
 * Bytes after the data a header announces are rejected: they usually mean the
 * header's count is wrong, and silently dropping them would hide that. A gzip
 * stream must end with its trailer (CRC and length), checked by zlib while it
 * reads and, as zlib takes a stream cut off right after its data for a clean
 * end, against the bytes read here too (so a gzip of several members, which
 * no IDX distribution uses, is refused).
 *
 * Only regular files are read (a FIFO would block forever), and the sizes a
 * header announces are checked against the file's size and the memory
 * available before anything is allocated. */
#define _POSIX_C_SOURCE 200809L

#include "datasets/dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "engine/sysmem.h"

#define IDX_MAGIC_IMAGES 0x00000803u   /* unsigned bytes, 3 dimensions */
#define IDX_MAGIC_LABELS 0x00000801u   /* unsigned bytes, 1 dimension */
#define IDX_MAX_SIDE     4096u
#define IDX_N_CLASSES    10
/* Pixels are indexed with int arithmetic elsewhere; stay below 2 GiB. */
#define IDX_MAX_BYTES    ((size_t)INT_MAX)
/* gzread takes an unsigned count; read in pieces well below its limit. */
#define IDX_CHUNK        (1u << 30)
/* Deflate expands at most 1032:1, so a gzip file of S bytes holds at most
 * about S * 1032 bytes of data. */
#define IDX_GZIP_MAX_RATIO 1032u

typedef struct idx_file {
    gzFile      gz;
    const char *path;
    uint32_t    dims[3];
    size_t      file_size;    /* on disk */
    size_t      head_len;     /* bytes of header */
    int         plain;        /* not gzip-compressed */
    int         fd;           /* the file gz reads, for its trailer */
    uLong       crc;          /* CRC-32 of the bytes read so far */
    uint64_t    total;        /* bytes read so far */
} idx_file;

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

static void idx_close(idx_file *f)
{
    if (f->gz)
        gzclose(f->gz);
    f->gz = NULL;
}

/* Why the last gzread failed, without the "path: " zlib puts in front. */
static const char *idx_gz_reason(idx_file *f, int *errnum)
{
    const char *msg = gzerror(f->gz, errnum);
    size_t len = strlen(f->path);
    if (strncmp(msg, f->path, len) == 0 && strncmp(msg + len, ": ", 2) == 0)
        msg += len + 2;
    if (*errnum == Z_ERRNO)
        return strerror(errno);
    return msg;
}

/* Reads exactly `len` bytes. A stream that ends early (plain file too short,
 * or a gzip stream cut off) is reported as truncated with both counts. */
static int idx_read(idx_file *f, void *buf, size_t len, const char *what, lr_err *e)
{
    size_t got = 0;
    while (got < len) {
        size_t want = len - got < IDX_CHUNK ? len - got : IDX_CHUNK;
        unsigned char *at = (unsigned char *)buf + got;
        int r = gzread(f->gz, at, (unsigned)want);
        if (r > 0) {
            f->crc = crc32(f->crc, at, (uInt)r);
            f->total += (uint64_t)r;
            got += (size_t)r;
            continue;
        }
        int errnum = Z_OK;
        const char *why = r < 0 ? idx_gz_reason(f, &errnum) : "";
        if (r == 0 || errnum == Z_BUF_ERROR)
            return lr_fail(e, "%s: truncated: expected %zu bytes of %s, got %zu",
                           f->path, len, what, got);
        return lr_fail(e, "%s: cannot read %s (%s%s)", f->path, what,
                       errnum == Z_DATA_ERROR ? "corrupt gzip data: " : "", why);
    }
    return 0;
}

/* After the announced data the stream must end, and a gzip stream must end
 * with its trailer: zlib checks the CRC and length there, and reports a
 * stream cut off before it as Z_BUF_ERROR ("unexpected end of file") while
 * still returning 0 bytes, so the error state is read either way. */
static int idx_expect_end(idx_file *f, const char *what, lr_err *e)
{
    unsigned char extra[256];
    int r = gzread(f->gz, extra, sizeof extra);
    if (r > 0)
        return lr_fail(e, "%s: has extra bytes after the %s its header announces "
                       "(is the header's count wrong?)", f->path, what);
    int errnum = Z_OK;
    const char *why = idx_gz_reason(f, &errnum);
    if (errnum == Z_BUF_ERROR)
        return lr_fail(e, "%s: truncated: the gzip stream ends before its trailer "
                       "(CRC and length) after the %s", f->path, what);
    if (r < 0 || errnum != Z_OK)
        return lr_fail(e, "%s: cannot read the end of the %s (%s%s)", f->path, what,
                       errnum == Z_DATA_ERROR ? "corrupt gzip data: " : "", why);
    unsigned char tail[8];
    if (!f->plain && (f->file_size < sizeof tail ||
                      pread(f->fd, tail, sizeof tail, (off_t)(f->file_size - sizeof tail)) !=
                          (ssize_t)sizeof tail ||
                      le32(tail) != (uint32_t)f->crc || le32(tail + 4) != (uint32_t)f->total))
        return lr_fail(e, "%s: truncated or corrupt: the gzip trailer (CRC and length) does "
                       "not match the %s read (a gzip of several members is not read either)",
                       f->path, what);
    return 0;
}

/* Opens path for reading only when it is a regular file: O_NONBLOCK so that
 * opening a FIFO returns at once instead of waiting for a writer. Returns
 * the descriptor (blocking again) or -1 with `e` set. */
static int open_regular(const char *path, size_t *size, lr_err *e)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return lr_fail(e, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return lr_fail(e, "%s: cannot open: %s", path, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return lr_fail(e, "%s: is %s; expected a regular IDX file", path,
                       lr_file_kind(st.st_mode));
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        int err = errno;
        close(fd);
        return lr_fail(e, "%s: cannot open: %s", path, strerror(err));
    }
    *size = (size_t)st.st_size;
    return fd;
}

/* Whether the data the header announces (`len` bytes after it) can be in the
 * file at all: exactly for a plain file, within deflate's best ratio for
 * gzip. Checked before allocating, so a lying header is "truncated", not
 * "out of memory". */
static int idx_check_size(const idx_file *f, size_t len, const char *what, lr_err *e)
{
    if (f->plain) {
        size_t have = f->file_size - f->head_len;
        if (have < len)
            return lr_fail(e, "%s: truncated: expected %zu bytes of %s, got %zu (the file is "
                           "shorter than its header says)", f->path, len, what, have);
        return 0;
    }
    if (len / IDX_GZIP_MAX_RATIO > f->file_size)
        return lr_fail(e, "%s: truncated: expected %zu bytes of %s, more than a gzip file "
                       "of %zu bytes can hold", f->path, len, what, f->file_size);
    return 0;
}

/* Opens `path` and reads and checks its header: the magic, then n_dims
 * sizes into f->dims. On failure the file is closed. */
static int idx_open(idx_file *f, const char *path, uint32_t magic, int n_dims,
                    const char *kind, lr_err *e)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->crc = crc32(0L, Z_NULL, 0);
    int fd = open_regular(path, &f->file_size, e);
    if (fd < 0)
        return -1;
    f->fd = fd;
    errno = 0;
    f->gz = gzdopen(fd, "rb");
    if (!f->gz) {
        close(fd);
        return lr_fail(e, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
    }
    /* Large reads for large files; a small file needs no large buffers. */
    gzbuffer(f->gz, f->file_size < (1u << 17) ? 8192u : 1u << 17);

    unsigned char head[16];
    f->head_len = 4 + 4 * (size_t)n_dims;
    if (idx_read(f, head, f->head_len, "header", e) != 0) {
        idx_close(f);
        return -1;
    }
    f->plain = gzdirect(f->gz);
    uint32_t found = be32(head);
    if (found != magic) {
        const char *hint = "";
        if (found == IDX_MAGIC_IMAGES)
            hint = "; this looks like an IDX image file";
        else if (found == IDX_MAGIC_LABELS)
            hint = "; this looks like an IDX label file";
        idx_close(f);
        return lr_fail(e, "%s: bad magic number 0x%08X (expected 0x%08X for an IDX %s file%s)",
                       path, found, magic, kind, hint);
    }
    for (int i = 0; i < n_dims; i++)
        f->dims[i] = be32(head + 4 + 4 * i);
    return 0;
}

/* The file name without its folder, for the dataset's name. */
static void name_from_path(char *name, size_t size, const char *path)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    size_t len = end - start;
    if (len >= size)
        len = size - 1;
    memcpy(name, path + start, len);
    name[len] = '\0';
}

int dataset_load_idx(dataset *out, const char *images_path, const char *labels_path,
                     lr_err *e)
{
    memset(out, 0, sizeof *out);
    idx_file img, lab;
    if (idx_open(&img, images_path, IDX_MAGIC_IMAGES, 3, "image", e) != 0)
        return -1;
    if (idx_open(&lab, labels_path, IDX_MAGIC_LABELS, 1, "label", e) != 0) {
        idx_close(&img);
        return -1;
    }

    uint32_t n = img.dims[0], rows = img.dims[1], cols = img.dims[2];
    uint8_t *pixels = NULL, *labels = NULL;
    size_t bytes = 0;
    if (n == 0 || n > INT_MAX || rows == 0 || rows > IDX_MAX_SIDE || cols == 0 ||
        cols > IDX_MAX_SIDE) {
        lr_fail(e, "%s: bad dimensions in header: %u images of %u x %u pixels "
                "(expected at least 1 image and 1 to %u pixels per side)",
                images_path, n, rows, cols, IDX_MAX_SIDE);
        goto fail;
    }
    bytes = (size_t)n * rows * cols;   /* < 2^31 * 2^24: no overflow */
    if (bytes > IDX_MAX_BYTES) {
        lr_fail(e, "%s: bad dimensions in header: %u images of %u x %u pixels is %zu bytes, "
                "more than the %zu this program holds", images_path, n, rows, cols, bytes,
                IDX_MAX_BYTES);
        goto fail;
    }
    if (lab.dims[0] != n) {
        lr_fail(e, "image/label count mismatch: %s holds %u images but %s holds %u labels",
                images_path, n, labels_path, lab.dims[0]);
        goto fail;
    }

    if (idx_check_size(&img, bytes, "pixels", e) || idx_check_size(&lab, n, "labels", e))
        goto fail;
    char what[4200];
    snprintf(what, sizeof what, "%s: %u images of %u x %u pixels", images_path, n, rows, cols);
    if (dataset_check_fits(bytes + n, sysmem_available(), what, e))
        goto fail;
    pixels = malloc(bytes);
    labels = malloc(n);
    if (!pixels || !labels) {
        lr_fail(e, "%s: out of memory for %zu bytes of pixels", images_path, bytes);
        goto fail;
    }
    if (idx_read(&img, pixels, bytes, "pixels", e) != 0 ||
        idx_expect_end(&img, "images", e) != 0 ||
        idx_read(&lab, labels, n, "labels", e) != 0 ||
        idx_expect_end(&lab, "labels", e) != 0)
        goto fail;
    for (uint32_t i = 0; i < n; i++) {
        if (labels[i] >= IDX_N_CLASSES) {
            lr_fail(e, "%s: label %u at index %u is out of range (expected 0 to %d)",
                    labels_path, labels[i], i, IDX_N_CLASSES - 1);
            goto fail;
        }
    }
    idx_close(&img);
    idx_close(&lab);

    name_from_path(out->name, sizeof out->name, images_path);
    out->pixels = pixels;
    out->labels = labels;
    out->n = (int)n;
    out->c = 1;
    out->h = (int)rows;
    out->w = (int)cols;
    out->n_classes = IDX_N_CLASSES;
    dataset_compute_stats(out);
    return 0;

fail:
    free(pixels);
    free(labels);
    idx_close(&img);
    idx_close(&lab);
    return -1;
}

/* Finds dir/name or dir/name.gz (the plain file first: it reads faster). */
static int idx_find(char *path, size_t size, const char *dir, const char *name, lr_err *e)
{
    size_t len = strlen(dir);
    const char *sep = len > 0 && dir[len - 1] == '/' ? "" : "/";
    int w = snprintf(path, size, "%s%s%s", dir, sep, name);
    if (w < 0 || (size_t)w + 3 >= size)
        return lr_fail(e, "%s: folder path too long", dir);
    if (access(path, F_OK) == 0)
        return 0;
    strcat(path, ".gz");
    if (access(path, F_OK) == 0)
        return 0;
    return lr_fail(e, "%s%s%s[.gz]: not found (an IDX folder holds train-images-idx3-ubyte, "
                   "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, "
                   "each optionally .gz)", dir, sep, name);
}

int dataset_load_idx_dir(dataset_pair *out, const char *dir, lr_err *e)
{
    memset(out, 0, sizeof *out);
    char train_img[4096], train_lab[4096], test_img[4096], test_lab[4096];
    if (idx_find(train_img, sizeof train_img, dir, "train-images-idx3-ubyte", e) != 0 ||
        idx_find(train_lab, sizeof train_lab, dir, "train-labels-idx1-ubyte", e) != 0 ||
        idx_find(test_img, sizeof test_img, dir, "t10k-images-idx3-ubyte", e) != 0 ||
        idx_find(test_lab, sizeof test_lab, dir, "t10k-labels-idx1-ubyte", e) != 0)
        return -1;

    if (dataset_load_idx(&out->train, train_img, train_lab, e) != 0)
        return -1;
    if (dataset_load_idx(&out->test, test_img, test_lab, e) != 0) {
        dataset_pair_free(out);
        return -1;
    }
    if (out->test.h != out->train.h || out->test.w != out->train.w) {
        lr_fail(e, "%s: test images are %d x %d pixels but the training images (%s) are "
                "%d x %d", test_img, out->test.h, out->test.w, train_img, out->train.h,
                out->train.w);
        dataset_pair_free(out);
        return -1;
    }

    name_from_path(out->train.name, sizeof out->train.name, dir);
    memcpy(out->test.name, out->train.name, sizeof out->test.name);
    dataset_pair_share_train_stats(out); /* dataset_load_idx computed them */
    return 0;
}
