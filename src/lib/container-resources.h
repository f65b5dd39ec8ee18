/* What a running container's cgroup lets skiff do to it: pause, resume, update its limits, list its
 * processes, read its counters. Each takes the container's lock and checks its status first. */
#pragma once
#include <stddef.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"
#include "spec-resources.h"

int container_pause(const char *root, const char *id, struct error *err);
int container_resume(const char *root, const char *id, struct error *err);
int container_update(const char *root, const char *id, const struct spec_resources *res, struct error *err);
/* The pids in the container's cgroup; ret is allocated. */
int container_pids(const char *root, const char *id, pid_t **ret, size_t *ret_n, struct error *err);
/* ret_stopped says the container has stopped (then ret is untouched and 0 is returned). */
int container_stats(const char *root, const char *id, struct cgroup_stats *ret, bool *ret_stopped, struct error *err);
