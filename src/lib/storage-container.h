/* A container's thin rootfs (annotation run.skiff.image=NAME), its thin volumes, the volumes it takes
 * from another container (run.skiff.volumes-from=ID), and commit. */
#pragma once
#include <stdbool.h>

#include "error.h"
#include "spec.h"

#define ANNOTATION_IMAGE "run.skiff.image"
#define ANNOTATION_VOLUMES_FROM "run.skiff.volumes-from"

/* What create made on the host for the init to attach inside the container's namespace: detached
 * mounts (fsmount), attached to no namespace until the init moves them in. They are made on the
 * host side because the container's device cgroup rightly lets its init open no block device. */
struct storage_mount {
        int fd;                 /* fsmount's, close-on-exec */
        char *target;           /* root.path, or a thin volume's directory */
        char *device;           /* for messages */
};

struct storage_attach {
        struct storage_mount *mounts;   /* the volumes first, the rootfs (when there is one) last */
        size_t n_mounts;
        bool has_rootfs;
        bool created;           /* the snapshot is new: a failed create deletes it */
};

/* On the host, before the init is cloned: add the volumes-from mounts to spec, make/activate the
 * snapshot and the thin volumes. *ret is NULL when the container uses no storage. */
int storage_container_prepare(struct spec *spec, const char *state_root, const char *id,
                              struct storage_attach **ret, struct error *err);
/* Undo prepare after a failed create. */
void storage_container_abort(const char *id, struct storage_attach *a);
void storage_attach_free(struct storage_attach *a);
/* In the init, in the container's mount namespace, before rootfs_setup: move the mounts in. */
int storage_container_mount(const struct storage_attach *a, struct error *err);
/* The shim, at exit: deactivate the snapshot (its mount died with the namespace). */
int storage_container_release(const char *id, struct error *err);
/* delete: drop the snapshot, or with keep only deactivate it. No snapshot: nothing to do. */
int storage_container_remove(const char *id, bool keep, struct error *err);
/* A new image NAME from the container's snapshot; a running container is frozen meanwhile. */
int storage_commit(const char *state_root, const char *id, const char *name, struct error *err);
