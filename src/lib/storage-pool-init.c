/* skiff pool init: checks every option before anything is made, and leaves nothing behind when it
 * fails (no storage root, lock, loop file, loop or dm device). */
#include "storage-pool.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define SECTOR 512
#define METADATA_BLOCK 4096

/* A metadata device whose first block is not zero holds some pool's (or filesystem's) data. */
static int check_metadata_header(const char *path, bool wipe, struct error *err)
{
        _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC);
        char block[METADATA_BLOCK], zero[METADATA_BLOCK] = { 0 };
        ssize_t n;

        if (fd < 0)
                return error_sys(err, errno, "open %s", path);
        n = pread(fd, block, sizeof(block), 0);
        if (n < 0)
                return error_sys(err, errno, "read %s", path);
        if (n < (ssize_t)sizeof(block))
                memset(block + n, 0, sizeof(block) - (size_t)n);
        if (memcmp(block, zero, sizeof(block)) == 0)
                return 0;
        if (!wipe)
                return error_set(err, EEXIST, "the metadata device %s holds a stale header (an old pool?): "
                                 "pass --wipe-metadata to erase it", path);
        if (pwrite(fd, zero, sizeof(zero), 0) != (ssize_t)sizeof(zero) || fsync(fd) < 0)
                return error_sys(err, errno, "wipe %s", path);
        return 0;
}

static int make_sparse_file(const char *path, uint64_t size, bool *ret_created, struct error *err)
{
        _cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

        *ret_created = false;
        if (fd < 0 && errno == EEXIST)
                fd = open(path, O_RDWR | O_CLOEXEC);
        else if (fd >= 0)
                *ret_created = true;
        if (fd < 0)
                return error_sys(err, errno, "create %s", path);
        if (ftruncate(fd, (off_t)size) < 0)
                return error_sys(err, errno, "size %s to %" PRIu64 " bytes", path, size);
        return 0;
}

/* A dm name of its own for each storage root, so that test roots never meet the real pool. */
static char *pool_name_for(const char *root)
{
        uint32_t h = 2166136261u;

        if (strcmp(root, STORAGE_ROOT_DEFAULT) == 0)
                return xstrdup("skiff-pool");
        for (const char *p = root; *p; p++)
                h = (h ^ (unsigned char)*p) * 16777619u;
        return xasprintf("skiff-%08x-pool", h);
}

static int check_block_device(const char *field, const char *path, struct error *err)
{
        struct stat st;

        if (stat(path, &st) < 0)
                return error_sys(err, errno, "%s %s", field, path);
        if (!S_ISBLK(st.st_mode))
                return error_set(err, ENOTBLK, "%s %s: not a block device", field, path);
        return 0;
}

static int check_init_options(const struct pool_init_options *o, struct error *err)
{
        int r;

        if (!o->data_dev != !o->metadata_dev)
                return error_set(err, EINVAL, "--data-dev and --metadata-dev go together");
        if (o->data_dev && (r = check_block_device("--data-dev", o->data_dev, err)) < 0)
                return r;
        if (o->metadata_dev && (r = check_block_device("--metadata-dev", o->metadata_dev, err)) < 0)
                return r;
        if (o->block_size % (64 * 1024) || o->block_size > (1ull << 30))
                return error_set(err, EINVAL, "--block-size: must be a multiple of 64K, at most 1G");
        if (o->base_size % SECTOR)
                return error_set(err, EINVAL, "--base-size: must be a multiple of 512 bytes");
        if (!o->data_dev && o->data_size < 16 * o->block_size)
                return error_set(err, EINVAL, "--data-size: at least 16 blocks of --block-size");
        if (!o->data_dev && o->metadata_size < 2 * 1024 * 1024)
                return error_set(err, EINVAL, "--metadata-size: at least 2M");
        return 0;
}

/* The topmost missing directory on the way to `path` (NULL when it exists): what a failed init
 * removes again. */
static char *first_missing_dir(const char *path)
{
        _cleanup_free_ char *p = xstrdup(path);
        char *missing = NULL, *slash;

        while (access(p, F_OK) < 0 && errno == ENOENT) {
                free(missing);
                missing = xstrdup(p);
                slash = strrchr(p, '/');
                if (!slash || slash == p)
                        break;
                *slash = '\0';
        }
        return missing;
}

/* Everything an init that failed made: it leaves nothing behind. */
static void undo_init(const char *root, const char *made_root, bool made_lock, const struct pool_config *cfg,
                      bool made_data, bool made_meta)
{
        _cleanup_free_ char *lock = xasprintf("%s/lock", root);
        _cleanup_free_ char *trans = xasprintf("%s/transaction.json", root);
        struct error ignored = { 0 };

        if (made_data)
                unlink(cfg->data);
        if (made_meta)
                unlink(cfg->metadata);
        unlink(trans);
        if (made_lock)
                unlink(lock);
        if (made_root)
                rm_rf(made_root, &ignored);
}

int pool_init(const struct pool_init_options *o, struct error *err)
{
        const char *root = storage_root();
        _cleanup_free_ char *lock_path = xasprintf("%s/lock", root);
        _cleanup_free_ char *made_root = NULL;
        struct pool_config cfg = { .block_size = o->block_size, .base_size = o->base_size, .next_device_id = 1 };
        struct pool_transaction t = { 0 };
        bool made_data = false, made_meta = false, made_lock;
        _cleanup_close_ int lock = -1;
        int r;

        if ((r = check_init_options(o, err)) < 0)
                return r;
        made_root = first_missing_dir(root);
        made_lock = access(lock_path, F_OK) < 0;
        if ((r = storage_lock(root, &lock, err)) < 0)
                goto fail;
        if (pool_initialised()) {
                /* Not ours to undo: the pool that is there made the root and its lock. */
                made_lock = false;
                r = error_set(err, EEXIST, "the thin pool in %s is already initialised (skiff pool status)", root);
                goto fail;
        }
        cfg.name = pool_name_for(root);
        cfg.loop = !o->data_dev;
        cfg.data = o->data_dev ? xstrdup(o->data_dev) : xasprintf("%s/data", root);
        cfg.metadata = o->metadata_dev ? xstrdup(o->metadata_dev) : xasprintf("%s/metadata", root);
        cfg.data_size = o->data_size;
        cfg.metadata_size = o->metadata_size;
        if (dm_device_exists(cfg.name)) {
                r = error_set(err, EEXIST, "a device-mapper device %s already exists", cfg.name);
                goto fail;
        }
        /* Before anything is made or resized: a fresh loop file has no header. */
        if (access(cfg.metadata, F_OK) == 0 && (r = check_metadata_header(cfg.metadata, o->wipe_metadata, err)) < 0)
                goto fail;
        if (cfg.loop && ((r = make_sparse_file(cfg.data, o->data_size, &made_data, err)) < 0 ||
                         (r = make_sparse_file(cfg.metadata, o->metadata_size, &made_meta, err)) < 0))
                goto fail;
        if ((r = pool_activate_table(&cfg, err)) < 0)
                goto fail;
        if ((r = transaction_write(root, &t, err)) < 0 || (r = pool_config_write(root, &cfg, err)) < 0) {
                struct error ignored = { 0 };
                dm_device_remove(cfg.name, false, &ignored);
                goto fail;
        }
        r = 0;
        goto out;
fail:
        undo_init(root, made_root, made_lock, &cfg, made_data, made_meta);
out:
        pool_config_clear(&cfg);
        return r;
}
