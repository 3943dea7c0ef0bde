/* png_write.h — saves an RGB image as a PNG file with libpng.
 *
 * The file appears complete or not at all: the image is written to a
 * temporary file in the destination's folder (".NAME.PID.N.tmp") and renamed
 * over the destination only once libpng has finished and the file is
 * closed; any failure removes the temporary file and leaves an existing
 * destination untouched.
 *
 * The bytes depend only on the pixels: no time chunk, no text chunks, fixed
 * compression level and filter choice, so the same image always gives the
 * same file (with the same libpng and zlib), which tests and `make
 * screenshots` rely on. */
#ifndef LRSCOPE_PNG_WRITE_H
#define LRSCOPE_PNG_WRITE_H

#include <stdint.h>

#include "engine/err.h"

/* Writes the w x h image rgb ([h][w][3] bytes, rows top to bottom, 8 bits
 * per channel) to path as an 8-bit RGB PNG. Returns 0, or -1 with e naming
 * the path and the reason (folder missing, not writable, path is a folder,
 * a link, a device or anything else that is not a regular file, the
 * system's reason for a failed write, libpng's error). */
int png_write_rgb(const char *path, const uint8_t *rgb, int w, int h, lr_err *e);

/* Whether path looks writable before any work is done: a file name (not a
 * folder) in an existing, writable folder. Returns 0, or -1 with e set as
 * png_write_rgb would. Writing can still fail later (disk full). */
int png_write_check(const char *path, lr_err *e);

#endif
