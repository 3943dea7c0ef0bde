/* npz.c — the zip container and .npy headers of npz.h. Zip fields are
 * little-endian; lrscope writes them byte by byte so the host order does not
 * matter. The float data is written as the host holds it, and the header
 * says '<f4': checked once against the host at npz_open. */
#include "tui/npz.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static void put_le(npz_writer *z, uint32_t v, int bytes)
{
    unsigned char b[4];
    for (int i = 0; i < bytes; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    if (!z->err && fwrite(b, 1, (size_t)bytes, z->f) != (size_t)bytes)
        z->err = errno ? errno : EIO;
    z->at += (uint32_t)bytes;
}

static void put_bytes(npz_writer *z, const void *p, size_t n)
{
    if (!z->err && n && fwrite(p, 1, n, z->f) != n)
        z->err = errno ? errno : EIO;
    z->at += (uint32_t)n;
}

int npz_open(npz_writer *z, const char *path, lr_err *e)
{
    memset(z, 0, sizeof *z);
    const uint32_t one = 1;
    if (*(const unsigned char *)&one != 1)
        return lr_fail(e, "writing .npz files needs a little-endian machine");
    if (snprintf(z->path, sizeof z->path, "%s", path) >= (int)sizeof z->path)
        return lr_fail(e, "the output path is too long: %.60s...", path);
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return lr_fail(e, "%s is not a regular file: refusing to replace it", path);
    snprintf(z->tmp, sizeof z->tmp, "%s.tmp", path);
    z->f = fopen(z->tmp, "wb");
    if (!z->f)
        return lr_fail(e, "cannot write %s: %s", z->tmp, strerror(errno));
    return 0;
}

/* The .npy header: magic, version 1.0, the dict padded with spaces so that
 * the data starts on a 64-byte boundary. */
static size_t npy_header(char *buf, size_t cap, const long *shape, int n_dims)
{
    char dims[128] = "";
    size_t n = 0;
    for (int i = 0; i < n_dims; i++)
        n += (size_t)snprintf(dims + n, sizeof dims - n, "%ld,%s", shape[i],
                              i + 1 < n_dims ? " " : "");
    if (n_dims > 1)
        dims[n - 1] = '\0'; /* (3, 4) but (3,) */
    char dict[256];
    int len = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, "
                                         "'shape': (%s), }", dims);
    size_t total = 10 + (size_t)len + 1;
    size_t padded = (total + 63) / 64 * 64;
    if (padded > cap)
        return 0;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    uint16_t hl = (uint16_t)(padded - 10);
    buf[8] = (char)(hl & 0xff);
    buf[9] = (char)(hl >> 8);
    memcpy(buf + 10, dict, (size_t)len);
    memset(buf + 10 + len, ' ', padded - 10 - (size_t)len - 1);
    buf[padded - 1] = '\n';
    return padded;
}

int npz_add(npz_writer *z, const char *name, const float *data, const long *shape,
            int n_dims, lr_err *e)
{
    if (z->n == NPZ_MAX_ARRAYS)
        return lr_fail(e, "more than %d arrays for one .npz file", NPZ_MAX_ARRAYS);
    if (n_dims < 1 || n_dims > NPZ_MAX_DIMS)
        return lr_fail(e, "%s: %d dimensions", name, n_dims);
    npz_entry *en = &z->entries[z->n];
    if (snprintf(en->name, sizeof en->name, "%s", name) >= (int)sizeof en->name)
        return lr_fail(e, "array name too long: %s", name);
    char head[320];
    size_t hn = npy_header(head, sizeof head, shape, n_dims);
    size_t count = 1;
    for (int i = 0; i < n_dims; i++)
        count *= (size_t)shape[i];
    size_t bytes = count * sizeof(float);
    if (!hn || hn + bytes > UINT32_MAX - z->at)
        return lr_fail(e, "%s: too large for a .npz file without zip64", name);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, (const Bytef *)head, (uInt)hn);
    crc = crc32(crc, (const Bytef *)data, (uInt)bytes);
    en->crc = (uint32_t)crc;
    en->size = (uint32_t)(hn + bytes);
    en->offset = z->at;
    char file[80];
    snprintf(file, sizeof file, "%s.npy", en->name);
    uint16_t fl = (uint16_t)strlen(file);
    put_le(z, 0x04034b50u, 4);      /* local file header */
    put_le(z, 20, 2);               /* version needed: 2.0 */
    put_le(z, 0, 2);                /* flags */
    put_le(z, 0, 2);                /* stored */
    put_le(z, 0, 2);                /* time */
    put_le(z, 0x21, 2);             /* date: 1980-01-01 */
    put_le(z, en->crc, 4);
    put_le(z, en->size, 4);
    put_le(z, en->size, 4);
    put_le(z, fl, 2);
    put_le(z, 0, 2);                /* extra */
    put_bytes(z, file, fl);
    put_bytes(z, head, hn);
    put_bytes(z, data, bytes);
    z->n++;
    return 0;
}

int npz_close(npz_writer *z, lr_err *e)
{
    uint32_t cd_start = z->at;
    for (int i = 0; i < z->n; i++) {
        const npz_entry *en = &z->entries[i];
        char file[80];
        snprintf(file, sizeof file, "%s.npy", en->name);
        uint16_t fl = (uint16_t)strlen(file);
        put_le(z, 0x02014b50u, 4);  /* central directory header */
        put_le(z, 20, 2);           /* made by */
        put_le(z, 20, 2);           /* needed */
        put_le(z, 0, 2);
        put_le(z, 0, 2);
        put_le(z, 0, 2);
        put_le(z, 0x21, 2);
        put_le(z, en->crc, 4);
        put_le(z, en->size, 4);
        put_le(z, en->size, 4);
        put_le(z, fl, 2);
        put_le(z, 0, 2);            /* extra */
        put_le(z, 0, 2);            /* comment */
        put_le(z, 0, 2);            /* disk */
        put_le(z, 0, 2);            /* internal attributes */
        put_le(z, 0, 4);            /* external attributes */
        put_le(z, en->offset, 4);
        put_bytes(z, file, fl);
    }
    uint32_t cd_size = z->at - cd_start;
    put_le(z, 0x06054b50u, 4);      /* end of central directory */
    put_le(z, 0, 2);
    put_le(z, 0, 2);
    put_le(z, (uint32_t)z->n, 2);
    put_le(z, (uint32_t)z->n, 2);
    put_le(z, cd_size, 4);
    put_le(z, cd_start, 4);
    put_le(z, 0, 2);
    int err = z->err;
    if (!err && (fflush(z->f) || fsync(fileno(z->f))))
        err = errno ? errno : EIO;
    if (fclose(z->f) && !err)
        err = errno ? errno : EIO;
    if (!err && rename(z->tmp, z->path))
        err = errno;
    if (err) {
        unlink(z->tmp);
        return lr_fail(e, "cannot write %s: %s", z->path, strerror(err));
    }
    return 0;
}

void npz_abort(npz_writer *z)
{
    if (z->f)
        fclose(z->f);
    z->f = NULL;
    unlink(z->tmp);
}
