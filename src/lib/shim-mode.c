#include "shim-mode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc-stat.h"
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
        _cleanup_free_ char *text = proc_stat_read(pid);
        const char *ppid = proc_stat_field(text, 4);
        int v;

        return ppid && sscanf(ppid, "%d", &v) == 1 ? v : 0;
}

/* The probe: a child C that starts a grandchild G and exits, so that G is orphaned and adopted.
 * Both share our memory (CLONE_VM): no page tables to copy, no copy-on-write faults, which made two
 * fork()s of skiff cost as much as the rest of a create. So they run on stacks of their own and make
 * raw system calls only; with no signal handler of ours installed yet, none of them can fail and
 * write libc's errno, which is ours. What G reads (its stack, the probe) is static: G may first run
 * after we have looked and returned. */
struct probe {
        int hold_r, hold_w;     /* G waits on hold_r until we close hold_w */
        pid_t orphan;           /* G, as C saw it */
};

static _Alignas(16) char orphan_stack[16384], orphaner_stack[16384];
static struct probe probe = { .orphan = -1 };

static int orphan(void *arg)
{
        struct probe *p = arg;
        char byte;

        syscall(SYS_close, p->hold_w);
        syscall(SYS_read, p->hold_r, &byte, 1);
        return 0;
}

static int orphaner(void *arg)
{
        struct probe *p = arg;

        p->orphan = clone(orphan, orphan_stack + sizeof(orphan_stack), CLONE_VM | SIGCHLD, p);
        return 0;
}

/* Orphan a grandchild and see who adopts it. */
static int caller_adopts_orphans(pid_t caller, bool *ret, struct error *err)
{
        int hold[2], status;
        pid_t child;

        if (pipe2(hold, O_CLOEXEC) < 0)
                return error_sys(err, errno, "shim mode probe: pipe");
        probe.hold_r = hold[0];
        probe.hold_w = hold[1];
        /* CLONE_VFORK: we go on once C has exited, and probe.orphan is set. */
        child = clone(orphaner, orphaner_stack + sizeof(orphaner_stack), CLONE_VM | CLONE_VFORK | SIGCHLD, &probe);
        if (child < 0) {
                close(hold[0]);
                close(hold[1]);
                return error_sys(err, errno, "shim mode probe: clone");
        }
        /* Once C is reaped, G has surely been handed to its new parent. */
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
        if (probe.orphan > 0)
                *ret = parent_of(probe.orphan) == caller;
        close(hold[0]);
        close(hold[1]);
        if (probe.orphan <= 0)
                return error_set(err, ECHILD, "shim mode probe: could not start the probe's orphan");
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
