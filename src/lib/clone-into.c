#include "clone-into.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* struct clone_args up to its cgroup field (CLONE_ARGS_SIZE_VER2): <linux/sched.h> clashes with
 * <sched.h>. */
struct clone3_args {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
                set_tid_size, cgroup;
};

/* The slow way: the child's pid to the directory's cgroup.procs. */
static int move_by_pid(pid_t pid, int cgroup_fd)
{
        _cleanup_close_ int fd = openat(cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
        char text[16];
        int len = snprintf(text, sizeof(text), "%d", (int)pid);

        return fd >= 0 && write_all(fd, text, (size_t)len) == 0 ? 0 : -1;
}

pid_t clone_into(unsigned long flags, int cgroup_fd)
{
        pid_t pid;

        if (cgroup_fd >= 0) {
                /* A CLONE_PARENT child takes our own exit signal: clone3 wants none given. */
                struct clone3_args a = { .flags = flags | CLONE_INTO_CGROUP,
                                         .exit_signal = flags & CLONE_PARENT ? 0 : SIGCHLD,
                                         .cgroup = (uint64_t)cgroup_fd };

                pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
                /* Before 5.3 there is no clone3; before 5.7 it has no cgroup field. */
                if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
                        return pid;
        }
        pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid > 0 && cgroup_fd >= 0 && move_by_pid(pid, cgroup_fd) < 0) {
                int saved = errno;

                kill(pid, SIGKILL);
                /* A CLONE_PARENT child is our parent's to reap. */
                if (!(flags & CLONE_PARENT))
                        waitpid(pid, NULL, 0);
                errno = saved;
                return -1;
        }
        return pid;
}
