#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "cgroup.h"
#include "hooks.h"
#include "recover.h"
#include "state.h"
#include "storage-container.h"
#include "teardown.h"
#include "util.h"

/* Every wait in skiff has a bound and a message: none may block for good. */
#define START_TIMEOUT_MS 10000
#define EXIT_TIMEOUT_MS 10000

struct locked_state {
        int lock_fd;
        struct state st;
        enum status status;
};

static void locked_state_release(struct locked_state *ls)
{
        state_clear(&ls->st);
        if (ls->lock_fd >= 0)
                close(ls->lock_fd);
}

/* The container's state under its lock, recovered, and its status. */
static int lock_and_read(const char *root, const char *id, struct locked_state *ls, struct error *err)
{
        int r;

        ls->lock_fd = -1;
        memset(&ls->st, 0, sizeof(ls->st));
        if ((r = state_lock(root, id, &ls->lock_fd, err)) < 0 || (r = state_read(root, id, &ls->st, err)) < 0 ||
            (r = container_recover(root, &ls->st, err)) < 0)
                return r;
        ls->status = state_status(root, &ls->st);
        return 0;
}

/* The init waits to open exec.fifo's write end: open the read end, take the byte it writes, and run
 * the hooks of a start. */
static int release_init(const char *root, const struct state *st, struct error *err)
{
        _cleanup_free_ char *fifo = state_path(root, st->id, "exec.fifo");
        _cleanup_close_ int fd = -1;
        int r;

        fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return error_sys(err, errno, "open %s", fifo);
        /* The init opens the write end and writes one byte. An init that wrote it and exited at
         * once (a workload that fails to start) has left it for the read (exec_fifo_wait). */
        for (int waited = 0;; waited += 100) {
                enum exec_fifo_news news = exec_fifo_wait(fd, st);

                if (news == EXEC_FIFO_BYTE)
                        break;
                if (news == EXEC_FIFO_CLOSED)
                        return error_set(err, ESRCH, "the container's init exited before it was started");
                if (waited >= START_TIMEOUT_MS)
                        return error_set(err, ETIMEDOUT, "the container's init did not answer in %d ms",
                                         START_TIMEOUT_MS);
        }
        if (unlink(fifo) < 0)
                return error_sys(err, errno, "remove %s", fifo);
        /* A failing startContainer hook fails start, and since runtime-spec 1.3 so does a poststart
         * hook; like runc, the container then does not run on. */
        if ((r = hooks_after_start(root, st, fd, err)) < 0) {
                struct error ignored = { 0 };
                cgroup_kill_all(st->cgroup, SIGKILL, &ignored);
                return r;
        }
        return 0;
}

int container_start(const char *root, const char *id, struct error *err)
{
        _cleanup_(locked_state_release) struct locked_state ls;
        int r;

        if ((r = lock_and_read(root, id, &ls, err)) < 0)
                return r;
        if (ls.status != STATUS_CREATED)
                return error_set(err, EINVAL, "cannot start a container in the %s state", status_name(ls.status));
        return release_init(root, &ls.st, err);
}

int container_start_own(const char *root, const struct state *st, struct error *err)
{
        _cleanup_close_ int lock_fd = -1;
        int r;

        if ((r = state_lock(root, st->id, &lock_fd, err)) < 0)
                return r;
        return release_init(root, st, err);
}

/* kill takes no lock, so the pid may be a dead container's, recycled: the pidfd, opened before the
 * start time is compared, makes sure the signal reaches our init or nobody. */
static int signal_init(const struct state *st, int sig, struct error *err)
{
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);

        if (pidfd < 0 || !process_is(st->pid, st->start_time))
                return error_set(err, ESRCH, "container not running");
        if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
                return error_sys(err, errno, "kill %d", (int)st->pid);
        return 0;
}

int container_kill(const char *root, const char *id, int sig, bool all, struct error *err)
{
        struct state st = { 0 };
        enum status s;
        int r;

        if ((r = state_read_recovered(root, id, &st, err)) < 0)
                return r;
        s = state_status(root, &st);
        if (s == STATUS_STOPPED || s == STATUS_CREATING) {
                r = error_set(err, ESRCH, "container not running");
        } else if (all) {
                r = cgroup_kill_all(st.cgroup, sig, err);
        } else {
                r = signal_init(&st, sig, err);
        }
        state_clear(&st);
        return r;
}

/* Wait for a process that is not our child to exit; timeout_ms < 0 waits for good. */
static bool wait_gone(pid_t pid, unsigned long long start_time, int timeout_ms)
{
        _cleanup_close_ int pidfd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

        /* Opened first, checked second: the pidfd then surely refers to our process. `run` in the
         * foreground is its container's shim, with its shim's work done when it gets here. */
        if (pidfd < 0 || pid == getpid() || !process_is(pid, start_time))
                return true;
        while (poll(&pfd, 1, timeout_ms) < 0)
                if (errno != EINTR)
                        return false;
        return pfd.revents != 0;
}

int container_cleanup(const char *root, const char *id, const char *cgroup, struct error *err)
{
        _cleanup_free_ char *dir = state_path(root, id, NULL);
        int r;

        if ((r = container_release(id, cgroup, err)) < 0)
                return r;
        return rm_rf(dir, err);
}

int container_delete(const char *root, const char *id, bool force, bool keep_rootfs, struct error *err)
{
        _cleanup_(locked_state_release) struct locked_state ls;
        int r;

        if ((r = lock_and_read(root, id, &ls, err)) < 0)
                return r;
        if (ls.status != STATUS_STOPPED && !force)
                return error_set(err, EBUSY, "cannot delete container %s that is not stopped: %s", id,
                                 status_name(ls.status));
        if (ls.status != STATUS_STOPPED) {
                struct error ignored = { 0 };

                if (ls.st.cgroup)
                        cgroup_kill_all(ls.st.cgroup, SIGKILL, &ignored);
                if (ls.st.pid > 0 && process_is(ls.st.pid, ls.st.start_time))
                        kill(ls.st.pid, SIGKILL);
                if (!wait_gone(ls.st.pid, ls.st.start_time, EXIT_TIMEOUT_MS))
                        return error_set(err, ETIMEDOUT, "the container's init did not die after SIGKILL");
        }
        /* The shim records the exit and removes the cgroup; give it the moment it needs. */
        wait_gone(ls.st.shim_pid, ls.st.shim_start_time, EXIT_TIMEOUT_MS);
        if ((r = storage_container_remove(id, keep_rootfs, err)) < 0)
                return r;
        return container_cleanup(root, id, ls.st.cgroup, err);
}

int container_delete_own(const char *root, const char *id, const char *cgroup, struct error *err)
{
        _cleanup_close_ int lock_fd = -1;
        int r;

        if ((r = state_lock(root, id, &lock_fd, err)) < 0 || (r = storage_container_remove(id, false, err)) < 0)
                return r;
        return container_cleanup(root, id, cgroup, err);
}

int container_wait(const char *root, const char *id, int *ret_code, struct error *err)
{
        struct state st = { 0 };
        int r;

        if ((r = state_read(root, id, &st, err)) < 0)
                return r;
        /* The shim writes exit.json and exits: wait for the shim, then read what it wrote. */
        if (!st.has_exit)
                wait_gone(st.pid, st.start_time, -1);
        if (st.shim_pid > 0)
                wait_gone(st.shim_pid, st.shim_start_time, EXIT_TIMEOUT_MS);
        state_clear(&st);
        if ((r = state_read_recovered(root, id, &st, err)) < 0)
                return r;
        if (!st.has_exit)
                r = error_set(err, ECHILD, "container %s stopped but its exit status was not recorded", id);
        else if (!st.exit_known)
                r = error_set(err, ECHILD, "container %s stopped, its exit status is unknown: %s", id,
                              st.exit_unknown_why);
        else
                *ret_code = st.exit_signal ? 128 + st.exit_signal : st.exit_code;
        state_clear(&st);
        return r;
}
