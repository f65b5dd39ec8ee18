/* What the cgroup back ends share: the table each one fills, and the file helpers they use. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
/* Bounds on the waits: freezing and emptying a cgroup. */
#define CGROUP_FREEZE_TIMEOUT_MS 5000
#define CGROUP_EMPTY_TIMEOUT_MS 5000

/* One back end per host layout, chosen once (cgroup.c). */
struct cgroup_backend {
        const char *name;
        /* Refuse, before anything is made, what this host cannot do (the field is named). */
        int (*check)(const struct spec_resources *res, struct error *err);
        /* Make the cgroup's directories and let the controllers `res` needs into them. */
        int (*create)(const char *path, const struct spec_resources *res, struct error *err);
        /* The cgroup's directory in the cgroup2 hierarchy (all of v2, a hybrid host's unified mount),
         * allocated; NULL on a host without one. */
        char *(*cgroup2_dir)(const char *path);
        /* Open `tasks` of each v1 hierarchy into *tasks (cgroup.h says why); NULL on v2, which has
         * none. */
        int (*open_tasks)(const char *path, struct cgroup_tasks *tasks, struct error *err);
        /* Write the limits `res` sets; `rules` (NULL on update) are the device rules to enforce. */
        int (*apply)(const char *path, const struct spec_resources *res, const struct res_device_rule *rules,
                     size_t n_rules, bool update, struct error *err);
        int (*freeze)(const char *path, bool frozen, struct error *err);
        bool (*is_frozen)(const char *path);
        /* The directory whose cgroup.procs (and children) list the container's processes. */
        char *(*procs_dir)(const char *path);
        /* Remove the levels skiff made; the caller killed the processes. */
        int (*destroy)(const char *path, struct error *err);
        int (*stats)(const char *path, struct cgroup_stats *ret, struct error *err);
};

extern const struct cgroup_backend cgroup_backend_v1;
extern const struct cgroup_backend cgroup_backend_v2;

/* mkdir every level of `path` below `hierarchy`, marking the ones made here as skiff's. */
int cg_mkdir(const char *hierarchy, const char *path, struct error *err);
bool cg_owned(const char *dir);
/* rmdir the leaf and then each parent that skiff made, while they are empty. */
int cg_rmdir_owned(const char *hierarchy, const char *path, struct error *err);
/* Write `value` to DIR/FILE; the error names `field` (the config field that asked for it). */
int cg_write(const char *dir, const char *file, const char *value, const char *field, struct error *err);
int cg_writef(const char *dir, const char *file, const char *field, struct error *err, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
bool cg_has_file(const char *dir, const char *file);
/* Read a file's first number ("max" is UINT64_MAX); false when there is no such file. */
bool cg_read_u64(const char *dir, const char *file, uint64_t *ret);
/* The value of `key` in a "key value" file (memory.stat, cpu.stat, cgroup.events). */
bool cg_read_key(const char *dir, const char *file, const char *key, uint64_t *ret);
/* memory.stat and the like as key,value,... */
char **cg_read_kv(const char *dir, const char *file);
/* Whether dir or a cgroup below it holds a process. */
bool cg_populated(const char *dir);

/* The rules a container's device cgroup gets: the default devices and linux.devices (allowed
 * first), then linux.resources.devices in order. The caller frees the array. */
struct res_device_rule *cg_device_rules(const struct spec *spec, size_t *ret_n);
/* cgroup v2: load a BPF_PROG_TYPE_CGROUP_DEVICE program for `rules` and attach it to dir,
 * replacing the one skiff attached before (cgroup-bpf.c). */
int cg_bpf_devices_apply(const char *dir, const struct res_device_rule *rules, size_t n, struct error *err);

/* cgroup2 (the whole tree on v2, the unified mount on hybrid hosts): let `ctrls` into the
 * cgroup at mount+path by enabling them in cgroup.subtree_control from the root down. Only the
 * root and levels skiff made are written; a foreign level that lacks a controller is an error when
 * `required` (naming `field`), else that controller is quietly left out. */
int cg2_enable(const char *mount, const char *path, const char *const *ctrls, size_t n, bool required,
               const char *field, struct error *err);
/* Whether the cgroup2 mount offers controller `ctrl` (its root's cgroup.controllers). */
bool cg2_available(const char *mount, const char *ctrl);
/* "2MB" → 2048 (kB), as /sys/kernel/mm/hugepages names sizes; 0 when it is not a size. */
unsigned long cg_hugepage_kb(const char *page_size);
