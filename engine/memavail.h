/* memavail.h — how much memory lrscope may still allocate, and a refusal
 * that says so before a large allocation is tried.
 *
 * Allocations of hundreds of megabytes (a data set, a large model) are
 * checked against this estimate first, so that a request that cannot fit is
 * refused with both numbers in the message instead of relying on malloc
 * failing (it often does not fail on Linux: the process is killed later). */
#ifndef LRSCOPE_MEMAVAIL_H
#define LRSCOPE_MEMAVAIL_H

#include <stddef.h>

#include "engine/err.h"

/* Bytes this process can still allocate: the smallest of the kernel's
 * MemAvailable (/proc/meminfo), the address-space limit (RLIMIT_AS) less
 * what the process maps already, and the data limit (RLIMIT_DATA) less the
 * process's data size. SIZE_MAX when none of them is known. */
size_t mem_available_bytes(void);

/* Returns 0 when `need` bytes fit in `available`; otherwise -1 with `e` set
 * to "<what> needs N MB but only M MB of memory is available" (sizes in
 * human units). Pure, so it can be tested with any numbers. */
int    mem_check_fits(size_t need, size_t available, const char *what, lr_err *e);

/* mem_check_fits against mem_available_bytes(). */
int    mem_check(size_t need, const char *what, lr_err *e);

/* "512 B", "3.1 KB", "47.0 MB", "17.2 GB" (powers of 1024). */
void   mem_format(char *buf, size_t len, double bytes);

#endif
