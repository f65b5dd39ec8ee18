#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
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

/* Remount PATH read-only keeping nosuid, nodev and noexec as they are: dropping them would weaken
 * the mount, and in a user namespace the kernel refuses to drop them at all. */
static int remount_readonly(const char *path, const char *field, struct error *err)
{
        if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | mount_current_flags(path), NULL) < 0)
                return error_sys(err, errno, "%s: make %s read-only", field, path);
        return 0;
}

/* A readonly path gets a bind mount of its own first, so that the rest of its file system stays writable. */
static int make_path_readonly(const char *path, struct error *err)
{
        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return errno == ENOENT ? 0 : error_sys(err, errno, "linux.readonlyPaths: bind %s", path);
        return remount_readonly(path, "linux.readonlyPaths", err);
}

/* The propagation every mount gets before anything is mounted: the recursive form of the kind
 * rootfsPropagation asks for, rslave by default, so nothing mounted here reaches the host unless
 * the config says shared. unbindable would forbid binding the rootfs: it is applied at the end. */
static unsigned long initial_propagation(const char *rootfs_propagation)
{
        unsigned long flags = rootfs_propagation ? mount_propagation_flags(rootfs_propagation) : 0;

        if (flags & MS_SHARED)
                return MS_SHARED | MS_REC;
        if (flags & MS_PRIVATE)
                return MS_PRIVATE | MS_REC;
        return MS_SLAVE | MS_REC;
}

static int mount_id_of(int fd, uint64_t *ret_id)
{
        struct statx stx;

        if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
                return -errno;
        *ret_id = stx.stx_mnt_id;
        return 0;
}

/* With shared propagation, binding the rootfs would propagate the bind to the host, and pivot_root
 * refuses a root under a shared mount: make the mount that holds the rootfs private (in our mount
 * namespace only), as runc does. Its root is the topmost directory above rootfs with its mount id. */
static int make_parent_mount_private(const char *rootfs, struct error *err)
{
        _cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        uint64_t id = 0, up_id = 0;

        if (fd < 0 || mount_id_of(fd, &id) < 0)
                return error_sys(err, errno, "root.path: open %s", rootfs);
        for (;;) {
                _cleanup_close_ int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                struct stat here, above;

                if (up < 0 || mount_id_of(up, &up_id) < 0 || fstat(fd, &here) < 0 || fstat(up, &above) < 0)
                        return error_sys(err, errno, "root.path: find the mount holding %s", rootfs);
                if (up_id != id || (here.st_dev == above.st_dev && here.st_ino == above.st_ino))
                        break;
                close(fd);
                fd = TAKE_FD(up);
        }
        _cleanup_free_ char *target = fd_path(fd);
        if (mount(NULL, target, NULL, MS_PRIVATE, NULL) < 0)
                return error_sys(err, errno, "root.path: make the mount holding %s private", rootfs);
        return 0;
}

/* As runc: a missing working directory is made, inside the container's root. */
static int make_cwd(const struct spec *spec, struct error *err)
{
        if (!spec->has_process || mkdir_p(spec->process.cwd, 0755, err) == 0)
                return 0;
        return error_wrap(err, "process.cwd");
}

static int enter_cgroup_once(const struct rootfs_step *step, bool *entered, struct error *err)
{
        if (*entered || !step || !step->enter_cgroup)
                return 0;
        *entered = true;
        return step->enter_cgroup(step->data, err);
}

int rootfs_setup(const struct spec *spec, bool no_pivot, const struct rootfs_step *step, struct error *err)
{
        _cleanup_close_ int rootfd = -1;
        const char *rootfs = spec->root_path;
        unsigned long propagation = initial_propagation(spec->linux_cfg.rootfs_propagation);
        bool entered = false;
        int r;

        if (mount(NULL, "/", NULL, propagation, NULL) < 0)
                return error_sys(err, errno, "linux.rootfsPropagation: set the propagation of /");
        if ((propagation & MS_SHARED) && (r = make_parent_mount_private(rootfs, err)) < 0)
                return r;
        if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return error_sys(err, errno, "root.path: bind %s", rootfs);
        /* pivot_root refuses a new root whose parent mount is shared. */
        if (mount(NULL, rootfs, NULL, MS_PRIVATE, NULL) < 0)
                return error_sys(err, errno, "root.path: make %s private", rootfs);
        rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return error_sys(err, errno, "root.path: open %s", rootfs);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                if (mount_shows_cgroups(&spec->mounts[i]) && (r = enter_cgroup_once(step, &entered, err)) < 0)
                        return r;
                if ((r = mount_spec_mount(spec, i, rootfd, err)) < 0)
                        return r;
        }
        if ((r = devices_create(spec, rootfd, err)) < 0 || (r = enter_cgroup_once(step, &entered, err)) < 0)
                return r;
        if (step && step->before_pivot && (r = step->before_pivot(step->data, err)) < 0)
                return r;
        r = no_pivot ? move_into(rootfs, err) : pivot_into(rootfs, err);
        if (r < 0 || (r = make_cwd(spec, err)) < 0)
                return r;
        for (size_t i = 0; spec->linux_cfg.masked_paths && spec->linux_cfg.masked_paths[i]; i++)
                if ((r = mask_path(spec->linux_cfg.masked_paths[i], err)) < 0)
                        return r;
        for (size_t i = 0; spec->linux_cfg.readonly_paths && spec->linux_cfg.readonly_paths[i]; i++)
                if ((r = make_path_readonly(spec->linux_cfg.readonly_paths[i], err)) < 0)
                        return r;
        /* "/" is already a bind mount of its own (of root.path): remount it in place. */
        if (spec->root_readonly && (r = remount_readonly("/", "root.readonly", err)) < 0)
                return r;
        if (spec->linux_cfg.rootfs_propagation &&
            mount(NULL, "/", NULL, mount_propagation_flags(spec->linux_cfg.rootfs_propagation), NULL) < 0)
                return error_sys(err, errno, "linux.rootfsPropagation: %s", spec->linux_cfg.rootfs_propagation);
        return 0;
}
