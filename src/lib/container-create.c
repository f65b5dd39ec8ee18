#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "clone-into.h"
#include "cpu-apart.h"
#include "hooks.h"
#include "init.h"
#include "mount-idmap.h"
#include "namespaces.h"
#include "recover.h"
#include "seccomp.h"
#include "seccomp-compile.h"
#include "shim-watch.h"
#include "spec.h"
#include "spec-cached.h"
#include "state.h"
#include "storage-container.h"
#include "sync.h"
#include "util.h"

/* What create has made so far, so that a failure can take it all back. */
_Static_assert(CGROUP_MAX_TASKS_FDS <= SYNC_MAX_FDS, "SYNC_GO carries every v1 hierarchy's tasks fd");

struct creation {
        const struct create_options *o;
        struct spec *spec;
        struct state st;
        int lock_fd;
        pid_t shim_pid;
        pid_t init_pid;
        int shim_sync, init_sync;
        bool watch;     /* SHIM_MODE_WATCH: the caller, not the shim, is the init's parent */
        bool in_cgroup; /* the init was moved into st.cgroup, or sent what enters it */
        int cgroup2_fd; /* st.cgroup's cgroup2 directory, which the init is cloned into; or -1 */
        struct cgroup_tasks tasks; /* sent with SYNC_GO: the init enters its v1 cgroups itself */
        struct storage_attach *storage; /* a thin rootfs or volumes (storage-container.h) */
        struct cpu_apart apart; /* the process just spawned goes to the other CPUs until SYNC_GO, create stays */
};

/* skiff-shim with what src/shim.c parses. Returns only if the exec failed. */
static void exec_shim(const struct creation *c, pid_t pid, int pidfd)
{
        char pidbuf[32], pidfdbuf[32];
        const char *argv[16] = { "skiff-shim", "--root", c->o->root, "--id", c->o->id, "--pid", pidbuf,
                                 "--pidfd", pidfdbuf, "--cgroup", c->st.cgroup };
        size_t n = 11;

        snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
        snprintf(pidfdbuf, sizeof(pidfdbuf), "%d", pidfd);
        if (c->watch)
                argv[n++] = "--watch";
        if (c->o->log_path) {
                argv[n++] = "--log";
                argv[n++] = c->o->log_path;
                argv[n++] = "--log-format";
                argv[n++] = c->o->log_json ? "json" : "text";
        }
        execv(c->o->shim_path, (char *const *)argv);
}

/* Clones the init into the config's new namespaces, first joining the pid and time namespaces given
 * by path; the caller stays in its own ones, for its later children too. */
static int clone_init(struct creation *c, int init_sync, int state_dirfd, pid_t *ret_pid, struct error *err)
{
        struct init_args args = { .spec = c->spec, .sync_fd = init_sync, .state_dirfd = state_dirfd,
                                  .no_pivot = c->o->no_pivot, .preserve_fds = c->o->preserve_fds + c->o->listen_fds,
                                  .listen_fds = c->o->listen_fds, .console_fd = c->o->console_fd,
                                  .storage = c->storage, .cpus = &c->apart };
        const struct spec_namespace *pidns = spec_namespace(c->spec, CLONE_NEWPID);
        _cleanup_close_ int own_pidns = -1, own_timens = -1;
        pid_t pid = -1;
        bool returned;
        int r;

        if (pidns && pidns->path)
                own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
        if (spec_namespace(c->spec, CLONE_NEWTIME))
                own_timens = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
        if ((r = ns_enter_for_children(c->spec, err)) == 0) {
                pid = clone_into((unsigned long)ns_clone_flags(c->spec) | (c->watch ? CLONE_PARENT : 0), c->cgroup2_fd);
                if (pid == 0) {
                        cpu_apart_send(&c->apart, 0);
                        /* None of the caller's fds but its own: the lock is create's alone (holding
                         * it would block `skiff start` for good), a sync socket of another pair
                         * would hide its peer's exit, and the host's cgroupfs is no business of a
                         * process the container can see. */
                        if (c->lock_fd >= 0)
                                close(c->lock_fd);
                        if (c->cgroup2_fd >= 0)
                                close(c->cgroup2_fd);
                        if (c->init_sync >= 0)
                                close(c->init_sync);
                        if (c->shim_sync >= 0)
                                close(c->shim_sync);
                        init_main(&args);
                }
                if (pid < 0)
                        r = error_sys(err, errno, "clone the container's init");
        }
        /* Only the init belongs in the joined namespaces: the caller's later children (hooks, a
         * sanitizer's leak checker) stay on the host's side. */
        returned = (own_pidns < 0 || setns(own_pidns, CLONE_NEWPID) == 0) &&
                   (own_timens < 0 || setns(own_timens, CLONE_NEWTIME) == 0);
        if (!returned && r == 0) {
                r = error_sys(err, errno, "return to skiff's own namespaces");
                kill(pid, SIGKILL);
        }
        if (r == 0)
                *ret_pid = pid;
        return r;
}

/* The forked process that clones the init and then execs skiff-shim: the init's parent, or in watch
 * mode its sibling (CLONE_PARENT makes create the parent, so the init passes to the caller, a
 * subreaper). */
_Noreturn static void shim_to_be(struct creation *c, int init_sync, int state_dirfd)
{
        struct error err = { 0 };
        pid_t pid;
        int devnull, pidfd;

        close(c->lock_fd);
        c->lock_fd = -1;
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        /* Without a pid namespace, the container's orphans come to the shim, which reaps them. */
        if (!c->watch)
                prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        if (clone_init(c, init_sync, state_dirfd, &pid, &err) < 0) {
                sync_send_error(c->shim_sync, &err);
                _exit(1);
        }
        close(init_sync);
        close(state_dirfd);
        /* Opened while the init surely lives (it waits for SYNC_GO): the shim's handle on it. */
        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
                error_sys(&err, errno, "pidfd_open the container's init");
                sync_send_error(c->shim_sync, &err);
                kill(pid, SIGKILL);
                _exit(1);
        }
        if (sync_send(c->shim_sync, SYNC_PID, pid, &err) < 0 ||
            sync_expect(c->shim_sync, SYNC_EXEC_SHIM, NULL, "skiff create", &err) < 0) {
                kill(pid, SIGKILL);
                _exit(1);
        }
        /* The shim must hold none of the caller's pipes open: `$(skiff run -d ...)` would hang. */
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull >= 0) {
                dup2(devnull, 0);
                dup2(devnull, 1);
                dup2(devnull, 2);
        }
        /* Nor any other fd of the caller's but the pidfd; and no signal of the caller's terminal. */
        setsid();
        cpu_apart_rejoin(&c->apart);
        prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
        fcntl(pidfd, F_SETFD, 0);
        exec_shim(c, pid, pidfd);
        error_sys(&err, errno, "exec %s", c->o->shim_path);
        sync_send_error(c->shim_sync, &err);
        kill(pid, SIGKILL);
        _exit(1);
}

/* `run` in the foreground is the init's parent and its shim itself: one process less. */
static int spawn_inline(struct creation *c, int state_dirfd, struct error *err)
{
        int pair[2], r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return error_sys(err, errno, "create socket pair");
        c->init_sync = pair[0];
        c->shim_pid = getpid();
        /* Without a pid namespace, the container's orphans come to us, and we reap them. */
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        if ((r = sync_bound(c->init_sync, sync_timeout_seconds(), err)) == 0 &&
            (r = clone_init(c, pair[1], state_dirfd, &c->init_pid, err)) == 0)
                cpu_apart_send(&c->apart, c->init_pid);
        close(pair[1]);
        return r;
}

/* Forks the shim-to-be; it sends SYNC_PID once it has cloned the init. */
static int spawn(struct creation *c, struct error *err)
{
        int shim_pair[2], init_pair[2];
        _cleanup_close_ int state_dirfd = -1;
        _cleanup_free_ char *dir = state_path(c->o->root, c->o->id, NULL);
        pid_t pid;
        int r;

        state_dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (state_dirfd < 0)
                return error_sys(err, errno, "open %s", dir);
        cpu_apart_begin(&c->apart);
        if (c->o->shim_inline)
                return spawn_inline(c, state_dirfd, err);
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, shim_pair) < 0)
                return error_sys(err, errno, "create socket pair");
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, init_pair) < 0) {
                close(shim_pair[0]);
                close(shim_pair[1]);
                return error_sys(err, errno, "create socket pair");
        }
        c->shim_sync = shim_pair[0];
        c->init_sync = init_pair[0];
        if ((r = sync_bound(c->shim_sync, sync_timeout_seconds(), err)) < 0 ||
            (r = sync_bound(c->init_sync, sync_timeout_seconds(), err)) < 0) {
                close(shim_pair[1]);
                close(init_pair[1]);
                return r;
        }
        pid = fork();
        if (pid < 0) {
                r = error_sys(err, errno, "fork");
                close(shim_pair[1]);
                close(init_pair[1]);
                return r;
        }
        if (pid == 0) {
                cpu_apart_send(&c->apart, 0);
                close(shim_pair[0]);
                close(init_pair[0]);
                /* This copy of c is the shim-to-be's: its own end of each pair (the init closes the
                 * shim's first, in clone_init). */
                c->shim_sync = shim_pair[1];
                c->init_sync = -1;
                shim_to_be(c, init_pair[1], state_dirfd);
        }
        close(shim_pair[1]);
        close(init_pair[1]);
        c->shim_pid = pid;
        cpu_apart_send(&c->apart, pid);
        return 0;
}

/* The shim-to-be's SYNC_PID; an inline shim knows the pid already. */
static int receive_pid(struct creation *c, struct error *err)
{
        if (c->o->shim_inline)
                return 0;
        return sync_expect(c->shim_sync, SYNC_PID, &c->init_pid, "skiff-shim", err);
}

/* On a host with cgroup2, before the init is cloned into it; on pure v1, while the shim-to-be forks
 * and clones, or the init makes its first mounts (two CPUs: at the same time). The first state
 * written holds the cgroup's path: recovery takes it apart if create dies. */
static int make_cgroup(struct creation *c, struct error *err)
{
        bool populated = false;
        int r;

        if ((r = cgroup_create(c->st.cgroup, c->spec, &populated, err)) < 0 ||
            (r = cgroup_open_cgroup2(c->st.cgroup, &c->cgroup2_fd, err)) < 0)
                return r;
        if (populated && c->o->warn) {
                _cleanup_free_ char *msg = xasprintf("linux.cgroupsPath: cgroup %s already holds processes; "
                                                     "they share the container's limits, and its end", c->st.cgroup);
                c->o->warn(msg);
        }
        return 0;
}

/* From the host side, with the init waiting for SYNC_GO: maps, oom score, and the v1 cgroup files
 * the init enters itself (it was cloned into the cgroup2 part). */
static int prepare_init(struct creation *c, struct error *err)
{
        int r;

        if ((r = ns_write_id_maps(c->init_pid, c->spec, err)) < 0)
                return r;
        if (c->spec->process.has_oom_score_adj) {
                _cleanup_free_ char *path = xasprintf("/proc/%d/oom_score_adj", (int)c->init_pid);
                _cleanup_free_ char *value = xasprintf("%d", c->spec->process.oom_score_adj);
                if ((r = write_file(path, value, err)) < 0)
                        return error_wrap(err, "process.oomScoreAdj");
        }
        if ((r = cgroup_open_tasks(c->st.cgroup, &c->tasks, err)) < 0)
                return r;
        c->in_cgroup = true;
        crash_point("after-cgroup");
        return 0;
}

static int write_pid_file(const char *path, pid_t pid, struct error *err)
{
        _cleanup_free_ char *text = xasprintf("%d", (int)pid);

        return write_file_replace(path, text, strlen(text), err);
}

/* Between SYNC_GO and SYNC_READY: the hooks that run before pivot_root, then the seccomp listener's
 * fd (src/lib/hooks.h, src/lib/seccomp.h say why there). */
static int meet_init(struct creation *c, struct error *err)
{
        const struct spec_seccomp *sec = c->spec->linux_cfg.seccomp;
        _cleanup_free_ char *state_json = NULL;
        int r, remote_fd;

        if ((r = hooks_save(c->spec->hooks, c->o->root, c->o->id, err)) < 0)
                return r;
        if (!hooks_need_state_in_init(c->spec->hooks) && !(sec && sec->uses_notify))
                return 0;
        state_json = hooks_state_json(c->o->root, &c->st);
        if (hooks_need_state_in_init(c->spec->hooks) &&
            (r = hooks_create_side(c->spec->hooks, c->init_sync, state_json, err)) < 0)
                return r;
        if (!sec || !sec->uses_notify)
                return 0;
        if ((r = sync_expect(c->init_sync, SYNC_SECCOMP_FD, &remote_fd, "the container's init", err)) < 0 ||
            (r = seccomp_forward_listener(sec, c->init_pid, remote_fd, state_json, err)) < 0)
                return r;
        return sync_send(c->init_sync, SYNC_GO, 0, err);
}

/* The init's last stretch before SYNC_READY holds its createContainer hooks: the bound grows by their
 * timeouts, and goes when one has none. */
static int await_ready(struct creation *c, struct error *err)
{
        int hooks = hooks_in_init_seconds(c->spec->hooks);
        int r;

        if (hooks != 0 && (r = sync_bound(c->init_sync, hooks < 0 ? 0 : sync_timeout_seconds() + hooks, err)) < 0)
                return r;
        return sync_expect(c->init_sync, SYNC_READY, NULL, "the container's init", err);
}

static int finish(struct creation *c, struct error *err)
{
        int r;

        crash_point("after-mounts");
        c->st.creator = 0;
        c->st.creator_start_time = 0;
        crash_point("before-state-write");
        if ((r = state_write(c->o->root, &c->st, err)) < 0)
                return r;
        crash_point("after-state-write");
        if (c->o->pid_file && (r = write_pid_file(c->o->pid_file, c->init_pid, err)) < 0)
                return error_wrap(err, "--pid-file");
        if (c->o->shim_inline)
                return 0;
        if ((r = sync_send(c->shim_sync, SYNC_EXEC_SHIM, 0, err)) < 0)
                return r;
        /* EOF means the exec went through (the socket is close-on-exec); a message is a failure. */
        r = sync_expect(c->shim_sync, SYNC_EXEC_SHIM, NULL, "skiff-shim", err);
        return r == -EPIPE ? 0 : r;
}

/* Written as soon as the processes exist, so that a create killed at any later point leaves a
 * container that recovery can find and take apart (src/lib/recover.c). */
static int record_processes(struct creation *c, struct error *err)
{
        crash_point("after-clone");
        c->st.pid = c->init_pid;
        c->st.start_time = proc_start_time(c->init_pid);
        c->st.shim_pid = c->shim_pid;
        c->st.shim_start_time = c->o->shim_inline ? c->st.creator_start_time : proc_start_time(c->shim_pid);
        /* An inline shim's init dies with it: by its parent-death signal, or before that is set, by
         * EOF on its sync socket. The first record's cgroup is all that recovery needs then. */
        if (c->o->shim_inline)
                return 0;
        return state_write(c->o->root, &c->st, err);
}

/* The config as created (the very text parsed) stays beside the state: what reads it later
 * (volumes-from, exec) must not see edits made to the bundle since. */
static int keep_config(const struct creation *c, const char *text, struct error *err)
{
        _cleanup_free_ char *to = state_path(c->o->root, c->o->id, "config.json");

        return write_file_replace(to, text, strlen(text), err);
}

static void undo(struct creation *c)
{
        struct error ignored = { 0 };

        if (c->init_pid > 0) {
                kill(c->init_pid, SIGKILL);
                /* A frozen init (a wait that timed out may be why we are here) dies once thawed. A
                 * cgroup found frozen, and refused, never held it and stays as it was. */
                if (c->in_cgroup && cgroup_is_frozen(c->st.cgroup))
                        cgroup_freeze(c->st.cgroup, false, &ignored);
                if (c->watch || c->o->shim_inline)
                        waitpid(c->init_pid, NULL, 0);
        }
        if (c->shim_pid > 0 && !c->o->shim_inline) {
                kill(c->shim_pid, SIGKILL);
                waitpid(c->shim_pid, NULL, 0);
        }
        if (c->st.cgroup)
                cgroup_destroy(c->st.cgroup, &ignored);
        storage_container_abort(c->o->id, c->storage);
        if (c->o->pid_file && c->st.pid)
                unlink(c->o->pid_file);
        {
                _cleanup_free_ char *dir = state_path(c->o->root, c->o->id, NULL);
                rm_rf(dir, &ignored);
        }
}

/* config.json's text (*ret_text, which create keeps as it was parsed), and the spec parsed from it
 * with the seccomp cache's help (spec-cached.h). */
static int read_config(const struct create_options *o, const char *bundle, struct spec **ret, char **ret_text,
                       struct error *err)
{
        _cleanup_free_ char *file = xasprintf("%s/config.json", bundle);
        _cleanup_free_ char *text = NULL;
        int r;

        if ((r = read_file(file, &text, NULL, err)) < 0)
                return r;
        if ((r = spec_parse_cached(text, bundle, o->root, ret, err)) < 0)
                return error_wrap(err, "%s", file);
        *ret_text = TAKE_PTR(text);
        return 0;
}

static int load_spec(const struct create_options *o, struct spec **ret, char **ret_bundle, char **ret_text,
                     struct error *err)
{
        char bundle[PATH_MAX];
        int r;

        if (!realpath(o->bundle, bundle))
                return error_sys(err, errno, "--bundle %s", o->bundle);
        if ((r = read_config(o, bundle, ret, ret_text, err)) < 0)
                return r;
        if (!spec_namespace(*ret, CLONE_NEWNS))
                return error_set(err, EINVAL, "linux.namespaces: skiff needs a mount namespace for the container");
        if ((*ret)->process.terminal && o->console_fd < 0)
                return error_set(err, EINVAL, "process.terminal: needs --console-socket to send the pty to");
        /* Relative bind sources are relative to the bundle, as in runc. */
        if (chdir(bundle) < 0)
                return error_sys(err, errno, "chdir %s", bundle);
        *ret_bundle = xstrdup(bundle);
        return 0;
}

int container_create(const struct create_options *o, struct state *ret_state, struct error *err)
{
        _cleanup_(spec_freep) struct spec *spec = NULL;
        _cleanup_free_ char *config_text = NULL;
        struct creation c = { .o = o, .lock_fd = -1, .shim_sync = -1, .init_sync = -1, .cgroup2_fd = -1 };
        bool cgroup_first;
        _cleanup_free_ char *fifo = NULL;
        enum shim_mode mode;
        int r;

        if ((r = shim_mode_resolve(o->shim_mode, &mode, err)) < 0)
                return r;
        c.watch = mode == SHIM_MODE_WATCH;
        if ((r = load_spec(o, &spec, &c.st.bundle, &config_text, err)) < 0)
                return r;
        c.spec = spec;
        if ((r = state_dir_create(o->root, o->id, &c.lock_fd, err)) < 0) {
                free(c.st.bundle);
                return r;
        }
        c.st.id = xstrdup(o->id);
        c.st.rootfs = xstrdup(spec->root_path);
        c.st.created = now_rfc3339();
        c.st.creator = getpid();
        c.st.creator_start_time = proc_start_time(c.st.creator);
        c.st.cgroup = cgroup_path_for(spec, o->id);
        c.st.annotations = spec->annotations;
        fifo = state_path(o->root, o->id, "exec.fifo");
        if ((r = state_write(o->root, &c.st, err)) < 0 || (r = keep_config(&c, config_text, err)) < 0)
                goto fail;
        /* Once the ID has proved valid: the cache goes under --root. */
        if (spec->linux_cfg.seccomp && (r = seccomp_prepare(spec->linux_cfg.seccomp, o->root, err)) < 0)
                goto fail;
        if (mkfifo(fifo, 0622) < 0) {
                r = error_sys(err, errno, "mkfifo %s", fifo);
                goto fail;
        }
        if ((r = ns_chown_to_container_root(fifo, spec, err)) < 0)
                goto fail;
        if ((r = storage_container_prepare(spec, o->root, o->id, &c.storage, err)) < 0 ||
            (r = mount_idmap_prepare(spec, err)) < 0)
                goto fail;
        cgroup_first = cgroup_has_cgroup2();
        if ((cgroup_first && (r = make_cgroup(&c, err)) < 0) || (r = spawn(&c, err)) < 0 ||
            (!cgroup_first && (r = make_cgroup(&c, err)) < 0) ||
            (r = receive_pid(&c, err)) < 0 ||
            (r = record_processes(&c, err)) < 0 || (r = prepare_init(&c, err)) < 0 ||
            (r = sync_send_fds(c.init_sync, SYNC_GO, c.tasks.fds, c.tasks.n, err)) < 0 ||
            (r = meet_init(&c, err)) < 0 || (r = await_ready(&c, err)) < 0 ||
            (r = finish(&c, err)) < 0)
                goto fail;
        goto out;
fail:
        /* The init may have failed first, on its own (its mounts go ahead of SYNC_GO). */
        if (c.init_sync >= 0)
                sync_take_error(c.init_sync, err);
        undo(&c);
out:
        if (r == 0 && ret_state) {
                /* The caller's copy outlives the spec its annotations were borrowed from. */
                c.st.annotations = strv_copy(c.st.annotations);
                *ret_state = c.st;
        } else {
                c.st.annotations = NULL;
                state_clear(&c.st);
        }
        cpu_apart_rejoin(&c.apart);
        storage_attach_free(c.storage);
        cgroup_tasks_close(&c.tasks);
        if (c.cgroup2_fd >= 0)
                close(c.cgroup2_fd);
        if (c.shim_sync >= 0)
                close(c.shim_sync);
        if (c.init_sync >= 0)
                close(c.init_sync);
        close(c.lock_fd);
        return r;
}
