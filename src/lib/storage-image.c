#include "storage-image.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "storage-identity.h"
#include "storage-pool.h"
#include "storage-tool.h"
#include "util.h"

static char *mount_dir_for(const struct storage_pool *p, const char *key)
{
        return xasprintf("%s/mnt/%s", p->root, key);
}

/* Run argv with the device of `d` mounted (in a private namespace) on ROOT/mnt/KEY. */
static int with_mounted(struct storage_pool *p, const struct storage_device *d, bool read_only,
                        char *const argv_template[], int out_fd, struct error *err)
{
        _cleanup_free_ char *dir = mount_dir_for(p, d->key);
        _cleanup_free_ char *path = NULL;
        struct error ignored = { 0 };
        char *argv[16];
        int r, q;

        /* "@" in the template stands for the mount point. */
        for (size_t i = 0; i < ARRAY_SIZE(argv); i++) {
                argv[i] = argv_template[i] && strcmp(argv_template[i], "@") == 0 ? dir : argv_template[i];
                if (!argv[i])
                        break;
        }
        if ((r = mkdir_p(dir, 0700, err)) < 0)
                return r;
        if ((r = pool_activate_verified(p, d, &path, err)) < 0) {
                rmdir(dir);
                return r;
        }
        r = tool_run(argv, &(struct tool_mount){ .device = path, .dir = dir, .read_only = read_only }, out_fd, err);
        q = pool_deactivate(p, d, false, r < 0 ? &ignored : err);
        rmdir(dir);
        return r < 0 ? r : q;
}

static int fill_image(struct storage_pool *p, struct storage_device *d, const char *source, bool is_dir,
                      struct error *err)
{
        _cleanup_free_ char *path = NULL;
        _cleanup_free_ char *from = xasprintf("%s/.", source);
        char *tar[] = { "tar", "-x", "-p", "--numeric-owner", "--xattrs", "--xattrs-include=*", "-f", (char *)source,
                        "-C", "@", NULL };
        char *copy[] = { "cp", "-a", from, "@", NULL };
        int r;

        if ((r = pool_activate(p, d, &path, err)) < 0 || (r = tool_mkfs(path, err)) < 0 ||
            (r = storage_identity_record(d, path, err)) < 0)
                return r;
        storage_crash_point("import:after-mkfs");
        return with_mounted(p, d, false, is_dir ? copy : tar, -1, err);
}

int image_import(const char *name, const char *source, struct error *err)
{
        _cleanup_free_ char *key = NULL;
        struct storage_pool p = { .lock_fd = -1 };
        struct storage_device d = { 0 }, existing = { 0 };
        struct error ignored = { 0 };
        struct stat st;
        int r;

        if ((r = storage_name_check("image", name, err)) < 0)
                return r;
        if (stat(source, &st) < 0)
                return error_sys(err, errno, "%s", source);
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
                return error_set(err, EINVAL, "%s: neither a tar file nor a directory", source);
        if ((r = pool_open(&p, err)) < 0)
                return r;
        key = device_key("image", name);
        if (device_read(p.root, key, &existing, &ignored) == 0) {
                r = error_set(err, EEXIST, "image %s already exists", name);
                goto out;
        }
        d = (struct storage_device){ .key = key, .kind = "image", .name = (char *)name, .size = p.cfg.base_size };
        if ((r = pool_create_device(&p, &d, NULL, err)) < 0)
                goto out;
        if ((r = fill_image(&p, &d, source, S_ISDIR(st.st_mode), err)) < 0) {
                pool_delete_device(&p, &d, &ignored);
                goto out;
        }
        d.ready = true;
        r = device_write(p.root, &d, err);
out:
        free(d.fs_type);
        free(d.fs_uuid);
        device_clear(&existing);
        pool_close(&p);
        return r;
}

static int open_image(struct storage_pool *p, const char *name, struct storage_device *ret, struct error *err)
{
        _cleanup_free_ char *key = NULL;
        int r;

        if ((r = storage_name_check("image", name, err)) < 0 || (r = pool_open(p, err)) < 0)
                return r;
        key = device_key("image", name);
        if ((r = device_read(p->root, key, ret, err)) < 0)
                return r == -ENOENT ? error_set(err, ENOENT, "image %s does not exist (skiff image ls)", name) : r;
        return 0;
}

int image_export(const char *name, int out_fd, struct error *err)
{
        struct storage_pool p = { .lock_fd = -1 };
        struct storage_device d = { 0 };
        char *tar[] = { "tar", "-c", "--numeric-owner", "--xattrs", "--exclude=./lost+found", "-f", "-", "-C", "@", ".",
                        NULL };
        int r;

        if ((r = open_image(&p, name, &d, err)) == 0)
                r = with_mounted(&p, &d, true, tar, out_fd, err);
        device_clear(&d);
        pool_close(&p);
        return r;
}

int image_list(FILE *out, struct error *err)
{
        struct storage_pool p = { .lock_fd = -1 };
        struct storage_device *devs = NULL;
        size_t n = 0;
        int r;

        if ((r = pool_open(&p, err)) < 0)
                return r;
        if ((r = device_list(p.root, &devs, &n, err)) == 0) {
                fprintf(out, "%-32s %10s  %s\n", "NAME", "SIZE", "PARENT");
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *size = format_size(devs[i].size);

                        if (strcmp(devs[i].kind, "image") == 0)
                                fprintf(out, "%-32s %10s  %s\n", devs[i].name, size, devs[i].parent ? devs[i].parent : "-");
                }
        }
        device_list_free(devs, n);
        pool_close(&p);
        return r;
}

int image_remove(const char *name, struct error *err)
{
        struct storage_pool p = { .lock_fd = -1 };
        struct storage_device d = { 0 }, *devs = NULL;
        size_t n = 0;
        int r;

        if ((r = open_image(&p, name, &d, err)) < 0 || (r = device_list(p.root, &devs, &n, err)) < 0)
                goto out;
        for (size_t i = 0; i < n; i++)
                if (devs[i].parent && strcmp(devs[i].parent, d.key) == 0) {
                        r = error_set(err, EBUSY, "image %s is used by %s %s", name, devs[i].kind, devs[i].name);
                        goto out;
                }
        r = pool_delete_device(&p, &d, err);
out:
        device_list_free(devs, n);
        device_clear(&d);
        pool_close(&p);
        return r;
}
