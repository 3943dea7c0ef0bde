/* testutil.h — small helpers shared by the unit tests: a fresh temporary
 * folder for tests that write files, and a check on error messages.
 *
 * The folder is made by a suite's .init and removed by its .fini, pass or
 * fail. Criterion's hooks take no arguments, so a suite wraps the creation:
 *
 *     static void tmp_setup(void) { tmpdir_create("png"); }
 *     TestSuite(png, .init = tmp_setup, .fini = tmpdir_remove);
 *
 * Criterion runs each test in a process of its own, so one folder name per
 * process is all the state needed. */
#ifndef LRSCOPE_TESTUTIL_H
#define LRSCOPE_TESTUTIL_H

#include <string.h>

/* Creates $TMPDIR/lrscope-<tag>-XXXXXX (/tmp when TMPDIR is unset or empty);
 * fails the test when it cannot. */
void tmpdir_create(const char *tag);

/* Removes the folder and everything in it; nothing when there is none. */
void tmpdir_remove(void);

/* The folder's path. */
const char *tmpdir_root(void);

/* "<folder>/<name>", in one of four static buffers used in turn: a result
 * stays valid until the fourth call after it. */
const char *tmpdir_path(const char *name);

/* The whole file at path, NUL-terminated, its length in *len (malloc'd);
 * fails the test when it cannot be read. */
char *read_whole_file(const char *path, size_t *len);

/* Fails the test unless the lr_err e's message contains phrase (a Criterion
 * assertion: include criterion.h). */
#define assert_has(e, phrase) \
    cr_assert(strstr((e).msg, (phrase)) != NULL, "expected \"%s\" in: %s", (phrase), (e).msg)

#endif
