/* npz.h — NumPy's .npz files: a zip archive (stored, not compressed) of one
 * .npy file per array, float32 little-endian, C order. numpy.load reads them
 * as a dict of arrays by name; so do PyTorch users (torch.from_numpy).
 *
 *     npz_writer z;
 *     if (npz_open(&z, "w.npz", &err) < 0) ...
 *     npz_add(&z, "dense1.weight", data, shape, 2, &err);
 *     ...
 *     npz_close(&z, &err);   // central directory, fsync, rename into place
 *
 * The archive is written beside the target under a temporary name and renamed
 * when complete, so a failed write never leaves half a file. */
#ifndef LRSCOPE_NPZ_H
#define LRSCOPE_NPZ_H

#include <stdint.h>
#include <stdio.h>

#include "engine/err.h"

#define NPZ_MAX_ARRAYS 1024
#define NPZ_MAX_DIMS 4

typedef struct npz_entry {
    char     name[64];        /* without ".npy" */
    uint32_t crc, size, offset;
} npz_entry;

typedef struct npz_writer {
    FILE      *f;
    char       path[1024], tmp[1040];
    npz_entry  entries[NPZ_MAX_ARRAYS];
    int        n;
    uint32_t   at;            /* bytes written so far */
    int        err;           /* errno of the first failed write, 0 */
} npz_writer;

/* Starts an archive that will become `path`. Refuses a path that exists and
 * is not a regular file (a folder, a device, a symlink). Returns 0, or -1
 * with `e` naming the file. */
int  npz_open(npz_writer *z, const char *path, lr_err *e);

/* Appends the float32 array data[shape[0]]...[shape[n_dims-1]] as name.npy.
 * Returns 0, or -1 with `e` set (the archive is then abandoned by npz_close). */
int  npz_add(npz_writer *z, const char *name, const float *data, const long *shape,
             int n_dims, lr_err *e);

/* Writes the central directory and renames the archive into place. Returns
 * 0, or -1 with `e` naming the file and the OS's reason; then nothing is left
 * at `path` that was not there before. */
int  npz_close(npz_writer *z, lr_err *e);

/* Abandons the archive: closes and removes the temporary file. */
void npz_abort(npz_writer *z);

#endif
