#include "storage-tool.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "util.h"

/* In the child: the namespace, the mount, the tool; exit with the tool's status. */
_Noreturn static void run_child(char *const argv[], const struct tool_mount *m, int out_fd, int err_fd)
{
        int status;
        pid_t pid;

        dup2(err_fd, 2);
        if (m) {
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                        fprintf(stderr, "private mount namespace: %s\n", strerror(errno));
                        _exit(125);
                }
                if (mount(m->device, m->dir, "ext4", m->read_only ? MS_RDONLY : 0, NULL) < 0) {
                        fprintf(stderr, "mount %s on %s: %s\n", m->device, m->dir, strerror(errno));
                        _exit(125);
                }
        }
        pid = fork();
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);

                dup2(null, 0);
                dup2(out_fd >= 0 ? out_fd : null, 1);
                execvp(argv[0], argv);
                fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        if (pid < 0 || waitpid(pid, &status, 0) < 0) {
                fprintf(stderr, "run %s: %s\n", argv[0], strerror(errno));
                _exit(125);
        }
        /* Unmount before exit, so the device is closed when the caller deactivates it. */
        if (m && umount2(m->dir, 0) < 0)
                fprintf(stderr, "umount %s: %s\n", m->dir, strerror(errno));
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

int tool_run(char *const argv[], const struct tool_mount *m, int out_fd, struct error *err)
{
        char text[1024];
        size_t len = 0;
        int pipefd[2], status;
        ssize_t n;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return error_sys(err, errno, "pipe");
        pid = fork();
        if (pid < 0) {
                close(pipefd[0]);
                close(pipefd[1]);
                return error_sys(err, errno, "fork");
        }
        if (pid == 0) {
                close(pipefd[0]);
                run_child(argv, m, out_fd, pipefd[1]);
        }
        close(pipefd[1]);
        /* Keep the end of what it says: the last lines name the failure. */
        while ((n = read(pipefd[0], text + len, sizeof(text) - 1 - len)) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                len += (size_t)n;
                if (len == sizeof(text) - 1) {
                        memmove(text, text + len / 2, len - len / 2);
                        len -= len / 2;
                }
        }
        close(pipefd[0]);
        text[len] = '\0';
        while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
                text[--len] = '\0';
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return error_sys(err, errno, "wait for %s", argv[0]);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        for (char *p = text; *p; p++)
                if (*p == '\n')
                        *p = ' ';
        return error_set(err, EIO, "%s failed (%s %d)%s%s", argv[0], WIFEXITED(status) ? "exit" : "signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), len ? ": " : "", text);
}

int tool_mkfs(const char *device, struct error *err)
{
        /* No lazy init: nothing may write in the background of a container; nodiscard: a fresh thin
         * device has nothing to discard. */
        char *argv[] = { "mkfs.ext4", "-q", "-F", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0",
                         (char *)device, NULL };

        return tool_run(argv, NULL, -1, err);
}
