#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void error_vformat(struct error *err, int code, const char *fmt, va_list ap)
{
        err->code = code > 0 ? code : EIO;
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int error_set(struct error *err, int code, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        error_vformat(err, code, fmt, ap);
        va_end(ap);
        return -err->code;
}

int error_sys(struct error *err, int code, const char *fmt, ...)
{
        va_list ap;
        size_t len;

        va_start(ap, fmt);
        error_vformat(err, code, fmt, ap);
        va_end(ap);
        len = strlen(err->msg);
        snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(err->code));
        return -err->code;
}

int error_wrap(struct error *err, const char *fmt, ...)
{
        char prefix[512], old[sizeof(err->msg)];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof(old));
        snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
        if (err->code == 0)
                err->code = EIO;
        return -err->code;
}
