/* The container's cgroup, on whatever layout the host has: v1, v2, or hybrid (v1 controllers beside
 * a cgroup2 mount at /sys/fs/cgroup/unified). The layout is detected once; a back end per layout
 * (cgroup-v1.c, cgroup-v2.c) does the work behind these calls.
 *
 * Ownership: every directory skiff makes carries the xattr trusted.skiff.owned. skiff removes only
 * marked directories and never writes to a cgroup it did not make, with one exception the user asks
 * for by name: a linux.cgroupsPath that exists already is joined (as runc does), given the limits
 * the config asks, and left in place at delete. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec-resources.h"
#include "spec.h"

/* The cgroup path (relative to every hierarchy's root) for linux.cgroupsPath: an absolute path as
 * it is; an empty one is /skiff/ID; a relative one goes below /skiff too (runc puts it below its
 * own cgroup, which on hosts like this one is a cgroup skiff did not make). ".." never climbs out. */
char *cgroup_path_for(const struct spec *spec, const char *id);
/* "v1", "v2" or "hybrid". */
const char *cgroup_layout_name(void);
/* Check that the host can do what linux.resources asks, make the cgroup and apply the limits and
 * device rules. A path that exists frozen is refused; *ret_populated says it existed with processes
 * in it already (the caller warns). On failure nothing skiff made is left. */
int cgroup_create(const char *path, const struct spec *spec, bool *ret_populated, struct error *err);

/* Moving a process into a cgroup by its pid takes the kernel's threadgroup lock for writing, which
 * first waits for an RCU grace period (9-28 ms measured here) unless another such move came
 * moments before (so a cold start pays it, back-to-back runs hide it). A process that writes "0" to
 * a v1 hierarchy's `tasks` moves only itself (the calling thread) and takes no such lock.
 *
 * A process cloned into a cgroup2 directory (CLONE_INTO_CGROUP) is born there, with no such wait
 * either. So skiff clones the init and exec's joining process into the cgroup2 part (all of it on
 * v2, the unified mount on hybrid hosts: cgroup_open_cgroup2, clone-into.h), and the host side
 * opens `tasks` in each v1 hierarchy for the process, which (single-threaded) enters with
 * cgroup_enter_self. */
#define CGROUP_MAX_TASKS_FDS 32
struct cgroup_tasks {
        int fds[CGROUP_MAX_TASKS_FDS];
        size_t n;
};
/* Whether this host has a cgroup2 hierarchy (v2, hybrid). */
bool cgroup_has_cgroup2(void);
/* An O_PATH fd (close-on-exec) on the existing cgroup's cgroup2 directory, to clone into; -1 in
 * *ret_fd on a host without cgroup2. */
int cgroup_open_cgroup2(const char *path, int *ret_fd, struct error *err);
int cgroup_open_tasks(const char *path, struct cgroup_tasks *ret, struct error *err);
/* In the process to move: write "0" to each of t's files; they are closed either way. */
int cgroup_enter_self(struct cgroup_tasks *t, struct error *err);
void cgroup_tasks_close(struct cgroup_tasks *t);

/* Change the limits of a running container's cgroup (skiff update): only what `res` sets. */
int cgroup_update(const char *path, const struct spec_resources *res, struct error *err);
/* Freeze or thaw every process of the cgroup; waits (bounded) until the kernel says it is done. */
int cgroup_freeze(const char *path, bool frozen, struct error *err);
bool cgroup_is_frozen(const char *path);
/* Every pid in the cgroup and below it; ret is allocated. */
int cgroup_pids(const char *path, pid_t **ret, size_t *ret_n, struct error *err);
/* Signal every process in the cgroup; a frozen cgroup is thawed after a SIGKILL so it can die. */
int cgroup_kill_all(const char *path, int sig, struct error *err);
/* Kill what is left, wait for it (bounded), remove every level skiff made. A missing cgroup is not
 * an error. */
int cgroup_destroy(const char *path, struct error *err);

/* What `skiff events --stats` reports; 0 where the host has no such counter. */
struct cgroup_stats {
        uint64_t cpu_total, cpu_user, cpu_kernel;       /* ns */
        uint64_t cpu_periods, cpu_throttled_periods, cpu_throttled_time;
        uint64_t *cpu_percpu;
        size_t n_cpu_percpu;
        uint64_t mem_usage, mem_max_usage, mem_limit, mem_failcnt;
        uint64_t swap_usage, swap_limit;
        char **mem_raw;                                 /* memory.stat as key,value,... */
        uint64_t pids_current, pids_limit;
        uint64_t oom_kills;
};
int cgroup_stats(const char *path, struct cgroup_stats *ret, struct error *err);
void cgroup_stats_clear(struct cgroup_stats *s);
