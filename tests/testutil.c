/* testutil.c — the temporary folder of testutil.h. */
#define _POSIX_C_SOURCE 200809L

#include "tests/testutil.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp_dir[1024];

void tmpdir_create(const char *tag)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/lrscope-%s-XXXXXX", base && *base ? base : "/tmp",
             tag);
    cr_assert(mkdtemp(tmp_dir) != NULL, "cannot create a temporary folder in %s", tmp_dir);
}

static void rm_tree(const char *path)
{
    DIR *dir = opendir(path);
    if (dir) {
        struct dirent *ent;
        while ((ent = readdir(dir)) != NULL) {
            if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
                continue;
            char sub[2048];
            snprintf(sub, sizeof sub, "%s/%s", path, ent->d_name);
            rm_tree(sub);
        }
        closedir(dir);
        rmdir(path);
    } else {
        unlink(path);
    }
}

void tmpdir_remove(void)
{
    if (tmp_dir[0])
        rm_tree(tmp_dir);
}

const char *tmpdir_root(void)
{
    return tmp_dir;
}

const char *tmpdir_path(const char *name)
{
    static char bufs[4][2048];
    static int next;
    char *p = bufs[next++ % 4];
    snprintf(p, sizeof bufs[0], "%s/%s", tmp_dir, name);
    return p;
}
