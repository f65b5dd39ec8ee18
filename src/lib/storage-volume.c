#include "storage-volume.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "spec.h"
#include "state.h"
#include "storage-identity.h"
#include "storage-pool.h"
#include "storage-tool.h"
#include "util.h"

char *volume_path(const char *name)
{
        return xasprintf("%s/volumes/%s", storage_root(), name);
}

char *volume_name_of(const char *source)
{
        _cleanup_free_ char *prefix = xasprintf("%s/volumes/", storage_root());
        size_t len = strlen(prefix);

        if (!source || strncmp(source, prefix, len) != 0 || !source[len] || strchr(source + len, '/'))
                return NULL;
        return xstrdup(source + len);
}

static int make_volumes_dir(struct error *err)
{
        _cleanup_free_ char *dir = xasprintf("%s/volumes", storage_root());

        return mkdir_p(dir, 0711, err);
}

static int create_thin(const char *name, uint64_t size, const char *path, struct error *err)
{
        _cleanup_free_ char *key = device_key("volume", name);
        struct storage_pool p = { .lock_fd = -1 };
        struct storage_device d = { .key = key, .kind = "volume", .name = (char *)name, .size = size };
        _cleanup_free_ char *dev = NULL;
        struct error ignored = { 0 };
        int r;

        if (size % 512)
                return error_set(err, EINVAL, "--size: must be a multiple of 512 bytes");
        if ((r = pool_open(&p, err)) < 0)
                return r;
        if ((r = make_volumes_dir(err)) < 0)
                goto out;
        if (mkdir(path, 0755) < 0) {
                r = errno == EEXIST ? error_set(err, EEXIST, "volume %s already exists", name)
                                    : error_sys(err, errno, "create %s", path);
                goto out;
        }
        if ((r = pool_create_device(&p, &d, NULL, err)) < 0)
                goto undo_dir;
        if ((r = pool_activate(&p, &d, &dev, err)) < 0 || (r = tool_mkfs(dev, err)) < 0 ||
            (r = storage_identity_record(&d, dev, err)) < 0 || (r = pool_deactivate(&p, &d, false, err)) < 0) {
                pool_delete_device(&p, &d, &ignored);
                goto undo_dir;
        }
        d.ready = true;
        if ((r = device_write(p.root, &d, err)) == 0)
                goto out;
        pool_delete_device(&p, &d, &ignored);
undo_dir:
        rmdir(path);
out:
        free(d.fs_type);
        free(d.fs_uuid);
        pool_close(&p);
        return r;
}

int volume_create(const char *name, uint64_t size, char **ret_path, struct error *err)
{
        _cleanup_free_ char *path = NULL;
        int r;

        if ((r = storage_name_check("volume", name, err)) < 0)
                return r;
        path = volume_path(name);
        if (!size && (r = make_volumes_dir(err)) < 0)
                return r;
        if (size) {
                if ((r = create_thin(name, size, path, err)) < 0)
                        return r;
        } else if (mkdir(path, 0755) < 0) {
                return errno == EEXIST ? error_set(err, EEXIST, "volume %s already exists", name)
                                       : error_sys(err, errno, "create %s", path);
        }
        if (ret_path)
                *ret_path = TAKE_PTR(path);
        return 0;
}

/* A thin volume's record, read without the pool (listing must work with no pool at all). */
static bool thin_record(const char *name, struct storage_device *ret)
{
        _cleanup_free_ char *key = device_key("volume", name);
        struct error ignored = { 0 };

        return device_read(storage_root(), key, ret, &ignored) == 0;
}

int volume_list(FILE *out, struct error *err)
{
        _cleanup_free_ char *dir = xasprintf("%s/volumes", storage_root());
        struct dirent **names = NULL;
        int n = scandir(dir, &names, NULL, alphasort);

        if (n < 0 && errno != ENOENT)
                return error_sys(err, errno, "list %s", dir);
        fprintf(out, "%-32s %-6s %10s  %s\n", "NAME", "TYPE", "SIZE", "PATH");
        for (int i = 0; i < n; i++) {
                struct storage_device d = { 0 };

                if (names[i]->d_name[0] != '.') {
                        _cleanup_free_ char *path = volume_path(names[i]->d_name);
                        bool thin = thin_record(names[i]->d_name, &d);
                        _cleanup_free_ char *size = thin ? format_size(d.size) : xstrdup("-");

                        fprintf(out, "%-32s %-6s %10s  %s\n", names[i]->d_name, thin ? "thin" : "dir", size, path);
                        device_clear(&d);
                }
                free(names[i]);
        }
        free(names);
        return 0;
}

/* The first container in state_root, not stopped, whose config mounts `path`. */
static char *volume_user(const char *state_root, const char *path)
{
        struct dirent **ids = NULL;
        char *user = NULL;
        int n = scandir(state_root, &ids, NULL, alphasort);

        for (int i = 0; i < n; i++) {
                struct state st = { 0 };
                struct spec *spec = NULL;
                struct error ignored = { 0 };
                _cleanup_free_ char *kept = state_path(state_root, ids[i]->d_name, NULL);

                if (!user && ids[i]->d_name[0] != '.' && state_read(state_root, ids[i]->d_name, &st, &ignored) == 0 &&
                    state_status(state_root, &st) != STATUS_STOPPED && spec_load(kept, &spec, &ignored) == 0) {
                        for (size_t m = 0; m < spec->n_mounts && !user; m++)
                                if (streq_ptr(spec->mounts[m].source, path))
                                        user = xstrdup(ids[i]->d_name);
                }
                spec_free(spec);
                state_clear(&st);
                free(ids[i]);
        }
        free(ids);
        return user;
}

int volume_remove(const char *state_root, const char *name, struct error *err)
{
        _cleanup_free_ char *path = NULL, *user = NULL;
        struct storage_device d = { 0 };
        int r;

        if ((r = storage_name_check("volume", name, err)) < 0)
                return r;
        path = volume_path(name);
        if (access(path, F_OK) < 0)
                return error_set(err, ENOENT, "volume %s does not exist (skiff volume ls)", name);
        if ((user = volume_user(state_root, path)))
                return error_set(err, EBUSY, "volume %s is used by container %s", name, user);
        if (thin_record(name, &d)) {
                struct storage_pool p = { .lock_fd = -1 };

                if ((r = pool_open(&p, err)) == 0)
                        r = pool_delete_device(&p, &d, err);
                pool_close(&p);
                device_clear(&d);
                if (r < 0)
                        return r;
        }
        return rm_rf(path, err);
}
