/* The thin pool: init, activation (after a reboot too), status, destroy, and the transactions
 * that create and delete its thin devices, kept consistent with the metadata files. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "storage-dm.h"
#include "storage-meta.h"

struct pool_init_options {
        const char *data_dev, *metadata_dev;    /* NULL: sparse loop files under the root */
        uint64_t data_size, metadata_size, base_size, block_size;
        bool wipe_metadata;
};

/* An open pool: the root's lock is held, the pool active, any open transaction resolved. */
struct storage_pool {
        char *root;
        int lock_fd;
        struct pool_config cfg;
        uint64_t transaction_id;        /* the kernel's */
};

int pool_init(const struct pool_init_options *o, struct error *err);
/* Load the pool's table over its data and metadata (loop devices attached first for loop files);
 * 1 when it was not active and now is, 0 when it already was. */
int pool_activate_table(const struct pool_config *cfg, struct error *err);
/* Whether `skiff pool init` has made the pool (its pool.json) under storage_root(). */
bool pool_initialised(void);
/* Open the pool; after a reboot this re-attaches the loop files and re-activates it. */
int pool_open(struct storage_pool *ret, struct error *err);
/* pool_open without the check of the images' filesystem identities on re-activation: for the
 * command that repairs them (storage-identity.h). */
int pool_open_unverified(struct storage_pool *ret, struct error *err);
void pool_close(struct storage_pool *p);
/* Remove the pool and its metadata; refused while devices exist unless `force`. */
int pool_destroy(bool force, struct error *err);

/* Refuse new devices when less than 10% of data or metadata space is free. */
int pool_check_free_space(struct storage_pool *p, struct error *err);
/* Create a thin device (origin NULL) or a snapshot of origin, record `d` (its key, kind, name, parent,
 * size, ready are the caller's; device_id and transaction_id are filled in). */
int pool_create_device(struct storage_pool *p, struct storage_device *d, const struct storage_device *origin,
                       struct error *err);
/* Deactivate, discard (loop pools give the space back) and delete the device and its record. */
int pool_delete_device(struct storage_pool *p, const struct storage_device *d, struct error *err);
/* The dm name of a thin device, its /dev/mapper path, and (de)activation. */
char *pool_device_name(const struct storage_pool *p, const struct storage_device *d);
int pool_activate(struct storage_pool *p, const struct storage_device *d, char **ret_path, struct error *err);
/* 1 when the device was busy and is now scheduled for deferred removal. */
int pool_deactivate(struct storage_pool *p, const struct storage_device *d, bool deferred, struct error *err);
