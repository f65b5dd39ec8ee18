/* What a container holds on the host besides its processes, released once its init is gone. */
#pragma once
#include "error.h"

/* Kill what is left in the container's cgroup, remove the cgroup, and deactivate the container's
 * thin device if it has one (storage-release.h), so that skiff-shim, `delete` and the repair of
 * an abandoned container all release the same things. The rootfs mounts skiff makes live in the
 * container's own mount namespace and died with its last process. Idempotent: what is gone
 * already is no error. */
int container_release(const char *id, const char *cgroup, struct error *err);
