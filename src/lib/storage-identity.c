#include "storage-identity.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/* The ext2/3/4 superblock: 1024 bytes at offset 1024; fields little-endian. */
#define SUPERBLOCK_OFFSET 1024
#define SUPERBLOCK_SIZE 1024
#define SB_MAGIC 0x38
#define SB_FEATURE_COMPAT 0x5C
#define SB_FEATURE_INCOMPAT 0x60
#define SB_UUID 0x68
#define EXT_MAGIC 0xEF53
#define COMPAT_HAS_JOURNAL 0x4
/* extents, 64bit, flex_bg: features only ext4 has */
#define INCOMPAT_EXT4 (0x40 | 0x80 | 0x200)

static uint32_t le32(const unsigned char *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* -ENODATA (and a message) when `path` holds no ext2/3/4 filesystem. */
static int read_identity(const char *path, char **ret_type, char **ret_uuid, struct error *err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        unsigned char sb[SUPERBLOCK_SIZE];
        const unsigned char *u = sb + SB_UUID;
        const char *type;
        ssize_t n;

        if (fd < 0)
                return error_sys(err, errno, "open %s", path);
        n = pread(fd, sb, sizeof(sb), SUPERBLOCK_OFFSET);
        if (n < 0)
                return error_sys(err, errno, "read the superblock of %s", path);
        if (n < (ssize_t)sizeof(sb) || (sb[SB_MAGIC] | sb[SB_MAGIC + 1] << 8) != EXT_MAGIC)
                return error_set(err, ENODATA, "%s holds no ext2/3/4 filesystem", path);
        if (le32(sb + SB_FEATURE_INCOMPAT) & INCOMPAT_EXT4)
                type = "ext4";
        else
                type = le32(sb + SB_FEATURE_COMPAT) & COMPAT_HAS_JOURNAL ? "ext3" : "ext2";
        *ret_type = xstrdup(type);
        *ret_uuid = xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                              u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
        return 0;
}

int storage_identity_record(struct storage_device *d, const char *path, struct error *err)
{
        char *type = NULL, *uuid = NULL;
        int r;

        if ((r = read_identity(path, &type, &uuid, err)) < 0)
                return r;
        free(d->fs_type);
        free(d->fs_uuid);
        d->fs_type = type;
        d->fs_uuid = uuid;
        return 0;
}

/* What the device is, and how to repair it, for the message that refuses it. */
static char *describe(const struct storage_device *d, char **ret_repair)
{
        const char *image = d->parent && strncmp(d->parent, "image-", 6) == 0 ? d->parent + 6 : NULL;

        if (strcmp(d->kind, "image") == 0) {
                *ret_repair = xasprintf("if its files are right, record its identity with `skiff image verify --accept %s`; "
                                        "else remove it with `skiff image rm %s` and import it again", d->name, d->name);
                return xasprintf("image %s", d->name);
        }
        if (strcmp(d->kind, "volume") == 0) {
                *ret_repair = xasprintf("remove it with `skiff volume rm %s`", d->name);
                return xasprintf("volume %s", d->name);
        }
        *ret_repair = xasprintf("check the image with `skiff image verify %s`; if its files are right, record its "
                                "identity with `skiff image verify --accept %s`", image ? image : "NAME",
                                image ? image : "NAME");
        return xasprintf("image %s (the rootfs of container %s)", image ? image : "?", d->name);
}

int storage_identity_check(const struct storage_device *d, const char *path, struct error *err)
{
        _cleanup_free_ char *type = NULL, *uuid = NULL, *what = NULL, *repair = NULL, *found = NULL;
        struct error why = { 0 };
        int r;

        if (!d->fs_uuid || !d->fs_type)
                return 0;
        r = read_identity(path, &type, &uuid, &why);
        if (r < 0 && r != -ENODATA) {
                *err = why;
                return r;
        }
        if (r == 0 && strcmp(type, d->fs_type) == 0 && strcmp(uuid, d->fs_uuid) == 0)
                return 0;
        what = describe(d, &repair);
        found = r == 0 ? xasprintf("%s UUID %s", type, uuid) : xstrdup("no ext2/3/4 filesystem");
        return error_set(err, EUCLEAN, "%s: its device holds %s, not the %s UUID %s recorded when it was made "
                         "(the pool's records may belong to another pool, or the device was changed): "
                         "refused, nothing was changed; %s", what, found, d->fs_type, d->fs_uuid, repair);
}

int pool_activate_verified(struct storage_pool *p, const struct storage_device *d, char **ret_path,
                           struct error *err)
{
        _cleanup_free_ char *path = NULL;
        struct error ignored = { 0 };
        int r;

        if ((r = pool_activate(p, d, &path, err)) < 0)
                return r;
        if ((r = storage_identity_check(d, path, err)) < 0) {
                pool_deactivate(p, d, false, &ignored);
                return r;
        }
        *ret_path = TAKE_PTR(path);
        return 0;
}

/* Activate `d`, check (or, with `accept`, record) its identity, deactivate. */
static int visit_image(struct storage_pool *p, struct storage_device *d, bool accept, struct error *err)
{
        _cleanup_free_ char *path = NULL;
        struct error ignored = { 0 };
        int r, q;

        if ((r = pool_activate(p, d, &path, err)) < 0)
                return r;
        if (accept) {
                if ((r = storage_identity_record(d, path, err)) == 0)
                        r = device_write(p->root, d, err);
        } else {
                r = storage_identity_check(d, path, err);
        }
        q = pool_deactivate(p, d, false, r < 0 ? &ignored : err);
        return r < 0 ? r : q;
}

int pool_check_image_identities(struct storage_pool *p, struct error *err)
{
        struct storage_device *devs = NULL;
        size_t n = 0;
        int r;

        if ((r = device_list(p->root, &devs, &n, err)) < 0)
                return r;
        for (size_t i = 0; i < n && r == 0; i++)
                if (strcmp(devs[i].kind, "image") == 0 && devs[i].ready)
                        r = visit_image(p, &devs[i], false, err);
        device_list_free(devs, n);
        return r;
}

int image_verify(const char *name, bool accept, FILE *out, struct error *err)
{
        struct storage_pool p = { .lock_fd = -1 };
        struct storage_device *devs = NULL;
        size_t n = 0;
        bool found = false;
        int r;

        if (name && (r = storage_name_check("image", name, err)) < 0)
                return r;
        /* Not pool_open: it refuses the whole pool on the very mismatch this repairs. */
        if ((r = pool_open_unverified(&p, err)) < 0)
                return r;
        if ((r = device_list(p.root, &devs, &n, err)) < 0)
                goto out;
        for (size_t i = 0; i < n && r == 0; i++) {
                if (strcmp(devs[i].kind, "image") || !devs[i].ready || (name && strcmp(devs[i].name, name)))
                        continue;
                found = true;
                if ((r = visit_image(&p, &devs[i], accept, err)) == 0)
                        fprintf(out, "%s %s %s\n", devs[i].name, devs[i].fs_type ? devs[i].fs_type : "-",
                                devs[i].fs_uuid ? devs[i].fs_uuid : "(no identity recorded)");
        }
        if (r == 0 && name && !found)
                r = error_set(err, ENOENT, "image %s does not exist (skiff image ls)", name);
out:
        device_list_free(devs, n);
        pool_close(&p);
        return r;
}
