#include "storage-pool.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "storage-identity.h"
#include "util.h"

#define SECTOR 512
/* dm-thin device ids are 24 bits. */
#define MAX_DEVICE_ID ((1u << 24) - 1)
#define MIN_FREE_PERCENT 10

/* Attach a loop device to `file` that goes away by itself once its last holder (the pool) lets go.
 * The returned fd keeps it until the pool's table holds it. */
static int loop_attach(const char *file, char **ret_dev, int *ret_fd, struct error *err)
{
        _cleanup_close_ int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
        _cleanup_close_ int backing = open(file, O_RDWR | O_CLOEXEC);

        if (ctl < 0)
                return error_sys(err, errno, "open /dev/loop-control");
        if (backing < 0)
                return error_sys(err, errno, "open %s", file);
        for (int attempt = 0; attempt < 20; attempt++) {
                struct loop_config cfg = { .fd = (uint32_t)backing };
                _cleanup_free_ char *dev = NULL;
                _cleanup_close_ int fd = -1;
                int n = ioctl(ctl, LOOP_CTL_GET_FREE);

                if (n < 0)
                        return error_sys(err, errno, "find a free loop device");
                dev = xasprintf("/dev/loop%d", n);
                fd = open(dev, O_RDWR | O_CLOEXEC);
                if (fd < 0)
                        return error_sys(err, errno, "open %s", dev);
                cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
                strncpy((char *)cfg.info.lo_file_name, file, LO_NAME_SIZE - 1);
                if (ioctl(fd, LOOP_CONFIGURE, &cfg) < 0) {
                        if (errno == EBUSY)
                                continue; /* another process took it between the two calls */
                        return error_sys(err, errno, "attach %s to %s", file, dev);
                }
                *ret_dev = TAKE_PTR(dev);
                *ret_fd = TAKE_FD(fd);
                return 0;
        }
        return error_set(err, EBUSY, "attach %s: every free loop device was taken by others", file);
}

static int device_bytes(int fd, const char *path, uint64_t *ret, struct error *err)
{
        struct stat st;

        if (fstat(fd, &st) < 0)
                return error_sys(err, errno, "stat %s", path);
        if (S_ISREG(st.st_mode)) {
                *ret = (uint64_t)st.st_size;
                return 0;
        }
        if (!S_ISBLK(st.st_mode))
                return error_set(err, EINVAL, "%s is not a block device", path);
        if (ioctl(fd, BLKGETSIZE64, ret) < 0)
                return error_sys(err, errno, "size of %s", path);
        return 0;
}

/* Open the backing store: a loop device over the file, or the block device itself. */
static int backing_open(const struct pool_config *cfg, const char *path, char **ret_dev, int *ret_fd,
                        struct error *err)
{
        int fd;

        if (cfg->loop)
                return loop_attach(path, ret_dev, ret_fd, err);
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return error_sys(err, errno, "open %s", path);
        *ret_dev = xstrdup(path);
        *ret_fd = fd;
        return 0;
}

int pool_activate_table(const struct pool_config *cfg, struct error *err)
{
        _cleanup_free_ char *meta_dev = NULL, *data_dev = NULL, *params = NULL;
        _cleanup_close_ int meta_fd = -1, data_fd = -1;
        uint64_t data_bytes;
        int r;

        if (dm_device_exists(cfg->name))
                return 0;
        if ((r = backing_open(cfg, cfg->metadata, &meta_dev, &meta_fd, err)) < 0 ||
            (r = backing_open(cfg, cfg->data, &data_dev, &data_fd, err)) < 0)
                return error_wrap(err, "activate the thin pool");
        if ((r = device_bytes(data_fd, data_dev, &data_bytes, err)) < 0)
                return r;
        data_bytes -= data_bytes % cfg->block_size;
        /* 32768 blocks of low water mark; error_if_no_space: a full pool fails writes at once
         * instead of queueing them (a hang of no_space_timeout) */
        params = xasprintf("%s %s %" PRIu64 " 32768 2 skip_block_zeroing error_if_no_space", meta_dev, data_dev,
                           cfg->block_size / SECTOR);
        if ((r = dm_device_create(cfg->name, "thin-pool", data_bytes / SECTOR, params, err)) < 0)
                return error_wrap(err, "activate the thin pool");
        return 1;
}

/* Docker's protocol: an open transaction id above the pool's means the device in it was being
 * created or deleted when skiff died. Either way the consistent state is "no such device": delete it
 * from the pool (if it got there) and drop its record (if it was written). */
static int resolve_open_transaction(struct storage_pool *p, struct error *err)
{
        struct pool_transaction t = { 0 };
        struct storage_device d = { 0 };
        struct error ignored = { 0 };
        int r;

        if ((r = transaction_read(p->root, &t, err)) < 0)
                return r;
        if (t.open_id < p->transaction_id) {
                r = error_set(err, EINVAL, "the pool's transaction id %" PRIu64 " is ahead of %s/transaction.json (%" PRIu64
                              "): these metadata files do not belong to this pool", p->transaction_id, p->root, t.open_id);
                goto out;
        }
        if (t.open_id == p->transaction_id)
                goto out;
        {
                _cleanup_free_ char *msg = xasprintf("delete %u", t.device_id);
                r = dm_pool_message(p->cfg.name, msg, &ignored);
                if (r < 0 && r != -ENODATA && r != -ENOENT && r != -EINVAL) {
                        r = error_wrap(&ignored, "roll back transaction %" PRIu64, t.open_id);
                        *err = ignored;
                        goto out;
                }
        }
        if (t.key && *t.key && device_read(p->root, t.key, &d, &ignored) == 0 && d.device_id == t.device_id &&
            (r = device_remove_record(p->root, t.key, err)) < 0)
                goto out;
        t.open_id = p->transaction_id;
        r = transaction_write(p->root, &t, err);
out:
        device_clear(&d);
        free(t.key);
        return r;
}

/* An import or mkfs that died half-way left a device that is not ready: nobody else can be at work
 * on it, since its creator held the lock we now hold. */
static int drop_unfinished_devices(struct storage_pool *p, struct error *err)
{
        struct storage_device *devs = NULL;
        size_t n = 0;
        int r;

        if ((r = device_list(p->root, &devs, &n, err)) < 0)
                return r;
        for (size_t i = 0; i < n && r == 0; i++)
                if (!devs[i].ready)
                        r = pool_delete_device(p, &devs[i], err);
        device_list_free(devs, n);
        return r;
}

bool pool_initialised(void)
{
        _cleanup_free_ char *config = xasprintf("%s/pool.json", storage_root());

        return access(config, F_OK) == 0;
}

static int open_pool(struct storage_pool *ret, bool verify, struct error *err)
{
        struct storage_pool p = { .root = xstrdup(storage_root()), .lock_fd = -1 };
        struct dm_pool_usage u;
        bool activated;
        int r;

        /* Before the lock, which would make the root: a missing pool leaves nothing behind. */
        if (!pool_initialised()) {
                r = pool_config_read(p.root, &p.cfg, err);
                goto fail;
        }
        if ((r = storage_lock(p.root, &p.lock_fd, err)) < 0 || (r = pool_config_read(p.root, &p.cfg, err)) < 0 ||
            (r = pool_activate_table(&p.cfg, err)) < 0)
                goto fail;
        activated = r == 1;
        if ((r = dm_pool_usage(p.cfg.name, &u, err)) < 0)
                goto fail;
        p.transaction_id = u.transaction_id;
        if ((r = resolve_open_transaction(&p, err)) < 0 || (r = drop_unfinished_devices(&p, err)) < 0)
                goto fail;
        /* Back after a reboot: are the devices still the filesystems the records describe? If not, the
         * pool goes down again, so that every command refuses it until it is repaired. */
        if (activated && verify && (r = pool_check_image_identities(&p, err)) < 0) {
                struct error ignored = { 0 };
                dm_device_remove(p.cfg.name, false, &ignored);
                goto fail;
        }
        *ret = p;
        return 0;
fail:
        pool_close(&p);
        return r;
}

int pool_open(struct storage_pool *ret, struct error *err)
{
        return open_pool(ret, true, err);
}

int pool_open_unverified(struct storage_pool *ret, struct error *err)
{
        return open_pool(ret, false, err);
}

void pool_close(struct storage_pool *p)
{
        pool_config_clear(&p->cfg);
        free(p->root);
        p->root = NULL;
        if (p->lock_fd >= 0)
                close(p->lock_fd);
        p->lock_fd = -1;
}

int pool_destroy(bool force, struct error *err)
{
        struct storage_pool p = { 0 };
        struct storage_device *devs = NULL;
        size_t n = 0;
        int r;

        /* Unverified: a pool that is refused for a changed identity can still be destroyed. */
        if ((r = open_pool(&p, false, err)) < 0)
                return r;
        if ((r = device_list(p.root, &devs, &n, err)) < 0)
                goto out;
        if (n && !force) {
                r = error_set(err, EBUSY, "the pool still holds %zu devices (images, containers, volumes; first %s): "
                              "remove them or pass --force", n, devs[0].key);
                goto out;
        }
        for (size_t i = 0; i < n && r == 0; i++)
                if ((r = pool_deactivate(&p, &devs[i], false, err)) == 0)
                        r = device_remove_record(p.root, devs[i].key, err);
        if (r < 0 || (r = dm_device_remove(p.cfg.name, false, err)) < 0)
                goto out;
        {
                _cleanup_free_ char *config = xasprintf("%s/pool.json", p.root);
                _cleanup_free_ char *trans = xasprintf("%s/transaction.json", p.root);
                _cleanup_free_ char *devdir = xasprintf("%s/devices", p.root);
                _cleanup_free_ char *mnt = xasprintf("%s/mnt", p.root);

                if (p.cfg.loop && ((unlink(p.cfg.data) < 0 && errno != ENOENT) ||
                                   (unlink(p.cfg.metadata) < 0 && errno != ENOENT))) {
                        r = error_sys(err, errno, "remove the pool's loop files");
                        goto out;
                }
                if ((r = rm_rf(devdir, err)) < 0 || (r = rm_rf(mnt, err)) < 0)
                        goto out;
                unlink(trans);
                unlink(config);
        }
out:
        device_list_free(devs, n);
        pool_close(&p);
        return r;
}

static int percent(uint64_t used, uint64_t total)
{
        return total ? (int)(used * 100 / total) : 100;
}

int pool_check_free_space(struct storage_pool *p, struct error *err)
{
        struct dm_pool_usage u;
        int r;

        if ((r = dm_pool_usage(p->cfg.name, &u, err)) < 0)
                return r;
        if (u.needs_check || u.read_only)
                return error_set(err, EROFS, "the thin pool %s is read-only (metadata full or damaged): "
                                 "run thin_check on its metadata", p->cfg.name);
        if (u.out_of_data_space || percent(u.data_used, u.data_total) > 100 - MIN_FREE_PERCENT)
                return error_set(err, ENOSPC, "the thin pool is full: data %d%% used, skiff keeps %d%% free "
                                 "(remove images or containers; skiff pool status)",
                                 percent(u.data_used, u.data_total), MIN_FREE_PERCENT);
        if (percent(u.meta_used, u.meta_total) > 100 - MIN_FREE_PERCENT)
                return error_set(err, ENOSPC, "the thin pool is full: metadata %d%% used, skiff keeps %d%% free "
                                 "(remove images or containers; skiff pool status)",
                                 percent(u.meta_used, u.meta_total), MIN_FREE_PERCENT);
        return 0;
}

static int set_transaction_id(struct storage_pool *p, struct error *err)
{
        _cleanup_free_ char *msg = xasprintf("set_transaction_id %" PRIu64 " %" PRIu64, p->transaction_id,
                                             p->transaction_id + 1);
        int r;

        if ((r = dm_pool_message(p->cfg.name, msg, err)) < 0)
                return r;
        p->transaction_id++;
        return 0;
}

static int open_transaction(struct storage_pool *p, const char *key, uint32_t device_id, struct error *err)
{
        struct pool_transaction t = { .open_id = p->transaction_id + 1, .device_id = device_id, .key = (char *)key };

        return transaction_write(p->root, &t, err);
}

int pool_create_device(struct storage_pool *p, struct storage_device *d, const struct storage_device *origin,
                       struct error *err)
{
        int r;

        if ((r = pool_check_free_space(p, err)) < 0)
                return r;
        for (;;) {
                uint32_t id = p->cfg.next_device_id;
                _cleanup_free_ char *msg = origin ? xasprintf("create_snap %u %u", id, origin->device_id)
                                                  : xasprintf("create_thin %u", id);

                if (id == 0 || id > MAX_DEVICE_ID)
                        return error_set(err, ENOSPC, "the thin pool has used up its %u device ids", MAX_DEVICE_ID);
                p->cfg.next_device_id = id + 1;
                if ((r = pool_config_write(p->root, &p->cfg, err)) < 0 ||
                    (r = open_transaction(p, d->key, id, err)) < 0)
                        return r;
                storage_crash_point("create:after-open");
                r = dm_pool_message(p->cfg.name, msg, err);
                if (r == -EEXIST)
                        continue; /* an id left over by a rolled-back transaction */
                if (r < 0)
                        return r == -ENOSPC ? error_wrap(err, "the thin pool is full") : r;
                storage_crash_point("create:after-message");
                d->device_id = id;
                d->transaction_id = p->transaction_id + 1;
                if ((r = device_write(p->root, d, err)) < 0)
                        return r;
                storage_crash_point("create:after-record");
                return set_transaction_id(p, err);
        }
}

/* Loop-backed pools give freed blocks back to the host's filesystem only when told by a discard. */
static int discard_device(struct storage_pool *p, const struct storage_device *d, struct error *err)
{
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        uint64_t range[2] = { 0, d->size };
        int r;

        if ((r = pool_activate(p, d, &path, err)) < 0)
                return r;
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                r = error_sys(err, errno, "open %s", path);
        else if (ioctl(fd, BLKDISCARD, range) < 0 && errno != EOPNOTSUPP)
                r = error_sys(err, errno, "discard %s", path);
        if (fd >= 0)
                close(TAKE_FD(fd));
        {
                struct error ignored = { 0 };
                int q = pool_deactivate(p, d, false, r < 0 ? &ignored : err);
                return r < 0 ? r : q;
        }
}

int pool_delete_device(struct storage_pool *p, const struct storage_device *d, struct error *err)
{
        _cleanup_free_ char *msg = xasprintf("delete %u", d->device_id);
        int r;

        if ((r = pool_deactivate(p, d, false, err)) < 0)
                return r == -EBUSY ? error_set(err, EBUSY, "%s is in use (its device is open)", d->key) : r;
        if (p->cfg.loop && (r = discard_device(p, d, err)) < 0)
                return r;
        if ((r = open_transaction(p, d->key, d->device_id, err)) < 0)
                return r;
        storage_crash_point("delete:after-open");
        r = dm_pool_message(p->cfg.name, msg, err);
        if (r < 0 && r != -ENODATA)
                return r;
        storage_crash_point("delete:after-message");
        if ((r = device_remove_record(p->root, d->key, err)) < 0)
                return r;
        storage_crash_point("delete:after-record");
        return set_transaction_id(p, err);
}

char *pool_device_name(const struct storage_pool *p, const struct storage_device *d)
{
        return xasprintf("%s-%u", p->cfg.name, d->device_id);
}

int pool_activate(struct storage_pool *p, const struct storage_device *d, char **ret_path, struct error *err)
{
        _cleanup_free_ char *name = pool_device_name(p, d);
        _cleanup_free_ char *pool_path = dm_device_path(p->cfg.name);
        _cleanup_free_ char *params = xasprintf("%s %u", pool_path, d->device_id);
        int r;

        if (!dm_device_exists(name) && (r = dm_device_create(name, "thin", d->size / SECTOR, params, err)) < 0)
                return error_wrap(err, "activate %s", d->key);
        if (ret_path)
                *ret_path = dm_device_path(name);
        return 0;
}

int pool_deactivate(struct storage_pool *p, const struct storage_device *d, bool deferred, struct error *err)
{
        _cleanup_free_ char *name = pool_device_name(p, d);

        return dm_device_remove(name, deferred, err);
}
