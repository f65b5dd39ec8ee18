#include "shim-mode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

int shim_mode_parse(const char *name, enum shim_mode *ret)
{
        static const char *const names[] = { [SHIM_MODE_AUTO] = "auto", [SHIM_MODE_PARENT] = "parent",
                                             [SHIM_MODE_WATCH] = "watch" };

        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (strcmp(name, names[i]) == 0) {
                        *ret = (enum shim_mode)i;
                        return 0;
                }
        return -EINVAL;
}

const char *shim_mode_name(enum shim_mode mode)
{
        return mode == SHIM_MODE_WATCH ? "watch" : mode == SHIM_MODE_PARENT ? "parent" : "auto";
}

static pid_t parent_of(pid_t pid)
{
        _cleanup_free_ char *path = xasprintf("/proc/%d/stat", (int)pid);
        _cleanup_free_ char *text = NULL;
        struct error ignored = { 0 };
        const char *p;
        int ppid;

        if (read_file(path, &text, NULL, &ignored) < 0 || !(p = strrchr(text, ')')))
                return 0;
        return sscanf(p + 1, " %*c %d", &ppid) == 1 ? ppid : 0;
}

/* Orphan a grandchild and see who adopts it. The orphan sits on a pipe until we have looked. */
static int caller_adopts_orphans(pid_t caller, bool *ret, struct error *err)
{
        _cleanup_close_ int report_r = -1, hold_w = -1;
        int report[2], hold[2];
        pid_t probe, orphan = 0;
        int status;

        if (pipe2(report, O_CLOEXEC) < 0)
                return error_sys(err, errno, "shim mode probe: pipe");
        if (pipe2(hold, O_CLOEXEC) < 0) {
                close(report[0]);
                close(report[1]);
                return error_sys(err, errno, "shim mode probe: pipe");
        }
        probe = fork();
        if (probe == 0) {
                pid_t pid = fork();
                char byte;

                if (pid == 0) {
                        close(hold[1]);
                        while (read(hold[0], &byte, 1) < 0 && errno == EINTR)
                                ;
                        _exit(0);
                }
                write_all(report[1], &pid, sizeof(pid));
                _exit(0);
        }
        report_r = report[0];
        hold_w = hold[1];
        close(report[1]);
        close(hold[0]);
        if (probe < 0)
                return error_sys(err, errno, "shim mode probe: fork");
        if (read_all(report_r, &orphan, sizeof(orphan)) != sizeof(orphan))
                orphan = 0;
        /* Once the probe is reaped, its child has surely been handed to its new parent. */
        while (waitpid(probe, &status, 0) < 0 && errno == EINTR)
                ;
        if (orphan <= 0)
                return error_set(err, ECHILD, "shim mode probe: the probe process failed");
        *ret = parent_of(orphan) == caller;
        return 0;
}

int shim_mode_resolve(enum shim_mode requested, enum shim_mode *ret, struct error *err)
{
        pid_t caller = getppid();
        bool adopts = false;
        int r;

        if (requested != SHIM_MODE_AUTO) {
                *ret = requested;
                return 0;
        }
        /* The pid namespace's init adopts every orphan without expecting any: that is no engine. */
        if (caller > 1 && (r = caller_adopts_orphans(caller, &adopts, err)) < 0)
                return r;
        *ret = adopts ? SHIM_MODE_WATCH : SHIM_MODE_PARENT;
        return 0;
}
