#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "util.h"

#define DEFAULT_TIMEOUT_SECONDS 60

int sync_timeout_seconds(void)
{
        const char *text = getenv("SKIFF_SYNC_TIMEOUT");
        long n;

        return text && str_to_long(text, &n) && n > 0 && n <= 86400 ? (int)n : DEFAULT_TIMEOUT_SECONDS;
}

int sync_bound(int fd, int seconds, struct error *err)
{
        struct timeval tv = { .tv_sec = seconds };

        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
                return error_sys(err, errno, "bound the wait on the sync socket");
        return 0;
}

static long bound_of(int fd)
{
        struct timeval tv = { 0 };
        socklen_t len = sizeof(tv);

        return getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len) == 0 ? (long)tv.tv_sec : 0;
}

int sync_send(int fd, int type, int value, struct error *err)
{
        struct sync_msg m = { .type = type, .value = value };

        if (send(fd, &m, sizeof(m), MSG_NOSIGNAL) != sizeof(m))
                return error_sys(err, errno, "sync send");
        return 0;
}

int sync_send_error(int fd, const struct error *failure)
{
        struct sync_msg m = { .type = SYNC_ERROR, .code = failure->code };

        memcpy(m.msg, failure->msg, sizeof(m.msg));
        m.msg[sizeof(m.msg) - 1] = '\0';
        return send(fd, &m, sizeof(m), MSG_NOSIGNAL) == sizeof(m) ? 0 : -errno;
}

bool sync_take_error(int fd, struct error *err)
{
        struct sync_msg m;

        if (recv(fd, &m, sizeof(m), MSG_DONTWAIT) != sizeof(m) || m.type != SYNC_ERROR)
                return false;
        m.msg[sizeof(m.msg) - 1] = '\0';
        error_set(err, m.code > 0 ? m.code : EIO, "%s", m.msg);
        return true;
}

int sync_expect(int fd, int expect, int *ret_value, const char *peer, struct error *err)
{
        struct sync_msg m;
        ssize_t n;

        do
                n = recv(fd, &m, sizeof(m), 0);
        while (n < 0 && errno == EINTR);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return error_set(err, ETIMEDOUT, "%s did not answer within %ld s (SKIFF_SYNC_TIMEOUT)", peer,
                                 bound_of(fd));
        if (n < 0)
                return error_sys(err, errno, "sync receive from %s", peer);
        if (n == 0)
                return error_set(err, EPIPE, "%s exited during setup", peer);
        if (n != sizeof(m))
                return error_set(err, EPROTO, "short sync message from %s", peer);
        if (m.type == SYNC_ERROR) {
                m.msg[sizeof(m.msg) - 1] = '\0';
                return error_set(err, m.code > 0 ? m.code : EIO, "%s", m.msg);
        }
        if (m.type != expect)
                return error_set(err, EPROTO, "unexpected sync message %d from %s", m.type, peer);
        if (ret_value)
                *ret_value = m.value;
        return 0;
}
