/* Recovery (DESIGN §4). A `skiff create` killed half-way, or a skiff-shim killed while its container
 * ran, leaves a container nobody will clean up: its init and shim are gone (or the init waits for
 * a start that can never come) and no exit is recorded. Every command that meets such a container
 * repairs it before acting, under the container's lock; `skiff gc` does it for all of them.
 * A created container whose shim is gone counts too: it was never started, and nobody would
 * record its end; recovery kills its init rather than let it run unwatched. */
#pragma once
#include <stdbool.h>

#include "error.h"
#include "state.h"

/* Test-only: when the environment has SKIFF_TEST_CRASH_AT=NAME, skiff SIGKILLs itself at the point
 * called NAME (after-clone, after-cgroup, after-mounts, before-state-write, after-state-write). */
void crash_point(const char *name);

/* Whether st describes an abandoned container (see above). */
bool container_abandoned(const char *root, const struct state *st);
/* With the container's lock held: when it is abandoned, kill what is left of it, release its
 * cgroup (and storage), record an unknown exit, and read *st afresh. Otherwise do nothing. */
int container_recover(const char *root, struct state *st, struct error *err);
/* state_read that repairs an abandoned container first when its lock is free: `state` and `list`
 * never wait for a lock, and what they print is the truth either way. */
int state_read_recovered(const char *root, const char *id, struct state *ret, struct error *err);
/* skiff gc for one entry of ROOT: repair it, and remove it when it is stopped or was never
 * finished (a create killed before its first write). *ret_removed says whether it went; a
 * container that another command holds locked is left alone (*ret_removed false, no error). */
int container_collect(const char *root, const char *id, bool *ret_removed, struct error *err);
