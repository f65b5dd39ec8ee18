/* One error idiom: functions return 0 or -errno and fill a struct error with the human message. */
#pragma once
#include <stdarg.h>

struct error {
        int code;          /* positive errno, 0 when no error */
        char msg[1024];
};

/* Record the message and return -code so callers can write `return error_set(err, EINVAL, ...)`. */
int error_set(struct error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like error_set, appending ": strerror(code)". */
int error_sys(struct error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefix context to an existing message: "create socket pair: <old message>". Returns -err->code. */
int error_wrap(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
