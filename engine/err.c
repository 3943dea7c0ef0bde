#include "engine/err.h"

#include <stdarg.h>
#include <stdio.h>

int lr_fail(lr_err *e, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}
