#include "storage-container.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "state.h"
#include "storage-identity.h"
#include "storage-pool.h"
#include "storage-volume.h"
#include "util.h"

/* An ext4 mount of device, made here and attached nowhere (see struct storage_attach). Takes device
 * (allocated) over, whatever happens. */
static int add_detached_mount(struct storage_attach *a, char *device, const char *target, unsigned attrs,
                              struct error *err)
{
        _cleanup_free_ char *owned = device;
        _cleanup_close_ int fs = fsopen("ext4", FSOPEN_CLOEXEC);
        int fd;

        if (fs < 0)
                return error_sys(err, errno, "fsopen ext4");
        if (fsconfig(fs, FSCONFIG_SET_STRING, "source", device, 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return error_sys(err, errno, "mount %s", device);
        fd = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
        if (fd < 0)
                return error_sys(err, errno, "mount %s", device);
        a->mounts = xrealloc(a->mounts, (a->n_mounts + 1) * sizeof(*a->mounts));
        a->mounts[a->n_mounts++] = (struct storage_mount){ .fd = fd, .target = xstrdup(target),
                                                           .device = TAKE_PTR(owned) };
        return 0;
}

static bool has_destination(const struct spec *spec, const char *dest)
{
        for (size_t i = 0; i < spec->n_mounts; i++)
                if (streq_ptr(spec->mounts[i].destination, dest))
                        return true;
        return false;
}

/* Add the other container's volume mounts (those whose source is a named volume) to spec. */
static int add_volumes_from(struct spec *spec, const char *state_root, const char *from, struct error *err)
{
        struct state st = { 0 };
        struct spec *other = NULL;
        int r;

        if ((r = state_read(state_root, from, &st, err)) < 0)
                return error_wrap(err, "annotations: " ANNOTATION_VOLUMES_FROM);
        _cleanup_free_ char *kept = state_path(state_root, from, NULL);
        if ((r = spec_load(kept, &other, err)) < 0) {
                state_clear(&st);
                return error_wrap(err, "annotations: " ANNOTATION_VOLUMES_FROM ": container %s", from);
        }
        for (size_t i = 0; i < other->n_mounts; i++) {
                const struct spec_mount *m = &other->mounts[i];
                _cleanup_free_ char *name = volume_name_of(m->source);

                if (!name || has_destination(spec, m->destination))
                        continue;
                spec->mounts = xrealloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*spec->mounts));
                spec->mounts[spec->n_mounts++] = (struct spec_mount){
                        .destination = xstrdup(m->destination), .type = m->type ? xstrdup(m->type) : NULL,
                        .source = xstrdup(m->source), .options = strv_copy(m->options),
                };
        }
        spec_free(other);
        state_clear(&st);
        return 0;
}

static bool any_thin_volume(const struct spec *spec)
{
        for (size_t i = 0; i < spec->n_mounts; i++) {
                _cleanup_free_ char *name = volume_name_of(spec->mounts[i].source);
                _cleanup_free_ char *key = name ? device_key("volume", name) : NULL;
                _cleanup_free_ char *rec = key ? xasprintf("%s/devices/%s.json", storage_root(), key) : NULL;

                if (rec && access(rec, F_OK) == 0)
                        return true;
        }
        return false;
}

/* Thin volumes stay active between containers: deactivating one another container is about to
 * mount would race; `volume rm` deactivates. */
static int activate_volumes(struct storage_pool *p, const struct spec *spec, struct storage_attach *a,
                            struct error *err)
{
        for (size_t i = 0; i < spec->n_mounts; i++) {
                _cleanup_free_ char *name = volume_name_of(spec->mounts[i].source);
                _cleanup_free_ char *key = name ? device_key("volume", name) : NULL;
                struct storage_device d = { 0 };
                struct error ignored = { 0 };
                char *dev = NULL;
                int r;

                if (!key || device_read(p->root, key, &d, &ignored) < 0)
                        continue;
                r = pool_activate_verified(p, &d, &dev, err);
                device_clear(&d);
                if (r == 0)
                        r = add_detached_mount(a, dev, spec->mounts[i].source, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID, err);
                if (r < 0)
                        return error_wrap(err, "mounts: volume %s", name);
        }
        return 0;
}

static int prepare_rootfs(struct storage_pool *p, const struct spec *spec, const char *state_root, const char *id,
                          const char *image, struct storage_attach *a, struct error *err)
{
        _cleanup_free_ char *image_key = device_key("image", image);
        _cleanup_free_ char *key = device_key("container", id);
        struct storage_device img = { 0 }, snap = { 0 };
        struct error ignored = { 0 };
        _cleanup_free_ char *dev = NULL;
        int r;

        if ((r = storage_name_check("annotations: " ANNOTATION_IMAGE, image, err)) < 0)
                return r;
        if ((r = device_read(p->root, image_key, &img, err)) < 0) {
                if (r == -ENOENT)
                        r = error_set(err, ENOENT, "annotations: " ANNOTATION_IMAGE ": image %s does not exist "
                                      "(skiff image ls)", image);
                return r;
        }
        /* A snapshot kept by `delete --keep-rootfs` is this container's rootfs again. */
        if (device_read(p->root, key, &snap, &ignored) == 0) {
                if (!streq_ptr(snap.parent, image_key))
                        r = error_set(err, EEXIST, "annotations: " ANNOTATION_IMAGE ": container %s kept a rootfs "
                                      "of %s, not of image %s", id, snap.parent ? snap.parent : "?", image);
                else if (snap.kept || !streq_ptr(snap.state_root, state_root)) {
                        snap.kept = false;
                        free(snap.state_root);
                        snap.state_root = xstrdup(state_root);
                        r = device_write(p->root, &snap, err);
                }
        } else {
                snap = (struct storage_device){ .key = xstrdup(key), .kind = xstrdup("container"), .name = xstrdup(id),
                                                .parent = xstrdup(image_key), .size = img.size, .ready = true,
                                                .fs_type = img.fs_type ? xstrdup(img.fs_type) : NULL,
                                                .fs_uuid = img.fs_uuid ? xstrdup(img.fs_uuid) : NULL,
                                                .state_root = xstrdup(state_root) };
                if ((r = pool_create_device(p, &snap, &img, err)) == 0)
                        a->created = true;
        }
        if (r == 0 && mkdir(spec->root_path, 0755) < 0 && errno != EEXIST)
                r = error_sys(err, errno, "root.path: create %s", spec->root_path);
        if (r == 0) {
                if ((r = pool_activate_verified(p, &snap, &dev, err)) == 0 &&
                    (r = add_detached_mount(a, TAKE_PTR(dev), spec->root_path, 0, err)) == 0)
                        a->has_rootfs = true;
                else
                        error_wrap(err, "annotations: " ANNOTATION_IMAGE);
        }
        if (r < 0 && a->created)
                pool_delete_device(p, &snap, &ignored);
        device_clear(&img);
        device_clear(&snap);
        return r;
}

int storage_container_prepare(struct spec *spec, const char *state_root, const char *id,
                              struct storage_attach **ret, struct error *err)
{
        const char *image = spec_annotation(spec, ANNOTATION_IMAGE);
        const char *from = spec_annotation(spec, ANNOTATION_VOLUMES_FROM);
        struct storage_pool p = { .lock_fd = -1 };
        struct storage_attach *a;
        int r;

        *ret = NULL;
        if (from && (r = add_volumes_from(spec, state_root, from, err)) < 0)
                return r;
        if (!image && !any_thin_volume(spec))
                return 0;
        if ((r = pool_open(&p, err)) < 0)
                return image ? error_wrap(err, "annotations: " ANNOTATION_IMAGE) : r;
        a = xcalloc(1, sizeof(*a));
        if ((r = activate_volumes(&p, spec, a, err)) == 0 && image)
                r = prepare_rootfs(&p, spec, state_root, id, image, a, err);
        pool_close(&p);
        if (r < 0) {
                storage_attach_free(a);
                return r;
        }
        *ret = a;
        return 0;
}

void storage_container_abort(const char *id, struct storage_attach *a)
{
        struct error ignored = { 0 };

        if (!a || !a->has_rootfs)
                return;
        /* Our detached mount holds the device open: let go of it first. */
        for (size_t i = 0; i < a->n_mounts; i++)
                if (a->mounts[i].fd >= 0)
                        close(TAKE_FD(a->mounts[i].fd));
        storage_container_remove(id, !a->created, &ignored);
}

void storage_attach_free(struct storage_attach *a)
{
        if (!a)
                return;
        for (size_t i = 0; i < a->n_mounts; i++) {
                if (a->mounts[i].fd >= 0)
                        close(a->mounts[i].fd);
                free(a->mounts[i].target);
                free(a->mounts[i].device);
        }
        free(a->mounts);
        free(a);
}

int storage_container_mount(const struct storage_attach *a, struct error *err)
{
        /* First of all: nothing mounted here may propagate to the host. */
        if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return error_sys(err, errno, "make / rslave");
        for (size_t i = 0; i < a->n_mounts; i++) {
                const struct storage_mount *m = &a->mounts[i];

                if (move_mount(m->fd, "", AT_FDCWD, m->target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                        return error_sys(err, errno, "%s: mount %s on %s",
                                         a->has_rootfs && i == a->n_mounts - 1 ? "annotations: " ANNOTATION_IMAGE : "mounts",
                                         m->device, m->target);
        }
        return 0;
}

static bool has_snapshot(const char *id)
{
        _cleanup_free_ char *rec = storage_container_record(id);

        return access(rec, F_OK) == 0;
}

/* Open the pool and read the container's snapshot record: 1 when it is there, 0 when opening the
 * pool finished a delete of it that a crash interrupted (the transaction rolled forward). */
static int open_snapshot(struct storage_pool *p, const char *id, struct storage_device *ret, struct error *err)
{
        _cleanup_free_ char *key = device_key("container", id);
        struct error gone = { 0 };
        int r;

        if ((r = pool_open(p, err)) < 0)
                return r;
        r = device_read(p->root, key, ret, &gone);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                *err = gone;
                return r;
        }
        return 1;
}

int storage_container_release(const char *id, struct error *err)
{
        struct storage_pool p = { .lock_fd = -1 };
        struct storage_device d = { 0 };
        int r;

        if (!has_snapshot(id))
                return 0;
        if ((r = open_snapshot(&p, id, &d, err)) == 1 && (r = pool_deactivate(&p, &d, true, err)) == 1)
                r = 0; /* still held (a process that escaped the namespace): the kernel removes it later */
        device_clear(&d);
        pool_close(&p);
        return r;
}

int storage_container_remove(const char *id, bool keep, struct error *err)
{
        struct storage_pool p = { .lock_fd = -1 };
        struct storage_device d = { 0 };
        int r;

        if (!has_snapshot(id))
                return 0;
        if ((r = open_snapshot(&p, id, &d, err)) <= 0)
                goto out;
        r = pool_deactivate(&p, &d, true, err);
        if (r == 1)
                r = error_set(err, EBUSY, "the rootfs device of %s is still in use: it is removed when its last user "
                              "closes it; run delete again then", id);
        else if (r == 0 && !keep)
                r = pool_delete_device(&p, &d, err);
        else if (r == 0 && !d.kept) {
                /* It has no state dir from now on, on purpose: gc must not take it for a leak. */
                d.kept = true;
                r = device_write(p.root, &d, err);
        }
out:
        device_clear(&d);
        pool_close(&p);
        return r;
}
