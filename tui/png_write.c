/* png_write.c — the libpng writer behind png_write.h.
 *
 * libpng reports errors by longjmp; everything that must be cleaned up after
 * one (the FILE, the temporary name, the row pointers) is set up before
 * setjmp and never changed after it, so no local needs to be volatile. */
#define _POSIX_C_SOURCE 200809L
#include "tui/png_write.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PNG_LEVEL 9   /* zlib level: charts are mostly flat colour and shrink well */

typedef struct write_ctx {
    jmp_buf jmp;
    char    msg[256];
    FILE   *f;
} write_ctx;

/* libpng's own writer says only "Write Error"; this one gives the system's
 * reason (No space left on device, File too large...). */
static void on_write(png_structp png, png_bytep data, size_t len)
{
    write_ctx *w = png_get_io_ptr(png);
    errno = 0;
    if (fwrite(data, 1, len, w->f) != len)
        png_error(png, errno ? strerror(errno) : "write error");
}

static void on_flush(png_structp png)
{
    write_ctx *w = png_get_io_ptr(png);
    errno = 0;
    if (fflush(w->f) != 0)
        png_error(png, errno ? strerror(errno) : "write error");
}

static void on_error(png_structp png, png_const_charp msg)
{
    write_ctx *w = png_get_error_ptr(png);
    snprintf(w->msg, sizeof w->msg, "%s", msg);
    longjmp(w->jmp, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;   /* library code never prints; warnings do not stop the write */
}

/* Splits path into its folder ("." when it has none) and file name. */
static int split_path(const char *path, char *dir, size_t dcap, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!slash)
        return snprintf(dir, dcap, ".") >= (int)dcap ? -1 : 0;
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= dcap)
        return -1;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return 0;
}

/* Creates a fresh temporary file next to the destination. */
static FILE *open_temp(const char *dir, const char *base, char *tmp, size_t cap, lr_err *e,
                       const char *path)
{
    static unsigned counter;
    for (int tries = 0; tries < 100; tries++) {
        unsigned k = counter++;
        if (snprintf(tmp, cap, "%s/.%s.%ld.%u.tmp", dir, base, (long)getpid(), k) >= (int)cap) {
            lr_fail(e, "cannot write %s: the path is too long", path);
            return NULL;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0) {
            lr_fail(e, "cannot write %s: %s (in folder %s)", path, strerror(errno), dir);
            return NULL;
        }
        FILE *f = fdopen(fd, "wb");
        if (!f) {
            lr_fail(e, "cannot write %s: %s", path, strerror(errno));
            close(fd);
            unlink(tmp);
        }
        return f;
    }
    lr_fail(e, "cannot write %s: no free temporary name in %s", path, dir);
    return NULL;
}

/* Runs libpng over an open file. Returns 0, or -1 with ctx->msg set. */
static int encode(FILE *f, const uint8_t *rgb, int w, int h, png_bytep *rows, write_ctx *ctx)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, ctx, on_error, on_warning);
    if (!png) {
        snprintf(ctx->msg, sizeof ctx->msg, "out of memory");
        return -1;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(ctx->msg, sizeof ctx->msg, "out of memory");
        return -1;
    }
    if (setjmp(ctx->jmp)) {
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    for (int y = 0; y < h; y++)
        rows[y] = (png_bytep)(rgb + (size_t)y * (size_t)w * 3);
    ctx->f = f;
    png_set_write_fn(png, ctx, on_write, on_flush);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, PNG_LEVEL);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_ALL_FILTERS);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

/* png_write_check, also giving the folder and the file name. */
static int check_path(const char *path, char *dir, size_t dcap, const char **base, lr_err *e)
{
    struct stat st;
    if (!path || !path[0])
        return lr_fail(e, "no output file given");
    if (split_path(path, dir, dcap, base) || !(*base)[0])
        return lr_fail(e, "cannot write %s: give a file name, not a folder", path);
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return lr_fail(e, "cannot write %s: it is a folder; give a file name", path);
    /* The file is replaced by renaming over it: that would swap a link or a
     * device for a PNG, which is never what was meant. */
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return lr_fail(e, "cannot write %s: it is %s, and lrscope replaces only regular "
                       "files; give another name", path, lr_file_kind(st.st_mode));
    if (stat(dir, &st) != 0)
        return lr_fail(e, "cannot write %s: folder %s: %s", path, dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return lr_fail(e, "cannot write %s: %s is not a folder", path, dir);
    if (access(dir, W_OK) != 0)
        return lr_fail(e, "cannot write %s: folder %s: %s", path, dir, strerror(errno));
    return 0;
}

int png_write_check(const char *path, lr_err *e)
{
    char dir[4096];
    const char *base = "";
    return check_path(path, dir, sizeof dir, &base, e);
}

int png_write_rgb(const char *path, const uint8_t *rgb, int w, int h, lr_err *e)
{
    char dir[4096], tmp[4200];
    const char *base = "";

    if (check_path(path, dir, sizeof dir, &base, e))
        return -1;
    if (w < 1 || h < 1 || !rgb)
        return lr_fail(e, "cannot write %s: the image is empty", path);

    png_bytep *rows = malloc((size_t)h * sizeof *rows);
    if (!rows)
        return lr_fail(e, "cannot write %s: out of memory", path);
    FILE *f = open_temp(dir, base, tmp, sizeof tmp, e, path);
    if (!f) {
        free(rows);
        return -1;
    }
    write_ctx ctx;
    ctx.msg[0] = '\0';
    int bad = encode(f, rgb, w, h, rows, &ctx);
    free(rows);
    int wr_err = ferror(f);
    errno = 0;
    int cl_err = fclose(f);
    if (bad || wr_err || cl_err) {
        int err = errno ? errno : EIO;
        unlink(tmp);
        if (bad)
            return lr_fail(e, "cannot write %s: %s", path, ctx.msg[0] ? ctx.msg : "libpng failed");
        return lr_fail(e, "cannot write %s: %s", path, strerror(err));
    }
    if (rename(tmp, path)) {
        int err = errno;
        unlink(tmp);
        return lr_fail(e, "cannot write %s: %s", path, strerror(err));
    }
    return 0;
}
