#include "fds.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

int fds_check_passed(int n, const char *flag, struct error *err)
{
        for (int fd = 3; fd < 3 + n; fd++)
                if (fcntl(fd, F_GETFD) < 0)
                        return error_set(err, EBADF, "%s: fd %d is not open", flag, fd);
        return 0;
}

static int close_range_of(unsigned first, unsigned last, struct error *err)
{
        if (first <= last && syscall(SYS_close_range, first, last, 0) < 0)
                return error_sys(err, errno, "close fds %u..%u", first, last);
        return 0;
}

int fds_close_from(int first, int keep, struct error *err)
{
        int r;

        if (keep < first)
                return close_range_of((unsigned)first, ~0U, err);
        if ((r = close_range_of((unsigned)first, (unsigned)keep - 1, err)) < 0)
                return r;
        return close_range_of((unsigned)keep + 1, ~0U, err);
}

int fds_check_cwd(const char *cwd, struct error *err)
{
        char buf[PATH_MAX];

        if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
                return error_set(err, EPERM, "process.cwd: %s is outside the container", cwd);
        return 0;
}
