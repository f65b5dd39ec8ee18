#include "recover.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container.h"
#include "exit-record.h"
#include "storage-container.h"
#include "teardown.h"
#include "util.h"

#define KILL_TIMEOUT_MS 10000

void crash_point(const char *name)
{
        const char *at = getenv("SKIFF_TEST_CRASH_AT");

        if (at && strcmp(at, name) == 0)
                raise(SIGKILL);
}

static bool never_started(const char *root, const struct state *st)
{
        _cleanup_free_ char *fifo = state_path(root, st->id, "exec.fifo");

        return access(fifo, F_OK) == 0;
}

bool container_abandoned(const char *root, const struct state *st)
{
        if (st->has_exit)
                return false;
        if (st->creator > 0)
                return !process_is(st->creator, st->creator_start_time);
        if (process_is(st->shim_pid, st->shim_start_time))
                return false;
        return !process_is(st->pid, st->start_time) || never_started(root, st);
}

/* SIGKILL a process that is not our child and wait (bounded) until it has exited. The pidfd is
 * opened before the start time is compared, so a recycled pid is never signalled. */
static int kill_and_wait(pid_t pid, unsigned long long start_time, const char *what, struct error *err)
{
        _cleanup_close_ int pidfd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

        if (pidfd < 0 || !process_is(pid, start_time))
                return 0;
        if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
                return error_sys(err, errno, "kill the %s (pid %d)", what, (int)pid);
        while (poll(&pfd, 1, KILL_TIMEOUT_MS) < 0)
                if (errno != EINTR)
                        return error_sys(err, errno, "wait for the %s (pid %d)", what, (int)pid);
        if (!pfd.revents)
                return error_set(err, ETIMEDOUT, "the %s (pid %d) did not die within %d ms of SIGKILL", what,
                                 (int)pid, KILL_TIMEOUT_MS);
        return 0;
}

int container_recover(const char *root, struct state *st, struct error *err)
{
        bool half_created = st->creator > 0;
        struct state fresh = { 0 };
        const char *why;
        int r;

        if (!container_abandoned(root, st))
                return 0;
        why = half_created             ? "skiff create was killed before the container was created"
              : never_started(root, st) ? "the container's shim was gone before the container was started"
                                        : "the container's shim was gone when its init exited";
        /* An init that was set up but never started waits on exec.fifo for good. */
        if ((half_created || never_started(root, st)) && ((r = kill_and_wait(st->shim_pid, st->shim_start_time, "shim", err)) < 0 ||
                             (r = kill_and_wait(st->pid, st->start_time, "container's init", err)) < 0))
                return error_wrap(err, "repair container %s", st->id);
        if ((r = container_release(st->id, st->cgroup, err)) < 0)
                return error_wrap(err, "repair container %s", st->id);
        r = exit_record_write(root, st->id, -1, why, err);
        if (r < 0 || (r = state_read(root, st->id, &fresh, err)) < 0)
                return error_wrap(err, "repair container %s", st->id);
        state_clear(st);
        *st = fresh;
        return 0;
}

int state_read_recovered(const char *root, const char *id, struct state *ret, struct error *err)
{
        struct state st = { 0 };
        int lock_fd, r;

        if ((r = state_read(root, id, &st, err)) < 0)
                return r;
        if (container_abandoned(root, &st) && state_trylock(root, id, &lock_fd, err) == 0) {
                /* Re-read under the lock: whoever held it may have changed the container. */
                state_clear(&st);
                if ((r = state_read(root, id, &st, err)) == 0)
                        r = container_recover(root, &st, err);
                close(lock_fd);
                if (r < 0) {
                        state_clear(&st);
                        return r;
                }
        }
        *ret = st;
        return 0;
}

int container_collect(const char *root, const char *id, bool *ret_removed, struct error *err)
{
        _cleanup_free_ char *dir = state_path(root, id, NULL);
        _cleanup_close_ int lock_fd = -1;
        struct state st = { 0 };
        int r;

        *ret_removed = false;
        r = state_trylock(root, id, &lock_fd, err);
        if (r == -EWOULDBLOCK)
                return 0;
        /* A create killed between mkdir and its lock file left an empty dir. */
        if (r == -ENOENT) {
                if (rmdir(dir) == 0)
                        *ret_removed = true;
                return 0;
        }
        if (r < 0)
                return r;
        r = state_read(root, id, &st, err);
        /* A create killed before its first state write: nothing was started yet. */
        if (r == -ENOENT) {
                if ((r = rm_rf(dir, err)) == 0)
                        *ret_removed = true;
                return r;
        }
        if (r < 0 || (r = container_recover(root, &st, err)) < 0)
                goto out;
        /* As `delete` does: the container's thin snapshot goes with it. */
        if (state_status(root, &st) == STATUS_STOPPED && (r = storage_container_remove(id, false, err)) == 0 &&
            (r = container_cleanup(root, id, st.cgroup, err)) == 0)
                *ret_removed = true;
out:
        state_clear(&st);
        return r;
}
