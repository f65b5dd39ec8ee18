#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const struct {
        const char *name;
        int type;
} types[] = {
        { "pid", CLONE_NEWPID },   { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
        { "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS },     { "user", CLONE_NEWUSER },
        { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

const char *ns_name(int type)
{
        for (size_t i = 0; i < ARRAY_SIZE(types); i++)
                if (types[i].type == type)
                        return types[i].name;
        return "unknown";
}

int ns_type_from_name(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(types); i++)
                if (strcmp(types[i].name, name) == 0)
                        return types[i].type;
        return 0;
}

const char *ns_name_at(size_t i)
{
        return i < ARRAY_SIZE(types) ? types[i].name : NULL;
}

/* Only what must be new at the clone itself: the user namespace (create writes its id maps from the
 * host) and the pid namespace (the init is its pid 1). */
#define NS_AT_CLONE (CLONE_NEWUSER | CLONE_NEWPID)
/* What the init makes itself, with unshare: ns_unshare_own. */
#define NS_IN_INIT (CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)

/* The CLONE_NEW* flags among `types` of the namespaces the config wants new (no path to join). */
static int new_ones(const struct spec *spec, int types)
{
        int flags = 0;

        for (size_t i = 0; i < spec->linux_cfg.n_namespaces; i++) {
                const struct spec_namespace *ns = &spec->linux_cfg.namespaces[i];
                if (!ns->path && (ns->type & types))
                        flags |= ns->type;
        }
        return flags;
}

int ns_clone_flags(const struct spec *spec)
{
        return new_ones(spec, NS_AT_CLONE);
}

int ns_unshare_own(const struct spec *spec, struct error *err)
{
        int flags = new_ones(spec, NS_IN_INIT);

        if (flags && unshare(flags) < 0)
                return error_sys(err, errno, "linux.namespaces: unshare the new namespaces");
        return 0;
}

static int join(const struct spec_namespace *ns, struct error *err)
{
        _cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return error_sys(err, errno, "linux.namespaces: open %s namespace %s", ns_name(ns->type), ns->path);
        if (setns(fd, ns->type) < 0)
                return error_sys(err, errno, "linux.namespaces: join %s namespace %s", ns_name(ns->type), ns->path);
        return 0;
}

int ns_enter_for_children(const struct spec *spec, struct error *err)
{
        const struct spec_namespace *pid = spec_namespace(spec, CLONE_NEWPID);
        const struct spec_namespace *time = spec_namespace(spec, CLONE_NEWTIME);
        int r;

        if (pid && pid->path && (r = join(pid, err)) < 0)
                return r;
        if (!time)
                return 0;
        if (time->path)
                return join(time, err);
        if (unshare(CLONE_NEWTIME) < 0)
                return error_sys(err, errno, "unshare time namespace");
        for (size_t i = 0; i < spec->linux_cfg.n_time_offsets; i++) {
                const struct spec_time_offset *t = &spec->linux_cfg.time_offsets[i];
                _cleanup_free_ char *line = xasprintf("%s %lld %u\n", t->clock == CLOCK_MONOTONIC ? "monotonic" : "boottime",
                                                      (long long)t->secs, t->nanosecs);
                if ((r = write_file("/proc/self/timens_offsets", line, err)) < 0)
                        return error_wrap(err, "linux.timeOffsets");
        }
        return 0;
}

int ns_unshare_cgroup(const struct spec *spec, struct error *err)
{
        const struct spec_namespace *ns = spec_namespace(spec, CLONE_NEWCGROUP);

        if (ns && !ns->path && unshare(CLONE_NEWCGROUP) < 0)
                return error_sys(err, errno, "unshare cgroup namespace");
        return 0;
}

int ns_join_paths(const struct spec *spec, struct error *err)
{
        const struct spec_namespace *user = spec_namespace(spec, CLONE_NEWUSER);
        int r;

        /* Joining the user namespace first gives the rights to join the others it owns. */
        if (user && user->path && (r = join(user, err)) < 0)
                return r;
        for (size_t i = 0; i < spec->linux_cfg.n_namespaces; i++) {
                const struct spec_namespace *ns = &spec->linux_cfg.namespaces[i];
                if (!ns->path || ns->type == CLONE_NEWUSER || ns->type == CLONE_NEWPID || ns->type == CLONE_NEWTIME)
                        continue;
                if ((r = join(ns, err)) < 0)
                        return r;
        }
        return 0;
}

int ns_write_map(pid_t pid, const char *file, const struct spec_id_mapping *maps, size_t n, const char *field,
                 struct error *err)
{
        _cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int)pid, file);
        _cleanup_free_ char *text = xstrdup("");

        for (size_t i = 0; i < n; i++) {
                char *next = xasprintf("%s%u %u %u\n", text, maps[i].container_id, maps[i].host_id, maps[i].size);
                free(text);
                text = next;
        }
        if (write_file(path, text, err) < 0)
                return error_wrap(err, "%s", field);
        return 0;
}

/* The host id that `id` (inside the container) maps to, or -1 when it is not mapped. */
static int64_t host_id_of(const struct spec_id_mapping *maps, size_t n, uint32_t id)
{
        for (size_t i = 0; i < n; i++)
                if (id >= maps[i].container_id && id - maps[i].container_id < maps[i].size)
                        return (int64_t)maps[i].host_id + (id - maps[i].container_id);
        return -1;
}

int ns_chown_to_container_root(const char *path, const struct spec *spec, struct error *err)
{
        const struct spec_namespace *user = spec_namespace(spec, CLONE_NEWUSER);
        int64_t uid, gid;

        if (!user || user->path)
                return 0;
        uid = host_id_of(spec->linux_cfg.uid_mappings, spec->linux_cfg.n_uid_mappings, 0);
        gid = host_id_of(spec->linux_cfg.gid_mappings, spec->linux_cfg.n_gid_mappings, 0);
        if (chown(path, uid < 0 ? (uid_t)-1 : (uid_t)uid, gid < 0 ? (gid_t)-1 : (gid_t)gid) < 0)
                return error_sys(err, errno, "chown %s to the container's root", path);
        return 0;
}

int ns_write_id_maps(pid_t pid, const struct spec *spec, struct error *err)
{
        const struct spec_namespace *user = spec_namespace(spec, CLONE_NEWUSER);
        int r;

        if (!user || user->path)
                return 0;
        if ((r = ns_write_map(pid, "uid_map", spec->linux_cfg.uid_mappings, spec->linux_cfg.n_uid_mappings,
                              "linux.uidMappings", err)) < 0)
                return r;
        return ns_write_map(pid, "gid_map", spec->linux_cfg.gid_mappings, spec->linux_cfg.n_gid_mappings,
                            "linux.gidMappings", err);
}
