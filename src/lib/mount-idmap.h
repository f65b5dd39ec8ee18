/* Idmapped bind mounts (the mount options idmap and ridmap): a file owned by hostID on disk shows
 * as containerID through the mount, per the mount's uidMappings/gidMappings, or the container's
 * user namespace mappings when it has none.
 *
 * The tree is made on the host before the init is cloned (open_tree, then mount_setattr with
 * MOUNT_ATTR_IDMAP and a user namespace holding the mappings), never attached there; the init
 * moves it into place (mount_idmap_attach), as it does a thin rootfs. */
#pragma once
#include "error.h"
#include "spec.h"

/* For every mount with idmap or ridmap: check it, make its tree, keep the fd in the spec_mount. */
int mount_idmap_prepare(struct spec *spec, struct error *err);
/* In the init: move m's tree onto target_fd (an O_PATH fd of the resolved destination). */
int mount_idmap_attach(const struct spec_mount *m, int target_fd, struct error *err);
