/* keyfile.h — one value of a run folder's `key = value` files (config,
 * suggestions.txt, a suite's suite.txt), read back by the commands that
 * look into folders: plot, replicate, resume, watch. */
#ifndef LRSCOPE_KEYFILE_H
#define LRSCOPE_KEYFILE_H

#include <stddef.h>

/* The value of the first line `key = value` (blanks around '=' optional)
 * of the file at path, without surrounding blanks, into buf[len]. Returns
 * 0, or -1 with buf "" when the file cannot be read or has no such key (a
 * missing file is no error for the callers: a run may lack its config). */
int keyfile_get(const char *path, const char *key, char *buf, size_t len);

/* keyfile_get of dir/name. */
int keyfile_get_in(const char *dir, const char *name, const char *key, char *buf, size_t len);

#endif
