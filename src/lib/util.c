#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void freep(void *p)
{
        free(*(void **)p);
}

void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}

void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}

void strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

void strv_freep(char ***v)
{
        strv_free(*v);
}

size_t strv_length(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

char **strv_copy(char *const *v)
{
        size_t n = strv_length(v);
        char **copy = xcalloc(n + 1, sizeof(*copy));

        for (size_t i = 0; i < n; i++)
                copy[i] = xstrdup(v[i]);
        return copy;
}

static void *check_alloc(void *p)
{
        if (!p) {
                /* Out of memory in a short-lived CLI: there is no sane way to go on. */
                abort();
        }
        return p;
}

void *xmalloc(size_t n)
{
        return check_alloc(malloc(n ? n : 1));
}

void *xcalloc(size_t n, size_t size)
{
        return check_alloc(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
        return check_alloc(realloc(p, n ? n : 1));
}

char *xstrdup(const char *s)
{
        return s ? check_alloc(strdup(s)) : NULL;
}

char *xasprintf(const char *fmt, ...)
{
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                abort();
        return s;
}

int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
        size_t got = 0;

        while (got < len) {
                ssize_t n = read(fd, (char *)buf + got, len - got);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                got += (size_t)n;
        }
        return (ssize_t)got;
}

int read_file(const char *path, char **ret_data, size_t *ret_len, struct error *err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        if (fd < 0)
                return error_sys(err, errno, "open %s", path);
        for (;;) {
                ssize_t n;

                if (cap - len < 4096) {
                        cap = cap ? cap * 2 : 8192;
                        buf = xrealloc(buf, cap + 1);
                }
                n = read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return error_sys(err, errno, "read %s", path);
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        if (!buf)
                buf = xmalloc(1);
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret_data = TAKE_PTR(buf);
        return 0;
}

int write_file(const char *path, const char *data, struct error *err)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        int r;

        if (fd < 0)
                return error_sys(err, errno, "open %s", path);
        r = write_all(fd, data, strlen(data));
        if (r < 0)
                return error_sys(err, -r, "write %s", path);
        return 0;
}

static int replace_file(const char *path, const char *data, size_t len, bool durable, struct error *err)
{
        _cleanup_free_ char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int r;

        if (fd < 0)
                return error_sys(err, errno, "create %s", tmp);
        r = write_all(fd, data, len);
        if (r == 0 && durable && fsync(fd) < 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return error_sys(err, -r, "write %s", path);
        }
        return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len, struct error *err)
{
        return replace_file(path, data, len, true, err);
}

int write_file_replace(const char *path, const char *data, size_t len, struct error *err)
{
        return replace_file(path, data, len, false, err);
}

int mkdir_p(const char *path, mode_t mode, struct error *err)
{
        _cleanup_free_ char *copy = xstrdup(path);

        for (char *p = copy + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(copy, mode) < 0 && errno != EEXIST)
                        return error_sys(err, errno, "mkdir %s", copy);
                *p = '/';
        }
        if (mkdir(copy, mode) < 0 && errno != EEXIST)
                return error_sys(err, errno, "mkdir %s", copy);
        return 0;
}

/* Unlink NAME in PARENT; one already gone is fine. */
static int unlink_gone(int parent, const char *name, struct error *err)
{
        if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
                return error_sys(err, errno, "unlink %s", name);
        return 0;
}

static int rm_rf_at(int parent, const char *name, struct error *err)
{
        _cleanup_close_ int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (fd < 0) {
                if (errno == ENOTDIR || errno == ELOOP)
                        return unlink_gone(parent, name, err);
                if (errno == ENOENT)
                        return 0;
                return error_sys(err, errno, "open %s", name);
        }
        d = fdopendir(TAKE_FD(fd));
        if (!d)
                return error_sys(err, errno, "opendir %s", name);
        while (r == 0 && (de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                /* What readdir already says is no directory is unlinked without trying to open it. */
                if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
                        r = unlink_gone(dirfd(d), de->d_name, err);
                else
                        r = rm_rf_at(dirfd(d), de->d_name, err);
        }
        closedir(d);
        if (r < 0)
                return r;
        if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return error_sys(err, errno, "rmdir %s", name);
        return 0;
}

int rm_rf(const char *path, struct error *err)
{
        return rm_rf_at(AT_FDCWD, path, err);
}

bool str_to_long(const char *s, long *ret)
{
        char *end;
        long v;

        if (!s || !*s)
                return false;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || *end)
                return false;
        *ret = v;
        return true;
}

bool streq_ptr(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

/* Days since 1970-01-01 to a Gregorian date, counting in 400-year eras of 146097 days that start on
 * March 1st (so the leap day ends a year). gmtime_r would do, but it reads /etc/localtime first. */
static void civil_from_days(long days, int *ret_year, int *ret_month, int *ret_day)
{
        long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
        long doe = z - era * 146097;                                    /* day of era, 0..146096 */
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* year of era, 0..399 */
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             /* day of year from March 1st */
        long mp = (5 * doy + 2) / 153;                                  /* month from March, 0..11 */

        *ret_day = (int)(doy - (153 * mp + 2) / 5 + 1);
        *ret_month = (int)(mp < 10 ? mp + 3 : mp - 9);
        *ret_year = (int)(yoe + era * 400 + (*ret_month <= 2));
}

char *now_rfc3339(void)
{
        struct timespec ts;
        long secs;
        int year, month, day;

        clock_gettime(CLOCK_REALTIME, &ts);
        civil_from_days(ts.tv_sec / 86400, &year, &month, &day);
        secs = ts.tv_sec % 86400;
        return xasprintf("%04d-%02d-%02dT%02ld:%02ld:%02ld.%09ldZ", year, month, day, secs / 3600, secs / 60 % 60,
                         secs % 60, ts.tv_nsec);
}
