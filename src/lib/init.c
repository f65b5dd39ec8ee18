#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cgroup.h"
#include "cpu-apart.h"
#include "hooks.h"
#include "namespaces.h"
#include "process.h"
#include "env.h"
#include "fds.h"
#include "rootfs.h"
#include "seccomp.h"
#include "storage-container.h"
#include "sync.h"
#include "terminal.h"
#include "util.h"

static int set_names(const struct spec *spec, struct error *err)
{
        if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                return error_sys(err, errno, "hostname: set \"%s\"", spec->hostname);
        if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
                return error_sys(err, errno, "domainname: set \"%s\"", spec->domainname);
        return 0;
}

/* What the init's rootfs steps need: itself, for SYNC_GO, and its side of the hooks. */
struct init_steps {
        const struct init_args *a;
        struct hooks_meeting *meeting;
};

/* Create sends SYNC_GO once the cgroup is ready, with the `tasks` files of its v1 hierarchies: the
 * init enters them itself (cgroup.h says why). */
static int enter_cgroup(const struct init_args *a, struct error *err)
{
        struct cgroup_tasks tasks = { 0 };
        int r = sync_expect_fds(a->sync_fd, SYNC_GO, tasks.fds, CGROUP_MAX_TASKS_FDS, &tasks.n, "skiff create", err);

        if (r < 0)
                return r;
        cpu_apart_rejoin(a->cpus);
        return cgroup_enter_self(&tasks, err);
}

/* Only once the init is in its cgroup is a new cgroup namespace rooted there, and only then may the
 * cgroup mounts be made. */
static int step_enter_cgroup(void *data, struct error *err)
{
        const struct init_args *a = ((struct init_steps *)data)->a;
        int r = enter_cgroup(a, err);

        return r < 0 ? r : ns_unshare_cgroup(a->spec, err);
}

static int step_before_pivot(void *data, struct error *err)
{
        return hooks_init_before_pivot(((struct init_steps *)data)->meeting, err);
}

/* Everything up to the point where `create` may return: any failure here fails create. */
static int init_setup(const struct init_args *a, struct hooks_meeting *meeting, char **ret_program,
                      struct error *err)
{
        const struct spec *spec = a->spec;
        const struct spec_namespace *userns = spec_namespace(spec, CLONE_NEWUSER);
        /* Without a user namespace, nothing before the first cgroup mount waits for create: those
         * mounts are made while create makes the cgroup. In one, the id maps must be written first. */
        bool early = !userns;
        struct init_steps steps = { .a = a, .meeting = meeting };
        const struct rootfs_step step = { .enter_cgroup = early ? step_enter_cgroup : NULL,
                                          .before_pivot = step_before_pivot, .data = &steps };
        int r;

        if (!early && (r = enter_cgroup(a, err)) < 0)
                return r;
        if ((r = ns_join_paths(spec, err)) < 0 || (r = ns_unshare_own(spec, err)) < 0 ||
            (!early && (r = ns_unshare_cgroup(spec, err)) < 0))
                return r;
        /* In a new user namespace, become its root now that the maps are written. */
        if (userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
                return error_sys(err, errno, "linux.uidMappings: become root in the user namespace (is 0 mapped?)");
        if ((r = set_names(spec, err)) < 0)
                return r;
        if ((r = process_apply_sysctl(spec, err)) < 0)
                return r;
        /* A thin rootfs is mounted here, in the container's namespace only, never on the host. */
        if (a->storage && (r = storage_container_mount(a->storage, err)) < 0)
                return r;
        if ((r = rootfs_setup(spec, a->no_pivot, &step, err)) < 0)
                return r;
        if (spec->process.terminal && (r = terminal_setup(&spec->process, a->console_fd, err)) < 0)
                return r;
        if ((r = process_apply_limits(spec, err)) < 0)
                return r;
        return process_find_program(spec, ret_program, err);
}

/* The fifo stays open (close-on-exec) in *ret_fifo: `start` sees its last writer go as the moment the
 * user program is executed, which it waits for when there are startContainer or poststart hooks. An
 * init that fails after this writes one more byte first (tell_start_failed). */
static int wait_for_start(int state_dirfd, int *ret_fifo, struct error *err)
{
        _cleanup_close_ int fifo = -1;

        /* Blocks until `skiff start` opens the other end. */
        fifo = openat(state_dirfd, "exec.fifo", O_WRONLY | O_CLOEXEC);
        if (fifo < 0)
                return error_sys(err, errno, "open exec.fifo");
        if (write_all(fifo, "0", 1) < 0)
                return error_sys(err, errno, "write exec.fifo");
        *ret_fifo = TAKE_FD(fifo);
        return 0;
}

/* What the workload inherits: the passed fds (with socket activation's LISTEN_FDS and LISTEN_PID, as
 * sd_listen_fds() checks them) and nothing else, closed before chdir so that no host directory fd
 * can serve as process.cwd. */
static int hand_over_fds(const struct init_args *a, int exec_fifo, struct error *err)
{
        if (a->listen_fds > 0) {
                char text[16];

                snprintf(text, sizeof(text), "%d", a->listen_fds);
                env_set(&a->spec->process.env, "LISTEN_FDS", text);
                snprintf(text, sizeof(text), "%d", (int)getpid());
                env_set(&a->spec->process.env, "LISTEN_PID", text);
        }
        return fds_close_from(3 + a->preserve_fds, exec_fifo, err);
}

/* A byte after the first tells a `start` that waits for the exec that it will never come: without it,
 * an init that failed and a workload that already exited would look alike. start may be gone (no
 * reader): the write then fails, and must not kill us with SIGPIPE. */
static void tell_start_failed(int exec_fifo)
{
        if (exec_fifo < 0)
                return;
        signal(SIGPIPE, SIG_IGN);
        write_all(exec_fifo, "!", 1);
}

_Noreturn void init_main(const struct init_args *a)
{
        struct error err = { 0 };
        _cleanup_free_ char *program = NULL;
        struct hooks_meeting meeting = { .hooks = a->spec->hooks, .sync_fd = a->sync_fd };
        int exec_fifo = -1;

        /* Until create has handed us over, a dying parent means nobody will ever start us. */
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (init_setup(a, &meeting, &program, &err) < 0 ||
            seccomp_install_at(a->spec, SECCOMP_BEFORE_READY, a->sync_fd, &err) < 0) {
                sync_send_error(a->sync_fd, &err);
                _exit(1);
        }
        if (sync_send(a->sync_fd, SYNC_READY, 0, &err) < 0)
                _exit(1);
        close(a->sync_fd);
        /* From here we outlive the shim's death: the container keeps running. */
        prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        if (seccomp_install_at(a->spec, SECCOMP_AFTER_READY, -1, &err) == 0 &&
            wait_for_start(a->state_dirfd, &exec_fifo, &err) == 0 && hand_over_fds(a, exec_fifo, &err) == 0 &&
            hooks_run(a->spec->hooks, HOOK_START_CONTAINER, meeting.state_json, &err) == 0 &&
            seccomp_install_at(a->spec, SECCOMP_BEFORE_IDENTITY, -1, &err) == 0 &&
            process_set_identity(a->spec, &err) == 0 && fds_check_cwd(a->spec->process.cwd, &err) == 0 &&
            seccomp_install_at(a->spec, SECCOMP_BEFORE_EXEC, -1, &err) == 0)
                process_exec(a->spec, program, a->preserve_fds, &err);
        fprintf(stderr, "skiff: init: %s\n", err.msg);
        tell_start_failed(exec_fifo);
        _exit(127);
}
