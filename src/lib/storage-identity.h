/* A device's filesystem identity (type and UUID, read from its superblock) is recorded when an image
 * or thin volume is made, inherited by its snapshots, and checked whenever one is mounted and when
 * the pool comes back after a reboot. A device id that names another filesystem (the metadata
 * files of another pool, a device changed behind skiff's back) is refused with the repair to run,
 * never mounted and never wiped (Docker's "Base Device UUID verification failed"). */
#pragma once
#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "storage-pool.h"

/* Read the identity of the filesystem on `path` into d->fs_type and d->fs_uuid. */
int storage_identity_record(struct storage_device *d, const char *path, struct error *err);
/* Refuse `path` unless its filesystem is the one recorded in `d` (records without one pass). */
int storage_identity_check(const struct storage_device *d, const char *path, struct error *err);
/* Activate `d` to mount it: *ret_path is its device once its filesystem proved to be the one
 * recorded; a device refused is deactivated again. Every mount of a pool device goes through here. */
int pool_activate_verified(struct storage_pool *p, const struct storage_device *d, char **ret_path,
                           struct error *err);
/* Check every image of an open pool (done when the pool is re-activated). */
int pool_check_image_identities(struct storage_pool *p, struct error *err);
/* skiff image verify [--accept] [NAME]: check the image (all of them without NAME), writing
 * "NAME TYPE UUID" for each to out; with `accept`, record the identity found as the image's. */
int image_verify(const char *name, bool accept, FILE *out, struct error *err);
