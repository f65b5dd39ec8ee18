/* Every device-mapper operation skiff makes, through libdevmapper. Errors carry the kernel's errno
 * (dm_task_get_errno), so callers tell EBUSY/EEXIST/ENXIO apart without reading log text. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct dm_pool_usage {
        uint64_t transaction_id;
        uint64_t meta_used, meta_total;         /* metadata blocks (4 KiB) */
        uint64_t data_used, data_total;         /* data blocks (the pool's block size) */
        bool read_only;                         /* metadata full or damaged: the kernel switched to ro */
        bool out_of_data_space;
        bool needs_check;
};

bool dm_device_exists(const char *name);
/* How many holders have the device open; -ENXIO when it does not exist. */
int dm_device_open_count(const char *name, struct error *err);
/* Create NAME with one target of `sectors` and resume it; EEXIST when it exists. */
int dm_device_create(const char *name, const char *target, uint64_t sectors, const char *params,
                     struct error *err);
/* Remove NAME; a missing device is not an error. When it is busy and `deferred`, ask the kernel to
 * remove it when its last holder closes it and return 1; busy and not deferred is -EBUSY. */
int dm_device_remove(const char *name, bool deferred, struct error *err);
/* Suspend (flushing and freezing a filesystem on it) and resume. */
int dm_device_suspend(const char *name, struct error *err);
int dm_device_resume(const char *name, struct error *err);
/* Send a message to a pool: create_thin, create_snap, delete, set_transaction_id. */
int dm_pool_message(const char *pool, const char *message, struct error *err);
int dm_pool_usage(const char *pool, struct dm_pool_usage *ret, struct error *err);
char *dm_device_path(const char *name);
