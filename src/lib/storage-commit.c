/* skiff commit: constant time, whatever the rootfs holds and whatever load the disk is under. The
 * container is frozen (its cgroup) and its device suspended (which flushes and freezes the
 * filesystem) only for the create_snap message. */
#include "storage-container.h"

#include <errno.h>
#include <string.h>

#include "cgroup.h"
#include "state.h"
#include "storage-pool.h"
#include "util.h"

static int snapshot(struct storage_pool *p, const struct storage_device *ctr, const char *name, bool active,
                    struct error *err)
{
        _cleanup_free_ char *dm_name = pool_device_name(p, ctr);
        _cleanup_free_ char *key = device_key("image", name);
        struct storage_device image = { .key = key, .kind = "image", .name = (char *)name, .parent = ctr->parent,
                                        .size = ctr->size, .ready = true, .fs_type = ctr->fs_type,
                                        .fs_uuid = ctr->fs_uuid };
        struct error ignored = { 0 };
        int r;

        /* dm-thin: an active origin must be suspended while its snapshot is taken. */
        if (active && (r = dm_device_suspend(dm_name, err)) < 0)
                return r;
        r = pool_create_device(p, &image, ctr, err);
        if (active && dm_device_resume(dm_name, r < 0 ? &ignored : err) < 0 && r == 0)
                r = -err->code;
        return r;
}

int storage_commit(const char *state_root, const char *id, const char *name, struct error *err)
{
        _cleanup_free_ char *ctr_key = device_key("container", id);
        _cleanup_free_ char *image_key = device_key("image", name);
        struct storage_pool p = { .lock_fd = -1 };
        struct storage_device ctr = { 0 }, existing = { 0 };
        struct error ignored = { 0 };
        struct state st = { 0 };
        bool freeze = false;
        int r;

        if ((r = storage_name_check("image", name, err)) < 0)
                return r;
        /* A container deleted with --keep-rootfs has no state, and its snapshot can still be committed. */
        r = state_read(state_root, id, &st, err);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r == 0)
                freeze = state_status(state_root, &st) == STATUS_RUNNING && st.cgroup;
        if ((r = pool_open(&p, err)) < 0)
                goto out;
        if ((r = device_read(p.root, ctr_key, &ctr, err)) < 0) {
                if (r == -ENOENT)
                        r = error_set(err, ENOENT, "container %s does not exist or has no thin rootfs "
                                      "(annotation " ANNOTATION_IMAGE ")", id);
                goto out;
        }
        if (device_read(p.root, image_key, &existing, &ignored) == 0) {
                r = error_set(err, EEXIST, "image %s already exists", name);
                goto out;
        }
        if ((r = pool_check_free_space(&p, err)) < 0)
                goto out;
        if (freeze && (r = cgroup_freeze(st.cgroup, true, err)) < 0)
                goto out;
        {
                _cleanup_free_ char *dm_name = pool_device_name(&p, &ctr);
                r = snapshot(&p, &ctr, name, dm_device_exists(dm_name), err);
        }
        if (freeze && cgroup_freeze(st.cgroup, false, r < 0 ? &ignored : err) < 0 && r == 0)
                r = -err->code;
out:
        device_clear(&ctr);
        device_clear(&existing);
        pool_close(&p);
        state_clear(&st);
        return r;
}
