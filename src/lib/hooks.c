#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "json.h"
#include "sync.h"
#include "util.h"

/* The hook reads its stdin whenever it likes: a memfd holds the whole JSON, so neither side can
 * block on a pipe or die of SIGPIPE. */
static int state_memfd(const char *state_json, struct error *err)
{
        _cleanup_close_ int fd = memfd_create("skiff-hook-state", MFD_CLOEXEC);

        if (fd < 0)
                return error_sys(err, errno, "memfd_create");
        if (write_all(fd, state_json, strlen(state_json)) < 0 || lseek(fd, 0, SEEK_SET) < 0)
                return error_sys(err, errno, "write the state for the hook");
        return TAKE_FD(fd);
}

_Noreturn static void exec_hook(const struct spec_hook *hook, int stdin_fd)
{
        char *const default_args[] = { hook->path, NULL };
        char *const empty_env[] = { NULL };
        sigset_t none;

        if (dup2(stdin_fd, STDIN_FILENO) < 0)
                _exit(126);
        /* Nothing of skiff's (the container's lock, sync sockets) may live on in a hook that lingers. */
        syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
        /* A group of its own, so that a timeout kills what the hook started too. */
        setpgid(0, 0);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        execve(hook->path, hook->args ? hook->args : default_args, hook->env ? hook->env : empty_env);
        _exit(127);
}

static int run_one(const struct spec_hook *hook, const char *at, const char *state_json, struct error *err)
{
        _cleanup_close_ int input = -1, pidfd = -1;
        struct pollfd pfd;
        int status, r;
        pid_t pid;

        if ((input = state_memfd(state_json, err)) < 0)
                return error_wrap(err, "%s", at);
        pid = fork();
        if (pid < 0)
                return error_sys(err, errno, "%s: fork", at);
        if (pid == 0)
                exec_hook(hook, input);
        /* Also here: whichever of the two runs first, the group exists before a timeout can strike. */
        setpgid(pid, pid);
        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
                r = error_sys(err, errno, "%s: pidfd_open", at);
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                return r;
        }
        pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
        while ((r = poll(&pfd, 1, hook->timeout ? hook->timeout * 1000 : -1)) < 0 && errno == EINTR)
                ;
        if (r == 0 && kill(-pid, SIGKILL) < 0)
                kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return error_sys(err, errno, "%s: wait for %s", at, hook->path);
        if (r == 0)
                return error_set(err, ETIMEDOUT, "%s: %s timed out after %d s and was killed", at, hook->path,
                                 hook->timeout);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return error_set(err, ENOEXEC, "%s: %s could not be executed (or exited with status 127)", at,
                                 hook->path);
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
                return error_set(err, EIO, "%s: %s exited with status %d", at, hook->path, WEXITSTATUS(status));
        if (WIFSIGNALED(status))
                return error_set(err, EIO, "%s: %s was killed by signal %d", at, hook->path, WTERMSIG(status));
        return 0;
}

int hooks_run(const struct spec_hooks *h, enum hook_kind kind, const char *state_json, struct error *err)
{
        int r;

        for (size_t i = 0; h && i < h->n[kind]; i++) {
                _cleanup_free_ char *at = xasprintf("hooks.%s[%zu]", hook_kind_name(kind), i);
                if ((r = run_one(&h->list[kind][i], at, state_json, err)) < 0)
                        return r;
        }
        return 0;
}

/* state_to_oci_json derives the status from the kernel and the state dir; hooks are told the
 * status of the step they belong to. The generator writes the member compactly as "status":"X". */
static char *with_status(const char *json, const char *status)
{
        const char *start = strstr(json, "\"status\":\"");
        const char *end;

        if (!start || !(end = strchr(start + 10, '"')))
                return xstrdup(json);
        return xasprintf("%.*s\"status\":\"%s\"%s", (int)(start - json), json, status, end + 1);
}

char *hooks_state_json(const char *root, const struct state *st)
{
        struct state shown = *st;
        _cleanup_free_ char *json = NULL;

        /* Without a creator at work, the status (and so the pid) is the kernel's: the init lives. */
        shown.creator = 0;
        shown.creator_start_time = 0;
        json = state_to_oci_json(root, &shown, false);
        return with_status(json, "creating");
}

bool hooks_need_state_in_init(const struct spec_hooks *h)
{
        return h && (h->n[HOOK_PRESTART] || h->n[HOOK_CREATE_RUNTIME] || h->n[HOOK_CREATE_CONTAINER] ||
                     h->n[HOOK_START_CONTAINER]);
}

int hooks_in_init_seconds(const struct spec_hooks *h)
{
        int sum = 0;

        for (size_t i = 0; h && i < h->n[HOOK_CREATE_CONTAINER]; i++) {
                if (h->list[HOOK_CREATE_CONTAINER][i].timeout <= 0)
                        return -1;
                sum += h->list[HOOK_CREATE_CONTAINER][i].timeout;
        }
        return sum;
}

int hooks_create_side(const struct spec_hooks *h, int init_sync, const char *state_json, struct error *err)
{
        size_t len = strlen(state_json) + 1;
        int r;

        if ((r = sync_expect(init_sync, SYNC_HOOKS, NULL, "the container's init", err)) < 0)
                return r;
        /* prestart is createRuntime's deprecated twin: both run here, prestart first, as in runc. */
        if ((r = hooks_run(h, HOOK_PRESTART, state_json, err)) < 0 ||
            (r = hooks_run(h, HOOK_CREATE_RUNTIME, state_json, err)) < 0)
                return r;
        if (send(init_sync, state_json, len, MSG_NOSIGNAL) != (ssize_t)len)
                return error_sys(err, errno, "send the state to the container's init");
        return 0;
}

int hooks_init_before_pivot(void *meeting, struct error *err)
{
        struct hooks_meeting *m = meeting;
        _cleanup_free_ char *json = NULL;
        int sync_fd = m->sync_fd;
        ssize_t len, n;
        int r;

        if (!hooks_need_state_in_init(m->hooks))
                return 0;
        if ((r = sync_send(sync_fd, SYNC_HOOKS, 0, err)) < 0)
                return r;
        do
                len = recv(sync_fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
        while (len < 0 && errno == EINTR);
        if (len <= 0)
                return error_set(err, EPIPE, "skiff create sent no state for the hooks");
        json = xmalloc((size_t)len + 1);
        do
                n = recv(sync_fd, json, (size_t)len, 0);
        while (n < 0 && errno == EINTR);
        if (n != len)
                return error_set(err, EPROTO, "short state message from skiff create");
        json[len] = '\0';
        if ((r = hooks_run(m->hooks, HOOK_CREATE_CONTAINER, json, err)) < 0)
                return r;
        /* startContainer comes after `skiff start`: by then the container is "created". */
        m->state_json = with_status(json, "created");
        return 0;
}

int hooks_save(const struct spec_hooks *h, const char *root, const char *id, struct error *err)
{
        _cleanup_free_ char *path = NULL, *json = NULL;

        if (!h || (!h->n[HOOK_START_CONTAINER] && !h->n[HOOK_POSTSTART] && !h->n[HOOK_POSTSTOP]))
                return 0;
        path = state_path(root, id, HOOKS_SAVED_FILE);
        /* startContainer runs in the init, but `start` must know to wait for it and report it. */
        json = spec_hooks_to_json(h, 1u << HOOK_START_CONTAINER | 1u << HOOK_POSTSTART | 1u << HOOK_POSTSTOP);
        return write_file_replace(path, json, strlen(json), err);
}

static int load_saved(const char *root, const char *id, struct spec_hooks **ret, struct error *err)
{
        _cleanup_free_ char *path = state_path(root, id, HOOKS_SAVED_FILE);
        _cleanup_free_ char *text = NULL;
        yajl_val tree = NULL;
        int r;

        *ret = NULL;
        if (access(path, F_OK) < 0)
                return errno == ENOENT ? 0 : error_sys(err, errno, "%s", path);
        if ((r = read_file(path, &text, NULL, err)) < 0 || (r = json_parse_string(text, path, &tree, err)) < 0)
                return r;
        r = spec_hooks_parse(tree, "hooks", ret, err);
        yajl_tree_free(tree);
        return r < 0 ? error_wrap(err, "%s", path) : 0;
}

void hooks_poststop_load(const char *root, const char *id, struct hooks_poststop *ret)
{
        struct error ignored = { 0 };

        *ret = (struct hooks_poststop){ 0 };
        /* Whatever fails here, delete itself reports in its own words (an unknown id, say). */
        if (load_saved(root, id, &ret->hooks, &ignored) < 0 || !ret->hooks || !ret->hooks->n[HOOK_POSTSTOP] ||
            state_read(root, id, &ret->st, &ignored) < 0)
                hooks_poststop_clear(ret);
}

int hooks_poststop_run(struct hooks_poststop *p, const char *root, struct error *warning)
{
        _cleanup_free_ char *json = NULL;
        int r = 0;

        if (p->hooks && p->hooks->n[HOOK_POSTSTOP]) {
                json = state_to_oci_json(root, &p->st, false);
                r = hooks_run(p->hooks, HOOK_POSTSTOP, json, warning);
        }
        hooks_poststop_clear(p);
        return r;
}

void hooks_poststop_clear(struct hooks_poststop *p)
{
        spec_hooks_free(p->hooks);
        p->hooks = NULL;
        state_clear(&p->st);
}

/* Bounded by the startContainer hooks' own timeouts when all have one; a hook without one may take
 * as long as it likes, as long as the init lives. The init's last writer of the fifo closes on its
 * execve; an init that fails before writes a byte first (start's own byte was read already). */
static int wait_for_exec(const struct spec_hooks *h, const struct state *st, int exec_fifo, struct error *err)
{
        const int slack_ms = 10000;
        long long bound_ms = slack_ms;

        for (size_t i = 0; i < h->n[HOOK_START_CONTAINER]; i++)
                bound_ms = h->list[HOOK_START_CONTAINER][i].timeout && bound_ms >= 0 ?
                                   bound_ms + h->list[HOOK_START_CONTAINER][i].timeout * 1000LL : -1;
        for (long long waited = 0;; waited += 100) {
                enum exec_fifo_news news = exec_fifo_wait(exec_fifo, st);

                if (news == EXEC_FIFO_BYTE)
                        return error_set(err, ESRCH, "the container's init failed before its user program ran (a "
                                         "hooks.startContainer hook or the exec: the container's stderr says which)");
                /* The exec closed it, or an init killed with no word: either way, it started. */
                if (news == EXEC_FIFO_CLOSED)
                        return 0;
                if (bound_ms >= 0 && waited >= bound_ms)
                        return error_set(err, ETIMEDOUT, "the user program did not start in %lld ms", bound_ms);
        }
}

int hooks_after_start(const char *root, const struct state *st, int exec_fifo, struct error *err)
{
        _cleanup_(spec_hooks_freep) struct spec_hooks *h = NULL;
        _cleanup_free_ char *json = NULL;
        int r;

        if ((r = load_saved(root, st->id, &h, err)) < 0 || !h || (!h->n[HOOK_START_CONTAINER] && !h->n[HOOK_POSTSTART]))
                return r;
        if ((r = wait_for_exec(h, st, exec_fifo, err)) < 0)
                return r;
        json = state_to_oci_json(root, st, false);
        return hooks_run(h, HOOK_POSTSTART, json, err);
}
