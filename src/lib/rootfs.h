/* The container's root: made a mount of its own, filled, pivoted into, then masked. */
#pragma once
#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* In the init's new mount namespace: everything from "/ rslave" to pivot_root (or MS_MOVE + chroot
 * with no_pivot), then maskedPaths, readonlyPaths, root.readonly and rootfsPropagation. */
int rootfs_setup(const struct spec *spec, bool no_pivot, struct error *err);
