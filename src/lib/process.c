#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "util.h"

int process_apply_limits(const struct spec *spec, struct error *err)
{
        const struct spec_process *p = &spec->process;

        for (size_t i = 0; i < p->n_rlimits; i++) {
                const struct spec_rlimit *rl = &p->rlimits[i];
                struct rlimit lim = { .rlim_cur = rl->soft, .rlim_max = rl->hard }, cur;

                if (setrlimit(rl->resource, &lim) == 0)
                        continue;
                if (errno == EPERM && getrlimit(rl->resource, &cur) == 0 && rl->hard > cur.rlim_max)
                        return error_set(err, EPERM,
                                         "process.rlimits[%zu]: %s hard limit %llu is above this system's %llu "
                                         "and raising it needs CAP_SYS_RESOURCE",
                                         i, rl->type, (unsigned long long)rl->hard,
                                         (unsigned long long)cur.rlim_max);
                return error_sys(err, errno, "process.rlimits[%zu]: set %s", i, rl->type);
        }
        if (spec->linux_cfg.has_personality && personality(spec->linux_cfg.personality) < 0)
                return error_sys(err, errno, "linux.personality");
        if (p->user.has_umask)
                umask(p->user.umask);
        return 0;
}

int process_apply_sysctl(const struct spec *spec, struct error *err)
{
        char **s = spec->linux_cfg.sysctl;

        /* spec_parse has refused every key that is not in one of the container's namespaces. */
        for (size_t i = 0; s && s[i]; i += 2) {
                _cleanup_free_ char *path = xasprintf("/proc/sys/%s", s[i]);
                for (char *p = path + strlen("/proc/sys/"); *p; p++)
                        if (*p == '.')
                                *p = '/';
                if (write_file(path, s[i + 1], err) < 0)
                        return error_wrap(err, "linux.sysctl: %s", s[i]);
        }
        return 0;
}

static const char *env_get(char *const *env, const char *name)
{
        size_t len = strlen(name);

        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
                        return env[i] + len + 1;
        return NULL;
}

static bool is_executable(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

int process_find_program(const struct spec *spec, char **ret_path, struct error *err)
{
        const char *prog = spec->process.args[0];
        const char *path_env = env_get(spec->process.env, "PATH");
        _cleanup_free_ char *dirs = NULL;
        char *save = NULL;

        if (strchr(prog, '/')) {
                if (!is_executable(prog))
                        return error_set(err, ENOENT, "process.args[0]: \"%s\" is not an executable file", prog);
                *ret_path = xstrdup(prog);
                return 0;
        }
        dirs = xstrdup(path_env ? path_env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *candidate = xasprintf("%s/%s", dir, prog);
                if (is_executable(candidate)) {
                        *ret_path = TAKE_PTR(candidate);
                        return 0;
                }
        }
        return error_set(err, ENOENT, "process.args[0]: \"%s\" not found in the container's PATH", prog);
}

static int drop_bounding(uint64_t keep, struct error *err)
{
        for (cap_value_t c = 0; c <= CAP_LAST_CAP || CAP_IS_SUPPORTED(c); c++) {
                if (keep & (UINT64_C(1) << c))
                        continue;
                if (cap_drop_bound(c) < 0 && errno != EINVAL)
                        return error_sys(err, errno, "process.capabilities.bounding: drop %s", cap_to_name(c));
        }
        return 0;
}

static int set_cap_sets(const struct spec_capabilities *c, struct error *err)
{
        static const cap_flag_t flags[] = { CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE };
        static const int sets[] = { CAP_SET_EFFECTIVE, CAP_SET_PERMITTED, CAP_SET_INHERITABLE };
        cap_t caps = cap_init();
        int r = 0;

        for (size_t s = 0; s < ARRAY_SIZE(sets); s++)
                for (cap_value_t v = 0; v < 64; v++)
                        if (c->sets[sets[s]] & (UINT64_C(1) << v))
                                cap_set_flag(caps, flags[s], 1, &v, CAP_SET);
        if (cap_set_proc(caps) < 0)
                r = error_sys(err, errno, "process.capabilities: set effective, permitted and inheritable");
        cap_free(caps);
        if (r < 0)
                return r;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return error_sys(err, errno, "process.capabilities.ambient: clear");
        for (cap_value_t v = 0; v < 64; v++)
                if ((c->sets[CAP_SET_AMBIENT] & (UINT64_C(1) << v)) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0) < 0)
                        return error_sys(err, errno, "process.capabilities.ambient: raise %s", cap_to_name(v));
        return 0;
}

int process_set_identity(const struct spec *spec, struct error *err)
{
        const struct spec_process *p = &spec->process;
        bool cwd_done;
        int r;

        if (p->caps.present && (r = drop_bounding(p->caps.sets[CAP_SET_BOUNDING], err)) < 0)
                return r;
        /* Clearing the host's groups may be refused in a joined user namespace whose setgroups is
         * "deny"; groups the config asks for must be set. */
        if (setgroups(p->user.n_additional_gids, p->user.additional_gids) < 0 &&
            (errno != EPERM || p->user.n_additional_gids > 0))
                return error_sys(err, errno, "process.user.additionalGids");
        /* As runc: enter cwd before the switch, so a cwd whose parents the workload's user may not
         * search still works; where root may not enter it (root-squashing NFS), try again after. */
        cwd_done = chdir(p->cwd) == 0;
        /* Keep the permitted set across setuid; the sets are put exactly as configured below. */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return error_sys(err, errno, "keep capabilities");
        if (setresgid(p->user.gid, p->user.gid, p->user.gid) < 0)
                return error_sys(err, errno, "process.user.gid: set %u", p->user.gid);
        if (setresuid(p->user.uid, p->user.uid, p->user.uid) < 0)
                return error_sys(err, errno, "process.user.uid: set %u", p->user.uid);
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return error_sys(err, errno, "reset keep capabilities");
        if (p->caps.present && (r = set_cap_sets(&p->caps, err)) < 0)
                return r;
        if (!cwd_done && chdir(p->cwd) < 0)
                return error_sys(err, errno, "process.cwd: chdir %s", p->cwd);
        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return error_sys(err, errno, "process.noNewPrivileges");
        return 0;
}

/* Every signal at its default action and none blocked, whatever skiff's caller left ignored (nohup's
 * SIGHUP, a daemon's SIGPIPE): an ignored signal stays ignored across execve, and a shell cannot even
 * trap one that was ignored when it started. (sigaction refuses SIGKILL, SIGSTOP and glibc's own
 * two; those are at their defaults already.) */
static void reset_signals(void)
{
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        sigset_t none;

        for (int sig = 1; sig < NSIG; sig++)
                sigaction(sig, &dfl, NULL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
}

int process_exec(const struct spec *spec, const char *path, int preserve_fds, struct error *err)
{
        reset_signals();
        /* Nothing of ours may leak into the workload: no host directory fd, no state fd. */
        if (syscall(SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return error_sys(err, errno, "close_range");
        execve(path, spec->process.args, spec->process.env ? spec->process.env : (char *[]){ NULL });
        return error_sys(err, errno, "exec %s", path);
}
