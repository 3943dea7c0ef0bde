/* keyfile.c — the `key = value` reader of keyfile.h. */
#include "tui/keyfile.h"

#include <stdio.h>
#include <string.h>

int keyfile_get(const char *path, const char *key, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    size_t klen = strlen(key);
    int rc = -1;
    while (rc && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) || !line[klen] || !strchr(" =", line[klen]))
            continue;
        const char *v = line + klen + strspn(line + klen, " ");
        if (*v != '=')
            continue;   /* a longer key that starts with this one */
        v += 1 + strspn(v + 1, " ");
        size_t n = strcspn(v, "\r\n");
        while (n > 0 && v[n - 1] == ' ')
            n--;
        snprintf(buf, len, "%.*s", (int)n, v);
        rc = 0;
    }
    fclose(f);
    return rc;
}

int keyfile_get_in(const char *dir, const char *name, const char *key, char *buf, size_t len)
{
    char path[1200];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        buf[0] = '\0';
        return -1;
    }
    return keyfile_get(path, key, buf, len);
}
