/* memavail.c — the estimate behind memavail.h, from /proc and getrlimit. */
#define _POSIX_C_SOURCE 200809L
#include "engine/memavail.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* MemAvailable from /proc/meminfo in bytes, or SIZE_MAX. */
static size_t meminfo_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return SIZE_MAX;
    char line[256];
    size_t bytes = SIZE_MAX;
    unsigned long long kb;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
            bytes = kb > SIZE_MAX / 1024 ? SIZE_MAX : (size_t)kb * 1024;
            break;
        }
    fclose(f);
    return bytes;
}

/* What is left under `resource`'s soft limit when `used` bytes count
 * against it already; SIZE_MAX without a limit. */
static size_t limit_left(int resource, size_t used)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return SIZE_MAX;
    size_t lim = rl.rlim_cur > SIZE_MAX ? SIZE_MAX : (size_t)rl.rlim_cur;
    return used >= lim ? 0 : lim - used;
}

size_t mem_available_bytes(void)
{
    size_t avail = meminfo_available();
    /* /proc/self/statm: total program size and data+stack, in pages. */
    unsigned long long size = 0, resident, shared, text, lib, data = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%llu %llu %llu %llu %llu %llu", &size, &resident, &shared, &text, &lib,
                   &data) != 6)
            size = data = 0;
        fclose(f);
    }
    long page = sysconf(_SC_PAGESIZE);
    size_t pg = page > 0 ? (size_t)page : 4096;
    size_t as_left = limit_left(RLIMIT_AS, (size_t)size * pg);
    size_t data_left = limit_left(RLIMIT_DATA, (size_t)data * pg);
    if (as_left < avail)
        avail = as_left;
    if (data_left < avail)
        avail = data_left;
    return avail;
}

void mem_format(char *buf, size_t len, double bytes)
{
    static const char *const units[] = { "B", "KB", "MB", "GB", "TB", "PB" };
    int u = 0;
    while (bytes >= 1024.0 && u < 5) {
        bytes /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%.0f B", bytes);
    else
        snprintf(buf, len, "%.1f %s", bytes, units[u]);
}

int mem_check_fits(size_t need, size_t available, const char *what, lr_err *e)
{
    if (need <= available)
        return 0;
    char n[32], a[32];
    mem_format(n, sizeof n, (double)need);
    mem_format(a, sizeof a, (double)available);
    return lr_fail(e, "%s needs %s of memory but only %s is available on this machine", what,
                   n, a);
}

int mem_check(size_t need, const char *what, lr_err *e)
{
    return mem_check_fits(need, mem_available_bytes(), what, e);
}
