#include "engine/sysmem.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* The value of `key` (in kB) in a /proc file of "Key:   1234 kB" lines. */
static size_t proc_kb(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return SIZE_MAX;
    char line[256];
    size_t kb = SIZE_MAX, klen = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, klen) && line[klen] == ':') {
            unsigned long long v;
            if (sscanf(line + klen + 1, "%llu", &v) == 1)
                kb = (size_t)v;
            break;
        }
    fclose(f);
    return kb;
}

/* What `resource`'s soft limit leaves when `used_kb` count against it
 * already; SIZE_MAX without a limit. */
static size_t limit_left(int resource, size_t used_kb)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return SIZE_MAX;
    size_t lim = rl.rlim_cur > SIZE_MAX ? SIZE_MAX : (size_t)rl.rlim_cur;
    size_t used = used_kb == SIZE_MAX ? 0 : used_kb * 1024;
    return used >= lim ? 0 : lim - used;
}

static size_t reserved;

void sysmem_reserve(size_t bytes)
{
    reserved = bytes;
}

size_t sysmem_mapped(void)
{
    size_t kb = proc_kb("/proc/self/status", "VmSize");
    return kb == SIZE_MAX || kb > SIZE_MAX / 1024 ? SIZE_MAX : kb * 1024;
}

size_t sysmem_available(void)
{
    size_t avail = SIZE_MAX;
    size_t kb = proc_kb("/proc/meminfo", "MemAvailable");
    if (kb != SIZE_MAX)
        avail = kb > SIZE_MAX / 1024 ? SIZE_MAX : kb * 1024;
    else {
        long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        if (pages > 0 && page > 0)
            avail = (size_t)pages * (size_t)page;
    }
    size_t as_left = limit_left(RLIMIT_AS, proc_kb("/proc/self/status", "VmSize"));
    size_t data_left = limit_left(RLIMIT_DATA, proc_kb("/proc/self/status", "VmData"));
    if (as_left < avail)
        avail = as_left;
    if (data_left < avail)
        avail = data_left;
    if (avail == SIZE_MAX)
        return avail;
    return avail > reserved ? avail - reserved : 0;
}

void sysmem_format(size_t bytes, char *buf, size_t len)
{
    double mb = (double)bytes / (1024.0 * 1024.0);
    if (mb < 1024.0)
        snprintf(buf, len, "%.0f MB", mb < 1.0 ? 1.0 : mb);
    else
        snprintf(buf, len, "%.1f GB", mb / 1024.0);
}
