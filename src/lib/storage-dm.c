#include "storage-dm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libdevmapper.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* libdevmapper prints to stderr by default and the library must not print: keep its last error
 * line for the message instead. */
static __thread char dm_last_log[256];

static void dm_log_quiet(int level, const char *file, int line, int dm_errno, const char *f, ...)
{
        va_list ap;

        (void)file, (void)line, (void)dm_errno;
        if (level > 3) /* _LOG_ERR */
                return;
        va_start(ap, f);
        vsnprintf(dm_last_log, sizeof(dm_last_log), f, ap);
        va_end(ap);
}

static void dm_setup_once(void)
{
        static bool done;

        if (done)
                return;
        done = true;
        dm_log_with_errno_init(dm_log_quiet);
        /* Without a running udev nothing would make the /dev/mapper nodes: the library makes them. */
        if (access("/run/udev/control", F_OK) < 0) {
                setenv("DM_DISABLE_UDEV", "1", 0);
                dm_udev_set_sync_support(0);
        }
}

/* A task of `type` for the device `name`. dm_task_create says why it failed only to its
 * log; most often the kernel has no device-mapper, and the control device tells that plainly. */
static int task_for(int type, const char *name, struct dm_task **ret, struct error *err)
{
        _cleanup_close_ int control = -1;
        struct dm_task *dmt;

        dm_setup_once();
        dm_last_log[0] = '\0';
        dmt = dm_task_create(type);
        if (dmt && dm_task_set_name(dmt, name)) {
                *ret = dmt;
                return 0;
        }
        if (dmt)
                dm_task_destroy(dmt);
        control = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
        if (control < 0)
                return error_sys(err, errno, "device-mapper is not available for %s: open /dev/mapper/control",
                                 name);
        if (dm_last_log[0])
                return error_set(err, EIO, "device-mapper task for %s: %s", name, dm_last_log);
        return error_set(err, ENOMEM, "device-mapper task for %s", name);
}

/* Run the task; on failure the kernel's errno (EIO when libdevmapper does not know one). */
static int task_run(struct dm_task *dmt, struct error *err, const char *what, const char *name)
{
        int e;

        if (dm_task_run(dmt))
                return 0;
        e = dm_task_get_errno(dmt);
        if (e <= 0)
                e = EIO;
        if (dm_last_log[0])
                return error_set(err, e, "%s %s: %s (%s)", what, name, strerror(e), dm_last_log);
        return error_sys(err, e, "%s %s", what, name);
}

bool dm_device_exists(const char *name)
{
        struct error ignored = { 0 };
        struct dm_task *dmt;
        struct dm_info info = { 0 };
        bool exists = false;

        if (task_for(DM_DEVICE_INFO, name, &dmt, &ignored) < 0)
                return false;
        if (dm_task_run(dmt) && dm_task_get_info(dmt, &info))
                exists = info.exists;
        dm_task_destroy(dmt);
        return exists;
}

int dm_device_open_count(const char *name, struct error *err)
{
        struct dm_task *dmt;
        struct dm_info info = { 0 };
        int r;

        if ((r = task_for(DM_DEVICE_INFO, name, &dmt, err)) < 0)
                return r;
        r = task_run(dmt, err, "query device", name);
        if (r == 0 && !dm_task_get_info(dmt, &info))
                r = error_set(err, EIO, "query device %s: no info", name);
        if (r == 0)
                r = info.exists ? info.open_count : -ENXIO;
        dm_task_destroy(dmt);
        return r;
}

int dm_device_create(const char *name, const char *target, uint64_t sectors, const char *params,
                     struct error *err)
{
        struct dm_task *dmt;
        int r;

        if ((r = task_for(DM_DEVICE_CREATE, name, &dmt, err)) < 0)
                return r;
        if (!dm_task_add_target(dmt, 0, sectors, target, params))
                r = error_set(err, EINVAL, "create device %s: bad table \"%s %s\"", name, target, params);
        else
                r = task_run(dmt, err, "create device", name);
        dm_task_destroy(dmt);
        dm_task_update_nodes();
        return r;
}

static int remove_once(const char *name, bool deferred, struct error *err)
{
        struct dm_task *dmt;
        int r;

        if ((r = task_for(DM_DEVICE_REMOVE, name, &dmt, err)) < 0)
                return r;
        if (deferred)
                dm_task_deferred_remove(dmt);
        r = task_run(dmt, err, "remove device", name);
        dm_task_destroy(dmt);
        dm_task_update_nodes();
        return r;
}

int dm_device_remove(const char *name, bool deferred, struct error *err)
{
        int r;

        if (!dm_device_exists(name))
                return 0;
        /* A holder that has just closed (a mount namespace being torn down) lets go within moments. */
        for (int i = 0; i < 20; i++) {
                r = remove_once(name, false, err);
                if (r != -EBUSY)
                        return r == -ENXIO ? 0 : r;
                usleep(50 * 1000);
        }
        if (!deferred)
                return r;
        if ((r = remove_once(name, true, err)) < 0)
                return r;
        return 1;
}

static int suspend_or_resume(int type, const char *name, const char *what, struct error *err)
{
        struct dm_task *dmt;
        int r;

        if ((r = task_for(type, name, &dmt, err)) < 0)
                return r;
        r = task_run(dmt, err, what, name);
        dm_task_destroy(dmt);
        dm_task_update_nodes();
        return r;
}

int dm_device_suspend(const char *name, struct error *err)
{
        return suspend_or_resume(DM_DEVICE_SUSPEND, name, "suspend device", err);
}

int dm_device_resume(const char *name, struct error *err)
{
        return suspend_or_resume(DM_DEVICE_RESUME, name, "resume device", err);
}

int dm_pool_message(const char *pool, const char *message, struct error *err)
{
        struct dm_task *dmt;
        int r;

        if ((r = task_for(DM_DEVICE_TARGET_MSG, pool, &dmt, err)) < 0)
                return r;
        if (!dm_task_set_sector(dmt, 0) || !dm_task_set_message(dmt, message))
                r = error_set(err, ENOMEM, "message \"%s\" to %s", message, pool);
        else
                r = task_run(dmt, err, message, pool);
        dm_task_destroy(dmt);
        return r;
}

/* "<tid> <meta used>/<total> <data used>/<total> <held root> ro|rw|out_of_data_space ..." */
static int parse_pool_status(const char *params, struct dm_pool_usage *u)
{
        char mode[32] = "", held[32] = "";

        memset(u, 0, sizeof(*u));
        if (sscanf(params, "%" SCNu64 " %" SCNu64 "/%" SCNu64 " %" SCNu64 "/%" SCNu64 " %31s %31s",
                   &u->transaction_id, &u->meta_used, &u->meta_total, &u->data_used, &u->data_total,
                   held, mode) != 7)
                return -EINVAL;
        u->read_only = strcmp(mode, "ro") == 0;
        u->out_of_data_space = strcmp(mode, "out_of_data_space") == 0;
        u->needs_check = strstr(params, "needs_check") != NULL;
        return 0;
}

int dm_pool_usage(const char *pool, struct dm_pool_usage *ret, struct error *err)
{
        struct dm_task *dmt;
        uint64_t start, length;
        char *type = NULL, *params = NULL;
        int r;

        if ((r = task_for(DM_DEVICE_STATUS, pool, &dmt, err)) < 0)
                return r;
        if ((r = task_run(dmt, err, "status of", pool)) == 0) {
                dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
                if (!type || strcmp(type, "thin-pool") != 0)
                        r = error_set(err, EINVAL, "%s is not a thin pool", pool);
                else if (!params || parse_pool_status(params, ret) < 0)
                        r = error_set(err, EIO, "the thin pool %s has failed (status \"%s\"): check it with thin_check",
                                      pool, params ? params : "");
        }
        dm_task_destroy(dmt);
        return r;
}

char *dm_device_path(const char *name)
{
        return xasprintf("%s/%s", dm_dir(), name);
}
