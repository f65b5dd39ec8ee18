/* A seccomp notify listener for the bats suites: listens on a unix socket for what a runtime sends
 * to linux.seccomp.listenerPath (the containerProcessState JSON, with the notify fd in SCM_RIGHTS),
 * saves the JSON, then answers every notification the same way until the container is gone.
 *
 *   seccomp-listener SOCKET STATE_OUT LOG REPLY
 *     REPLY: errno:N   the call fails with errno N, without running
 *            fake      the call "succeeds" (returns 0) without running
 *            continue  the call runs for real
 *   LOG gets one line per notification: the syscall's name. */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

_Noreturn static void die(const char *what)
{
        fprintf(stderr, "seccomp-listener: %s: %s\n", what, strerror(errno));
        exit(1);
}

static int receive_fd_and_state(int conn, FILE *out)
{
        char buf[65536], control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                              .msg_controllen = sizeof(control) };
        struct cmsghdr *cmsg;
        int fd = -1;
        ssize_t n = recvmsg(conn, &msg, 0);

        if (n < 0)
                die("recvmsg");
        for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
                if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
                        memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
        if (fd < 0) {
                errno = EBADMSG;
                die("no fd in the message");
        }
        /* The rest of the JSON, if it came in more than one piece, until the runtime closes. */
        do
                fwrite(buf, 1, (size_t)n, out);
        while ((n = read(conn, buf, sizeof(buf))) > 0);
        fclose(out);
        return fd;
}

int main(int argc, char **argv)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        FILE *state_out, *log;
        int sock, conn, fd, reply_errno = 0;
        bool fake = false, cont = false;

        if (argc != 5 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
                fprintf(stderr, "usage: seccomp-listener SOCKET STATE_OUT LOG errno:N|fake|continue\n");
                return 2;
        }
        if (strncmp(argv[4], "errno:", 6) == 0)
                reply_errno = atoi(argv[4] + 6);
        else if (strcmp(argv[4], "fake") == 0)
                fake = true;
        else if (strcmp(argv[4], "continue") == 0)
                cont = true;
        else
                return 2;
        strcpy(addr.sun_path, argv[1]);
        if (!(state_out = fopen(argv[2], "w")) || !(log = fopen(argv[3], "w")))
                die("open the output files");
        setvbuf(log, NULL, _IOLBF, 0);
        sock = socket(AF_UNIX, SOCK_STREAM, 0);
        if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(sock, 1) < 0)
                die("listen");
        conn = accept(sock, NULL, NULL);
        if (conn < 0)
                die("accept");
        fd = receive_fd_and_state(conn, state_out);
        close(conn);
        close(sock);
        if (seccomp_notify_alloc(&req, &resp) < 0)
                die("seccomp_notify_alloc");
        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                char *name;

                if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
                        die("poll");
                /* POLLHUP: every task that used the filter is gone. */
                if (!(pfd.revents & POLLIN))
                        break;
                memset(req, 0, sizeof(*req));
                if (seccomp_notify_receive(fd, req) < 0)
                        continue;       /* the caller died meanwhile */
                name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
                fprintf(log, "%s\n", name ? name : "?");
                free(name);
                memset(resp, 0, sizeof(*resp));
                resp->id = req->id;
                if (cont)
                        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
                else if (!fake)
                        resp->error = -reply_errno;
                seccomp_notify_respond(fd, resp);
        }
        seccomp_notify_free(req, resp);
        return 0;
}
