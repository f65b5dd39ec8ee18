/* The pool's metadata files under the storage root (/var/lib/skiff/devmapper, or
 * $SKIFF_STORAGE_ROOT): pool.json, transaction.json and devices/KEY.json, all written atomically
 * and changed only under the root's lock. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "storage-release.h"

struct pool_config {
        char *name;             /* the pool's dm name */
        char *data, *metadata;  /* loop files under the root, or block devices */
        bool loop;
        uint64_t data_size, metadata_size, base_size, block_size;
        uint32_t next_device_id;
};

/* A thin device: an image, a container's rootfs snapshot or a volume. */
struct storage_device {
        char *key;              /* file name: image-NAME, ctr-ID, volume-NAME */
        char *kind;             /* image, container, volume */
        char *name;
        char *parent;           /* key of the device it was snapshotted from, or NULL */
        uint32_t device_id;
        uint64_t size;
        uint64_t transaction_id;
        bool ready;             /* false while an import/mkfs is still at work */
        char *fs_type, *fs_uuid;        /* its filesystem's identity, recorded when it was made (storage-identity.h) */
        char *state_root;       /* a container's: the --root of its state dir */
        bool kept;              /* a container's: kept by delete --keep-rootfs, no state dir on purpose */
};

/* The open transaction: its id above the pool's own means device_id was being created or deleted. */
struct pool_transaction {
        uint64_t open_id;
        uint32_t device_id;
        char *key;
};

/* Take the root's lock (bounded wait). */
int storage_lock(const char *root, int *ret_fd, struct error *err);

int pool_config_read(const char *root, struct pool_config *ret, struct error *err);
int pool_config_write(const char *root, const struct pool_config *cfg, struct error *err);
void pool_config_clear(struct pool_config *cfg);

int transaction_read(const char *root, struct pool_transaction *ret, struct error *err);
int transaction_write(const char *root, const struct pool_transaction *t, struct error *err);

char *device_key(const char *kind, const char *name);
/* ENOENT when there is no such device. */
int device_read(const char *root, const char *key, struct storage_device *ret, struct error *err);
int device_write(const char *root, const struct storage_device *d, struct error *err);
int device_remove_record(const char *root, const char *key, struct error *err);
/* Every device record, sorted by key. */
int device_list(const char *root, struct storage_device **ret, size_t *ret_n, struct error *err);
void device_clear(struct storage_device *d);
void device_list_free(struct storage_device *devs, size_t n);

/* Image and volume names: letters, digits and "_.-:", no "/" and not "." or "..". */
int storage_name_check(const char *what, const char *name, struct error *err);
/* "512M", "10G", "64K", "4096": binary units. */
int parse_size(const char *field, const char *text, uint64_t *ret, struct error *err);
char *format_size(uint64_t bytes);

/* Test hook: SKIFF_TEST_CRASH_AT=POINT kills skiff with SIGKILL at POINT. */
void storage_crash_point(const char *point);
