#include "storage-orphans.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "storage-pool.h"
#include "util.h"

static bool orphaned(const struct storage_device *d, const char *state_root)
{
        _cleanup_free_ char *dir = NULL;

        /* A record without stateRoot predates it: whose it is cannot be told, so it stays. */
        if (strcmp(d->kind, "container") || d->kept || !streq_ptr(d->state_root, state_root))
                return false;
        dir = state_path(state_root, d->name, NULL);
        return access(dir, F_OK) < 0 && errno == ENOENT;
}

int storage_drop_orphans(const char *state_root, char ***ret_ids, struct error *err)
{
        struct storage_pool p = { .lock_fd = -1 };
        struct storage_device *devs = NULL;
        char **ids = xcalloc(1, sizeof(*ids));
        size_t n = 0, n_ids = 0;
        int r, first = 0;

        *ret_ids = NULL;
        if (!pool_initialised()) {
                *ret_ids = ids;
                return 0;
        }
        /* Under the pool's lock: create makes the state dir before the snapshot, and delete drops the
         * snapshot before the dir, so a record whose dir is missing here is no work in progress. */
        if ((r = pool_open(&p, err)) < 0 || (r = device_list(p.root, &devs, &n, err)) < 0)
                goto out;
        for (size_t i = 0; i < n; i++) {
                struct error one = { 0 };

                if (!orphaned(&devs[i], state_root))
                        continue;
                if ((r = pool_delete_device(&p, &devs[i], &one)) < 0) {
                        if (!first) {
                                first = r;
                                *err = one;
                                error_wrap(err, "the rootfs of container %s (its state dir is gone)", devs[i].name);
                        }
                        continue;
                }
                ids = xrealloc(ids, (n_ids + 2) * sizeof(*ids));
                ids[n_ids++] = xstrdup(devs[i].name);
                ids[n_ids] = NULL;
        }
        r = first;
out:
        device_list_free(devs, n);
        pool_close(&p);
        *ret_ids = ids;
        return r;
}
