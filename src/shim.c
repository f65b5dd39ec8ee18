/* skiff-shim: the parent of a container's init. Waits for it, records how it ended, cleans up.
 * Small on purpose: no config parsing, a handful of syscalls, signals forwarded. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "lib/cgroup.h"
#include "lib/state.h"
#include "lib/util.h"

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

static int write_exit(const char *root, const char *id, int status, struct error *err)
{
        _cleanup_free_ char *path = state_path(root, id, "exit.json");
        _cleanup_free_ char *dir = state_path(root, id, NULL);
        _cleanup_free_ char *when = now_rfc3339();
        _cleanup_free_ char *text = xasprintf("{\"exitCode\":%d,\"signal\":%d,\"exitedAt\":\"%s\"}\n",
                                              WIFEXITED(status) ? WEXITSTATUS(status) : 0,
                                              WIFSIGNALED(status) ? WTERMSIG(status) : 0, when);

        /* A `delete --force` may have removed the state dir already: then there is nobody to tell. */
        if (access(dir, F_OK) < 0)
                return 0;
        return write_file_atomic(path, text, strlen(text), err);
}

/* Wait for init, reaping any orphan that comes to us as subreaper; forward signals meanwhile. */
static int wait_for_init(pid_t init, int sfd)
{
        for (;;) {
                struct signalfd_siginfo si;
                int status;
                pid_t pid;

                while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                        if (pid == init)
                                return status;
                if (pid < 0 && errno == ECHILD)
                        return -1;
                if (read(sfd, &si, sizeof(si)) != sizeof(si))
                        continue;
                if (si.ssi_signo != SIGCHLD)
                        kill(init, (int)si.ssi_signo);
        }
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "root", required_argument, NULL, 'r' }, { "id", required_argument, NULL, 'i' },
                { "pid", required_argument, NULL, 'p' },  { "cgroup", required_argument, NULL, 'c' },
                { NULL, 0, NULL, 0 },
        };
        const char *root = NULL, *id = NULL, *cgroup = NULL;
        struct error err = { 0 };
        long pid = 0;
        sigset_t mask;
        int opt, status, sfd;

        while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (opt) {
                case 'r': root = optarg; break;
                case 'i': id = optarg; break;
                case 'p':
                        if (!str_to_long(optarg, &pid) || pid <= 0) {
                                fprintf(stderr, "skiff-shim: --pid: \"%s\" is not a pid\n", optarg);
                                return 2;
                        }
                        break;
                case 'c': cgroup = optarg; break;
                default: return 2;
                }
        }
        if (!root || !id || pid <= 0) {
                fprintf(stderr, "skiff-shim: needs --root, --id and --pid (it is started by skiff create)\n");
                return 2;
        }
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
        status = wait_for_init((pid_t)pid, sfd);
        if (status < 0) {
                fprintf(stderr, "skiff-shim: %ld is not our child\n", pid);
                return 1;
        }
        if (write_exit(root, id, status, &err) < 0)
                fprintf(stderr, "skiff-shim: %s\n", err.msg);
        if (cgroup && cgroup_destroy(cgroup, &err) < 0)
                fprintf(stderr, "skiff-shim: %s\n", err.msg);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return WEXITSTATUS(status);
}
