/* linux.resources as a C struct: the limits a container's cgroup gets, parsed and validated before
 * anything is made on the host. `skiff update` reads the same object from a file or its flags. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "error.h"

/* An optional number: `set` says whether the config gave it. */
struct res_value {
        bool set;
        int64_t v;
};

struct res_memory {
        struct res_value limit, reservation, swap, kernel, kernel_tcp, swappiness;
        bool has_disable_oom_killer, disable_oom_killer;
        bool has_use_hierarchy, use_hierarchy;
        bool check_before_update;
};

struct res_cpu {
        struct res_value shares, quota, burst, period, realtime_runtime, realtime_period, idle;
        char *cpus, *mems;
};

struct res_weight_device {
        int64_t major, minor;
        struct res_value weight, leaf_weight;
};

struct res_throttle_device {
        int64_t major, minor;
        uint64_t rate;
};

enum res_throttle { THROTTLE_READ_BPS, THROTTLE_WRITE_BPS, THROTTLE_READ_IOPS, THROTTLE_WRITE_IOPS, THROTTLE_COUNT };

struct res_block_io {
        struct res_value weight, leaf_weight;
        struct res_weight_device *weight_devices;
        size_t n_weight_devices;
        struct res_throttle_device *throttle[THROTTLE_COUNT];
        size_t n_throttle[THROTTLE_COUNT];
};

struct res_device_rule {
        bool allow;
        char type;              /* a, c or b */
        int64_t major, minor;   /* -1 is the wildcard */
        char access[4];         /* a subset of "rwm" */
};

struct res_hugepage_limit {
        char *page_size;        /* "2MB", "1GB" */
        uint64_t limit;
};

struct res_net_priority {
        char *name;
        uint32_t priority;
};

struct res_rdma {
        char *device;
        struct res_value hca_handles, hca_objects;
};

struct spec_resources {
        bool present;           /* linux.resources was given at all */
        bool has_memory, has_cpu, has_block_io;
        struct res_memory memory;
        struct res_cpu cpu;
        struct res_block_io block_io;
        struct res_value pids_limit;
        bool has_devices;
        struct res_device_rule *devices;
        size_t n_devices;
        struct res_hugepage_limit *hugepages;
        size_t n_hugepages;
        struct res_value net_class_id;
        struct res_net_priority *net_priorities;
        size_t n_net_priorities;
        struct res_rdma *rdma;
        size_t n_rdma;
        char **unified;         /* key,value,...: cgroup v2 files written as they are */
};

/* Parse the resources object `v`; `field` names it in messages ("linux.resources"). Bad values
 * (negative limits, a cpu list that is not one, an access that is not rwm) are errors here. */
int spec_resources_parse(yajl_val v, const char *field, struct spec_resources *ret, struct error *err);
/* Check a cpuset list ("0-2,4"), as cpuset.cpus and cpuset.mems take it. */
bool spec_resources_list_valid(const char *list);
void spec_resources_clear(struct spec_resources *res);
