/* sysmem.h — how much memory this process may still allocate.
 * A leaf module: it includes nothing of lrscope, so datasets/ may use it. */
#ifndef LRSCOPE_SYSMEM_H
#define LRSCOPE_SYSMEM_H

#include <stddef.h>

/* Bytes this process can allocate without swapping or hitting its address
 * space limit: the smaller of the system's available memory (MemAvailable)
 * and what the address-space and data limits (`ulimit -v`, `ulimit -d`)
 * leave beside what the process uses already, less sysmem_reserve's bytes.
 * SIZE_MAX when neither is known. */
size_t sysmem_available(void);

/* Address space this process has mapped (VmSize), in bytes; SIZE_MAX when
 * it cannot be read. */
size_t sysmem_mapped(void);

/* Sets how much address space a library will still map on its own (OpenBLAS's
 * work buffers, gemm.c): sysmem_available leaves it out. Replaces the last
 * value. */
void sysmem_reserve(size_t bytes);

/* Formats a byte count for messages: "712 MB", "3.1 GB". */
void sysmem_format(size_t bytes, char *buf, size_t len);

#endif
