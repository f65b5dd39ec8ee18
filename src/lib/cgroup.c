#include "cgroup.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* Each hierarchy's mount point: /sys/fs/cgroup itself on v2, one dir per v1 hierarchy and the
 * hybrid host's unified mount otherwise. NULL-terminated, allocated. */
static char **hierarchies(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0, n = 0;
        char **list = xcalloc(1, sizeof(char *));

        if (!f)
                return list;
        while (getline(&line, &cap, f) > 0) {
                char mnt[4096], fstype[64];
                const char *sep = strstr(line, " - ");

                if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 || sscanf(sep + 3, "%63s", fstype) != 1)
                        continue;
                if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
                        continue;
                if (strncmp(mnt, CGROUP_ROOT, strlen(CGROUP_ROOT)) != 0)
                        continue;
                list = xrealloc(list, (n + 2) * sizeof(char *));
                list[n++] = xstrdup(mnt);
                list[n] = NULL;
        }
        return list;
}

char *cgroup_path_for(const struct spec *spec, const char *id)
{
        const char *p = spec->linux_cfg.cgroups_path;

        if (!p || !*p)
                return xasprintf("/skiff/%s", id);
        if (p[0] == '/')
                return xstrdup(p);
        /* runc puts a relative path below a parent of the runtime's own choosing. */
        return xasprintf("/skiff/%s", p);
}

/* A new v1 cpuset cgroup starts with no cpus and no mems, and no task may join it: give each
 * level we made its parent's. A level that has its own values already is left alone. */
static int cpuset_inherit(const char *hierarchy, const char *path, struct error *err)
{
        static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
        _cleanup_free_ char *copy = xstrdup(path);
        _cleanup_free_ char *probe = xasprintf("%s/cpuset.cpus", hierarchy);

        if (access(probe, F_OK) < 0)
                return 0;
        for (char *p = copy + 1;; p++) {
                bool end = *p == '\0';

                if (*p != '/' && !end)
                        continue;
                *p = '\0';
                for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                        _cleanup_free_ char *mine = xasprintf("%s%s/%s", hierarchy, copy, files[i]);
                        _cleanup_free_ char *parent_dir = xstrdup(copy);
                        _cleanup_free_ char *value = NULL, *current = NULL;
                        char *slash = strrchr(parent_dir, '/');
                        int r;

                        *slash = '\0';
                        _cleanup_free_ char *theirs = xasprintf("%s%s/%s", hierarchy, parent_dir, files[i]);
                        if ((r = read_file(mine, &current, NULL, err)) < 0)
                                return r;
                        if (current[0] != '\n' && current[0] != '\0')
                                continue;
                        if ((r = read_file(theirs, &value, NULL, err)) < 0 || (r = write_file(mine, value, err)) < 0)
                                return r;
                }
                if (end)
                        break;
                *p = '/';
        }
        return 0;
}

int cgroup_create(const char *path, struct error *err)
{
        _cleanup_strv_ char **hs = hierarchies();

        for (size_t i = 0; hs[i]; i++) {
                _cleanup_free_ char *dir = xasprintf("%s%s", hs[i], path);
                int r = mkdir_p(dir, 0755, err);
                if (r < 0 || (r = cpuset_inherit(hs[i], path, err)) < 0)
                        return r;
        }
        return 0;
}

int cgroup_enter(const char *path, pid_t pid, struct error *err)
{
        _cleanup_strv_ char **hs = hierarchies();
        char buf[32];

        snprintf(buf, sizeof(buf), "%d", (int)pid);
        for (size_t i = 0; hs[i]; i++) {
                _cleanup_free_ char *procs = xasprintf("%s%s/cgroup.procs", hs[i], path);
                int r = write_file(procs, buf, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cgroup_pids(const char *path, pid_t **ret, size_t *ret_n, struct error *err)
{
        _cleanup_strv_ char **hs = hierarchies();
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;

        /* Every hierarchy holds the same processes; the first one that has our cgroup tells. */
        for (size_t i = 0; hs[i]; i++) {
                _cleanup_free_ char *procs = xasprintf("%s%s/cgroup.procs", hs[i], path);
                _cleanup_fclose_ FILE *f = fopen(procs, "re");
                int pid;

                if (!f)
                        continue;
                while (fscanf(f, "%d", &pid) == 1) {
                        pids = xrealloc(pids, (n + 1) * sizeof(pid_t));
                        pids[n++] = pid;
                }
                *ret = TAKE_PTR(pids);
                *ret_n = n;
                return 0;
        }
        return error_set(err, ENOENT, "cgroup %s does not exist", path);
}

int cgroup_kill_all(const char *path, int sig, struct error *err)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r = cgroup_pids(path, &pids, &n, err);

        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (kill(pids[i], sig) < 0 && errno != ESRCH)
                        return error_sys(err, errno, "kill %d", (int)pids[i]);
        return 0;
}

int cgroup_destroy(const char *path, struct error *err)
{
        _cleanup_strv_ char **hs = hierarchies();
        struct timespec pause = { 0, 10 * 1000 * 1000 };

        for (size_t i = 0; hs[i]; i++) {
                _cleanup_free_ char *dir = xasprintf("%s%s", hs[i], path);

                /* rmdir fails with EBUSY while a process (or a zombie) is inside: kill, retry, bounded. */
                for (int tries = 0; rmdir(dir) < 0; tries++) {
                        struct error ignored = { 0 };

                        if (errno == ENOENT)
                                break;
                        if (errno != EBUSY || tries >= 500)
                                return error_sys(err, errno, "remove cgroup %s", dir);
                        cgroup_kill_all(path, SIGKILL, &ignored);
                        nanosleep(&pause, NULL);
                }
        }
        return 0;
}
