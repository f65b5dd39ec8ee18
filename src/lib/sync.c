#include "sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

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

int sync_expect(int fd, int expect, int *ret_value, const char *peer, struct error *err)
{
        struct sync_msg m;
        ssize_t n;

        do
                n = recv(fd, &m, sizeof(m), 0);
        while (n < 0 && errno == EINTR);
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
