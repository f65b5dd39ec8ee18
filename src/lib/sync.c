#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

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

/* One message, with n_fds fds (SCM_RIGHTS) when there are any: 0 or -errno. */
static int send_msg(int fd, const struct sync_msg *m, const int *fds, size_t n_fds)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
                struct cmsghdr align;
        } control = { 0 };
        struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (n_fds > SYNC_MAX_FDS)
                return -E2BIG;
        if (n_fds > 0) {
                struct cmsghdr *c;

                msg.msg_control = control.buf;
                msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
        }
        return sendmsg(fd, &msg, MSG_NOSIGNAL) == sizeof(*m) ? 0 : -errno;
}

int sync_send_fds(int fd, int type, const int *fds, size_t n, struct error *err)
{
        struct sync_msg m = { .type = type, .value = (int)n };
        int r = send_msg(fd, &m, fds, n);

        return r < 0 ? error_sys(err, -r, "sync send") : 0;
}

int sync_send(int fd, int type, int value, struct error *err)
{
        struct sync_msg m = { .type = type, .value = value };
        int r = send_msg(fd, &m, NULL, 0);

        return r < 0 ? error_sys(err, -r, "sync send") : 0;
}

int sync_send_error(int fd, const struct error *failure)
{
        struct sync_msg m = { .type = SYNC_ERROR, .code = failure->code };

        memcpy(m.msg, failure->msg, sizeof(m.msg));
        m.msg[sizeof(m.msg) - 1] = '\0';
        return send_msg(fd, &m, NULL, 0);
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

/* The fds that came with msg, into fds[] (at most max; more is a protocol error, and all are closed). */
static int take_fds(struct msghdr *msg, int *fds, size_t max, size_t *ret_n)
{
        bool dropped = msg->msg_flags & MSG_CTRUNC;
        size_t n = 0;

        for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
                size_t k;

                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < k; i++) {
                        int one;

                        memcpy(&one, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (n < max) {
                                fds[n++] = one;
                        } else {
                                close(one);
                                dropped = true;
                        }
                }
        }
        *ret_n = n;
        return dropped ? -EPROTO : 0;
}

static int receive(int fd, int expect, int *ret_value, int *fds, size_t max_fds, size_t *ret_n, const char *peer,
                   struct error *err)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
                struct cmsghdr align;
        } control;
        struct sync_msg m;
        struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                              .msg_controllen = sizeof(control.buf) };
        size_t n_fds = 0;
        ssize_t n;
        int r;

        do
                n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return error_set(err, ETIMEDOUT, "%s did not answer within %ld s (SKIFF_SYNC_TIMEOUT)", peer,
                                 bound_of(fd));
        if (n < 0)
                return error_sys(err, errno, "sync receive from %s", peer);
        if (n == 0)
                return error_set(err, EPIPE, "%s exited during setup", peer);
        r = take_fds(&msg, fds, max_fds, &n_fds);
        if (n != sizeof(m))
                r = error_set(err, EPROTO, "short sync message from %s", peer);
        else if (m.type == SYNC_ERROR) {
                m.msg[sizeof(m.msg) - 1] = '\0';
                r = error_set(err, m.code > 0 ? m.code : EIO, "%s", m.msg);
        } else if (m.type != expect)
                r = error_set(err, EPROTO, "unexpected sync message %d from %s", m.type, peer);
        else if (r < 0)
                r = error_set(err, EPROTO, "more fds than %zu from %s", max_fds, peer);
        if (r < 0) {
                for (size_t i = 0; i < n_fds; i++)
                        close(fds[i]);
                return r;
        }
        if (ret_value)
                *ret_value = m.value;
        if (ret_n)
                *ret_n = n_fds;
        return 0;
}

int sync_expect(int fd, int expect, int *ret_value, const char *peer, struct error *err)
{
        return receive(fd, expect, ret_value, NULL, 0, NULL, peer, err);
}

int sync_expect_fds(int fd, int expect, int *fds, size_t max, size_t *ret_n, const char *peer, struct error *err)
{
        return receive(fd, expect, NULL, fds, max, ret_n, peer, err);
}
