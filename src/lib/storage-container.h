/* A container's thin rootfs (annotation run.skiff.image=NAME), its thin volumes, the volumes it takes
 * from another container (run.skiff.volumes-from=ID), and commit. */
#pragma once
#include <stdbool.h>

#include "error.h"
#include "spec.h"

#define ANNOTATION_IMAGE "run.skiff.image"
#define ANNOTATION_VOLUMES_FROM "run.skiff.volumes-from"

/* What create activated on the host, for the init to mount inside the container's namespace. */
struct storage_attach {
        char *root_device;      /* mounted on root.path, or NULL */
        char **volume_mounts;   /* device,dir,device,dir,...: thin volumes mounted on their directory */
        bool created;           /* the snapshot is new: a failed create deletes it */
};

/* On the host, before the init is cloned: add the volumes-from mounts to spec, make/activate the
 * snapshot and the thin volumes. *ret is NULL when the container uses no storage. */
int storage_container_prepare(struct spec *spec, const char *state_root, const char *id,
                              struct storage_attach **ret, struct error *err);
/* Undo prepare after a failed create. */
void storage_container_abort(const char *id, struct storage_attach *a);
void storage_attach_free(struct storage_attach *a);
/* In the init, in the container's mount namespace, before rootfs_setup. */
int storage_container_mount(const struct storage_attach *a, const struct spec *spec, struct error *err);
/* The shim, at exit: deactivate the snapshot (its mount died with the namespace). */
int storage_container_release(const char *id, struct error *err);
/* delete: drop the snapshot, or with keep only deactivate it. No snapshot: nothing to do. */
int storage_container_remove(const char *id, bool keep, struct error *err);
/* A new image NAME from the container's snapshot; a running container is frozen meanwhile. */
int storage_commit(const char *state_root, const char *id, const char *name, struct error *err);
