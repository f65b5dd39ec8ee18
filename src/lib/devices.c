#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "mount.h"
#include "util.h"

/* What runc and crun give every container. */
static const struct spec_device default_devices[] = {
        { .path = "/dev/null", .type = 'c', .major = 1, .minor = 3, .has_mode = true, .mode = 0666 },
        { .path = "/dev/zero", .type = 'c', .major = 1, .minor = 5, .has_mode = true, .mode = 0666 },
        { .path = "/dev/full", .type = 'c', .major = 1, .minor = 7, .has_mode = true, .mode = 0666 },
        { .path = "/dev/random", .type = 'c', .major = 1, .minor = 8, .has_mode = true, .mode = 0666 },
        { .path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9, .has_mode = true, .mode = 0666 },
        { .path = "/dev/tty", .type = 'c', .major = 5, .minor = 0, .has_mode = true, .mode = 0666 },
};

static const struct {
        const char *target, *link;
} default_links[] = {
        { "/proc/self/fd", "/dev/fd" },     { "/proc/self/fd/0", "/dev/stdin" },
        { "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
        { "pts/ptmx", "/dev/ptmx" },
};

static mode_t device_type_mode(char type)
{
        switch (type) {
        case 'b': return S_IFBLK;
        case 'p': return S_IFIFO;
        default: return S_IFCHR;
        }
}

/* In a user namespace mknod is refused: bind the host's node instead, as runc does. */
static int bind_host_device(int rootfd, const struct spec_device *d, struct error *err)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *target = NULL;
        int r;

        if ((r = resolve_in_root(rootfd, d->path, true, false, &fd, err)) < 0)
                return r;
        target = fd_path(fd);
        if (mount(d->path, target, NULL, MS_BIND, NULL) < 0)
                return error_sys(err, errno, "bind %s from the host", d->path);
        return 0;
}

/* mknod NAME in DIR with exactly MODE, replacing what the rootfs has there. */
static int make_node(int dir, const char *name, const struct spec_device *d, mode_t mode)
{
        dev_t dev = makedev((unsigned)d->major, (unsigned)d->minor);
        mode_t type_mode = device_type_mode(d->type) | mode;

        if (mknodat(dir, name, type_mode, dev) < 0 &&
            (errno != EEXIST || unlinkat(dir, name, 0) < 0 || mknodat(dir, name, type_mode, dev) < 0))
                return -errno;
        return 0;
}

/* The directory PATH in the rootfs, made if missing and resolved without leaving it, opened for
 * real (mknodat, symlinkat and fchmodat take no O_PATH fd). */
static int open_dir_in_root(int rootfd, const char *path, int *ret_fd, struct error *err)
{
        _cleanup_close_ int resolved = -1;
        int r = resolve_in_root(rootfd, path, true, true, &resolved, err);

        if (r < 0)
                return r;
        _cleanup_free_ char *real = fd_path(resolved);
        *ret_fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return *ret_fd < 0 ? error_sys(err, errno, "open %s in the rootfs", path) : 0;
}

/* DEVDIR is the rootfs's /dev, open: most devices go there. */
static int create_device(int rootfd, int devdir, const struct spec_device *d, bool in_userns, struct error *err)
{
        _cleanup_free_ char *dir = xstrdup(d->path);
        _cleanup_close_ int own_dir = -1;
        char *base = strrchr(dir, '/');
        mode_t mode = d->has_mode ? d->mode : 0666;
        int r, fd = devdir;

        if (in_userns)
                return bind_host_device(rootfd, d, err);
        *base++ = '\0';
        if (strcmp(dir, "/dev") != 0) {
                if ((r = open_dir_in_root(rootfd, dir[0] ? dir : "/", &own_dir, err)) < 0)
                        return r;
                fd = own_dir;
        }
        if ((r = make_node(fd, base, d, mode)) < 0)
                return error_sys(err, -r, "mknod %s", d->path);
        /* mknod honours the umask; the configured mode must hold exactly. */
        if (fchmodat(fd, base, mode, 0) < 0)
                return error_sys(err, errno, "chmod %s", d->path);
        if ((d->has_uid || d->has_gid) &&
            fchownat(fd, base, d->has_uid ? d->uid : (uid_t)-1, d->has_gid ? d->gid : (gid_t)-1,
                     AT_SYMLINK_NOFOLLOW) < 0)
                return error_sys(err, errno, "chown %s", d->path);
        return 0;
}

static bool spec_has_device(const struct spec *spec, const char *path)
{
        for (size_t i = 0; i < spec->linux_cfg.n_devices; i++)
                if (strcmp(spec->linux_cfg.devices[i].path, path) == 0)
                        return true;
        return false;
}

int devices_create(const struct spec *spec, int rootfd, struct error *err)
{
        bool in_userns = spec_namespace(spec, CLONE_NEWUSER) != NULL;
        _cleanup_close_ int realdev = -1;
        int r;

        if ((r = open_dir_in_root(rootfd, "/dev", &realdev, err)) < 0)
                return r;
        for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
                if (spec_has_device(spec, default_devices[i].path))
                        continue;
                if ((r = create_device(rootfd, realdev, &default_devices[i], in_userns, err)) < 0)
                        return error_wrap(err, "default device %s", default_devices[i].path);
        }
        for (size_t i = 0; i < spec->linux_cfg.n_devices; i++)
                if ((r = create_device(rootfd, realdev, &spec->linux_cfg.devices[i], in_userns, err)) < 0)
                        return error_wrap(err, "linux.devices[%zu]", i);
        for (size_t i = 0; i < ARRAY_SIZE(default_links); i++) {
                const char *name = default_links[i].link + strlen("/dev/");
                if (symlinkat(default_links[i].target, realdev, name) < 0 && errno != EEXIST)
                        return error_sys(err, errno, "symlink %s", default_links[i].link);
        }
        return 0;
}
