#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "devices.h"
#include "mount-options.h"
#include "mount.h"
#include "util.h"

static int pivot_into(const char *rootfs, struct error *err)
{
        _cleanup_close_ int oldroot = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (oldroot < 0)
                return error_sys(err, errno, "open /");
        if (chdir(rootfs) < 0)
                return error_sys(err, errno, "chdir %s", rootfs);
        /* pivot_root(".", ".") stacks the old root on top of the new one; then detach it. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return error_sys(err, errno, "pivot_root %s", rootfs);
        if (fchdir(oldroot) < 0)
                return error_sys(err, errno, "fchdir to the old root");
        /* The old root must not propagate its unmount back to the host. */
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return error_sys(err, errno, "make the old root rslave");
        if (umount2(".", MNT_DETACH) < 0)
                return error_sys(err, errno, "detach the old root");
        if (chdir("/") < 0)
                return error_sys(err, errno, "chdir /");
        return 0;
}

static int move_into(const char *rootfs, struct error *err)
{
        if (chdir(rootfs) < 0)
                return error_sys(err, errno, "chdir %s", rootfs);
        if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
                return error_sys(err, errno, "move %s to /", rootfs);
        if (chroot(".") < 0)
                return error_sys(err, errno, "chroot %s", rootfs);
        if (chdir("/") < 0)
                return error_sys(err, errno, "chdir /");
        return 0;
}

static int mask_path(const char *path, struct error *err)
{
        struct stat st;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : error_sys(err, errno, "linux.maskedPaths: stat %s", path);
        if (S_ISDIR(st.st_mode)) {
                if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") < 0)
                        return error_sys(err, errno, "linux.maskedPaths: mask %s", path);
        } else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
                return error_sys(err, errno, "linux.maskedPaths: mask %s", path);
        }
        return 0;
}

static int make_readonly(const char *path, const char *field, struct error *err)
{
        unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;

        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return errno == ENOENT ? 0 : error_sys(err, errno, "%s: bind %s", field, path);
        if (mount(NULL, path, NULL, flags, NULL) == 0)
                return 0;
        /* In a user namespace the flags the mount already has are locked: keep them. */
        if (errno == EPERM && mount(NULL, path, NULL, flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
                return 0;
        return error_sys(err, errno, "%s: make %s read-only", field, path);
}

int rootfs_setup(const struct spec *spec, bool no_pivot, struct error *err)
{
        _cleanup_close_ int rootfd = -1;
        const char *rootfs = spec->root_path;
        int r;

        /* Nothing we mount may reach the host: make every mount a slave of it first. */
        if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return error_sys(err, errno, "make / rslave");
        if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return error_sys(err, errno, "root.path: bind %s", rootfs);
        /* pivot_root refuses a new root whose parent mount is shared. */
        if (mount(NULL, rootfs, NULL, MS_PRIVATE, NULL) < 0)
                return error_sys(err, errno, "root.path: make %s private", rootfs);
        rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return error_sys(err, errno, "root.path: open %s", rootfs);
        if ((r = mount_spec_mounts(spec, rootfd, err)) < 0)
                return r;
        if ((r = devices_create(spec, rootfd, err)) < 0)
                return r;
        r = no_pivot ? move_into(rootfs, err) : pivot_into(rootfs, err);
        if (r < 0)
                return r;
        for (size_t i = 0; spec->linux_cfg.masked_paths && spec->linux_cfg.masked_paths[i]; i++)
                if ((r = mask_path(spec->linux_cfg.masked_paths[i], err)) < 0)
                        return r;
        for (size_t i = 0; spec->linux_cfg.readonly_paths && spec->linux_cfg.readonly_paths[i]; i++)
                if ((r = make_readonly(spec->linux_cfg.readonly_paths[i], "linux.readonlyPaths", err)) < 0)
                        return r;
        if (spec->root_readonly && (r = make_readonly("/", "root.readonly", err)) < 0)
                return r;
        if (spec->linux_cfg.rootfs_propagation &&
            mount(NULL, "/", NULL, mount_propagation_flags(spec->linux_cfg.rootfs_propagation), NULL) < 0)
                return error_sys(err, errno, "linux.rootfsPropagation: %s", spec->linux_cfg.rootfs_propagation);
        return 0;
}
