/* skiff-shim: watches one container's init, records how it ended, releases what it held, exits.
 *
 * Two modes (src/lib/shim-mode.h). parent: the shim is the init's parent and a child subreaper; it
 * reaps the init (and, without a pid namespace, the container's orphans) and knows the wait status.
 * watch: the caller is the init's parent and reaps it; the shim only polls a pidfd, and reads the
 * status from the zombie's /proc/PID/stat or, once the caller has reaped it, from the pidfd
 * (PIDFD_INFO_EXIT, Linux 6.15).
 *
 * Small on purpose: no config parsing and no JSON library, a handful of syscalls, no lock held
 * while it waits, every signal a caller sends to it passed on to the container. */
#include <errno.h>
#include <getopt.h>
#include <linux/types.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lib/exit-record.h"
#include "lib/teardown.h"
#include "lib/util.h"

#ifndef PIDFD_INFO_EXIT
#define PIDFD_INFO_EXIT (1UL << 3)
#endif
/* struct pidfd_info as of Linux 6.15 (the first 64 bytes, PIDFD_INFO_SIZE_VER0). */
struct shim_pidfd_info {
        __u64 mask;
        __u64 cgroupid;
        __u32 pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
        __s32 exit_code;
};
#define SHIM_PIDFD_GET_INFO _IOWR(0xFF, 11, struct shim_pidfd_info)

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

struct shim {
        const char *root, *id, *cgroup;
        pid_t pid;
        int pidfd;
        bool watch;
};

/* Reap what has died among our children; the init's status goes to *init_status. */
static void reap(const struct shim *s, int *init_status)
{
        pid_t pid;
        int status;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                if (pid == s->pid)
                        *init_status = status;
}

/* Field 52 of /proc/PID/stat, the wait status of a zombie; -1 when PID is no zombie. */
static int zombie_status(pid_t pid)
{
        _cleanup_free_ char *path = xasprintf("/proc/%d/stat", (int)pid);
        _cleanup_free_ char *text = NULL;
        struct error ignored = { 0 };
        char *p;
        int field;

        if (read_file(path, &text, NULL, &ignored) < 0 || !(p = strrchr(text, ')')) || p[1] != ' ' || p[2] != 'Z')
                return -1;
        for (field = 3; field <= 52 && p; field++)
                p = strchr(p + 1, ' ');
        return p ? atoi(p + 1) : -1;
}

/* The init's wait status once it has exited, or -1 when the kernel did not keep it for us. */
static int exit_status(const struct shim *s, int status)
{
        struct shim_pidfd_info info = { .mask = PIDFD_INFO_EXIT };
        int zombie;

        if (!s->watch) {
                if (status < 0)
                        while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
                                ;
                return status;
        }
        /* Read the zombie first, then ask the pidfd: if the caller has not reaped the init by then,
         * the pid was not yet free for reuse, so what /proc showed was our init. */
        zombie = zombie_status(s->pid);
        if (ioctl(s->pidfd, SHIM_PIDFD_GET_INFO, &info) == 0 && (info.mask & PIDFD_INFO_EXIT))
                return info.exit_code;
        return zombie;
}

static int wait_for_init(const struct shim *s, int sfd)
{
        struct pollfd fds[2] = { { .fd = sfd, .events = POLLIN }, { .fd = s->pidfd, .events = POLLIN } };
        int status = -1;

        for (;;) {
                struct signalfd_siginfo si;

                if (poll(fds, 2, -1) < 0 && errno != EINTR)
                        return exit_status(s, status);
                if (fds[1].revents)
                        return exit_status(s, status);
                if (!fds[0].revents || read(sfd, &si, sizeof(si)) != sizeof(si))
                        continue;
                if (si.ssi_signo == SIGCHLD) {
                        reap(s, &status);
                        if (status >= 0)
                                return status;
                } else {
                        syscall(SYS_pidfd_send_signal, s->pidfd, (int)si.ssi_signo, NULL, 0);
                }
        }
}

static int parse_args(int argc, char **argv, struct shim *s)
{
        static const struct option longopts[] = {
                { "root", required_argument, NULL, 'r' },   { "id", required_argument, NULL, 'i' },
                { "pid", required_argument, NULL, 'p' },    { "pidfd", required_argument, NULL, 'f' },
                { "cgroup", required_argument, NULL, 'c' }, { "watch", no_argument, NULL, 'w' },
                { NULL, 0, NULL, 0 },
        };
        long n;
        int opt;

        while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (opt) {
                case 'r': s->root = optarg; break;
                case 'i': s->id = optarg; break;
                case 'c': s->cgroup = optarg; break;
                case 'w': s->watch = true; break;
                case 'p':
                case 'f':
                        if (!str_to_long(optarg, &n) || n < 0 || n > INT32_MAX) {
                                fprintf(stderr, "skiff-shim: \"%s\" is not a number\n", optarg);
                                return -1;
                        }
                        if (opt == 'p')
                                s->pid = (pid_t)n;
                        else
                                s->pidfd = (int)n;
                        break;
                default: return -1;
                }
        }
        if (!s->root || !s->id || s->pid <= 0 || s->pidfd <= 2) {
                fprintf(stderr, "skiff-shim: needs --root, --id, --pid and --pidfd (skiff create starts it)\n");
                return -1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        struct shim s = { .pidfd = -1 };
        struct error err = { 0 };
        sigset_t mask;
        int status, sfd;

        if (parse_args(argc, argv, &s) < 0)
                return 2;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
                sigaddset(&mask, forwarded[i]);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (sfd < 0) {
                perror("skiff-shim: signalfd");
                return 1;
        }
        status = wait_for_init(&s, sfd);
        if (!s.watch) {
                /* From now on the kernel reaps the orphans that the release below kills. */
                signal(SIGCHLD, SIG_IGN);
                reap(&s, &status);
        }
        if (container_release(s.id, s.cgroup, &err) < 0)
                fprintf(stderr, "skiff-shim: %s\n", err.msg);
        if (exit_record_write(s.root, s.id, status, "the caller reaped the init first", &err) < 0)
                fprintf(stderr, "skiff-shim: %s\n", err.msg);
        if (status < 0)
                return 0;
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
