/* The cgroup v1 back end, which also serves hybrid hosts: one hierarchy per v1 controller (or
 * group of them) under /sys/fs/cgroup, and, on hybrid hosts, a cgroup2 mount at
 * /sys/fs/cgroup/unified whose controllers (hugetlb on this kind of machine) are used from there. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "util.h"

#define UNIFIED CGROUP_ROOT "/unified"

/* Every cgroup mount under /sys/fs/cgroup as "DIR,OPTIONS": v1 hierarchies and the hybrid
 * host's cgroup2 (no options). NULL-terminated, allocated. */
static char **parse_mounts(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0, n = 0;
        char **list = xcalloc(1, sizeof(char *));

        while (f && getline(&line, &cap, f) > 0) {
                /* ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER-OPTIONS */
                char *sep = strstr(line, " - "), *p = line, *mnt = NULL, *fstype, *opts;

                if (!sep)
                        continue;
                for (int i = 0; i < 5 && p; i++)
                        mnt = strsep(&p, " ");
                p = sep + 3;
                fstype = strsep(&p, " ");
                strsep(&p, " "); /* the source */
                opts = strsep(&p, " \n");
                if (!mnt || !opts || strncmp(mnt, CGROUP_ROOT "/", strlen(CGROUP_ROOT) + 1) != 0)
                        continue;
                if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
                        continue;
                list = xrealloc(list, (n + 2) * sizeof(char *));
                list[n++] = strcmp(fstype, "cgroup2") == 0 ? xasprintf("%s", mnt) : xasprintf("%s,%s", mnt, opts);
                list[n] = NULL;
        }
        return list;
}

/* parse_mounts(), once per process: the host's cgroup mounts do not change under one command, and
 * create alone asked some 16 times. Only host-side processes (create, the shim, the commands) call
 * this back end, never the init in its own mount namespace. */
static char *const *mounts(void)
{
        static char **list;

        if (!list)
                list = parse_mounts();
        return list;
}

/* Whether a mounts() entry is the hybrid host's cgroup2 mount: it alone has no options. */
static bool is_cgroup2(const char *entry)
{
        return !strchr(entry, ',');
}

/* The mount point in a mounts() entry. */
static char *mount_dir(const char *entry)
{
        return xasprintf("%.*s", (int)strcspn(entry, ","), entry);
}

/* The v1 hierarchy that holds controller `ctrl`, or NULL. */
static char *ctrl_mount(const char *ctrl)
{
        char *const *ms = mounts();

        for (size_t i = 0; ms[i]; i++) {
                _cleanup_free_ char *copy = xstrdup(ms[i]);
                char *save = NULL, *opt = strtok_r(copy, ",", &save);

                while ((opt = strtok_r(NULL, ",", &save)))
                        if (strcmp(opt, ctrl) == 0)
                                return mount_dir(ms[i]);
        }
        return NULL;
}

/* DIR of the container's cgroup in ctrl's hierarchy, or NULL when the host has no such controller. */
static char *ctrl_dir(const char *ctrl, const char *path)
{
        _cleanup_free_ char *m = ctrl_mount(ctrl);

        return m ? xasprintf("%s%s", m, path) : NULL;
}

static bool hybrid_has(const char *ctrl)
{
        _cleanup_free_ char *m = ctrl_mount(ctrl);

        return !m && cg2_available(UNIFIED, ctrl);
}

static int need_file(const char *ctrl, const char *file, const char *field, struct error *err)
{
        _cleanup_free_ char *m = ctrl_mount(ctrl);

        if (!m)
                return error_set(err, EOPNOTSUPP, "%s: this host has no %s cgroup controller", field, ctrl);
        if (file && !cg_has_file(m, file))
                return error_set(err, EOPNOTSUPP, "%s: this host's %s controller has no %s", field, ctrl, file);
        return 0;
}

static int v1_check(const struct spec_resources *res, struct error *err)
{
        const struct res_memory *m = &res->memory;
        const struct res_cpu *c = &res->cpu;
        const struct res_block_io *b = &res->block_io;
        int r;

        if (res->has_memory && (r = need_file("memory", NULL, "linux.resources.memory", err)) < 0)
                return r;
        if ((m->swap.set && m->swap.v != 0 && (r = need_file("memory", "memory.memsw.limit_in_bytes", "linux.resources.memory.swap", err)) < 0) ||
            (m->kernel.set && (r = need_file("memory", "memory.kmem.limit_in_bytes", "linux.resources.memory.kernel", err)) < 0) ||
            (m->kernel_tcp.set && (r = need_file("memory", "memory.kmem.tcp.limit_in_bytes", "linux.resources.memory.kernelTCP", err)) < 0))
                return r;
        if ((c->shares.set || c->quota.set || c->period.set) && (r = need_file("cpu", NULL, "linux.resources.cpu", err)) < 0)
                return r;
        if (((c->realtime_runtime.set || c->realtime_period.set) &&
             (r = need_file("cpu", "cpu.rt_runtime_us", "linux.resources.cpu.realtimeRuntime", err)) < 0) ||
            (c->burst.set && (r = need_file("cpu", "cpu.cfs_burst_us", "linux.resources.cpu.burst", err)) < 0) ||
            (c->idle.set && (r = need_file("cpu", "cpu.idle", "linux.resources.cpu.idle", err)) < 0))
                return r;
        if ((c->cpus || c->mems) && (r = need_file("cpuset", NULL, "linux.resources.cpu.cpus", err)) < 0)
                return r;
        if (res->has_block_io && (r = need_file("blkio", NULL, "linux.resources.blockIO", err)) < 0)
                return r;
        if ((b->weight.set || b->n_weight_devices) && (r = need_file("blkio", "blkio.weight", "linux.resources.blockIO.weight", err)) < 0 &&
            (r = need_file("blkio", "blkio.bfq.weight", "linux.resources.blockIO.weight", err)) < 0)
                return error_set(err, EOPNOTSUPP, "linux.resources.blockIO.weight: this host's blkio controller has no weight "
                                 "(neither blkio.weight nor blkio.bfq.weight: no CFQ or BFQ scheduler)");
        if (b->leaf_weight.set && (r = need_file("blkio", "blkio.leaf_weight", "linux.resources.blockIO.leafWeight", err)) < 0)
                return r;
        if (res->pids_limit.set && (r = need_file("pids", NULL, "linux.resources.pids", err)) < 0)
                return r;
        if (res->has_devices && (r = need_file("devices", NULL, "linux.resources.devices", err)) < 0)
                return r;
        if (res->n_hugepages && !hybrid_has("hugetlb") && (r = need_file("hugetlb", NULL, "linux.resources.hugepageLimits", err)) < 0)
                return r;
        for (size_t i = 0; i < res->n_hugepages; i++) {
                _cleanup_free_ char *sys = xasprintf("/sys/kernel/mm/hugepages/hugepages-%lukB",
                                                     cg_hugepage_kb(res->hugepages[i].page_size));
                if (access(sys, F_OK) < 0)
                        return error_set(err, EINVAL, "linux.resources.hugepageLimits[%zu].pageSize: this host has no %s pages",
                                         i, res->hugepages[i].page_size);
        }
        if ((res->net_class_id.set && (r = need_file("net_cls", NULL, "linux.resources.network.classID", err)) < 0) ||
            (res->n_net_priorities && (r = need_file("net_prio", NULL, "linux.resources.network.priorities", err)) < 0) ||
            (res->n_rdma && (r = need_file("rdma", NULL, "linux.resources.rdma", err)) < 0))
                return r;
        if (res->unified && res->unified[0])
                return error_set(err, EOPNOTSUPP, "linux.resources.unified: needs cgroup v2; this host's controllers are v1");
        return 0;
}

/* A new v1 cpuset cgroup starts with no cpus and no mems, and no task may join it: give each level
 * skiff made its parent's. */
static int cpuset_inherit(const char *hierarchy, const char *path, struct error *err)
{
        static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
        _cleanup_free_ char *dir = xasprintf("%s%s", hierarchy, path);

        for (char *p = dir + strlen(hierarchy) + 1;; p++) {
                bool end = *p == '\0';

                if (*p != '/' && !end)
                        continue;
                *p = '\0';
                for (size_t i = 0; cg_owned(dir) && i < ARRAY_SIZE(files); i++) {
                        _cleanup_free_ char *parent = xstrdup(dir), *value = NULL, *mine = NULL;
                        _cleanup_free_ char *mine_path = xasprintf("%s/%s", dir, files[i]);
                        int r;

                        *strrchr(parent, '/') = '\0';
                        _cleanup_free_ char *theirs = xasprintf("%s/%s", parent, files[i]);
                        if ((r = read_file(mine_path, &mine, NULL, err)) < 0)
                                return r;
                        if (mine[0] != '\n' && mine[0] != '\0')
                                continue;
                        if ((r = read_file(theirs, &value, NULL, err)) < 0 ||
                            (r = cg_write(dir, files[i], value, "linux.cgroupsPath", err)) < 0)
                                return r;
                }
                if (end)
                        return 0;
                *p = '/';
        }
}

static int v1_create(const char *path, const struct spec_resources *res, struct error *err)
{
        char *const *ms = mounts();
        _cleanup_free_ char *cpuset = ctrl_mount("cpuset");
        int r;

        for (size_t i = 0; ms[i]; i++) {
                _cleanup_free_ char *m = mount_dir(ms[i]);
                if ((r = cg_mkdir(m, path, err)) < 0)
                        return error_wrap(err, "linux.cgroupsPath");
        }
        if (cpuset && (r = cpuset_inherit(cpuset, path, err)) < 0)
                return r;
        if (res->n_hugepages && hybrid_has("hugetlb")) {
                static const char *const hugetlb[] = { "hugetlb" };
                if ((r = cg2_enable(UNIFIED, path, hugetlb, 1, true, "linux.resources.hugepageLimits", err)) < 0)
                        return r;
        }
        return 0;
}

/* The hybrid host's cgroup2 mount, as v1_create made the cgroup there too. */
static char *v1_cgroup2_dir(const char *path)
{
        char *const *ms = mounts();

        for (size_t i = 0; ms[i]; i++)
                if (is_cgroup2(ms[i]))
                        return xasprintf("%s%s", ms[i], path);
        return NULL;
}

/* Each v1 hierarchy's `tasks`; not the hybrid host's cgroup2 mount, which the process was cloned
 * into. */
static int v1_open_tasks(const char *path, struct cgroup_tasks *tasks, struct error *err)
{
        char *const *ms = mounts();

        for (size_t i = 0; ms[i]; i++) {
                _cleanup_free_ char *m = NULL, *file = NULL;
                int fd;

                if (is_cgroup2(ms[i]))
                        continue;
                if (tasks->n == CGROUP_MAX_TASKS_FDS)
                        return error_set(err, E2BIG, "linux.cgroupsPath: more than %d v1 hierarchies",
                                         CGROUP_MAX_TASKS_FDS);
                m = mount_dir(ms[i]);
                file = xasprintf("%s%s/tasks", m, path);
                fd = open(file, O_WRONLY | O_CLOEXEC);
                if (fd < 0)
                        return error_sys(err, errno, "linux.cgroupsPath: open %s", file);
                tasks->fds[tasks->n++] = fd;
        }
        return 0;
}

static int write_limit(const char *dir, const char *file, int64_t v, const char *field, struct error *err)
{
        return cg_writef(dir, file, field, err, "%" PRId64, v);
}

static int apply_memory(const char *dir, const struct res_memory *m, bool update, struct error *err)
{
        int64_t limit = m->limit.set ? m->limit.v : 0, swap = m->swap.set ? m->swap.v : 0;
        bool swap_first = false;
        int r;

        if (update && m->check_before_update && limit > 0) {
                uint64_t usage;
                if (cg_read_u64(dir, "memory.usage_in_bytes", &usage) && usage > (uint64_t)limit)
                        return error_set(err, EINVAL, "memory.limit: %" PRId64 " is below the current usage %" PRIu64, limit, usage);
        }
        /* -1 for memory with no word on swap lifts both, as runc does. */
        if (limit == -1 && !m->swap.set && cg_has_file(dir, "memory.memsw.limit_in_bytes"))
                swap = -1;
        /* The kernel keeps limit <= memsw at every step: raise memsw first, lower it last. */
        if (limit != 0 && swap != 0) {
                uint64_t cur = 0;
                swap_first = swap == -1 || (cg_read_u64(dir, "memory.memsw.limit_in_bytes", &cur) && cur < (uint64_t)swap);
        }
        if (swap_first && (r = write_limit(dir, "memory.memsw.limit_in_bytes", swap, "linux.resources.memory.swap", err)) < 0)
                return r;
        if (limit != 0 && (r = write_limit(dir, "memory.limit_in_bytes", limit, "linux.resources.memory.limit", err)) < 0)
                return r;
        if (!swap_first && swap != 0 &&
            (r = write_limit(dir, "memory.memsw.limit_in_bytes", swap, "linux.resources.memory.swap", err)) < 0)
                return r;
        if (m->reservation.set && m->reservation.v != 0 &&
            (r = write_limit(dir, "memory.soft_limit_in_bytes", m->reservation.v, "linux.resources.memory.reservation", err)) < 0)
                return r;
        if (m->kernel.set && m->kernel.v != 0 &&
            (r = write_limit(dir, "memory.kmem.limit_in_bytes", m->kernel.v, "linux.resources.memory.kernel", err)) < 0)
                return r;
        if (m->kernel_tcp.set && m->kernel_tcp.v != 0 &&
            (r = write_limit(dir, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp.v, "linux.resources.memory.kernelTCP", err)) < 0)
                return r;
        if (m->swappiness.set &&
            (r = write_limit(dir, "memory.swappiness", m->swappiness.v, "linux.resources.memory.swappiness", err)) < 0)
                return r;
        if (m->has_disable_oom_killer &&
            (r = cg_write(dir, "memory.oom_control", m->disable_oom_killer ? "1" : "0", "linux.resources.memory.disableOOMKiller", err)) < 0)
                return r;
        if (m->has_use_hierarchy) {
                uint64_t cur = 2;
                /* Newer kernels are always hierarchical and refuse 0; writing what is there is a no-op. */
                if (!cg_read_u64(dir, "memory.use_hierarchy", &cur) || cur != (uint64_t)m->use_hierarchy)
                        if ((r = cg_write(dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0",
                                          "linux.resources.memory.useHierarchy", err)) < 0)
                                return r;
        }
        return 0;
}

static int apply_cpu(const char *path, const struct res_cpu *c, struct error *err)
{
        _cleanup_free_ char *dir = ctrl_dir("cpu", path), *cpuset = ctrl_dir("cpuset", path);
        int r;

        if (dir) {
                if ((c->shares.set && c->shares.v != 0 && (r = write_limit(dir, "cpu.shares", c->shares.v, "linux.resources.cpu.shares", err)) < 0) ||
                    (c->period.set && c->period.v != 0 && (r = write_limit(dir, "cpu.cfs_period_us", c->period.v, "linux.resources.cpu.period", err)) < 0) ||
                    (c->quota.set && c->quota.v != 0 && (r = write_limit(dir, "cpu.cfs_quota_us", c->quota.v, "linux.resources.cpu.quota", err)) < 0) ||
                    (c->burst.set && (r = write_limit(dir, "cpu.cfs_burst_us", c->burst.v, "linux.resources.cpu.burst", err)) < 0) ||
                    /* The period first: a runtime is checked against it. */
                    (c->realtime_period.set && c->realtime_period.v != 0 &&
                     (r = write_limit(dir, "cpu.rt_period_us", c->realtime_period.v, "linux.resources.cpu.realtimePeriod", err)) < 0) ||
                    (c->realtime_runtime.set && c->realtime_runtime.v != 0 &&
                     (r = write_limit(dir, "cpu.rt_runtime_us", c->realtime_runtime.v, "linux.resources.cpu.realtimeRuntime", err)) < 0) ||
                    (c->idle.set && (r = write_limit(dir, "cpu.idle", c->idle.v, "linux.resources.cpu.idle", err)) < 0))
                        return r;
        }
        if (cpuset) {
                if ((c->cpus && *c->cpus && (r = cg_write(cpuset, "cpuset.cpus", c->cpus, "linux.resources.cpu.cpus", err)) < 0) ||
                    (c->mems && *c->mems && (r = cg_write(cpuset, "cpuset.mems", c->mems, "linux.resources.cpu.mems", err)) < 0))
                        return r;
        }
        return 0;
}

static int apply_blkio(const char *dir, const struct res_block_io *b, struct error *err)
{
        static const char *const files[THROTTLE_COUNT] = {
                "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
                "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
        };
        static const char *const fields[THROTTLE_COUNT] = { "throttleReadBpsDevice", "throttleWriteBpsDevice",
                                                            "throttleReadIOPSDevice", "throttleWriteIOPSDevice" };
        const char *weight = cg_has_file(dir, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
        const char *weight_dev = cg_has_file(dir, "blkio.weight") ? "blkio.weight_device" : "blkio.bfq.weight_device";
        int r;

        if (b->weight.set && (r = write_limit(dir, weight, b->weight.v, "linux.resources.blockIO.weight", err)) < 0)
                return r;
        if (b->leaf_weight.set && (r = write_limit(dir, "blkio.leaf_weight", b->leaf_weight.v, "linux.resources.blockIO.leafWeight", err)) < 0)
                return r;
        for (size_t i = 0; i < b->n_weight_devices; i++) {
                const struct res_weight_device *d = &b->weight_devices[i];
                _cleanup_free_ char *f = xasprintf("linux.resources.blockIO.weightDevice[%zu]", i);
                if ((d->weight.set && (r = cg_writef(dir, weight_dev, f, err, "%" PRId64 ":%" PRId64 " %" PRId64, d->major, d->minor, d->weight.v)) < 0) ||
                    (d->leaf_weight.set && (r = cg_writef(dir, "blkio.leaf_weight_device", f, err, "%" PRId64 ":%" PRId64 " %" PRId64,
                                                          d->major, d->minor, d->leaf_weight.v)) < 0))
                        return r;
        }
        for (int t = 0; t < THROTTLE_COUNT; t++)
                for (size_t i = 0; i < b->n_throttle[t]; i++) {
                        const struct res_throttle_device *d = &b->throttle[t][i];
                        _cleanup_free_ char *f = xasprintf("linux.resources.blockIO.%s[%zu]", fields[t], i);
                        if ((r = cg_writef(dir, files[t], f, err, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor, d->rate)) < 0)
                                return r;
                }
        return 0;
}

static int apply_devices(const char *dir, const struct res_device_rule *rules, size_t n, struct error *err)
{
        int r;

        /* Start from nothing, then the rules in order: the kernel's own last-rule-wins semantics. */
        if ((r = cg_write(dir, "devices.deny", "a", "linux.resources.devices", err)) < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const struct res_device_rule *d = &rules[i];
                char major[24] = "*", minor[24] = "*";
                _cleanup_free_ char *rule = NULL;

                if (d->major >= 0)
                        snprintf(major, sizeof(major), "%" PRId64, d->major);
                if (d->minor >= 0)
                        snprintf(minor, sizeof(minor), "%" PRId64, d->minor);
                rule = d->type == 'a' ? xasprintf("a") : xasprintf("%c %s:%s %s", d->type, major, minor, d->access);
                if ((r = cg_write(dir, d->allow ? "devices.allow" : "devices.deny", rule, "linux.resources.devices", err)) < 0)
                        return r;
        }
        return 0;
}

static int v1_apply(const char *path, const struct spec_resources *res, const struct res_device_rule *rules,
                    size_t n_rules, bool update, struct error *err)
{
        _cleanup_free_ char *memory = ctrl_dir("memory", path), *blkio = ctrl_dir("blkio", path);
        _cleanup_free_ char *pids = ctrl_dir("pids", path), *devices = ctrl_dir("devices", path);
        _cleanup_free_ char *hugetlb = ctrl_dir("hugetlb", path), *net_cls = ctrl_dir("net_cls", path);
        _cleanup_free_ char *net_prio = ctrl_dir("net_prio", path), *rdma = ctrl_dir("rdma", path);
        int r;

        if (res->has_memory && (r = apply_memory(memory, &res->memory, update, err)) < 0)
                return r;
        if (res->has_cpu && (r = apply_cpu(path, &res->cpu, err)) < 0)
                return r;
        if (res->has_block_io && (r = apply_blkio(blkio, &res->block_io, err)) < 0)
                return r;
        if (res->pids_limit.set && res->pids_limit.v != 0) {
                r = res->pids_limit.v < 0 ? cg_write(pids, "pids.max", "max", "linux.resources.pids.limit", err)
                                          : write_limit(pids, "pids.max", res->pids_limit.v, "linux.resources.pids.limit", err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < res->n_hugepages; i++) {
                _cleanup_free_ char *f = xasprintf("linux.resources.hugepageLimits[%zu]", i);
                _cleanup_free_ char *file = NULL, *dir = NULL;

                if (hugetlb) {
                        file = xasprintf("hugetlb.%s.limit_in_bytes", res->hugepages[i].page_size);
                        dir = xstrdup(hugetlb);
                } else {
                        file = xasprintf("hugetlb.%s.max", res->hugepages[i].page_size);
                        dir = xasprintf("%s%s", UNIFIED, path);
                }
                if ((r = cg_writef(dir, file, f, err, "%" PRIu64, res->hugepages[i].limit)) < 0)
                        return r;
        }
        if (res->net_class_id.set &&
            (r = write_limit(net_cls, "net_cls.classid", res->net_class_id.v, "linux.resources.network.classID", err)) < 0)
                return r;
        for (size_t i = 0; i < res->n_net_priorities; i++)
                if ((r = cg_writef(net_prio, "net_prio.ifpriomap", "linux.resources.network.priorities", err, "%s %u",
                                   res->net_priorities[i].name, res->net_priorities[i].priority)) < 0)
                        return r;
        for (size_t i = 0; i < res->n_rdma; i++) {
                const struct res_rdma *d = &res->rdma[i];
                _cleanup_free_ char *f = xasprintf("linux.resources.rdma.%s", d->device);
                char h[32] = "max", o[32] = "max";
                if (d->hca_handles.set)
                        snprintf(h, sizeof(h), "%" PRId64, d->hca_handles.v);
                if (d->hca_objects.set)
                        snprintf(o, sizeof(o), "%" PRId64, d->hca_objects.v);
                if ((r = cg_writef(rdma, "rdma.max", f, err, "%s hca_handle=%s hca_object=%s", d->device, h, o)) < 0)
                        return r;
        }
        if (rules && devices && (r = apply_devices(devices, rules, n_rules, err)) < 0)
                return r;
        return 0;
}

static char *freezer_dir(const char *path)
{
        return ctrl_dir("freezer", path);
}

static bool v1_is_frozen(const char *path)
{
        _cleanup_free_ char *dir = freezer_dir(path);
        _cleanup_free_ char *file = dir ? xasprintf("%s/freezer.state", dir) : NULL;
        _cleanup_free_ char *text = NULL;
        struct error ignored = { 0 };

        if (!file || read_file(file, &text, NULL, &ignored) < 0)
                return false;
        return strncmp(text, "FROZEN", 6) == 0 || strncmp(text, "FREEZING", 8) == 0;
}

static int v1_freeze(const char *path, bool frozen, struct error *err)
{
        _cleanup_free_ char *dir = freezer_dir(path);
        const char *want = frozen ? "FROZEN" : "THAWED";
        struct timespec pause = { 0, 10 * 1000 * 1000 };
        int r;

        if (!dir)
                return error_set(err, EOPNOTSUPP, "this host has no freezer cgroup controller");
        for (int waited = 0;; waited += 10) {
                _cleanup_free_ char *file = xasprintf("%s/freezer.state", dir), *text = NULL;

                /* FREEZING can stall on a task in an uninterruptible sleep: write again to retry. */
                if ((r = cg_write(dir, "freezer.state", want, frozen ? "pause" : "resume", err)) < 0)
                        return r;
                if (read_file(file, &text, NULL, err) < 0)
                        return -err->code;
                if (strncmp(text, want, strlen(want)) == 0)
                        return 0;
                if (waited >= CGROUP_FREEZE_TIMEOUT_MS)
                        break;
                nanosleep(&pause, NULL);
        }
        if (frozen) {
                struct error ignored = { 0 };
                cg_write(dir, "freezer.state", "THAWED", "resume", &ignored);
        }
        return error_set(err, ETIMEDOUT, "the cgroup did not %s in %d ms", frozen ? "freeze" : "thaw", CGROUP_FREEZE_TIMEOUT_MS);
}

static char *v1_procs_dir(const char *path)
{
        static const char *const prefer[] = { "pids", "freezer", "memory", "cpu", "devices" };
        char *const *ms;

        for (size_t i = 0; i < ARRAY_SIZE(prefer); i++) {
                char *dir = ctrl_dir(prefer[i], path);
                if (dir)
                        return dir;
        }
        ms = mounts();
        if (ms[0]) {
                _cleanup_free_ char *m = mount_dir(ms[0]);
                return xasprintf("%s%s", m, path);
        }
        return xasprintf("%s%s", CGROUP_ROOT, path);
}

static int v1_destroy(const char *path, struct error *err)
{
        char *const *ms = mounts();
        int r = 0;

        /* Every hierarchy gets its try; the first failure is reported. */
        for (size_t i = 0; ms[i]; i++) {
                _cleanup_free_ char *m = mount_dir(ms[i]);
                struct error e = { 0 };
                if (cg_rmdir_owned(m, path, &e) < 0 && r == 0) {
                        r = -e.code;
                        *err = e;
                }
        }
        return r;
}

static int v1_stats(const char *path, struct cgroup_stats *s, struct error *err)
{
        _cleanup_free_ char *acct = ctrl_dir("cpuacct", path), *cpu = ctrl_dir("cpu", path);
        _cleanup_free_ char *mem = ctrl_dir("memory", path), *pids = ctrl_dir("pids", path);
        long hz = sysconf(_SC_CLK_TCK);
        uint64_t v;

        (void)err;
        if (acct) {
                _cleanup_free_ char *percpu = xasprintf("%s/cpuacct.usage_percpu", acct), *text = NULL;
                struct error ignored = { 0 };

                cg_read_u64(acct, "cpuacct.usage", &s->cpu_total);
                if (hz > 0 && cg_read_key(acct, "cpuacct.stat", "user", &v))
                        s->cpu_user = v * (1000000000 / (uint64_t)hz);
                if (hz > 0 && cg_read_key(acct, "cpuacct.stat", "system", &v))
                        s->cpu_kernel = v * (1000000000 / (uint64_t)hz);
                if (read_file(percpu, &text, NULL, &ignored) == 0) {
                        char *p = text, *end;
                        for (unsigned long long n = strtoull(p, &end, 10); end != p; n = strtoull(p, &end, 10)) {
                                s->cpu_percpu = xrealloc(s->cpu_percpu, (s->n_cpu_percpu + 1) * sizeof(uint64_t));
                                s->cpu_percpu[s->n_cpu_percpu++] = n;
                                p = end;
                        }
                }
        }
        if (cpu) {
                cg_read_key(cpu, "cpu.stat", "nr_periods", &s->cpu_periods);
                cg_read_key(cpu, "cpu.stat", "nr_throttled", &s->cpu_throttled_periods);
                cg_read_key(cpu, "cpu.stat", "throttled_time", &s->cpu_throttled_time);
        }
        if (mem) {
                cg_read_u64(mem, "memory.usage_in_bytes", &s->mem_usage);
                cg_read_u64(mem, "memory.max_usage_in_bytes", &s->mem_max_usage);
                cg_read_u64(mem, "memory.limit_in_bytes", &s->mem_limit);
                cg_read_u64(mem, "memory.failcnt", &s->mem_failcnt);
                cg_read_u64(mem, "memory.memsw.usage_in_bytes", &s->swap_usage);
                cg_read_u64(mem, "memory.memsw.limit_in_bytes", &s->swap_limit);
                cg_read_key(mem, "memory.oom_control", "oom_kill", &s->oom_kills);
                s->mem_raw = cg_read_kv(mem, "memory.stat");
        }
        if (pids) {
                cg_read_u64(pids, "pids.current", &s->pids_current);
                cg_read_u64(pids, "pids.max", &s->pids_limit);
        }
        return 0;
}

const struct cgroup_backend cgroup_backend_v1 = {
        .name = "v1",
        .check = v1_check,
        .create = v1_create,
        .cgroup2_dir = v1_cgroup2_dir,
        .open_tasks = v1_open_tasks,
        .apply = v1_apply,
        .freeze = v1_freeze,
        .is_frozen = v1_is_frozen,
        .procs_dir = v1_procs_dir,
        .destroy = v1_destroy,
        .stats = v1_stats,
};
