/* The shim's loop (what skiff-shim is, and what `skiff run` in the foreground runs without an exec):
 * see src/shim.c for the two modes. */
#include "shim-watch.h"

#include <errno.h>
#include <linux/types.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exit-record.h"
#include "log-file.h"
#include "proc-stat.h"
#include "teardown.h"
#include "util.h"

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

/* Reap what has died among our children; the init's status goes to *init_status. */
static void reap(const struct shim_target *s, int *init_status)
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
        _cleanup_free_ char *text = proc_stat_read(pid);
        const char *state = proc_stat_field(text, 3), *status = proc_stat_field(text, 52);

        return state && *state == 'Z' && status ? atoi(status) : -1;
}

/* The init's wait status once it has exited, or -1 when the kernel did not keep it for us. */
static int exit_status(const struct shim_target *s, int status)
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

static int wait_for_init(const struct shim_target *s, int sfd)
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

/* The shim's stderr is /dev/null (it must hold none of the caller's pipes): what failed goes to
 * create's --log, if there was one. */
static void report(const struct shim_target *s, const char *what)
{
        _cleanup_free_ char *line = xasprintf("skiff-shim %s: %s", s->id, what);

        fprintf(stderr, "%s\n", line);
        log_file_append(s->log_path, s->log_json, "error", line);
}

/* `skiff run` goes on after this (delete, poststop hooks): the signals and SIGCHLD are left as found. */
int shim_watch(const struct shim_target *s, bool *ret_released)
{
        struct error err = { 0 };
        struct sigaction ignore = { .sa_handler = SIG_IGN }, old_chld;
        sigset_t mask, old_mask;
        int status, sfd;
        bool released;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
                sigaddset(&mask, forwarded[i]);
        sigprocmask(SIG_BLOCK, &mask, &old_mask);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (sfd < 0) {
                report(s, "signalfd failed");
                sigprocmask(SIG_SETMASK, &old_mask, NULL);
                return 1;
        }
        status = wait_for_init(s, sfd);
        close(sfd);
        if (!s->watch) {
                /* From now on the kernel reaps the orphans that the release below kills. */
                sigaction(SIGCHLD, &ignore, &old_chld);
                reap(s, &status);
        }
        released = container_release(s->id, s->cgroup, &err) == 0;
        if (!released)
                report(s, err.msg);
        if (ret_released)
                *ret_released = released;
        if (exit_record_write(s->root, s->id, status, "the caller reaped the init first", &err) < 0)
                report(s, err.msg);
        if (!s->watch)
                sigaction(SIGCHLD, &old_chld, NULL);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        if (status < 0)
                return 0;
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
