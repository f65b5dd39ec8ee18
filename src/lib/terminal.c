#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

int terminal_connect_socket(const char *path, int *ret_fd, struct error *err)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;

        if (strlen(path) >= sizeof(addr.sun_path))
                return error_set(err, ENAMETOOLONG, "--console-socket: %s: path too long", path);
        strcpy(addr.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return error_sys(err, errno, "--console-socket: socket");
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
                return error_sys(err, errno, "--console-socket: connect %s", path);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int send_fd(int sock, int fd, const char *name, struct error *err)
{
        char control[CMSG_SPACE(sizeof(int))] = { 0 };
        struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) + 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                              .msg_controllen = sizeof(control) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
                if (errno != EINTR)
                        return error_sys(err, errno, "--console-socket: send the pty master");
        return 0;
}

int terminal_receive_master(int sock, bool wait, int *ret_master, struct error *err)
{
        char control[CMSG_SPACE(sizeof(int))] = { 0 }, name[256];
        struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                              .msg_controllen = sizeof(control) };
        struct cmsghdr *c;
        ssize_t n;

        while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT))) < 0) {
                if (errno == EAGAIN && !wait)
                        return -EAGAIN;
                if (errno != EINTR)
                        return error_sys(err, errno, "receive the pty master");
        }
        c = CMSG_FIRSTHDR(&msg);
        if (n == 0 || !c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
                return error_set(err, EPROTO, "receive the pty master: no fd came");
        memcpy(ret_master, CMSG_DATA(c), sizeof(int));
        return 0;
}

static int open_master(int *ret_master, struct error *err)
{
        /* The container's own devpts instance: a pty of the host's would be a way out. */
        int fd = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);

        if (fd < 0 && errno == ENOENT)
                fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return error_sys(err, errno, "process.terminal: open /dev/pts/ptmx");
        if (unlockpt(fd) < 0) {
                int e = errno;
                close(fd);
                return error_sys(err, e, "process.terminal: unlock the pty");
        }
        *ret_master = fd;
        return 0;
}

int terminal_setup(const struct spec_process *p, int console_fd, struct error *err)
{
        _cleanup_close_ int master = -1, slave = -1, sock = console_fd;
        char name[64];
        int r;

        if ((r = open_master(&master, err)) < 0)
                return r;
        /* TIOCGPTPEER opens the slave through the master, with no path the container could swap. */
        slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return error_sys(err, errno, "process.terminal: open the pty slave");
        if (ptsname_r(master, name, sizeof(name)) != 0)
                snprintf(name, sizeof(name), "pty");
        if (p->console_height || p->console_width) {
                struct winsize ws = { .ws_row = (unsigned short)p->console_height,
                                      .ws_col = (unsigned short)p->console_width };
                if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
                        return error_sys(err, errno, "process.consoleSize");
        }
        if (fchown(slave, p->user.uid, p->user.gid) < 0 && errno != EINVAL)
                return error_sys(err, errno, "process.terminal: chown %s", name);
        if (setsid() < 0)
                return error_sys(err, errno, "process.terminal: setsid");
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return error_sys(err, errno, "process.terminal: make %s the controlling terminal", name);
        for (int fd = 0; fd < 3; fd++)
                if (dup2(slave, fd) < 0)
                        return error_sys(err, errno, "process.terminal: make %s fd %d", name, fd);
        return send_fd(sock, master, name, err);
}

static void copy_size(int from, int to)
{
        struct winsize ws;

        if (ioctl(from, TIOCGWINSZ, &ws) == 0)
                ioctl(to, TIOCSWINSZ, &ws);
}

/* Move what is readable on `from` to `to`; false at EOF or error (EIO: the slave is closed). */
static bool pump(int from, int to)
{
        char buf[8192];
        ssize_t n = read(from, buf, sizeof(buf));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return true;
        return n > 0 && write_all(to, buf, (size_t)n) == 0;
}

int terminal_relay(int master, int pidfd, struct error *err)
{
        struct termios saved, raw;
        struct winsize ws;
        bool restore = false, in_open = true, out_open = true;
        _cleanup_close_ int winch = -1;
        sigset_t mask, old_mask;

        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
                raw = saved;
                cfmakeraw(&raw);
                restore = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
                if (ioctl(master, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 0 && ws.ws_col == 0)
                        copy_size(STDIN_FILENO, master);
        }
        sigemptyset(&mask);
        sigaddset(&mask, SIGWINCH);
        sigprocmask(SIG_BLOCK, &mask, &old_mask);
        winch = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (winch < 0) {
                int e = errno;
                if (restore)
                        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
                sigprocmask(SIG_SETMASK, &old_mask, NULL);
                return error_sys(err, e, "signalfd");
        }
        while (out_open) {
                struct pollfd fds[] = { { .fd = master, .events = POLLIN },
                                        { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
                                        { .fd = winch, .events = POLLIN },
                                        { .fd = pidfd, .events = POLLIN } };

                if (poll(fds, ARRAY_SIZE(fds), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (fds[0].revents)
                        out_open = pump(master, STDOUT_FILENO);
                if (fds[1].revents && !pump(STDIN_FILENO, master))
                        in_open = false;
                if (fds[2].revents) {
                        struct signalfd_siginfo si;
                        while (read(winch, &si, sizeof(si)) == sizeof(si))
                                ;
                        copy_size(STDIN_FILENO, master);
                }
                if (fds[3].revents) {
                        /* The process is gone: take what it left in the pty, then stop. */
                        int flags = fcntl(master, F_GETFL);
                        fcntl(master, F_SETFL, flags | O_NONBLOCK);
                        while (pump(master, STDOUT_FILENO)) {
                                struct pollfd more = { .fd = master, .events = POLLIN };
                                if (poll(&more, 1, 0) <= 0)
                                        break;
                        }
                        break;
                }
        }
        if (restore)
                tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        return 0;
}
