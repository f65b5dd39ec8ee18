#include "storage-meta.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>

#include "json.h"
#include "util.h"

#define LOCK_TIMEOUT_MS 120000

int storage_lock(const char *root, int *ret_fd, struct error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/lock", root);
        _cleanup_close_ int fd = -1;
        int r;

        if ((r = mkdir_p(root, 0700, err)) < 0)
                return r;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return error_sys(err, errno, "open %s", path);
        for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += 50) {
                if (errno != EWOULDBLOCK)
                        return error_sys(err, errno, "lock %s", path);
                if (waited >= LOCK_TIMEOUT_MS)
                        return error_set(err, ETIMEDOUT, "another skiff held the storage lock %s for %d s",
                                         path, LOCK_TIMEOUT_MS / 1000);
                usleep(50 * 1000);
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int read_json(const char *path, yajl_val *ret, struct error *err)
{
        if (access(path, F_OK) < 0)
                return errno == ENOENT ? -ENOENT : error_sys(err, errno, "%s", path);
        return json_parse_file(path, ret, err);
}

static int write_json(const char *path, yajl_gen g, struct error *err)
{
        _cleanup_free_ char *text = json_gen_take(g);

        yajl_gen_free(g);
        return write_file_atomic(path, text, strlen(text), err);
}

static yajl_gen gen_open(void)
{
        yajl_gen g = yajl_gen_alloc(NULL);

        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_map_open(g);
        return g;
}

static int get_u64(yajl_val tree, const char *key, const char *path, uint64_t *ret, struct error *err)
{
        _cleanup_free_ char *field = xasprintf("%s: %s", path, key);

        return json_to_uint64(json_member(tree, key), field, ret, err);
}

static int get_str(yajl_val tree, const char *key, const char *path, char **ret, struct error *err)
{
        _cleanup_free_ char *field = xasprintf("%s: %s", path, key);
        yajl_val v = json_member(tree, key);

        if (!v || YAJL_IS_NULL(v)) {
                *ret = NULL;
                return 0;
        }
        return json_to_string(v, field, ret, err);
}

int pool_config_read(const char *root, struct pool_config *ret, struct error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/pool.json", root);
        struct pool_config c = { 0 };
        yajl_val tree = NULL, loop;
        uint64_t next = 0;
        int r;

        if ((r = read_json(path, &tree, err)) < 0)
                return r == -ENOENT ? error_set(err, ENOENT, "the thin pool is not initialised (%s): run skiff pool init", root) : r;
        if ((r = get_str(tree, "name", path, &c.name, err)) < 0 || (r = get_str(tree, "data", path, &c.data, err)) < 0 ||
            (r = get_str(tree, "metadata", path, &c.metadata, err)) < 0 ||
            (r = get_u64(tree, "dataSize", path, &c.data_size, err)) < 0 ||
            (r = get_u64(tree, "metadataSize", path, &c.metadata_size, err)) < 0 ||
            (r = get_u64(tree, "baseSize", path, &c.base_size, err)) < 0 ||
            (r = get_u64(tree, "blockSize", path, &c.block_size, err)) < 0 ||
            (r = get_u64(tree, "nextDeviceId", path, &next, err)) < 0)
                goto out;
        loop = json_member(tree, "loop");
        c.loop = loop && YAJL_IS_TRUE(loop);
        c.next_device_id = (uint32_t)next;
        if (!c.name || !c.data || !c.metadata)
                r = error_set(err, EINVAL, "%s: name, data and metadata are required", path);
out:
        yajl_tree_free(tree);
        if (r < 0) {
                pool_config_clear(&c);
                return r;
        }
        *ret = c;
        return 0;
}

int pool_config_write(const char *root, const struct pool_config *c, struct error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/pool.json", root);
        yajl_gen g = gen_open();

        json_gen_kv_string(g, "name", c->name);
        json_gen_kv_string(g, "data", c->data);
        json_gen_kv_string(g, "metadata", c->metadata);
        json_gen_kv_bool(g, "loop", c->loop);
        json_gen_kv_int(g, "dataSize", (long long)c->data_size);
        json_gen_kv_int(g, "metadataSize", (long long)c->metadata_size);
        json_gen_kv_int(g, "baseSize", (long long)c->base_size);
        json_gen_kv_int(g, "blockSize", (long long)c->block_size);
        json_gen_kv_int(g, "nextDeviceId", c->next_device_id);
        yajl_gen_map_close(g);
        return write_json(path, g, err);
}

void pool_config_clear(struct pool_config *c)
{
        free(c->name);
        free(c->data);
        free(c->metadata);
        memset(c, 0, sizeof(*c));
}

int transaction_read(const char *root, struct pool_transaction *ret, struct error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/transaction.json", root);
        struct pool_transaction t = { 0 };
        yajl_val tree = NULL;
        uint64_t id = 0;
        int r;

        if ((r = read_json(path, &tree, err)) == -ENOENT) {
                *ret = t;
                return 0;
        }
        if (r < 0)
                return r;
        if ((r = get_u64(tree, "openTransactionId", path, &t.open_id, err)) == 0 &&
            (r = get_u64(tree, "deviceId", path, &id, err)) == 0)
                r = get_str(tree, "key", path, &t.key, err);
        yajl_tree_free(tree);
        if (r < 0) {
                free(t.key);
                return r;
        }
        t.device_id = (uint32_t)id;
        *ret = t;
        return 0;
}

int transaction_write(const char *root, const struct pool_transaction *t, struct error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/transaction.json", root);
        yajl_gen g = gen_open();

        json_gen_kv_int(g, "openTransactionId", (long long)t->open_id);
        json_gen_kv_int(g, "deviceId", t->device_id);
        json_gen_kv_string(g, "key", t->key ? t->key : "");
        yajl_gen_map_close(g);
        return write_json(path, g, err);
}

char *device_key(const char *kind, const char *name)
{
        return xasprintf("%s-%s", strcmp(kind, "container") == 0 ? "ctr" : kind, name);
}

static char *device_path(const char *root, const char *key)
{
        return xasprintf("%s/devices/%s.json", root, key);
}

int device_read(const char *root, const char *key, struct storage_device *ret, struct error *err)
{
        _cleanup_free_ char *path = device_path(root, key);
        struct storage_device d = { 0 };
        yajl_val tree = NULL, ready, kept;
        uint64_t id = 0;
        int r;

        if ((r = read_json(path, &tree, err)) < 0)
                return r == -ENOENT ? error_set(err, ENOENT, "%s does not exist", key) : r;
        if ((r = get_str(tree, "kind", path, &d.kind, err)) < 0 || (r = get_str(tree, "name", path, &d.name, err)) < 0 ||
            (r = get_str(tree, "parent", path, &d.parent, err)) < 0 ||
            (r = get_u64(tree, "deviceId", path, &id, err)) < 0 || (r = get_u64(tree, "size", path, &d.size, err)) < 0 ||
            (r = get_u64(tree, "transactionId", path, &d.transaction_id, err)) < 0 ||
            (r = get_str(tree, "fsType", path, &d.fs_type, err)) < 0 || (r = get_str(tree, "fsUuid", path, &d.fs_uuid, err)) < 0 ||
            (r = get_str(tree, "stateRoot", path, &d.state_root, err)) < 0)
                goto out;
        if (!d.kind || !d.name)
                r = error_set(err, EINVAL, "%s: kind and name are required", path);
        ready = json_member(tree, "ready");
        d.ready = ready && YAJL_IS_TRUE(ready);
        kept = json_member(tree, "kept");
        d.kept = kept && YAJL_IS_TRUE(kept);
        d.device_id = (uint32_t)id;
        d.key = xstrdup(key);
out:
        yajl_tree_free(tree);
        if (r < 0) {
                device_clear(&d);
                return r;
        }
        *ret = d;
        return 0;
}

int device_write(const char *root, const struct storage_device *d, struct error *err)
{
        _cleanup_free_ char *dir = xasprintf("%s/devices", root);
        _cleanup_free_ char *path = device_path(root, d->key);
        yajl_gen g;
        int r;

        if ((r = mkdir_p(dir, 0700, err)) < 0)
                return r;
        g = gen_open();
        json_gen_kv_string(g, "kind", d->kind);
        json_gen_kv_string(g, "name", d->name);
        if (d->parent)
                json_gen_kv_string(g, "parent", d->parent);
        json_gen_kv_int(g, "deviceId", d->device_id);
        json_gen_kv_int(g, "size", (long long)d->size);
        json_gen_kv_int(g, "transactionId", (long long)d->transaction_id);
        json_gen_kv_bool(g, "ready", d->ready);
        if (d->fs_type && d->fs_uuid) {
                json_gen_kv_string(g, "fsType", d->fs_type);
                json_gen_kv_string(g, "fsUuid", d->fs_uuid);
        }
        if (d->state_root)
                json_gen_kv_string(g, "stateRoot", d->state_root);
        if (d->kept)
                json_gen_kv_bool(g, "kept", true);
        yajl_gen_map_close(g);
        return write_json(path, g, err);
}

int device_remove_record(const char *root, const char *key, struct error *err)
{
        _cleanup_free_ char *path = device_path(root, key);

        if (unlink(path) < 0 && errno != ENOENT)
                return error_sys(err, errno, "remove %s", path);
        return 0;
}

static int cmp_key(const void *a, const void *b)
{
        return strcmp(((const struct storage_device *)a)->key, ((const struct storage_device *)b)->key);
}

int device_list(const char *root, struct storage_device **ret, size_t *ret_n, struct error *err)
{
        _cleanup_free_ char *dir = xasprintf("%s/devices", root);
        struct storage_device *devs = NULL;
        size_t n = 0;
        struct dirent *e;
        DIR *d = opendir(dir);
        int r = 0;

        if (!d && errno != ENOENT)
                return error_sys(err, errno, "open %s", dir);
        while (d && (e = readdir(d))) {
                size_t len = strlen(e->d_name);
                _cleanup_free_ char *key = NULL;

                if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0)
                        continue;
                key = strndup(e->d_name, len - 5);
                devs = xrealloc(devs, (n + 1) * sizeof(*devs));
                if ((r = device_read(root, key, &devs[n], err)) < 0)
                        break;
                n++;
        }
        if (d)
                closedir(d);
        if (r < 0) {
                device_list_free(devs, n);
                return r;
        }
        if (n)
                qsort(devs, n, sizeof(*devs), cmp_key);
        *ret = devs;
        *ret_n = n;
        return 0;
}

void device_clear(struct storage_device *d)
{
        free(d->key);
        free(d->kind);
        free(d->name);
        free(d->parent);
        free(d->fs_type);
        free(d->fs_uuid);
        free(d->state_root);
        memset(d, 0, sizeof(*d));
}

void device_list_free(struct storage_device *devs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                device_clear(&devs[i]);
        free(devs);
}

int storage_name_check(const char *what, const char *name, struct error *err)
{
        if (!name || !*name)
                return error_set(err, EINVAL, "%s: the name is empty", what);
        if (strlen(name) > 128)
                return error_set(err, EINVAL, "%s \"%s\": longer than 128 characters", what, name);
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strstr(name, ".."))
                return error_set(err, EINVAL, "%s \"%s\": \"..\" is not allowed in a name", what, name);
        for (const char *p = name; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("_.-:", *p))
                        return error_set(err, EINVAL, "%s \"%s\": '%c' is not allowed (use letters, digits and _.-:)",
                                         what, name, *p);
        return 0;
}

int parse_size(const char *field, const char *text, uint64_t *ret, struct error *err)
{
        static const char units[] = "KMGTP";
        char *end = NULL;
        unsigned long long n;
        uint64_t mult = 1;
        const char *u;

        errno = 0;
        if (!text || !isdigit((unsigned char)text[0]))
                goto bad;
        n = strtoull(text, &end, 10);
        if (errno || end == text)
                goto bad;
        if (*end && (u = strchr(units, toupper((unsigned char)*end)))) {
                for (const char *p = units; p <= u; p++)
                        mult *= 1024;
                end++;
                if (strcasecmp(end, "iB") == 0 || strcasecmp(end, "B") == 0)
                        end += strlen(end);
        } else if (strcasecmp(end, "B") == 0) {
                end++;
        }
        if (*end || n == 0 || n > UINT64_MAX / mult)
                goto bad;
        *ret = n * mult;
        return 0;
bad:
        return error_set(err, EINVAL, "%s: \"%s\" is not a size (use e.g. 64K, 512M, 10G)", field, text ? text : "");
}

char *format_size(uint64_t bytes)
{
        static const char units[] = "KMGTP";
        double v = (double)bytes;
        int i = -1;

        while (v >= 1024 && i < 4) {
                v /= 1024;
                i++;
        }
        if (i < 0)
                return xasprintf("%" PRIu64 "B", bytes);
        return xasprintf("%.1f%ciB", v, units[i]);
}

void storage_crash_point(const char *point)
{
        const char *want = getenv("SKIFF_TEST_CRASH_AT");

        if (want && strcmp(want, point) == 0)
                raise(SIGKILL);
}
