/* libdevmapper, loaded on first use.
 *
 * Linked the usual way, libdevmapper brings libudev, libselinux, libpcre2 and libm into every skiff
 * process, and their loading and constructors (libselinux reads /proc/filesystems) cost about as
 * much as the exec itself, at every skiff command, all for containers that never touch a thin pool.
 * These definitions stand in for the functions skiff calls (the binaries are not linked with
 * -ldevmapper) and dlopen the library the first time one of them runs; in a static skiff, through
 * glibc's dlopen for static programs (configure.ac). Should it fail to load, each reports failure as
 * the library itself would: NULL, 0, or nothing. */
#include <dlfcn.h>
#include <errno.h>
#include <libdevmapper.h>
#include <stddef.h>

#define DEVMAPPER_SONAME "libdevmapper.so.1.02.1"

static void *resolve(const char *name)
{
        static void *lib;

        if (!lib)
                lib = dlopen(DEVMAPPER_SONAME, RTLD_NOW | RTLD_GLOBAL);
        return lib ? dlsym(lib, name) : NULL;
}

/* A stand-in for `ret name params` that calls the real one with `args`, or returns `failed`. */
#define LAZY(ret, name, params, args, failed)                          \
        ret name params                                                \
        {                                                              \
                static ret(*real) params;                              \
                if (!real)                                             \
                        real = (ret(*) params)resolve(#name);          \
                return real ? real args : failed;                      \
        }

#define LAZY_VOID(name, params, args)                                  \
        void name params                                               \
        {                                                              \
                static void(*real) params;                             \
                if (!real)                                             \
                        real = (void(*) params)resolve(#name);         \
                if (real)                                              \
                        real args;                                     \
        }

LAZY(struct dm_task *, dm_task_create, (int type), (type), NULL)
LAZY_VOID(dm_task_destroy, (struct dm_task *dmt), (dmt))
LAZY(int, dm_task_run, (struct dm_task *dmt), (dmt), 0)
LAZY(int, dm_task_set_name, (struct dm_task *dmt, const char *name), (dmt, name), 0)
LAZY(int, dm_task_set_message, (struct dm_task *dmt, const char *message), (dmt, message), 0)
LAZY(int, dm_task_set_sector, (struct dm_task *dmt, uint64_t sector), (dmt, sector), 0)
LAZY(int, dm_task_add_target,
     (struct dm_task *dmt, uint64_t start, uint64_t size, const char *ttype, const char *params),
     (dmt, start, size, ttype, params), 0)
LAZY(int, dm_task_get_info, (struct dm_task *dmt, struct dm_info *dmi), (dmt, dmi), 0)
LAZY(int, dm_task_get_errno, (struct dm_task *dmt), (dmt), ENOSYS)
LAZY(int, dm_task_deferred_remove, (struct dm_task *dmt), (dmt), 0)
LAZY(void *, dm_get_next_target,
     (struct dm_task *dmt, void *next, uint64_t *start, uint64_t *length, char **target_type, char **params),
     (dmt, next, start, length, target_type, params), NULL)
LAZY(const char *, dm_dir, (void), (), "/dev/mapper")
LAZY_VOID(dm_task_update_nodes, (void), ())
LAZY_VOID(dm_udev_set_sync_support, (int sync_with_udev), (sync_with_udev))
LAZY_VOID(dm_log_with_errno_init, (dm_log_with_errno_fn fn), (fn))
