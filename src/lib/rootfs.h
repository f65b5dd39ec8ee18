/* The container's root: made a mount of its own, filled, pivoted into, then masked. */
#pragma once
#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* In the init's new mount namespace: everything from "/ rslave" to pivot_root (or MS_MOVE + chroot
 * with no_pivot), then maskedPaths, readonlyPaths, root.readonly and rootfsPropagation. */
struct rootfs_step {
        /* If set, called once before the first cgroup mount, or before the createContainer hooks
         * if there is none: the init waits there to be moved into its cgroup, and the mounts before
         * it are made while create makes the cgroup. */
        int (*enter_cgroup)(void *data, struct error *err);
        /* Called with every mount in place, just before pivot_root: the createContainer hooks. */
        int (*before_pivot)(void *data, struct error *err);
        void *data;
};
int rootfs_setup(const struct spec *spec, bool no_pivot, const struct rootfs_step *step, struct error *err);
