/* The container's cgroup, on whatever layout the host has (v1, v2 or hybrid). */
#pragma once
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* The cgroup path (relative to every hierarchy's root) for linux.cgroupsPath, as runc reads it. */
char *cgroup_path_for(const struct spec *spec, const char *id);
/* Make the cgroup in every hierarchy. EEXIST-safe only for dirs that skiff created. */
int cgroup_create(const char *path, struct error *err);
int cgroup_enter(const char *path, pid_t pid, struct error *err);
/* Every pid in the cgroup; ret is allocated. */
int cgroup_pids(const char *path, pid_t **ret, size_t *ret_n, struct error *err);
int cgroup_kill_all(const char *path, int sig, struct error *err);
/* Kill what is left, wait for it (bounded), remove the cgroup from every hierarchy. A missing
 * cgroup is not an error. */
int cgroup_destroy(const char *path, struct error *err);
