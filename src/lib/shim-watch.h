/* skiff-shim's work: wait for the container's init (its parent, or a watcher through a pidfd), pass
 * on the signals sent to us, then release what the container held and record how it ended. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

struct shim_target {
        const char *root, *id, *cgroup;
        pid_t pid;
        int pidfd;      /* a pidfd of the init */
        bool watch;     /* the caller, not we, is the init's parent */
        const char *log_path;   /* create's --log, where the shim's own errors go too, or NULL */
        bool log_json;
};

/* Returns the exit code the shim process should end with: the workload's (128 + signal).
 * *ret_released (when not NULL) says whether the container's cgroup and storage were released. */
int shim_watch(const struct shim_target *s, bool *ret_released);
