/* err.h — how library code reports failure.
 *
 * Library functions (engine/, datasets/) never print and never exit. A function
 * that can fail takes an `lr_err *` last, returns 0 on success and -1 on
 * failure, and on failure fills the message with what went wrong, naming the
 * file or value involved, in words a user can act on. Only main() decides
 * whether to exit. */
#ifndef LRSCOPE_ERR_H
#define LRSCOPE_ERR_H

#include <stddef.h>

#define LR_ERR_LEN 512

typedef struct lr_err {
    char msg[LR_ERR_LEN];
} lr_err;

/* Formats the message into `e` (when e is not NULL) and returns -1, so that a
 * failing function can `return lr_fail(e, "...", ...)`. */
int lr_fail(lr_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Words for the kind of file `mode` (st_mode) is, for refusals: "a folder",
 * "a FIFO (named pipe)", "a device", "a socket", "a symbolic link", "a
 * regular file". lrscope reads and replaces regular files only: opening a
 * FIFO blocks until something writes to it, replacing a link or a device
 * is never what was meant. */
const char *lr_file_kind(unsigned mode);

#endif
