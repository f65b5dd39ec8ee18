/* A console-socket receiver as conmon and containerd are one, for the terminal tests:
 *   console-socket PATH [INPUT]
 * listens on the unix socket PATH, takes one pty master over SCM_RIGHTS, prints the name sent
 * along with it on stderr, writes INPUT (if given) to the pty, then copies what the container
 * writes to stdout until the pty's other side is closed. Gives up after 20 s. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int receive_fd(int conn, char *name, size_t name_len)
{
        char control[CMSG_SPACE(sizeof(int))] = { 0 };
        struct iovec iov = { .iov_base = name, .iov_len = name_len - 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                              .msg_controllen = sizeof(control) };
        struct cmsghdr *c;
        ssize_t n = recvmsg(conn, &msg, 0);
        int fd;

        if (n <= 0)
                return -1;
        name[n] = '\0';
        c = CMSG_FIRSTHDR(&msg);
        if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                return -1;
        memcpy(&fd, CMSG_DATA(c), sizeof(fd));
        return fd;
}

int main(int argc, char **argv)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        char name[256], buf[4096];
        int sock, conn, master;
        ssize_t n;

        if (argc < 2 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
                fprintf(stderr, "usage: console-socket PATH [INPUT]\n");
                return 2;
        }
        alarm(20);
        strcpy(addr.sun_path, argv[1]);
        unlink(argv[1]);
        sock = socket(AF_UNIX, SOCK_STREAM, 0);
        if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(sock, 1) < 0) {
                perror("console-socket: listen");
                return 1;
        }
        conn = accept(sock, NULL, NULL);
        if (conn < 0 || (master = receive_fd(conn, name, sizeof(name))) < 0) {
                fprintf(stderr, "console-socket: no pty master received\n");
                return 1;
        }
        fprintf(stderr, "console-socket: got %s\n", name);
        if (argc > 2 && write(master, argv[2], strlen(argv[2])) < 0)
                perror("console-socket: write");
        while ((n = read(master, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
                if (n > 0 && fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
                        return 1;
        return 0;
}
