/* Linux namespaces from linux.namespaces: new ones at clone, existing ones joined by path. */
#pragma once
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* CLONE_NEW* flags of the namespaces the init gets new at clone: user and pid. The init makes its new
 * mount, network, ipc and uts namespaces itself (ns_unshare_own), time is made by
 * ns_enter_for_children, cgroup by ns_unshare_cgroup. */
int ns_clone_flags(const struct spec *spec);
/* In the init, after ns_join_paths: its new mount, network, ipc and uts namespaces, owned by the user
 * namespace it is in by then (as runc does). Made here, not at clone, so that their cost (a network
 * namespace takes about 0.4 ms) falls on the init while create makes the cgroup (cpu-apart.h). */
int ns_unshare_own(const struct spec *spec, struct error *err);
/* In the process that clones the init: join a pid namespace by path, make a time namespace with its
 * offsets. Both only affect children, so the caller itself stays on the host. */
int ns_enter_for_children(const struct spec *spec, struct error *err);
/* In the init, once it is in its cgroup: a new cgroup namespace rooted there. */
int ns_unshare_cgroup(const struct spec *spec, struct error *err);
/* In the init: join every namespace that has a path (user first), except pid and time. */
int ns_join_paths(const struct spec *spec, struct error *err);
/* Write /proc/PID/FILE (uid_map or gid_map) from maps; errors name `field`. */
int ns_write_map(pid_t pid, const char *file, const struct spec_id_mapping *maps, size_t n, const char *field,
                 struct error *err);
/* From the host: write the init's uid_map and gid_map. */
int ns_write_id_maps(pid_t pid, const struct spec *spec, struct error *err);
/* From the host: give PATH to the host ids that the container's root maps to (new user namespace
 * only), so that the init can open it once it is root in its namespace. */
int ns_chown_to_container_root(const char *path, const struct spec *spec, struct error *err);
const char *ns_name(int type);
/* The CLONE_NEW* flag of an OCI namespace type, 0 when unknown. */
int ns_type_from_name(const char *name);
/* The i-th namespace type skiff knows, NULL past the end: for `skiff features`. */
const char *ns_name_at(size_t i);
