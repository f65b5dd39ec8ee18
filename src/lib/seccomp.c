#include "seccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "hooks.h"
#include "json.h"
#include "sync.h"
#include "util.h"

#define FIELD_PREFIX "linux.seccomp"

static enum seccomp_stage stage_for(const struct spec *spec)
{
        const struct spec_seccomp *s = spec->linux_cfg.seccomp;

        if (s->uses_notify)
                return SECCOMP_BEFORE_READY;
        /* The init runs startContainer hooks after ready: what they do, the list does not cover. */
        if (s->allows_init_tail && !(spec->hooks && spec->hooks->n[HOOK_START_CONTAINER]))
                return SECCOMP_AFTER_READY;
        return spec->process.no_new_privileges ? SECCOMP_BEFORE_EXEC : SECCOMP_BEFORE_IDENTITY;
}

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* linux.seccomp.flags as seccomp(2) takes them, and a listener when an action notifies. */
static unsigned long load_flags(const struct spec_seccomp *s)
{
        unsigned long f = 0;

        if (s->flags & SECCOMP_FLAG_LOG)
                f |= SECCOMP_FILTER_FLAG_LOG;
        if (s->flags & SECCOMP_FLAG_SPEC_ALLOW)
                f |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
        if (s->flags & SECCOMP_FLAG_WAIT_KILLABLE_RECV)
                f |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
        if (s->uses_notify)
                f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        /* The kernel takes TSYNC beside NEW_LISTENER only if a failed sync is told as ESRCH. */
        if (s->flags & SECCOMP_FLAG_TSYNC)
                f |= SECCOMP_FILTER_FLAG_TSYNC | (s->uses_notify ? SECCOMP_FILTER_FLAG_TSYNC_ESRCH : 0);
        return f;
}

/* The program seccomp_prepare made on the host; with a listener, its fd (the kernel makes it
 * close-on-exec: the workload never holds it). */
static int install(const struct spec_seccomp *s, int *ret_notify_fd, struct error *err)
{
        long r;

        if (!s->program.filter)
                return error_set(err, EINVAL, FIELD_PREFIX ": the filter was never compiled");
        r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, load_flags(s), &s->program);
        if (r < 0)
                return error_sys(err, errno, FIELD_PREFIX ": load the filter");
        *ret_notify_fd = s->uses_notify ? (int)r : -1;
        return 0;
}

int seccomp_install_at(const struct spec *spec, enum seccomp_stage stage, int sync_fd, struct error *err)
{
        const struct spec_seccomp *s = spec->linux_cfg.seccomp;
        _cleanup_close_ int notify_fd = -1;
        int r;

        if (!s || stage_for(spec) != stage)
                return 0;
        if ((r = install(s, &notify_fd, err)) < 0 || notify_fd < 0)
                return r;
        /* create takes its own copy with pidfd_getfd; ours closes once it says so. */
        if ((r = sync_send(sync_fd, SYNC_SECCOMP_FD, notify_fd, err)) < 0)
                return r;
        return sync_expect(sync_fd, SYNC_GO, NULL, "skiff create", err);
}

static char *process_state_json(const struct spec_seccomp *s, pid_t pid, const char *state_json)
{
        static char *const fds[] = { "seccompFd", NULL };
        yajl_gen g = yajl_gen_alloc(NULL);
        _cleanup_free_ char *head = NULL;

        yajl_gen_map_open(g);
        json_gen_kv_string(g, "ociVersion", "1.2.0");
        json_gen_kv_strv(g, "fds", fds);
        json_gen_kv_int(g, "pid", pid);
        json_gen_kv_string(g, "metadata", s->listener_metadata ? s->listener_metadata : "");
        yajl_gen_map_close(g);
        head = json_gen_take(g);
        yajl_gen_free(g);
        /* The state is JSON already: splice it in as the last member. */
        head[strlen(head) - 1] = '\0';
        return xasprintf("%s,\"state\":%s}", head, state_json);
}

static int send_with_fd(int sock, const char *payload, int fd)
{
        char control[CMSG_SPACE(sizeof(int))] = { 0 };
        struct iovec iov = { .iov_base = (void *)payload, .iov_len = strlen(payload) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                              .msg_controllen = sizeof(control) };
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        ssize_t n;

        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
        do
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        /* The fd went with the first byte; the rest of the JSON follows as a stream. */
        if ((size_t)n < iov.iov_len && write_all(sock, payload + n, iov.iov_len - (size_t)n) < 0)
                return -errno;
        return 0;
}

int seccomp_forward_listener(const struct spec_seccomp *s, pid_t init_pid, int remote_fd, const char *state_json,
                             struct error *err)
{
        _cleanup_close_ int pidfd = -1, fd = -1, sock = -1;
        _cleanup_free_ char *payload = NULL;
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        int r;

        if (strlen(s->listener_path) >= sizeof(addr.sun_path))
                return error_set(err, ENAMETOOLONG, FIELD_PREFIX ".listenerPath: \"%s\" is too long for a socket",
                                 s->listener_path);
        strcpy(addr.sun_path, s->listener_path);
        pidfd = (int)syscall(SYS_pidfd_open, init_pid, 0);
        if (pidfd < 0)
                return error_sys(err, errno, FIELD_PREFIX ": pidfd_open the init");
        fd = (int)syscall(SYS_pidfd_getfd, pidfd, remote_fd, 0);
        if (fd < 0)
                return error_sys(err, errno, FIELD_PREFIX ": take the notify fd from the init");
        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return error_sys(err, errno, FIELD_PREFIX ": socket");
        if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
                return error_sys(err, errno, FIELD_PREFIX ".listenerPath: connect to %s", s->listener_path);
        payload = process_state_json(s, init_pid, state_json);
        if ((r = send_with_fd(sock, payload, fd)) < 0)
                return error_sys(err, -r, FIELD_PREFIX ".listenerPath: send to %s", s->listener_path);
        return 0;
}
