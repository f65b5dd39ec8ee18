/* The cgroup v2 back end: one tree at /sys/fs/cgroup, with the conversions runc and crun apply to
 * the runtime spec's v1-shaped numbers (shares → cpu.weight, blkio weight → io.weight, memory
 * swap → memory.swap.max = swap - limit). */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup-internal.h"
#include "util.h"

#define MOUNT CGROUP_ROOT

static bool word_in_file(const char *dir, const char *file, const char *word)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
        _cleanup_free_ char *text = NULL;
        struct error ignored = { 0 };
        char *save = NULL;

        if (read_file(path, &text, NULL, &ignored) < 0)
                return false;
        for (char *w = strtok_r(text, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
                if (strcmp(w, word) == 0)
                        return true;
        return false;
}

bool cg2_available(const char *mount, const char *ctrl)
{
        return word_in_file(mount, "cgroup.controllers", ctrl);
}

int cg2_enable(const char *mount, const char *path, const char *const *ctrls, size_t n, bool required,
               const char *field, struct error *err)
{
        _cleanup_free_ char *dir = xasprintf("%s%s", mount, path);
        size_t rootlen = strlen(mount);
        char *p = dir + rootlen;
        int r;

        /* Each level from the root to the leaf's parent passes the controllers down. */
        for (;;) {
                char saved = *p;
                bool is_root = p == dir + rootlen;

                *p = '\0';
                for (size_t i = 0; i < n; i++) {
                        if (word_in_file(is_root ? mount : dir, "cgroup.subtree_control", ctrls[i]))
                                continue;
                        if (!is_root && !cg_owned(dir)) {
                                if (!required)
                                        continue;
                                r = error_set(err, EPERM, "%s: the %s controller is not enabled in %s/cgroup.subtree_control, "
                                              "a cgroup skiff did not make", field, ctrls[i], dir);
                                *p = saved;
                                return r;
                        }
                        if ((r = cg_writef(is_root ? mount : dir, "cgroup.subtree_control", field, err, "+%s", ctrls[i])) < 0) {
                                if (!required)
                                        continue;
                                *p = saved;
                                return r;
                        }
                }
                *p = saved;
                if (!saved)
                        return 0;
                p = strchr(p + 1, '/');
                if (!p)
                        return 0;
        }
}

unsigned long cg_hugepage_kb(const char *page_size)
{
        char *end;
        unsigned long n = strtoul(page_size, &end, 10);

        if (strcmp(end, "KB") == 0)
                return n;
        if (strcmp(end, "MB") == 0)
                return n * 1024;
        if (strcmp(end, "GB") == 0)
                return n * 1024 * 1024;
        return 0;
}

static int need(const char *ctrl, const char *field, struct error *err)
{
        if (!cg2_available(MOUNT, ctrl))
                return error_set(err, EOPNOTSUPP, "%s: this host's cgroup v2 has no %s controller", field, ctrl);
        return 0;
}

static int v2_check(const struct spec_resources *res, struct error *err)
{
        const struct res_memory *m = &res->memory;
        const struct res_cpu *c = &res->cpu;
        int r;

        if ((m->limit.set || m->reservation.set || m->swap.set) && (r = need("memory", "linux.resources.memory", err)) < 0)
                return r;
        if (m->swappiness.set)
                return error_set(err, EOPNOTSUPP, "linux.resources.memory.swappiness: cgroup v2 has no per-cgroup swappiness");
        if (m->has_disable_oom_killer && m->disable_oom_killer)
                return error_set(err, EOPNOTSUPP, "linux.resources.memory.disableOOMKiller: cgroup v2 cannot turn the OOM killer off");
        if (m->kernel_tcp.set && m->kernel_tcp.v > 0)
                return error_set(err, EOPNOTSUPP, "linux.resources.memory.kernelTCP: cgroup v2 has no separate TCP memory limit");
        if ((c->shares.set || c->quota.set || c->period.set || c->burst.set || c->idle.set) &&
            (r = need("cpu", "linux.resources.cpu", err)) < 0)
                return r;
        if ((c->realtime_runtime.set && c->realtime_runtime.v > 0) || (c->realtime_period.set && c->realtime_period.v > 0))
                return error_set(err, EOPNOTSUPP, "linux.resources.cpu.realtimeRuntime: cgroup v2 has no realtime CPU budget");
        if ((c->cpus || c->mems) && (r = need("cpuset", "linux.resources.cpu.cpus", err)) < 0)
                return r;
        if (res->has_block_io && (r = need("io", "linux.resources.blockIO", err)) < 0)
                return r;
        if (res->block_io.leaf_weight.set)
                return error_set(err, EOPNOTSUPP, "linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weight");
        if (res->pids_limit.set && (r = need("pids", "linux.resources.pids", err)) < 0)
                return r;
        if (res->n_hugepages && (r = need("hugetlb", "linux.resources.hugepageLimits", err)) < 0)
                return r;
        if (res->n_rdma && (r = need("rdma", "linux.resources.rdma", err)) < 0)
                return r;
        if (res->net_class_id.set || res->n_net_priorities)
                return error_set(err, EOPNOTSUPP, "linux.resources.network: cgroup v2 has no net_cls or net_prio controller");
        for (size_t i = 0; i < res->n_hugepages; i++) {
                _cleanup_free_ char *sys = xasprintf("/sys/kernel/mm/hugepages/hugepages-%lukB",
                                                     cg_hugepage_kb(res->hugepages[i].page_size));
                if (access(sys, F_OK) < 0)
                        return error_set(err, EINVAL, "linux.resources.hugepageLimits[%zu].pageSize: this host has no %s pages",
                                         i, res->hugepages[i].page_size);
        }
        for (size_t i = 0; res->unified && res->unified[i]; i += 2) {
                _cleanup_free_ char *ctrl = xasprintf("%.*s", (int)strcspn(res->unified[i], "."), res->unified[i]);
                if (strcmp(ctrl, "cgroup") != 0 && !cg2_available(MOUNT, ctrl))
                        return error_set(err, EOPNOTSUPP, "linux.resources.unified: \"%s\": this host's cgroup v2 has no %s controller",
                                         res->unified[i], ctrl);
        }
        return 0;
}

/* The controllers `res` needs, plus memory, pids and cpu where they can be had (for stats). */
static size_t wanted(const struct spec_resources *res, const char **ctrls, bool *required)
{
        static const char *const known[] = { "cpu", "cpuset", "io", "memory", "pids", "hugetlb", "rdma", "misc" };
        bool need[ARRAY_SIZE(known)] = { 0 };
        size_t n = 0;

        need[0] = res->cpu.shares.set || res->cpu.quota.set || res->cpu.period.set || res->cpu.burst.set || res->cpu.idle.set;
        need[1] = res->cpu.cpus || res->cpu.mems;
        need[2] = res->has_block_io;
        need[3] = res->memory.limit.set || res->memory.reservation.set || res->memory.swap.set;
        need[4] = res->pids_limit.set;
        need[5] = res->n_hugepages > 0;
        need[6] = res->n_rdma > 0;
        for (size_t i = 0; res->unified && res->unified[i]; i += 2)
                for (size_t k = 0; k < ARRAY_SIZE(known); k++)
                        if (strncmp(res->unified[i], known[k], strlen(known[k])) == 0 && res->unified[i][strlen(known[k])] == '.')
                                need[k] = true;
        for (size_t k = 0; k < ARRAY_SIZE(known); k++) {
                bool for_stats = k == 0 || k == 3 || k == 4;
                if ((need[k] || for_stats) && cg2_available(MOUNT, known[k])) {
                        required[n] = need[k];
                        ctrls[n++] = known[k];
                }
        }
        return n;
}

/* Let the controllers `res` needs into the cgroup: at create, and again at an update that asks
 * for a controller the create did not need (cpuset for --cpuset-cpus). */
static int enable_wanted(const char *path, const struct spec_resources *res, struct error *err)
{
        const char *ctrls[8];
        bool required[8];
        size_t n = wanted(res, ctrls, required);
        int r;

        for (size_t i = 0; i < n; i++)
                if ((r = cg2_enable(MOUNT, path, &ctrls[i], 1, required[i], "linux.cgroupsPath", err)) < 0)
                        return r;
        return 0;
}

static int v2_create(const char *path, const struct spec_resources *res, struct error *err)
{
        int r;

        if ((r = cg_mkdir(MOUNT, path, err)) < 0)
                return error_wrap(err, "linux.cgroupsPath");
        return enable_wanted(path, res, err);
}

static char *v2_cgroup2_dir(const char *path)
{
        return xasprintf("%s%s", MOUNT, path);
}

static void limit_str(char *buf, size_t len, int64_t v)
{
        if (v < 0)
                snprintf(buf, len, "max");
        else
                snprintf(buf, len, "%" PRId64, v);
}

static int apply_memory(const char *dir, const struct res_memory *m, bool update, struct error *err)
{
        char buf[32];
        int r;

        if (update && m->check_before_update && m->limit.set && m->limit.v > 0) {
                uint64_t usage;
                if (cg_read_u64(dir, "memory.current", &usage) && usage > (uint64_t)m->limit.v)
                        return error_set(err, EINVAL, "memory.limit: %" PRId64 " is below the current usage %" PRIu64,
                                         m->limit.v, usage);
        }
        if (m->swap.set && m->swap.v != 0) {
                int64_t swap = m->swap.v;
                if (swap > 0) {
                        if (!m->limit.set || m->limit.v <= 0)
                                return error_set(err, EINVAL, "linux.resources.memory.swap: a swap limit needs a memory limit");
                        swap -= m->limit.v;
                }
                limit_str(buf, sizeof(buf), swap);
                if (!cg_has_file(dir, "memory.swap.max"))
                        return error_set(err, EOPNOTSUPP, "linux.resources.memory.swap: this kernel does not account swap");
                /* Lowering memory.max below the old swap is fine in any order on v2. */
                if ((r = cg_write(dir, "memory.swap.max", buf, "linux.resources.memory.swap", err)) < 0)
                        return r;
        } else if (m->limit.set && m->limit.v == -1 && !m->swap.set && cg_has_file(dir, "memory.swap.max")) {
                if ((r = cg_write(dir, "memory.swap.max", "max", "linux.resources.memory.swap", err)) < 0)
                        return r;
        }
        if (m->limit.set && m->limit.v != 0) {
                limit_str(buf, sizeof(buf), m->limit.v);
                if ((r = cg_write(dir, "memory.max", buf, "linux.resources.memory.limit", err)) < 0)
                        return r;
        }
        if (m->reservation.set && m->reservation.v != 0) {
                limit_str(buf, sizeof(buf), m->reservation.v);
                if ((r = cg_write(dir, "memory.low", buf, "linux.resources.memory.reservation", err)) < 0)
                        return r;
        }
        return 0;
}

static int apply_cpu(const char *dir, const struct res_cpu *c, struct error *err)
{
        int r;

        if (c->shares.set && c->shares.v != 0) {
                /* runc's mapping of [2, 262144] onto [1, 10000]. */
                uint64_t shares = c->shares.v < 2 ? 2 : (uint64_t)c->shares.v;
                uint64_t weight = 1 + ((shares - 2) * 9999) / 262142;
                if ((r = cg_writef(dir, "cpu.weight", "linux.resources.cpu.shares", err, "%" PRIu64, weight)) < 0)
                        return r;
        }
        if ((c->quota.set && c->quota.v != 0) || (c->period.set && c->period.v != 0)) {
                char quota[32] = "max";
                uint64_t period = 100000;
                _cleanup_free_ char *path = xasprintf("%s/cpu.max", dir), *cur = NULL;
                struct error ignored = { 0 };

                /* cpu.max holds both: keep the half that is not being changed. */
                if (read_file(path, &cur, NULL, &ignored) == 0)
                        sscanf(cur, "%31s %" SCNu64, quota, &period);
                if (c->quota.set && c->quota.v != 0)
                        limit_str(quota, sizeof(quota), c->quota.v);
                if (c->period.set && c->period.v != 0)
                        period = (uint64_t)c->period.v;
                if ((r = cg_writef(dir, "cpu.max", "linux.resources.cpu.quota", err, "%s %" PRIu64, quota, period)) < 0)
                        return r;
        }
        if (c->burst.set && (r = cg_writef(dir, "cpu.max.burst", "linux.resources.cpu.burst", err, "%" PRId64, c->burst.v)) < 0)
                return r;
        if (c->idle.set && (r = cg_writef(dir, "cpu.idle", "linux.resources.cpu.idle", err, "%" PRId64, c->idle.v)) < 0)
                return r;
        if (c->cpus && *c->cpus && (r = cg_write(dir, "cpuset.cpus", c->cpus, "linux.resources.cpu.cpus", err)) < 0)
                return r;
        if (c->mems && *c->mems && (r = cg_write(dir, "cpuset.mems", c->mems, "linux.resources.cpu.mems", err)) < 0)
                return r;
        return 0;
}

static int apply_io(const char *dir, const struct res_block_io *b, struct error *err)
{
        static const char *const keys[THROTTLE_COUNT] = { "rbps", "wbps", "riops", "wiops" };
        static const char *const fields[THROTTLE_COUNT] = { "throttleReadBpsDevice", "throttleWriteBpsDevice",
                                                            "throttleReadIOPSDevice", "throttleWriteIOPSDevice" };
        /* BFQ takes blkio's 10..1000 as it is; io.weight wants 1..10000. */
        bool bfq = cg_has_file(dir, "io.bfq.weight");
        const char *file = bfq ? "io.bfq.weight" : "io.weight";
        int r;

        if (b->weight.set) {
                int64_t w = bfq ? b->weight.v : 1 + (b->weight.v - 10) * 9999 / 990;
                if ((r = cg_writef(dir, file, "linux.resources.blockIO.weight", err, "%" PRId64, w)) < 0)
                        return r;
        }
        for (size_t i = 0; i < b->n_weight_devices; i++) {
                const struct res_weight_device *d = &b->weight_devices[i];
                int64_t w = bfq ? d->weight.v : 1 + (d->weight.v - 10) * 9999 / 990;
                if (d->weight.set && (r = cg_writef(dir, file, "linux.resources.blockIO.weightDevice", err, "%" PRId64 ":%" PRId64 " %" PRId64,
                                                    d->major, d->minor, w)) < 0)
                        return r;
        }
        for (int t = 0; t < THROTTLE_COUNT; t++)
                for (size_t i = 0; i < b->n_throttle[t]; i++) {
                        const struct res_throttle_device *d = &b->throttle[t][i];
                        _cleanup_free_ char *f = xasprintf("linux.resources.blockIO.%s[%zu]", fields[t], i);
                        if (d->rate == 0)
                                r = cg_writef(dir, "io.max", f, err, "%" PRId64 ":%" PRId64 " %s=max", d->major, d->minor, keys[t]);
                        else
                                r = cg_writef(dir, "io.max", f, err, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d->major, d->minor,
                                              keys[t], d->rate);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int v2_apply(const char *path, const struct spec_resources *res, const struct res_device_rule *rules,
                    size_t n_rules, bool update, struct error *err)
{
        _cleanup_free_ char *dir = xasprintf("%s%s", MOUNT, path);
        int r;

        if (update && (r = enable_wanted(path, res, err)) < 0)
                return r;
        if ((r = apply_memory(dir, &res->memory, update, err)) < 0 || (r = apply_cpu(dir, &res->cpu, err)) < 0 ||
            (r = apply_io(dir, &res->block_io, err)) < 0)
                return r;
        if (res->pids_limit.set && res->pids_limit.v != 0) {
                char buf[32];
                limit_str(buf, sizeof(buf), res->pids_limit.v);
                if ((r = cg_write(dir, "pids.max", buf, "linux.resources.pids.limit", err)) < 0)
                        return r;
        }
        for (size_t i = 0; i < res->n_hugepages; i++) {
                _cleanup_free_ char *file = xasprintf("hugetlb.%s.max", res->hugepages[i].page_size);
                _cleanup_free_ char *f = xasprintf("linux.resources.hugepageLimits[%zu]", i);
                if ((r = cg_writef(dir, file, f, err, "%" PRIu64, res->hugepages[i].limit)) < 0)
                        return r;
        }
        for (size_t i = 0; i < res->n_rdma; i++) {
                const struct res_rdma *d = &res->rdma[i];
                _cleanup_free_ char *f = xasprintf("linux.resources.rdma.%s", d->device);
                char h[32] = "max", o[32] = "max";
                if (d->hca_handles.set)
                        snprintf(h, sizeof(h), "%" PRId64, d->hca_handles.v);
                if (d->hca_objects.set)
                        snprintf(o, sizeof(o), "%" PRId64, d->hca_objects.v);
                if ((r = cg_writef(dir, "rdma.max", f, err, "%s hca_handle=%s hca_object=%s", d->device, h, o)) < 0)
                        return r;
        }
        if (rules && (r = cg_bpf_devices_apply(dir, rules, n_rules, err)) < 0)
                return error_wrap(err, "linux.resources.devices");
        /* unified last: its values win over the converted ones, as in runc. */
        for (size_t i = 0; res->unified && res->unified[i]; i += 2) {
                _cleanup_free_ char *f = xasprintf("linux.resources.unified.%s", res->unified[i]);
                if (!cg_has_file(dir, res->unified[i]))
                        return error_set(err, ENOENT, "%s: no such file in the container's cgroup", f);
                if ((r = cg_write(dir, res->unified[i], res->unified[i + 1], f, err)) < 0)
                        return r;
        }
        return 0;
}

static bool v2_is_frozen(const char *path)
{
        _cleanup_free_ char *dir = xasprintf("%s%s", MOUNT, path);
        uint64_t v = 0;

        return (cg_read_u64(dir, "cgroup.freeze", &v) && v == 1) || (cg_read_key(dir, "cgroup.events", "frozen", &v) && v == 1);
}

static int v2_freeze(const char *path, bool frozen, struct error *err)
{
        _cleanup_free_ char *dir = xasprintf("%s%s", MOUNT, path);
        struct timespec pause = { 0, 10 * 1000 * 1000 };
        int r;

        if ((r = cg_write(dir, "cgroup.freeze", frozen ? "1" : "0", frozen ? "pause" : "resume", err)) < 0)
                return r;
        for (int waited = 0;; waited += 10) {
                uint64_t v = 0;

                if (cg_read_key(dir, "cgroup.events", "frozen", &v) && v == (frozen ? 1 : 0))
                        return 0;
                if (waited >= CGROUP_FREEZE_TIMEOUT_MS)
                        break;
                nanosleep(&pause, NULL);
        }
        /* A freeze that does not finish is taken back: never leave a half-frozen container. */
        if (frozen) {
                struct error ignored = { 0 };
                cg_write(dir, "cgroup.freeze", "0", "resume", &ignored);
        }
        return error_set(err, ETIMEDOUT, "the cgroup did not %s in %d ms", frozen ? "freeze" : "thaw", CGROUP_FREEZE_TIMEOUT_MS);
}

static char *v2_procs_dir(const char *path)
{
        return xasprintf("%s%s", MOUNT, path);
}

static int v2_destroy(const char *path, struct error *err)
{
        return cg_rmdir_owned(MOUNT, path, err);
}

static int v2_stats(const char *path, struct cgroup_stats *s, struct error *err)
{
        _cleanup_free_ char *dir = xasprintf("%s%s", MOUNT, path);
        uint64_t v;

        (void)err;
        if (cg_read_key(dir, "cpu.stat", "usage_usec", &v))
                s->cpu_total = v * 1000;
        if (cg_read_key(dir, "cpu.stat", "user_usec", &v))
                s->cpu_user = v * 1000;
        if (cg_read_key(dir, "cpu.stat", "system_usec", &v))
                s->cpu_kernel = v * 1000;
        cg_read_key(dir, "cpu.stat", "nr_periods", &s->cpu_periods);
        cg_read_key(dir, "cpu.stat", "nr_throttled", &s->cpu_throttled_periods);
        if (cg_read_key(dir, "cpu.stat", "throttled_usec", &v))
                s->cpu_throttled_time = v * 1000;
        cg_read_u64(dir, "memory.current", &s->mem_usage);
        cg_read_u64(dir, "memory.peak", &s->mem_max_usage);
        cg_read_u64(dir, "memory.max", &s->mem_limit);
        cg_read_key(dir, "memory.events", "max", &s->mem_failcnt);
        cg_read_key(dir, "memory.events", "oom_kill", &s->oom_kills);
        cg_read_u64(dir, "memory.swap.current", &s->swap_usage);
        cg_read_u64(dir, "memory.swap.max", &s->swap_limit);
        s->mem_raw = cg_read_kv(dir, "memory.stat");
        cg_read_u64(dir, "pids.current", &s->pids_current);
        cg_read_u64(dir, "pids.max", &s->pids_limit);
        return 0;
}

const struct cgroup_backend cgroup_backend_v2 = {
        .name = "v2",
        .check = v2_check,
        .create = v2_create,
        .cgroup2_dir = v2_cgroup2_dir,
        .apply = v2_apply,
        .freeze = v2_freeze,
        .is_frozen = v2_is_frozen,
        .procs_dir = v2_procs_dir,
        .destroy = v2_destroy,
        .stats = v2_stats,
};
