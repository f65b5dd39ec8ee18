/* skiff commit: constant time, whatever the rootfs holds and whatever load the disk is under. The
 * container is frozen (its cgroup) and its device suspended (which flushes and freezes the
 * filesystem) only for the create_snap message. */
#include "storage-container.h"

#include <errno.h>
#include <string.h>

#include "state.h"
#include "storage-pool.h"
#include "util.h"

#define FREEZE_TIMEOUT_MS 10000

static char *freezer_file(const char *cgroup, const char **ret_frozen, const char **ret_thawed)
{
        if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
                *ret_frozen = "1";
                *ret_thawed = "0";
                return xasprintf("/sys/fs/cgroup/%s/cgroup.freeze", cgroup);
        }
        *ret_frozen = "FROZEN";
        *ret_thawed = "THAWED";
        return xasprintf("/sys/fs/cgroup/freezer/%s/freezer.state", cgroup);
}

/* Freeze or thaw the container's cgroup and wait (bounded) until the kernel says it is done. */
static int set_frozen(const char *cgroup, bool frozen, struct error *err)
{
        const char *want_frozen, *want_thawed;
        _cleanup_free_ char *path = freezer_file(cgroup, &want_frozen, &want_thawed);
        _cleanup_free_ char *events = NULL;
        const char *want = frozen ? want_frozen : want_thawed;
        int r;

        if ((r = write_file(path, want, err)) < 0)
                return r;
        if (!frozen)
                return 0;
        /* v2 reports "frozen 1" in cgroup.events; v1 moves freezer.state from FREEZING to FROZEN. */
        if (strcmp(want, "1") == 0)
                events = xasprintf("/sys/fs/cgroup/%s/cgroup.events", cgroup);
        for (int waited = 0; waited < FREEZE_TIMEOUT_MS; waited += 10) {
                _cleanup_free_ char *text = NULL;

                if ((r = read_file(events ? events : path, &text, NULL, err)) < 0)
                        return r;
                if (events ? strstr(text, "frozen 1") != NULL : strncmp(text, "FROZEN", 6) == 0)
                        return 0;
                usleep(10 * 1000);
        }
        write_file(path, want_thawed, err);
        return error_set(err, ETIMEDOUT, "the container did not freeze in %d ms", FREEZE_TIMEOUT_MS);
}

static int snapshot(struct storage_pool *p, const struct storage_device *ctr, const char *name, bool active,
                    struct error *err)
{
        _cleanup_free_ char *dm_name = pool_device_name(p, ctr);
        _cleanup_free_ char *key = device_key("image", name);
        struct storage_device image = { .key = key, .kind = "image", .name = (char *)name, .parent = ctr->parent,
                                        .size = ctr->size, .ready = true };
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
        if (freeze && (r = set_frozen(st.cgroup, true, err)) < 0)
                goto out;
        {
                _cleanup_free_ char *dm_name = pool_device_name(&p, &ctr);
                r = snapshot(&p, &ctr, name, dm_device_exists(dm_name), err);
        }
        if (freeze && set_frozen(st.cgroup, false, r < 0 ? &ignored : err) < 0 && r == 0)
                r = -err->code;
out:
        device_clear(&ctr);
        device_clear(&existing);
        pool_close(&p);
        state_clear(&st);
        return r;
}
