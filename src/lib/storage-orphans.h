/* Thin snapshots of containers that are gone: the state dir of the container was removed (a reboot
 * empties /run/skiff, a create or delete was killed and its dir removed by hand) while the pool, which
 * survives reboots, still holds the snapshot. skiff gc drops them. */
#pragma once
#include "error.h"

/* Delete (with the pool's transaction protocol) every container snapshot recorded as belonging to
 * state_root whose state dir there is gone, unless `delete --keep-rootfs` kept it. *ret_ids lists
 * the containers whose snapshot went (a strv, NULL-terminated). No pool: nothing to do. A snapshot
 * still in use is left, the first such error returned after the others were dropped. */
int storage_drop_orphans(const char *state_root, char ***ret_ids, struct error *err);
