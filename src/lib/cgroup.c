#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <time.h>

#include "cgroup-internal.h"
#include "util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#define OWNER_XATTR "trusted.skiff.owned"

static bool is_cgroup2(const char *dir)
{
        struct statfs fs;

        return statfs(dir, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

static const struct cgroup_backend *backend(void)
{
        static const struct cgroup_backend *chosen;

        if (!chosen)
                chosen = is_cgroup2(CGROUP_ROOT) ? &cgroup_backend_v2 : &cgroup_backend_v1;
        return chosen;
}

const char *cgroup_layout_name(void)
{
        if (backend() == &cgroup_backend_v2)
                return "v2";
        return is_cgroup2(CGROUP_ROOT "/unified") ? "hybrid" : "v1";
}

/* runc's CleanPath: resolve "." and ".." as if below "/", so no path climbs out of the root. */
static char *clean_path(const char *prefix, const char *p)
{
        _cleanup_free_ char *copy = xstrdup(p);
        char *out = xasprintf("%s", prefix), *save = NULL;

        for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
                if (strcmp(part, ".") == 0)
                        continue;
                if (strcmp(part, "..") == 0) {
                        char *slash = strrchr(out, '/');
                        if (slash && slash - out >= (ptrdiff_t)strlen(prefix))
                                *slash = '\0';
                        continue;
                }
                char *next = xasprintf("%s/%s", out, part);
                free(out);
                out = next;
        }
        if (!*out) {
                free(out);
                out = xstrdup("/");
        }
        return out;
}

char *cgroup_path_for(const struct spec *spec, const char *id)
{
        const char *p = spec->linux_cfg.cgroups_path;

        if (!p || !*p)
                return xasprintf("/skiff/%s", id);
        return clean_path(p[0] == '/' ? "" : "/skiff", p);
}

/* ---- helpers the back ends share ---- */

int cg_mkdir(const char *hierarchy, const char *path, struct error *err)
{
        _cleanup_free_ char *dir = xasprintf("%s%s", hierarchy, path);

        for (char *p = dir + strlen(hierarchy) + 1;; p++) {
                bool end = *p == '\0';

                if (*p != '/' && !end)
                        continue;
                *p = '\0';
                if (mkdir(dir, 0755) == 0) {
                        if (setxattr(dir, OWNER_XATTR, "1", 1, 0) < 0) {
                                int e = errno;
                                rmdir(dir);
                                return error_sys(err, e, "mark cgroup %s as skiff's", dir);
                        }
                } else if (errno != EEXIST) {
                        return error_sys(err, errno, "create cgroup %s", dir);
                }
                if (end)
                        return 0;
                *p = '/';
        }
}

bool cg_owned(const char *dir)
{
        char v;

        return getxattr(dir, OWNER_XATTR, &v, 1) == 1;
}

static void rmdir_children(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;

        if (!d)
                return;
        while ((e = readdir(d))) {
                if (e->d_type == DT_DIR && e->d_name[0] != '.') {
                        _cleanup_free_ char *sub = xasprintf("%s/%s", dir, e->d_name);
                        rmdir_children(sub);
                        rmdir(sub);
                }
        }
        closedir(d);
}

/* The cgroups a container made below its own (through a cgroup namespace) go with it: looked for
 * only when the kernel refuses the rmdir, which costs nothing when there are none. */
static int rmdir_with_children(const char *dir)
{
        if (rmdir(dir) == 0)
                return 0;
        if (errno != EBUSY && errno != ENOTEMPTY)
                return -errno;
        rmdir_children(dir);
        return rmdir(dir) == 0 ? 0 : -errno;
}

int cg_rmdir_owned(const char *hierarchy, const char *path, struct error *err)
{
        _cleanup_free_ char *dir = xasprintf("%s%s", hierarchy, path);
        size_t rootlen = strlen(hierarchy);

        for (bool leaf = true; strlen(dir) > rootlen; leaf = false) {
                int r;

                if (!cg_owned(dir))
                        return 0;
                r = leaf ? rmdir_with_children(dir) : (rmdir(dir) == 0 ? 0 : -errno);
                if (r == -ENOENT)
                        return 0;
                /* A parent still holding another container's cgroup stays: that is fine. */
                if (!leaf && (r == -EBUSY || r == -ENOTEMPTY))
                        return 0;
                if (r < 0)
                        return error_sys(err, -r, "remove cgroup %s", dir);
                *strrchr(dir, '/') = '\0';
        }
        return 0;
}

int cg_write(const char *dir, const char *file, const char *value, const char *field, struct error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        size_t len = strlen(value);

        if (fd < 0)
                return error_sys(err, errno, "%s: open %s", field, path);
        if (write(fd, value, len) != (ssize_t)len)
                return error_sys(err, errno, "%s: write \"%s\" to %s", field, value, path);
        return 0;
}

int cg_writef(const char *dir, const char *file, const char *field, struct error *err, const char *fmt, ...)
{
        _cleanup_free_ char *value = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&value, fmt, ap) < 0)
                value = NULL;
        va_end(ap);
        if (!value)
                return error_set(err, ENOMEM, "%s: out of memory", field);
        return cg_write(dir, file, value, field, err);
}

bool cg_has_file(const char *dir, const char *file)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);

        return access(path, F_OK) == 0;
}

bool cg_read_u64(const char *dir, const char *file, uint64_t *ret)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
        _cleanup_free_ char *text = NULL;
        struct error ignored = { 0 };
        unsigned long long n;

        if (read_file(path, &text, NULL, &ignored) < 0)
                return false;
        if (strncmp(text, "max", 3) == 0) {
                *ret = UINT64_MAX;
                return true;
        }
        if (sscanf(text, "%llu", &n) != 1)
                return false;
        *ret = n;
        return true;
}

char **cg_read_kv(const char *dir, const char *file)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        char **kv = xcalloc(1, sizeof(char *));
        size_t cap = 0, n = 0;

        while (f && getline(&line, &cap, f) > 0) {
                char key[256], value[256];

                if (sscanf(line, "%255s %255s", key, value) != 2)
                        continue;
                kv = xrealloc(kv, (n + 3) * sizeof(char *));
                kv[n++] = xstrdup(key);
                kv[n++] = xstrdup(value);
                kv[n] = NULL;
        }
        return kv;
}

bool cg_read_key(const char *dir, const char *file, const char *key, uint64_t *ret)
{
        _cleanup_strv_ char **kv = cg_read_kv(dir, file);

        for (size_t i = 0; kv[i]; i += 2)
                if (strcmp(kv[i], key) == 0)
                        return sscanf(kv[i + 1], "%" SCNu64, ret) == 1;
        return false;
}

/* Append the pids of dir and every cgroup below it. */
static void collect_pids(const char *dir, pid_t **pids, size_t *n)
{
        _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);
        _cleanup_fclose_ FILE *f = fopen(procs, "re");
        DIR *d;
        struct dirent *e;
        int pid;

        while (f && fscanf(f, "%d", &pid) == 1) {
                *pids = xrealloc(*pids, (*n + 1) * sizeof(pid_t));
                (*pids)[(*n)++] = pid;
        }
        if (!(d = opendir(dir)))
                return;
        while ((e = readdir(d))) {
                if (e->d_type == DT_DIR && e->d_name[0] != '.') {
                        _cleanup_free_ char *sub = xasprintf("%s/%s", dir, e->d_name);
                        collect_pids(sub, pids, n);
                }
        }
        closedir(d);
}

bool cg_populated(const char *dir)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;

        collect_pids(dir, &pids, &n);
        return n > 0;
}

struct res_device_rule *cg_device_rules(const struct spec *spec, size_t *ret_n)
{
        /* What every container may use (the runtime spec's default devices) and mknod anything. */
        static const struct res_device_rule defaults[] = {
                { true, 'c', -1, -1, "m" }, { true, 'b', -1, -1, "m" },   { true, 'c', 1, 3, "rwm" },
                { true, 'c', 1, 5, "rwm" }, { true, 'c', 1, 7, "rwm" },   { true, 'c', 1, 8, "rwm" },
                { true, 'c', 1, 9, "rwm" }, { true, 'c', 5, 0, "rwm" },   { true, 'c', 5, 1, "rwm" },
                { true, 'c', 5, 2, "rwm" }, { true, 'c', 136, -1, "rwm" },
        };
        const struct spec_resources *res = &spec->linux_cfg.resources;
        size_t cap = ARRAY_SIZE(defaults) + spec->linux_cfg.n_devices + res->n_devices, n = 0;
        struct res_device_rule *rules = xcalloc(cap ? cap : 1, sizeof(*rules));
        size_t first = 0;

        for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
                rules[n++] = defaults[i];
        for (size_t i = 0; i < spec->linux_cfg.n_devices; i++) {
                const struct spec_device *d = &spec->linux_cfg.devices[i];
                if (d->type == 'p')
                        continue;
                rules[n++] = (struct res_device_rule){ true, d->type == 'b' ? 'b' : 'c', d->major, d->minor, "rwm" };
        }
        /* A deny-all before any allow is the usual start ("nothing but what follows"), which is where
         * skiff starts anyway: keep the defaults above, and let the later rules take them away. */
        while (first < res->n_devices && !res->devices[first].allow && res->devices[first].type == 'a' &&
               res->devices[first].major < 0 && res->devices[first].minor < 0 &&
               strcmp(res->devices[first].access, "rwm") == 0)
                first++;
        for (size_t i = first; i < res->n_devices; i++)
                rules[n++] = res->devices[i];
        *ret_n = n;
        return rules;
}

/* ---- the API ---- */

int cgroup_create(const char *path, const struct spec *spec, bool *ret_populated, struct error *err)
{
        const struct cgroup_backend *b = backend();
        const struct spec_resources *res = &spec->linux_cfg.resources;
        _cleanup_free_ char *leaf = b->procs_dir(path);
        _cleanup_free_ struct res_device_rule *rules = NULL;
        size_t n_rules = 0;
        bool existed = access(leaf, F_OK) == 0;
        int r;

        if (strcmp(path, "/") == 0)
                return error_set(err, EINVAL, "linux.cgroupsPath: the root cgroup cannot be a container's");
        if ((r = b->check(res, err)) < 0)
                return r;
        /* Asked of the freezer itself: on v1 its directory may exist where the others do not. */
        if (b->is_frozen(path))
                return error_set(err, EBUSY, "linux.cgroupsPath: cgroup %s exists and is frozen: thaw it "
                                 "(or choose another path) before creating a container in it", path);
        *ret_populated = existed && cg_populated(leaf);
        rules = cg_device_rules(spec, &n_rules);
        if ((r = b->create(path, res, err)) < 0 || (r = b->apply(path, res, rules, n_rules, false, err)) < 0) {
                struct error ignored = { 0 };
                b->destroy(path, &ignored);
                return r;
        }
        return 0;
}

bool cgroup_has_cgroup2(void)
{
        _cleanup_free_ char *dir = backend()->cgroup2_dir("/");

        return dir != NULL;
}

int cgroup_open_cgroup2(const char *path, int *ret_fd, struct error *err)
{
        _cleanup_free_ char *dir = backend()->cgroup2_dir(path);

        *ret_fd = -1;
        if (!dir)
                return 0;
        *ret_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (*ret_fd < 0)
                return error_sys(err, errno, "linux.cgroupsPath: open %s", dir);
        return 0;
}

int cgroup_open_tasks(const char *path, struct cgroup_tasks *ret, struct error *err)
{
        int r;

        ret->n = 0;
        if (!backend()->open_tasks)
                return 0;
        if ((r = backend()->open_tasks(path, ret, err)) < 0)
                cgroup_tasks_close(ret);
        return r;
}

int cgroup_enter_self(struct cgroup_tasks *t, struct error *err)
{
        int r = 0;

        for (size_t i = 0; i < t->n && r == 0; i++)
                if (write(t->fds[i], "0", 1) != 1)
                        r = error_sys(err, errno, "linux.cgroupsPath: enter the cgroup");
        cgroup_tasks_close(t);
        return r;
}

void cgroup_tasks_close(struct cgroup_tasks *t)
{
        for (size_t i = 0; i < t->n; i++)
                close(t->fds[i]);
        t->n = 0;
}

int cgroup_update(const char *path, const struct spec_resources *res, struct error *err)
{
        const struct cgroup_backend *b = backend();
        int r;

        if (res->has_devices)
                return error_set(err, EINVAL, "devices: update cannot change device rules");
        if ((r = b->check(res, err)) < 0)
                return r;
        return b->apply(path, res, NULL, 0, true, err);
}

int cgroup_freeze(const char *path, bool frozen, struct error *err)
{
        return backend()->freeze(path, frozen, err);
}

bool cgroup_is_frozen(const char *path)
{
        return path && backend()->is_frozen(path);
}

int cgroup_pids(const char *path, pid_t **ret, size_t *ret_n, struct error *err)
{
        _cleanup_free_ char *dir = backend()->procs_dir(path);
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;

        if (access(dir, F_OK) < 0)
                return error_set(err, ENOENT, "cgroup %s does not exist", path);
        collect_pids(dir, &pids, &n);
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
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
        /* A frozen process acts on SIGKILL only once thawed. */
        if (sig == SIGKILL && cgroup_is_frozen(path))
                return cgroup_freeze(path, false, err);
        return 0;
}

/* Whether a process is still in a directory of the cgroup that skiff made: its procs dir, or on a
 * hybrid host its cgroup2 part, where the init is cloned and stays until it enters its v1
 * hierarchies (an init that failed before that, killed, may still be on its way out). */
static bool still_populated(const char *path)
{
        _cleanup_free_ char *procs = backend()->procs_dir(path);
        _cleanup_free_ char *unified = backend()->cgroup2_dir(path);

        return (cg_owned(procs) && cg_populated(procs)) || (unified && cg_owned(unified) && cg_populated(unified));
}

int cgroup_destroy(const char *path, struct error *err)
{
        struct timespec pause = { 0, 10 * 1000 * 1000 };

        /* Stragglers first: a cgroup with a process (or a zombie) in it cannot be removed. Only
         * a cgroup skiff made is emptied: a joined one may hold what is not ours to kill. */
        for (int waited = 0; still_populated(path); waited += 10) {
                struct error ignored = { 0 };

                if (waited >= CGROUP_EMPTY_TIMEOUT_MS)
                        return error_set(err, EBUSY, "cgroup %s still has processes %d ms after SIGKILL", path,
                                         CGROUP_EMPTY_TIMEOUT_MS);
                cgroup_kill_all(path, SIGKILL, &ignored);
                nanosleep(&pause, NULL);
        }
        return backend()->destroy(path, err);
}

int cgroup_stats(const char *path, struct cgroup_stats *ret, struct error *err)
{
        _cleanup_free_ char *dir = backend()->procs_dir(path);

        memset(ret, 0, sizeof(*ret));
        if (access(dir, F_OK) < 0)
                return error_set(err, ENOENT, "cgroup %s does not exist", path);
        return backend()->stats(path, ret, err);
}

void cgroup_stats_clear(struct cgroup_stats *s)
{
        free(s->cpu_percpu);
        strv_free(s->mem_raw);
        memset(s, 0, sizeof(*s));
}
