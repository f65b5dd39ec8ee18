/* The container's mounts: targets resolved inside the rootfs, never through a symlink out of it. */
#pragma once
#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* Open PATH (absolute inside the root) as O_PATH, resolving symlinks as if rootfd were "/".
 * With create, missing directories are made and a missing last component becomes a directory
 * (dir=true) or an empty file. */
int resolve_in_root(int rootfd, const char *path, bool create, bool dir, int *ret_fd, struct error *err);
/* "/proc/self/fd/N": the path that mount(2) follows to the object an O_PATH fd refers to. */
char *fd_path(int fd);
/* The MS_RDONLY, MS_NOSUID, MS_NODEV and MS_NOEXEC flags the mount at PATH has now: a bind remount
 * must keep them, and in a user namespace the kernel locks them. */
unsigned long mount_current_flags(const char *path);
/* Mount spec->mounts[i] below the rootfs open at rootfd. */
int mount_spec_mount(const struct spec *spec, size_t i, int rootfd, struct error *err);
/* A cgroup mount: what it shows depends on the cgroup (namespace) the init is in when it mounts. */
bool mount_shows_cgroups(const struct spec_mount *m);
