#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "signal-forward.h"
#include "cgroup.h"
#include "clone-into.h"
#include "fds.h"
#include "process.h"
#include "sealed-exe.h"
#include "seccomp.h"
#include "seccomp-compile.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* The init's namespaces as /proc/PID/ns names them. */
static const struct {
        const char *name;
        int type;
} proc_ns[] = {
        { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },   { "pid", CLONE_NEWPID },
        { "net", CLONE_NEWNET },   { "ipc", CLONE_NEWIPC },  { "uts", CLONE_NEWUTS },
        { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

/* The config as created (kept in ROOT/ID), as runc does: the bundle's may have been edited since. */
int exec_load_spec(const char *root, const char *id, struct spec **ret_spec, struct error *err)
{
        _cleanup_free_ char *kept = state_path(root, id, NULL);
        int r;

        if (!container_id_valid(id))
                return error_set(err, EINVAL, "invalid container id \"%s\"", id);
        r = spec_load(kept, ret_spec, err);
        if (r == -ENOENT)
                return error_set(err, ENOENT, "container \"%s\" does not exist", id);
        if (r == 0 && (*ret_spec)->linux_cfg.seccomp)
                r = seccomp_prepare((*ret_spec)->linux_cfg.seccomp, root, err);
        return r;
}

/* Every namespace of the init that is not ours already: setns() refuses to "join" our own user
 * namespace, and the others cost nothing to leave out. */
static int namespaces_to_join(pid_t init, int *ret_flags, struct error *err)
{
        int flags = 0;

        for (size_t i = 0; i < ARRAY_SIZE(proc_ns); i++) {
                _cleanup_free_ char *theirs = xasprintf("/proc/%d/ns/%s", (int)init, proc_ns[i].name);
                _cleanup_free_ char *ours = xasprintf("/proc/self/ns/%s", proc_ns[i].name);
                struct stat a, b;

                if (stat(ours, &b) < 0 && errno == ENOENT)
                        continue; /* a kernel without this namespace type */
                if (stat(theirs, &a) < 0)
                        return error_sys(err, errno, "stat %s", theirs);
                if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
                        flags |= proc_ns[i].type;
        }
        *ret_flags = flags;
        return 0;
}

/* The process that runs the workload, forked inside every namespace. Never returns. */
_Noreturn static void joined_child(const struct exec_options *o, int sync_fd, int console_fd)
{
        struct spec *spec = o->spec;
        _cleanup_free_ char *program = NULL;
        struct error err = { 0 };

        /* linux.seccomp goes in at the init's moments: a notify filter's fd to exec on the host,
         * which hands it to the listener, as create does for the init. */
        if ((console_fd >= 0 && terminal_setup(&spec->process, console_fd, &err) < 0) ||
            process_apply_limits(spec, &err) < 0 || process_find_program(spec, &program, &err) < 0 ||
            seccomp_install_at(spec, SECCOMP_BEFORE_READY, sync_fd, &err) < 0 ||
            /* Before chdir: no fd of ours may serve as a way to a host directory. */
            fds_close_from(3 + o->preserve_fds, sync_fd, &err) < 0 ||
            seccomp_install_at(spec, SECCOMP_AFTER_READY, -1, &err) < 0 ||
            seccomp_install_at(spec, SECCOMP_BEFORE_IDENTITY, -1, &err) < 0 ||
            process_set_identity(spec, &err) < 0 || fds_check_cwd(spec->process.cwd, &err) < 0 ||
            seccomp_install_at(spec, SECCOMP_BEFORE_EXEC, -1, &err) < 0)
                goto fail;
        process_exec(spec, program, o->preserve_fds, &err);
fail:
        sync_send_error(sync_fd, &err);
        _exit(255);
}

/* Cloned by exec on the host into the container's cgroup2 part: once exec says so (on a kernel
 * without CLONE_INTO_CGROUP it moves us there by pid first, and a child forked before would stay
 * out), enter the v1 hierarchies through the `tasks` files exec opened, join the namespaces, fork
 * the workload's process (a pid namespace takes only children), tell its pid, exit. */
_Noreturn static void joiner(const struct exec_options *o, int pidfd, int ns_flags, int sync_fd, int console_fd,
                             struct cgroup_tasks *tasks)
{
        struct error err = { 0 };
        int order[2];
        pid_t pid;

        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (sync_expect(sync_fd, SYNC_GO, NULL, "skiff exec", &err) < 0)
                _exit(255);
        if (cgroup_enter_self(tasks, &err) < 0) {
                error_wrap(&err, "join the container's cgroup");
                goto fail;
        }
        if (ns_flags && setns(pidfd, ns_flags) < 0) {
                error_sys(&err, errno, "join the namespaces of the container's init");
                goto fail;
        }
        close(pidfd);
        /* The child shares sync_fd: it may speak (SYNC_SECCOMP_FD) only once its pid is sent, else
         * exec, expecting SYNC_PID first, would read its message. It waits for `order` to close. */
        if (pipe2(order, O_CLOEXEC) < 0) {
                error_sys(&err, errno, "pipe");
                goto fail;
        }
        pid = fork();
        if (pid < 0) {
                error_sys(&err, errno, "fork in the container");
                goto fail;
        }
        if (pid == 0) {
                char byte;

                prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
                close(order[1]);
                while (read(order[0], &byte, 1) < 0 && errno == EINTR)
                        ;
                close(order[0]);
                joined_child(o, sync_fd, console_fd);
        }
        if (sync_send(sync_fd, SYNC_PID, pid, &err) < 0)
                _exit(255);
        _exit(0);
fail:
        sync_send_error(sync_fd, &err);
        _exit(255);
}

static int check_running(const struct state *st, const char *root, struct error *err)
{
        enum status s = state_status(root, st);

        if (s == STATUS_RUNNING || s == STATUS_CREATED)
                return 0;
        if (s == STATUS_PAUSED)
                return error_set(err, EBUSY, "cannot exec in a paused container");
        return error_set(err, ESRCH, "cannot exec in a %s container: container not running", status_name(s));
}

static int wait_exit_code(pid_t pid)
{
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return 255;
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int forward_seccomp_listener(const struct exec_options *o, const struct state *st, pid_t pid, int sync_fd,
                                    struct error *err)
{
        const struct spec_seccomp *sec = o->spec->linux_cfg.seccomp;
        _cleanup_free_ char *state_json = NULL;
        int remote_fd, r;

        if (!sec || !sec->uses_notify)
                return 0;
        /* The container as it is (running), not the "creating" one create's listener is shown. */
        state_json = state_to_oci_json(o->root, st, false);
        if ((r = sync_expect(sync_fd, SYNC_SECCOMP_FD, &remote_fd, "the process in the container", err)) < 0 ||
            (r = seccomp_forward_listener(sec, pid, remote_fd, state_json, err)) < 0)
                return r;
        return sync_send(sync_fd, SYNC_GO, 0, err);
}

/* Start the joiner and return the pid of the workload's process once it has exec'd. */
static int start(const struct exec_options *o, const struct state *st, int pidfd, int ns_flags,
                 int console_fd, pid_t *ret_pid, struct error *err)
{
        _cleanup_close_ int sync_fd = -1, cgroup2_fd = -1;
        struct cgroup_tasks tasks = { 0 };
        int pair[2], status, r;
        pid_t joiner_pid;

        /* The cgroup's files are opened out here, where the host's cgroupfs is ours to write: the
         * joining process is cloned into the cgroup2 part and enters its v1 hierarchies itself,
         * through the copies of the `tasks` fds it is born with (cgroup.h says why). */
        if ((r = cgroup_open_cgroup2(st->cgroup, &cgroup2_fd, err)) < 0 ||
            (r = cgroup_open_tasks(st->cgroup, &tasks, err)) < 0)
                return error_wrap(err, "join the container's cgroup");
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
                cgroup_tasks_close(&tasks);
                return error_sys(err, errno, "create socket pair");
        }
        sync_fd = pair[0];
        joiner_pid = clone_into(0, cgroup2_fd);
        if (joiner_pid < 0) {
                close(pair[1]);
                cgroup_tasks_close(&tasks);
                return error_sys(err, errno, "clone the joining process into the container's cgroup");
        }
        if (joiner_pid == 0) {
                close(pair[0]);
                if (cgroup2_fd >= 0)
                        close(cgroup2_fd);
                joiner(o, pidfd, ns_flags, pair[1], console_fd, &tasks);
        }
        close(pair[1]);
        cgroup_tasks_close(&tasks);
        if ((r = sync_bound(sync_fd, sync_timeout_seconds(), err)) == 0 &&
            (r = sync_send(sync_fd, SYNC_GO, 0, err)) == 0)
                r = sync_expect(sync_fd, SYNC_PID, ret_pid, "the joining process", err);
        if (r < 0)
                kill(joiner_pid, SIGKILL);
        while (waitpid(joiner_pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r < 0 || (r = forward_seccomp_listener(o, st, *ret_pid, sync_fd, err)) < 0)
                return r;
        /* EOF: the workload's exec went through (the socket is close-on-exec); else why it failed. */
        r = sync_expect(sync_fd, SYNC_READY, NULL, "the process in the container", err);
        if (r == -EPIPE)
                return 0;
        if (r == -ETIMEDOUT)
                kill(*ret_pid, SIGKILL);
        if (r == 0)
                r = error_set(err, EPROTO, "unexpected message from the process in the container");
        return r;
}

int container_exec(const struct exec_options *o, int *ret_exit_code, struct error *err)
{
        struct state st = { 0 };
        _cleanup_close_ int pidfd = -1, relay = -1, child_console = -1, master = -1, workload = -1;
        bool tty = o->spec->process.terminal;
        pid_t pid;
        int ns_flags = 0, r;

        if (!self_exe_unwritable())
                return error_set(err, EPERM, "exec must run from a skiff binary the container cannot write");
        if (tty && o->console_fd < 0 && o->detach)
                return error_set(err, EINVAL, "--tty with --detach needs --console-socket to hand the pty to");
        if (!tty && o->console_fd >= 0)
                return error_set(err, EINVAL, "--console-socket needs a terminal (--tty or process.terminal)");
        if ((r = state_read(o->root, o->id, &st, err)) < 0)
                return r;
        if ((r = check_running(&st, o->root, err)) < 0)
                goto out;
        pidfd = (int)syscall(SYS_pidfd_open, st.pid, 0);
        /* Opened first, checked second: the pidfd then surely is our init, not a recycled pid. */
        if (pidfd < 0 || !process_is(st.pid, st.start_time)) {
                r = error_set(err, ESRCH, "container not running");
                goto out;
        }
        if ((r = namespaces_to_join(st.pid, &ns_flags, err)) < 0)
                goto out;
        if (tty && o->console_fd < 0) {
                int pair[2];
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
                        r = error_sys(err, errno, "create socket pair");
                        goto out;
                }
                relay = pair[0];
                child_console = pair[1];
        }
        /* Orphaned when the joiner exits, the workload's process comes to us to be reaped. */
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        if ((r = start(o, &st, pidfd, ns_flags, tty ? (o->console_fd >= 0 ? o->console_fd : child_console) : -1,
                       &pid, err)) < 0)
                goto out;
        if (o->pid_file) {
                _cleanup_free_ char *text = xasprintf("%d", (int)pid);
                if ((r = write_file_replace(o->pid_file, text, strlen(text), err)) < 0) {
                        error_wrap(err, "--pid-file");
                        kill(pid, SIGKILL);
                        goto out;
                }
        }
        if (o->detach) {
                *ret_exit_code = 0;
                goto out;
        }
        signals_forward_to(pid, tty);
        if (relay >= 0) {
                close(TAKE_FD(child_console));
                workload = (int)syscall(SYS_pidfd_open, pid, 0);
                if ((r = terminal_receive_master(relay, true, &master, err)) < 0 ||
                    (r = terminal_relay(master, workload, err)) < 0) {
                        kill(pid, SIGKILL);
                        wait_exit_code(pid);
                        goto out;
                }
        }
        *ret_exit_code = wait_exit_code(pid);
        signals_forward_stop();
out:
        state_clear(&st);
        return r;
}
